// Applies prisma/migrations/*/migration.sql in order, each in one transaction, and records
// them in Prisma's own `_prisma_migrations` table, so `prisma migrate status` reads the
// same history. Written here rather than run through the Prisma CLI because the driver
// adapters split scripts on `;` outside a transaction (PostgreSQL) or do not await them
// (PGlite): a failed migration could be left half-applied or recorded as done.
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const migrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** What the migrator needs from a database: scripts and queries inside one transaction. */
export interface SqlSession {
  exec(script: string): Promise<void>;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export interface MigrationTarget {
  /** Runs `work` in one transaction that holds the database's migration lock. */
  inTransaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
}

export interface Migration {
  name: string;
  script: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

const historyTable = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export function readMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const script = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, script, checksum: createHash('sha256').update(script).digest('hex') };
    });
}

/** Applies every pending migration; refuses when an applied one was edited afterwards. */
export async function migrate(target: MigrationTarget, migrations = readMigrations()): Promise<MigrationReport> {
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const migration of migrations) {
    const done = await target.inTransaction(async (session) => {
      await session.exec(historyTable);
      const rows = await session.query<{ checksum: string }>(
        'SELECT checksum FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL',
        [migration.name],
      );
      if (rows.length > 0) {
        if (rows[0].checksum !== migration.checksum) {
          throw new Error(
            `Migration ${migration.name} was changed after it was applied (checksum differs). ` +
              'Never edit an applied migration: add a new one (npm run migration:new -- <name>).',
          );
        }
        return true;
      }
      try {
        await session.exec(migration.script);
      } catch (error) {
        throw new Error(`Migration ${migration.name} failed and was rolled back: ${(error as Error).message}`, { cause: error });
      }
      await session.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, now(), $3, now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      return false;
    });
    if (done) alreadyApplied++;
    else applied.push(migration.name);
  }
  return { applied, alreadyApplied };
}

/** Names of migrations not yet applied (for `customer-graph migrate --status`). */
export async function pendingMigrations(target: MigrationTarget, migrations = readMigrations()): Promise<string[]> {
  return target.inTransaction(async (session) => {
    await session.exec(historyTable);
    const rows = await session.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const done = new Set(rows.map((r) => r.migration_name));
    return migrations.filter((m) => !done.has(m.name)).map((m) => m.name);
  });
}
