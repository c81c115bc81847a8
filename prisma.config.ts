// Prisma CLI configuration. The schema engine runs in WebAssembly (engine "js") through a
// driver adapter, so nothing is downloaded from Prisma's binary host. The project uses the
// CLI for `generate` and for writing new migrations (`npm run migration:new`), which diff
// against an in-memory PGlite: no database server is needed. Migrations are applied by
// src/db/migrator.ts (`customer-graph migrate`, and on every start).
import type { PGlite } from '@electric-sql/pglite';
import { defineConfig } from 'prisma/config';

let shared: Promise<PGlite> | undefined;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  async adapter() {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    // The CLI calls adapter() more than once per command: reuse one instance.
    shared ??= PGlite.create();
    return new PrismaPGlite(await shared);
  },
});
