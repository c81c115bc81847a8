// edu family (seed 000): addFriendBatch.json befriends by username identity, mutual,
// idempotent, all or nothing, in the {"success":"true"} / {"error_code"} envelope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eduErrorCodes } from '../../src/platform/envelopes.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { call, expectFailure, expectSuccess, routeOf } from '../support/rest.ts';

const route = routeOf('/v1/customer/addFriendBatch.json');
const example = route.example as { userIdA: string; userIdBatch: string[] };
let t: TestGateway;
const idOf = new Map<string, number>();

async function customerWithUsername(username: string): Promise<number> {
  const res = await t.graphql(
    'mutation ($u: String!) { createCustomer(profile: { name: $u }, identities: [{ identityType: "username", identityValue: $u }]) { customerId } }',
    { u: username },
  );
  return res.body.data.createCustomer.customerId;
}

const friendsOf = async (id: number) =>
  (await t.prisma.friendship.findMany({ where: { customerId: id }, orderBy: { friendId: 'asc' } })).map((f) => f.friendId);

beforeAll(async () => {
  t = await startTestGateway();
  for (const username of [example.userIdA, ...example.userIdBatch, 'stranger']) idOf.set(username, await customerWithUsername(username));
});
afterAll(() => t.close());

describe('POST /v1/customer/addFriendBatch.json', () => {
  it('replays the seed example: {"success":"true"}, friends both ways', async () => {
    const res = await call(t, route);
    expectSuccess(route, res);
    expect(res.body).toEqual({ success: 'true' });
    const a = idOf.get(example.userIdA)!;
    const batch = example.userIdBatch.map((u) => idOf.get(u)!);
    expect(await friendsOf(a)).toEqual([...batch].sort((x, y) => x - y));
    for (const id of batch) expect(await friendsOf(id)).toEqual([a]);
  });

  it('is idempotent: repeating the call, repeated ids and userIdA itself change nothing; unknown fields are ignored', async () => {
    const before = await t.prisma.friendship.count();
    const res = await call(t, route, {
      ...example,
      userIdBatch: [...example.userIdBatch, example.userIdBatch[0], example.userIdA],
      source: { x: 1 },
    });
    expectSuccess(route, res);
    expect(await t.prisma.friendship.count()).toBe(before);
  });

  it('fails the whole call naming an unknown id, and writes nothing', async () => {
    const before = await t.prisma.friendship.count();
    const res = await call(t, route, { userIdA: 'stranger', userIdBatch: [example.userIdBatch[0], example.userIdBatch[1], 'nobody'] });
    expectFailure(route, res, 404, 'userIdBatch[2]');
    expect(res.body.error_code).toBe(eduErrorCodes.NOT_FOUND);
    expect(res.body.error_message).toContain('"nobody"');
    expect(await t.prisma.friendship.count()).toBe(before);

    const unknownA = await call(t, route, { userIdA: 'nobody', userIdBatch: [example.userIdBatch[0]] });
    expectFailure(route, unknownA, 404, 'userIdA');
  });

  it('refuses wrong types, missing fields, over-long batches and bad JSON with 10000, writing nothing', async () => {
    const before = await t.prisma.friendship.count();
    const wrongType = await call(t, route, { userIdA: 'stranger', userIdBatch: 'x' });
    expectFailure(route, wrongType, 400, 'userIdBatch');
    expect(wrongType.body.error_code).toBe(eduErrorCodes.BAD_INPUT);
    expectFailure(route, await call(t, route, { userIdBatch: [] }), 400, /^userIdA: is required$/);
    expectFailure(route, await call(t, route, { userIdA: 'stranger', userIdBatch: ['1', {}, '3'] }), 400, 'userIdBatch[1]');
    const tooMany = Array.from({ length: 501 }, (_, i) => String(i));
    expectFailure(route, await call(t, route, { userIdA: 'stranger', userIdBatch: tooMany }), 400, /userIdBatch: must hold at most 500/);
    const notJson = await t.request('POST', route.path, { body: '{"userIdA":', headers: { 'content-type': 'application/json' } });
    expectFailure(route, notJson, 400);
    expect(notJson.body.error_code).toBe(eduErrorCodes.BAD_INPUT);
    expect(await t.prisma.friendship.count()).toBe(before);
  });

  it('answers 401 and 403 in the edu envelope', async () => {
    const missing = await call(t, route, example, { token: null });
    expectFailure(route, missing, 401);
    expect(missing.body.error_code).toBe(eduErrorCodes.UNAUTHENTICATED);
    const forbidden = await call(t, route, example, { token: t.tokens.read });
    expectFailure(route, forbidden, 403);
    expect(forbidden.body.error_code).toBe(eduErrorCodes.FORBIDDEN);
  });
});
