// `npm run bench`: the GraphQL gateway against a hand-written raw-SQL server on the same
// HTTP stack, on a freshly seeded embedded database and on PostgreSQL. The servers run in
// their own process (bench/server.ts); autocannon drives them from this one, over loopback.
// Every comparison is a ratio of two targets measured back to back, A B A B…, in this run;
// the result is appended to BENCHMARKS.md. `npm run bench -- --help` lists the options.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { createPostgresDatabase, DATABASES, fmt, machine, packageVersion, readOptions, root, type DatabaseName } from './common.ts';
import { ceilingQuery, customerInfoOperation, nestedQuery, pointQuery } from './operations.ts';
import { phoneOf } from './seed.ts';
import type { ReadyMessage, StatementCounts } from './server.ts';

const SCENARIOS = ['nested', 'point', 'rest', 'ceiling'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const help = `npm run bench -- [options]          (each option also reads BENCH_<NAME> from the environment)
  --duration S        seconds of load per target per round (default 5)
  --warmup S          seconds of unmeasured load per target before the first round (default 2)
  --rounds N          rounds of A B per scenario; the median ratio is reported (default 3)
  --connections N     concurrent connections autocannon keeps open (default 8)
  --customers N       generated customers (default 10000)
  --databases LIST    embedded,postgres (default both)
  --postgres-url URL  server where a database is created and dropped (default postgresql://postgres@127.0.0.1:5432/test)
  --scenarios LIST    ${SCENARIOS.join(',')} (default all)
  --label TEXT        heading of this run in BENCHMARKS.md
  --output FILE       where the results are appended (default BENCHMARKS.md; "-" for none)
  --cpu-prof          profile the server during the first round of each target: .tmp/bench/profiles/DB-SCENARIO-TARGET.cpuprofile
                      (summarise one with: npx tsx bench/profile.ts FILE)`;

function options() {
  const { get, flag, number, list } = readOptions(
    {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      customers: { type: 'string' },
      databases: { type: 'string' },
      'postgres-url': { type: 'string' },
      scenarios: { type: 'string' },
      label: { type: 'string' },
      output: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
    },
    'BENCH_',
    help,
  );
  return {
    duration: number('duration', 5, 1),
    warmup: number('warmup', 2, 0),
    rounds: number('rounds', 3, 1),
    connections: number('connections', 8, 1),
    customers: number('customers', 10_000, 100),
    databases: list<DatabaseName>('databases', DATABASES),
    postgresUrl: get('postgres-url') ?? 'postgresql://postgres@127.0.0.1:5432/test',
    scenarios: list<ScenarioName>('scenarios', SCENARIOS),
    label: get('label') ?? '',
    output: get('output') ?? 'BENCHMARKS.md',
    cpuProf: flag('cpu-prof'),
  };
}
type Options = ReturnType<typeof options>;

// ---------------------------------------------------------------- server process

interface Server {
  ready: ReadyMessage;
  /** Profiles the server's CPU until the returned function is called; writes `file`. */
  profile(file: string): Promise<() => Promise<void>>;
  /** CPU time (µs) the server process has used so far. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>, execArgv: string[] = []): Promise<Server> {
  const child: ChildProcess = fork(join(root, 'bench/server.ts'), [], {
    cwd: root,
    execArgv: ['--import', 'tsx', ...execArgv],
    // As a production deployment runs: graphql-js, for one, checks NODE_ENV when it loads.
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = await new Promise<ReadyMessage>((resolveReady, reject) => {
    child.on('message', (message: ReadyMessage) => message.type === 'ready' && resolveReady(message));
    void exited.then((code) => reject(new Error(`the bench server exited with code ${code} before it was ready`)));
  });
  let nextId = 0;
  const ask = <T>(message: object) =>
    new Promise<T>((resolveAsk) => {
      const id = nextId++;
      const onMessage = (reply: { id?: number; result: T }) => {
        if (reply.id !== id) return;
        child.off('message', onMessage);
        resolveAsk(reply.result);
      };
      child.on('message', onMessage);
      child.send({ ...message, id });
    });
  return {
    ready,
    profile: async (file) => {
      await ask({ type: 'profile-start' });
      return () => ask({ type: 'profile-stop', file });
    },
    cpu: async () => (await ask<{ micros: number }>({ type: 'cpu' })).micros,
    stop: async () => {
      if (child.exitCode === null) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------- HTTP

interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

async function call(base: string, token: string, request: Call): Promise<{ status: number; json: any }> {
  const response = await fetch(base + request.path, {
    method: request.method,
    headers: { authorization: `Bearer ${token}`, ...(request.body ? { 'content-type': 'application/json' } : {}) },
    body: request.body,
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) };
}

interface Target {
  name: string;
  base: string;
  /** The n-th request (n = 0, 1, …); both targets of a scenario get the same sequence. */
  request(n: number): Call;
}

const graphqlCall = (query: string, variables: (n: number) => Record<string, unknown>) => (n: number): Call => ({
  method: 'POST',
  path: '/graphql',
  body: JSON.stringify({ query, variables: variables(n) }),
});
const postCall = (path: string, body: (n: number) => Record<string, unknown>) => (n: number): Call => ({
  method: 'POST',
  path,
  body: JSON.stringify(body(n)),
});

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of the server process per request, µs (on PostgreSQL, without the database's own). */
  cpu: number;
}

async function load(target: Target, server: Server, seconds: number, connections: number): Promise<Sample> {
  const token = server.ready.token;
  let n = 0;
  const cpuBefore = await server.cpu();
  const result = await autocannon({
    url: target.base,
    connections,
    duration: seconds,
    timeout: 30,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, ...target.request(n++) }) }],
  });
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(
      `${target.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers ` +
        `(status codes: ${JSON.stringify(result.statusCodeStats)})`,
    );
  }
  const cpu = (await server.cpu()) - cpuBefore;
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpu: cpu / result.requests.total,
  };
}

