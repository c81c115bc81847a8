// The import queue across apps (issue 13, Low): jobs are claimed fairly (one app's burst does
// not hold another app's job behind it), an app has at most IMPORT_PENDING_PER_APP jobs
// waiting, and a write-only importer does not learn which customer holds a value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Leases } from '../../src/domain/imports/worker.ts';
import { startTestGateway, tokenFor, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const SUBMIT = `mutation($input: ImportCustomersInput!) { importCustomers(input: $input) { batchId } }`;
const input = (phone: string, key?: string) => ({
  kind: 'PROFILE',
  publicParams: { isMatching: false, importMode: 2 },
  profiles: [{ phone, realName: 'x' }],
  ...(key ? { idempotencyKey: key } : {}),
});

async function submit(token: string, phone: string, gateway = t): Promise<number> {
  const res = await gateway.graphql(SUBMIT, { input: input(phone) }, { token });
  expect(res.body.errors).toBeUndefined();
  return res.body.data.importCustomers.batchId;
}

describe('claiming', () => {
  it('serves apps in turn: the oldest job of the app served least recently', async () => {
    const [busy, other] = [await tokenFor(t.prisma, ['customer:write'], 'busy'), await tokenFor(t.prisma, ['customer:write'], 'other')];
    const burst = [];
    for (let i = 0; i < 4; i++) burst.push(await submit(busy, `1350000000${i}`));
    const late = await submit(other, '13500000009');
    const leases = new Leases(t.prisma, 'test-worker', 60_000);
    const order: number[] = [];
    for (let i = 0; i < 5; i++) order.push((await leases.claim())!.id);
    expect(order).toEqual([burst[0], late, burst[1], burst[2], burst[3]]);
  });
});

describe('IMPORT_PENDING_PER_APP', () => {
  it('refuses a job over the cap naming it (GraphQL and REST); other apps and idempotent repeats are unaffected', async () => {
    const capped = await t.variant({ IMPORT_PENDING_PER_APP: '2' });
    const token = await tokenFor(t.prisma, ['customer:write'], 'capped');
    const first = await capped.graphql(SUBMIT, { input: input('13400000001', 'k1') }, { token });
    expect(first.body.errors).toBeUndefined();
    await capped.graphql(SUBMIT, { input: input('13400000002') }, { token });

    const refused = await capped.graphql(SUBMIT, { input: input('13400000003') }, { token });
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0]).toMatchObject({
      extensions: { code: 'RATE_LIMITED' },
      message: expect.stringContaining('IMPORT_PENDING_PER_APP=2'),
    });
    const rest = await capped.request('POST', '/api/integrate/audience/info/batchAdd', {
      token,
      body: { publicParams: { isMatching: false, importMode: 2 }, data: [{ phone: '13400000004' }] },
    });
    expect(rest.status).toBe(429);
    expect(JSON.stringify(rest.body)).toContain('IMPORT_PENDING_PER_APP=2');

    const repeat = await capped.graphql(SUBMIT, { input: input('13400000001', 'k1') }, { token });
    expect(repeat.body.data.importCustomers.batchId).toBe(first.body.data.importCustomers.batchId);
    const otherApp = await tokenFor(t.prisma, ['customer:write'], 'not capped');
    expect((await capped.graphql(SUBMIT, { input: input('13400000005') }, { token: otherApp })).body.errors).toBeUndefined();
  });
});

describe('a write-only importer', () => {
  it('learns that a value is taken, not which customer holds it; readers and admins see the customer', async () => {
    const existing = await t.graphql(
      'mutation { createCustomer(identities: [{ identityType: "phone", identityValue: "13300000001" }]) { customerId } }',
    );
    const holder = existing.body.data.createCustomer.customerId as number;
    const batchId = await submit(t.tokens.write, '13300000001');
    await t.variant({ IMPORT_POLL_MILLIS: '100' }, { importWorker: true });
    const READ = `{ importJob(id: ${batchId}) { status failed error errors { field message } } }`;
    let job: any;
    for (let waited = 0; waited < 60_000; waited += 100) {
      job = (await t.graphql(READ, {}, { token: t.tokens.write })).body.data.importJob;
      if (['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(job.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job).toMatchObject({
      failed: 1,
      errors: [{ field: 'phone', message: expect.stringContaining('already belongs to an existing customer') }],
    });
    expect(JSON.stringify(job)).not.toContain(`customer ${holder}`);
    const asAdmin = await t.graphql(READ);
    expect(asAdmin.body.data.importJob.errors[0].message).toContain(`customer ${holder}`);
  });
});
