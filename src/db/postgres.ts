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

/** How many distinct statements a process prepares at most (DATABASE_PREPARED_STATEMENTS). */
export const DEFAULT_PREPARED_STATEMENTS = 100;

/** Most placeholders a statement may have and still be named (statementNames). */
export const MAX_NAMED_PARAMETERS = 32;

/** Placeholder $(MAX_NAMED_PARAMETERS + 1): Prisma numbers them from $1 up, so a text with it has more than the most. */
const TOO_MANY_PLACEHOLDERS = new RegExp(`\\$${MAX_NAMED_PARAMETERS + 1}(?!\\d)`);

/**
 * Names for Prisma's statements, so that each pooled connection parses and analyses a statement
 * once and then executes it by name: for the nested customers query (lateral joins building
 * JSON) parsing and analysis cost PostgreSQL more CPU than running it (BENCHMARKS.md, issue 16).
 * Plans follow PostgreSQL's default (plan_cache_mode=auto): the first five runs are planned for
 * their values, then a generic plan is kept where it is estimated no dearer (the point lookup,
 * whose planning was most of its cost); the nested query, whose LIMITs are parameters, stays
 * planned per call. Forcing custom plans (tried first) took that gain away.
 * Bounded, as every prepared statement holds memory in each connection until it closes: a text
 * is named the second time it is seen (one-off statements stay unnamed), and once `limit` texts
 * are named the others stay unnamed. 0 names none (for a pooler in transaction mode).
 * Texts with more than MAX_NAMED_PARAMETERS placeholders stay unnamed: those are lists (Prisma
 * writes `in` filters as one placeholder per value), a new text for every length, which would
 * spend the names on texts that rarely repeat (one 100,000-row import named 94 of them).
 */
export function statementNames(limit: number): (query: { sql: string }) => string | undefined {
  const named = new Map<string, string>();
  const seenOnce = new Set<string>();
  return ({ sql }) => {
    const name = named.get(sql);
    if (name !== undefined || named.size >= limit) return name;
    if (!seenOnce.has(sql)) {
      if (seenOnce.size >= limit * 4) seenOnce.clear();
      seenOnce.add(sql);
      return undefined;
    }
    seenOnce.delete(sql);
    if (TOO_MANY_PLACEHOLDERS.test(sql)) return undefined;
    // Per process: a name always stands for the same text on every connection of the pool.
    const created = `cg_${named.size}`;
    named.set(sql, created);
    return created;
  };
}

export function postgresAdapter(pool: pg.Pool, preparedStatements = DEFAULT_PREPARED_STATEMENTS): PrismaPg {
  // Disposed by prisma.$disconnect(), as the pool the adapter would create itself.
  // undefined leaves a statement unnamed (pg then runs it unprepared); the option's type says string only.
  const statementNameGenerator = statementNames(preparedStatements) as (query: { sql: string }) => string;
  return new PrismaPg(pool, { disposeExternalPool: true, statementNameGenerator });
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
