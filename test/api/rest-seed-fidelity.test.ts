// The seeds' last deviations (issue 15 items 1, 3, 4, 6, 7), replayed as a legacy client sends
// its requests: JSON bodies, PHP-style form bodies, and LEGACY_HTTP_STATUS=200.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type GatewayClient, type TestGateway } from '../support/gateway.ts';
import { call, expectFailure, expectSuccess, routeOf } from '../support/rest.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
  for (const id of [1001, 1002]) await t.prisma.customer.create({ data: { id, name: `c${id}` } });
  await t.db.database.prisma.$executeRawUnsafe(`SELECT setval(pg_get_serial_sequence('"Customer"', 'id'), 2000)`);
});
afterAll(() => t.close());

describe('seed 001 getCustomerIdByIdentityList takes createCustomerByIdentity’s strategies', () => {
  const create = routeOf('/openapi/customer/createCustomerByIdentity');
  const lookup = routeOf('/openapi/customer/getCustomerIdByIdentityList');

  it('finds the customer created with custom priority when given the same list and strategy', async () => {
    // A holds a phone and a unionid. Listed phone first with another unionid: in the order given
    // (custom) the phone finds A first; by system priority the unionid ranks first and conflicts with A.
    const a = await t.graphql(
      `mutation { createCustomer(identities: [{identityType: "unionid", identityValue: "o6_union_A"}, {identityType: "phone", identityValue: "13900000001"}]) { customerId } }`,
    );
    const holderA = a.body.data.createCustomer.customerId;
    const identityList = [
      { identityType: 'phone', identityValue: '13900000001' },
      { identityType: 'unionid', identityValue: 'o6_union_B' },
    ];
    const created = await call(t, create, { identityList, identityPriorityStrategy: 'custom', nickName: 'x' });
    expectSuccess(create, created);
    expect(created.body.data).toBe(holderA);

    const same = await call(t, lookup, { identityList, identityPriorityStrategy: 'custom' });
    expectSuccess(lookup, same);
    expect(same.body.data).toBe(holderA);

    // The defaults are createCustomerByIdentity's: system priority finds no fitting customer.
    const defaults = await call(t, lookup, { identityList });
    expect(defaults.body.data).not.toBe(holderA);
  });

  it('refuses an unknown strategy naming the field', async () => {
    const reply = await call(t, lookup, {
      identityList: [{ identityType: 'phone', identityValue: '1' }],
      targetCustomerStrategy: 'newest',
    });
    expectFailure(lookup, reply, 400, 'targetCustomerStrategy');
  });

  it('replays the seed example', async () => {
    await call(t, create, create.example as Record<string, unknown>);
    const reply = await call(t, lookup);
    expectSuccess(lookup, reply);
  });
});

describe('seed 001 createCustomerByIdentity fields', () => {
  const create = routeOf('/openapi/customer/createCustomerByIdentity');
  const add = routeOf('/openapi/customer/add');

  it('refuses an extendAttrList entry without attrValue (required in the seed), writing nothing', async () => {
    const before = await t.prisma.customer.count();
    for (const attr of [
      { attrKey: 'vipLevel', attrName: '会员等级' },
      { attrKey: 'vipLevel', attrValue: null },
    ]) {
      const reply = await call(t, create, {
        identityList: [{ identityType: 'phone', identityValue: '13911112222' }],
        extendAttrList: [attr],
      });
      expectFailure(create, reply, 400, 'extendAttrList[0].attrValue');
    }
    expect(await t.prisma.customer.count()).toBe(before);
  });

  it.each(['a@b.c', 'José.Ñúñez@example.com', '用户@例子.广告', 'user+tag@sub.example.org'])(
    'accepts the e-mail address %s',
    async (email) => {
      const reply = await call(t, add, {
        name: 'n',
        mobile: `139${String(Math.abs(hash(email)))
          .padStart(8, '0')
          .slice(0, 8)}`,
        email,
      });
      expectSuccess(add, reply);
    },
  );

  it.each(['plainaddress', 'a b@c.d', '@example.com', 'a@', 'a@b@c'])('refuses %s, which cannot be an address', async (email) => {
    const reply = await call(t, add, { name: 'n', mobile: '13800000000', email });
    expectFailure(add, reply, 400, 'email');
  });
});

/** A stable number per text, for distinct phone numbers. */
function hash(text: string): number {
  let h = 7;
  for (const c of text) h = (h * 31 + c.codePointAt(0)!) | 0;
  return h;
}

