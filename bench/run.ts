// `npm run bench`: the GraphQL gateway against a hand-written raw-SQL server on the same
// HTTP stack, on a freshly seeded embedded database and on PostgreSQL, and there also against
// PostGraphile 5 (bench/postgraphile-server.ts) and, with --before DIR, an older checkout's
// gateway, all on the same database. The servers run in their own processes; autocannon drives
// them from this one, over loopback. Every target of a scenario is first checked to return the
// same rows, then measured round-robin (each round: every target once, the order rotating), and
// every comparison is a ratio of two targets within a round; the result is appended to
// BENCHMARKS.md. `npm run bench -- --help` lists the options.
//
// The gateway's per-app rate limit (6,000 requests a minute by default) is below what the load
// sends: every gateway process the bench starts runs with RATE_LIMIT_REQUESTS=0 (limit off).
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { postgresConfig } from '../src/db/postgres.ts';
import { createPostgresDatabase, DATABASES, fmt, machine, median, packageVersion, readOptions, root, type DatabaseName } from './common.ts';
import { ceilingQuery, customerInfoOperation, nestedQuery, pointQuery } from './operations.ts';
import { postgraphileNested, postgraphilePoint, type PostGraphileOperation } from './postgraphile-operations.ts';
import type { PostGraphileReady } from './postgraphile-server.ts';
import { phoneOf } from './seed.ts';
import type { ReadyMessage, StatementCounts } from './server.ts';

