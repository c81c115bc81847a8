// The audience family (seeds 002, 004; CONTRACT §4.3): batchAdd calls answer a batchId at once,
// the worker imports the rows, the result call reads the job. Envelopes, limits, idempotency, auth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, tokenFor, type TestGateway } from '../support/gateway.ts';
import { customerOf, customFieldOf, groupsOf, tagsOf, waitForJob } from '../support/imports.ts';
import { call, expectFailure, expectSuccess, routeOf } from '../support/rest.ts';

const groupRoute = routeOf('/api/integrate/audience/group/rel/batchAdd');
const profileRoute = routeOf('/api/integrate/audience/info/batchAdd');
const aliasRoute = routeOf('/api/integrate/import/user/batchAdd');
const resultRoute = routeOf('/api/integrate/audience/import/result');

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ IMPORT_POLL_MILLIS: '20' }, { importWorker: true });
});
afterAll(async () => {
  await t.close();
});

/** Submits, expects the batchId envelope, and waits for the job to finish. */
async function submit(route = profileRoute, body?: Record<string, unknown>, headers?: Record<string, string>) {
  const reply = await call(t, route, body, { headers });
  expectSuccess(route, reply);
  expect(reply.body.data).toBeTypeOf('number');
  return { batchId: reply.body.data as number, job: await waitForJob(t.prisma, reply.body.data) };
}

describe('the seeds’ request examples', () => {
  it('seed 002: puts customer thirdId 1 in group1 and group2', async () => {
    const { job } = await submit(groupRoute);
    expect(job).toMatchObject({ status: 'SUCCEEDED', total: 1, succeeded: 1, failed: 0, kind: 'GROUP_RELATION', origin: 'REST' });
    const id = (await customerOf(t.prisma, 'external_id', '1'))!;
    expect(await groupsOf(t.prisma, id)).toEqual(['group1', 'group2']);
  });

  it('seed 004: the customer of identityId 1 gets both multi-valued custom fields', async () => {
    const { job } = await submit(profileRoute);
    expect(job).toMatchObject({ status: 'SUCCEEDED', succeeded: 1, mode: 1 });
    const id = (await customerOf(t.prisma, 'external_id', '1'))!;
    expect(await customFieldOf(t.prisma, id, 'customField.1')).toEqual(['p1-1', 'p1-2']);
    expect(await customFieldOf(t.prisma, id, 'customField.2')).toEqual(['p2-1', 'p2-2']);
  });

  it('the deprecated address imports as the new one', async () => {
    const { job } = await submit(aliasRoute);
    expect(job.status).toBe('SUCCEEDED');
    const id = (await customerOf(t.prisma, 'phone', '13800000000'))!;
    expect(await tagsOf(t.prisma, id)).toEqual(['new', 'vip']);
    expect(await t.prisma.customer.findUniqueOrThrow({ where: { id } })).toMatchObject({
      realName: '张三',
      gender: 1,
      mobile: '13800000000',
    });
  });
});

describe('the result call', () => {
  it('answers {batchId, status, total, succeeded, failed, errors} with the row errors of a PARTIAL job', async () => {
    const { batchId } = await submit(profileRoute, {
      publicParams: { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 },
      data: [
        { phone: '13900000001', realName: 'ok' },
        { phone: '13900000002', birthday: '2020-13-45' },
        { sex: 'x', phone: '13900000003' },
      ],
    });
    const reply = await call(t, resultRoute, { batchId: String(batchId) });
    expectSuccess(resultRoute, reply);
    expect(reply.body.data).toEqual({
      batchId,
      status: 'PARTIAL',
      total: 3,
      succeeded: 1,
      failed: 2,
      errors: [
        { row: 1, field: 'birthday', message: 'must be a date as yyyy-MM-dd' },
        { row: 2, field: 'sex', message: expect.stringContaining('男') },
      ],
    });
  });

  it('importMode 1 with a bad row: FAILED, nothing imported', async () => {
    const { batchId } = await submit(profileRoute, {
      publicParams: { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 1 },
      data: [
        { phone: '13900000011', realName: 'ok' },
        { phone: '13900000012', birthday: 'soon' },
      ],
    });
    const reply = await call(t, resultRoute, { batchId: String(batchId) });
    expect(reply.body.data).toMatchObject({ status: 'FAILED', succeeded: 0, failed: 2, errors: [{ row: 1, field: 'birthday' }] });
    expect(await customerOf(t.prisma, 'phone', '13900000011')).toBeNull();
  });

  it('an unknown batchId, or another app’s, is 404 in the audience envelope', async () => {
    expectFailure(resultRoute, await call(t, resultRoute, { batchId: '987654' }), 404, 'batchId');
    const { batchId } = await submit(groupRoute);
    const other = await tokenFor(t.prisma, ['customer:read'], 'other-app');
    expectFailure(resultRoute, await call(t, resultRoute, { batchId: String(batchId) }, { token: other }), 404, 'batchId');
    expectFailure(resultRoute, await call(t, resultRoute, { batchId: 'abc' }), 400, 'batchId');
  });
});

