// npm run soak: the figures of SECURITY.md, end to end on this machine.
//  1. Fuzz: ≥ 10,000 generated inputs over every REST route and every mutation (fast-check),
//     in production mode: counts 5xx answers and refused inputs that changed the database.
//  2. Load: a real `customer-graph serve`, 50 concurrent clients for 60 s of mixed reads and
//     writes (autocannon): counts errors (transport, non-2xx, GraphQL errors), reports p99.
// Settings: SOAK_FUZZ_INPUTS (10500), SOAK_CONNECTIONS (50), SOAK_SECONDS (60),
// SOAK_DATABASE_URL (default: a new embedded database; a postgresql:// URL of an empty
// database runs both parts on PostgreSQL). Writes .tmp/soak-report.json; exits 1 on any failure.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { createApp, mintToken } from '../src/domain/auth.ts';
import { createGateway } from '../src/gateway.ts';
import { restRoutes } from '../src/rest/table.ts';
import { schema } from '../src/schema/index.ts';
import { describeFailures, fuzzGateway, seedWorld } from './support/fuzz-gateway.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const FUZZ_INPUTS = Number(process.env.SOAK_FUZZ_INPUTS ?? 10_500);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const work = mkdtempSync(join(tmpdir(), 'cg-soak-'));
const databaseUrl = (name: string) => process.env.SOAK_DATABASE_URL ?? `file:${join(work, name)}`;
const say = (line: string) => console.log(`[soak] ${line}`);

