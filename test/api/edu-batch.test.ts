// seed 000 批量添加客户 at the GraphQL level (the REST route replays the seed in test/rest-edu*).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { routeOf } from '../support/rest.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const mutation = `mutation ($input: EduCustomerBatchInput!) {
  addEduCustomerBatch(input: $input) { projectGroupId classGroupId customerIds }
}`;

/** The seed's example roster (declared once, on the REST route), with a project id, a distinct username and a second customer. */
const seed = routeOf('/v1/customer/addCustomerBatch.json').example as { customers: Record<string, unknown>[] };
const roster = {
  ...seed,
  spid: 'sp-1',
  customers: [
    { ...seed.customers[0], username: 'webuser1' },
    { name: '李四', username: 'webuser2', gender: 'M' },
  ],
};

describe('addEduCustomerBatch', () => {
  it('creates the project, the class inside it, and each customer with identities and study fields', async () => {
    const res = await t.graphql(mutation, { input: roster });
    expect(res.body.errors).toBeUndefined();
    const { projectGroupId, classGroupId, customerIds } = res.body.data.addEduCustomerBatch;
    expect(customerIds).toHaveLength(2);
    const klass = await t.prisma.group.findUniqueOrThrow({ where: { id: classGroupId } });
    expect(klass).toMatchObject({ kind: 'CLASS', name: '班级名称', parentId: projectGroupId, externalId: null });
    expect(await t.prisma.group.findUniqueOrThrow({ where: { id: projectGroupId } })).toMatchObject({
      kind: 'PROJECT',
      externalId: 'sp-1',
    });

    const read = await t.graphql(
      `query ($id: ID!) { customer(id: $id) { name gender district mobile email
        identities { identityType identityValue } groups { groupId } extendedAttributes { attrKey attrValue } } }`,
      { id: String(customerIds[0]) },
    );
    const customer = read.body.data.customer;
    expect(customer).toMatchObject({ name: '姓名', gender: 2, district: '县区乡镇', mobile: '13765348726', email: 'a@b.com' });
    expect(customer.identities).toEqual(
      expect.arrayContaining([
        { identityType: 'phone', identityValue: '13765348726' },
        { identityType: 'qq', identityValue: '10000' },
        { identityType: 'email', identityValue: 'a@b.com' },
        { identityType: 'username', identityValue: 'webuser1' },
      ]),
    );
    expect(customer.groups).toEqual([{ groupId: classGroupId }]);
    const attrs = Object.fromEntries(customer.extendedAttributes.map((a: any) => [a.attrKey, a.attrValue]));
    expect(attrs).toMatchObject({
      hasStudyVideo: '23',
      videoTotal: '234',
      loginCount: '20',
      lastLogin: '2015/5/12 17:17:18',
      workunit: '工作单位',
      job: '教师',
    });
  });

  it('is idempotent on re-send: the same customers, no new rows', async () => {
    const before = {
      customers: await t.prisma.customer.count(),
      groups: await t.prisma.group.count(),
      members: await t.prisma.groupMember.count(),
    };
    const first = await t.graphql(mutation, { input: roster });
    const again = await t.graphql(mutation, { input: roster });
    expect(again.body.data.addEduCustomerBatch).toEqual(first.body.data.addEduCustomerBatch);
    expect({
      customers: await t.prisma.customer.count(),
      groups: await t.prisma.group.count(),
      members: await t.prisma.groupMember.count(),
    }).toEqual(before);
  });

  it('refuses the whole roster naming every bad row, and writes nothing', async () => {
    const before = await t.prisma.customer.count();
    const res = await t.graphql(mutation, {
      input: {
        className: '二班',
        customers: [{ tel: '13900000009' }, { name: 'no identity' }, { tel: '13900000010', email: 'not-mail' }, { qq: '12', gender: 'X' }],
      },
    });
    expect(res.body.errors[0].extensions.code).toBe('BAD_INPUT');
    const fields = res.body.errors[0].extensions.issues.map((i: any) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['customers[1]', 'customers[2].email', 'customers[3].gender']));
    expect(await t.prisma.customer.count()).toBe(before);
    expect(await t.prisma.group.count({ where: { name: '二班' } })).toBe(0);
  });
});
