// Walks the schema: every field reachable from Query, Mutation or Subscription whose type is
// Customer, ImportJob or Node (or a list of them), and every subscription that streams them,
// must have a probe below. Each probe reaches the field once with a visible object (and must see
// it: the probe is real) and once with a hidden one: a deleted customer, a merged-away tombstone,
// another app's import job. The hidden one must not appear. A new field that returns customer or
// import-job data fails the first test until a probe for it is added here.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { getNamedType, isInterfaceType, isObjectType, type GraphQLNamedType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';
import { startTestGateway, tokenFor, type TestGateway } from '../support/gateway.ts';
import { subscribe } from '../support/sse.ts';

const GUARDED = new Set(['Customer', 'ImportJob', 'Node']);

/** Fields (Type.field) reachable from the roots whose named type is guarded; subscriptions reaching one. */
function guardedFields(): string[] {
  const reaches = new Map<string, boolean>();
  const reachesGuarded = (type: GraphQLNamedType, seen = new Set<string>()): boolean => {
    if (GUARDED.has(type.name)) return true;
    if (!isObjectType(type) && !isInterfaceType(type)) return false;
    if (reaches.has(type.name)) return reaches.get(type.name)!;
    if (seen.has(type.name)) return false;
    seen.add(type.name);
    const result = Object.values(type.getFields()).some((f) => reachesGuarded(getNamedType(f.type), seen));
    reaches.set(type.name, result);
    return result;
  };
  const found = new Set<string>();
  const visited = new Set<string>();
  const walk = (type: GraphQLNamedType) => {
    if (visited.has(type.name) || (!isObjectType(type) && !isInterfaceType(type))) return;
    visited.add(type.name);
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (GUARDED.has(named.name)) found.add(`${type.name}.${field.name}`);
      if (type.name === 'Subscription' && reachesGuarded(named)) found.add(`${type.name}.${field.name}`);
      walk(named);
    }
    // Through an interface: every type implementing it is reachable.
    if (isInterfaceType(type)) for (const impl of schema.getPossibleTypes(type)) walk(impl);
  };
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) if (root) walk(root);
  return [...found].sort();
}

let t: TestGateway;
let url: string;
const f = {
  mine: '',
  foreign: '',
  live: 0,
  friend: 0,
  deleted: 0,
  deletedPhone: '13700000003',
  tomb: 0,
  survivor: 0,
  unmergedEvent: 0,
  ownJob: 0,
  foreignJob: 0,
};

async function gql(query: string, variables: Record<string, unknown> = {}, token = t.tokens.all): Promise<any> {
  const res = await t.graphql(query, variables, { token });
  return res.body;
}

async function customer(name: string, identityType: string, identityValue: string): Promise<number> {
  const body = await gql(
    `mutation($n: String, $ty: String!, $v: String!) {
    createCustomer(profile: { name: $n }, identities: [{ identityType: $ty, identityValue: $v }]) { customerId } }`,
    { n: name, ty: identityType, v: identityValue },
  );
  expect(body.errors).toBeUndefined();
  return body.data.createCustomer.customerId;
}

async function submitJob(token: string, phone: string): Promise<number> {
  const body = await gql(
    `mutation($input: ImportCustomersInput!) { importCustomers(input: $input) { batchId } }`,
    { input: { kind: 'PROFILE', publicParams: { isMatching: false, importMode: 2 }, profiles: [{ phone, realName: 'x' }] } },
    token,
  );
  expect(body.errors).toBeUndefined();
  return body.data.importCustomers.batchId;
}

