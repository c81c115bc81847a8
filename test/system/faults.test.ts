// Faults: the database goes away and comes back, a connection is killed in the middle of a
// transaction. On PostgreSQL the database is reached through a TCP proxy this test stops and
// starts; on PGlite (in-process) "unavailable" can only mean the engine was closed or crashed,
// which no request can repair: /readyz says so and the process must be restarted.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { postgresConfig } from '../../src/db/postgres.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { freshDatabaseUrl, usingPostgres } from '../support/database.ts';
import { startTestGateway, tokenFor } from '../support/gateway.ts';
import { pollUntil } from '../support/poll.ts';

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, none accepted) and restored. */
class Proxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server = null;
  }
}

async function inject(gateway: Gateway, method: 'GET' | 'POST', url: string, token?: string, body?: unknown) {
  const res = await gateway.app.inject({
    method,
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    payload: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

describe.runIf(usingPostgres)('PostgreSQL unavailable, then back', () => {
  let url: string;
  let drop: () => Promise<void>;
  let proxy: Proxy;
  let database: Database;
  let gateway: Gateway;

  beforeAll(async () => {
    ({ url, drop } = await freshDatabaseUrl());
    const direct = new URL(url);
    proxy = new Proxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    await proxy.start();
    const proxied = new URL(url);
    proxied.host = `127.0.0.1:${proxy.port}`;
    database = await openDatabase(proxied.toString(), { command: 'test', poolSize: 4 });
    gateway = await createGateway({
      config: loadConfig({ ...process.env, NODE_ENV: 'production', DATABASE_URL: proxied.toString() }),
      database,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await database.close().catch(() => undefined);
    await proxy.stop();
    await drop();
  });

  it('answers /readyz 503 and every request UNAVAILABLE (503) at once, and recovers by itself', async () => {
    const token = await tokenFor(database.prisma, ['customer:read', 'customer:write']);
    expect((await inject(gateway, 'GET', '/readyz')).status).toBe(200);
    const created = await inject(gateway, 'POST', '/graphql', token, {
      query: 'mutation { createCustomer(profile: { name: "before" }) { customerId } }',
    });
    const id = created.body.data.createCustomer.customerId;

    await proxy.stop();
    const ready = await inject(gateway, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable', database: 'postgres', error: 'the database does not answer' });
    const gql = await inject(gateway, 'POST', '/graphql', token, { query: `{ customer(id: "${id}") { name } }` });
    expect(gql.status).toBe(503);
    expect(gql.body.errors[0].extensions.code).toBe('UNAVAILABLE');
    expect(gql.body.errors[0].message).toBe('the database is unavailable; retry later');
    const rest = await inject(gateway, 'GET', `/openapi/customer/customerInfo?customerId=${id}`, token);
    expect(rest).toEqual({ status: 503, body: { code: -1, msg: 'the database is unavailable; retry later', data: null } });
    // A token the instance has not seen yet cannot be checked either: 503, not 401.
    const unseen = await inject(gateway, 'POST', '/graphql', 'never-seen-token', { query: '{ identityTypes { name } }' });
    expect(unseen.status).toBe(503);

    await proxy.start();
    await pollUntil(async () => (await inject(gateway, 'GET', '/readyz')).status === 200, '/readyz 200 after the database came back');
    const after = await inject(gateway, 'POST', '/graphql', token, { query: `{ customer(id: "${id}") { name } }` });
    expect(after.body).toEqual({ data: { customer: { name: 'before' } } });
  });
});

describe.runIf(usingPostgres)('PostgreSQL connection killed in the middle of a transaction', () => {
  let t: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  /**
   * Holds a lock on the customer's row from another connection, sends the request, waits
   * until its transaction blocks on that lock (after its first writes), kills its connection
   * with pg_terminate_backend, and releases the lock.
   */
  async function killMidTransaction(customerId: number, send: () => Promise<{ status: number; body: any }>) {
    const admin = new pg.Client(postgresConfig(t.db.url, 1));
    await admin.connect();
    try {
      await admin.query('BEGIN');
      await admin.query('SELECT id FROM "Customer" WHERE id = $1 FOR UPDATE', [customerId]);
      const pending = send();
      let victim: number | undefined;
      await pollUntil(async () => {
        const { rows } = await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        victim = rows[0]?.pid;
        return victim !== undefined;
      }, 'the request blocked on the held lock');
      await admin.query('SELECT pg_terminate_backend($1)', [victim]);
      await admin.query('ROLLBACK');
      return await pending;
    } finally {
      await admin.end();
    }
  }

  let phones = 0;
  async function customerWithIdentities(phone: string) {
    const res = await t.graphql(
      `mutation { createCustomer(profile: { name: "kill" }, identities: [{ identityType: "phone", identityValue: "${phone}" }, { identityType: "email", identityValue: "${phone}@example.com" }]) { customerId } }`,
    );
    return res.body.data.createCustomer.customerId as number;
  }

  it.each([
    ['deleteCustomer', (id: number) => `mutation { deleteCustomer(id: "${id}") { customerId } }`],
    ['eraseCustomer', (id: number) => `mutation { eraseCustomer(id: "${id}") { customerId } }`],
  ])('%s: the killed transaction writes nothing, the caller gets UNAVAILABLE, the next request works', async (_name, mutation) => {
    const id = await customerWithIdentities(`1361234${String(++phones).padStart(4, '0')}`);
    const before = await t.prisma.identity.findMany({ where: { customerId: id }, orderBy: { id: 'asc' } });
    expect(before).toHaveLength(2);

    const res = await killMidTransaction(id, () => t.graphql(mutation(id)));
    expect(res.status).toBe(503);
    expect(res.body.errors[0].extensions.code).toBe('UNAVAILABLE');

    // The identities were deleted inside the transaction before it blocked: all of it rolled back.
    expect(await t.prisma.identity.findMany({ where: { customerId: id }, orderBy: { id: 'asc' } })).toEqual(before);
    expect(await t.prisma.customer.findUniqueOrThrow({ where: { id } })).toMatchObject({ name: 'kill', deletedAt: null, erasedAt: null });

    const retry = await t.graphql(mutation(id));
    expect(retry.body.errors).toBeUndefined();
  });
});

describe.runIf(!usingPostgres)('embedded database (PGlite) closed under the gateway', () => {
  it('answers /readyz 503 and requests UNAVAILABLE (503) while /healthz stays 200', async () => {
    const t = await startTestGateway();
    try {
      expect((await t.request('GET', '/readyz')).status).toBe(200);
      await t.db.close();
      const ready = await t.request('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('unavailable');
      expect((await t.request('GET', '/healthz')).status).toBe(200);
      t.gateway.services.tokens.forget();
      const gql = await t.graphql('{ identityTypes { name } }');
      expect(gql.status).toBe(503);
      expect(gql.body.errors[0].extensions.code).toBe('UNAVAILABLE');
      const rest = await t.request('GET', '/openapi/customer/customerInfo?customerId=1');
      expect(rest).toMatchObject({ status: 503, body: { code: -1, msg: 'the database is unavailable; retry later', data: null } });
    } finally {
      await t.close();
    }
  });
});
