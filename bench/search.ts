// `npm run bench:search`: how long `customers(filter: { search })` takes right after a bulk
// import, on the embedded database and on PostgreSQL. Each database kind: a fresh migrated
// schema, N generated rows imported by importFile() (what `customer-graph import FILE` runs; its
// job refreshes the planner's statistics when it finishes), then the GraphiQL example
// ListCustomers (20 customers, totalCount, page info) asked through the gateway in process,
// sequentially, for a phone-digits term and a name term; p50 and max of the wall times.
// `npm run bench:search -- --help` lists the options.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importFile } from '../src/cli/import-file.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { createApp, mintToken } from '../src/domain/auth.ts';
import { createGateway } from '../src/gateway.ts';
import { exampleOperations } from '../src/http/graphiql-examples.ts';
import { generateProfileRows } from '../src/test-data/customers.ts';
import { writeRowsFile } from '../src/test-data/write-file.ts';
import { createPostgresDatabase, DATABASES, fmt, machine, median, packageVersion, readOptions, root, type DatabaseName } from './common.ts';

const help = `npm run bench:search -- [options]      (each option also reads BENCH_SEARCH_<NAME> from the environment)
  --rows N            generated rows imported first (default 100000; 20 % describe an earlier person)
  --requests N        searches per term, after one unmeasured (default 15)
  --phone TERM        the phone-digits term (default 1376, as the GraphiQL example)
  --name TERM         the name term (default 张伟)
  --databases LIST    embedded,postgres (default both)
  --postgres-url URL  server where a database is created and dropped (default postgresql://postgres@127.0.0.1:5432/test)
  --label TEXT        heading of this run in BENCHMARKS.md
  --output FILE       where the result is appended (default BENCHMARKS.md; "-" for none)`;

function options() {
  const { get, number, list } = readOptions(
    {
      rows: { type: 'string' },
      requests: { type: 'string' },
      phone: { type: 'string' },
      name: { type: 'string' },
      databases: { type: 'string' },
      'postgres-url': { type: 'string' },
      label: { type: 'string' },
      output: { type: 'string' },
    },
    'BENCH_SEARCH_',
    help,
  );
  return {
    rows: Math.round(number('rows', 100_000, 1)),
    requests: Math.round(number('requests', 15, 1)),
    terms: { phone: get('phone') ?? '1376', name: get('name') ?? '张伟' },
    databases: list<DatabaseName>('databases', DATABASES),
    postgresUrl: get('postgres-url') ?? 'postgresql://postgres@127.0.0.1:5432/test',
    label: get('label') ?? '',
    output: get('output') ?? 'BENCHMARKS.md',
  };
}
type Options = ReturnType<typeof options>;

const listCustomers = exampleOperations.find((o) => o.query.includes('query ListCustomers'))!.query;
const GOAL_MS = 50;

interface TermResult {
  term: string;
  matches: number;
  p50: number;
  max: number;
}

interface Measured {
  database: DatabaseName;
  version: string;
  importSeconds: number;
  customers: number;
  terms: TermResult[];
}

