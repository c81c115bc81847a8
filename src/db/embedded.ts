// The embedded database: PGlite (PostgreSQL compiled to WebAssembly) in a directory, so the
// same schema, migrations and generated client serve both databases. One process at a time
// may open a directory (src/db/lock.ts).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { lockDirectory, type DirectoryLock } from './lock.ts';
import type { MigrationTarget } from './migrator.ts';

export interface EmbeddedHandle {
  pglite: PGlite;
  lock: DirectoryLock;
  /** True when this open created the directory. */
  created: boolean;
}

export interface EmbeddedOptions {
  /** Called before a new database is created. */
  onCreate?: () => void;
  /**
   * Fills the new, empty (locked) directory with a migrated database; false when it cannot, and
   * the database is then created in place (src/db/embedded-template.ts).
   */
  fromTemplate?: (dir: string) => Promise<boolean>;
}

export async function openEmbedded(dir: string, command: string, options: EmbeddedOptions = {}): Promise<EmbeddedHandle> {
  mkdirSync(dir, { recursive: true });
  const lock = await lockDirectory(dir, command);
  try {
    const created = !existsSync(join(dir, 'PG_VERSION'));
    if (created) {
      options.onCreate?.();
      await options.fromTemplate?.(dir);
    }
    return { pglite: await newPGlite(dir), lock, created };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** Opens PGlite on `dir` (creating the database when the directory is empty). */
export async function newPGlite(dir: string): Promise<PGlite> {
  // Loaded on demand: deployments on PostgreSQL never load the WebAssembly build.
  const { PGlite } = await import('@electric-sql/pglite');
  // Extensions the migrations create (CREATE EXTENSION IF NOT EXISTS) must be loadable here:
  // pg_trgm backs substring search.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const pglite = new PGlite(dir, { extensions: { pg_trgm } });
  await pglite.waitReady;
  return pglite;
}

export function embeddedMigrationTarget(pglite: PGlite): MigrationTarget {
  // The directory lock already makes this process the only writer.
  return {
    inTransaction: (work) =>
      pglite.transaction((tx) =>
        work({
          exec: async (script) => {
            await tx.exec(script);
          },
          query: async <Row>(sql: string, params?: unknown[]) => (await tx.query<Row>(sql, params as unknown[])).rows,
        }),
      ),
  };
}
