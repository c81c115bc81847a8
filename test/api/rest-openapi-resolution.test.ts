// openapi family (seed 001): createCustomerByIdentity and getCustomerIdByIdentityList.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { call, expectFailure, expectSuccess, routeOf } from '../support/rest.ts';

const create = routeOf('/openapi/customer/createCustomerByIdentity');
const lookup = routeOf('/openapi/customer/getCustomerIdByIdentityList');
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

describe('POST /openapi/customer/createCustomerByIdentity', () => {
  it('replays the seed example: creates the customer with its identities, fields and attributes; data is its id', async () => {
    const res = await call(t, create);
    expectSuccess(create, res);
    const id = res.body.data as number;
    const info = await t.request('GET', `/openapi/customer/customerInfo?customerId=${id}`);
    expect(info.body.data).toMatchObject({ id, nickName: '小白', province: '安徽省', gender: 1, email: 'bai@example.com' });
    expect(info.body.data.identityList).toEqual(
      expect.arrayContaining([
        { identityType: 'phone', identityValue: '13912345678' },
        { identityType: 'unionid', identityValue: 'o6_bmasdasdsad6_2sgVt7hMZOPfL' },
      ]),
    );
    expect(info.body.data.extendAttrList).toEqual([{ attrKey: 'vipLevel', attrName: '会员等级', attrValue: 'gold' }]);
    // Sent again: the same customer (found by its identities), no new one.
    const again = await call(t, create, { ...(create.example as object), city: '芜湖市' });
    expect(again.body.data).toBe(id);
    expect(await t.prisma.customer.count()).toBe(1);
  });

  it('merges with autoMerge, following the strategies given in the body', async () => {
    const a = (await call(t, create, { identityList: [{ identityType: 'email', identityValue: 'm1@x.cn' }] })).body.data;
    const b = (await call(t, create, { identityList: [{ identityType: 'qq', identityValue: '777' }] })).body.data;
    const merged = await call(t, create, {
      identityList: [
        { identityType: 'qq', identityValue: '777' },
        { identityType: 'email', identityValue: 'm1@x.cn' },
      ],
      identityPriorityStrategy: 'custom',
      targetCustomerStrategy: 'customerFirst',
      autoMerge: true,
    });
    expectSuccess(create, merged);
    expect(merged.body.data).toBe(b);
    const tombstone = await t.prisma.customer.findUniqueOrThrow({ where: { id: a } });
    expect(tombstone.mergedIntoId).toBe(b);
  });

  it('refuses bad input naming the field, writing nothing', async () => {
    const before = await t.prisma.customer.count();
    expectFailure(create, await call(t, create, { identityList: [] }), 400, 'identityList');
    expectFailure(
      create,
      await call(t, create, { identityList: [{ identityType: 'fax', identityValue: '1' }] }),
      400,
      'identityList[0].identityType',
    );
    expectFailure(
      create,
      await call(t, create, { identityList: [{ identityType: 'phone', identityValue: '1390' }], gender: 'male' }),
      400,
      'gender',
    );
    expectFailure(
      create,
      await call(t, create, { identityList: [{ identityType: 'phone', identityValue: '1390' }], birthday: '2020-13-01' }),
      400,
      'birthday',
    );
    expectFailure(
      create,
      await call(t, create, { identityList: [{ identityType: 'phone', identityValue: '1390' }], groupId: 424242 }),
      404,
      'groupId',
    );
    expect(await t.prisma.customer.count()).toBe(before);
  });

  it('answers 401 and 403 in the openapi envelope', async () => {
    expectFailure(create, await call(t, create, create.example as Record<string, unknown>, { token: null }), 401);
    expectFailure(create, await call(t, create, create.example as Record<string, unknown>, { token: t.tokens.read }), 403);
  });
});

describe('POST /openapi/customer/getCustomerIdByIdentityList', () => {
  it('replays the seed example: data is the id of the customer holding the identities', async () => {
    const created = await call(t, create, { identityList: [{ identityType: 'phone', identityValue: '13912345678' }] });
    const res = await call(t, lookup);
    expectSuccess(lookup, res);
    expect(res.body).toEqual({ code: 0, msg: 'success', data: created.body.data });
  });

  it('answers 404 when no customer holds the identities, and names bad fields', async () => {
    expectFailure(
      lookup,
      await call(t, lookup, { identityList: [{ identityType: 'phone', identityValue: '10000000000' }] }),
      404,
      'identityList',
    );
    expectFailure(lookup, await call(t, lookup, { identityList: [{ identityType: 'phone' }] }), 400, 'identityList[0].identityValue');
  });

  it('answers 401 and 403 in the openapi envelope', async () => {
    expectFailure(lookup, await call(t, lookup, lookup.example as Record<string, unknown>, { token: null }), 401);
    expectFailure(lookup, await call(t, lookup, lookup.example as Record<string, unknown>, { token: t.tokens.write }), 403);
  });
});
