// PostgreSQL through pg and @prisma/adapter-pg: the production database.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { CancellablePool } from './cancellation.ts';
import type { MigrationTarget } from './migrator.ts';

// Any fixed number: two instances starting at once take turns applying migrations.
const MIGRATION_LOCK_KEY = 7_243_519_001;

/**
 * Connection settings as separate fields rather than one URL string: with a string the
 * Prisma CLI once replayed migrations onto the main database instead of a shadow.
 */
export function postgresConfig(url: string, poolSize: number): pg.PoolConfig {
  return {
    ...parseIntoClientConfig(url),
    connectionString: undefined,
    // No JIT compilation: it pays off for long analytical queries, while here a misestimated
    // search filter spent 1.1 of its 1.6 s compiling (BENCHMARKS.md, search).
    options: '-c jit=off',
    max: poolSize,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 5_000,
  };
}

/**
 * The pool Prisma queries through, created here so that /metrics can read its counts; its
 * statements are cancelled when the request running them is abandoned (cancellation.ts).
 */
export function postgresPool(config: pg.PoolConfig): CancellablePool {
  return new CancellablePool(config);
}

export function postgresAdapter(pool: pg.Pool): PrismaPg {
  // Disposed by prisma.$disconnect(), as the pool the adapter would create itself.
  return new PrismaPg(pool, { disposeExternalPool: true });
}

export function postgresMigrationTarget(config: pg.PoolConfig): MigrationTarget {
  return {
    async inTransaction(work) {
      const client = new pg.Client(config);
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        const result = await work({
          exec: async (script) => {
            await client.query(script);
          },
          query: async <Row>(sql: string, params?: unknown[]) => (await client.query(sql, params as unknown[])).rows as Row[],
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        await client.end();
      }
    },
  };
}