describe('limits and validation', () => {
  it('refuses 501 rows naming data, and imports nothing', async () => {
    const jobs = await t.prisma.importJob.count();
    const data = Array.from({ length: 501 }, (_, i) => ({ thirdId: `x${i}`, groups: 'g' }));
    const reply = await call(t, groupRoute, { publicParams: { isMatching: true, matchingType: 2, identifyWay: 1, optType: 'add' }, data });
    expectFailure(groupRoute, reply, 400, 'data');
    expect(reply.body).toMatchObject({ code: '400', errorCode: 'BAD_REQUEST' });
    expect(await t.prisma.importJob.count()).toBe(jobs);
  });

  it('names the row and field of a wrong type, and the publicParams field of a bad option', async () => {
    const publicParams = { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 2 };
    const rows = [{ phone: '1' }, { phone: '2' }, { phone: '3' }, { phone: { no: 1 } }];
    expectFailure(profileRoute, await call(t, profileRoute, { publicParams, data: rows }), 400, 'data[3].phone');
    expectFailure(
      profileRoute,
      await call(t, profileRoute, { publicParams: { matchingType: 1, importMode: 2 }, data: [] }),
      400,
      'publicParams.isMatching',
    );
    expectFailure(
      profileRoute,
      await call(t, profileRoute, { publicParams: { isMatching: true, importMode: 2 }, data: [] }),
      400,
      'publicParams.matchingType',
    );
    expectFailure(
      groupRoute,
      await call(t, groupRoute, { publicParams: { isMatching: true, matchingType: 2, identifyWay: 3, optType: 'add' }, data: [] }),
      400,
      'publicParams.identifyWay',
    );
  });
});

describe('Idempotency-Key', () => {
  it('a repeat answers the same batchId and imports nothing twice', async () => {
    const body = { publicParams: { isMatching: false, importMode: 2 }, data: [{ realName: 'idem-1' }, { realName: 'idem-2' }] };
    const headers = { 'idempotency-key': 'key-123' };
    const first = await submit(profileRoute, body, headers);
    const jobs = await t.prisma.importJob.count();
    const again = await submit(profileRoute, body, headers);
    expect(again.batchId).toBe(first.batchId);
    expect(await t.prisma.importJob.count()).toBe(jobs);
    expect(await t.prisma.customer.count({ where: { realName: { in: ['idem-1', 'idem-2'] } } })).toBe(2);
    // Without the key, or with another app's token, it is a new job.
    const other = await tokenFor(t.prisma, ['customer:write'], 'other-writer');
    const reply = await call(t, profileRoute, body, { headers, token: other });
    expect(reply.body.data).not.toBe(first.batchId);
  });
});

describe('auth', () => {
  it('401 without a token and 403 without customer:write, in the audience envelope', async () => {
    const noToken = await call(t, groupRoute, undefined, { token: null });
    expectFailure(groupRoute, noToken, 401);
    expect(noToken.body.errorCode).toBe('UNAUTHORIZED');
    const readOnly = await call(t, groupRoute, undefined, { token: t.tokens.read });
    expectFailure(groupRoute, readOnly, 403);
    expect(readOnly.body).toMatchObject({ code: '403', errorCode: 'FORBIDDEN' });
    expectFailure(resultRoute, await call(t, resultRoute, { batchId: '1' }, { token: null }), 401);
  });
});

describe('GraphQL', () => {
  it('importCustomers submits a job that importJob reads back', async () => {
    const res = await t.graphql(
      `mutation($input: ImportCustomersInput!) { importCustomers(input: $input) { batchId kind origin status } }`,
      {
        input: {
          kind: 'GROUP_RELATION',
          publicParams: { isMatching: true, matchingType: 1, optType: 'add' },
          groupRelations: [
            { identityType: 'phone', phone: '13700000001', groups: 'gq' },
            { identityType: 'phone', groups: 'gq' },
          ],
        },
      },
      { token: t.tokens.readWrite },
    );
    expect(res.body.errors).toBeUndefined();
    const { batchId, origin } = res.body.data.importCustomers;
    expect(origin).toBe('GRAPHQL');
    await waitForJob(t.prisma, batchId);
    const read = await t.graphql(
      `query($id: ID!) { importJob(id: $id) { status total succeeded failed errors { row field message } } }`,
      { id: batchId },
      { token: t.tokens.readWrite },
    );
    expect(read.body.data.importJob).toEqual({
      status: 'PARTIAL',
      total: 2,
      succeeded: 1,
      failed: 1,
      errors: [{ row: 1, field: 'phone', message: 'is required: identityType is phone' }],
    });
  });

  it('names the missing row list of the kind', async () => {
    const res = await t.graphql(
      `mutation { importCustomers(input: { kind: PROFILE, publicParams: { isMatching: false, importMode: 2 } }) { batchId } }`,
    );
    expect(res.body.errors[0].message).toMatch(/profiles: is required for kind PROFILE/);
  });
});