// ---------------------------------------------------------------- scenarios

interface Scenario {
  name: ScenarioName;
  title: string;
  a: Target;
  b: Target;
  /** What A/B should be, as text, and whether a ratio meets it. */
  goal?: { text: string; met(ratio: number): boolean; show?(ratio: number): string };
}

function scenarios(ready: ReadyMessage, customers: number): Record<ScenarioName, Scenario> {
  // A spread of customers, the same for both targets of a scenario.
  const customerAt = (n: number) => 1 + ((n * 7919) % customers);
  return {
    nested: {
      name: 'nested',
      title: 'Nested: 20 customers, identities, groups, 5 friends each with identities',
      a: { name: 'GraphQL', base: ready.gateway, request: graphqlCall(nestedQuery, () => ({ first: 20 })) },
      b: { name: 'raw SQL', base: ready.raw, request: postCall('/raw/customers', () => ({ first: 20 })) },
      goal: { text: '≥ 0.80', met: (r) => r >= 0.8 },
    },
    point: {
      name: 'point',
      title: 'Point lookup: customerByIdentity(phone) with identities',
      a: {
        name: 'GraphQL',
        base: ready.gateway,
        request: graphqlCall(pointQuery, (n) => ({ type: 'phone', value: phoneOf(customerAt(n)) })),
      },
      b: {
        name: 'raw SQL',
        base: ready.raw,
        request: postCall('/raw/customer-by-identity', (n) => ({ type: 'phone', value: phoneOf(customerAt(n)) })),
      },
      goal: { text: '≥ 0.80', met: (r) => r >= 0.8 },
    },
    rest: {
      name: 'rest',
      title: 'REST shim: GET /openapi/customer/customerInfo vs the same operation on POST /graphql',
      a: {
        name: 'REST shim',
        base: ready.gateway,
        request: (n) => ({ method: 'GET', path: `/openapi/customer/customerInfo?customerId=${customerAt(n)}` }),
      },
      b: {
        name: 'GraphQL',
        base: ready.gateway,
        request: graphqlCall(customerInfoOperation, (n) => ({ id: String(customerAt(n)) })),
      },
      goal: { text: 'overhead ≤ 10%', met: (r) => r >= 0.9, show: (r) => `overhead ${((1 - r) * 100).toFixed(1)}%` },
    },
    ceiling: {
      name: 'ceiling',
      title: 'Server ceiling: yoga answering { __typename } vs fastify answering the same bytes',
      a: { name: 'GraphQL', base: ready.gateway, request: graphqlCall(ceilingQuery, () => ({})) },
      b: { name: 'fastify', base: ready.raw, request: postCall('/raw/ping', () => ({})) },
    },
  };
}

