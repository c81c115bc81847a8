// openapi family (seed 001): every route replays its example, answers the documented shape,
// refuses bad input without writing, and answers 401/403 in {"code":-1,"msg","data":null}.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { call, expectFailure, expectSuccess, routeOf } from '../support/rest.ts';

let t: TestGateway;
/** The customer the seed examples name (customerId 1001), holding the phone they look up. */
const SEEDED = 1001;
let groupId: number;

const customerCount = () => t.prisma.customer.count();

beforeAll(async () => {
  t = await startTestGateway();
  await t.prisma.customer.create({
    data: { id: SEEDED, name: '王五', gender: 2, province: '安徽省', identities: { create: [{ type: 'phone', value: '13765348726' }] } },
  });
  const attr = await t.graphql(
    `mutation { setCustomerAttribute(customerId: "${SEEDED}", name: "vipLevel", value: "gold", extended: true, displayName: "会员等级") { customerId } }`,
  );
  expect(attr.body.errors).toBeUndefined();
  groupId = (await t.graphql('mutation { createGroup(name: "VIP") { groupId } }')).body.data.createGroup.groupId;
  await t.graphql(`mutation { addGroupMembers(groupId: ${groupId}, customerIds: [${SEEDED}]) { changed } }`);
});
afterAll(() => t.close());

describe('POST /openapi/customer/add', () => {
  const route = routeOf('/openapi/customer/add');
  const example = route.example as Record<string, unknown>;

  it('replays the seed example: data is the new id; the mobile is its phone identity', async () => {
    const res = await call(t, route);
    expectSuccess(route, res);
    expect(res.body).toMatchObject({ code: 0, msg: 'success' });
    const created = await t.graphql(
      `{ customer(id: "${res.body.data}") { name mobile mobileVerified email gender province city district identities { identityType identityValue } groups { groupId } } }`,
    );
    const { identities, groups, ...profile } = created.body.data.customer;
    expect(profile).toEqual({
      name: example.name,
      mobile: example.mobile,
      mobileVerified: example.mobileVerified,
      email: example.email,
      gender: example.gender,
      province: example.province,
      city: example.city,
      district: example.district,
    });
    expect(identities).toEqual([{ identityType: 'phone', identityValue: example.mobile }]);
    expect(groups).toEqual([]);
  });

  it('puts the customer in groupId', async () => {
    const res = await call(t, route, { name: '赵六', mobile: '13900000001', groupId });
    expectSuccess(route, res);
    const groups = await t.graphql(`{ customer(id: "${res.body.data}") { groups { groupId } } }`);
    expect(groups.body.data.customer.groups).toEqual([{ groupId }]);
  });

  it('refuses a mobile that already belongs to a customer with 409 naming mobile, writing nothing', async () => {
    const before = await customerCount();
    const res = await call(t, route, { name: '重复', mobile: '137-6534-8726' });
    expectFailure(route, res, 409, 'mobile');
    expect(await customerCount()).toBe(before);
    expect((await t.prisma.customer.findUniqueOrThrow({ where: { id: SEEDED } })).name).toBe('王五');
  });

  it('refuses bad input naming the field, writing nothing', async () => {
    const before = await customerCount();
    expectFailure(route, await call(t, route, { mobile: '13900000002' }), 400, 'name');
    expectFailure(route, await call(t, route, { name: 'x' }), 400, 'mobile');
    expectFailure(route, await call(t, route, { ...example, mobile: '13900000002', gender: 'x' }), 400, 'gender');
    expectFailure(route, await call(t, route, { ...example, mobile: '13900000002', gender: 3 }), 400, 'gender');
    expectFailure(route, await call(t, route, { ...example, mobile: '13900000002', email: 'not-mail' }), 400, 'email');
    expectFailure(route, await call(t, route, { ...example, mobile: 'abc' }), 400, 'mobile');
    expectFailure(route, await call(t, route, { ...example, mobile: '13900000002', groupId: 999999 }), 404, 'groupId');
    expectFailure(route, await t.request('POST', route.path, { body: '[1,2]' }), 400, 'body');
    expect(await customerCount()).toBe(before);
  });

  it('answers 401 without a token and 403 without the write scope', async () => {
    expectFailure(route, await call(t, route, example, { token: null }), 401);
    expectFailure(route, await call(t, route, { ...example, mobile: '13900000003' }, { token: t.tokens.read }), 403);
  });
});

