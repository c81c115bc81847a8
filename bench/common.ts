// What both benchmarks (`npm run bench`, `npm run bench:import`) need alike: their options
// (flags, or the environment), a throw-away PostgreSQL database, and the report's details.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import pg from 'pg';
import { postgresConfig } from '../src/db/postgres.ts';

export const root = resolve(import.meta.dirname, '..');

export type DatabaseName = 'embedded' | 'postgres';
export const DATABASES: readonly DatabaseName[] = ['embedded', 'postgres'];

/**
 * Parses the flags; each also reads `<envPrefix><NAME>` from the environment. Prints `help`
 * and exits on --help. Returns readers that name the flag in their errors.
 */
export function readOptions(flags: NonNullable<ParseArgsConfig['options']>, envPrefix: string, help: string) {
  const values: Record<string, string | boolean | undefined> = parseArgs({
    options: { ...flags, help: { type: 'boolean', short: 'h' } },
  }).values;
  if (values.help) {
    console.log(help);
    process.exit(0);
  }
  const env = (name: string) => process.env[`${envPrefix}${name.toUpperCase().replace(/-/g, '_')}`];
  const get = (name: string) => (values[name] as string | undefined) ?? env(name);
  return {
    get,
    flag: (name: string) => (values[name] as boolean | undefined) ?? env(name) === '1',
    number: (name: string, fallback: number, min: number, max = Infinity) => {
      const value = Number(get(name) ?? fallback);
      if (!Number.isFinite(value) || value < min || value > max) {
        throw new Error(`--${name} must be a number ${max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`}`);
      }
      return value;
    },
    list: <T extends string>(name: string, all: readonly T[]): T[] => {
      const items = (get(name) ?? all.join(','))
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const item of items) if (!all.includes(item as T)) throw new Error(`--${name}: unknown "${item}" (known: ${all.join(', ')})`);
      return items as T[];
    },
  };
}

/** A new database on the server of `adminUrl`, dropped (even with sessions left) by `drop`. */
export async function createPostgresDatabase(
  adminUrl: string,
  prefix: string,
): Promise<{ url: string; version: string; drop: () => Promise<void> }> {
  const admin = postgresConfig(adminUrl, 1);
  const name = `${prefix}_${Date.now().toString(36)}_${process.pid}`;
  const client = new pg.Client(admin);
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    version: `PostgreSQL ${rows[0].server_version}`,
    drop: async () => {
      const c = new pg.Client(admin);
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const packageVersion = (name: string) =>
  JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version as string;

/** The machine, for the report: absolute numbers depend on it and on its load. */
export function machine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
  return (
    `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
    `${os.type()} ${os.release()}, Node ${process.version}; load average at start ${load}`
  );
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The median of `values`, NaNs left out (NaN when none is left). */
export function median(values: number[]): number {
  const sorted = [...values].filter((v) => !Number.isNaN(v)).sort((x, y) => x - y);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
