// The shim's mechanism: auth and errors in each family's envelope, unknown fields ignored,
// bad fields named, every route's operation valid against the schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRoutes } from '../../src/rest/shim.ts';
import { restRoutes } from '../../src/rest/table.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
let customerId: number;
beforeAll(async () => {
  t = await startTestGateway();
  const res = await t.graphql(
    'mutation { createCustomer(profile: { name: "王五", gender: 2 }, identities: [{ identityType: "phone", identityValue: "13800000000" }]) { customerId } }',
  );
  customerId = res.body.data.createCustomer.customerId;
});
afterAll(() => t.close());

describe('REST shim mechanism', () => {
  it('validates every route’s GraphQL operation against the schema', () => {
    expect(prepareRoutes(restRoutes)).toHaveLength(restRoutes.length);
  });

  it('answers the openapi envelope with the customer, its id and identities', async () => {
    const res = await t.request('GET', `/openapi/customer/customerInfo?customerId=${customerId}&unknown=1`, { token: t.tokens.read });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 0, msg: 'success', data: { id: customerId, name: '王五', gender: 2 } });
    expect(res.body.data.identityList).toEqual([{ identityType: 'phone', identityValue: '13800000000' }]);
    expect(res.body.data.extendAttrList).toEqual([]);
  });

  it('answers 401 and 403 in the family envelope', async () => {
    const missing = await t.request('GET', `/openapi/customer/customerInfo?customerId=${customerId}`, { token: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: -1, data: null });
    const forbidden = await t.request('GET', `/openapi/customer/singleDelete?customerId=${customerId}`, { token: t.tokens.read });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe(-1);
    const uc = await t.request('POST', '/api/user_customer/get', { token: 'bogus', body: { user_id: '1', customer_id: '1' } });
    expect(uc.status).toBe(401);
    expect(uc.body).toMatchObject({ code: 500, mix_code: 130401, result: [] });
  });

  it('names a bad or missing field, and answers 404 for an unknown customer', async () => {
    const bad = await t.request('GET', '/openapi/customer/customerInfo?customerId=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.msg).toMatch(/^customerId: /);
    const missing = await t.request('GET', '/openapi/customer/customerInfo');
    expect(missing.body.msg).toBe('customerId: is required');
    const unknown = await t.request('GET', '/openapi/customer/customerInfo?customerId=999999');
    expect(unknown.status).toBe(404);
    const form = await t.request('POST', '/api/user_customer/get', { form: { user_id: '9' } });
    expect(form.status).toBe(400);
    expect(form.body.msg).toBe('customer_id: is required');
    const notJson = await t.request('POST', '/api/user_customer/get', {
      body: '{"user_id":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.code).toBe(500);
    const noRoute = await t.request('POST', '/api/user_customer/nope', { body: {} });
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.code).toBe(500);
  });
});
