import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { liveCustomerWhere } from '../../src/domain/visibility.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const create = `mutation ($profile: CustomerProfileInput, $identities: [IdentityInput!]) {
  createCustomer(profile: $profile, identities: $identities) { customerId }
}`;

async function newCustomer(profile: Record<string, unknown>, identities: { identityType: string; identityValue: string }[] = []) {
  const res = await t.graphql(create, { profile, identities });
  expect(res.body.errors).toBeUndefined();
  return res.body.data.createCustomer.customerId as number;
}

describe('customers', () => {
  it('creates a customer with seed 001 profile fields and normalised identities, and reads it back', async () => {
    const id = await newCustomer(
      {
        name: '张三',
        nickName: 'zs',
        gender: 1,
        birthday: '1990-05-01',
        province: '安徽省',
        source3: 'taobao',
        deptCodeList: ['D1', 'D2'],
        isEmployee: 1,
      },
      [
        { identityType: 'phone', identityValue: '+86 137-6534-8726' },
        { identityType: 'email', identityValue: ' Zhang.San@Example.COM ' },
      ],
    );
    const res = await t.graphql(
      `query ($id: ID!) { customer(id: $id) { customerId name nickName gender birthday province source3 deptCodeList isEmployee
        identities { identityType identityValue } } }`,
      { id: String(id) },
    );
    expect(res.body.data.customer).toEqual({
      customerId: id,
      name: '张三',
      nickName: 'zs',
      gender: 1,
      birthday: '1990-05-01',
      province: '安徽省',
      source3: 'taobao',
      deptCodeList: ['D1', 'D2'],
      isEmployee: 1,
      identities: [
        { identityType: 'phone', identityValue: '8613765348726' },
        { identityType: 'email', identityValue: 'zhang.san@example.com' },
      ],
    });
    const byEmail = await t.graphql('{ customerByIdentity(identityType: "email", identityValue: "ZHANG.SAN@example.com") { customerId } }');
    expect(byEmail.body.data.customerByIdentity.customerId).toBe(id);
  });

  it.each([
    [{ gender: 3 }, 'profile.gender'],
    [{ birthday: '2021-02-30' }, 'profile.birthday'],
    [{ email: 'not-an-email' }, 'profile.email'],
    [{ mobile: 'call me' }, 'profile.mobile'],
    [{ name: 'x'.repeat(300) }, 'profile.name'],
    [{ gender: 'male' }, 'profile.gender'],
  ])('rejects %j naming %s, and writes nothing', async (profile, field) => {
    const before = await t.prisma.customer.count();
    const res = await t.graphql(create, { profile });
    expect(res.body.errors[0].extensions.code).toBe('BAD_INPUT');
    expect(res.body.errors[0].message).toContain(field.replace('profile.', ''));
    expect(await t.prisma.customer.count()).toBe(before);
  });

  it('refuses an identity that belongs to another customer, naming it, and rolls the whole create back', async () => {
    await newCustomer({ name: 'a' }, [{ identityType: 'qq', identityValue: '10000' }]);
    const before = await t.prisma.customer.count();
    const res = await t.graphql(create, {
      profile: { name: 'b' },
      identities: [
        { identityType: 'username', identityValue: 'bee' },
        { identityType: 'qq', identityValue: '10000' },
      ],
    });
    expect(res.body.errors[0].extensions.code).toBe('CONFLICT');
    expect(await t.prisma.customer.count()).toBe(before);
    expect(await t.prisma.identity.count({ where: { type: 'username', value: 'bee' } })).toBe(0);
  });

  it('rejects an unknown identity type and an empty value', async () => {
    const unknown = await t.graphql(create, { identities: [{ identityType: 'fax', identityValue: '1' }] });
    expect(unknown.body.errors[0].message).toMatch(/identities\[0\]\.identityType.*unknown identity type "fax"/);
    const empty = await t.graphql(create, { identities: [{ identityType: 'phone', identityValue: '  ' }] });
    expect(empty.body.errors[0].message).toMatch(/identities\[0\]\.identityValue.*must not be empty/);
    const noDigits = await t.graphql(create, { identities: [{ identityType: 'phone', identityValue: ' - ' }] });
    expect(noDigits.body.errors[0].message).toMatch(/identities\[0\]\.identityValue.*is not a valid phone: it has no digits/);
  });

  it('updates fields, clears one with null, and leaves the others alone', async () => {
    const id = await newCustomer({ name: 'u', city: '合肥', company: 'ACME' });
    const res = await t.graphql(
      'mutation ($id: ID!) { updateCustomer(id: $id, profile: { city: "上海", company: null }) { customer { name city company } } }',
      { id: String(id) },
    );
    expect(res.body.data.updateCustomer.customer).toEqual({ name: 'u', city: '上海', company: null });
  });

  it('sets system and extended attributes one at a time, typed by the field', async () => {
    const id = await newCustomer({ name: 'attr' });
    const set = (name: string, value: string | null, extended: boolean) =>
      t.graphql(
        'mutation ($id: ID!, $n: String!, $v: String, $e: Boolean!) { setCustomerAttribute(customerId: $id, name: $n, value: $v, extended: $e) { customer { annualRevenue extendedAttributes { attrKey attrValue } } } }',
        { id: String(id), n: name, v: value, e: extended },
      );
    expect((await set('annualRevenue', '120000', false)).body.data.setCustomerAttribute.customer.annualRevenue).toBe(120000);
    const bad = await set('annualRevenue', 'lots', false);
    expect(bad.body.errors[0].message).toContain('attrValue');
    const unknown = await set('shoeSize', '42', false);
    expect(unknown.body.errors[0].message).toContain('unknown system attribute');
    const ext = await set('vipLevel', 'gold', true);
    expect(ext.body.data.setCustomerAttribute.customer.extendedAttributes).toEqual([{ attrKey: 'vipLevel', attrValue: 'gold' }]);
    const typed = await set('loginCount', 'many', true);
    expect(typed.body.errors[0].message).toContain('loginCount takes an integer');
  });

  it('deletes logically: gone from reads and lists, identities released for someone else', async () => {
    const id = await newCustomer({ name: 'gone' }, [{ identityType: 'phone', identityValue: '13900000001' }]);
    const del = await t.graphql('mutation ($id: ID!) { deleteCustomer(id: $id) { customerId } }', { id: String(id) });
    expect(del.body.data.deleteCustomer.customerId).toBe(id);
    expect((await t.graphql('query ($id: ID!) { customer(id: $id) { customerId } }', { id: String(id) })).body.data.customer).toBeNull();
    const row = await t.prisma.customer.findUniqueOrThrow({ where: { id } });
    expect(row.deletedAt).not.toBeNull();
    const list = await t.graphql('{ customers(first: 100) { edges { node { customerId } } } }');
    expect(list.body.data.customers.edges.map((e: any) => e.node.customerId)).not.toContain(id);
    const again = await newCustomer({ name: 'new owner' }, [{ identityType: 'phone', identityValue: '13900000001' }]);
    expect(again).not.toBe(id);
    const twice = await t.graphql('mutation ($id: ID!) { deleteCustomer(id: $id) { customerId } }', { id: String(id) });
    expect(twice.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('pages newest first with totalCount, offset and cursors, filtered by search and creation time', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        await newCustomer({ name: `pager-${i}`, nickName: `Nick${i}` }, [{ identityType: 'phone', identityValue: `1770000000${i}` }]),
      );
    const page = (args: string) =>
      t.graphql(`{ customers(${args}) { totalCount edges { node { customerId } } pageInfo { hasNextPage endCursor } } }`);
    const first = await page('first: 2, filter: { search: "pager" }');
    expect(first.body.data.customers.totalCount).toBe(5);
    expect(first.body.data.customers.edges.map((e: any) => e.node.customerId)).toEqual([ids[4], ids[3]]);
    const second = await page(`first: 2, after: "${first.body.data.customers.pageInfo.endCursor}", filter: { search: "pager" }`);
    expect(second.body.data.customers.edges.map((e: any) => e.node.customerId)).toEqual([ids[2], ids[1]]);
    const offset = await page('first: 2, offset: 4, filter: { search: "pager" }');
    expect(offset.body.data.customers.edges.map((e: any) => e.node.customerId)).toEqual([ids[0]]);
    const byPhone = await page('first: 5, filter: { search: "17700000003" }');
    expect(byPhone.body.data.customers.edges.map((e: any) => e.node.customerId)).toEqual([ids[3]]);
    const byNick = await page('first: 5, filter: { search: "nick2" }');
    expect(byNick.body.data.customers.edges.map((e: any) => e.node.customerId)).toEqual([ids[2]]);
    const future = await page(`first: 5, filter: { search: "pager", createdAfter: "${new Date(Date.now() + 60_000).toISOString()}" }`);
    expect(future.body.data.customers.totalCount).toBe(0);
  });

  // src/domain/search.ts finds a term's customers by trigrams (3+ characters), by two-character
  // substrings (2), or by a scan (1, short phone terms): every way gives the plain filter's rows.
  it('finds the same customers by search as the plain filter, whatever the term length', async () => {
    const made = [
      await newCustomer({ name: '龘伟', mobile: '15999990077' }),
      await newCustomer({ realName: '李龘伟民', nickName: 'QX-boss' }),
      await newCustomer({ nickName: 'qx' }, [{ identityType: 'phone', identityValue: '15899990088' }]),
      await newCustomer({ name: 'plain 龘' }),
      // A mobile with letters (data from before the phone rule): search_bigrams keeps its pairs.
      (await t.prisma.customer.create({ data: { mobile: 'tel-QX 9' } })).id,
    ];
    const plain = (term: string, digits: string) =>
      t.prisma.customer.findMany({
        select: { id: true },
        orderBy: { id: 'desc' },
        where: {
          ...liveCustomerWhere,
          OR: [
            { mobile: { contains: term } },
            ...(['name', 'realName', 'nickName'] as const).map((f) => ({ [f]: { contains: term, mode: 'insensitive' as const } })),
            ...(digits ? [{ identities: { some: { type: 'phone', value: { contains: digits } } } }] : []),
          ],
        },
      });
    for (const [term, digits] of [
      ['龘伟', ''],
      ['伟民', ''],
      ['qx', ''],
      ['QX', ''],
      ['x-', ''],
      ['L-', ''],
      ['+-', ''],
      ['X ', ''],
      ['龘 ', ''],
      ['龘', ''],
      ['q', ''],
      ['99', '99'],
      ['(99)', '99'],
      ['9 9', '99'],
      ['9990088', '9990088'],
      ['龘伟民', ''],
    ]) {
      const res = await t.graphql(
        'query ($s: String) { customers(first: 50, filter: { search: $s }) { totalCount edges { node { customerId } } } }',
        {
          s: term,
        },
      );
      const expected = (await plain(term.trim(), digits)).map((c) => c.id); // the filter trims the term
      expect(
        res.body.data.customers.edges.map((e: any) => e.node.customerId),
        term,
      ).toEqual(expected);
      expect(res.body.data.customers.totalCount, term).toBe(expected.length);
    }
    expect((await plain('龘伟', '')).map((c) => c.id)).toEqual([made[1], made[0]]);
    expect((await plain('qx', '')).map((c) => c.id)).toEqual([made[2], made[1]]);
    expect((await plain('QX', '')).map((c) => c.id)).toEqual([made[4], made[2], made[1]]);
  });

  it('resolves a merged customer id to its survivor, through chains', async () => {
    const a = await newCustomer({ name: 'a' });
    const b = await newCustomer({ name: 'b' });
    const c = await newCustomer({ name: 'c' });
    await t.prisma.customer.update({ where: { id: a }, data: { mergedIntoId: b } });
    await t.prisma.customer.update({ where: { id: b }, data: { mergedIntoId: c } });
    const res = await t.graphql('query ($id: ID!) { customer(id: $id) { customerId name } }', { id: String(a) });
    expect(res.body.data.customer).toEqual({ customerId: c, name: 'c' });
  });
});

describe('customers: groups on create, named identity conflicts, attribute values by key', () => {
  it('creates a customer in groups, refusing an unknown group and a taken identity by name, writing nothing', async () => {
    const group = (await t.graphql('mutation { createGroup(name: "新客") { groupId } }')).body.data.createGroup.groupId;
    const make =
      'mutation ($i: [IdentityInput!], $g: [ID!]) { createCustomer(identities: $i, groupIds: $g) { customerId customer { groups { groupId } } } }';
    const ok = await t.graphql(make, { i: [{ identityType: 'qq', identityValue: '77001' }], g: [group] });
    expect(ok.body.data.createCustomer.customer.groups).toEqual([{ groupId: group }]);

    const before = await t.prisma.customer.count();
    const taken = await t.graphql(make, {
      i: [
        { identityType: 'email', identityValue: 'new@x.cn' },
        { identityType: 'qq', identityValue: '77001' },
      ],
    });
    expect(taken.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', issues: [{ field: 'identities[1]' }] });
    const noGroup = await t.graphql(make, { i: [{ identityType: 'qq', identityValue: '77002' }], g: [group, 999999] });
    expect(noGroup.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', issues: [{ field: 'groupIds[1]' }] });
    expect(await t.prisma.customer.count()).toBe(before);
  });

  it('answers attribute values by key: profile fields with their label, extended attributes, unset keys as null', async () => {
    const id = await newCustomer({ name: '钱七', gender: 2, deptCodeList: ['D1', 'D2'] });
    await t.graphql(
      `mutation { setCustomerAttribute(customerId: "${id}", name: "tier", value: "A", extended: true, displayName: "等级") { customerId } }`,
    );
    const res = await t.graphql(
      `{ customer(id: "${id}") { attributeValues(keys: ["gender", "tier", "deptCodeList", "none", "gender"]) { attrKey attrName attrValue values extended } } }`,
    );
    expect(res.body.data.customer.attributeValues).toEqual([
      { attrKey: 'gender', attrName: '性别', attrValue: '2', values: ['2'], extended: false },
      { attrKey: 'tier', attrName: '等级', attrValue: 'A', values: ['A'], extended: true },
      { attrKey: 'deptCodeList', attrName: '组织架构编码列表', attrValue: 'D1,D2', values: ['D1', 'D2'], extended: false },
      { attrKey: 'none', attrName: 'none', attrValue: null, values: [], extended: true },
    ]);
  });
});
