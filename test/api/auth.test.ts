import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, tokenDigest } from '../../src/domain/auth.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const readQuery = '{ identityTypes { name } }';
const writeMutation = 'mutation { createCustomer(profile: { name: "x" }) { customerId } }';

describe('POST /openapi/auth/token', () => {
  it('exchanges appKey and secret for a token in the openapi envelope; the secret is stored hashed', async () => {
    const app = await createApp(t.prisma, { name: 'crm', scopes: ['customer:read'] });
    const res = await t.request('POST', '/openapi/auth/token', { token: null, body: { appKey: app.appKey, secret: app.secret } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 0, msg: 'success', data: { expiresIn: 7200 } });
    expect(res.body.data.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const stored = await t.prisma.app.findUniqueOrThrow({ where: { appKey: app.appKey } });
    expect(stored.secretHash).not.toContain(app.secret);
    const token = await t.prisma.appToken.findUniqueOrThrow({ where: { tokenHash: tokenDigest(res.body.data.token) } });
    expect(token.appId).toBe(stored.id);

    const query = await t.graphql(readQuery, {}, { token: res.body.data.token });
    expect(query.status).toBe(200);
    expect(query.body.data.identityTypes.length).toBeGreaterThanOrEqual(7);
  });

  it('answers a wrong secret and an unknown appKey alike, 401 in the openapi envelope', async () => {
    const app = await createApp(t.prisma, { name: 'crm2', scopes: ['customer:read'] });
    const wrong = await t.request('POST', '/openapi/auth/token', { token: null, body: { appKey: app.appKey, secret: 'nope' } });
    const unknown = await t.request('POST', '/openapi/auth/token', { token: null, body: { appKey: 'ak_unknown', secret: 'nope' } });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ code: -1, msg: 'invalid appKey or secret', data: null });
    }
  });

  it('names the missing field', async () => {
    const res = await t.request('POST', '/openapi/auth/token', { token: null, body: { appKey: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(-1);
    expect(res.body.msg).toContain('secret');
  });
});

describe('GraphQL auth (CONTRACT §2)', () => {
  it.each([
    ['Authorization: Bearer', (tok: string) => ({ authorization: `Bearer ${tok}` })],
    ['token', (tok: string) => ({ token: tok })],
    ['X-Token', (tok: string) => ({ 'X-Token': tok })],
  ])('accepts the token in the %s header', async (_name, header) => {
    const res = await t.graphql(readQuery, {}, { token: null, headers: header(t.tokens.read) });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it('answers 401 for a missing or unknown token, before running anything', async () => {
    const before = await t.prisma.customer.count();
    for (const token of [null, 'not-a-token']) {
      const res = await t.graphql(writeMutation, {}, { token });
      expect(res.status).toBe(401);
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    expect(await t.prisma.customer.count()).toBe(before);
  });

  it('refuses expired and revoked tokens', async () => {
    const app = await createApp(t.prisma, { name: 'old', scopes: ['customer:read'] });
    const res = await t.request('POST', '/openapi/auth/token', { token: null, body: { appKey: app.appKey, secret: app.secret } });
    const token = res.body.data.token as string;
    await t.prisma.appToken.update({ where: { tokenHash: tokenDigest(token) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    t.gateway.services.tokens.forget();
    expect((await t.graphql(readQuery, {}, { token })).status).toBe(401);

    const fresh = await t.request('POST', '/openapi/auth/token', { token: null, body: { appKey: app.appKey, secret: app.secret } });
    const freshToken = fresh.body.data.token as string;
    expect((await t.graphql(readQuery, {}, { token: freshToken })).status).toBe(200);
    await t.gateway.services.tokens.revoke(freshToken);
    expect((await t.graphql(readQuery, {}, { token: freshToken })).status).toBe(401);
  });

  it('answers 403 when the scope is missing: write does not imply read, read cannot write', async () => {
    const before = await t.prisma.customer.count();
    const readOnly = await t.graphql(writeMutation, {}, { token: t.tokens.read });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.errors[0].extensions.code).toBe('FORBIDDEN');
    // The refusal names the scope a token needs.
    expect(readOnly.body.errors[0].message).toMatch(/needs a token with the customer:write scope/);
    expect(await t.prisma.customer.count()).toBe(before);

    const writeOnly = await t.graphql(readQuery, {}, { token: t.tokens.write });
    expect(writeOnly.status).toBe(403);

    // A write-only app may write and learn the id, but not read the customer back.
    const written = await t.graphql(writeMutation, {}, { token: t.tokens.write });
    expect(written.status).toBe(200);
    expect(written.body.data.createCustomer.customerId).toBeGreaterThan(0);
    const readBack = await t.graphql(
      'mutation { createCustomer(profile: { name: "y" }) { customerId customer { name } } }',
      {},
      { token: t.tokens.write },
    );
    expect(readBack.status).toBe(403);
  });

  it('checks scopes on every field, not only at the root', async () => {
    const res = await t.graphql(
      'mutation { createCustomer(profile: { name: "z" }) { customer { name } } }',
      {},
      { token: t.tokens.readWrite },
    );
    expect(res.body.data.createCustomer.customer.name).toBe('z');
    const node = await t.graphql(`{ node(id: "${Buffer.from('Customer:1').toString('base64')}") { id } }`, {}, { token: t.tokens.write });
    expect(node.status).toBe(403);
  });
});
