// The display-name rule on every path (README "Names", src/domain/display-name.ts): an imported
// person with only a realName is named by it and found by name through GraphQL, the REST
// families' search (openapi simpleQuery) and the console's own search query; GraphQL writes
// derive a missing name; existing rows are backfilled by the migration.
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayName, SearchQuery } from '../../console/src/api.ts';
import { readRows } from '../../console/src/import-file.ts';
import { waitForJob } from '../support/imports.ts';
import { startTestGateway, type GatewayClient, type TestGateway } from '../support/gateway.ts';

const SUBMIT = `mutation ($input: ImportCustomersInput!) { importCustomers(input: $input) { batchId } }`;
const SEARCH = `query ($search: String) {
  customers(filter: { search: $search }, first: 10) { edges { node { customerId name realName } } }
}`;
const profile = `mutation ($id: ID!, $profile: CustomerProfileInput!) {
  updateCustomer(id: $id, profile: $profile) { customer { name realName nickName } }
}`;

let t: TestGateway;
let worker: GatewayClient;

beforeAll(async () => {
  t = await startTestGateway();
  worker = await t.variant({ IMPORT_POLL_MILLIS: '100' }, { importWorker: true });
}, 180_000);
afterAll(async () => {
  await t?.close();
});

/** Imports a CSV file's text as the console's upload does, and waits for the job. */
async function importCsv(csv: string): Promise<void> {
  const profiles = readRows('PROFILE', 'people.csv', csv);
  const publicParams = { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 };
  const input = { kind: 'PROFILE', publicParams, profiles };
  const reply = await worker.graphql(SUBMIT, { input }, { token: t.tokens.all });
  expect(reply.body.errors).toBeUndefined();
  const job = await waitForJob(t.prisma, reply.body.data.importCustomers.batchId as number);
  expect(job.status).toBe('SUCCEEDED');
}

async function found(search: string) {
  const reply = await t.graphql(SEARCH, { search });
  expect(reply.body.errors).toBeUndefined();
  return (reply.body.data.customers.edges as { node: { name: string; realName: string } }[]).map((e) => e.node);
}

describe('an imported person with only a realName', () => {
  beforeAll(async () => {
    await importCsv('phone,realName,sex\n13800009901,韩梅梅,女\n13800009902,  Li Lei  ,男\n');
  });

  it('is named by it, and found by name through GraphQL (trigram terms and short ones)', async () => {
    expect(await found('韩梅梅')).toEqual([expect.objectContaining({ name: '韩梅梅', realName: '韩梅梅' })]);
    expect(await found('梅梅')).toEqual([expect.objectContaining({ name: '韩梅梅' })]);
    expect(await found('li lei')).toEqual([expect.objectContaining({ name: 'Li Lei' })]);
  });

  it('is found by name through the openapi family simpleQuery (searchKey), its name in the record', async () => {
    const reply = await t.request('GET', `/openapi/customer/simpleQuery?searchKey=${encodeURIComponent('韩梅')}`);
    expect(reply.status).toBe(200);
    expect(reply.body.data.records).toEqual([expect.objectContaining({ name: '韩梅梅', mobile: '13800009901' })]);
  });

  it("shows by name in the console's search (its own query and display rule)", async () => {
    const reply = await t.graphql(print(SearchQuery), { search: 'Li Lei', first: 10, offset: 0 });
    expect(reply.body.errors).toBeUndefined();
    const nodes = reply.body.data.customers.edges.map((e: { node: { name: string | null } }) => e.node);
    expect(nodes.map(displayName)).toEqual(['Li Lei']);
  });

  it('a later row with another realName keeps the name the customer has', async () => {
    await importCsv('phone,realName\n13800009901,韩梅\n');
    expect(await found('13800009901')).toEqual([{ customerId: expect.any(Number), name: '韩梅梅', realName: '韩梅' }]);
  });
});

