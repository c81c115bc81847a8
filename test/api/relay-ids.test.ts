// Ids from a Relay client's side (issue 15 item 13): every id the client got from `node`, a list
// or a payload is passed back to each field and mutation that takes one; the id of another type
// is BAD_INPUT naming the argument; a merged-away id reads as its survivor everywhere; every
// object a client can cache carries a global `id` that node() answers (what Apollo's and urql's
// caches key objects by), and plain numbers keep working for REST and people.
import { readFileSync } from 'node:fs';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { buildSchema, getNamedType, isInputObjectType, isObjectType, type GraphQLInputType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { subscribe } from '../support/sse.ts';

let t: TestGateway;
let url: string;
beforeAll(async () => {
  t = await startTestGateway();
  url = await t.gateway.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t.close());

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

/** Runs an operation that must succeed; answers its data. */
async function ok(query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await t.graphql(query, variables);
  expect(res.body.errors, `${query}\n${JSON.stringify(res.body.errors)}`).toBeUndefined();
  return res.body.data;
}

/** The number inside a global id ("Group:5" in base64 → 5). */
const numberOf = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);

const NODE = `query ($id: ID!) { node(id: $id) { __typename id } }`;

/** node(id) answers the object itself: same type, same id (a cache key round trip). */
async function expectNode(id: string, typename: string): Promise<void> {
  expect((await ok(NODE, { id })).node).toEqual({ __typename: typename, id });
}

let phones = 0;
/** A new customer's global id; `type` external_id for one that will be merged into another. */
async function newCustomer(name: string, type = 'phone'): Promise<string> {
  const value = `1380000${String(++phones).padStart(4, '0')}`;
  const data = await ok(
    `mutation ($i: [IdentityInput!]) { createCustomer(profile: { name: "${name}" }, identities: $i) { customer { id } } }`,
    { i: [{ identityType: type, identityValue: value }] },
  );
  return data.createCustomer.customer.id;
}

describe('the schema', () => {
  // Int-typed arguments named like ids that are not object ids: values of a profile or a row.
  const notObjectIds = new Set([
    'CustomerProfileInput.campaignId', // a profile value (seed 001), not an id of this API
    'CreateCustomerByIdentityInput.campaignId',
    'ImportCustomFieldInput.configId', // a seed 004 row value; AttributeDefinition.configId
  ]);

  const intNamed = (type: GraphQLInputType) => getNamedType(type).name === 'Int';

  it('takes every object id as ID: no argument or input field named like an id is an Int', () => {
    const found: string[] = [];
    const idName = /^(id|ids|.*Id|.*Ids)$/;
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          for (const arg of field.args) {
            if (idName.test(arg.name) && intNamed(arg.type)) found.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          const name = `${type.name}.${field.name}`;
          if (idName.test(field.name) && intNamed(field.type) && !notObjectIds.has(name)) found.push(name);
        }
      }
    }
    expect(found).toEqual([]);
  });

  // Values read through their parent, with no identity of their own to cache them by.
  const values = new Set([
    'Query',
    'Mutation',
    'Subscription',
    'PageInfo',
    'Viewer',
    'CreatedApp',
    'RevokedToken',
    'CustomerChange',
    'ExtendedAttribute',
    'CustomerAttributeValue',
    'ImportRowError',
  ]);
  const isValue = (name: string) => values.has(name) || /(Payload|Connection|ConnectionEdge)$/.test(name) || name.startsWith('Resolution');

  it('gives every object a client can cache a global id: `id: ID!`, and Node where node() fetches it', () => {
    const cacheable = Object.values(schema.getTypeMap()).filter(
      (type) => isObjectType(type) && !type.name.startsWith('__') && !isValue(type.name),
    );
    const lacking = cacheable.filter((type) => isObjectType(type) && String(type.getFields().id?.type) !== 'ID!');
    expect(lacking.map((type) => type.name)).toEqual([]);
    const notNodes = cacheable.filter((type) => isObjectType(type) && !type.getInterfaces().some((i) => i.name === 'Node'));
    // App: listed to admin tokens by `apps` only (not a database row the Prisma plugin loads).
    expect(notNodes.map((type) => type.name)).toEqual(['App']);
    for (const name of ['Identity', 'Friendship', 'AuditLog', 'UserCustomer', 'Customer', 'Group', 'ImportJob', 'MergeEvent']) {
      expect(cacheable.map((type) => type.name)).toContain(name);
    }
  });
});

