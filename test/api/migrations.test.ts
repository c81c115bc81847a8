import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { templateKey } from '../../src/db/embedded-template.ts';
import { readMigrations } from '../../src/db/migrator.ts';
import { freshDatabaseUrl, usingPostgres } from '../support/database.ts';
import { diffMigrationsToSchema, rawOnlyIndexes } from '../../scripts/migration-diff.mjs';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function emptyDatabase() {
  // A database that has never been migrated: an empty directory, or a new PostgreSQL database.
  if (usingPostgres) {
    const { url, drop } = await freshDatabaseUrl();
    const db = await openDatabase(url, { command: 'test' });
    await db.prisma.$executeRawUnsafe('DROP SCHEMA public CASCADE');
    await db.prisma.$executeRawUnsafe('CREATE SCHEMA public');
    cleanups.push(drop);
    return { url, db };
  }
  const dir = mkdtempSync(join(tmpdir(), 'cg-migrate-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const url = `file:${join(dir, 'db')}`;
  // Not from the migrated template a first start copies: created in place, as without one.
  return { url, db: await openDatabase(url, { command: 'test', fromTemplate: false }) };
}

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cg-migrations-'));
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

// Databases created in place (initdb, every migration): up to a minute each on a loaded machine.
describe('migrator', { timeout: 180_000 }, () => {
  it('applies every migration once, recorded in _prisma_migrations with its checksum', async () => {
    const { db } = await emptyDatabase();
    cleanups.push(() => db.close());
    const all = readMigrations();
    const first = await db.migrate();
    expect(first.applied).toEqual(all.map((m) => m.name));
    const second = await db.migrate();
    expect(second).toEqual({ applied: [], alreadyApplied: all.length });
    const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
      'SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows).toEqual(all.map((m) => ({ migration_name: m.name, checksum: m.checksum })));
    expect(await db.prisma.identityType.count({ where: { builtIn: true } })).toBe(7);
    expect(await db.pendingMigrations()).toEqual([]);
  });

  it('rolls a failing migration back whole and names it; the ones before it stay applied', async () => {
    const { db } = await emptyDatabase();
    cleanups.push(() => db.close());
    const dir = migrationsDir({
      '001_ok': 'CREATE TABLE "a" ("id" INTEGER PRIMARY KEY);',
      '002_broken': 'CREATE TABLE "b" ("id" INTEGER PRIMARY KEY);\nINSERT INTO "nope" VALUES (1);',
    });
    await expect(db.migrate(readMigrations(dir))).rejects.toThrow(/Migration 002_broken failed and was rolled back/);
    const tables = await db.prisma.$queryRawUnsafe<{ table_name: string }[]>(
      `SELECT table_name::text AS table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('a', 'b') ORDER BY 1`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(['a']);
    const recorded = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>('SELECT migration_name FROM "_prisma_migrations"');
    expect(recorded.map((r) => r.migration_name)).toEqual(['001_ok']);
  });

  it('refuses to go on when an applied migration was edited', async () => {
    const { db } = await emptyDatabase();
    cleanups.push(() => db.close());
    const dir = migrationsDir({ '001_t': 'CREATE TABLE "t" ("id" INTEGER);' });
    await db.migrate(readMigrations(dir));
    writeFileSync(join(dir, '001_t', 'migration.sql'), 'CREATE TABLE "t" ("id" BIGINT);');
    await expect(db.migrate(readMigrations(dir))).rejects.toThrow(/001_t was changed after it was applied/);
  });

  it.runIf(usingPostgres)('lets two instances start at once: each migration is applied exactly once', async () => {
    const { url, db } = await emptyDatabase();
    const other = await openDatabase(url, { command: 'test' });
    cleanups.push(
      () => db.close(),
      () => other.close(),
    );
    const [a, b] = await Promise.all([db.migrate(), other.migrate()]);
    expect([...a.applied, ...b.applied].sort()).toEqual(readMigrations().map((m) => m.name));
    const rows = await db.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM "_prisma_migrations"');
    expect(Number(rows[0].n)).toBe(readMigrations().length);
  });
});

// The pinned Prisma 6.19 differ (scripts/migration-diff.mjs) replays the migrations on an in-memory
// PGlite and compares the result with prisma/schema.prisma. The check does not depend on the test
// database, so it runs in the embedded lane only.
describe('the display_name migration (README "Names")', { timeout: 180_000 }, () => {
  it('backfills a missing name from realName, else nickName; a given name stays', async () => {
    const { db } = await emptyDatabase();
    cleanups.push(() => db.close());
    const all = readMigrations();
    const at = all.findIndex((m) => m.name.endsWith('_display_name'));
    await db.migrate(all.slice(0, at));
    const rows: [string | null, string | null, string | null, string | null][] = [
      // name, realName, nickName → name after
      [null, '韩梅梅', 'meimei', '韩梅梅'],
      ['', ' ', '小白', '小白'],
      ['王总', '王芳', null, '王总'],
      [null, null, null, null],
    ];
    for (const [name, realName, nickName] of rows) {
      await db.prisma.customer.create({ data: { name, realName, nickName } });
    }
    await db.migrate(all);
    const after = await db.prisma.customer.findMany({ orderBy: { id: 'asc' }, select: { name: true } });
    expect(after.map((c) => c.name)).toEqual(rows.map((r) => r[3]));
  });
});

describe.skipIf(usingPostgres)('a new embedded database (first start)', () => {
  it('is a copy of the migrated template: every migration applied, nothing pending, a usable database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-first-start-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const db = await openDatabase(`file:${join(dir, 'db')}`, { command: 'test' });
    cleanups.push(() => db.close());
    expect(await db.pendingMigrations()).toEqual([]);
    expect(await db.migrate()).toEqual({ applied: [], alreadyApplied: readMigrations().length });
    const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
      'SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows).toEqual(readMigrations().map((m) => ({ migration_name: m.name, checksum: m.checksum })));
    const created = await db.prisma.customer.create({ data: { realName: '李雷' } });
    expect(created.id).toBe(1);
  });

  it('the template is keyed by every migration: an edited or added migration gets a new one', () => {
    const migrations = readMigrations();
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: `${m.checksum}x` } : m));
    const added = [...migrations, { name: '29990101000000_next', script: '', checksum: 'c' }];
    expect(new Set([templateKey(migrations), templateKey(edited), templateKey(added)]).size).toBe(3);
    expect(templateKey(migrations)).toBe(templateKey());
  });
});

