// `npm run bench:import`: how fast a file import is, against a raw batched-insert baseline of
// the same rows, on the embedded database (a fresh PGlite directory) and on PostgreSQL (a fresh
// database). Each database kind runs, in this order, on fresh migrated schemas:
//   baseline  the file read with the same parser, people told apart in memory, and per chunk
//             one transaction of multi-row INSERTs (customers, identities) and one multi-row
//             UPDATE (rows of people seen before), straight through pg / PGlite;
//   copy      (PostgreSQL) the same as the baseline, but the new customers and identities of
//             each chunk written with COPY FROM STDIN (pg-copy-streams): the COPY floor;
//   engine    importFile(), the function `customer-graph import FILE` runs (same options).
// Before its rounds, each database runs all three on 2,000 other rows, unreported (a warm-up).
// The result (rows/s, engine ÷ baseline) is printed as markdown and appended to BENCHMARKS.md.
// `npm run bench:import -- --help` lists the options.
import { mkdirSync, rmSync, writeFileSync, appendFileSync, existsSync, mkdtempSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { importFile } from '../src/cli/import-file.ts';
import { lineProgress } from '../src/cli/progress.ts';
import { readRows } from '../src/cli/row-files.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { postgresConfig } from '../src/db/postgres.ts';
import { generateProfileRows } from '../src/test-data/customers.ts';
import { writeRowsFile } from '../src/test-data/write-file.ts';
import { createPostgresDatabase, DATABASES, fmt, machine, median, packageVersion, readOptions, root, type DatabaseName } from './common.ts';

const help = `npm run bench:import -- [options]      (each option also reads BENCH_IMPORT_<NAME> from the environment)
  --rows N            generated rows (default 100000)
  --overlap SHARE     share of rows describing a person of an earlier row (default 0.2)
  --seed N            generator seed (default 1)
  --chunk-size N      rows per transaction, both targets (default 1000)
  --rounds N          rounds per database, each baseline, COPY, engine on fresh databases; the table gives
                      each round and the median of the ratios (default 1; this machine's noise is ±15–40 %)
  --databases LIST    embedded,postgres (default both)
  --postgres-url URL  server where a database is created and dropped (default postgresql://postgres@127.0.0.1:5432/test)
  --profile-only      rows without tags and custom fields: the engine then writes what the floors write
                      (customers and identities), where by default it also writes tags and custom-field values
  --label TEXT        heading of this run in BENCHMARKS.md
  --output FILE       where the result is appended (default BENCHMARKS.md; "-" for none)
  --cpu-prof          profile the engine run: .tmp/bench-import/engine-DB.cpuprofile (summarise: npx tsx bench/profile.ts FILE)`;

function options() {
  const { get, flag, number, list } = readOptions(
    {
      rows: { type: 'string' },
      overlap: { type: 'string' },
      seed: { type: 'string' },
      'chunk-size': { type: 'string' },
      rounds: { type: 'string' },
      databases: { type: 'string' },
      'postgres-url': { type: 'string' },
      label: { type: 'string' },
      output: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'profile-only': { type: 'boolean' },
    },
    'BENCH_IMPORT_',
    help,
  );
  return {
    rows: Math.round(number('rows', 100_000, 1)),
    overlap: number('overlap', 0.2, 0, 0.9),
    seed: Math.round(number('seed', 1, 0)),
    chunkSize: Math.round(number('chunk-size', 1000, 1)),
    rounds: Math.round(number('rounds', 1, 1, 50)),
    databases: list<DatabaseName>('databases', DATABASES),
    postgresUrl: get('postgres-url') ?? 'postgresql://postgres@127.0.0.1:5432/test',
    label: get('label') ?? '',
    output: get('output') ?? 'BENCHMARKS.md',
    cpuProf: flag('cpu-prof'),
    profileOnly: flag('profile-only'),
  };
}
type Options = ReturnType<typeof options>;

/** Rows of the unreported warm-up run before each database's rounds. */
const WARM_UP_ROWS = 2000;

// ---------------------------------------------------------------- fresh databases

interface Fresh {
  url: string;
  version: string;
  drop(): Promise<void>;
}

async function freshDatabase(name: DatabaseName, opts: Options, work: string): Promise<Fresh> {
  if (name === 'postgres') return createPostgresDatabase(opts.postgresUrl, 'cg_bench_import');
  const dir = mkdtempSync(join(work, 'pglite-'));
  return {
    url: `file:${dir}`,
    version: `PGlite ${packageVersion('@electric-sql/pglite')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresReachable(url: string): Promise<string | null> {
  const client = new pg.Client({ ...postgresConfig(url, 1), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

// ---------------------------------------------------------------- baseline

interface SqlSession {
  query: (text: string, params?: unknown[]) => Promise<unknown>;
  /** COPY … FROM STDIN of `csv` (PostgreSQL only). */
  copy?: (statement: string, csv: string) => Promise<void>;
  close: () => Promise<void>;
}

/** One session: PGlite has one; on PostgreSQL a dedicated client, so BEGIN … COMMIT holds. */
async function session(database: Database, url: string): Promise<SqlSession> {
  if (database.kind === 'embedded') return { query: (text, params) => database.sql(text, params), close: async () => undefined };
  const client = new pg.Client(postgresConfig(url, 1));
  await client.connect();
  return {
    query: (text, params) => client.query(text, params as unknown[]),
    copy: (statement, csv) => pipeline(Readable.from([csv]), client.query(copyFrom(statement))),
    close: () => client.end(),
  };
}

/** One CSV line for COPY (FORMAT csv): null unquoted (NULL), every value quoted. */
const csvLine = (values: unknown[]) =>
  `${values.map((v) => (v === null || v === undefined ? '' : `"${String(v).replace(/"/g, '""')}"`)).join(',')}\n`;

const IDENTITY_COLUMNS = ['phone', 'unionid', 'openid'] as const;

/**
 * The floor for this work: customers and their identities written with multi-row statements,
 * people told apart by a Map in memory (no lookups), one transaction per chunk.
 */
async function baseline(
  database: Database,
  url: string,
  file: string,
  chunkSize: number,
  useCopy = false,
): Promise<{ millis: number; customers: number }> {
  const started = performance.now();
  const db = await session(database, url);
  if (useCopy && !db.copy) throw new Error('the COPY baseline runs on PostgreSQL only');
  const personOf = new Map<string, number>();
  let nextId = 1;
  let chunk: Record<string, string>[] = [];
  const flush = async () => {
    const customers: unknown[] = [];
    const identities: unknown[] = [];
    const updates: unknown[] = [];
    for (const row of chunk) {
      const keys: [string, string][] = IDENTITY_COLUMNS.filter((c) => row[c]).map((c) => [c, row[c]]);
      if (row.identityType && row.identityId) keys.push([row.identityType, row.identityId]);
      let id = keys.map(([t, v]) => personOf.get(`${t}:${v}`)).find((x) => x !== undefined);
      const fields = [
        row.realName || null,
        row.sex === '男' ? 1 : row.sex === '女' ? 2 : 0,
        row.birthday || null,
        row.address || null,
        row.phone || null,
      ];
      if (id === undefined) {
        id = nextId++;
        customers.push(id, ...fields);
      } else updates.push(id, ...fields);
      for (const [t, v] of keys) {
        if (personOf.has(`${t}:${v}`)) continue;
        personOf.set(`${t}:${v}`, id);
        identities.push(t, v, id);
      }
    }
    const tuples = (values: unknown[], width: number, types: string[] = []) =>
      Array.from(
        { length: values.length / width },
        (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}${types[c] ?? ''}`).join(',')})`,
      ).join(',');
    await db.query('BEGIN');
    if (useCopy) {
      const lines = (values: unknown[], width: number) =>
        Array.from({ length: values.length / width }, (_, r) => csvLine(values.slice(r * width, r * width + width))).join('');
      const now = new Date().toISOString();
      const withNow = Array.from({ length: customers.length / 6 }, (_, r) => [...customers.slice(r * 6, r * 6 + 6), now]).flat();
      if (customers.length)
        await db.copy!(
          'COPY "Customer" (id, "realName", gender, birthday, address, mobile, "updatedAt") FROM STDIN WITH (FORMAT csv)',
          lines(withNow, 7),
        );
      if (identities.length)
        await db.copy!('COPY "Identity" (type, value, "customerId") FROM STDIN WITH (FORMAT csv)', lines(identities, 3));
    } else {
      if (customers.length) {
        await db.query(
          `INSERT INTO "Customer" (id, "realName", gender, birthday, address, mobile, "updatedAt") SELECT v.*, now() FROM (VALUES ${tuples(customers, 6, ['::int', '', '::int'])}) AS v`,
          customers,
        );
      }
      if (identities.length)
        await db.query(`INSERT INTO "Identity" (type, value, "customerId") VALUES ${tuples(identities, 3, ['', '', '::int'])}`, identities);
    }
    if (updates.length) {
      await db.query(
        `UPDATE "Customer" c SET "realName" = COALESCE(v.n, c."realName"), gender = v.g, birthday = COALESCE(v.b, c.birthday),
                address = COALESCE(v.a, c.address), mobile = COALESCE(v.m, c.mobile), "updatedAt" = now()
           FROM (VALUES ${tuples(updates, 6, ['::int', '', '::int'])}) AS v(id, n, g, b, a, m) WHERE c.id = v.id`,
        updates,
      );
    }
    await db.query('COMMIT');
    chunk = [];
  };
  try {
    for await (const { value } of readRows(file, 'csv')) {
      chunk.push(value as Record<string, string>);
      if (chunk.length >= chunkSize) await flush();
    }
    await flush();
    await db.query(`SELECT setval(pg_get_serial_sequence('"Customer"', 'id'), ${nextId})`);
  } finally {
    await db.close();
  }
  return { millis: performance.now() - started, customers: nextId - 1 };
}

// ---------------------------------------------------------------- one database kind

interface Measured {
  database: DatabaseName;
  version: string;
  baselineRps: number;
  /** The COPY floor (PostgreSQL only). */
  copyRps?: number;
  copyCustomers?: number;
  engineRps: number;
  baselineSeconds: number;
  engineSeconds: number;
  status: string;
  failed: number;
  customers: number;
  baselineCustomers: number;
}

async function live(database: Database): Promise<number> {
  const [{ n }] = await database.sql<{ n: number }>(
    'SELECT count(*)::int AS n FROM "Customer" WHERE "mergedIntoId" IS NULL AND "deletedAt" IS NULL',
  );
  return n;
}

async function measure(name: DatabaseName, opts: Options, file: string, work: string): Promise<Measured> {
  // Baseline first, then the engine, each on its own fresh schema.
  const a = await freshDatabase(name, opts, work);
  let base: { millis: number; customers: number };
  try {
    const database = await openDatabase(a.url, { command: 'bench:import baseline' });
    try {
      await database.migrate();
      console.error(`[${name}] baseline: ${opts.rows} rows…`);
      base = await baseline(database, a.url, file, opts.chunkSize);
    } finally {
      await database.close();
    }
  } finally {
    await a.drop();
  }
  console.error(`[${name}] baseline: ${(base.millis / 1000).toFixed(1)} s, ${Math.round((opts.rows / base.millis) * 1000)} rows/s`);

  // The COPY floor (PostgreSQL): the same work, its inserts as COPY FROM STDIN.
  let copied: { millis: number; customers: number } | undefined;
  if (name === 'postgres') {
    const c = await freshDatabase(name, opts, work);
    try {
      const database = await openDatabase(c.url, { command: 'bench:import copy' });
      try {
        await database.migrate();
        console.error(`[${name}] COPY: ${opts.rows} rows…`);
        copied = await baseline(database, c.url, file, opts.chunkSize, true);
      } finally {
        await database.close();
      }
    } finally {
      await c.drop();
    }
    console.error(`[${name}] COPY: ${(copied.millis / 1000).toFixed(1)} s, ${Math.round((opts.rows / copied.millis) * 1000)} rows/s`);
  }

  const b = await freshDatabase(name, opts, work);
  try {
    const database = await openDatabase(b.url, { command: 'bench:import engine' });
    try {
      await database.migrate();
      console.error(`[${name}] engine: ${opts.rows} rows…`);
      let profiler: Session | undefined;
      if (opts.cpuProf) {
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
      }
      const started = performance.now();
      const result = await importFile(
        database.prisma,
        {
          file,
          format: 'csv',
          publicParams: { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 2 },
          chunkSize: opts.chunkSize,
          errorsFile: join(work, `engine-${name}.errors.csv`),
        },
        lineProgress((line) => console.error(`[${name}] ${line}`), 10_000),
        (line) => console.error(`[${name}] ${line}`),
      );
      const millis = performance.now() - started;
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        const out = join(root, '.tmp/bench-import', `engine-${name}.cpuprofile`);
        writeFileSync(out, JSON.stringify(profile));
        console.error(`[${name}] CPU profile: ${out}`);
        profiler.disconnect();
      }
      console.error(
        `[${name}] engine: ${(millis / 1000).toFixed(1)} s, ${Math.round((opts.rows / millis) * 1000)} rows/s, job ${result.status}`,
      );
      return {
        database: name,
        version: b.version,
        baselineRps: (opts.rows / base.millis) * 1000,
        copyRps: copied ? (opts.rows / copied.millis) * 1000 : undefined,
        copyCustomers: copied?.customers,
        engineRps: (opts.rows / millis) * 1000,
        baselineSeconds: base.millis / 1000,
        engineSeconds: millis / 1000,
        status: result.status,
        failed: result.failed,
        customers: await live(database),
        baselineCustomers: base.customers,
      };
    } finally {
      await database.close();
    }
  } finally {
    await b.drop();
  }
}

// ---------------------------------------------------------------- report

/** The medians of a database's rounds: each ratio is taken within its round, then the median of those. */
function medianRow(rounds: Measured[]): string {
  const rps = (pick: (r: Measured) => number | undefined) => {
    const values = rounds.map(pick).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : undefined;
  };
  const ratio = rps((r) => r.engineRps / r.baselineRps)!;
  const copyRatio = rps((r) => (r.copyRps ? r.engineRps / r.copyRps : undefined));
  const copy = rps((r) => r.copyRps);
  const goal = (copyRatio ?? ratio) >= 0.5 ? '✓' : '✗';
  return (
    `| **${rounds[0].database}, median of ${rounds.length} rounds** | ${fmt(rps((r) => r.baselineRps)!)} | ${copy ? fmt(copy) : '—'} | ${fmt(rps((r) => r.engineRps)!)} | ` +
    `**${ratio.toFixed(3)}** | ${copyRatio ? `**${copyRatio.toFixed(3)}**` : '—'} | ${goal} | — | | |`
  );
}

function report(opts: Options, results: Measured[], skipped: string[], startedAt: Date, machineLine: string): string {
  const lines = [
    `## ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC — imports${opts.label ? `: ${opts.label}` : ''}`,
    '',
    `\`npm run bench:import -- --rows ${opts.rows} --overlap ${opts.overlap} --seed ${opts.seed} --chunk-size ${opts.chunkSize}${opts.rounds > 1 ? ` --rounds ${opts.rounds}` : ''}${opts.profileOnly ? ' --profile-only' : ''}\`${opts.profileOnly ? ' (rows without tags and custom fields: the engine writes what the floors write)' : ''}, after an unreported warm-up of ${Math.min(opts.rows, WARM_UP_ROWS)} rows. Machine: ${machineLine}.`,
    '',
    '| database | baseline rows/s | COPY rows/s | engine rows/s | engine ÷ baseline | engine ÷ COPY | goal ≥ 0.50 (÷ COPY on PostgreSQL) | goal ≥ 20,000 rows/s (embedded) | engine job | customers (engine / baseline / COPY) |',
    '|---|--:|--:|--:|--:|--:|---|---|---|---|',
    ...results.flatMap((r, i) => {
      const ratio = r.engineRps / r.baselineRps;
      const copyRatio = r.copyRps ? r.engineRps / r.copyRps : undefined;
      const goalRatio = copyRatio ?? ratio;
      const round = opts.rounds > 1 ? `, round ${results.filter((o, j) => j <= i && o.database === r.database).length}` : '';
      const row =
        `| ${r.database}${round} (${r.version}) | ${fmt(r.baselineRps)} (${fmt(r.baselineSeconds, 1)} s) | ${r.copyRps ? fmt(r.copyRps) : '—'} | ${fmt(r.engineRps)} (${fmt(r.engineSeconds, 1)} s) | ` +
        `**${ratio.toFixed(3)}** | ${copyRatio ? `**${copyRatio.toFixed(3)}**` : '—'} | ${goalRatio >= 0.5 ? '✓' : '✗'} | ` +
        `${r.database === 'embedded' ? (r.engineRps >= 20_000 ? '✓' : '✗') : '—'} | ${r.status}${r.failed ? `, ${r.failed} failed` : ''} | ` +
        `${fmt(r.customers)} / ${fmt(r.baselineCustomers)}${r.copyCustomers !== undefined ? ` / ${fmt(r.copyCustomers)}` : ''} |`;
      const lastOfDatabase = !results.slice(i + 1).some((o) => o.database === r.database);
      return opts.rounds > 1 && lastOfDatabase ? [row, medianRow(results.filter((o) => o.database === r.database))] : [row];
    }),
    ...skipped.map((s) => `\n${s}`),
    '',
  ];
  return lines.join('\n');
}