describe('seed 003 user_customer', () => {
  const list = routeOf('/api/user_customer/get_list');
  const add = routeOf('/api/user_customer/add');
  const following = routeOf('/api/user_customer/get_customer_list');

  beforeAll(async () => {
    for (const [user, customer] of [
      ['998', 1001],
      ['0998', 1001],
      ['1001', 1002],
    ] as const) {
      expectSuccess(add, await call(t, add, { user_id: user, customer_id: String(customer) }));
    }
  });

  it('keeps user_id "0998" as sent, apart from 998', async () => {
    const zero = await call(t, following, { user_id: '0998' });
    expectSuccess(following, zero);
    expect(zero.body.result.data.map((r: { user_id: unknown }) => r.user_id)).toEqual(['0998']);
    const plain = await call(t, following, { user_id: '998' });
    expect(plain.body.result.data.map((r: { user_id: unknown }) => r.user_id)).toEqual([998]);
  });

  it('refuses a customer_id with a leading zero instead of reading it as another number', async () => {
    const reply = await call(t, add, { user_id: '7', customer_id: '01001' });
    expectFailure(add, reply, 400, 'customer_id');
  });

  it.each(['LIKE', 'like', 'Like'])('takes the operator %s in any case (the seed writes LIKE)', async (op) => {
    const reply = await call(t, list, { condition: [['user_id', op, '%998']] });
    expectSuccess(list, reply);
    expect(reply.body.result.data.map((r: { user_id: unknown }) => String(r.user_id)).sort()).toEqual(['0998', '998']);
  });

  it('reads a PHP-style form body condition[0][0]=…, as a PHP client sends it', async () => {
    const body = 'page_index=1&page_size=20&condition[0][0]=user_id&condition[0][1]=%3D&condition[0][2]=1001';
    const reply = await t.request('POST', list.path, { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectSuccess(list, reply);
    expect(reply.body.result.data.map((r: { user_id: unknown }) => r.user_id)).toEqual([1001]);
  });

  it('refuses a malformed PHP-style condition naming it, never answering unfiltered', async () => {
    for (const body of ['condition[0]=user_id', 'condition[x][0]=user_id&condition[x][1]=%3D&condition[x][2]=1']) {
      const reply = await t.request('POST', list.path, { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expectFailure(list, reply, 400, /^condition/);
    }
  });

  it('still takes the condition as JSON text in a form body, and the seed example', async () => {
    const reply = await call(t, list, { condition: [['user_id', '=', '1001']] }, { asForm: true });
    expect(reply.body.result.data.map((r: { user_id: unknown }) => r.user_id)).toEqual([1001]);
    expectSuccess(list, await call(t, list));
  });
});

describe('LEGACY_HTTP_STATUS', () => {
  let all: GatewayClient;
  let openapiOnly: GatewayClient;
  beforeAll(async () => {
    all = await t.variant({ LEGACY_HTTP_STATUS: '200' });
    openapiOnly = await t.variant({ LEGACY_HTTP_STATUS: 'openapi:200' });
  });

  it('answers every legacy failure with HTTP 200 and the same envelope', async () => {
    const failures: [string, string, Record<string, unknown>, string | null | undefined][] = [
      ['GET', '/openapi/customer/customerInfo?customerId=999999', {}, undefined], // 404
      ['POST', '/api/user_customer/add', { user_id: '', customer_id: '1001' }, undefined], // 400
      ['POST', '/openapi/customer/add', { name: 'x', mobile: '1' }, null], // 401
      ['GET', '/openapi/no-such-route', {}, undefined], // 404 from the router
    ];
    for (const [method, url, body, token] of failures) {
      const options = { token, ...(method === 'POST' ? { body } : {}) };
      const usual = await t.request(method, url, options);
      expect(usual.status).toBeGreaterThanOrEqual(400);
      const legacy = await all.request(method, url, options);
      expect(legacy.status).toBe(200);
      expect(legacy.body).toEqual(usual.body);
    }
  });

  it('per family: only the families named', async () => {
    expect((await openapiOnly.request('GET', '/openapi/customer/customerInfo?customerId=999999')).status).toBe(200);
    expect((await openapiOnly.request('POST', '/api/user_customer/add', { body: { user_id: '' } })).status).toBe(400);
    expect((await openapiOnly.graphql('{ nope }')).status).toBe(400); // GraphQL is no legacy family
  });
});
