import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
let ids: number[];
beforeAll(async () => {
  t = await startTestGateway();
  ids = [];
  for (let i = 0; i < 4; i++) ids.push((await t.prisma.customer.create({ data: { name: `p${i}` } })).id);
});
afterAll(() => t.close());

describe('groups', () => {
  it('finds or creates groups by natural key, nests classes in projects, and manages members idempotently', async () => {
    const project = await t.graphql('mutation { createGroup(name: "项目", kind: PROJECT, externalId: "sp1") { groupId kind } }');
    const projectId = project.body.data.createGroup.groupId;
    const again = await t.graphql('mutation { createGroup(name: "项目(改名)", kind: PROJECT, externalId: "sp1") { groupId name } }');
    expect(again.body.data.createGroup).toEqual({ groupId: projectId, name: '项目(改名)' });
    const cls = await t.graphql(
      `mutation { createGroup(name: "一班", kind: CLASS, parentId: ${projectId}) { groupId parent { groupId } } }`,
    );
    expect(cls.body.data.createGroup.parent.groupId).toBe(projectId);
    const classId = cls.body.data.createGroup.groupId;

    const add = `mutation ($g: ID!, $c: [ID!]!) { addGroupMembers(groupId: $g, customerIds: $c) { changed } }`;
    expect((await t.graphql(add, { g: classId, c: [ids[0], ids[1]] })).body.data.addGroupMembers.changed).toBe(2);
    expect((await t.graphql(add, { g: classId, c: [ids[0], ids[2]] })).body.data.addGroupMembers.changed).toBe(1);
    const members = await t.graphql(
      `{ customers(first: 10, filter: { groupId: ${classId} }) { totalCount } group(id: ${classId}) { memberCount } }`,
    );
    expect(members.body.data.customers.totalCount).toBe(3);
    expect(members.body.data.group.memberCount).toBe(3);

    const unknown = await t.graphql(add, { g: classId, c: [ids[3], 999999] });
    expect(unknown.body.errors[0].message).toMatch(/customer 999999 not found/);
    expect(await t.prisma.groupMember.count({ where: { groupId: classId } })).toBe(3);

    const removed = await t.graphql(`mutation { removeGroupMembers(groupId: ${classId}, customerIds: [${ids[0]}]) { changed } }`);
    expect(removed.body.data.removeGroupMembers.changed).toBe(1);
  });
});

describe('friends', () => {
  const add = 'mutation ($c: ID!, $f: [ID!]!) { addFriends(customerId: $c, friendIds: $f) { changed } }';

  it('befriends both ways, idempotently, ignoring self', async () => {
    expect(
      (await t.graphql(add, { c: String(ids[0]), f: [String(ids[1]), String(ids[2]), String(ids[0])] })).body.data.addFriends.changed,
    ).toBe(2);
    expect((await t.graphql(add, { c: String(ids[1]), f: [String(ids[0])] })).body.data.addFriends.changed).toBe(0);
    const res = await t.graphql(`{ customer(id: "${ids[1]}") { friends { customerId } } }`);
    expect(res.body.data.customer.friends).toEqual([{ customerId: ids[0] }]);
    expect(await t.prisma.friendship.count()).toBe(4);
  });

  it('fails the whole call on an unknown id, naming it, and writes nothing', async () => {
    const before = await t.prisma.friendship.count();
    const res = await t.graphql(add, { c: String(ids[3]), f: [String(ids[2]), '424242'] });
    expect(res.body.errors[0].extensions.issues[0].field).toBe('friendIds[1]');
    expect(await t.prisma.friendship.count()).toBe(before);
  });

  it('removes both directions', async () => {
    const res = await t.graphql('mutation ($c: ID!, $f: [ID!]!) { removeFriends(customerId: $c, friendIds: $f) { changed } }', {
      c: String(ids[2]),
      f: [String(ids[0])],
    });
    expect(res.body.data.removeFriends.changed).toBe(1);
    expect(await t.prisma.friendship.count({ where: { OR: [{ customerId: ids[2] }, { friendId: ids[2] }] } })).toBe(0);
  });
});