describe('a Relay client passes every id it got back', () => {
  it('groups: group, groups(parentId), createGroup(parentId), members, filters and createCustomer take global ids', async () => {
    const [a, b] = [await newCustomer('a'), await newCustomer('b')];
    const project = (await ok('mutation { createGroup(name: "P", kind: PROJECT) { id groupId } }')).createGroup;
    const cls = (
      await ok('mutation ($p: ID) { createGroup(name: "C", kind: CLASS, parentId: $p) { id parent { id } } }', { p: project.id })
    ).createGroup;
    expect(cls.parent.id).toBe(project.id);
    await expectNode(cls.id, 'Group');

    expect((await ok('query ($id: ID!) { group(id: $id) { id } }', { id: cls.id })).group.id).toBe(cls.id);
    const children = await ok('query ($p: ID) { groups(parentId: $p) { edges { node { id } } } }', { p: project.id });
    expect(children.groups.edges.map((e: any) => e.node.id)).toEqual([cls.id]);

    const members = 'mutation ($g: ID!, $c: [ID!]!) { addGroupMembers(groupId: $g, customerIds: $c) { changed groupId } }';
    expect((await ok(members, { g: cls.id, c: [a, b] })).addGroupMembers.changed).toBe(2);
    const filtered = await ok('query ($g: ID) { customers(filter: { groupId: $g }) { totalCount } }', { g: cls.id });
    expect(filtered.customers.totalCount).toBe(2);
    const removed = await ok(members.replace('addGroupMembers', 'removeGroupMembers'), { g: cls.id, c: [b] });
    expect(removed.removeGroupMembers.changed).toBe(1);

    const created = await ok(
      'mutation ($g: [ID!]) { createCustomer(profile: { name: "c" }, groupIds: $g) { customer { groups { id } } } }',
      { g: [cls.id] },
    );
    expect(created.createCustomer.customer.groups).toEqual([{ id: cls.id }]);

    const input = { identityList: [{ identityType: 'email', identityValue: 'relay@example.com' }], groupId: cls.id };
    const explained = await ok('query ($i: CreateCustomerByIdentityInput!) { explainResolution(input: $i) { groupId } }', { i: input });
    expect(explained.explainResolution.groupId).toBe(numberOf(cls.id));
    const resolved = await ok(
      'mutation ($i: CreateCustomerByIdentityInput!) { createCustomerByIdentity(input: $i) { customer { groups { id } } } }',
      { i: input },
    );
    expect(resolved.createCustomerByIdentity.customer.groups).toEqual([{ id: cls.id }]);
  });

  it('customers: identities, friendships and follow links have ids node() answers; merges and unmerges take global ids', async () => {
    const [a, b, c] = [await newCustomer('a'), await newCustomer('b'), await newCustomer('c', 'external_id')];
    await ok('mutation ($c: ID!, $f: [ID!]!) { addFriends(customerId: $c, friendIds: $f) { changed } }', { c: a, f: [b] });
    await ok('mutation ($c: ID!) { followCustomer(userId: "u1", customerId: $c) { customerId } }', { c: a });
    const read = await ok(
      `query ($id: ID!) { customer(id: $id) { id identities { id } friendships { id friend { id } }
        followers { id userCustomerId } } }`,
      { id: a },
    );
    const { identities, friendships, followers } = read.customer;
    expect(friendships).toHaveLength(1);
    expect(friendships[0].friend.id).toBe(b);
    await expectNode(identities[0].id, 'Identity');
    await expectNode(friendships[0].id, 'Friendship');
    await expectNode(followers[0].id, 'UserCustomer');
    expect(followers[0].id).toBe(encodeGlobalID('UserCustomer', followers[0].userCustomerId));
    const link = await ok('query ($c: ID!) { userCustomer(userId: "u1", customerId: $c) { id } }', { c: a });
    expect(link.userCustomer.id).toBe(followers[0].id);

    const merged = await ok('mutation ($t: ID!, $s: [ID!]!) { mergeCustomers(targetId: $t, sourceIds: $s) { mergeEvents { id } } }', {
      t: a,
      s: [c],
    });
    const eventId = merged.mergeCustomers.mergeEvents[0].id;
    await expectNode(eventId, 'MergeEvent');
    const events = await ok('query ($c: ID) { mergeEvents(customerId: $c) { edges { node { id } } } }', { c: c });
    expect(events.mergeEvents.edges.map((e: any) => e.node.id)).toEqual([eventId]);
    const unmerged = await ok('mutation ($e: ID!) { unmergeCustomer(mergeEventId: $e) { customer { id } } }', { e: eventId });
    expect(unmerged.unmergeCustomer.customer.id).toBe(c);

    const audit = await ok('query ($e: String) { auditLog(first: 3, filter: { entityId: $e }) { edges { node { id entityType } } } }', {
      e: a,
    });
    expect(audit.auditLog.edges.length).toBeGreaterThan(0);
    expect(audit.auditLog.edges.every((e: any) => e.node.entityType === 'Customer')).toBe(true);
    await expectNode(audit.auditLog.edges[0].node.id, 'AuditLog');
    // An audit entry is admin's: to any other token it is as unknown as a missing one.
    const asReader = await t.graphql(NODE, { id: audit.auditLog.edges[0].node.id }, { token: t.tokens.readWrite });
    expect(asReader.body).toEqual({ data: { node: null } });

    await ok('mutation ($c: ID!, $f: [ID!]!) { removeFriends(customerId: $c, friendIds: $f) { changed } }', { c: a, f: [b] });
    await ok('mutation ($c: [ID!]!) { unfollowCustomers(userId: "u1", customerIds: $c) { removed } }', { c: [a] });
    await ok('mutation ($id: ID!) { deleteCustomer(id: $id) { customerId } }', { id: b });
    expect((await ok(NODE, { id: b })).node).toBeNull();
  });

  it('configuration and import jobs: ids from the lists are answered by node() and taken back', async () => {
    const lists = await ok('{ identityTypes { id } attributeDefinitions { id } apps { id appKey } }');
    await expectNode(lists.identityTypes[0].id, 'IdentityType');
    await expectNode(lists.attributeDefinitions[0].id, 'AttributeDefinition');
    expect(lists.apps[0].id).toBe(encodeGlobalID('App', lists.apps[0].appKey));

    const job = await ok('mutation ($input: ImportCustomersInput!) { importCustomers(input: $input) { id batchId } }', {
      input: {
        kind: 'PROFILE',
        publicParams: { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 },
        profiles: [{ phone: '13911112222' }],
      },
    });
    const { id, batchId } = job.importCustomers;
    const listed = await ok('{ importJobs(first: 5) { edges { node { id } } } }');
    expect(listed.importJobs.edges.map((e: any) => e.node.id)).toContain(id);
    expect((await ok('query ($id: ID!) { importJob(id: $id) { batchId } }', { id })).importJob.batchId).toBe(batchId);
    await expectNode(id, 'ImportJob');
    const stream = await subscribe(url, 'subscription ($id: ID!) { importJobProgress(id: $id) { id } }', { id }, t.tokens.all);
    expect(await stream.next()).toEqual({ event: 'next', data: { data: { importJobProgress: { id } } } });
    stream.close();
  });

  it('still takes plain numbers, as literals and as JSON numbers in ID variables (REST and people)', async () => {
    const group = (await ok('mutation { createGroup(name: "N") { groupId } }')).createGroup.groupId;
    const customer = numberOf(await newCustomer('n'));
    const added = await ok(`mutation { addGroupMembers(groupId: ${group}, customerIds: [${customer}]) { changed } }`);
    expect(added.addGroupMembers.changed).toBe(1);
    const read = await ok('query ($g: ID!) { group(id: $g) { groupId memberCount } }', { g: group });
    expect(read.group).toEqual({ groupId: group, memberCount: 1 });
  });
});