const SCENARIOS = ['nested', 'point', 'rest', 'ceiling'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const help = `npm run bench -- [options]          (each option also reads BENCH_<NAME> from the environment)
  --duration S        seconds of load per target per round (default 5)
  --warmup S          seconds of unmeasured load per target before the first round (default 2)
  --rounds N          rounds per scenario (every target once, round-robin); median ratios are reported (default 3)
  --connections N     concurrent connections autocannon keeps open (default 8)
  --customers N       generated customers (default 10000)
  --databases LIST    embedded,postgres (default both)
  --postgres-url URL  server where a database is created and dropped (default postgresql://postgres@127.0.0.1:5432/test)
  --scenarios LIST    ${SCENARIOS.join(',')} (default all)
  --before DIR        also measure the gateway of an older checkout in DIR (its own node_modules) on PostgreSQL,
                      e.g. git worktree add --detach /tmp/before <commit> && (cd /tmp/before && npm install)
  --no-postgraphile   leave PostGraphile 5 out (it runs on PostgreSQL only)
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
      before: { type: 'string' },
      'no-postgraphile': { type: 'boolean' },
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
    before: get('before') ? resolve(get('before')!) : undefined,
    postgraphile: !flag('no-postgraphile'),
    output: get('output') ?? 'BENCHMARKS.md',
    cpuProf: flag('cpu-prof'),
  };
}
type Options = ReturnType<typeof options>;

// ---------------------------------------------------------------- processes

/** CPU time (µs, user + system) process `pid` has used so far, from /proc (Linux); NaN elsewhere. */
function processCpu(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Server<Ready> {
  ready: Ready;
  pid: number;
  /** Profiles the server's CPU until the returned function is called; writes `file` (bench/server.ts only). */
  profile(file: string): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

async function startProcess<Ready>(
  script: string,
  env: Record<string, string>,
  cwd = root,
  execArgv: string[] = [],
): Promise<Server<Ready>> {
  const child: ChildProcess = fork(script, [], {
    cwd,
    execArgv: ['--import', 'tsx', ...execArgv],
    // As a production deployment runs: graphql-js, for one, checks NODE_ENV when it loads.
    // The rate limit is off: the load is far above the default 6,000 requests a minute per app.
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', RATE_LIMIT_REQUESTS: '0', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = await new Promise<Ready>((resolveReady, reject) => {
    child.on('message', (message: { type?: string }) => message.type === 'ready' && resolveReady(message as Ready));
    void exited.then((code) => reject(new Error(`${script} exited with code ${code} before it was ready`)));
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
    pid: child.pid!,
    profile: async (file) => {
      await ask({ type: 'profile-start' });
      return () => ask({ type: 'profile-stop', file });
    },
    stop: async () => {
      if (child.exitCode === null) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * CPU time (µs) the PostgreSQL backends serving database `url` have used so far, by backend pid,
 * read from /proc: the server runs on this machine. pg_stat_statements is not assumed loaded.
 */
function postgresBackendCpu(url: string) {
  const client = new pg.Client(postgresConfig(url, 1));
  const connected = client.connect();
  return {
    async sample(): Promise<Map<number, number>> {
      await connected;
      const { rows } = await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      return new Map(rows.map((r) => [r.pid, processCpu(r.pid)]));
    },
    close: () => client.end(),
  };
}
type BackendCpu = ReturnType<typeof postgresBackendCpu>;

/** CPU used between two samples; a backend that appeared in between counts from zero. */
function backendDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

// ---------------------------------------------------------------- HTTP

interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

async function call(base: string, token: string | undefined, request: Call): Promise<{ status: number; json: any }> {
  const response = await fetch(base + request.path, {
    method: request.method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(request.body ? { 'content-type': 'application/json' } : {}) },
    body: request.body,
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) };
}

interface Target {
  name: string;
  base: string;
  /** Bearer token (PostGraphile runs without auth). */
  token?: string;
  /** The process serving this target, whose CPU is counted against it. */
  server: Server<unknown>;
  /** The n-th request (n = 0, 1, …); every target of a scenario gets the same sequence. */
  request(n: number): Call;
  /** The answer in the gateway's shape, for the same-rows check (PostGraphile names things its own way). */
  normalize?(json: any): unknown;
}

const graphqlCall =
  (query: string, variables: (n: number) => Record<string, unknown>) =>
  (n: number): Call => ({
    method: 'POST',
    path: '/graphql',
    body: JSON.stringify({ query, variables: variables(n) }),
  });
const postCall =
  (path: string, body: (n: number) => Record<string, unknown>) =>
  (n: number): Call => ({
    method: 'POST',
    path,
    body: JSON.stringify(body(n)),
  });

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of the serving process per request, µs (on PostgreSQL, without the database's own). */
  cpu: number;
  /** CPU time of the PostgreSQL backends per request, µs (NaN on the embedded database: it is in `cpu`). */
  dbCpu: number;
}

async function load(target: Target, seconds: number, connections: number, backends?: BackendCpu): Promise<Sample> {
  let n = 0;
  const cpuBefore = processCpu(target.server.pid);
  const dbBefore = await backends?.sample();
  const result = await autocannon({
    url: target.base,
    connections,
    duration: seconds,
    timeout: 30,
    headers: { ...(target.token ? { authorization: `Bearer ${target.token}` } : {}), 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, ...target.request(n++) }) }],
  });
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(
      `${target.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers ` +
        `(status codes: ${JSON.stringify(result.statusCodeStats)})`,
    );
  }
  const cpu = processCpu(target.server.pid) - cpuBefore;
  const db = dbBefore && backends ? backendDelta(dbBefore, await backends.sample()) : Number.NaN;
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpu: cpu / result.requests.total,
    dbCpu: db / result.requests.total,
  };
}

// ---------------------------------------------------------------- scenarios

interface Scenario {
  name: ScenarioName;
  title: string;
  /** The first target is the one the scenario is about; every target's req/s is divided by `reference`'s. */
  targets: Target[];
  reference: string;
  /** What the first target ÷ the reference should be, as text, and whether a ratio meets it. */
  goal?: { text: string; met(ratio: number): boolean; show?(ratio: number): string };
}

/** The servers of one database: the bench server (gateway + raw SQL), and the peers when running. */
interface Servers {
  main: Server<ReadyMessage>;
  postgraphile?: Server<PostGraphileReady>;
  before?: Server<ReadyMessage>;
}

function scenarios(servers: Servers, customers: number): Record<ScenarioName, Scenario> {
  const { main, postgraphile, before } = servers;
  const ready = main.ready;
  // A spread of customers, the same for every target of a scenario.
  const customerAt = (n: number) => 1 + ((n * 7919) % customers);
  const gateway = (name: string, server: Server<ReadyMessage>, request: Target['request']): Target => ({
    name,
    base: server.ready.gateway,
    token: server.ready.token,
    server,
    request,
  });
  const raw = (request: Target['request'], name = 'raw SQL'): Target => ({
    name,
    base: ready.raw,
    token: ready.token,
    server: main,
    request,
  });
  /** PostGraphile 5 with its own query for the same rows, and the older gateway with ours. */
  const peers = (
    postgraphileOperation: PostGraphileOperation,
    variables: (n: number) => Record<string, unknown>,
    ours: Target['request'],
  ): Target[] => [
    ...(postgraphile
      ? [
          {
            name: 'PostGraphile 5',
            base: postgraphile.ready.url,
            server: postgraphile as Server<unknown>,
            request: graphqlCall(postgraphileOperation.query, variables),
            normalize: postgraphileOperation.normalize,
          },
        ]
      : []),
    ...(before ? [gateway('GraphQL before', before, ours)] : []),
  ];
  const nestedVariables = () => ({ first: 20 });
  const nestedRequest = graphqlCall(nestedQuery, nestedVariables);
  const pointVariables = (n: number) => ({ type: 'phone', value: phoneOf(customerAt(n)) });
  const pointRequest = graphqlCall(pointQuery, pointVariables);
  return {
    nested: {
      name: 'nested',
      title: 'Nested: 20 customers, identities, groups, 5 friends each with identities',
      targets: [
        gateway('GraphQL', main, nestedRequest),
        raw(postCall('/raw/customers', nestedVariables)),
        ...peers(postgraphileNested, nestedVariables, nestedRequest),
      ],
      reference: 'raw SQL',
      goal: { text: '≥ 0.80', met: (r) => r >= 0.8 },
    },
    point: {
      name: 'point',
      title: 'Point lookup: customerByIdentity(phone) with identities',
      targets: [
        gateway('GraphQL', main, pointRequest),
        raw(postCall('/raw/customer-by-identity', pointVariables)),
        ...peers(postgraphilePoint, pointVariables, pointRequest),
      ],
      reference: 'raw SQL',
      goal: { text: '≥ 0.80', met: (r) => r >= 0.8 },
    },
    rest: {
      name: 'rest',
      title: 'REST shim: GET /openapi/customer/customerInfo vs the same operation on POST /graphql',
      targets: [
        gateway('REST shim', main, (n) => ({ method: 'GET', path: `/openapi/customer/customerInfo?customerId=${customerAt(n)}` })),
        gateway(
          'GraphQL',
          main,
          graphqlCall(customerInfoOperation, (n) => ({ id: String(customerAt(n)) })),
        ),
      ],
      reference: 'GraphQL',
      goal: { text: 'overhead ≤ 10%', met: (r) => r >= 0.9, show: (r) => `overhead ${((1 - r) * 100).toFixed(1)}%` },
    },
    ceiling: {
      name: 'ceiling',
      title: 'Server ceiling: yoga answering { __typename } vs fastify answering the same bytes',
      targets: [
        gateway(
          'GraphQL',
          main,
          graphqlCall(ceilingQuery, () => ({})),
        ),
        raw(
          postCall('/raw/ping', () => ({})),
          'fastify',
        ),
      ],
      reference: 'fastify',
    },
  };
}

/** Every target answers the same rows as the reference (the REST shim: the same customer) before any load. */
async function verify(scenario: Scenario): Promise<void> {
  const reference = scenario.targets.find((t) => t.name === scenario.reference) ?? scenario.targets[1];
  for (const n of [0, 1, 2]) {
    const expected = await call(reference.base, reference.token, reference.request(n));
    for (const target of scenario.targets) {
      if (target === reference) continue;
      const got = await call(target.base, target.token, target.request(n));
      if (got.status !== 200 || expected.status !== 200 || got.json.errors || expected.json.errors) {
        throw new Error(
          `${scenario.name}: ${target.name} HTTP ${got.status}, ${reference.name} HTTP ${expected.status}: ` +
            `${JSON.stringify(got.json).slice(0, 400)} ${JSON.stringify(expected.json).slice(0, 400)}`,
        );
      }
      const answer = target.normalize ? target.normalize(got.json) : got.json;
      const same =
        scenario.name === 'rest'
          ? got.json.code === 0 && got.json.data?.id === expected.json.data?.customer?.customerId
          : isDeepStrictEqual(answer, expected.json);
      if (!same) {
        throw new Error(
          `${scenario.name}: ${target.name} and ${reference.name} answer differently:\n` +
            `${JSON.stringify(answer).slice(0, 600)}\n${JSON.stringify(expected.json).slice(0, 600)}`,
        );
      }
    }
  }
}

interface ScenarioResult {
  scenario: Scenario;
  /** Samples by target name, one per round. */
  samples: Map<string, Sample[]>;
}

/** Per-round ratios of `a`'s req/s to `b`'s (targets measured in the same round). */
function roundRatios(result: ScenarioResult, a: string, b: string): number[] {
  const as = result.samples.get(a) ?? [];
  const bs = result.samples.get(b) ?? [];
  return as.map((sample, i) => sample.rps / bs[i]?.rps).filter((r) => Number.isFinite(r));
}

/** Where measure() writes the CPU profile of a target (--cpu-prof), or nothing. */
type Profiler = ((scenario: Scenario, target: Target) => Promise<() => Promise<void>>) | undefined;

async function measure(scenario: Scenario, opts: Options, profiler: Profiler, backends?: BackendCpu): Promise<ScenarioResult> {
  const say = (text: string) => process.stdout.write(text);
  say(`  ${scenario.name}: warm-up`);
  if (opts.warmup > 0) for (const target of scenario.targets) await load(target, opts.warmup, opts.connections);
  const result: ScenarioResult = { scenario, samples: new Map(scenario.targets.map((t) => [t.name, []])) };
  const count = scenario.targets.length;
  for (let round = 0; round < opts.rounds; round++) {
    // Round-robin, the starting target rotating, so that no target always follows the same one.
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const target = scenario.targets[(round + i) % count];
      const stop = round === 0 ? await profiler?.(scenario, target) : undefined;
      const sample = await load(target, opts.duration, opts.connections, backends);
      await stop?.();
      result.samples.get(target.name)!.push(sample);
      parts.push(`${target.name} ${sample.rps.toFixed(0)}`);
    }
    say(` | ${parts.join(', ')} req/s`);
  }
  say(`\n`);
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
    // Steady state: the token and the per-process caches (identity-type rules, reloaded every
    // 10 s) are filled by the same request once, outside the count.
    await call(ready.gateway, ready.token, graphqlCall(ceilingQuery, () => ({}))(0));
    await call(base, ready.token, request);
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
  before?: string;
}

async function startPeers(name: DatabaseName, opts: Options, env: Record<string, string>): Promise<Omit<Servers, 'main'>> {
  if (name !== 'postgres') return {};
  const postgraphile = opts.postgraphile
    ? await startProcess<PostGraphileReady>(join(root, 'bench/postgraphile-server.ts'), { DATABASE_URL: env.DATABASE_URL })
    : undefined;
  // The older checkout's own bench server, on the same database (its migrator applies nothing
  // new: the current one has already run).
  const before = opts.before
    ? await startProcess<ReadyMessage>(
        join(opts.before, 'bench/server.ts'),
        { ...env, BENCH_LOG_FILE: `${env.BENCH_LOG_FILE}.before` },
        opts.before,
      )
    : undefined;
  return { postgraphile, before };
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
  const benchServer = join(root, 'bench/server.ts');

  console.log(`\n${name} (${version}): seeding ${opts.customers} customers…`);
  // Phase 1: seed, and count statements with Prisma's query events on (they cost time, so
  // the load phase runs in a second server without them).
  const counting = await startProcess<ReadyMessage>(benchServer, {
    ...env,
    BENCH_SEED: String(opts.customers),
    BENCH_COUNT_STATEMENTS: '1',
  });
  const { seeded } = counting.ready;
  console.log(`  seeded in ${((seeded?.millis ?? 0) / 1000).toFixed(1)} s: ${JSON.stringify(seeded?.rows)}`);
  let statements: StatementReport;
  try {
    statements = await countStatements(counting.ready, opts.customers);
  } finally {
    await counting.stop();
  }
  console.log(
    `  statements per request: nested ${JSON.stringify(statements.nested)}, point ${statements.point}, customerInfo ${statements.customerInfo}`,
  );

  // Phase 2: load.
  const profileDir = join(root, '.tmp/bench/profiles');
  const main = await startProcess<ReadyMessage>(benchServer, env);
  const servers: Servers = { main, ...(await startPeers(name, opts, env)) };
  const backends = name === 'postgres' ? postgresBackendCpu(url) : undefined;
  const profiler: Profiler = opts.cpuProf
    ? async (scenario, target) => {
        if (target.server !== main) return async () => undefined;
        mkdirSync(profileDir, { recursive: true });
        return main.profile(join(profileDir, `${name}-${scenario.name}-${target.name.replace(/\W+/g, '-')}.cpuprofile`));
      }
    : undefined;
  const results: ScenarioResult[] = [];
  try {
    const all = scenarios(servers, opts.customers);
    for (const scenarioName of opts.scenarios) await verify(all[scenarioName]);
    for (const scenarioName of opts.scenarios) results.push(await measure(all[scenarioName], opts, profiler, backends));
  } finally {
    await backends?.close();
    await Promise.all([main.stop(), servers.postgraphile?.stop(), servers.before?.stop()]);
  }
  if (opts.cpuProf) console.log(`  CPU profiles (first round of each target) written to ${profileDir}`);
  const before = opts.before && name === 'postgres' ? git(['-C', opts.before, 'rev-parse', '--short', 'HEAD']) : undefined;
  return { name, version, seeded, statements, results, before };
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
  const dirty = git(['status', '--porcelain', '--', 'src', 'bench', 'prisma', 'patches']) ? ' + uncommitted changes' : '';
  const lines = [
    `## ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${opts.label ? ` — ${opts.label}` : ''}${opts.cpuProf ? ' (CPU-profiled: first rounds skewed)' : ''}`,
    '',
    `Commit \`${commit}\`${dirty}. ${machineLine}.`,
    `${fmt(opts.customers)} customers; autocannon ${packageVersion('autocannon')}, ${opts.connections} connections, ` +
      `${opts.rounds} rounds × ${opts.duration} s per target (round-robin, every target once a round) after ${opts.warmup} s warm-up each; ` +
      `Prisma ${packageVersion('@prisma/client')}; gateway rate limit off (RATE_LIMIT_REQUESTS=0).`,
  ];
  for (const run of runs) {
    const s = run.statements;
    const counts = Object.entries(s.nested);
    const constant = new Set(counts.map(([, c]) => c)).size === 1;
    lines.push(
      '',
      `### ${run.name} (${run.version})`,
      '',
      '| scenario | target | req/s | p50 ms | p99 ms | server CPU ms/req | database CPU ms/req | ÷ reference req/s: median (rounds) | goal |',
      '|---|---|--:|--:|--:|--:|--:|---|---|',
    );
    const comparisons: string[] = [];
    for (const r of run.results) {
      const { scenario } = r;
      const first = scenario.targets[0].name;
      for (const target of scenario.targets) {
        const samples = r.samples.get(target.name)!;
        const med = (key: keyof Sample) => median(samples.map((x) => x[key]));
        const ratios = roundRatios(r, target.name, scenario.reference);
        const isReference = target.name === scenario.reference;
        const ratio = median(ratios);
        const goal =
          scenario.goal && target.name === first
            ? `${scenario.goal.text}: ${scenario.goal.show?.(ratio) ?? ''}${scenario.goal.show ? ' ' : ''}${scenario.goal.met(ratio) ? '✓' : '✗'}`
            : '';
        const db = med('dbCpu');
        lines.push(
          `| ${scenario.name} | ${target.name} | ${fmt(med('rps'))} | ${fmt(med('p50'), 1)} | ${fmt(med('p99'), 1)} | ${fmt(med('cpu') / 1000, 2)} | ` +
            `${Number.isNaN(db) ? '—' : fmt(db / 1000, 2)} | ${isReference ? `(${scenario.reference})` : `**${ratio.toFixed(2)}** (${ratios.map((x) => x.toFixed(2)).join(', ')})`} | ${goal} |`,
        );
      }
      for (const peer of ['PostGraphile 5', 'GraphQL before']) {
        if (!r.samples.has(peer)) continue;
        const ratios = roundRatios(r, first, peer);
        comparisons.push(
          `${scenario.name}: ${first} ÷ ${peer} **${median(ratios).toFixed(2)}** (${ratios.map((x) => x.toFixed(2)).join(', ')})`,
        );
      }
    }
    lines.push('');
    if (comparisons.length) {
      lines.push(
        `Same rounds, req/s: ${comparisons.join('; ')}.${run.before ? ` "GraphQL before" is the gateway at \`${run.before}\`.` : ''}`,
      );
    }
    lines.push(
      `SQL statements per GraphQL request: nested query ${counts.map(([n, c]) => `${n} customer${n === '1' ? '' : 's'} → ${c}`).join(', ')} ` +
        `(${constant ? 'constant ✓' : 'grows ✗'}); point lookup ${s.point}; REST customerInfo ${s.customerInfo}. Counted on the second of two identical requests (caches warm: the identity-type rules are reloaded once per 10 s). The raw-SQL server sends 1 per request.`,
    );
    lines.push(
      run.name === 'postgres'
        ? 'Server CPU: the serving process (/proc); the raw-SQL and gateway targets share one process, measured in turn. Database CPU: the PostgreSQL backends of the bench database (/proc, by pid from pg_stat_activity).'
        : 'Server CPU includes the database: PGlite runs inside the serving process.',
    );
    if (run.seeded)
      lines.push(
        `Seeded in ${(run.seeded.millis / 1000).toFixed(1)} s: ${Object.entries(run.seeded.rows)
          .map(([t, c]) => `${t} ${fmt(c)}`)
          .join(', ')}.`,
      );
  }
  return `${lines.join('\n')}\n`;
}

const BENCHMARKS_HEADER = `# Benchmarks

Appended by \`npm run bench\` (README "Benchmarks" says how to run it and how to read it). Each
section is one run: absolute numbers depend on the machine and on whatever else ran at the same
time; the ratios compare targets measured in the same rounds of the same run.
`;

// ---------------------------------------------------------------- main

async function main() {
  const opts = options();
  const startedAt = new Date();
  const machineLine = machine();
  console.log(`customer-graph bench: ${machineLine}`);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0)) await fn().catch((error: unknown) => console.error(`cleanup: ${(error as Error).message}`));
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

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