describe('GET /openapi/customer/customerInfo', () => {
  const route = routeOf('/openapi/customer/customerInfo');

  it('replays the seed example: the customer object with id, every profile field, attributes and identities', async () => {
    const res = await call(t, route);
    expectSuccess(route, res);
    expect(res.body.data).toMatchObject({ id: SEEDED, name: '王五', gender: 2, province: '安徽省', email: null, deptCodeList: [] });
    expect(res.body.data.extendAttrList).toEqual([{ attrKey: 'vipLevel', attrName: '会员等级', attrValue: 'gold' }]);
    expect(res.body.data.identityList).toEqual([{ identityType: 'phone', identityValue: '13765348726' }]);
  });

  it('refuses a customerId that is not an id, and answers 404 for an unknown one', async () => {
    expectFailure(route, await call(t, route, { customerId: 'abc' }), 400, 'customerId');
    expectFailure(route, await call(t, route, { customerId: '99999999999' }), 400, 'customerId');
    expectFailure(route, await call(t, route, { customerId: '999999' }), 404, 'customerId');
  });

  it('answers 401 with an unknown token and 403 without the read scope', async () => {
    expectFailure(route, await call(t, route, undefined, { token: 'nope' }), 401);
    expectFailure(route, await call(t, route, undefined, { token: t.tokens.write }), 403);
  });
});

describe('POST /openapi/customer-identity-ref/getCustomerIdByCustomerIdentity', () => {
  const route = routeOf('/openapi/customer-identity-ref/getCustomerIdByCustomerIdentity');

  it('replays the seed example: the customer holding the identity, same shape as customerInfo', async () => {
    const res = await call(t, route);
    expectSuccess(route, res);
    const info = await call(t, routeOf('/openapi/customer/customerInfo'), { customerId: String(SEEDED) });
    expect(res.body.data).toEqual(info.body.data);
  });

  it('normalises the value by its type, and answers 404 when nobody holds it', async () => {
    const res = await call(t, route, { identityType: 'phone', identityValue: '137 6534 8726' });
    expect(res.body.data.id).toBe(SEEDED);
    expectFailure(route, await call(t, route, { identityType: 'phone', identityValue: '10000000000' }), 404, 'identityValue');
  });

  it('refuses a missing value and an unknown identity type, naming them', async () => {
    expectFailure(route, await call(t, route, { identityType: 'phone' }), 400, 'identityValue');
    expectFailure(route, await call(t, route, { identityType: 'fax', identityValue: '1' }), 400, 'identityType');
  });

  it('answers 401 and 403 in the envelope', async () => {
    expectFailure(route, await call(t, route, undefined, { token: null }), 401);
    expectFailure(route, await call(t, route, undefined, { token: t.tokens.write }), 403);
  });
});

