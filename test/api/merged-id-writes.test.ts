// Issue 15 item 2: a merged-away id stands for its survivor in reads and additive writes, but a
// write that changes or removes what a customer holds refuses it (CONFLICT naming the field,
// "customer 5 was merged into customer 9") and never touches the survivor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { call, expectFailure, routeOf } from '../support/rest.ts';
import { resolveCustomerIds } from '../../src/domain/merge/tree.ts';

let t: TestGateway;
let survivor: number;
let merged: number;
let groupId: number;

beforeAll(async () => {
  t = await startTestGateway();
  const create = async (type: string, value: string) => {
    const res = await t.graphql(
      `mutation { createCustomerByIdentity(input: { name: "n${value}", identityList: [{ identityType: "${type}", identityValue: "${value}" }] }) { customerId } }`,
    );
    return res.body.data.createCustomerByIdentity.customerId as number;
  };
  survivor = await create('phone', '13600000001');
  merged = await create('email', 'merged-writes@example.com');
  const group = await t.graphql('mutation { createGroup(name: "merged-id-writes") { groupId } }');
  groupId = group.body.data.createGroup.groupId;
  await t.graphql(`mutation { addGroupMembers(groupId: ${groupId}, customerIds: [${survivor}]) { changed } }`);
  await t.graphql(`mutation { followCustomer(userId: "u-merged", customerId: "${survivor}") { customerId } }`);
  const merge = await t.graphql(`mutation { mergeCustomers(targetId: "${survivor}", sourceIds: ["${merged}"]) { customerId } }`);
  expect(merge.body.errors).toBeUndefined();
});
afterAll(() => t.close());

const refusal = (field: string) => ({
  code: 'CONFLICT',
  issues: [{ field, message: expect.stringContaining(`customer ${merged} was merged into customer ${survivor}`) }],
});

async function survivorUntouched() {
  const row = await t.prisma.customer.findUniqueOrThrow({ where: { id: survivor } });
  expect(row).toMatchObject({ deletedAt: null, mergedIntoId: null, name: 'n13600000001', remark: null });
  expect(await t.prisma.groupMember.count({ where: { groupId, customerId: survivor } })).toBe(1);
  expect(await t.prisma.userCustomer.count({ where: { userId: 'u-merged', customerId: survivor } })).toBe(1);
}

describe('a merged-away id given to a destructive write', () => {
  it.each([
    ['deleteCustomer', 'customerId', () => `mutation { deleteCustomer(id: "${merged}") { customerId } }`],
    ['updateCustomer', 'id', () => `mutation { updateCustomer(id: "${merged}", profile: { remark: "x" }) { customerId } }`],
    [
      'setCustomerAttribute (profile)',
      'customerId',
      () => `mutation { setCustomerAttribute(customerId: "${merged}", name: "remark", value: "x", extended: false) { customerId } }`,
    ],
    [
      'setCustomerAttribute (extended)',
      'customerId',
      () => `mutation { setCustomerAttribute(customerId: "${merged}", name: "k1", value: "x", extended: true) { customerId } }`,
    ],
    [
      'removeGroupMembers',
      'customerIds[0]',
      () => `mutation { removeGroupMembers(groupId: ${groupId}, customerIds: [${merged}]) { changed } }`,
    ],
    ['removeFriends', 'customerId', () => `mutation { removeFriends(customerId: "${merged}", friendIds: ["${survivor}"]) { changed } }`],
    [
      'unfollowCustomers',
      'customerIds[0]',
      () => `mutation { unfollowCustomers(userId: "u-merged", customerIds: ["${merged}"]) { removed } }`,
    ],
  ])('%s refuses it naming %s, and the survivor is untouched', async (_name, field, query) => {
    const res = await t.graphql(query());
    expect(res.body.errors?.[0]?.extensions).toMatchObject(refusal(field));
    await survivorUntouched();
  });

  it('REST singleDelete refuses it naming customerId and deletes nothing', async () => {
    const route = routeOf('/openapi/customer/singleDelete');
    const res = await call(t, route, { customerId: String(merged) });
    expectFailure(route, res, 409, 'customerId');
    expect(JSON.stringify(res.body)).toContain(`customer ${merged} was merged into customer ${survivor}`);
    await survivorUntouched();
  });

  it('reads and additive writes still resolve it to the survivor', async () => {
    const read = await t.graphql(`{ customer(id: "${merged}") { customerId } }`);
    expect(read.body.data.customer).toEqual({ customerId: survivor });
    const info = await call(t, routeOf('/openapi/customer/customerInfo'), { customerId: String(merged) });
    expect(info.status).toBe(200);
    const other = await t.graphql('mutation { createGroup(name: "merged-id-add") { groupId } }');
    const added = await t.graphql(
      `mutation { addGroupMembers(groupId: ${other.body.data.createGroup.groupId}, customerIds: [${merged}]) { changed } }`,
    );
    expect(added.body.errors).toBeUndefined();
    expect(await t.prisma.groupMember.count({ where: { groupId: other.body.data.createGroup.groupId, customerId: survivor } })).toBe(1);
  });
});

describe('resolveCustomerIds (the chase of many ids at once)', () => {
  it('maps a survivor to itself, a merged id to its survivor, and a deleted customer and ids no customer has (absent, 0, negative, past int4) to null', async () => {
    const deleted = (await t.prisma.customer.create({ data: { name: 'deleted', deletedAt: new Date() } })).id;
    const ids = [survivor, merged, deleted, 987_654_321, 0, -3, 2 ** 31, 1.5];
    const resolved = await resolveCustomerIds(t.prisma, ids);
    expect(ids.map((id) => resolved.get(id))).toEqual([survivor, survivor, null, null, null, null, null, null]);
  });
});