/** Both targets answer the same JSON (the REST shim: the same customer) before any load. */
async function verify(scenario: Scenario, token: string): Promise<void> {
  for (const n of [0, 1, 2]) {
    const [a, b] = await Promise.all([call(scenario.a.base, token, scenario.a.request(n)), call(scenario.b.base, token, scenario.b.request(n))]);
    if (a.status !== 200 || b.status !== 200) {
      throw new Error(`${scenario.name}: HTTP ${a.status} / ${b.status}: ${JSON.stringify(a.json).slice(0, 300)} ${JSON.stringify(b.json).slice(0, 300)}`);
    }
    if (a.json.errors || b.json.errors) throw new Error(`${scenario.name}: ${JSON.stringify(a.json.errors ?? b.json.errors)}`);
    const same =
      scenario.name === 'rest'
        ? a.json.code === 0 && a.json.data?.id === b.json.data?.customer?.customerId
        : isDeepStrictEqual(a.json, b.json);
    if (!same) {
      throw new Error(
        `${scenario.name}: ${scenario.a.name} and ${scenario.b.name} answer differently:\n` +
          `${JSON.stringify(a.json).slice(0, 600)}\n${JSON.stringify(b.json).slice(0, 600)}`,
      );
    }
  }
}

interface ScenarioResult {
  scenario: Scenario;
  a: Sample[];
  b: Sample[];
  ratios: number[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Where measure() writes the CPU profile of a target (--cpu-prof), or nothing. */
type Profiler = ((scenario: Scenario, target: Target) => Promise<() => Promise<void>>) | undefined;

async function measure(scenario: Scenario, server: Server, opts: Options, profiler: Profiler): Promise<ScenarioResult> {
  const say = (text: string) => process.stdout.write(text);
  say(`  ${scenario.name}: warm-up`);
  if (opts.warmup > 0) {
    await load(scenario.a, server, opts.warmup, opts.connections);
    await load(scenario.b, server, opts.warmup, opts.connections);
  }
  const result: ScenarioResult = { scenario, a: [], b: [], ratios: [] };
  const measured = async (target: Target, round: number) => {
    // The first round of each target is profiled, when asked.
    const stop = round === 0 ? await profiler?.(scenario, target) : undefined;
    const sample = await load(target, server, opts.duration, opts.connections);
    await stop?.();
    return sample;
  };
  for (let round = 0; round < opts.rounds; round++) {
    const a = await measured(scenario.a, round);
    const b = await measured(scenario.b, round);
    result.a.push(a);
    result.b.push(b);
    result.ratios.push(a.rps / b.rps);
    say(` | ${a.rps.toFixed(0)} / ${b.rps.toFixed(0)} req/s = ${(a.rps / b.rps).toFixed(2)} (CPU ${(a.cpu / 1000).toFixed(2)} / ${(b.cpu / 1000).toFixed(2)} ms)`);
  }
  say(` → median ${median(result.ratios).toFixed(2)}\n`);
  return result;
}

// ---------------------------------------------------------------- statement counts

interface StatementReport {
  nested: Record<number, number>;
  point: number;
  customerInfo: number;
}

async function countStatements(ready: ReadyMessage, customers: number): Promise<StatementReport> {
  const counts = async () => (await (await fetch(`${ready.raw}/__bench/statements`)).json()) as StatementCounts;
  const statementsOf = async (request: Call, base = ready.gateway) => {
    await call(ready.gateway, ready.token, graphqlCall(ceilingQuery, () => ({}))(0)); // token cached outside the count
    const before = await counts();
    const reply = await call(base, ready.token, request);
    if (reply.status !== 200 || reply.json.errors) throw new Error(`statement count: ${JSON.stringify(reply.json).slice(0, 400)}`);
    return (await counts()).prisma - before.prisma;
  };
  const nested: Record<number, number> = {};
  for (const first of [1, 20, 100]) nested[first] = await statementsOf(graphqlCall(nestedQuery, () => ({ first }))(0));
  const someone = Math.ceil(customers / 2);
  return {
    nested,
    point: await statementsOf(graphqlCall(pointQuery, () => ({ type: 'phone', value: phoneOf(someone) }))(0)),
    customerInfo: await statementsOf({ method: 'GET', path: `/openapi/customer/customerInfo?customerId=${someone}` }),
  };
}

// ---------------------------------------------------------------- databases

interface DatabaseRun {
  name: DatabaseName;
  version: string;
  seeded: ReadyMessage['seeded'];
  statements: StatementReport;
  results: ScenarioResult[];
}

async function runDatabase(name: DatabaseName, opts: Options, cleanups: (() => Promise<void>)[]): Promise<DatabaseRun> {
  const work = join(root, '.tmp/bench', `${name}-${Date.now().toString(36)}`);
  mkdirSync(work, { recursive: true });
  let url: string;
  let version: string;
  let drop: () => Promise<void>;
  if (name === 'postgres') {
    const created = await createPostgresDatabase(opts.postgresUrl, 'cg_bench');
    ({ url, version } = created);
    drop = async () => {
      await created.drop();
      rmSync(work, { recursive: true, force: true });
    };
  } else {
    url = `file:${join(work, 'db')}`;
    version = `PGlite ${packageVersion('@electric-sql/pglite')}`;
    drop = async () => rmSync(work, { recursive: true, force: true });
  }
  cleanups.push(drop);
  const env = { DATABASE_URL: url, BENCH_LOG_FILE: join(work, 'server.log') };

  console.log(`\n${name} (${version}): seeding ${opts.customers} customers…`);
  // Phase 1: seed, and count statements with Prisma's query events on (they cost time, so
  // the load phase runs in a second server without them).
  const counting = await startServer({ ...env, BENCH_SEED: String(opts.customers), BENCH_COUNT_STATEMENTS: '1' });
  const { seeded } = counting.ready;
  console.log(`  seeded in ${((seeded?.millis ?? 0) / 1000).toFixed(1)} s: ${JSON.stringify(seeded?.rows)}`);
  let statements: StatementReport;
  try {
    statements = await countStatements(counting.ready, opts.customers);
  } finally {
    await counting.stop();
  }
  console.log(`  statements per request: nested ${JSON.stringify(statements.nested)}, point ${statements.point}, customerInfo ${statements.customerInfo}`);

  // Phase 2: load.
  const profileDir = join(root, '.tmp/bench/profiles');
  const server = await startServer(env);
  const profiler: Profiler = opts.cpuProf
    ? (scenario, target) => {
        mkdirSync(profileDir, { recursive: true });
        return server.profile(join(profileDir, `${name}-${scenario.name}-${target.name.replace(/\W+/g, '-')}.cpuprofile`));
      }
    : undefined;
  const results: ScenarioResult[] = [];
  try {
    const all = scenarios(server.ready, opts.customers);
    for (const scenarioName of opts.scenarios) await verify(all[scenarioName], server.ready.token);
    for (const scenarioName of opts.scenarios) results.push(await measure(all[scenarioName], server, opts, profiler));
  } finally {
    await server.stop();
  }
  if (opts.cpuProf) console.log(`  CPU profiles (first round of each target) written to ${profileDir}`);
  return { name, version, seeded, statements, results };
}

// ---------------------------------------------------------------- report

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function report(opts: Options, runs: DatabaseRun[], startedAt: Date, machineLine: string): string {
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'src', 'bench', 'prisma']) ? ' + uncommitted changes' : '';
  const lines = [
    `## ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC${opts.label ? ` — ${opts.label}` : ""}${opts.cpuProf ? " (CPU-profiled: first rounds skewed)" : ""}`,
    '',
    `Commit \`${commit}\`${dirty}. ${machineLine}.`,
    `${fmt(opts.customers)} customers; autocannon ${packageVersion('autocannon')}, ${opts.connections} connections, ` +
      `${opts.rounds} rounds × ${opts.duration} s per target (A B A B…) after ${opts.warmup} s warm-up each; Prisma ${packageVersion('@prisma/client')}.`,
  ];
  for (const run of runs) {
    const s = run.statements;
    const counts = Object.entries(s.nested);
    const constant = new Set(counts.map(([, c]) => c)).size === 1;
    lines.push(
      '',
      `### ${run.name} (${run.version})`,
      '',
      '| scenario | A | req/s | p50 ms | p99 ms | CPU ms/req | B | req/s | p50 ms | p99 ms | CPU ms/req | A/B req/s: median (rounds) | goal | B/A CPU |',
      '|---|---|--:|--:|--:|--:|---|--:|--:|--:|--:|---|---|--:|',
    );
    for (const r of run.results) {
      const ratio = median(r.ratios);
      const goal = r.scenario.goal;
      const goalText = goal ? `${goal.text}: ${goal.show?.(ratio) ?? ''}${goal.show ? ' ' : ''}${goal.met(ratio) ? '✓' : '✗'}` : '—';
      const med = (samples: Sample[], key: keyof Sample) => median(samples.map((x) => x[key]));
      const cells = (samples: Sample[]) => [
        fmt(med(samples, 'rps')),
        fmt(med(samples, 'p50'), 1),
        fmt(med(samples, 'p99'), 1),
        fmt(med(samples, 'cpu') / 1000, 2),
      ];
      const cpuRatio = median(r.a.map((a, i) => r.b[i].cpu / a.cpu));
      lines.push(
        `| ${r.scenario.name} | ${r.scenario.a.name} | ${cells(r.a).join(' | ')} | ${r.scenario.b.name} | ${cells(r.b).join(' | ')} | ` +
          `**${ratio.toFixed(2)}** (${r.ratios.map((x) => x.toFixed(2)).join(', ')}) | ${goalText} | ${cpuRatio.toFixed(2)} |`,
      );
    }
    lines.push(
      '',
      `SQL statements per GraphQL request: nested query ${counts.map(([n, c]) => `${n} customer${n === '1' ? '' : 's'} → ${c}`).join(', ')} ` +
        `(${constant ? 'constant ✓' : 'grows ✗'}); point lookup ${s.point}; REST customerInfo ${s.customerInfo}. The raw-SQL server sends 1 per request.`,
    );
    if (run.seeded) lines.push(`Seeded in ${(run.seeded.millis / 1000).toFixed(1)} s: ${Object.entries(run.seeded.rows).map(([t, c]) => `${t} ${fmt(c)}`).join(', ')}.`);
  }
  return `${lines.join('\n')}\n`;
}

const BENCHMARKS_HEADER = `# Benchmarks

Appended by \`npm run bench\` (README "Benchmarks" says how to run it and how to read it). Each
section is one run: absolute numbers depend on the machine and on whatever else ran at the same
time; the ratios compare two targets measured back to back in the same run.
`;

// ---------------------------------------------------------------- main

async function main() {
  const opts = options();
  const startedAt = new Date();
  const machineLine = machine();
  console.log(`customer-graph bench: ${machineLine}`);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0)) await fn().catch((error) => console.error(`cleanup: ${(error as Error).message}`));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  const runs: DatabaseRun[] = [];
  try {
    for (const name of opts.databases) runs.push(await runDatabase(name, opts, cleanups));
  } finally {
    await cleanup();
  }
  const text = report(opts, runs, startedAt, machineLine);
  console.log(`\n${text}`);
  if (opts.output !== '-') {
    const file = resolve(root, opts.output);
    if (!existsSync(file)) writeFileSync(file, BENCHMARKS_HEADER);
    appendFileSync(file, `\n${text}`);
    console.log(`Appended to ${file}`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
