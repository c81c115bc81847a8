// Client mistakes answered as what they are (issue 13 Low, issue 15 items 11-12): BAD_INPUT
// (HTTP 400) naming the field in `extensions.issues`, never INTERNAL, over GraphQL and REST.
import { getNamedType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';
import { startTestGateway, type Reply, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
let customerId: number;
beforeAll(async () => {
  t = await startTestGateway();
  for (const name of ['A', 'B', 'C']) {
    const created = await t.graphql('mutation ($n: String) { createCustomer(profile: {name: $n}) { customerId } }', { n: name });
    customerId = created.body.data.createCustomer.customerId;
  }
});
afterAll(() => t.close());

/** The one error a GraphQL answer carries, checked to be BAD_INPUT naming `field`. */
function expectBadInput(reply: Reply, field: string): void {
  expect(reply.body.errors, JSON.stringify(reply.body)).toHaveLength(1);
  const [error] = reply.body.errors;
  expect(error.extensions.code).toBe('BAD_INPUT');
  expect(error.extensions.issues.map((i: { field: string }) => i.field)).toContain(field);
  expect(error.message).toContain(field);
}

describe('GraphQL paging arguments', () => {
  it.each([
    ['first: -1', 'first'],
    ['last: -1', 'last'],
    ['first: 150', 'first'],
    ['last: 101', 'last'],
    ['after: "not-a-cursor"', 'after'],
    ['before: "bm9wZQ=="', 'before'],
  ])('customers(%s) is BAD_INPUT naming %s', async (args, field) => {
    const reply = await t.graphql(`{ customers(${args}) { totalCount } }`);
    expectBadInput(reply, field);
    expect(reply.status).toBe(200); // a field error beside data: null, as GraphQL over HTTP answers it
  });

  it('refuses after together with before, both real cursors', async () => {
    const page = await t.graphql('{ customers(first: 3) { pageInfo { startCursor endCursor } } }');
    const { startCursor, endCursor } = page.body.data.customers.pageInfo;
    const reply = await t.graphql('query ($a: String, $b: String) { customers(after: $a, before: $b) { totalCount } }', {
      a: startCursor,
      b: endCursor,
    });
    expectBadInput(reply, 'customers');
  });

  it('takes the same page sizes through variables', async () => {
    expectBadInput(await t.graphql('query ($n: Int) { customers(first: $n) { totalCount } }', { n: 150 }), 'first');
    const ok = await t.graphql('query ($n: Int) { customers(first: $n) { edges { node { name } } } }', { n: 100 });
    expect(ok.body.data.customers.edges).toHaveLength(3);
  });

  it('refuses an over-maximum page on every connection of the schema, in one place', async () => {
    const connections = Object.values(schema.getQueryType()!.getFields()).filter((field) => {
      const type = getNamedType(field.type);
      return isObjectType(type) && 'pageInfo' in type.getFields() && field.args.every((a) => !a.type.toString().endsWith('!'));
    });
    expect(connections.map((f) => f.name)).toEqual(
      expect.arrayContaining(['customers', 'groups', 'userCustomers', 'auditLog', 'mergeEvents']),
    );
    for (const field of connections) {
      expectBadInput(await t.graphql(`{ ${field.name}(first: 101) { pageInfo { hasNextPage } } }`), 'first');
      expectBadInput(await t.graphql(`{ ${field.name}(after: "garbage") { pageInfo { hasNextPage } } }`), 'after');
    }
  });
});

describe('GraphQL dates and variables', () => {
  it('refuses a date-time the database cannot hold, naming the variable path', async () => {
    for (const value of ['0000-01-01T00:00:00Z', '+099999-12-31T00:00:00Z']) {
      const reply = await t.graphql('query ($f: CustomerFilter) { customers(filter: $f) { totalCount } }', { f: { createdAfter: value } });
      expectBadInput(reply, 'f.createdAfter');
      expect(reply.status).toBe(400);
    }
  });

  it('refuses the same date-time written as a literal', async () => {
    const reply = await t.graphql('{ customers(filter: {createdAfter: "0000-01-01T00:00:00Z"}) { totalCount } }');
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].extensions.code).toBe('BAD_INPUT');
  });

  it.each([
    [{ p: { gender: 'x' } }, 'p.gender'],
    [{ p: { deptCodeList: ['a', 5.5] } }, 'p.deptCodeList[1]'],
    [{ p: { unknownField: 1 } }, 'p'],
  ])('names the variable path of %j from the coercion itself', async (variables, field) => {
    const reply = await t.graphql('mutation ($p: CustomerProfileInput) { createCustomer(profile: $p) { customerId } }', variables);
    expectBadInput(reply, field);
    expect(reply.status).toBe(400);
  });

  it('names a missing required variable', async () => {
    expectBadInput(await t.graphql('query ($id: ID!) { customer(id: $id) { name } }', {}), 'id');
    expectBadInput(await t.graphql('query ($id: ID!) { customer(id: $id) { name } }', { id: null }), 'id');
  });
});

describe('REST: ordinary input never a 500', () => {
  it('updateCustomerAttr with campaignId "3000000000" names attrValue', async () => {
    const reply = await t.request('POST', '/openapi/customer/updateCustomerAttr', {
      body: { attrName: 'campaignId', attrValue: '3000000000', customerId, isExtendAttr: false },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.msg).toMatch(/^attrValue: campaignId must be at most 2147483647/);
  });

  it('get_list with created > "99999-12-31" names the condition', async () => {
    const reply = await t.request('POST', '/api/user_customer/get_list', { body: { condition: [['created', '>', '99999-12-31']] } });
    expect(reply.status).toBe(400);
    expect(reply.body.mix_msg).toBe('BAD_INPUT');
    expect(reply.body.msg).toMatch(/^condition\[0\]: /);
  });

  it('get_list with end_time "0001-01-01 00:00:00" (year 0 in UTC) names end_time', async () => {
    const reply = await t.request('POST', '/api/user_customer/get_list', { body: { end_time: '0001-01-01 00:00:00' } });
    expect(reply.status).toBe(400);
    expect(reply.body.msg).toBe('end_time: "0001-01-01 00:00:00" must be between 0001-01-01 and 9999-12-31 (UTC)');
  });
});
