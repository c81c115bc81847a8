// A token or app revoked through one instance is refused by the others at once (over Redis),
// not after their token cache time: here that cache is an hour, so only the broadcast can do it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, mintToken } from '../../src/domain/auth.ts';
import { startTestGateway, tokenFor, type GatewayClient, type TestGateway } from '../support/gateway.ts';

const shared = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `cg-test-revocation-${randomUUID()}`, TOKEN_CACHE_SECONDS: '3600' };
const ME = '{ customers(first: 1) { totalCount } }';
let a: TestGateway;
let b: GatewayClient;

beforeAll(async () => {
  a = await startTestGateway(shared);
  b = await a.variant(shared);
});
afterAll(() => a.close());

/** Polls until `done` holds; the deadline is a hang guard, not a speed check. */
async function until(done: () => Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; !(await done()); waited += 50) {
    if (waited > 30_000) throw new Error(`still waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('revokeToken on one instance: the other refuses the token it had cached as valid', async () => {
  const token = await tokenFor(a.prisma, ['customer:read'], 'cached elsewhere');
  expect((await b.graphql(ME, {}, { token })).status).toBe(200);
  const revoked = await a.graphql(`mutation { revokeToken(token: "${token}") { revoked } }`);
  expect(revoked.body.data.revokeToken.revoked).toBe(true);
  await until(async () => (await b.graphql(ME, {}, { token })).status === 401, 'the other instance refuses the token');
});

it('revokeApp on one instance: the other refuses its tokens', async () => {
  const app = await createApp(a.prisma, { name: 'revoked elsewhere', scopes: ['customer:read'] });
  const token = await mintToken(a.prisma, app.appKey, 3600);
  expect((await b.graphql(ME, {}, { token })).status).toBe(200);
  await a.graphql(`mutation { revokeApp(appKey: "${app.appKey}") { appKey } }`);
  await until(async () => (await b.graphql(ME, {}, { token })).status === 401, 'the other instance refuses the app');
});