describe.skipIf(usingPostgres)('migrations and prisma/schema.prisma', () => {
  it('the committed migrations produce exactly the schema in prisma/schema.prisma', async () => {
    expect(await diffMigrationsToSchema()).toBeNull();
  }, 120_000);

  // Prisma's differ does not see partial or expression indexes: the schema declares them (raw-only).
  it('the partial and expression indexes the migrations create are exactly the raw-only ones the schema declares', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-raw-only-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const db = await openDatabase(`file:${join(dir, 'db')}`, { command: 'test' });
    cleanups.push(() => db.close());
    const rows = await db.prisma.$queryRawUnsafe<{ name: string }[]>(
      `SELECT c.relname::text AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND (i.indpred IS NOT NULL OR i.indexprs IS NOT NULL)`,
    );
    expect(rows.map((r) => r.name).sort()).toEqual(rawOnlyIndexes());
    expect(rawOnlyIndexes()).toEqual(['Customer_search_bigrams_idx', 'Identity_phone_value_trgm_idx']);
  });

  it('a schema change not yet in a migration is reported as the SQL a new migration needs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-schema-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const schema = join(dir, 'schema.prisma');
    const original = readFileSync(join(import.meta.dirname, '../../prisma/schema.prisma'), 'utf8');
    const changed = original.replace(/model Customer \{\n/, 'model Customer {\n  nicknameForTest String?\n');
    expect(changed).not.toBe(original);
    writeFileSync(schema, changed);
    expect(await diffMigrationsToSchema({ schema })).toMatch(/ALTER TABLE "Customer" ADD COLUMN\s+"nicknameForTest" TEXT/);
  }, 120_000);
});