describe('GET /openapi/customer/simpleQuery', () => {
  const route = routeOf('/openapi/customer/simpleQuery');

  it('replays the seed example: {current, size, total, records} of live customers, newest first', async () => {
    const res = await call(t, route);
    expectSuccess(route, res);
    const live = await t.prisma.customer.findMany({ where: { deletedAt: null, mergedIntoId: null }, orderBy: { id: 'desc' } });
    expect(res.body.data).toMatchObject({ current: 1, size: 10, total: live.length });
    expect(res.body.data.records.map((r: { id: number }) => r.id)).toEqual(live.slice(0, 10).map((c) => c.id));
    const seeded = res.body.data.records.find((r: { id: number }) => r.id === SEEDED);
    expect(seeded).toMatchObject({ name: '王五', extendAttrList: [{ attrKey: 'vipLevel', attrName: '会员等级', attrValue: 'gold' }] });
  });

  it('filters by group, search key and creation time, and pages with current and size', async () => {
    const inGroup = await call(t, route, { groupId: String(groupId) });
    expect(inGroup.body.data.records.map((r: { id: number }) => r.id)).toContain(SEEDED);
    expect(inGroup.body.data.total).toBe(await t.prisma.groupMember.count({ where: { groupId } }));
    const search = await call(t, route, { searchKey: '王五' });
    expect(search.body.data.records.map((r: { id: number }) => r.id)).toEqual([SEEDED]);
    const future = await call(t, route, { startTime: '2999-01-01 00:00:00' });
    expect(future.body.data).toEqual({ current: 1, size: 10, total: 0, records: [] });
    const all = await call(t, route, { size: '100' });
    const second = await call(t, route, { current: '2', size: '1' });
    expect(second.body.data.records.map((r: { id: number }) => r.id)).toEqual([all.body.data.records[1].id]);
    expect(second.body.data).toMatchObject({ current: 2, size: 1, total: all.body.data.total });
  });

  it('refuses a bad time, a page size over 100 and a page below 1, naming the field', async () => {
    expectFailure(route, await call(t, route, { startTime: 'yesterday' }), 400, 'startTime');
    expectFailure(route, await call(t, route, { size: '101' }), 400, 'size');
    expectFailure(route, await call(t, route, { current: '0' }), 400, 'current');
    expectFailure(route, await call(t, route, { groupId: 'x' }), 400, 'groupId');
  });

  it('answers 401 and 403 in the envelope', async () => {
    expectFailure(route, await call(t, route, undefined, { token: null }), 401);
    expectFailure(route, await call(t, route, undefined, { token: t.tokens.write }), 403);
  });
});

describe('POST /openapi/customer/updateCustomerAttr', () => {
  const route = routeOf('/openapi/customer/updateCustomerAttr');
  const example = route.example as { attrName: string; attrValue: string; customerId: number };

  it('replays the seed example: sets the profile field', async () => {
    const res = await call(t, route);
    expectSuccess(route, res);
    expect(res.body).toEqual({ code: 0, msg: 'success', data: null });
    const customer = await t.prisma.customer.findUniqueOrThrow({ where: { id: example.customerId } });
    expect(customer[example.attrName as 'name']).toBe(example.attrValue);
  });

  it('sets an extended attribute, and reads a system value by the field’s type', async () => {
    expectSuccess(route, await call(t, route, { attrName: 'vipLevel', attrValue: 'platinum', customerId: SEEDED, isExtendAttr: true }));
    expectSuccess(route, await call(t, route, { attrName: 'gender', attrValue: '1', customerId: SEEDED, isExtendAttr: false }));
    const info = await call(t, routeOf('/openapi/customer/customerInfo'), { customerId: String(SEEDED) });
    expect(info.body.data.gender).toBe(1);
    expect(info.body.data.extendAttrList).toEqual([{ attrKey: 'vipLevel', attrName: '会员等级', attrValue: 'platinum' }]);
  });

  it('refuses bad input naming the field, writing nothing', async () => {
    const before = await t.prisma.customer.findUniqueOrThrow({ where: { id: SEEDED } });
    const values = await t.prisma.attributeValue.count();
    expectFailure(
      route,
      await call(t, route, { attrName: 'gender', attrValue: 'x', customerId: SEEDED, isExtendAttr: false }),
      400,
      'attrValue',
    );
    expectFailure(
      route,
      await call(t, route, { attrName: 'shoeSize', attrValue: '42', customerId: SEEDED, isExtendAttr: false }),
      400,
      'attrName',
    );
    expectFailure(route, await call(t, route, { attrName: 'name', attrValue: 'x', customerId: SEEDED }), 400, 'isExtendAttr');
    expectFailure(route, await call(t, route, { attrName: 'name', customerId: SEEDED, isExtendAttr: false }), 400, 'attrValue');
    expectFailure(
      route,
      await call(t, route, { attrName: 'bad key!', attrValue: 'x', customerId: SEEDED, isExtendAttr: true }),
      400,
      'attrName',
    );
    expectFailure(
      route,
      await call(t, route, { attrName: 'name', attrValue: 'x', customerId: 999999, isExtendAttr: false }),
      404,
      'customerId',
    );
    expect(await t.prisma.customer.findUniqueOrThrow({ where: { id: SEEDED } })).toEqual(before);
    expect(await t.prisma.attributeValue.count()).toBe(values);
  });

  it('answers 401 and 403 in the envelope', async () => {
    expectFailure(route, await call(t, route, undefined, { token: null }), 401);
    expectFailure(route, await call(t, route, undefined, { token: t.tokens.read }), 403);
  });
});