describe('GraphQL writes and the REST import families', () => {
  it('createCustomer without a name takes the realName, else the nickname; a given name wins', async () => {
    const create = `mutation ($profile: CustomerProfileInput) { createCustomer(profile: $profile) { customer { name } } }`;
    const cases = [
      [{ realName: '王芳', nickName: 'fang' }, '王芳'],
      [{ nickName: '小白' }, '小白'],
      [{ name: '王总', realName: '王芳' }, '王总'],
      [{ mobile: '13800009903' }, null],
    ] as const;
    for (const [fields, name] of cases) {
      const reply = await t.graphql(create, { profile: fields });
      expect(reply.body.data.createCustomer.customer.name, JSON.stringify(fields)).toBe(name);
    }
  });

  it('updateCustomer: clearing the name derives it again; a later realName does not rename', async () => {
    const created = await t.graphql('mutation { createCustomer(profile: { name: "Boss" }) { customerId } }');
    const id = created.body.data.createCustomer.customerId as number;
    const update = async (p: Record<string, unknown>) => (await t.graphql(profile, { id, profile: p })).body.data.updateCustomer.customer;
    expect(await update({ realName: '赵六' })).toEqual({
      name: 'Boss',
      realName: '赵六',
      nickName: null,
    });
    expect(await update({ name: null })).toEqual({
      name: '赵六',
      realName: '赵六',
      nickName: null,
    });
    expect(await update({ realName: '赵七' })).toEqual({
      name: '赵六',
      realName: '赵七',
      nickName: null,
    });
    expect(await update({ name: '', realName: null, nickName: 'six' })).toEqual({
      name: 'six',
      realName: null,
      nickName: 'six',
    });
  });

  it('a stored name of spaces counts as none: the next write names the customer, in the reply and the row', async () => {
    const { id } = await t.prisma.customer.create({ data: { name: '   ' } });
    const reply = await t.graphql(profile, { id, profile: { realName: '吴九' } });
    expect(reply.body.data.updateCustomer.customer).toEqual({ name: '吴九', realName: '吴九', nickName: null });
    expect((await t.prisma.customer.findUniqueOrThrow({ where: { id } })).name).toBe('吴九');
  });

  it('the audience family import (seed 004 realName) names the customer', async () => {
    const body = {
      publicParams: { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 },
      data: [{ phone: '13800009904', realName: '孙七' }],
    };
    const reply = await worker.request('POST', '/api/integrate/audience/info/batchAdd', { body });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const batchId = Number(reply.body.data);
    await waitForJob(t.prisma, batchId);
    expect(await found('孙七')).toEqual([expect.objectContaining({ name: '孙七' })]);
  });

  it('createCustomerByIdentity fills a missing name from the realName it writes', async () => {
    const resolve = `mutation ($input: CreateCustomerByIdentityInput!) {
      createCustomerByIdentity(input: $input) { customer { name } }
    }`;
    const input = {
      identityList: [{ identityType: 'phone', identityValue: '13800009905' }],
      realName: '周八',
    };
    const reply = await t.graphql(resolve, { input });
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data.createCustomerByIdentity.customer.name).toBe('周八');
  });
});

describe('merges', () => {
  it('a name a merge filled goes back on unmerge, and the target is named by its own realName then', async () => {
    const create = `mutation ($p: CustomerProfileInput) { createCustomer(profile: $p) { customerId } }`;
    const target = (await t.graphql(create, { p: { mobile: '13800009906' } })).body.data.createCustomer.customerId as number;
    const source = (await t.graphql(create, { p: { name: 'Bee' } })).body.data.createCustomer.customerId as number;
    const merge = `mutation ($t: ID!, $s: [ID!]!) {
      mergeCustomers(targetId: $t, sourceIds: $s, reason: "test") { mergeEventIds customer { name } }
    }`;
    const merged = (await t.graphql(merge, { t: String(target), s: [String(source)] })).body.data.mergeCustomers;
    expect(merged.customer.name).toBe('Bee');
    await t.graphql(profile, { id: String(target), profile: { realName: '吴九' } });
    const unmerge = `mutation ($id: ID!) { unmergeCustomer(mergeEventId: $id) { keptFields } }`;
    const undone = await t.graphql(unmerge, { id: String(merged.mergeEventIds[0]) });
    expect(undone.body.errors, JSON.stringify(undone.body.errors)).toBeUndefined();
    const names = `query ($a: ID!, $b: ID!) { a: customer(id: $a) { name } b: customer(id: $b) { name } }`;
    const after = await t.graphql(names, { a: String(target), b: String(source) });
    expect(after.body.data).toEqual({ a: { name: '吴九' }, b: { name: 'Bee' } });
  });
});