beforeAll(async () => {
  t = await startTestGateway();
  url = await t.gateway.app.listen({ port: 0, host: '127.0.0.1' });
  f.mine = await tokenFor(t.prisma, ['customer:read', 'customer:write'], 'mine');
  f.foreign = await tokenFor(t.prisma, ['customer:read', 'customer:write'], 'foreign');
  f.live = await customer('VISIBLE live', 'phone', '13700000001');
  f.friend = await customer('VISIBLE friend', 'phone', '13700000002');
  f.deleted = await customer('HIDDEN deleted', 'phone', f.deletedPhone);
  f.survivor = await customer('VISIBLE survivor', 'phone', '13700000004');
  f.tomb = await customer('HIDDEN tombstone', 'external_id', 'tomb-1');
  const pair = [
    await customer('VISIBLE unmerged', 'email', 'un1@example.test'),
    await customer('VISIBLE merge target', 'external_id', 'un-2'),
  ];
  for (const other of [f.friend, f.deleted, f.tomb]) {
    expect((await gql(`mutation { addFriends(customerId: "${f.live}", friendIds: ["${other}"]) { changed } }`)).errors).toBeUndefined();
  }
  for (const id of [f.live, f.deleted]) {
    expect((await gql(`mutation { followCustomer(userId: "u-probe", customerId: "${id}") { userId } }`)).errors).toBeUndefined();
  }
  expect((await gql(`mutation { deleteCustomer(id: "${f.deleted}") { customerId } }`)).errors).toBeUndefined();
  expect(
    (await gql(`mutation { mergeCustomers(targetId: "${f.survivor}", sourceIds: ["${f.tomb}"]) { customerId } }`)).errors,
  ).toBeUndefined();
  const merged = await gql(`mutation { mergeCustomers(targetId: "${pair[1]}", sourceIds: ["${pair[0]}"]) { mergeEventIds } }`);
  f.unmergedEvent = merged.data.mergeCustomers.mergeEventIds[0];
  expect((await gql(`mutation { unmergeCustomer(mergeEventId: ${f.unmergedEvent}) { customerId } }`)).errors).toBeUndefined();
  f.ownJob = await submitJob(f.mine, '13700000010');
  f.foreignJob = await submitJob(f.foreign, '13700000011');
});
afterAll(() => t.close());

interface Seen {
  /** The response, as text. */
  text: string;
  /** What the visible run must show (a name or batchId): the probe really reaches the field. */
  shows: string;
}

interface Probe {
  visible: () => Promise<Seen>;
  /** Reaches the field with hidden objects; null with `why` when the field cannot be handed one. */
  hidden: (() => Promise<string>) | null;
  why?: string;
}

const text = (body: unknown) => JSON.stringify(body);
const job = (id: number) => `"batchId":${id}`;
const NAME = '{ customerId name }';
/** The global id of the friendship row customer → friend. */
const friendshipId = (customer: number, friend: number) => Buffer.from(`Friendship:${customer}:${friend}`).toString('base64');

