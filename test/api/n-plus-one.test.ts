// Nested lists must not issue one query per parent: the statement count of a query for
// 5 and for 50 customers with identities, groups, friends and attributes is the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;

async function seedCustomers(count: number, groupIds: number[]) {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const customer = await t.prisma.customer.create({
      data: {
        name: `c${i}`,
        identities: {
          create: [
            { type: 'phone', value: `1380000${String(ids.length + i).padStart(4, '0')}` },
            { type: 'email', value: `c${Math.random()}@x.cn` },
          ],
        },
        memberships: { create: groupIds.map((groupId) => ({ groupId })) },
      },
    });
    ids.push(customer.id);
  }
  for (let i = 1; i < ids.length; i++) {
    await t.prisma.friendship.createMany({
      data: [
        { customerId: ids[i], friendId: ids[i - 1] },
        { customerId: ids[i - 1], friendId: ids[i] },
      ],
      skipDuplicates: true,
    });
  }
  return ids;
}

const query = `query ($first: Int!) {
  customers(first: $first) {
    totalCount
    edges { node {
      customerId name
      identities { identityType identityValue }
      groups { groupId name parent { name } }
      friends(first: 5) { customerId name identities { identityValue } }
      extendedAttributes { attrKey attrValue }
      tags
    } }
  }
}`;

beforeAll(async () => {
  t = await startTestGateway();
  const groups = await Promise.all(
    ['a', 'b'].map((name) => t.prisma.group.create({ data: { key: `group:name:${name}`, kind: 'GROUP', name } })),
  );
  await seedCustomers(
    50,
    groups.map((g) => g.id),
  );
});
afterAll(() => t.close());

describe('N+1 freedom', () => {
  it('issues the same number of SQL statements for 5 and for 50 customers', async () => {
    const counts: number[] = [];
    for (const first of [5, 50]) {
      await t.graphql('{ __typename }'); // resolves and caches the token outside the count
      t.statements.count = 0;
      const res = await t.graphql(query, { first });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.customers.edges).toHaveLength(first);
      expect(res.body.data.customers.edges[1].node.friends.length).toBeGreaterThan(0);
      expect(res.body.data.customers.edges[1].node.groups).toHaveLength(2);
      counts.push(t.statements.count);
    }
    expect(counts[1]).toBe(counts[0]);
    // With Prisma's relationJoins the whole page (customers, identities, groups and their
    // parents, friends and their identities, attributes, tags) is one statement; the total
    // count is the other.
    expect(counts[0]).toBeLessThanOrEqual(2);
  });
});
