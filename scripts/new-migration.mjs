#!/usr/bin/env node
// npm run migration:new -- <name>
// Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL that takes a database
// from the committed migrations to prisma/schema.prisma. The diff replays the migrations on
// an in-memory PGlite, so no database server and no Prisma binary host are needed. Review the
// file, then commit it with the schema change.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffMigrationsToSchema, root } from './migration-diff.mjs';

const name = (process.argv[2] ?? '')
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, '_')
  .replace(/^_|_$/g, '');
if (!name) {
  console.error('usage: npm run migration:new -- <name>   (e.g. add_customer_nickname_index)');
  process.exit(2);
}
const sql = await diffMigrationsToSchema();
if (sql === null) {
  console.log('prisma/schema.prisma matches the migrations: nothing to write.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = join(root, 'prisma/migrations', `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'migration.sql'), `${sql}\n`);
console.log(`Wrote ${join('prisma/migrations', `${stamp}_${name}`, 'migration.sql')}. Review it, then commit it with the schema.`);
