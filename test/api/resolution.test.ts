// createCustomerByIdentity, customerIdByIdentityList and explainResolution (CONTRACT §5):
// every strategy combination on scenarios with 0 to 3 existing customers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const createMutation = `mutation ($input: CreateCustomerByIdentityInput!) {
  createCustomerByIdentity(input: $input) { customerId created mergedCustomerIds mergeEventIds }
}`;
const targetQuery = `query ($list: [IdentityInput!]!, $p: IdentityPriorityStrategy, $t: TargetCustomerStrategy) {
  customerIdByIdentityList(identityList: $list, identityPriorityStrategy: $p, targetCustomerStrategy: $t)
}`;
const explainQuery = `query ($input: CreateCustomerByIdentityInput!) {
  explainResolution(input: $input) {
    identityPriorityStrategy targetCustomerStrategy autoMerge
    identities { rank listIndex identityType identityValue priority unique customerId reason }
    duplicates { listIndex sameAsListIndex reason }
    candidates { customerId foundByListIndex chosen reason }
    conflicts { stage customerId identityType givenValue heldValue reason }
    targetCustomerId wouldCreate targetReason
    attachments { listIndex identityType identityValue attach reason }
    merges { customerId merge conflictingType reason }
    profileFields extendAttrKeys groupId userIds steps
  }
}`;

type Priority = 'system' | 'custom';
type Target = 'identityFirst' | 'customerFirst';
interface Combo {
  priority: Priority;
  target: Target;
  autoMerge: boolean;
}
/** "type:symbol", e.g. "phone:p"; the symbol becomes a value unique to the test case. */
type Sym = string;
interface Expected {
  /** A customer name, or "new" for a customer the call creates. */
  target: string;
  merged: string[];
  /** Who holds each identity afterwards: a customer name, "new", or null for nobody. */
  owners: Record<Sym, string | null>;
}
interface Scenario {
  name: string;
  customers: Record<string, Sym[]>;
  list: Sym[];
  expected: (combo: Combo) => Expected;
}

const scenarios: Scenario[] = [
  {
    name: '0 customers: a new one with every identity',
    customers: {},
    list: ['phone:p', 'email:e'],
    expected: () => ({ target: 'new', merged: [], owners: { 'phone:p': 'new', 'email:e': 'new' } }),
  },
  {
    name: '1 customer found by a lower-priority identity',
    customers: { A: ['phone:p'] },
    list: ['email:e', 'phone:p'],
    expected: () => ({ target: 'A', merged: [], owners: { 'phone:p': 'A', 'email:e': 'A' } }),
  },
  {
    name: '2 customers without conflict: the order decides the target, autoMerge folds the other in',
    customers: { A: ['phone:p'], B: ['email:e'] },
    list: ['email:e', 'phone:p'],
    expected: ({ priority, autoMerge }) => {
      // system: phone (30) before email (40) finds A first; custom: email first finds B.
      const [target, other] = priority === 'system' ? ['A', 'B'] : ['B', 'A'];
      const otherSym = priority === 'system' ? 'email:e' : 'phone:p';
      return {
        target,
        merged: autoMerge ? [other] : [],
        owners: {
          'email:e': priority === 'system' ? 'A' : 'B',
          'phone:p': priority === 'system' ? 'A' : 'B',
          [otherSym]: autoMerge ? target : other,
        },
      };
    },
  },
  {
    name: '2 customers, the first found conflicts with a free unionid of higher priority',
    customers: { A: ['phone:p', 'unionid:u2'], B: ['email:e'] },
    list: ['email:e', 'phone:p', 'unionid:u'],
    expected: ({ priority, target, autoMerge }) => {
      if (priority === 'system' && target === 'customerFirst') {
        // unionid u is free but A holds u2: A stays the target, u is not attached; B merges in.
        return {
          target: 'A',
          merged: autoMerge ? ['B'] : [],
          owners: { 'unionid:u': null, 'unionid:u2': 'A', 'phone:p': 'A', 'email:e': autoMerge ? 'A' : 'B' },
        };
      }
      // identityFirst passes A over (it conflicts with unionid u); custom finds B first anyway.
      // A never merges into B: both would hold a unionid.
      return { target: 'B', merged: [], owners: { 'unionid:u': 'B', 'unionid:u2': 'A', 'phone:p': 'A', 'email:e': 'B' } };
    },
  },
  {
    name: '1 customer conflicting with the highest identity: identityFirst creates a new customer',
    customers: { A: ['phone:p', 'unionid:u2'] },
    list: ['phone:p', 'unionid:u'],
    expected: ({ priority, target }) =>
      priority === 'system' && target === 'identityFirst'
        ? { target: 'new', merged: [], owners: { 'unionid:u': 'new', 'phone:p': 'A', 'unionid:u2': 'A' } }
        : { target: 'A', merged: [], owners: { 'unionid:u': null, 'phone:p': 'A', 'unionid:u2': 'A' } },
  },
  {
    name: '3 customers: system picks the unionid holder, custom the e-mail holder; a phone conflict blocks one merge',
    customers: { A: ['unionid:u'], B: ['phone:p'], C: ['email:e', 'phone:p2'] },
    list: ['email:e', 'phone:p', 'unionid:u'],
    expected: ({ priority, autoMerge }) =>
      priority === 'system'
        ? {
            target: 'A',
            merged: autoMerge ? ['B'] : [],
            owners: { 'unionid:u': 'A', 'phone:p': autoMerge ? 'A' : 'B', 'email:e': 'C', 'phone:p2': 'C' },
          }
        : {
            target: 'C',
            merged: autoMerge ? ['A'] : [],
            owners: { 'unionid:u': autoMerge ? 'C' : 'A', 'phone:p': 'B', 'email:e': 'C', 'phone:p2': 'C' },
          },
  },
  {
    name: '3 customers: custom identityFirst passes over two conflicting candidates',
    customers: { A: ['phone:p', 'username:n2'], B: ['email:e', 'phone:p3'], C: ['qq:q'] },
    list: ['username:n', 'phone:p', 'email:e', 'qq:q'],
    expected: ({ priority, target, autoMerge }) =>
      priority === 'custom' && target === 'identityFirst'
        ? {
            // A holds another username than n, B another phone than p: C is the target.
            target: 'C',
            merged: autoMerge ? ['B'] : [],
            owners: {
              'username:n': 'C',
              'phone:p': 'A',
              'email:e': autoMerge ? 'C' : 'B',
              'qq:q': 'C',
              'username:n2': 'A',
              'phone:p3': autoMerge ? 'C' : 'B',
            },
          }
        : {
            // phone p finds A first; username n is not attached (A holds n2); B conflicts on phone.
            target: 'A',
            merged: autoMerge ? ['C'] : [],
            owners: {
              'username:n': null,
              'phone:p': 'A',
              'email:e': 'B',
              'qq:q': autoMerge ? 'A' : 'C',
              'username:n2': 'A',
              'phone:p3': 'B',
            },
          },
  },
  {
    name: 'openid is not unique: another openid neither conflicts nor blocks a merge',
    customers: { A: ['openid:o1', 'phone:p'], B: ['openid:o3'] },
    list: ['phone:p', 'openid:o3', 'openid:o4'],
    expected: ({ priority, autoMerge }) => {
      // system: openid (20) before phone (30): B is found first; custom: phone first finds A.
      const [target, other] = priority === 'system' ? ['B', 'A'] : ['A', 'B'];
      const owner = (of: string) => (autoMerge ? target : of);
      return {
        target,
        merged: autoMerge ? [other] : [],
        owners: { 'phone:p': owner('A'), 'openid:o1': owner('A'), 'openid:o3': owner('B'), 'openid:o4': target },
      };
    },
  },
];

const combos: Combo[] = (['system', 'custom'] as const).flatMap((priority) =>
  (['identityFirst', 'customerFirst'] as const).flatMap((target) => [false, true].map((autoMerge) => ({ priority, target, autoMerge }))),
);

let caseNo = 0;
function valueOf(sym: Sym, n: number): { identityType: string; identityValue: string } {
  const [type, name] = sym.split(':');
  const code = Array.from(name).reduce((acc, ch) => acc * 31 + ch.charCodeAt(0), 7) % 10_000;
  const tag = `${String(n).padStart(4, '0')}${String(code).padStart(4, '0')}`;
  if (type === 'phone' || type === 'qq') return { identityType: type, identityValue: `139${tag}` };
  if (type === 'email') return { identityType: type, identityValue: `${name}.${tag}@example.test` };
  return { identityType: type, identityValue: `${name}-${tag}` };
}

const cases = scenarios.flatMap((scenario) =>
  combos.map((combo) => [scenario.name, combo.priority, combo.target, combo.autoMerge, scenario, combo] as const),
);

describe('createCustomerByIdentity: every strategy combination', () => {
  it.each(cases)('%s — %s / %s / autoMerge %s', async (_name, _p, _t, _m, scenario, combo) => {
    const n = ++caseNo;
    const ids: Record<string, number> = {};
    for (const [name, syms] of Object.entries(scenario.customers)) {
      const created = await t.prisma.customer.create({
        data: {
          name: `case${n}-${name}`,
          identities: { create: syms.map((s) => valueOf(s, n)).map((v) => ({ type: v.identityType, value: v.identityValue })) },
        },
      });
      ids[name] = created.id;
    }
    const list = scenario.list.map((s) => valueOf(s, n));
    const input = {
      identityList: list,
      identityPriorityStrategy: combo.priority,
      targetCustomerStrategy: combo.target,
      autoMerge: combo.autoMerge,
    };
    const expected = scenario.expected(combo);
    const nameOf = (id: number | null, createdId?: number) =>
      id === null ? null : (Object.entries(ids).find(([, v]) => v === id)?.[0] ?? (id === createdId ? 'new' : `?${id}`));

    // The read-only query and the dry run agree with what the mutation then does, and write nothing.
    const before = await t.prisma.customer.count();
    const predicted = await t.graphql(targetQuery, { list, p: combo.priority, t: combo.target });
    expect(predicted.body.errors).toBeUndefined();
    expect(predicted.body.data.customerIdByIdentityList).toBe(expected.target === 'new' ? null : ids[expected.target]);
    const explained = await t.graphql(explainQuery, { input });
    expect(explained.body.errors).toBeUndefined();
    const e = explained.body.data.explainResolution;
    expect(e.wouldCreate).toBe(expected.target === 'new');
    expect(e.targetCustomerId).toBe(expected.target === 'new' ? null : ids[expected.target]);
    expect(e.merges.filter((m: any) => m.merge).map((m: any) => nameOf(m.customerId))).toEqual(expected.merged);
    expect(await t.prisma.customer.count()).toBe(before);

    const res = await t.graphql(createMutation, { input });
    expect(res.body.errors).toBeUndefined();
    const out = res.body.data.createCustomerByIdentity;
    expect(out.created).toBe(expected.target === 'new');
    if (expected.target === 'new') expect(Object.values(ids)).not.toContain(out.customerId);
    else expect(out.customerId).toBe(ids[expected.target]);
    expect(out.mergedCustomerIds.map((id: number) => nameOf(id))).toEqual(expected.merged);
    expect(out.mergeEventIds).toHaveLength(expected.merged.length);
    expect(await t.prisma.customer.count()).toBe(before + (expected.target === 'new' ? 1 : 0));

    for (const [sym, owner] of Object.entries(expected.owners)) {
      const { identityType, identityValue } = valueOf(sym, n);
      const row = await t.prisma.identity.findUnique({ where: { type_value: { type: identityType, value: identityValue } } });
      expect([sym, nameOf(row?.customerId ?? null, out.customerId)]).toEqual([sym, owner]);
    }
    for (const merged of expected.merged) {
      const tomb = await t.prisma.customer.findUniqueOrThrow({ where: { id: ids[merged] }, include: { identities: true } });
      expect(tomb.mergedIntoId).toBe(out.customerId);
      expect(tomb.identities).toEqual([]);
    }
  });

  it.each(combos.map((c) => [c.priority, c.target, c.autoMerge, c] as const))(
    'a (type, value) repeated in the list, once normalised, counts once — %s / %s / autoMerge %s',
    async (_p, _t, _m, combo) => {
      const n = ++caseNo;
      const digits = `1390000${String(n).padStart(4, '0')}`;
      const input = {
        identityList: [
          { identityType: 'phone', identityValue: `+${digits.slice(0, 3)} ${digits.slice(3, 7)}-${digits.slice(7)}` },
          { identityType: 'email', identityValue: ` Dup.${n}@Example.TEST ` },
          { identityType: 'phone', identityValue: digits },
          { identityType: 'email', identityValue: `dup.${n}@example.test` },
        ],
        identityPriorityStrategy: combo.priority,
        targetCustomerStrategy: combo.target,
        autoMerge: combo.autoMerge,
      };
      const explained = await t.graphql(explainQuery, { input });
      expect(explained.body.data.explainResolution.duplicates.map((d: any) => [d.listIndex, d.sameAsListIndex])).toEqual([
        [2, 0],
        [3, 1],
      ]);
      const first = await t.graphql(createMutation, { input });
      expect(first.body.data.createCustomerByIdentity.created).toBe(true);
      const id = first.body.data.createCustomerByIdentity.customerId;
      const held = await t.prisma.identity.findMany({ where: { customerId: id }, orderBy: { type: 'asc' } });
      expect(held.map((i) => [i.type, i.value])).toEqual([
        ['email', `dup.${n}@example.test`],
        ['phone', digits],
      ]);
      const again = await t.graphql(createMutation, { input });
      expect(again.body.data.createCustomerByIdentity).toMatchObject({ customerId: id, created: false, mergedCustomerIds: [] });
    },
  );
});

describe('createCustomerByIdentity: input checks', () => {
  const bad: [string, Record<string, unknown>, string, string][] = [
    [
      'two phones',
      {
        identityList: [
          { identityType: 'phone', identityValue: '13911110001' },
          { identityType: 'phone', identityValue: '13911110002' },
        ],
      },
      'BAD_INPUT',
      'identityList[1]',
    ],
    ['an unknown type', { identityList: [{ identityType: 'fax', identityValue: '1' }] }, 'BAD_INPUT', 'identityList[0].identityType'],
    ['an empty value', { identityList: [{ identityType: 'phone', identityValue: ' - ' }] }, 'BAD_INPUT', 'identityList[0].identityValue'],
    ['an empty list', { identityList: [] }, 'BAD_INPUT', 'identityList'],
    ['a bad profile field', { identityList: [{ identityType: 'qq', identityValue: '5550001' }], gender: 7 }, 'BAD_INPUT', 'gender'],
    [
      'a bad birthday',
      { identityList: [{ identityType: 'qq', identityValue: '5550001' }], birthday: '2021-02-30' },
      'BAD_INPUT',
      'birthday',
    ],
    [
      'a bad attribute key',
      { identityList: [{ identityType: 'qq', identityValue: '5550001' }], extendAttrList: [{ attrKey: '1 bad', attrValue: 'x' }] },
      'BAD_INPUT',
      'extendAttrList[0].attrKey',
    ],
    [
      'a profile field as attribute',
      { identityList: [{ identityType: 'qq', identityValue: '5550001' }], extendAttrList: [{ attrKey: 'city', attrValue: 'x' }] },
      'BAD_INPUT',
      'extendAttrList[0].attrKey',
    ],
    [
      'a value of the wrong type',
      { identityList: [{ identityType: 'qq', identityValue: '5550001' }], extendAttrList: [{ attrKey: 'loginCount', attrValue: 'many' }] },
      'BAD_INPUT',
      'extendAttrList[0].attrValue',
    ],
    [
      'an empty user id',
      { identityList: [{ identityType: 'qq', identityValue: '5550001' }], userIdList: ['u1', ' '] },
      'BAD_INPUT',
      'userIdList[1]',
    ],
    ['an unknown group', { identityList: [{ identityType: 'qq', identityValue: '5550001' }], groupId: 987654 }, 'NOT_FOUND', 'groupId'],
  ];
  it.each(bad)('refuses %s, naming the field, and writes nothing', async (_name, input, code, field) => {
    const before = { customers: await t.prisma.customer.count(), identities: await t.prisma.identity.count() };
    for (const op of [createMutation, explainQuery]) {
      const res = await t.graphql(op, { input });
      expect(res.body.errors[0].extensions.code).toBe(code);
      expect(res.body.errors[0].extensions.issues.map((i: any) => i.field)).toContain(field);
    }
    expect({ customers: await t.prisma.customer.count(), identities: await t.prisma.identity.count() }).toEqual(before);
  });

  it('names every bad field at once', async () => {
    const res = await t.graphql(createMutation, {
      input: { identityList: [{ identityType: 'fax', identityValue: '1' }], gender: 9, userIdList: [''] },
    });
    expect(res.body.errors[0].extensions.issues.map((i: any) => i.field).sort()).toEqual([
      'gender',
      'identityList[0].identityType',
      'userIdList[0]',
    ]);
  });
});

describe('createCustomerByIdentity: fields, attributes, group and follow links', () => {
  it('writes them onto a new target, then onto the found target: given values win, absent ones are left alone', async () => {
    const group = await t.graphql('mutation { createGroup(name: "resolution-vip") { groupId } }');
    const groupId = group.body.data.createGroup.groupId;
    const identityList = [{ identityType: 'phone', identityValue: '13955550001' }];
    const first = await t.graphql(createMutation, {
      input: {
        identityList,
        name: '李四',
        gender: 2,
        city: '合肥',
        deptCodeList: ['D1'],
        source3: 'taobao',
        extendAttrList: [
          { attrKey: 'vipLevel', attrName: '会员等级', attrValue: 'gold' },
          { attrKey: 'loginCount', attrValue: '3' },
        ],
        groupId,
        userIdList: ['sales-1', 'sales-2', 'sales-1'],
      },
    });
    expect(first.body.errors).toBeUndefined();
    const id = first.body.data.createCustomerByIdentity.customerId;
    const read = `query ($id: ID!) { customer(id: $id) { name gender city company deptCodeList source3
      extendedAttributes { attrKey attrName attrValue } groups { groupId } followers { userId } identities { identityType identityValue } } }`;
    const readBack = async () => {
      const customer = (await t.graphql(read, { id: String(id) })).body.data.customer;
      customer.extendedAttributes.sort((x: any, y: any) => x.attrKey.localeCompare(y.attrKey));
      customer.followers.sort((x: any, y: any) => x.userId.localeCompare(y.userId));
      return customer;
    };
    expect(await readBack()).toEqual({
      name: '李四',
      gender: 2,
      city: '合肥',
      company: null,
      deptCodeList: ['D1'],
      source3: 'taobao',
      extendedAttributes: [
        { attrKey: 'loginCount', attrName: '登录次数', attrValue: '3' },
        { attrKey: 'vipLevel', attrName: '会员等级', attrValue: 'gold' },
      ],
      groups: [{ groupId }],
      followers: [{ userId: 'sales-1' }, { userId: 'sales-2' }],
      identities: [{ identityType: 'phone', identityValue: '13955550001' }],
    });

    // Second call, autoMerge false: the given fields are still written; gender 0 (unknown), null
    // and empty text leave the target's values; the existing follow link is kept, not duplicated.
    const second = await t.graphql(createMutation, {
      input: {
        identityList: [...identityList, { identityType: 'email', identityValue: 'lisi@example.test' }],
        city: '上海',
        company: 'ACME',
        gender: 0,
        name: null,
        source3: '',
        extendAttrList: [
          { attrKey: 'vipLevel', attrValue: 'platinum' },
          { attrKey: 'loginCount', attrValue: null },
        ],
        userIdList: ['sales-2', 'sales-3'],
      },
    });
    expect(second.body.data.createCustomerByIdentity).toMatchObject({ customerId: id, created: false });
    const two = await readBack();
    expect(two).toMatchObject({
      name: '李四',
      gender: 2,
      city: '上海',
      company: 'ACME',
      source3: 'taobao',
      followers: [{ userId: 'sales-1' }, { userId: 'sales-2' }, { userId: 'sales-3' }],
      identities: [
        { identityType: 'phone', identityValue: '13955550001' },
        { identityType: 'email', identityValue: 'lisi@example.test' },
      ],
    });
    expect(two.extendedAttributes.map((a: any) => [a.attrKey, a.attrValue])).toEqual([
      ['loginCount', '3'],
      ['vipLevel', 'platinum'],
    ]);
  });

  it('returns the customer in the payload for a token with the read scope', async () => {
    const res = await t.graphql(
      `mutation { createCustomerByIdentity(input: { identityList: [{ identityType: "username", identityValue: "payload-user" }], nickName: "pu" }) {
        customerId customer { nickName identities { identityType identityValue } } } }`,
    );
    expect(res.body.data.createCustomerByIdentity.customer).toEqual({
      nickName: 'pu',
      identities: [{ identityType: 'username', identityValue: 'payload-user' }],
    });
  });
});

describe('tombstones and released identities', () => {
  it('an identity still stored on a merged customer resolves to the survivor', async () => {
    const a = await t.prisma.customer.create({ data: { name: 'tomb-a' } });
    const b = await t.prisma.customer.create({ data: { name: 'tomb-b', identities: { create: [{ type: 'qq', value: '77001' }] } } });
    const merged = await t.graphql('mutation ($t: ID!, $s: [ID!]!) { mergeCustomers(targetId: $t, sourceIds: $s) { customerId } }', {
      t: String(b.id),
      s: [String(a.id)],
    });
    expect(merged.body.data.mergeCustomers.customerId).toBe(b.id);
    // Odd data (written before merges moved identities): a row left on the tombstone.
    await t.prisma.identity.create({ data: { type: 'username', value: 'left-on-tombstone', customerId: a.id } });
    const list = [{ identityType: 'username', identityValue: 'left-on-tombstone' }];
    expect((await t.graphql(targetQuery, { list })).body.data.customerIdByIdentityList).toBe(b.id);
    const res = await t.graphql(createMutation, { input: { identityList: list } });
    expect(res.body.data.createCustomerByIdentity).toMatchObject({ customerId: b.id, created: false });
    const byId = await t.graphql(`{ customer(id: "${a.id}") { customerId } }`);
    expect(byId.body.data.customer.customerId).toBe(b.id);
  });

  it('an identity released by a deleted customer goes to the new target', async () => {
    const gone = await t.prisma.customer.create({ data: { name: 'gone', identities: { create: [{ type: 'qq', value: '77002' }] } } });
    await t.graphql(`mutation { deleteCustomer(id: "${gone.id}") { customerId } }`);
    // Odd data again: a row left on the deleted customer is free to take.
    await t.prisma.identity.create({ data: { type: 'username', value: 'left-on-deleted', customerId: gone.id } });
    const res = await t.graphql(createMutation, {
      input: {
        identityList: [
          { identityType: 'qq', identityValue: '77002' },
          { identityType: 'username', identityValue: 'left-on-deleted' },
        ],
      },
    });
    const { customerId, created } = res.body.data.createCustomerByIdentity;
    expect(created).toBe(true);
    expect(customerId).not.toBe(gone.id);
    const rows = await t.prisma.identity.findMany({
      where: {
        OR: [
          { type: 'qq', value: '77002' },
          { type: 'username', value: 'left-on-deleted' },
        ],
      },
    });
    expect(rows.map((r) => r.customerId)).toEqual([customerId, customerId]);
  });
});

describe('explainResolution', () => {
  it('explains each step with its reason, and writes nothing', async () => {
    const a = await t.prisma.customer.create({
      data: {
        name: 'ex-a',
        identities: {
          create: [
            { type: 'phone', value: '13966660001' },
            { type: 'username', value: 'ex-n2' },
          ],
        },
      },
    });
    const b = await t.prisma.customer.create({
      data: {
        name: 'ex-b',
        identities: {
          create: [
            { type: 'email', value: 'ex@example.test' },
            { type: 'phone', value: '13966660003' },
          ],
        },
      },
    });
    const c = await t.prisma.customer.create({ data: { name: 'ex-c', identities: { create: [{ type: 'qq', value: '66001' }] } } });
    const input = {
      identityList: [
        { identityType: 'username', identityValue: 'ex-n' },
        { identityType: 'phone', identityValue: '139-6666-0001' },
        { identityType: 'email', identityValue: 'EX@example.test' },
        { identityType: 'qq', identityValue: '66001' },
        { identityType: 'openid', identityValue: 'ex-o1' },
      ],
      identityPriorityStrategy: 'custom',
      targetCustomerStrategy: 'identityFirst',
      autoMerge: true,
      city: '北京',
      groupId: null,
      userIdList: ['u-ex'],
    };
    const counts = async () => ({
      customers: await t.prisma.customer.count(),
      identities: await t.prisma.identity.count(),
      merges: await t.prisma.mergeEvent.count(),
      links: await t.prisma.userCustomer.count(),
    });
    const before = await counts();
    const res = await t.graphql(explainQuery, { input });
    expect(res.body.errors).toBeUndefined();
    const e = res.body.data.explainResolution;
    expect(await counts()).toEqual(before);

    expect(e.identities.map((i: any) => [i.rank, i.listIndex, i.identityType, i.identityValue, i.customerId])).toEqual([
      [0, 0, 'username', 'ex-n', null],
      [1, 1, 'phone', '13966660001', a.id],
      [2, 2, 'email', 'ex@example.test', b.id],
      [3, 3, 'qq', '66001', c.id],
      [4, 4, 'openid', 'ex-o1', null],
    ]);
    expect(e.identities[0].reason).toBe('belongs to no customer');
    expect(e.identities[1].reason).toBe(`belongs to customer ${a.id}`);
    expect(e.candidates.map((x: any) => [x.customerId, x.chosen])).toEqual([
      [a.id, false],
      [b.id, false],
      [c.id, true],
    ]);
    expect(e.candidates[0].reason).toContain('holds username "ex-n2"');
    expect(e.candidates[1].reason).toContain('holds phone "13966660003"');
    expect(e.conflicts.map((x: any) => [x.stage, x.customerId, x.identityType, x.givenValue, x.heldValue])).toEqual([
      ['TARGET', a.id, 'username', 'ex-n', 'ex-n2'],
      ['TARGET', b.id, 'phone', '13966660001', '13966660003'],
      ['MERGE', a.id, 'username', null, 'ex-n2'],
    ]);
    expect(e).toMatchObject({ targetCustomerId: c.id, wouldCreate: false, profileFields: ['city'], userIds: ['u-ex'], groupId: null });
    expect(e.attachments.map((x: any) => [x.identityType, x.attach])).toEqual([
      ['username', true],
      ['phone', false],
      ['email', false],
      ['qq', false],
      ['openid', true],
    ]);
    expect(e.attachments[1].reason).toBe(`belongs to customer ${a.id}, not to the target`);
    expect(e.attachments[3].reason).toBe('already belongs to the target');
    expect(e.merges).toEqual([
      { customerId: a.id, merge: false, conflictingType: 'username', reason: expect.stringContaining('username "ex-n2"') },
      { customerId: b.id, merge: true, conflictingType: null, reason: expect.stringContaining('is merged into the target') },
    ]);
    expect(e.steps[0]).toMatch(/^Identities ordered by custom priority/);
    expect(e.steps.length).toBeGreaterThan(10);

    // The mutation does what the explanation said.
    const done = await t.graphql(createMutation, { input });
    expect(done.body.data.createCustomerByIdentity).toMatchObject({ customerId: c.id, created: false, mergedCustomerIds: [b.id] });
  });

  it('says a new customer would be created when none is found', async () => {
    const res = await t.graphql(explainQuery, { input: { identityList: [{ identityType: 'external_id', identityValue: 'nobody-yet' }] } });
    expect(res.body.data.explainResolution).toMatchObject({
      identityPriorityStrategy: 'system',
      targetCustomerStrategy: 'identityFirst',
      autoMerge: false,
      targetCustomerId: null,
      wouldCreate: true,
      targetReason: expect.stringContaining('a new customer is created'),
      attachments: [{ identityType: 'external_id', identityValue: 'nobody-yet', attach: true, listIndex: 0, reason: expect.any(String) }],
    });
    expect(await t.prisma.identity.count({ where: { value: 'nobody-yet' } })).toBe(0);
  });
});

describe('scopes', () => {
  const input = { identityList: [{ identityType: 'qq', identityValue: '88001' }] };
  it.each([
    ['createCustomerByIdentity', createMutation, { input }],
    ['mergeCustomers', 'mutation { mergeCustomers(targetId: "1", sourceIds: ["2"]) { customerId } }', {}],
    ['unmergeCustomer', 'mutation { unmergeCustomer(mergeEventId: 1) { customerId } }', {}],
  ])('a read token cannot call %s: 403', async (_name, query, variables) => {
    const res = await t.graphql(query, variables, { token: t.tokens.read });
    expect(res.status).toBe(403);
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it.each([
    ['customerIdByIdentityList', targetQuery, { list: input.identityList }],
    ['explainResolution', explainQuery, { input }],
    ['mergeEvents', '{ mergeEvents(first: 5) { totalCount } }', {}],
  ])('a write token cannot call %s: 403', async (_name, query, variables) => {
    const res = await t.graphql(query, variables, { token: t.tokens.write });
    expect(res.status).toBe(403);
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('a write token creates, and reads only the ids back', async () => {
    const res = await t.graphql(createMutation, { input }, { token: t.tokens.write });
    expect(res.status).toBe(200);
    expect(res.body.data.createCustomerByIdentity.created).toBe(true);
    expect(await t.prisma.identity.count({ where: { type: 'qq', value: '88001' } })).toBe(1);
  });
});
