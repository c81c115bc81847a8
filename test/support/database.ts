// A fresh, migrated database for one test file: a copy of the embedded template, or a new
// PostgreSQL database cloned from the template when TEST_DATABASE_URL is set.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database, type OpenOptions } from '../../src/db/database.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { postgresConfig } from '../../src/db/postgres.ts';

let counter = 0;

export interface TestDatabase {
  database: Database;
  /** The DATABASE_URL of this database, for child processes (after close()). */
  url: string;
  /** Closes the connection; the data stays until drop(). */
  close(): Promise<void>;
  drop(): Promise<void>;
}

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

/** A new database's URL, not yet opened (for tests that start processes on it). */
export async function freshDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `cg_${inject('runId')}_${process.pid}_${++counter}`;
  if (usingPostgres) {
    const admin = postgresConfig(process.env.TEST_DATABASE_URL!, 1);
    const client = new pg.Client(admin);
    await client.connect();
    // Clones of one template cannot start at the same moment: retry while it is busy.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${inject('postgresTemplate')}`);
        break;
      } catch (error) {
        if (attempt > 40 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
    await client.end();
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      drop: async () => {
        const c = new pg.Client(admin);
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = join(mkdtempSync(join(tmpdir(), 'cg-test-')), 'db');
  cpSync(inject('embeddedTemplate'), dir, { recursive: true });
  return { url: `file:${dir}`, drop: async () => rmSync(join(dir, '..'), { recursive: true, force: true }) };
}

export async function freshDatabase(options: Partial<OpenOptions> = {}): Promise<TestDatabase> {
  const { url, drop } = await freshDatabaseUrl();
  const database = await openDatabase(url, { command: 'test', ...options });
  let closed = false;
  const close = async () => {
    if (!closed) await database.close();
    closed = true;
  };
  return {
    database,
    url,
    close,
    drop: async () => {
      await close();
      await drop();
    },
  };
}

/** Every row of every table as text (to_jsonb of each row), both databases alike: where a personal value could hide. */
export async function everyRowAsText(prisma: Pick<PrismaClient, '$queryRawUnsafe'>): Promise<string> {
  const tables = await prisma.$queryRawUnsafe<{ name: string }[]>(
    `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const dumps: string[] = [];
  for (const { name } of tables) {
    const rows = await prisma.$queryRawUnsafe<{ dump: string | null }[]>(
      `SELECT string_agg(to_jsonb(x)::text, E'\\n') AS dump FROM "${name}" x`,
    );
    dumps.push(rows[0]?.dump ?? '');
  }
  return dumps.join('\n');
}
