// Prisma CLI configuration (Prisma 7). The project uses this CLI only for `prisma generate`,
// which needs no database and no native engine, so no datasource URL and no adapter here.
// Migrations are applied by src/db/migrator.ts (`customer-graph migrate`, and on every start);
// new ones are written by `npm run migration:new` (scripts/new-migration.mjs), which diffs with
// the pinned Prisma 6.19 CLI because every Prisma 7 `migrate` command wants the native schema
// engine, which cannot be downloaded here.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