async function streamFirst(
  query: string,
  variables: Record<string, unknown>,
  token: string,
  afterOpen?: () => Promise<void>,
): Promise<string> {
  const stream = await subscribe(url, query, variables, token);
  try {
    if (stream.status !== 200) return text(stream.body);
    if (afterOpen) {
      // Wait until the server listens, then cause an event.
      for (let i = 0; i < 400 && t.gateway.services.pubsub.listening('customerChanged', variables.id as number) === 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      await afterOpen();
    }
    return text(await stream.next(30_000));
  } finally {
    stream.close();
  }
}

const CHANGES = `subscription($id: ID!) { customerChanged(id: $id) { kind customerId customer ${NAME} } }`;
const PROGRESS = `subscription($id: ID!) { importJobProgress(id: $id) { batchId status } }`;

const probes: Record<string, Probe> = {
  'Query.customer': {
    visible: async () => ({ text: text(await gql(`{ customer(id: "${f.live}") ${NAME} }`)), shows: 'VISIBLE live' }),
    hidden: async () => text([await gql(`{ customer(id: "${f.deleted}") ${NAME} }`), await gql(`{ customer(id: "${f.tomb}") ${NAME} }`)]),
  },
  'Query.customerByIdentity': {
    visible: async () => ({
      text: text(await gql(`{ customerByIdentity(identityType: "phone", identityValue: "13700000001") ${NAME} }`)),
      shows: 'VISIBLE live',
    }),
    hidden: async () => text(await gql(`{ customerByIdentity(identityType: "phone", identityValue: "${f.deletedPhone}") ${NAME} }`)),
  },
  'QueryCustomersConnectionEdge.node': {
    visible: async () => ({ text: text(await gql(`{ customers(first: 100) { edges { node ${NAME} } } }`)), shows: 'VISIBLE live' }),
    hidden: async () => text(await gql(`{ customers(first: 100) { edges { node ${NAME} } } }`)),
  },
  'Query.node': {
    visible: async () => ({
      text: text([
        await gql(`{ node(id: "${encodeGlobalID('Customer', f.live)}") { ... on Customer ${NAME} } }`),
        await gql(`{ node(id: "${encodeGlobalID('ImportJob', f.ownJob)}") { ... on ImportJob { batchId } } }`, {}, f.mine),
      ]),
      shows: 'VISIBLE live',
    }),
    hidden: async () =>
      text([
        ...(await Promise.all(
          [f.deleted, f.tomb].map((id) => gql(`{ node(id: "${encodeGlobalID('Customer', id)}") { ... on Customer ${NAME} } }`)),
        )),
        await gql(`{ node(id: "${encodeGlobalID('ImportJob', f.foreignJob)}") { ... on ImportJob { batchId } } }`, {}, f.mine),
      ]),
  },
  'Query.nodes': {
    visible: async () => ({
      text: text(await gql(`{ nodes(ids: ["${encodeGlobalID('ImportJob', f.ownJob)}"]) { ... on ImportJob { batchId } } }`, {}, f.mine)),
      shows: job(f.ownJob),
    }),
    hidden: async () =>
      text(
        await gql(
          `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer ${NAME} ... on ImportJob { batchId } } }`,
          {
            ids: [encodeGlobalID('Customer', f.deleted), encodeGlobalID('Customer', f.tomb), encodeGlobalID('ImportJob', f.foreignJob)],
          },
          f.mine,
        ),
      ),
  },
  'Customer.friends': {
    visible: async () => ({ text: text(await gql(`{ customer(id: "${f.live}") { friends ${NAME} } }`)), shows: 'VISIBLE friend' }),
    hidden: async () => text(await gql(`{ customer(id: "${f.live}") { friends ${NAME} } }`)),
  },
  'Friendship.friend': {
    visible: async () => ({
      text: text(await gql(`{ customer(id: "${f.live}") { friendships { friend ${NAME} } } }`)),
      shows: 'VISIBLE friend',
    }),
    hidden: async () =>
      text([
        await gql(`{ customer(id: "${f.live}") { friendships { friend ${NAME} } } }`),
        await gql(`{ node(id: "${friendshipId(f.live, f.deleted)}") { ... on Friendship { friend ${NAME} } } }`),
        await gql(`{ node(id: "${friendshipId(f.live, f.tomb)}") { ... on Friendship { friend ${NAME} } } }`),
      ]),
  },
  'Friendship.customer': {
    visible: async () => ({
      text: text(await gql(`{ customer(id: "${f.live}") { friendships { customer ${NAME} } } }`)),
      shows: 'VISIBLE live',
    }),
    hidden: async () =>
      text([
        await gql(`{ node(id: "${friendshipId(f.deleted, f.live)}") { ... on Friendship { customer ${NAME} } } }`),
        await gql(`{ node(id: "${friendshipId(f.tomb, f.live)}") { ... on Friendship { customer ${NAME} } } }`),
      ]),
  },
  'Identity.customer': {
    visible: async () => ({
      text: text(await gql(`{ customer(id: "${f.live}") { identities { customer ${NAME} } } }`)),
      shows: 'VISIBLE live',
    }),
    hidden: null,
    why: 'identities of a deleted customer are deleted with it, and a merge moves the tombstone’s to the survivor',
  },
  'UserCustomer.customer': {
    visible: async () => ({
      text: text(await gql(`{ userCustomer(userId: "u-probe", customerId: "${f.live}") { customer ${NAME} } }`)),
      shows: 'VISIBLE live',
    }),
    hidden: async () => text(await gql(`{ userCustomers(filter: { userId: "u-probe" }) { edges { node { customer ${NAME} } } } }`)),
  },
  'MergeEvent.source': {
    visible: async () => ({ text: text(await gql(`{ mergeEvents { edges { node { source ${NAME} } } } }`)), shows: 'VISIBLE unmerged' }),
    hidden: async () => text(await gql(`{ mergeEvents(customerId: "${f.survivor}") { edges { node { source ${NAME} } } } }`)),
  },
  'MergeEvent.target': {
    visible: async () => ({
      text: text(await gql(`{ mergeEvents(customerId: "${f.survivor}") { edges { node { target ${NAME} } } } }`)),
      shows: 'VISIBLE survivor',
    }),
    hidden: async () => {
      // A merge whose target was deleted afterwards.
      const a = await customer('HIDDEN target later deleted', 'external_id', 'gone-target');
      const b = await customer('source of a deleted target', 'email', 'gone@example.test');
      await gql(`mutation { mergeCustomers(targetId: "${a}", sourceIds: ["${b}"]) { customerId } }`);
      await gql(`mutation { deleteCustomer(id: "${a}") { customerId } }`);
      return text(await gql(`{ mergeEvents { edges { node { target ${NAME} } } } }`));
    },
  },
  'CustomerPayload.customer': {
    visible: async () => ({
      text: text(await gql(`mutation { updateCustomer(id: "${f.live}", profile: { remark: "r" }) { customer ${NAME} } }`)),
      shows: 'VISIBLE live',
    }),
    hidden: async () => {
      const id = await customer('HIDDEN deleted by this call', 'external_id', 'payload-del');
      return text(await gql(`mutation { deleteCustomer(id: "${id}") { customer ${NAME} } }`));
    },
  },
  'CreateCustomerByIdentityPayload.customer': {
    visible: async () => ({
      text: text(
        await gql(
          `mutation { createCustomerByIdentity(input: { name: "VISIBLE by identity", identityList: [{ identityType: "external_id", identityValue: "cbi-1" }] }) { customer ${NAME} } }`,
        ),
      ),
      shows: 'VISIBLE by identity',
    }),
    hidden: null,
    why: 'it answers the customer the call just wrote, live when its transaction committed',
  },
  'MergeCustomersPayload.customer': {
    visible: async () => {
      const a = await customer('VISIBLE merge survivor 2', 'external_id', 'ms-a');
      const b = await customer('merged away 2', 'email', 'msb@example.test');
      return {
        text: text(await gql(`mutation { mergeCustomers(targetId: "${a}", sourceIds: ["${b}"]) { customer ${NAME} } }`)),
        shows: 'VISIBLE merge survivor 2',
      };
    },
    hidden: null,
    why: 'it answers the survivor the call just merged into',
  },
  'UnmergeCustomerPayload.customer': {
    visible: async () => {
      const a = await customer('merge target 3', 'external_id', 'um-a');
      const b = await customer('VISIBLE brought back', 'email', 'umb@example.test');
      const merged = await gql(`mutation { mergeCustomers(targetId: "${a}", sourceIds: ["${b}"]) { mergeEventIds } }`);
      const id = merged.data.mergeCustomers.mergeEventIds[0];
      return {
        text: text(await gql(`mutation { unmergeCustomer(mergeEventId: ${id}) { customer ${NAME} } }`)),
        shows: 'VISIBLE brought back',
      };
    },
    hidden: null,
    why: 'it answers the customer the call just brought back to life',
  },
  'ResolutionExplanation.targetCustomer': {
    visible: async () => ({
      text: text(
        await gql(
          `{ explainResolution(input: { identityList: [{ identityType: "phone", identityValue: "13700000001" }] }) { targetCustomer ${NAME} } }`,
        ),
      ),
      shows: 'VISIBLE live',
    }),
    hidden: async () =>
      text(
        await gql(
          `{ explainResolution(input: { identityList: [{ identityType: "phone", identityValue: "${f.deletedPhone}" }, { identityType: "external_id", identityValue: "tomb-1" }] }) { targetCustomer ${NAME} } }`,
        ),
      ),
  },
  'Subscription.customerChanged': {
    visible: async () => ({
      text: await streamFirst(CHANGES, { id: f.live }, t.tokens.read, async () => {
        await gql(`mutation { updateCustomer(id: "${f.live}", profile: { remark: "s" }) { customerId } }`);
      }),
      shows: 'VISIBLE live',
    }),
    hidden: async () => streamFirst(CHANGES, { id: f.deleted }, t.tokens.read),
  },
  'CustomerChange.customer': {
    visible: async () => ({
      text: await streamFirst(CHANGES, { id: f.friend }, t.tokens.read, async () => {
        await gql(`mutation { updateCustomer(id: "${f.friend}", profile: { remark: "s" }) { customerId } }`);
      }),
      shows: 'VISIBLE friend',
    }),
    hidden: async () => {
      const id = await customer('HIDDEN deleted while watched', 'external_id', 'watched');
      return streamFirst(CHANGES, { id }, t.tokens.read, async () => {
        await gql(`mutation { deleteCustomer(id: "${id}") { customerId } }`);
      });
    },
  },
  'Query.importJob': {
    visible: async () => ({ text: text(await gql(`{ importJob(id: ${f.ownJob}) { batchId } }`, {}, f.mine)), shows: job(f.ownJob) }),
    hidden: async () => text(await gql(`{ importJob(id: ${f.foreignJob}) { batchId } }`, {}, f.mine)),
  },
  'QueryImportJobsConnectionEdge.node': {
    visible: async () => ({
      text: text(await gql(`{ importJobs(first: 100) { edges { node { batchId } } } }`, {}, f.mine)),
      shows: job(f.ownJob),
    }),
    hidden: async () => text(await gql(`{ importJobs(first: 100) { edges { node { batchId } } } }`, {}, f.mine)),
  },
  'Mutation.importCustomers': {
    visible: async () => {
      const body = await gql(
        `mutation { importCustomers(input: { kind: PROFILE, publicParams: { isMatching: false, importMode: 2 }, profiles: [{ realName: "x" }] }) { batchId origin } }`,
        {},
        f.mine,
      );
      return { text: text(body), shows: '"origin":"GRAPHQL"' };
    },
    hidden: null,
    why: 'it answers the job the caller just submitted',
  },
  'Subscription.importJobProgress': {
    visible: async () => ({ text: await streamFirst(PROGRESS, { id: f.ownJob }, f.mine), shows: job(f.ownJob) }),
    hidden: async () => streamFirst(PROGRESS, { id: f.foreignJob }, f.mine),
  },
};

describe('the visibility of every field returning customers or import jobs', () => {
  it('every such field has a probe (add one to `probes` for a new field)', () => {
    expect(Object.keys(probes).sort()).toEqual(guardedFields());
  });

  it.each(Object.entries(probes))('%s', async (_field, probe) => {
    const visible = await probe.visible();
    expect(visible.text).toContain(visible.shows);
    expect(visible.text).not.toContain('INTERNAL');
    if (!probe.hidden) {
      expect(probe.why).toBeTruthy();
      return;
    }
    const hidden = await probe.hidden();
    expect(hidden).not.toContain('HIDDEN');
    expect(hidden).not.toContain(job(f.foreignJob));
    expect(hidden).not.toContain('INTERNAL');
  });
});
