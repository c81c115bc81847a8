// Issue 13 item 7: after eraseCustomer no row of any table holds a value of the erased person:
// not the import payload (name, address, birthday, a remark with a national id number, a
// mixed-case e-mail), not the import row errors, not a merge event's reason (a phone written
// with dots, a username), not the audit log (identity values under any argument name).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyRowAsText } from '../support/database.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { importNow } from '../support/imports.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const person = {
  name: '王五',
  address: '上海市浦东新区世纪大道100号',
  birthday: '1988-07-15',
  remark: '身份证 310101198807150012',
  email: 'Wang.Wu@Example.COM',
  phone: '13812345678',
  username: 'wangwu_88',
  unionid: 'oUnionWangWu0001',
  openid: 'oOpenWangWu0001',
  qq: '88886666',
};
/** Every form a value of the person could be written in. */
const forms = [
  person.name,
  person.address,
  person.birthday,
  '310101198807150012',
  person.email,
  person.email.toLowerCase(),
  person.phone,
  '138-1234-5678',
  '138.1234.5678',
  '138 1234 5678',
  person.username,
  person.unionid,
  person.openid,
  person.qq,
];

const everything = () => everyRowAsText(t.prisma);

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const res = await t.graphql(query, variables);
  expect(res.body.errors).toBeUndefined();
  return res.body.data;
}

describe('eraseCustomer leaves no value of the person anywhere', () => {
  it('in import payloads and row errors, merge reasons, audit entries, on both databases', async () => {
    const bystander = await gql('mutation ($i: CreateCustomerByIdentityInput!) { createCustomerByIdentity(input: $i) { customerId } }', {
      i: {
        name: '路人甲',
        identityList: [
          { identityType: 'username', identityValue: 'passerby_01' },
          { identityType: 'phone', identityValue: '13800009999' },
        ],
      },
    });
    const created = await gql('mutation ($i: CreateCustomerByIdentityInput!) { createCustomerByIdentity(input: $i) { customerId } }', {
      i: {
        name: person.name,
        realName: person.name,
        address: person.address,
        birthday: person.birthday,
        remark: person.remark,
        email: person.email,
        mobile: person.phone,
        identityList: [
          { identityType: 'phone', identityValue: person.phone },
          { identityType: 'email', identityValue: person.email },
          { identityType: 'username', identityValue: person.username },
          { identityType: 'unionid', identityValue: person.unionid },
        ],
      },
    });
    const id = created.createCustomerByIdentity.customerId as number;
    const other = bystander.createCustomerByIdentity.customerId as number;

    // An import that matches the person (payload with the profile), and one that quotes the phone in a row error.
    const profileRow = {
      phone: '138-1234-5678',
      openid: person.openid,
      realName: person.name,
      address: person.address,
      birthday: person.birthday,
      remark: person.remark,
    };
    const matched = await importNow(t.prisma, 'PROFILE', { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 }, [
      profileRow,
      { phone: '13800009999', realName: '路人甲' },
    ]);
    expect(matched.job.status).toBe('SUCCEEDED');
    const refused = await importNow(t.prisma, 'PROFILE', { isMatching: false, importMode: 2 }, [
      { phone: person.phone, realName: person.name },
      { identityType: 'email', identityId: person.email, realName: person.name },
    ]);
    expect(refused.chunk.errors.length).toBeGreaterThan(0);

    // A manual merge whose reason quotes the phone with dots and the username; a friend added by identity values.
    const tomb = await gql('mutation ($i: CreateCustomerByIdentityInput!) { createCustomerByIdentity(input: $i) { customerId } }', {
      i: { name: person.name, identityList: [{ identityType: 'qq', identityValue: person.qq }] },
    });
    await gql('mutation ($t: ID!, $s: [ID!]!, $r: String) { mergeCustomers(targetId: $t, sourceIds: $s, reason: $r) { customerId } }', {
      t: String(id),
      s: [String(tomb.createCustomerByIdentity.customerId)],
      r: `same person: 138.1234.5678 / ${person.username}`,
    });
    await gql(
      'mutation ($v: [String!]!) { addFriendsByIdentity(identityType: "username", identityValue: "passerby_01", friendIdentityValues: $v) { changed } }',
      {
        v: [person.username],
      },
    );

    const before = await everything();
    for (const value of [person.email, person.remark, '138.1234.5678', person.username]) expect(before).toContain(value);

    await gql(`mutation { eraseCustomer(id: "${id}") { customerId } }`);

    const after = await everything();
    for (const value of forms) expect(after.includes(value), `a row still holds ${value}`).toBe(false);
    // What is not the person's stays.
    expect(await t.prisma.identity.count({ where: { customerId: other } })).toBe(2);
    expect(after).toContain('passerby_01');
  });
});