async function fuzz() {
  const url = databaseUrl('fuzz');
  const database = await openDatabase(url, { command: 'soak' });
  await database.migrate();
  const config = loadConfig({ ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'silent', DATABASE_URL: url, RATE_LIMIT_REQUESTS: '0' });
  const gateway = await createGateway({ config, database });
  try {
    const app = await createApp(database.prisma, { name: 'soak-fuzz', scopes: ['customer:read', 'customer:write', 'admin'] });
    const token = await mintToken(database.prisma, app.appKey, 24 * 3600);
    const world = await seedWorld(database.prisma, 20);
    const targets = restRoutes.length + Object.keys(schema.getMutationType()!.getFields()).length;
    const runsPerTarget = Math.ceil(FUZZ_INPUTS / targets);
    say(`fuzz: ${targets} targets (${restRoutes.length} REST routes, ${targets - restRoutes.length} mutations) × ${runsPerTarget} inputs`);
    const started = Date.now();
    const report = await fuzzGateway({
      gateway,
      prisma: database.prisma,
      token,
      world,
      runsPerTarget,
      seed: Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000),
      progress: (done, total) => say(`fuzz: ${done}/${total}`),
    });
    const refused = Object.values(report.byTarget).reduce((n, t) => n + t.refused, 0);
    const result = {
      inputs: report.inputs,
      targets,
      refused,
      accepted: report.inputs - refused,
      responses5xx: report.serverErrors.length,
      partialWrites: report.partialWrites.length,
      byStatus: report.byStatus,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    if (report.serverErrors.length || report.partialWrites.length) say(describeFailures(report));
    return result;
  } finally {
    await gateway.close();
    await database.close();
  }
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/customer-graph.mjs'), ...args], { env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`customer-graph ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

function serve(env: NodeJS.ProcessEnv): Promise<{ url: string; stop: () => Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/customer-graph.mjs'), 'serve'], { env });
    let out = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const onData = (d: Buffer) => {
      out += d;
      const match = /serving on (http:\/\/[\d.:]+)/.exec(out);
      if (match) resolve({ url: match[1], stop: () => (child.kill('SIGTERM'), exited) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${out}`)));
  });
}

async function load() {
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl('load'),
    PORT: '0',
    RATE_LIMIT_REQUESTS: '0',
  };
  const { token } = JSON.parse(
    (await run(['app', 'create', '--name', 'soak-load', '--scopes', 'customer:read,customer:write', '--json'], env))
      .trim()
      .split('\n')
      .pop()!,
  );
  const server = await serve(env);
  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: any; errors?: unknown[] };
  };
  try {
    const ids: number[] = [];
    for (let i = 0; i < 200; i++) {
      const res = await graphql(
        'mutation ($p: String!) { createCustomer(profile: { name: "seed" }, identities: [{ identityType: "phone", identityValue: $p }]) { customerId } }',
        {
          p: `1380000${String(i).padStart(4, '0')}`,
        },
      );
      ids.push(res.data.createCustomer.customerId);
    }
    let sequence = 0;
    const pick = () => ids[Math.floor(Math.random() * ids.length)];
    const counts = { graphqlErrors: 0, reads: 0, writes: 0, samples: [] as string[], byStatus: {} as Record<number, number> };
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    // One mixed request: 70 % reads (GraphQL list, GraphQL by id, REST by id), 30 % writes
    // (create with a unique phone, update, befriend).
    const mixed = (): { method: 'GET' | 'POST'; path: string; body?: string; write: boolean } => {
      const roll = Math.random();
      const gql = (query: string, variables: Record<string, unknown>, write: boolean) => ({
        method: 'POST' as const,
        path: '/graphql',
        body: JSON.stringify({ query, variables }),
        write,
      });
      if (roll < 0.25)
        return gql(
          '{ customers(first: 20) { totalCount edges { node { customerId name identities { identityType identityValue } } } } }',
          {},
          false,
        );
      if (roll < 0.5)
        return gql(
          'query ($id: ID!) { customer(id: $id) { customerId name mobile friends(first: 5) { customerId } } }',
          { id: String(pick()) },
          false,
        );
      if (roll < 0.7) return { method: 'GET', path: `/openapi/customer/customerInfo?customerId=${pick()}`, write: false };
      if (roll < 0.8) {
        const n = `${process.pid}${++sequence}`;
        return gql(
          'mutation ($p: String!) { createCustomer(profile: { name: "load" }, identities: [{ identityType: "phone", identityValue: $p }]) { customerId } }',
          { p: `15${n.padStart(9, '0')}` },
          true,
        );
      }
      if (roll < 0.9)
        return gql(
          'mutation ($id: ID!, $c: String) { updateCustomer(id: $id, profile: { city: $c }) { customerId } }',
          { id: String(pick()), c: `city ${sequence}` },
          true,
        );
      return gql(
        'mutation ($id: ID!, $f: [ID!]!) { addFriends(customerId: $id, friendIds: $f) { changed } }',
        { id: String(pick()), f: [String(pick()), String(pick())] },
        true,
      );
    };
    say(`load: ${CONNECTIONS} connections for ${SECONDS} s against ${server.url}`);
    const result = await autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration: SECONDS,
      timeout: 30,
      requests: [
        {
          setupRequest: (request) => {
            const next = mixed();
            if (next.write) counts.writes++;
            else counts.reads++;
            // A fresh headers object each time: autocannon writes content-length into it.
            const fresh: Record<string, string> = next.body ? { ...headers } : { authorization: headers.authorization };
            return { ...request, method: next.method, path: next.path, headers: fresh, body: next.body };
          },
          onResponse: (status, body) => {
            counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
            if (status !== 200 && counts.samples.length < 5) counts.samples.push(`${status} ${body.slice(0, 300)}`);
            if (status === 200 && body.includes('"errors"')) {
              counts.graphqlErrors++;
              if (counts.samples.length < 5) counts.samples.push(body.slice(0, 300));
            }
          },
        },
      ],
    });
    if (counts.samples.length) say(`errors, e.g.:\n${counts.samples.join('\n')}`);
    return {
      connections: CONNECTIONS,
      seconds: SECONDS,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      reads: counts.reads,
      writes: counts.writes,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      graphqlErrors: counts.graphqlErrors,
      byStatus: counts.byStatus,
    };
  } finally {
    const code = await server.stop();
    // A server that does not stop cleanly fails the soak, whatever the load reported.
    // eslint-disable-next-line no-unsafe-finally
    if (code !== 0) throw new Error(`serve exited ${code} on SIGTERM after the load`);
  }
}

try {
  const database = (process.env.SOAK_DATABASE_URL ?? '').startsWith('postgres') ? 'PostgreSQL' : 'PGlite (embedded)';
  const fuzzed = await fuzz();
  say(`fuzz: ${JSON.stringify(fuzzed)}`);
  const loaded = await load();
  say(`load: ${JSON.stringify(loaded)}`);
  const report = { when: new Date().toISOString(), database, fuzz: fuzzed, load: loaded };
  mkdirSync(join(root, '.tmp'), { recursive: true });
  writeFileSync(join(root, '.tmp', 'soak-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const failed =
    fuzzed.responses5xx + fuzzed.partialWrites + loaded.errors + loaded.timeouts + loaded.non2xx + loaded.graphqlErrors > 0 ||
    fuzzed.inputs < 10_000;
  say(
    `${database}: fuzz ${fuzzed.inputs} inputs, ${fuzzed.responses5xx} 5xx, ${fuzzed.partialWrites} partial writes; ` +
      `load ${loaded.requests} requests (${loaded.requestsPerSecond} req/s), p50 ${loaded.latencyMs.p50} ms, p99 ${loaded.latencyMs.p99} ms, ` +
      `${loaded.errors + loaded.timeouts + loaded.non2xx + loaded.graphqlErrors} errors → ${failed ? 'FAILED' : 'ok'}`,
  );
  process.exitCode = failed ? 1 : 0;
} finally {
  rmSync(work, { recursive: true, force: true });
}
