// Live updates: customerChanged and importJobProgress as GraphQL subscriptions over SSE,
// against a real listening gateway (in-process pub/sub; Redis is test/scale-out.test.ts).
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../src/metrics.ts';
import { publishImportJobProgress } from '../../src/pubsub.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { pollUntil } from '../support/poll.ts';
import { subscribe, type StreamEvent } from '../support/sse.ts';

const CHANGES = `subscription Changes($id: ID!) {
  customerChanged(id: $id) { kind customerId mergedInto at customer { customerId name } }
}`;
const JOB = `subscription Job($id: ID!) {
  importJobProgress(id: $id) { batchId status processed succeeded failed }
}`;

let t: TestGateway;
let url: string;

beforeAll(async () => {
  t = await startTestGateway();
  url = await t.gateway.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t.close());

async function newCustomer(phone: string, extra = ''): Promise<number> {
  const res = await t.graphql(
    `mutation { createCustomer(identities: [{ identityType: "phone", identityValue: "${phone}" }${extra}]) { customerId } }`,
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data.createCustomer.customerId;
}

const change = (event: StreamEvent) => {
  expect(event.event).toBe('next');
  if (event.event !== 'next') throw new Error('complete');
  expect(event.data.errors).toBeUndefined();
  return event.data.data.customerChanged;
};

async function openSubscriptions(name: string): Promise<number> {
  const metric = await registry.getSingleMetric('customer_graph_subscriptions_open')!.get();
  return metric.values.find((v) => v.labels.subscription === name)?.value ?? 0;
}

/** Polls until `done` holds; the deadline is a hang guard, not a speed check. */
const until = (done: () => Promise<boolean>, what: string): Promise<void> => pollUntil(done, what);

/**
 * Subscribes to customerChanged of customer `id` (sent as `given`) and waits until the server
 * listens: the listener is registered when the server first reads the stream, which may come
 * just after the response headers.
 */
async function watch(id: number, given: number | string = id, base = url, gateway = t.gateway) {
  const before = gateway.services.pubsub.listening('customerChanged', id);
  const stream = await subscribe(base, CHANGES, { id: given }, t.tokens.read);
  expect(stream.status).toBe(200);
  await until(async () => gateway.services.pubsub.listening('customerChanged', id) > before, `a subscription to customer ${id} listens`);
  return stream;
}

// Every stream a test opened has ended (closed by its client, or completed) before the next
// test: no listener leaks, and the gauge counts from 0 in each test.
afterEach(async () => {
  await until(
    async () => (await openSubscriptions('customerChanged')) === 0 && (await openSubscriptions('importJobProgress')) === 0,
    'every subscription of the test has ended',
  );
});

describe('customerChanged', () => {
  it('sees updates through GraphQL and the REST shim, with the customer re-read', async () => {
    const id = await newCustomer('13700000001');
    const stream = await watch(id, encodeGlobalID('Customer', id));

    await t.graphql('mutation($id: ID!) { updateCustomer(id: $id, profile: { name: "张三" }) { customerId } }', { id });
    const updated = change(await stream.next());
    expect(updated).toMatchObject({ kind: 'UPDATED', customerId: id, mergedInto: null, customer: { customerId: id, name: '张三' } });
    expect(Number.isNaN(Date.parse(updated.at))).toBe(false);

    const rest = await t.request('POST', '/openapi/customer/updateCustomerAttr', {
      body: { customerId: id, attrName: 'name', attrValue: '李四', isExtendAttr: false },
    });
    expect(rest.body.code).toBe(0);
    expect(change(await stream.next())).toMatchObject({ kind: 'UPDATED', customer: { name: '李四' } });
    stream.close();
  });

  it('an identity resolution that merges: the target hears UPDATED, the merged one MERGED and its stream ends', async () => {
    const target = await newCustomer('13700000002');
    const merged = (
      await t.graphql(
        'mutation { createCustomer(identities: [{ identityType: "email", identityValue: "merge@example.com" }]) { customerId } }',
      )
    ).body.data.createCustomer.customerId as number;
    const onTarget = await watch(target);
    const onMerged = await watch(merged, String(merged));

    const res = await t.graphql(
      `mutation { createCustomerByIdentity(input: { autoMerge: true, identityList: [
        { identityType: "phone", identityValue: "13700000002" }, { identityType: "email", identityValue: "merge@example.com" }] }) {
        customerId mergedCustomerIds } }`,
    );
    expect(res.body.data.createCustomerByIdentity).toEqual({ customerId: target, mergedCustomerIds: [merged] });

    expect(change(await onTarget.next())).toMatchObject({ kind: 'UPDATED', customerId: target, mergedInto: null });
    const [last, end] = await onMerged.rest();
    expect(change(last)).toMatchObject({ kind: 'MERGED', customerId: merged, mergedInto: target, customer: { customerId: target } });
    expect(end).toEqual({ event: 'complete' });

    // The merged id now follows its survivor, as customer(id) does.
    const viaMergedId = await watch(target, merged);
    await t.graphql('mutation($id: ID!) { updateCustomer(id: $id, profile: { nickName: "小张" }) { customerId } }', { id: target });
    expect(change(await viaMergedId.next())).toMatchObject({ kind: 'UPDATED', customerId: target });
    expect(change(await onTarget.next())).toMatchObject({ kind: 'UPDATED', customerId: target });
    onTarget.close();
    viaMergedId.close();
  });

  it('group membership and friends are changes of every customer concerned', async () => {
    const a = await newCustomer('13700000003');
    const b = await newCustomer('13700000004');
    const onA = await watch(a);
    const onB = await watch(b);
    const group = (await t.graphql('mutation { createGroup(name: "live-vip") { groupId } }')).body.data.createGroup.groupId;
    await t.graphql(`mutation { addGroupMembers(groupId: ${group}, customerIds: [${a}]) { changed } }`);
    expect(change(await onA.next())).toMatchObject({ kind: 'UPDATED', customerId: a });
    await t.graphql(`mutation { addFriends(customerId: "${a}", friendIds: ["${b}"]) { changed } }`);
    expect(change(await onA.next())).toMatchObject({ kind: 'UPDATED', customerId: a });
    expect(change(await onB.next())).toMatchObject({ kind: 'UPDATED', customerId: b });
    onA.close();
    onB.close();
  });

  it('a delete (REST singleDelete) is the last event', async () => {
    const id = await newCustomer('13700000005');
    const stream = await watch(id);
    const res = await t.request('GET', `/openapi/customer/singleDelete?customerId=${id}`);
    expect(res.body.code).toBe(0);
    const [deleted, end] = await stream.rest();
    expect(change(deleted)).toMatchObject({ kind: 'DELETED', customerId: id, customer: null });
    expect(end).toEqual({ event: 'complete' });
  });

  it('an erasure (eraseCustomer) is the last event', async () => {
    const id = await newCustomer('13700000011');
    const stream = await watch(id);
    const res = await t.graphql('mutation($id: ID!) { eraseCustomer(id: $id) { customerId erasedIds } }', { id });
    expect(res.body.errors).toBeUndefined();
    const [erased, end] = await stream.rest();
    expect(change(erased)).toMatchObject({ kind: 'ERASED', customerId: id, customer: null });
    expect(end).toEqual({ event: 'complete' });
  });

  it('refuses a missing token (401), a token without customer:read (403) and an unknown customer', async () => {
    const id = await newCustomer('13700000006');
    const anonymous = await subscribe(url, CHANGES, { id }, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const writeOnly = await subscribe(url, CHANGES, { id }, t.tokens.write);
    expect(writeOnly.status).toBe(403);
    const [refused, end] = await writeOnly.rest();
    expect(refused.event === 'next' && refused.data.errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect(end).toEqual({ event: 'complete' });

    const unknown = await subscribe(url, CHANGES, { id: 999_999 }, t.tokens.read);
    const [missing] = await unknown.rest();
    expect(missing.event === 'next' && missing.data.errors?.[0]).toMatchObject({
      extensions: { code: 'NOT_FOUND' },
      message: 'id: customer 999999 not found',
    });
  });

  it('counts open subscriptions in /metrics and forgets one when its client goes away', async () => {
    const id = await newCustomer('13700000007');
    expect(await openSubscriptions('customerChanged')).toBe(0);
    const stream = await watch(id);
    expect(await openSubscriptions('customerChanged')).toBe(1);
    const scraped = await t.request<string>('GET', '/metrics', { token: null });
    expect(scraped.body).toMatch(/customer_graph_subscriptions_open\{subscription="customerChanged"\} [1-9]/);
    stream.close();
    // The server notices the closed connection asynchronously.
    await until(async () => (await openSubscriptions('customerChanged')) === 0, 'the closed subscription is forgotten');
    expect(t.gateway.services.pubsub.listening('customerChanged', id)).toBe(0);
  });

  it('a client that does not accept a stream gets HTTP 406, and nothing is left listening', async () => {
    const id = await newCustomer('13700000010');
    const res = await t.request('POST', '/graphql', {
      headers: { accept: 'application/graphql-response+json' },
      body: { query: CHANGES, variables: { id } },
    });
    expect(res.status).toBe(406);
    expect(await openSubscriptions('customerChanged')).toBe(0);
  });
});

describe('importJobProgress', () => {
  it('yields the current state, the state after each progress event, and ends after a finished state', async () => {
    const job = await t.prisma.importJob.create({ data: { kind: 'PROFILE', origin: 'GRAPHQL', options: '{}', total: 10 } });
    const stream = await subscribe(url, JOB, { id: job.id }, t.tokens.read);
    const state = async () => {
      const event = await stream.next();
      if (event.event !== 'next') throw new Error('the stream completed early');
      expect(event.data.errors).toBeUndefined();
      return event.data.data.importJobProgress;
    };
    expect(await state()).toEqual({ batchId: job.id, status: 'PENDING', processed: 0, succeeded: 0, failed: 0 });

    await t.prisma.importJob.update({ where: { id: job.id }, data: { status: 'RUNNING', processed: 5, succeeded: 4, failed: 1 } });
    publishImportJobProgress(t.gateway.services.pubsub, job.id);
    expect(await state()).toEqual({ batchId: job.id, status: 'RUNNING', processed: 5, succeeded: 4, failed: 1 });

    await t.prisma.importJob.update({ where: { id: job.id }, data: { status: 'PARTIAL', processed: 10, succeeded: 8, failed: 2 } });
    publishImportJobProgress(t.gateway.services.pubsub, job.id);
    expect(await state()).toEqual({ batchId: job.id, status: 'PARTIAL', processed: 10, succeeded: 8, failed: 2 });
    expect(await stream.next()).toEqual({ event: 'complete' });
  });

  it('a finished job yields its state once and ends; an unknown job is NOT_FOUND', async () => {
    const job = await t.prisma.importJob.create({
      data: { kind: 'PROFILE', origin: 'GRAPHQL', options: '{}', status: 'SUCCEEDED', total: 1, processed: 1, succeeded: 1 },
    });
    const events = await (await subscribe(url, JOB, { id: job.id }, t.tokens.read)).rest();
    expect(events).toEqual([
      {
        event: 'next',
        data: { data: { importJobProgress: { batchId: job.id, status: 'SUCCEEDED', processed: 1, succeeded: 1, failed: 0 } } },
      },
      { event: 'complete' },
    ]);
    const [missing] = await (await subscribe(url, JOB, { id: 987_654 }, t.tokens.read)).rest();
    expect(missing.event === 'next' && missing.data.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('shutdown', () => {
  it('ends open subscription streams so that closing the server does not wait for their clients', async () => {
    const other = await t.variant({});
    const otherUrl = await other.gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const id = await newCustomer('13700000008');
    const stream = await watch(id, id, otherUrl, other.gateway);
    await other.gateway.close();
    expect(await stream.next()).toEqual({ event: 'complete' });
  });
});

describe('Redis unavailable', () => {
  it('writes still succeed and nothing crashes; the lost events are logged', async () => {
    const logged: string[] = [];
    // Port 1 refuses connections: every publish and subscribe to Redis fails.
    const broken = await t.variant(
      { REDIS_URL: 'redis://127.0.0.1:1', REDIS_KEY_PREFIX: 'cg-test-unreachable' },
      { logger: { level: 'warn', stream: { write: (line: string) => logged.push(line) } } },
    );
    expect(broken.gateway.services.pubsub.transport).toBe('redis');
    const brokenUrl = await broken.gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const id = await newCustomer('13700000009');
    const stream = await watch(id, id, brokenUrl, broken.gateway);
    const res = await broken.graphql(
      'mutation($id: ID!) { updateCustomer(id: $id, profile: { name: "still written" }) { customer { name } } }',
      { id },
    );
    expect(res.body).toEqual({ data: { updateCustomer: { customer: { name: 'still written' } } } });
    expect(logged.join('')).toMatch(/Redis unavailable: live updates are lost until it is back/);
    // The failed publish is reported when ioredis gives the queued command up (after a retry).
    await until(async () => /Redis publish failed: a live update was lost/.test(logged.join('')), 'the lost publish is logged');
    await broken.gateway.close();
    expect(await stream.next()).toEqual({ event: 'complete' });
  });
});
