// mergeCustomers, unmergeCustomer and mergeEvents: what moves, who wins, tombstones and
// chains, and each refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const merge = `mutation ($t: ID!, $s: [ID!]!, $r: String) {
  mergeCustomers(targetId: $t, sourceIds: $s, reason: $r) {
    customerId mergedCustomerIds mergeEventIds
    mergeEvents { mergeEventId targetId sourceId reason actor undoneAt details source { customerId } target { customerId } }
  }
}`;
const unmerge = `mutation ($e: ID!) { unmergeCustomer(mergeEventId: $e) {
  mergeEventId customerId targetId keptFields mergeEvent { undoneAt undoneBy } customer { customerId } } }`;

let seq = 0;
const unique = (prefix: string) => `${prefix}-${++seq}`;

async function customer(data: { name?: string; identities?: [string, string][]; [field: string]: unknown }) {
  const { identities = [], ...profile } = data;
  return t.prisma.customer.create({
    data: { ...profile, identities: { create: identities.map(([type, value]) => ({ type, value })) } },
  });
}

async function befriend(a: number, b: number) {
  await t.prisma.friendship.createMany({
    data: [
      { customerId: a, friendId: b },
      { customerId: b, friendId: a },
    ],
  });
}

const withoutUpdatedAt = <T extends { updatedAt: Date }>(rows: T[]) => rows.map(({ updatedAt: _u, ...rest }) => rest);

/** Everything a merge may touch, for one customer, with ids and creation times (a moved row's updatedAt changes). */
async function snapshot(id: number) {
  const row = await t.prisma.customer.findUniqueOrThrow({ where: { id } });
  const { updatedAt: _u, ...profile } = row;
  return {
    profile,
    identities: await t.prisma.identity.findMany({ where: { customerId: id }, orderBy: { id: 'asc' } }),
    groups: await t.prisma.groupMember.findMany({ where: { customerId: id }, orderBy: { groupId: 'asc' } }),
    friendships: await t.prisma.friendship.findMany({
      where: { OR: [{ customerId: id }, { friendId: id }] },
      orderBy: [{ customerId: 'asc' }, { friendId: 'asc' }],
    }),
    links: withoutUpdatedAt(await t.prisma.userCustomer.findMany({ where: { customerId: id }, orderBy: { id: 'asc' } })),
    attributes: withoutUpdatedAt(await t.prisma.attributeValue.findMany({ where: { customerId: id }, orderBy: { id: 'asc' } })),
    tags: await t.prisma.customerTag.findMany({ where: { customerId: id }, orderBy: { tagId: 'asc' } }),
  };
}

describe('mergeCustomers', () => {
  it('moves identities, groups, friends, follow links, attributes and tags; the target wins; empty fields are filled; unmerge restores it all', async () => {
    const [f1, f2] = [await customer({ name: 'friend-1' }), await customer({ name: 'friend-2' })];
    const target = await customer({
      name: 'Target',
      company: 'T-co',
      identities: [
        ['phone', '13912340001'],
        ['openid', 'o-target'],
      ],
    });
    const source = await customer({
      name: 'Source',
      company: 'S-co',
      city: '合肥',
      mobile: '13912340002',
      mobileVerified: 1,
      gender: 1,
      deptCodeList: '["D9"]',
      identities: [
        ['email', 'source@example.test'],
        ['openid', 'o-source'],
        ['username', 'source-user'],
      ],
    });
    const [g1, g2, g3] = [
      await t.prisma.group.create({ data: { key: unique('g'), kind: 'GROUP', name: 'shared' } }),
      await t.prisma.group.create({ data: { key: unique('g'), kind: 'GROUP', name: 'source only' } }),
      await t.prisma.group.create({ data: { key: unique('g'), kind: 'GROUP', name: 'target only' } }),
    ];
    await t.prisma.groupMember.createMany({
      data: [
        { customerId: target.id, groupId: g1.id },
        { customerId: target.id, groupId: g3.id },
        { customerId: source.id, groupId: g1.id },
        { customerId: source.id, groupId: g2.id },
      ],
    });
    await befriend(target.id, f2.id);
    await befriend(source.id, f1.id);
    await befriend(source.id, f2.id);
    await befriend(source.id, target.id);
    await t.prisma.userCustomer.createMany({
      data: [
        { userId: 'u-shared', customerId: target.id, template: 'T' },
        { userId: 'u-shared', customerId: source.id, template: 'S' },
        { userId: 'u-source', customerId: source.id, template: 'S2' },
      ],
    });
    const vip = await t.prisma.attributeDefinition.create({ data: { key: unique('vipLevel').replace('-', '_'), name: 'VIP' } });
    const color = await t.prisma.attributeDefinition.create({ data: { key: unique('color').replace('-', '_'), name: 'Color' } });
    await t.prisma.attributeValue.createMany({
      data: [
        { customerId: target.id, definitionId: vip.id, value: 'gold' },
        { customerId: source.id, definitionId: vip.id, value: 'silver' },
        { customerId: source.id, definitionId: color.id, value: 'red' },
      ],
    });
    const [tagShared, tagSource] = [
      await t.prisma.tag.create({ data: { name: unique('tag') } }),
      await t.prisma.tag.create({ data: { name: unique('tag') } }),
    ];
    await t.prisma.customerTag.createMany({
      data: [
        { customerId: target.id, tagId: tagShared.id },
        { customerId: source.id, tagId: tagShared.id },
        { customerId: source.id, tagId: tagSource.id },
      ],
    });
    const before = { target: await snapshot(target.id), source: await snapshot(source.id) };

    const res = await t.graphql(merge, { t: String(target.id), s: [String(source.id)], r: 'same person, says support' });
    expect(res.body.errors).toBeUndefined();
    const out = res.body.data.mergeCustomers;
    expect(out).toMatchObject({ customerId: target.id, mergedCustomerIds: [source.id] });
    const [event] = out.mergeEvents;
    expect(event).toMatchObject({
      targetId: target.id,
      sourceId: source.id,
      reason: 'same person, says support',
      actor: expect.stringMatching(/^app:/),
      undoneAt: null,
      // A tombstone is not a visible customer (one rule with customer(id) and node(id)).
      source: null,
      target: { customerId: target.id },
    });

    const after = { target: await snapshot(target.id), source: await snapshot(source.id) };
    // Identities: all of the source's, to the target.
    expect(after.target.identities.map((i) => `${i.type}:${i.value}`).sort()).toEqual(
      ['email:source@example.test', 'openid:o-source', 'openid:o-target', 'phone:13912340001', 'username:source-user'].sort(),
    );
    // Groups: the union; friends: no self-friendship, no duplicate, both directions.
    expect(after.target.groups.map((g) => g.groupId)).toEqual([g1.id, g2.id, g3.id]);
    expect(after.target.friendships.map((f) => [f.customerId, f.friendId])).toEqual(
      [
        [target.id, f1.id],
        [target.id, f2.id],
        [f1.id, target.id],
        [f2.id, target.id],
      ].sort((a, b) => a[0] - b[0] || a[1] - b[1]),
    );
    // Follow links: on the same user the target's link stays.
    expect(after.target.links.map((l) => [l.userId, l.template])).toEqual([
      ['u-shared', 'T'],
      ['u-source', 'S2'],
    ]);
    // Attributes and tags: the target's own values win, the others move.
    expect(after.target.attributes.map((a) => [a.definitionId, a.value]).sort()).toEqual(
      [
        [vip.id, 'gold'],
        [color.id, 'red'],
      ].sort(),
    );
    expect(after.target.tags.map((x) => x.tagId)).toEqual([tagShared.id, tagSource.id]);
    // Profile: target values kept, empty ones filled from the source.
    expect(after.target.profile).toMatchObject({
      name: 'Target',
      company: 'T-co',
      city: '合肥',
      mobile: '13912340002',
      mobileVerified: 1,
      gender: 1,
      deptCodeList: '["D9"]',
    });
    // The source is a tombstone holding nothing.
    expect(after.source.profile.mergedIntoId).toBe(target.id);
    expect(after.source).toMatchObject({ identities: [], groups: [], friendships: [], links: [], attributes: [], tags: [] });
    const read = await t.graphql(`{ customer(id: "${source.id}") { customerId } }`);
    expect(read.body.data.customer.customerId).toBe(target.id);

    // details say exactly what moved and what was filled.
    const d = event.details;
    expect(d.identities.map((i: any) => i.type)).toEqual(['email', 'openid', 'username']);
    expect(d.groups).toEqual({ moved: [g2.id], dropped: [{ groupId: g1.id, createdAt: expect.any(String) }] });
    expect(d.friends.moved).toEqual([f1.id]);
    expect(d.friends.dropped.map((x: any) => x.friendId).sort()).toEqual([f2.id, target.id].sort());
    expect(d.userLinks.moved).toHaveLength(1);
    expect(d.userLinks.dropped.map((x: any) => [x.userId, x.template])).toEqual([['u-shared', 'S']]);
    expect(d.attributes.dropped.map((x: any) => x.value)).toEqual(['silver']);
    expect(d.tags).toEqual({ moved: [tagSource.id], dropped: [{ tagId: tagShared.id, createdAt: expect.any(String) }] });
    expect(d.filled.map((f: any) => f.field).sort()).toEqual(['city', 'deptCodeList', 'gender', 'mobile', 'mobileVerified']);

    const events = await t.graphql(
      `{ mergeEvents(customerId: "${target.id}", first: 10) { totalCount edges { node { mergeEventId sourceId } } } }`,
    );
    expect(events.body.data.mergeEvents).toEqual({
      totalCount: 1,
      edges: [{ node: { mergeEventId: event.mergeEventId, sourceId: source.id } }],
    });

    // Undo: both customers are back exactly as they were.
    const undo = await t.graphql(unmerge, { e: event.mergeEventId });
    expect(undo.body.errors).toBeUndefined();
    expect(undo.body.data.unmergeCustomer).toMatchObject({
      mergeEventId: event.mergeEventId,
      customerId: source.id,
      targetId: target.id,
      keptFields: [],
      mergeEvent: { undoneAt: expect.any(String), undoneBy: expect.stringMatching(/^app:/) },
      customer: { customerId: source.id },
    });
    expect({ target: await snapshot(target.id), source: await snapshot(source.id) }).toEqual(before);
  });

  it('follows chains: A into B, then B into C; A, B and their identities answer with C', async () => {
    const a = await customer({ name: 'chain-a', identities: [['username', 'chain-a']] });
    const b = await customer({ name: 'chain-b', identities: [['email', 'chain-b@example.test']] });
    const c = await customer({ name: 'chain-c', identities: [['phone', '13912340100']] });
    const first = await t.graphql(merge, { t: String(b.id), s: [String(a.id)] });
    const second = await t.graphql(merge, { t: String(c.id), s: [String(b.id)] });
    expect(second.body.data.mergeCustomers.customerId).toBe(c.id);
    const read = await t.graphql(`{
      a: customer(id: "${a.id}") { customerId identities { identityType } }
      b: customer(id: "${b.id}") { customerId }
      byIdentity: customerByIdentity(identityType: "username", identityValue: "chain-a") { customerId }
      history: mergeEvents(customerId: "${c.id}") { totalCount edges { node { sourceId targetId reason } } }
      ofA: mergeEvents(customerId: "${a.id}") { totalCount }
    }`);
    expect(read.body.data.a.customerId).toBe(c.id);
    expect(read.body.data.a.identities.map((i: any) => i.identityType).sort()).toEqual(['email', 'phone', 'username']);
    expect(read.body.data.b.customerId).toBe(c.id);
    expect(read.body.data.byIdentity.customerId).toBe(c.id);
    expect(read.body.data.history.edges.map((e: any) => [e.node.sourceId, e.node.targetId, e.node.reason])).toEqual([
      [b.id, c.id, 'manual merge'],
      [a.id, b.id, 'manual merge'],
    ]);
    expect(read.body.data.ofA.totalCount).toBe(1);

    // A tombstone id as the target means its survivor.
    const d = await customer({ name: 'chain-d', identities: [['qq', '100100']] });
    const viaTombstone = await t.graphql(merge, { t: String(a.id), s: [String(d.id)] });
    expect(viaTombstone.body.data.mergeCustomers.customerId).toBe(c.id);

    // Undo in reverse order only: A's merge into B cannot be undone while B is merged into C.
    const e1 = first.body.data.mergeCustomers.mergeEventIds[0];
    const e2 = second.body.data.mergeCustomers.mergeEventIds[0];
    const blocked = await t.graphql(unmerge, { e: e1 });
    expect(blocked.body.errors[0].extensions.code).toBe('CONFLICT');
    expect(blocked.body.errors[0].message).toContain(`customer ${b.id} (the target) was itself merged into customer ${c.id}`);
    expect((await t.graphql(unmerge, { e: e2 })).body.errors).toBeUndefined();
    expect((await t.graphql(unmerge, { e: e1 })).body.errors).toBeUndefined();
    const back = await t.graphql(
      `{ a: customer(id: "${a.id}") { customerId identities { identityType } } b: customer(id: "${b.id}") { customerId } }`,
    );
    expect(back.body.data).toEqual({ a: { customerId: a.id, identities: [{ identityType: 'username' }] }, b: { customerId: b.id } });
  });

  it('merges several sources in one call, and refuses them all when one conflicts, naming the identity type', async () => {
    const target = await customer({ name: 'multi-t', identities: [['phone', '13912340200']] });
    const ok = await customer({ name: 'multi-ok', identities: [['email', 'multi-ok@example.test']] });
    const clash = await customer({ name: 'multi-clash', identities: [['phone', '13912340201']] });
    const refused = await t.graphql(merge, { t: String(target.id), s: [String(ok.id), String(clash.id)] });
    expect(refused.body.errors[0].extensions.code).toBe('CONFLICT');
    expect(refused.body.errors[0].message).toContain('phone');
    expect(refused.body.errors[0].extensions.issues[0]).toEqual({
      field: 'sourceIds[1]',
      message: 'uniqueness conflict on identity type phone',
    });
    expect((await t.prisma.customer.findUniqueOrThrow({ where: { id: ok.id } })).mergedIntoId).toBeNull();
    expect(await t.prisma.mergeEvent.count({ where: { targetId: target.id } })).toBe(0);

    const other = await customer({ name: 'multi-other', identities: [['openid', 'multi-o']] });
    const done = await t.graphql(merge, { t: String(target.id), s: [String(ok.id), String(other.id), String(ok.id)] });
    expect(done.body.data.mergeCustomers).toMatchObject({ customerId: target.id, mergedCustomerIds: [ok.id, other.id] });
    expect(done.body.data.mergeCustomers.mergeEventIds).toHaveLength(2);
  });

  it.each([
    ['the target itself', 'self', 'BAD_INPUT', 'sourceIds[0]'],
    ['a customer already merged into the target', 'tombstone', 'CONFLICT', 'sourceIds[0]'],
    ['an unknown customer', 'unknown', 'NOT_FOUND', 'sourceIds[0]'],
    ['a deleted customer', 'deleted', 'NOT_FOUND', 'sourceIds[0]'],
    ['into an unknown target', 'unknownTarget', 'NOT_FOUND', 'targetId'],
    ['an id that is no id', 'garbage', 'BAD_INPUT', 'sourceIds[0]'],
  ])('refuses to merge %s', async (_name, kind, code, field) => {
    const target = await customer({ name: unique('refuse') });
    let targetId = String(target.id);
    let sourceId: string;
    if (kind === 'self') sourceId = targetId;
    else if (kind === 'tombstone') {
      const s = await customer({ name: unique('refuse') });
      await t.graphql(merge, { t: targetId, s: [String(s.id)] });
      sourceId = String(s.id);
    } else if (kind === 'unknown') sourceId = '99999999';
    else if (kind === 'deleted') {
      const s = await customer({ name: unique('refuse') });
      await t.graphql(`mutation { deleteCustomer(id: "${s.id}") { customerId } }`);
      sourceId = String(s.id);
    } else if (kind === 'unknownTarget') {
      sourceId = targetId;
      targetId = '99999999';
    } else sourceId = 'not-an-id';
    const events = await t.prisma.mergeEvent.count();
    const res = await t.graphql(merge, { t: targetId, s: [sourceId] });
    expect(res.body.errors[0].extensions.code).toBe(code);
    expect(res.body.errors[0].extensions.issues[0].field).toBe(field);
    expect(await t.prisma.mergeEvent.count()).toBe(events);
  });
});

describe('unmergeCustomer refusals', () => {
  async function merged() {
    const target = await customer({ name: unique('um-t'), identities: [['phone', `1391235${String(++seq).padStart(4, '0')}`]] });
    const source = await customer({ name: unique('um-s'), city: '南京', identities: [['email', `${unique('um')}@example.test`]] });
    const res = await t.graphql(merge, { t: String(target.id), s: [String(source.id)] });
    return { target, source, eventId: res.body.data.mergeCustomers.mergeEventIds[0] as number };
  }

  it.each([
    [
      'it was already undone',
      async ({ eventId }: Awaited<ReturnType<typeof merged>>) => {
        await t.graphql(unmerge, { e: eventId });
      },
      /already undone/,
    ],
    [
      'the target was deleted since',
      async ({ target }: Awaited<ReturnType<typeof merged>>) => {
        await t.graphql(`mutation { deleteCustomer(id: "${target.id}") { customerId } }`);
      },
      /the target\) was deleted since/,
    ],
    [
      'the target was merged into another customer since',
      async ({ target }: Awaited<ReturnType<typeof merged>>) => {
        const other = await customer({ name: unique('um-o') });
        await t.graphql(merge, { t: String(other.id), s: [String(target.id)] });
      },
      /the target\) was itself merged into customer \d+ since/,
    ],
    [
      'a moved identity was deleted since',
      async ({ target }: Awaited<ReturnType<typeof merged>>) => {
        await t.prisma.identity.deleteMany({ where: { type: 'email', customerId: target.id } });
      },
      /the email identity it moved was deleted since/,
    ],
    [
      'a moved identity moved to another customer since',
      async ({ target }: Awaited<ReturnType<typeof merged>>) => {
        const other = await customer({ name: unique('um-o') });
        await t.prisma.identity.updateMany({ where: { type: 'email', customerId: target.id }, data: { customerId: other.id } });
      },
      /the email identity it moved belongs to customer \d+ since/,
    ],
    [
      'a later merge involves the merged customer',
      async ({ source }: Awaited<ReturnType<typeof merged>>) => {
        // Not reachable through the API while the merge stands (a tombstone resolves to its
        // survivor): the guard protects against events written by other paths.
        const other = await customer({ name: unique('um-o') });
        await t.prisma.mergeEvent.create({ data: { targetId: other.id, sourceId: source.id, reason: 'elsewhere', details: '{}' } });
      },
      /a later merge \(event \d+\) involves customer/,
    ],
  ])('refuses when %s, and changes nothing', async (_name, change, message) => {
    const m = await merged();
    await change(m);
    const before = await t.prisma.customer.findUniqueOrThrow({ where: { id: m.source.id } });
    const res = await t.graphql(unmerge, { e: m.eventId });
    expect(res.body.errors[0].extensions.code).toBe('CONFLICT');
    expect(res.body.errors[0].extensions.issues[0].field).toBe('mergeEventId');
    expect(res.body.errors[0].message).toMatch(message);
    expect(await t.prisma.customer.findUniqueOrThrow({ where: { id: m.source.id } })).toEqual(before);
  });

  it('refuses while a later merge into the same target relies on what it brought; allows it when none does', async () => {
    const group = await t.prisma.group.create({ data: { key: unique('g'), kind: 'GROUP', name: 'relied on' } });
    const target = await customer({ name: unique('rely-t') });
    const s = await customer({ name: unique('rely-s') });
    const u = await customer({ name: unique('rely-u') });
    const v = await customer({ name: unique('rely-v') });
    await t.prisma.groupMember.createMany({
      data: [
        { customerId: s.id, groupId: group.id },
        { customerId: u.id, groupId: group.id },
      ],
    });
    const first = (await t.graphql(merge, { t: String(target.id), s: [String(s.id)] })).body.data.mergeCustomers.mergeEventIds[0];
    // u's own membership is dropped as a duplicate of the one s brought.
    const second = (await t.graphql(merge, { t: String(target.id), s: [String(u.id)] })).body.data.mergeCustomers.mergeEventIds[0];
    // v brings nothing that overlaps: it does not block.
    await t.graphql(merge, { t: String(target.id), s: [String(v.id)] });
    const res = await t.graphql(unmerge, { e: first });
    expect(res.body.errors[0].extensions.code).toBe('CONFLICT');
    expect(res.body.errors[0].message).toContain(`relies on a group membership this merge brought`);
    expect(res.body.errors[0].message).toContain(`event ${second}`);
    expect((await t.graphql(unmerge, { e: second })).body.errors).toBeUndefined();
    expect((await t.graphql(unmerge, { e: first })).body.errors).toBeUndefined();
    const members = await t.prisma.groupMember.findMany({ where: { groupId: group.id }, orderBy: { customerId: 'asc' } });
    expect(members.map((m) => m.customerId)).toEqual([s.id, u.id]);
  });

  it('refuses an unknown merge event with NOT_FOUND', async () => {
    const res = await t.graphql(unmerge, { e: 987654 });
    expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(res.body.errors[0].extensions.issues[0].field).toBe('mergeEventId');
  });

  it('leaves a filled field the target changed since, and says so', async () => {
    const m = await merged();
    expect((await t.prisma.customer.findUniqueOrThrow({ where: { id: m.target.id } })).city).toBe('南京');
    await t.graphql(`mutation { updateCustomer(id: "${m.target.id}", profile: { city: "苏州" }) { customerId } }`);
    const res = await t.graphql(unmerge, { e: m.eventId });
    expect(res.body.data.unmergeCustomer.keptFields).toEqual(['city']);
    expect((await t.prisma.customer.findUniqueOrThrow({ where: { id: m.target.id } })).city).toBe('苏州');
    expect((await t.prisma.customer.findUniqueOrThrow({ where: { id: m.source.id } })).mergedIntoId).toBeNull();
  });
});
