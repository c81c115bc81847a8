// Subscriptions end with their token (issue 13 Medium 9): at its expiry, and at the first event
// after it was revoked (which is not sent); and one app holds at most SUBSCRIPTIONS_PER_APP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, mintToken } from '../../src/domain/auth.ts';
import { startTestGateway, tokenFor, type TestGateway } from '../support/gateway.ts';
import { subscribe, type Subscription } from '../support/sse.ts';

const CHANGES = `subscription($id: ID!) { customerChanged(id: $id) { kind customer { name } } }`;

let t: TestGateway;
let url: string;
let customerId: number;

beforeAll(async () => {
  t = await startTestGateway();
  url = await t.gateway.app.listen({ port: 0, host: '127.0.0.1' });
  const res = await t.graphql('mutation { createCustomer(profile: { name: "watched" }) { customerId } }');
  customerId = res.body.data.createCustomer.customerId;
});
afterAll(() => t.close());

/** Polls until `done` holds; the deadline is a hang guard, not a speed check. */
async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; !(await done()); waited += 25) {
    if (waited > 30_000) throw new Error(`still waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function watch(token: string, base = url, gateway = t.gateway): Promise<Subscription> {
  const before = gateway.services.pubsub.listening('customerChanged', customerId);
  const stream = await subscribe(base, CHANGES, { id: customerId }, token);
  expect(stream.status).toBe(200);
  await until(() => gateway.services.pubsub.listening('customerChanged', customerId) > before, 'the server listens');
  return stream;
}

const update = (remark: string) =>
  t.graphql(`mutation { updateCustomer(id: "${customerId}", profile: { remark: "${remark}" }) { customerId } }`);

describe('a subscription ends with its token', () => {
  it('completes when the token expires, with no event after', async () => {
    const app = await createApp(t.prisma, { name: 'short-lived', scopes: ['customer:read'] });
    const token = await mintToken(t.prisma, app.appKey, 2);
    const stream = await watch(token);
    await update('before expiry');
    expect(await stream.next()).toMatchObject({ event: 'next', data: { data: { customerChanged: { kind: 'UPDATED' } } } });
    // Nothing else is written: the stream ends on its own, at the token's expiry.
    expect(await stream.next(30_000)).toEqual({ event: 'complete' });
    expect(t.gateway.services.pubsub.listening('customerChanged', customerId)).toBe(0);
  });

  it('completes at the first event after the token was revoked, without sending it', async () => {
    const token = await tokenFor(t.prisma, ['customer:read'], 'revoked while watching');
    const stream = await watch(token);
    const revoked = await t.graphql(`mutation { revokeToken(token: "${token}") { revoked } }`);
    expect(revoked.body.data.revokeToken.revoked).toBe(true);
    await update('after revocation');
    expect(await stream.rest(30_000)).toEqual([{ event: 'complete' }]);
  });

  it('completes when the app is revoked', async () => {
    const app = await createApp(t.prisma, { name: 'app revoked while watching', scopes: ['customer:read'] });
    const stream = await watch(await mintToken(t.prisma, app.appKey, 3600));
    await t.graphql(`mutation { revokeApp(appKey: "${app.appKey}") { appKey } }`);
    await update('after app revocation');
    expect(await stream.rest(30_000)).toEqual([{ event: 'complete' }]);
  });
});

describe('SUBSCRIPTIONS_PER_APP', () => {
  it('refuses one stream over the limit naming it; other apps are not affected; a closed stream frees its slot', async () => {
    const capped = await t.variant({ SUBSCRIPTIONS_PER_APP: '2' });
    const base = await capped.gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const token = await tokenFor(t.prisma, ['customer:read'], 'many streams');
    const open = [await watch(token, base, capped.gateway), await watch(token, base, capped.gateway)];

    const refused = await subscribe(base, CHANGES, { id: customerId }, token);
    expect(refused.status).toBe(429);
    expect(await refused.next()).toMatchObject({
      event: 'next',
      data: { errors: [{ extensions: { code: 'RATE_LIMITED' }, message: expect.stringContaining('SUBSCRIPTIONS_PER_APP=2') }] },
    });
    refused.close();

    const other = await watch(await tokenFor(t.prisma, ['customer:read'], 'another app'), base, capped.gateway);
    other.close();

    open[0].close();
    await until(async () => {
      const again = await subscribe(base, CHANGES, { id: customerId }, token);
      const accepted = again.status === 200;
      again.close();
      return accepted;
    }, 'a slot is free again');
    open[1].close();
  });
});