describe('an id of the wrong type', () => {
  it('is BAD_INPUT naming the argument, and writes nothing', async () => {
    const customer = await newCustomer('w');
    const groupNumber = (await ok('mutation { createGroup(name: "W") { groupId } }')).createGroup.groupId;
    const group = encodeGlobalID('Group', groupNumber);
    const cases: [string, string, Record<string, unknown>][] = [
      ['query ($v: ID!) { group(id: $v) { id } }', 'id', { v: customer }],
      ['query ($v: ID) { groups(parentId: $v) { edges { cursor } } }', 'parentId', { v: customer }],
      ['query ($v: ID!) { importJob(id: $v) { id } }', 'id', { v: group }],
      ['query ($v: ID!) { customer(id: $v) { id } }', 'id', { v: group }],
      ['query ($v: ID) { customers(filter: { groupId: $v }) { totalCount } }', 'filter.groupId', { v: customer }],
      ['query ($v: ID) { mergeEvents(customerId: $v) { totalCount } }', 'customerId', { v: group }],
      [
        'query ($v: String) { auditLog(filter: { entityType: "Group", entityId: $v }) { edges { cursor } } }',
        'filter.entityId',
        { v: customer },
      ],
      [
        'mutation ($v: ID!, $c: [ID!]!) { addGroupMembers(groupId: $v, customerIds: $c) { changed } }',
        'groupId',
        { v: customer, c: [customer] },
      ],
      [
        'mutation ($v: [ID!]!) { addGroupMembers(groupId: "W", customerIds: $v) { changed } }'.replace('"W"', `"${group}"`),
        'customerIds[1]',
        { v: [customer, group] },
      ],
      [
        'mutation ($v: [ID!]!) { removeGroupMembers(groupId: "W", customerIds: $v) { changed } }'.replace('"W"', `"${group}"`),
        'customerIds[0]',
        { v: [group] },
      ],
      ['mutation ($v: ID) { createGroup(name: "X", parentId: $v) { id } }', 'parentId', { v: customer }],
      ['mutation ($v: [ID!]) { createCustomer(profile: { name: "x" }, groupIds: $v) { customerId } }', 'groupIds[0]', { v: [customer] }],
      [
        'mutation ($v: ID) { createCustomerByIdentity(input: { identityList: [{ identityType: "email", identityValue: "w@example.com" }], groupId: $v }) { customerId } }',
        'groupId',
        { v: customer },
      ],
      ['mutation ($v: ID!) { unmergeCustomer(mergeEventId: $v) { customerId } }', 'mergeEventId', { v: customer }],
      ['mutation ($v: ID!) { mergeCustomers(targetId: $v, sourceIds: ["1"]) { customerId } }', 'targetId', { v: group }],
      ['mutation ($v: [ID!]!) { addFriends(customerId: "1", friendIds: $v) { changed } }', 'friendIds[0]', { v: [group] }],
      ['mutation ($v: ID!) { followCustomer(userId: "u", customerId: $v) { customerId } }', 'customerId', { v: group }],
      ['mutation ($v: ID!) { deleteCustomer(id: $v) { customerId } }', 'id', { v: group }],
    ];
    const [customers, groups, members] = [
      await t.prisma.customer.count(),
      await t.prisma.group.count(),
      await t.prisma.groupMember.count(),
    ];
    for (const [query, field, variables] of cases) {
      const res = await t.graphql(query, variables);
      const error = res.body.errors?.[0];
      expect({ query, code: error?.extensions?.code, field: error?.extensions?.issues?.[0]?.field }).toEqual({
        query,
        code: 'BAD_INPUT',
        field,
      });
      expect(error.message).toMatch(/is the id of a (Customer|Group), not of a/);
    }
    const garbage = await t.graphql('{ group(id: "garbage!!") { id } }');
    expect(garbage.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_INPUT', issues: [{ field: 'id' }] } });
    expect([await t.prisma.customer.count(), await t.prisma.group.count(), await t.prisma.groupMember.count()]).toEqual([
      customers,
      groups,
      members,
    ]);
  });
});

describe('a merged-away id', () => {
  it('reads as its survivor through customer (number or global id), node and nodes alike (one rule)', async () => {
    const survivor = await newCustomer('survivor');
    const merged = await newCustomer('merged-away', 'external_id');
    await ok('mutation ($t: ID!, $s: [ID!]!) { mergeCustomers(targetId: $t, sourceIds: $s) { customerId } }', { t: survivor, s: [merged] });
    const mergedNumber = String(numberOf(merged));
    const reads = await ok(
      `query ($g: ID!, $n: ID!) { byGlobal: customer(id: $g) { id name } byNumber: customer(id: $n) { id }
        node(id: $g) { id ... on Customer { name } } nodes(ids: [$g]) { id } }`,
      { g: merged, n: mergedNumber },
    );
    expect(reads).toEqual({
      byGlobal: { id: survivor, name: 'survivor' },
      byNumber: { id: survivor },
      node: { id: survivor, name: 'survivor' },
      nodes: [{ id: survivor }],
    });
  });
});

describe("Apollo Client's InMemoryCache", () => {
  it('normalises Identity, Friendship, UserCustomer and AuditLog by __typename and id, and takes the ids back', async () => {
    const [a, b] = [await newCustomer('apollo a'), await newCustomer('apollo b')];
    await ok('mutation ($c: ID!, $f: [ID!]!) { addFriends(customerId: $c, friendIds: $f) { changed } }', { c: a, f: [b] });
    await ok('mutation ($c: ID!) { followCustomer(userId: "apollo-user", customerId: $c) { customerId } }', { c: a });
    const link = new HttpLink({ uri: `${url}/graphql`, headers: { authorization: `Bearer ${t.tokens.all}` } });
    const client = new ApolloClient({ link, cache: new InMemoryCache() });
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the answer is read as any, as tests read JSON
    const { data } = await client.query<any>({
      query: gql`
        query ($id: ID!) {
          customer(id: $id) {
            id
            identities {
              id
              identityValue
            }
            friendships {
              id
              friend {
                id
              }
            }
            followers {
              id
              userId
            }
          }
          auditLog(first: 2) {
            edges {
              node {
                id
                action
              }
            }
          }
        }
      `,
      variables: { id: a },
    });
    const cached = client.cache.extract() as Record<string, unknown>;
    const keys = [
      `Customer:${a}`,
      `Customer:${b}`,
      `Identity:${data.customer.identities[0].id}`,
      `Friendship:${data.customer.friendships[0].id}`,
      `UserCustomer:${data.customer.followers[0].id}`,
      ...data.auditLog.edges.map((e: any) => `AuditLog:${e.node.id}`),
    ];
    for (const key of keys) expect(Object.keys(cached)).toContain(key);

    // An id from the cache goes back as it is: node() answers the same cache entry.
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the answer is read as any, as tests read JSON
    const again = await client.query<any>({
      query: gql`
        query ($id: ID!) {
          node(id: $id) {
            id
            ... on Friendship {
              friend {
                id
              }
            }
          }
        }
      `,
      variables: { id: data.customer.friendships[0].id },
    });
    expect(again.data.node).toMatchObject({ __typename: 'Friendship', id: data.customer.friendships[0].id, friend: { id: b } });
    client.stop();
  });
});