describe('POST /openapi/customer/queryAttrValuesByCustomerId', () => {
  const route = routeOf('/openapi/customer/queryAttrValuesByCustomerId');
  const example = route.example as { attrKeyList: string[]; customerId: number };

  it('replays the seed example: [{customerId, attrList}] with one entry per key, system and extended', async () => {
    const res = await call(t, route);
    expectSuccess(route, res);
    const customer = await t.prisma.customer.findUniqueOrThrow({ where: { id: example.customerId } });
    const vip = await t.prisma.attributeValue.findFirstOrThrow({
      where: { customerId: example.customerId, definition: { key: 'vipLevel' } },
    });
    expect(res.body.data).toEqual([
      {
        customerId: example.customerId,
        attrList: [
          { attrKey: 'name', attrName: '客户名称', attrValue: customer.name },
          { attrKey: 'gender', attrName: '性别', attrValue: String(customer.gender) },
          { attrKey: 'vipLevel', attrName: '会员等级', attrValue: vip.value },
        ],
      },
    ]);
  });

  it('answers null for a key nobody has set, and 404 for an unknown customer', async () => {
    const res = await call(t, route, { attrKeyList: ['neverSet', 'email'], customerId: SEEDED });
    expect(res.body.data[0].attrList).toEqual([
      { attrKey: 'neverSet', attrName: 'neverSet', attrValue: null },
      { attrKey: 'email', attrName: '邮箱', attrValue: null },
    ]);
    expectFailure(route, await call(t, route, { attrKeyList: ['name'], customerId: 999999 }), 404, 'customerId');
  });

  it('refuses a key list that is not a list or is too long, naming attrKeyList', async () => {
    expectFailure(route, await call(t, route, { attrKeyList: 'name', customerId: SEEDED }), 400, 'attrKeyList');
    expectFailure(route, await call(t, route, { attrKeyList: ['name', 3], customerId: SEEDED }), 400, 'attrKeyList[1]');
    const many = Array.from({ length: 101 }, (_, i) => `k${i}`);
    expectFailure(route, await call(t, route, { attrKeyList: many, customerId: SEEDED }), 400, 'attrKeyList');
  });

  it('answers 401 and 403 in the envelope', async () => {
    expectFailure(route, await call(t, route, undefined, { token: null }), 401);
    expectFailure(route, await call(t, route, undefined, { token: t.tokens.write }), 403);
  });
});

// Last: the seed example deletes the customer the other examples read.
describe('GET /openapi/customer/singleDelete', () => {
  const route = routeOf('/openapi/customer/singleDelete');

  it('answers 401 and 403 in the envelope, deleting nothing', async () => {
    expectFailure(route, await call(t, route, undefined, { token: null }), 401);
    expectFailure(route, await call(t, route, undefined, { token: t.tokens.read }), 403);
    expect((await t.prisma.customer.findUniqueOrThrow({ where: { id: SEEDED } })).deletedAt).toBeNull();
  });

  it('refuses a bad id naming customerId, deleting nothing', async () => {
    const live = await t.prisma.customer.count({ where: { deletedAt: null } });
    expectFailure(route, await call(t, route, { customerId: '-1' }), 400, 'customerId');
    expectFailure(route, await call(t, route, {}), 400, 'customerId');
    expectFailure(route, await call(t, route, { customerId: '999999' }), 404, 'customerId');
    expect(await t.prisma.customer.count({ where: { deletedAt: null } })).toBe(live);
  });

  it('replays the seed example: data null; the customer is gone and its phone released', async () => {
    const res = await call(t, route);
    expectSuccess(route, res);
    expect(res.body).toEqual({ code: 0, msg: 'success', data: null });
    expectFailure(routeOf('/openapi/customer/customerInfo'), await call(t, routeOf('/openapi/customer/customerInfo')), 404);
    expect(await t.prisma.identity.count({ where: { customerId: SEEDED } })).toBe(0);
    expectFailure(route, await call(t, route), 404, 'customerId');
  });
});
