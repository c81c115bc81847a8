// Issue 13, item 6: a request whose client disconnects takes its SQL with it. A statement is
// made to wait (another connection holds the lock it needs: a row lock for a write, a table
// lock for a read), the client's socket is destroyed, and pg_stat_activity must stop showing
// the statement while the lock is still held: it was cancelled, not finished. No statement
// timeout is set, so nothing else could end it. Through GraphQL (a mutation, a query) and REST.
import { request as httpRequest } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConfig } from '../../src/db/postgres.ts';
import { usingPostgres } from '../support/database.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { pollUntil } from '../support/poll.ts';

describe.runIf(usingPostgres)('a client that disconnects (PostgreSQL)', () => {
  let t: TestGateway;
  let port: number;
  beforeAll(async () => {
    t = await startTestGateway();
    const served = await t.variant({});
    await served.gateway.app.listen({ port: 0, host: '127.0.0.1' });
    port = (served.gateway.app.server.address() as { port: number }).port;
  });
  afterAll(() => t.close());

  /** Sends a request over a real socket and returns a function that destroys it. */
  function send(method: string, path: string, body?: unknown): () => void {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method,
      path,
      agent: false,
      headers: {
        authorization: `Bearer ${t.tokens.all}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
    });
    req.on('error', () => undefined);
    req.end(body ? JSON.stringify(body) : undefined);
    return () => req.destroy();
  }

  const waitingOnLock = `SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`;
  // A cancelled statement's connection is closed (never reused): its backend goes away.
  const stillThere = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1`;

  async function abandonWhileLocked(lock: (admin: pg.Client) => Promise<void>, start: () => () => void) {
    const admin = new pg.Client(postgresConfig(t.db.url, 1));
    // pg_stat_activity is read once per transaction: the admin's (holding the lock) would see
    // a frozen picture, so another connection watches.
    const watcher = new pg.Client(postgresConfig(t.db.url, 1));
    await admin.connect();
    await watcher.connect();
    try {
      const adminPid = (admin as unknown as { processID: number }).processID;
      await admin.query('BEGIN');
      await lock(admin);
      const disconnect = start();
      let victim: number | undefined;
      await pollUntil(async () => {
        victim = (await watcher.query<{ pid: number }>(waitingOnLock, [adminPid])).rows[0]?.pid;
        return victim !== undefined;
      }, 'the request waits on the held lock');
      disconnect();
      await pollUntil(
        async () => (await watcher.query<{ n: number }>(stillThere, [victim])).rows[0].n === 0,
        'the abandoned statement is no longer running',
      );
      // Still holding the lock: the statement did not finish, it was cancelled.
      expect(
        (await admin.query('SELECT count(*)::int AS n FROM pg_locks WHERE pid = pg_backend_pid() AND granted')).rows[0].n,
      ).toBeGreaterThan(0);
    } finally {
      await admin.query('ROLLBACK').catch(() => undefined);
      await admin.end();
      await watcher.end();
    }
  }

  let phones = 0;
  async function customer(): Promise<number> {
    const phone = `1371234${String(++phones).padStart(4, '0')}`;
    const res = await t.graphql(
      `mutation { createCustomer(profile: { name: "stays" }, identities: [{ identityType: "phone", identityValue: "${phone}" }]) { customerId } }`,
    );
    return Number(res.body.data.createCustomer.customerId);
  }
  const rowLock = (id: number) => async (admin: pg.Client) => {
    await admin.query('SELECT id FROM "Customer" WHERE id = $1 FOR UPDATE', [id]);
  };
  const tableLock = async (admin: pg.Client) => {
    await admin.query('LOCK TABLE "Customer" IN ACCESS EXCLUSIVE MODE');
  };

  it.each([
    ['GraphQL mutation', (id: number) => send('POST', '/graphql', { query: `mutation { deleteCustomer(id: "${id}") { customerId } }` })],
    ['REST write', (id: number) => send('GET', `/openapi/customer/singleDelete?customerId=${id}`)],
  ])('%s waiting on a row lock: cancelled, its transaction rolled back', async (_name, start) => {
    const id = await customer();
    await abandonWhileLocked(rowLock(id), () => start(id));
    expect(await t.prisma.customer.findUniqueOrThrow({ where: { id } })).toMatchObject({ name: 'stays', deletedAt: null });
    // The pool is whole: the next request is answered.
    const next = await t.graphql(`{ customer(id: "${id}") { name } }`);
    expect(next.body).toEqual({ data: { customer: { name: 'stays' } } });
  });

  it.each([
    ['GraphQL query', (id: number) => send('POST', '/graphql', { query: `{ customer(id: "${id}") { name } }` })],
    ['REST read', (id: number) => send('GET', `/openapi/customer/customerInfo?customerId=${id}`)],
  ])('%s waiting on a table lock: cancelled', async (_name, start) => {
    const id = await customer();
    await abandonWhileLocked(tableLock, () => start(id));
    const next = await t.graphql(`{ customer(id: "${id}") { name } }`);
    expect(next.body).toEqual({ data: { customer: { name: 'stays' } } });
  });
});
