import { defineConfig } from 'vitest/config';

// Three lanes (README "Tests"): unit (pure rules, no database: seconds), api (behaviour on a
// fresh database per file), system (processes, kills, browser, faults, fuzzing: slow).
// `npm test` runs all three; `npm run test:unit|test:api|test:system` one each.
const databaseSetup = ['test/support/global-setup.ts'];

export default defineConfig({
  // Node resolves graphql's CJS entry (the package has no "exports"), and the Pothos plugins
  // require it; vite would pick the ESM build and create a second graphql realm.
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    // Each test file opens its own database (a PGlite copy or a PostgreSQL database):
    // processes keep their WebAssembly heaps apart.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // test/*.test.ts: a file added before it found its lane still runs (move it to its lane).
      { extends: true, test: { name: 'api', include: ['test/api/**/*.test.ts', 'test/*.test.ts'], globalSetup: databaseSetup } },
      { extends: true, test: { name: 'system', include: ['test/system/**/*.test.ts'], globalSetup: databaseSetup } },
    ],
  },
});
