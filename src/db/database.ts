// Opens the database named by DATABASE_URL: `postgresql://…` (production) or `file:PATH`
// (the embedded PGlite directory at PATH). Both give the same generated Prisma client.
import { resolve } from 'node:path';
import type { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { PoolStats } from '../metrics.ts';
import { embeddedMigrationTarget, openEmbedded } from './embedded.ts';
import { copyMigratedTemplate } from './embedded-template.ts';
import type { LockHolder } from './lock.ts';
import { migrate, pendingMigrations, type Migration, type MigrationReport, type MigrationTarget } from './migrator.ts';
import { postgresAdapter, postgresConfig, postgresMigrationTarget, postgresPool } from './postgres.ts';

export type DatabaseKind = 'postgres' | 'embedded';

export interface Database {
  kind: DatabaseKind;
  /** Where the data lives, without credentials: for logs and messages. */
  location: string;
  prisma: PrismaClient;
  /** Applies pending migrations (by default those under prisma/migrations). */
  migrate(migrations?: Migration[]): Promise<MigrationReport>;
  pendingMigrations(): Promise<string[]>;
  /**
   * Runs one SQL statement on the driver itself, bypassing Prisma: the PGlite instance Prisma
   * uses, or (PostgreSQL) a pool of the same size opened on first use. For hand-written SQL
   * where Prisma's query layer is not wanted (the benchmarks' raw-SQL baseline, bulk seeding).
   */
  sql: <Row = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<Row[]>;
  /** Resolves when the database answers a trivial query within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  /** The connection pool's counts, for /metrics (PostgreSQL only). */
  poolStats?: () => PoolStats;
  /** Tells processes refused by the embedded lock who holds it (no-op on PostgreSQL). */
  describeHolder(update: Partial<LockHolder>): void;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** The CLI command opening it, named to processes refused by the embedded lock. */
  command: string;
  poolSize?: number;
  /** PostgreSQL's statement_timeout on the pool's connections, in ms (0 or absent: none). Not for migrations. */
  statementTimeoutMs?: number;
  /** Distinct statements prepared on PostgreSQL at most (DATABASE_PREPARED_STATEMENTS; default 100, 0: none). */
  preparedStatements?: number;
  /** Called for each SQL statement (tests count them). */
  onQuery?: (sql: string) => void;
  /** Called before a new embedded database is created (it takes a few seconds). */
  onCreate?: (location: string) => void;
  /** A new embedded database starts as a copy of the migrated template (default true). */
  fromTemplate?: boolean;
}

export function parseDatabaseUrl(url: string): { kind: DatabaseKind; location: string } {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    return { kind: 'postgres', location: `${parsed.protocol}//${parsed.host}${parsed.pathname}` };
  }
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error('DATABASE_URL=file:PATH needs a path, e.g. file:./data/customer-graph');
    return { kind: 'embedded', location: resolve(path) };
  }
  throw new Error(`DATABASE_URL must start with postgresql:// (PostgreSQL) or file: (embedded database), got "${url.split(':')[0]}:…"`);
}

function createClient(adapter: PrismaPg | PrismaPGlite, onQuery?: (sql: string) => void) {
  const prisma = new PrismaClient({
    adapter,
    log: onQuery ? [{ emit: 'event', level: 'query' }] : [],
    // The embedded database runs one transaction at a time: let them queue instead of failing.
    transactionOptions: { maxWait: 15_000, timeout: 30_000 },
  });
  if (onQuery) (prisma as PrismaClient<'query'>).$on('query', (event) => onQuery(event.query));
  return prisma;
}

const CLOSE_TIMEOUT_MS = 5000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function openDatabase(url: string, options: OpenOptions): Promise<Database> {
  const { kind, location } = parseDatabaseUrl(url);
  let prisma: PrismaClient;
  let target: MigrationTarget;
  let closeDriver: () => Promise<void>;
  let describeHolder: Database['describeHolder'] = () => undefined;
  let poolStats: Database['poolStats'];
  let sql: Database['sql'];

  if (kind === 'postgres') {
    const config = postgresConfig(url, options.poolSize ?? 10);
    // One pool: Prisma's adapter and hand-written SQL (`sql`) share its connections.
    const pool = postgresPool(options.statementTimeoutMs ? { ...config, statement_timeout: options.statementTimeoutMs } : config);
    poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
    prisma = createClient(postgresAdapter(pool, options.preparedStatements), options.onQuery);
    target = postgresMigrationTarget(config);
    sql = async <Row>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as Row[];
    closeDriver = async () => undefined;
  } else {
    const handle = await openEmbedded(location, options.command, {
      onCreate: () => options.onCreate?.(location),
      // A copy of the migrated template instead of initdb and every migration (first start).
      fromTemplate: options.fromTemplate === false ? undefined : copyMigratedTemplate,
    });
    prisma = createClient(new PrismaPGlite(handle.pglite), options.onQuery);
    target = embeddedMigrationTarget(handle.pglite);
    describeHolder = (update) => handle.lock.describe(update);
    sql = async <Row>(text: string, params?: unknown[]) => (await handle.pglite.query<Row>(text, params)).rows;
    closeDriver = async () => {
      await handle.pglite.close();
      await handle.lock.release();
    };
  }

  return {
    kind,
    location,
    prisma,
    migrate: (migrations) => migrate(target, migrations),
    pendingMigrations: () => pendingMigrations(target),
    poolStats,
    sql,
    ping: async (timeoutMs = 2000) => {
      await withTimeout(prisma.$queryRawUnsafe('SELECT 1'), timeoutMs, 'The database');
    },
    describeHolder,
    close: async () => {
      // Bounded: after a connection was killed inside a transaction, @prisma/adapter-pg 6.19
      // never gets that client back and pool.end() waits forever. PostgreSQL drops the server
      // side when the process exits, so giving up on the wait loses nothing.
      await withTimeout(prisma.$disconnect(), CLOSE_TIMEOUT_MS, 'Closing the database').catch(() => undefined);
      await closeDriver();
    },
  };
}
