// Scale-out (issue 8): two `serve` processes on one PostgreSQL database and one Redis, with
// no balancer in front, behave as one: a subscriber on one hears writes made through the
// other (GraphQL and the REST shim), and both give the same answers. PostgreSQL + Redis only.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl, usingPostgres } from '../support/database.ts';
import { pollUntil } from '../support/poll.ts';
import { runCli, startServer, type ServerProcess } from '../../scripts/support/processes.ts';
import { subscribe, type StreamEvent } from '../support/sse.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Every key and channel of this run starts with it: parallel runs on one Redis do not cross.
const PREFIX = `cg-test-${randomUUID()}`;

const CHANGES = `subscription Changes($id: ID!) {
  customerChanged(id: $id) { kind customerId mergedInto customer { customerId name nickName } }
}`;

describe.runIf(usingPostgres)('two serve processes on one PostgreSQL database and one Redis', () => {
  let db: { url: string; drop: () => Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  let token: string;
  let redis: Redis;

  beforeAll(async () => {
    db = await freshDatabaseUrl();
    const env = { DATABASE_URL: db.url, REDIS_URL, REDIS_KEY_PREFIX: PREFIX };
    const created = await runCli(['app', 'create', '--name', 'scale-out', '--scopes', 'customer:read,customer:write', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    token = JSON.parse(created.stdout.trim()).token;
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
    redis = new Redis(REDIS_URL);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    // Rate-limit counters of this run would expire on their own; remove them now.
    const keys = (await redis?.keys(`${PREFIX}:*`)) ?? [];
    if (keys.length) await redis.del(...keys);
    await redis?.quit();
    await db?.drop();
  });

  async function graphql(server: ServerProcess, query: string, variables: Record<string, unknown> = {}) {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data;
  }

  async function rest(server: ServerProcess, method: 'GET' | 'POST', path: string, body?: unknown) {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  }

  /** Redis confirms its SUBSCRIBE asynchronously: wait until the channel has a listener (hang guard only). */
  async function listening(channel: string): Promise<void> {
    await pollUntil(
      async () => Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]) > 0,
      `a subscriber of ${channel}`,
      { intervalMs: 50 },
    );
  }

  const change = (event: StreamEvent) => {
    if (event.event !== 'next') throw new Error('the stream completed');
    expect(event.data.errors).toBeUndefined();
    return event.data.data.customerChanged;
  };

  it('a subscriber on A hears writes made through B: a GraphQL mutation, a REST shim call, a merge', async () => {
    const { createCustomer } = await graphql(
      b,
      'mutation { createCustomer(identities: [{ identityType: "phone", identityValue: "13900000001" }]) { customerId } }',
    );
    const id: number = createCustomer.customerId;
    const stream = await subscribe(a.url, CHANGES, { id }, token);
    expect(stream.status).toBe(200);
    await listening(`${PREFIX}:live:customerChanged:${id}`);

    await graphql(b, 'mutation($id: ID!) { updateCustomer(id: $id, profile: { nickName: "跨实例" }) { customerId } }', { id });
    expect(change(await stream.next())).toEqual({
      kind: 'UPDATED',
      customerId: id,
      mergedInto: null,
      // A customer without a name takes its nickname as display name (README "Names").
      customer: { customerId: id, name: '跨实例', nickName: '跨实例' },
    });

    const attr = await rest(b, 'POST', '/openapi/customer/updateCustomerAttr', {
      customerId: id,
      attrName: 'name',
      attrValue: '王五',
      isExtendAttr: false,
    });
    expect(attr.body.code).toBe(0);
    expect(change(await stream.next())).toMatchObject({ kind: 'UPDATED', customer: { name: '王五' } });

    // Merged through B into another customer: A's stream hears MERGED and ends.
    const { createCustomer: other } = await graphql(
      b,
      'mutation { createCustomer(identities: [{ identityType: "email", identityValue: "scale@example.com" }]) { customerId } }',
    );
    await graphql(b, 'mutation($t: ID!, $s: [ID!]!) { mergeCustomers(targetId: $t, sourceIds: $s) { customerId } }', {
      t: other.customerId,
      s: [id],
    });
    const [merged, end] = await stream.rest();
    expect(change(merged)).toMatchObject({
      kind: 'MERGED',
      customerId: id,
      mergedInto: other.customerId,
      customer: { customerId: other.customerId },
    });
    expect(end).toEqual({ event: 'complete' });
  });

  it('A and B give the same answers to the same queries, GraphQL and REST', async () => {
    await graphql(
      a,
      'mutation { createCustomer(profile: { name: "甲" }, identities: [{ identityType: "phone", identityValue: "13900000002" }]) { customerId } }',
    );
    const { createCustomerByIdentity } = await graphql(
      b,
      'mutation { createCustomerByIdentity(input: { identityList: [{ identityType: "phone", identityValue: "13900000002" }, { identityType: "qq", identityValue: "10001" }], city: "合肥" }) { customerId } }',
    );
    const id: number = createCustomerByIdentity.customerId;
    const queries = [
      `{ customer(id: "${id}") { customerId name city identities { identityType identityValue } } }`,
      '{ customers(first: 50) { totalCount edges { node { customerId name city } } } }',
      '{ customerByIdentity(identityType: "qq", identityValue: "10001") { customerId } }',
      '{ mergeEvents(first: 10) { totalCount edges { node { targetId sourceId reason } } } }',
    ];
    for (const query of queries) expect(await graphql(a, query), query).toEqual(await graphql(b, query));
    const info = `/openapi/customer/customerInfo?customerId=${id}`;
    const [fromA, fromB] = [await rest(a, 'GET', info), await rest(b, 'GET', info)];
    expect(fromA.body.code).toBe(0);
    expect(fromA).toEqual(fromB);
  });

  it('leaves nothing behind in Redis but rate-limit counters, and both stop cleanly with a subscription open', async () => {
    const { createCustomer } = await graphql(a, 'mutation { createCustomer(profile: { name: "last" }) { customerId } }');
    const stream = await subscribe(b.url, CHANGES, { id: createCustomer.customerId }, token);
    await listening(`${PREFIX}:live:customerChanged:${createCustomer.customerId}`);
    expect(await redis.keys(`${PREFIX}:live*`)).toEqual([]);
    const [codeA, codeB] = await Promise.all([a.stop(), b.stop()]);
    expect([codeA, codeB]).toEqual([0, 0]);
    expect(await stream.next()).toEqual({ event: 'complete' });
    const [, listeners] = (await redis.pubsub('NUMSUB', `${PREFIX}:live:customerChanged:${createCustomer.customerId}`)) as [string, number];
    expect(Number(listeners)).toBe(0);
  });
});
