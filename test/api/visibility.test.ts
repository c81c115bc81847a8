// The visibility layer through every entry point: node/nodes, the query fields, mutation
// payloads, subscriptions and REST. Deleted, erased and merged-away customers and other apps'
// import jobs are hidden exactly as an unknown id is (issue 13 High 3, Medium 11; issue 15
// items 11 and 13).
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, tokenFor, type TestGateway } from '../support/gateway.ts';
import { subscribe } from '../support/sse.ts';

let t: TestGateway;
let url: string;
let otherApp: string;

beforeAll(async () => {
  t = await startTestGateway();
  url = await t.gateway.app.listen({ port: 0, host: '127.0.0.1' });
  otherApp = await tokenFor(t.prisma, ['customer:read', 'customer:write'], 'another app');
});
afterAll(() => t.close());

const b64 = (text: string) => Buffer.from(text).toString('base64');

async function newCustomer(name: string, phone: string, type = 'phone'): Promise<number> {
  const res = await t.graphql(
    `mutation { createCustomer(profile: { name: "${name}"${type === 'phone' ? `, mobile: "${phone}"` : ''} }, identities: [{ identityType: "${type}", identityValue: "${phone}" }]) { customerId } }`,
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data.createCustomer.customerId;
}

const NODE = `query($id: ID!) { node(id: $id) { id ... on Customer { customerId name mobile remark } ... on ImportJob { batchId errors { message } } } }`;
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Customer { customerId name } ... on ImportJob { batchId } } }`;

describe('node and nodes', () => {
  it('answer null, never an error, for unknown, deleted, erased, malformed and non-node ids', async () => {
    const deleted = await newCustomer('deleted person', '13800001111');
    expect((await t.graphql(`mutation { deleteCustomer(id: "${deleted}") { customerId } }`)).body.errors).toBeUndefined();
    const erased = await newCustomer('erased person', '13800001112');
    expect((await t.graphql(`mutation { eraseCustomer(id: "${erased}") { customerId } }`)).body.errors).toBeUndefined();
    const live = await newCustomer('live person', '13800001113');

    const ids = [
      encodeGlobalID('Customer', deleted),
      encodeGlobalID('Customer', erased),
      encodeGlobalID('Customer', 999999),
      encodeGlobalID('Customer', 'abc'),
      encodeGlobalID('Customer', '99999999999'),
      encodeGlobalID('ImportJob', 424242),
      encodeGlobalID('Identity', 1),
      b64('Nope:1'),
      'garbage!!',
      '',
    ];
    for (const id of ids) {
      for (const token of [t.tokens.all, t.tokens.read]) {
        const res = await t.graphql(NODE, { id }, { token });
        expect({ id, status: res.status, body: res.body }).toEqual({ id, status: 200, body: { data: { node: null } } });
      }
    }
    const many = await t.graphql(NODES, { ids: [...ids, encodeGlobalID('Customer', live)] });
    expect(many.body).toEqual({
      data: { nodes: [...ids.map(() => null), { id: encodeGlobalID('Customer', live), customerId: live, name: 'live person' }] },
    });
  });

  it('answer a merged-away id with its survivor, as customer(id) does', async () => {
    const survivor = await newCustomer('survivor', '13800002221');
    const merged = await newCustomer('merged', 'merged-2222', 'external_id');
    const merge = await t.graphql(`mutation { mergeCustomers(targetId: "${survivor}", sourceIds: ["${merged}"]) { customerId } }`);
    expect(merge.body.errors).toBeUndefined();

    const byNode = await t.graphql(NODE, { id: encodeGlobalID('Customer', merged) });
    const byCustomer = await t.graphql(`{ customer(id: "${merged}") { id customerId name } }`);
    expect(byNode.body.data.node).toMatchObject({ id: encodeGlobalID('Customer', survivor), customerId: survivor, name: 'survivor' });
    expect(byCustomer.body.data.customer).toEqual({ id: encodeGlobalID('Customer', survivor), customerId: survivor, name: 'survivor' });
    const many = await t.graphql(NODES, { ids: [encodeGlobalID('Customer', merged), encodeGlobalID('Customer', survivor)] });
    expect(many.body.data.nodes.map((n: { customerId: number }) => n.customerId)).toEqual([survivor, survivor]);

    // The tombstone is not a visible customer anywhere: the merge event names it by id only.
    const events = await t.graphql(
      `{ mergeEvents(customerId: "${survivor}") { edges { node { sourceId source { name } target { customerId } } } } }`,
    );
    expect(events.body.data.mergeEvents.edges).toEqual([{ node: { sourceId: merged, source: null, target: { customerId: survivor } } }]);
  });
});

describe('customer fields', () => {
  it('a write payload does not read back a customer the write deleted', async () => {
    const id = await newCustomer('gone', '13800003331');
    const res = await t.graphql(`mutation { deleteCustomer(id: "${id}") { customerId customer { name mobile } } }`);
    expect(res.body).toEqual({ data: { deleteCustomer: { customerId: id, customer: null } } });
  });

  it('relations to a deleted customer hide it', async () => {
    const follower = await newCustomer('followed then deleted', '13800003332');
    const follow = await t.graphql(`mutation { followCustomer(userId: "u-vis", customerId: "${follower}") { userId } }`);
    expect(follow.body.errors).toBeUndefined();
    await t.graphql(`mutation { deleteCustomer(id: "${follower}") { customerId } }`);
    const link = await t.graphql(`{ userCustomer(userId: "u-vis", customerId: "${follower}") { customerId customer { name } } }`);
    expect(link.body).toEqual({ data: { userCustomer: { customerId: follower, customer: null } } });
  });
});

describe('REST routes run the same layer', () => {
  it('customerInfo answers a deleted or erased customer as an unknown one, a merged id with its survivor', async () => {
    const deleted = await newCustomer('rest deleted', '13800004441');
    await t.graphql(`mutation { deleteCustomer(id: "${deleted}") { customerId } }`);
    const erased = await newCustomer('rest erased', '13800004442');
    await t.graphql(`mutation { eraseCustomer(id: "${erased}") { customerId } }`);
    const info = async (id: number) => {
      const res = await t.request('GET', `/openapi/customer/customerInfo?customerId=${id}`, { token: t.tokens.read });
      return JSON.parse(JSON.stringify({ status: res.status, body: res.body }).replaceAll(String(id), 'N'));
    };
    const unknown = await info(999_998);
    expect(unknown.status).toBe(404);
    expect(await info(deleted)).toEqual(unknown);
    expect(await info(erased)).toEqual(unknown);

    const survivor = await newCustomer('rest survivor', '13800004443');
    const merged = await newCustomer('rest merged', 'rest-merged', 'external_id');
    await t.graphql(`mutation { mergeCustomers(targetId: "${survivor}", sourceIds: ["${merged}"]) { customerId } }`);
    const res = await t.request('GET', `/openapi/customer/customerInfo?customerId=${merged}`, { token: t.tokens.read });
    expect(JSON.stringify(res.body)).toContain('rest survivor');
    expect(JSON.stringify(res.body)).not.toContain('rest merged');
  });
});

describe('import jobs of another app', () => {
  let batchId: number;
  beforeAll(async () => {
    const submitted = await t.graphql(
      `mutation($input: ImportCustomersInput!) { importCustomers(input: $input) { batchId } }`,
      { input: { kind: 'PROFILE', publicParams: { isMatching: false, importMode: 2 }, profiles: [{ phone: 'not a phone 13912345678' }] } },
      { token: t.tokens.readWrite },
    );
    expect(submitted.body.errors).toBeUndefined();
    batchId = submitted.body.data.importCustomers.batchId;
  });

  it('are hidden from importJob, node and nodes as an unknown job is', async () => {
    const own = await t.graphql(NODE, { id: encodeGlobalID('ImportJob', batchId) }, { token: t.tokens.readWrite });
    expect(own.body.data.node).toMatchObject({ batchId });
    for (const id of [batchId, 987654]) {
      const job = await t.graphql(`{ importJob(id: ${id}) { batchId errors { message } } }`, {}, { token: otherApp });
      const node = await t.graphql(NODE, { id: encodeGlobalID('ImportJob', id) }, { token: otherApp });
      const nodes = await t.graphql(NODES, { ids: [encodeGlobalID('ImportJob', id)] }, { token: otherApp });
      expect([job.body, node.body, nodes.body]).toEqual([
        { data: { importJob: null } },
        { data: { node: null } },
        { data: { nodes: [null] } },
      ]);
    }
    const admin = await t.graphql(NODE, { id: encodeGlobalID('ImportJob', batchId) }, { token: t.tokens.all });
    expect(admin.body.data.node).toMatchObject({ batchId });
  });

  it('refuse importJobProgress as an unknown job, and the REST result as an unknown batchId', async () => {
    const JOB = `subscription($id: ID!) { importJobProgress(id: $id) { batchId status errors { message } } }`;
    const answers: unknown[] = [];
    for (const id of [batchId, 987654]) {
      const stream = await subscribe(url, JOB, { id }, otherApp);
      const first = await stream.next();
      stream.close();
      const rest = await t.request('GET', `/api/integrate/audience/import/result?batchId=${id}`, { token: otherApp });
      // Same shape for both: only the id in the messages differs.
      answers.push(
        JSON.parse(JSON.stringify({ first, rest: { status: rest.status, body: rest.body } }).replaceAll(`job ${id} not`, 'job N not')),
      );
    }
    const [foreign, unknown] = answers;
    expect(foreign).toMatchObject({
      first: { event: 'next', data: { errors: [{ extensions: { code: 'NOT_FOUND' } }] } },
      rest: { status: 404 },
    });
    expect(foreign).toEqual(unknown);

    const own = await subscribe(url, JOB, { id: batchId }, t.tokens.readWrite);
    expect(await own.next()).toMatchObject({ event: 'next', data: { data: { importJobProgress: { batchId } } } });
    own.close();
  });
});