async function main() {
  const opts = options();
  const startedAt = new Date();
  const machineLine = machine();
  console.error(`customer-graph bench:import: ${machineLine}`);
  const work = join(root, '.tmp/bench-import');
  mkdirSync(work, { recursive: true });
  const file = join(work, `people-${opts.rows}-${opts.seed}${opts.profileOnly ? '-profile-only' : ''}.csv`);
  const rows = generateProfileRows({ customers: opts.rows, overlap: opts.overlap, seed: opts.seed, extras: !opts.profileOnly });
  const written = await writeRowsFile(file, 'csv', rows);
  console.error(`generated ${written} rows into ${file}`);
  const warmUpRows = Math.min(opts.rows, WARM_UP_ROWS);
  const warmUp = { rows: warmUpRows, file: join(work, `warm-up-${warmUpRows}.csv`) };
  await writeRowsFile(
    warmUp.file,
    'csv',
    generateProfileRows({ customers: warmUp.rows, overlap: opts.overlap, seed: opts.seed + 1, extras: !opts.profileOnly }),
  );
  const results: Measured[] = [];
  const skipped: string[] = [];
  for (const name of opts.databases) {
    if (name === 'postgres') {
      const problem = await postgresReachable(opts.postgresUrl);
      if (problem) {
        const message = `PostgreSQL skipped: ${opts.postgresUrl.replace(/\/\/[^@]*@/, '//')} is unreachable (${problem}).`;
        console.error(message);
        skipped.push(message);
        continue;
      }
    }
    // Unreported: the first use of PGlite in a process runs its WebAssembly unoptimised for a
    // few seconds (the baseline, measured first, took 3.5 s cold and 2.5 s warm at 20,000 rows).
    console.error(`[${name}] warm-up: ${warmUp.rows} rows, not reported`);
    await measure(name, { ...opts, rows: warmUp.rows }, warmUp.file, work);
    for (let round = 1; round <= opts.rounds; round++) {
      if (opts.rounds > 1) console.error(`[${name}] round ${round} of ${opts.rounds}`);
      results.push(await measure(name, opts, file, work));
    }
  }
  const text = report(opts, results, skipped, startedAt, machineLine);
  console.log(`\n${text}`);
  if (opts.output !== '-') {
    const out = resolve(root, opts.output);
    if (!existsSync(out)) writeFileSync(out, '# Benchmarks\n');
    appendFileSync(out, `\n${text}`);
    console.error(`Appended to ${out}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