describe('friends by identity', () => {
  const add = `mutation ($t: String!, $v: String!, $f: [String!]!) {
    addFriendsByIdentity(identityType: $t, identityValue: $v, friendIdentityValues: $f) { customerId changed }
  }`;

  it('befriends the holders of identity values, both ways, normalising the values by their type', async () => {
    const people = [];
    for (const email of ['a@x.cn', 'b@x.cn', 'c@x.cn']) {
      const res = await t.graphql(
        `mutation { createCustomer(identities: [{ identityType: "email", identityValue: "${email}" }]) { customerId } }`,
      );
      people.push(res.body.data.createCustomer.customerId as number);
    }
    const res = await t.graphql(add, { t: 'email', v: ' A@X.cn ', f: ['B@x.cn', 'c@x.cn', 'b@x.cn'] });
    expect(res.body.data.addFriendsByIdentity).toEqual({ customerId: people[0], changed: 2 });
    const friends = await t.graphql(`{ customer(id: "${people[2]}") { friends { customerId } } }`);
    expect(friends.body.data.customer.friends).toEqual([{ customerId: people[0] }]);

    const before = await t.prisma.friendship.count();
    const unknown = await t.graphql(add, { t: 'email', v: 'b@x.cn', f: ['c@x.cn', 'nobody@x.cn'] });
    expect(unknown.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', issues: [{ field: 'friendIdentityValues[1]' }] });
    const badType = await t.graphql(add, { t: 'fax', v: 'b@x.cn', f: [] });
    expect(badType.body.errors[0].extensions.issues[0].field).toBe('identityType');
    expect(await t.prisma.friendship.count()).toBe(before);
  });
});

describe('user-customer follow links (seed 003)', () => {
  it('follows, refuses a second follow, edits, lists with conditions, and unfollows all-or-nothing', async () => {
    const follow = 'mutation ($u: String!, $c: ID!) { followCustomer(userId: $u, customerId: $c, reference: "r1") { userId customerId } }';
    expect((await t.graphql(follow, { u: '998', c: String(ids[0]) })).body.data.followCustomer).toEqual({
      userId: '998',
      customerId: ids[0],
    });
    await t.graphql(follow, { u: '998', c: String(ids[1]) });
    await t.graphql(follow, { u: '777', c: String(ids[1]) });
    expect((await t.graphql(follow, { u: '998', c: String(ids[0]) })).body.errors[0].extensions.code).toBe('CONFLICT');

    const edit = await t.graphql(
      `mutation { editUserCustomer(userId: "998", customerId: "${ids[0]}", template: "<b>t</b>", script: "s()") { userCustomer { template script reference } } }`,
    );
    expect(edit.body.data.editUserCustomer.userCustomer).toEqual({ template: '<b>t</b>', script: 's()', reference: 'r1' });

    const list = (conditions: unknown) =>
      t.graphql(
        'query ($f: UserCustomerFilter) { userCustomers(first: 20, filter: $f) { totalCount edges { node { userId customerId } } } }',
        {
          f: { conditions },
        },
      );
    expect((await list([{ key: 'user_id', op: 'EQ', value: '998' }])).body.data.userCustomers.totalCount).toBe(2);
    expect((await list([{ key: 'customer_id', op: 'IN', values: [String(ids[1])] }])).body.data.userCustomers.totalCount).toBe(2);
    expect((await list([{ key: 'template', op: 'LIKE', value: '%<b>%' }])).body.data.userCustomers.totalCount).toBe(1);
    const bad = await list([{ key: 'customer_id', op: 'GT', value: 'abc' }]);
    expect(bad.body.errors[0].message).toMatch(/filter\.conditions\[0\].*not an integer/);

    const unfollow = 'mutation ($u: String!, $c: [ID!]!) { unfollowCustomers(userId: $u, customerIds: $c) { removed } }';
    const partial = await t.graphql(unfollow, { u: '998', c: [String(ids[0]), String(ids[2])] });
    expect(partial.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(await t.prisma.userCustomer.count({ where: { userId: '998' } })).toBe(2);
    expect((await t.graphql(unfollow, { u: '998', c: [String(ids[0]), String(ids[1])] })).body.data.unfollowCustomers.removed).toBe(2);
  });
});