async function measure(name: DatabaseName, opts: Options, file: string, work: string): Promise<Measured> {
  let url: string;
  let version: string;
  let drop: () => Promise<void>;
  if (name === 'postgres') {
    ({ url, version, drop } = await createPostgresDatabase(opts.postgresUrl, 'cg_bench_search'));
  } else {
    const dir = mkdtempSync(join(work, 'pglite-'));
    url = `file:${dir}`;
    version = `PGlite ${packageVersion('@electric-sql/pglite')}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  }
  try {
    const database = await openDatabase(url, { command: 'bench:search' });
    try {
      await database.migrate();
      console.error(`[${name}] importing ${opts.rows} rows…`);
      const started = performance.now();
      const imported = await importFile(
        database.prisma,
        {
          file,
          format: 'csv',
          publicParams: { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 2 },
          chunkSize: 1000,
          errorsFile: join(work, `errors-${name}.csv`),
        },
        { start: () => undefined, update: () => undefined, stop: () => undefined },
        (line) => console.error(`[${name}] ${line}`),
      );
      const importSeconds = (performance.now() - started) / 1000;
      console.error(`[${name}] imported in ${importSeconds.toFixed(1)} s (job ${imported.status})`);
      const [{ n }] = await database.sql<{ n: number }>('SELECT count(*)::int AS n FROM "Customer"');

      // The gateway as `serve` runs it, without the rate limit (the searches are sequential anyway).
      const config = loadConfig({
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: url,
        RATE_LIMIT_REQUESTS: '0',
        IMPORT_WORKER: 'off',
      });
      const gateway = await createGateway({ config, database, logger: false });
      const app = await createApp(database.prisma, { name: 'bench-search', scopes: ['customer:read'] });
      const token = await mintToken(database.prisma, app.appKey, 3600);
      const terms: TermResult[] = [];
      try {
        for (const term of [opts.terms.phone, opts.terms.name]) {
          const ask = async () => {
            const t0 = performance.now();
            const reply = await gateway.app.inject({
              method: 'POST',
              url: '/graphql',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              payload: JSON.stringify({ query: listCustomers, operationName: 'ListCustomers', variables: { search: term } }),
            });
            const millis = performance.now() - t0;
            const body = reply.json();
            if (reply.statusCode !== 200 || body.errors) throw new Error(`search "${term}": ${reply.body.slice(0, 400)}`);
            return { millis, matches: body.data.customers.totalCount as number };
          };
          const { matches } = await ask();
          const times: number[] = [];
          for (let i = 0; i < opts.requests; i++) times.push((await ask()).millis);
          const result = { term, matches, p50: median(times), max: Math.max(...times) };
          console.error(`[${name}] "${term}": ${matches} matches, p50 ${result.p50.toFixed(1)} ms, max ${result.max.toFixed(1)} ms`);
          terms.push(result);
        }
      } finally {
        await gateway.close();
      }
      return { database: name, version, importSeconds, customers: n, terms };
    } finally {
      await database.close();
    }
  } finally {
    await drop();
  }
}

function report(opts: Options, results: Measured[], startedAt: Date, machineLine: string): string {
  return [
    `## ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC — search${opts.label ? `: ${opts.label}` : ''}`,
    '',
    `\`npm run bench:search -- --rows ${opts.rows} --requests ${opts.requests}\`: the GraphiQL example ListCustomers ` +
      `(\`customers(first: 20, filter: { search })\` with totalCount) right after importing the rows with \`importFile()\`, ` +
      `sequential requests through the gateway in process. Machine: ${machineLine}.`,
    '',
    `| database | import | customers | term | matches | p50 ms | max ms | goal p50 < ${GOAL_MS} ms |`,
    '|---|--:|--:|---|--:|--:|--:|---|',
    ...results.flatMap((r) =>
      r.terms.map(
        (t) =>
          `| ${r.database} (${r.version}) | ${fmt(r.importSeconds, 1)} s | ${fmt(r.customers)} | "${t.term}" | ${fmt(t.matches)} | ` +
          `**${fmt(t.p50, 1)}** | ${fmt(t.max, 1)} | ${t.p50 < GOAL_MS ? '✓' : '✗'} |`,
      ),
    ),
    '',
  ].join('\n');
}

async function main() {
  const opts = options();
  const startedAt = new Date();
  const machineLine = machine();
  console.error(`customer-graph bench:search: ${machineLine}`);
  const work = join(root, '.tmp/bench-search');
  mkdirSync(work, { recursive: true });
  const file = join(work, `people-${opts.rows}.csv`);
  const written = await writeRowsFile(file, 'csv', generateProfileRows({ customers: opts.rows, overlap: 0.2, seed: 1 }));
  console.error(`generated ${written} rows into ${file}`);
  const results: Measured[] = [];
  for (const name of opts.databases) results.push(await measure(name, opts, file, work));
  const text = report(opts, results, startedAt, machineLine);
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
