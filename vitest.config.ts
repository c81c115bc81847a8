import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Node resolves graphql's CJS entry (the package has no "exports"), and the Pothos plugins
  // require it; vite would pick the ESM build and create a second graphql realm.
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each test file opens its own database (a PGlite copy or a PostgreSQL database):
    // processes keep their WebAssembly heaps apart.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
