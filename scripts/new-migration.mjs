#!/usr/bin/env node
// npm run migration:new -- <name>
// Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL that takes a database
// from the committed migrations to prisma/schema.prisma. The diff replays the migrations on
// an in-memory PGlite (prisma.config.ts), so no database server and no Prisma binary host
// are needed. Review the file, then commit it with the schema change.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const name = (process.argv[2] ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
if (!name) {
  console.error('usage: npm run migration:new -- <name>   (e.g. add_customer_nickname_index)');
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  [join(root, 'scripts/prisma.mjs'), 'migrate', 'diff', '--from-migrations', 'prisma/migrations',
    '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
  { cwd: root, encoding: 'utf8' },
);
if (result.status !== 0) {
  process.stderr.write(result.stderr);
  process.exit(result.status ?? 1);
}
const sql = result.stdout.trim();
if (!sql || /^-- This is an empty migration\.?$/.test(sql)) {
  console.log('prisma/schema.prisma matches the migrations: nothing to write.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = join(root, 'prisma/migrations', `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'migration.sql'), `${sql}\n`);
console.log(`Wrote ${join('prisma/migrations', `${stamp}_${name}`, 'migration.sql')}. Review it, then commit it with the schema.`);
