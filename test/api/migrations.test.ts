import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { readMigrations } from '../../src/db/migrator.ts';
import { freshDatabaseUrl, usingPostgres } from '../support/database.ts';
import { diffMigrationsToSchema } from '../../scripts/migration-diff.mjs';

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
  return { url, db: await openDatabase(url, { command: 'test' }) };
}

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cg-migrations-'));
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe('migrator', () => {
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
    cleanups.push(() => db.close(), () => other.close());
    const [a, b] = await Promise.all([db.migrate(), other.migrate()]);
    expect([...a.applied, ...b.applied].sort()).toEqual(readMigrations().map((m) => m.name));
    const rows = await db.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM "_prisma_migrations"');
    expect(Number(rows[0].n)).toBe(readMigrations().length);
  });
});

// The pinned Prisma 6.19 differ (scripts/migration-diff.mjs) replays the migrations on an in-memory
// PGlite and compares the result with prisma/schema.prisma. The check does not depend on the test
// database, so it runs in the embedded lane only.
describe.skipIf(usingPostgres)('migrations and prisma/schema.prisma', () => {
  it('the committed migrations produce exactly the schema in prisma/schema.prisma', () => {
    expect(diffMigrationsToSchema()).toBeNull();
  }, 120_000);

  it('a schema change not yet in a migration is reported as the SQL a new migration needs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-schema-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const schema = join(dir, 'schema.prisma');
    const original = readFileSync(join(import.meta.dirname, '../../prisma/schema.prisma'), 'utf8');
    const changed = original.replace(/model Customer \{\n/, 'model Customer {\n  nicknameForTest String?\n');
    expect(changed).not.toBe(original);
    writeFileSync(schema, changed);
    expect(diffMigrationsToSchema({ schema })).toMatch(/ALTER TABLE "Customer" ADD COLUMN\s+"nicknameForTest" TEXT/);
  }, 120_000);
});
