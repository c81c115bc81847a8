// importJobProgress fed by a real import worker: a job submitted through one gateway (no worker)
// and run by another gateway's worker; the subscriber on the first hears of it through Redis,
// as it would across two instances.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { subscribe } from '../support/sse.ts';

const JOB = `subscription Job($id: ID!) {
  importJobProgress(id: $id) { batchId status total processed succeeded failed }
}`;

const shared = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `cg-test-import-progress-${randomUUID()}` };
let t: TestGateway;
let url: string;

beforeAll(async () => {
  t = await startTestGateway(shared);
  url = await t.gateway.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t.close());

it('streams a job from PENDING through every chunk to its final state, then ends', async () => {
  const profiles = Array.from({ length: 6 }, (_, i) => ({ phone: `1390000000${i}`, realName: `客户${i}` }));
  profiles[4] = { phone: 'not a phone', realName: 'bad row' };
  const submitted = await t.graphql(`mutation($input: ImportCustomersInput!) { importCustomers(input: $input) { batchId status } }`, {
    input: { kind: 'PROFILE', publicParams: { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 }, profiles },
  });
  expect(submitted.body.errors).toBeUndefined();
  const { batchId, status } = submitted.body.data.importCustomers;
  expect(status).toBe('PENDING');

  // The app that submitted the job follows it (another app's job is not visible to it).
  const stream = await subscribe(url, JOB, { id: batchId }, t.tokens.all);
  expect(stream.status).toBe(200);
  const first = await stream.next();
  expect(first).toMatchObject({ event: 'next', data: { data: { importJobProgress: { batchId, status: 'PENDING', processed: 0 } } } });

  // The worker runs elsewhere: two rows a chunk, so the job moves in three steps.
  await t.variant({ ...shared, IMPORT_CHUNK_SIZE: '2', IMPORT_POLL_MILLIS: '100' }, { importWorker: true });
  const events = await stream.rest(60_000);
  expect(events.at(-1)).toEqual({ event: 'complete' });
  const states = events.flatMap((e) => (e.event === 'next' ? [e.data.data.importJobProgress] : []));
  const processed = states.map((s) => s.processed);
  expect(processed).toEqual([...processed].sort((a, b) => a - b));
  // Each event makes the subscription re-read the job, so chunks that follow each other
  // closely may show as one state; the stream only moves forward and ends on the final one.
  expect(states.filter((s) => ['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(s.status))).toHaveLength(1);
  expect(states.at(-1)).toEqual({ batchId, status: 'PARTIAL', total: 6, processed: 6, succeeded: 5, failed: 1 });
});
