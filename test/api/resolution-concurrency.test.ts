// Concurrent identity resolution: no lock in the process, so what holds here holds with
// several gateway processes on one PostgreSQL database (the last test runs two pools).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { createGateway } from '../../src/gateway.ts';
import { usingPostgres } from '../support/database.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const mutation = `mutation ($input: CreateCustomerByIdentityInput!) {
  createCustomerByIdentity(input: $input) { customerId created mergedCustomerIds }
}`;

describe('concurrent createCustomerByIdentity', () => {
  it('50 concurrent calls with the same new identities create exactly one customer, and all return it', async () => {
    const identityList = [
      { identityType: 'unionid', identityValue: 'race-union-1' },
      { identityType: 'phone', identityValue: '139 0000 7777' },
      { identityType: 'email', identityValue: 'Race@Example.test' },
    ];
    const before = await t.prisma.customer.count();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.graphql(mutation, { input: { identityList, nickName: `racer-${i}`, userIdList: ['race-user'] } }),
      ),
    );
    for (const reply of replies) expect(reply.body.errors).toBeUndefined();
    const ids = new Set(replies.map((r) => r.body.data.createCustomerByIdentity.customerId));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(replies.filter((r) => r.body.data.createCustomerByIdentity.created)).toHaveLength(1);
    expect(await t.prisma.customer.count()).toBe(before + 1);
    const identities = await t.prisma.identity.findMany({ where: { customerId: id }, orderBy: { type: 'asc' } });
    expect(identities.map((i) => [i.type, i.value])).toEqual([
      ['email', 'race@example.test'],
      ['phone', '13900007777'],
      ['unionid', 'race-union-1'],
    ]);
    expect(await t.prisma.userCustomer.count({ where: { userId: 'race-user' } })).toBe(1);
  });

  it('50 concurrent autoMerge calls over two existing customers merge them once', async () => {
    const a = await t.prisma.customer.create({
      data: { name: 'race-a', identities: { create: [{ type: 'phone', value: '13900008888' }] } },
    });
    const b = await t.prisma.customer.create({
      data: { name: 'race-b', identities: { create: [{ type: 'email', value: 'race-b@example.test' }] } },
    });
    const input = {
      identityList: [
        { identityType: 'email', identityValue: 'race-b@example.test' },
        { identityType: 'phone', identityValue: '13900008888' },
        { identityType: 'qq', identityValue: '8888' },
      ],
      // Half the callers see B first, half A first: the merge can go either way, once.
      autoMerge: true,
    };
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.graphql(mutation, { input: { ...input, identityPriorityStrategy: i % 2 ? 'custom' : 'system' } }),
      ),
    );
    for (const reply of replies) expect(reply.body.errors).toBeUndefined();
    const targets = new Set(replies.map((r) => r.body.data.createCustomerByIdentity.customerId));
    expect(targets.size).toBe(1);
    const [survivor] = targets;
    expect([a.id, b.id]).toContain(survivor);
    const events = await t.prisma.mergeEvent.findMany({
      where: { OR: [{ targetId: { in: [a.id, b.id] } }, { sourceId: { in: [a.id, b.id] } }] },
    });
    expect(events).toHaveLength(1);
    const identities = await t.prisma.identity.findMany({
      where: { OR: [{ value: '13900008888' }, { value: 'race-b@example.test' }, { type: 'qq', value: '8888' }] },
    });
    expect(identities.map((i) => i.customerId)).toEqual([survivor, survivor, survivor]);
  });

  it.runIf(usingPostgres)('holds across two gateways with their own connection pools (two processes’ worth)', async () => {
    const second = await openDatabase(t.db.url, { command: 'test second gateway' });
    const other = await createGateway({ config: t.config, database: second });
    try {
      const identityList = [
        { identityType: 'username', identityValue: 'two-pools' },
        { identityType: 'qq', identityValue: '20202' },
      ];
      const body = JSON.stringify({ query: mutation, variables: { input: { identityList } } });
      const headers = { authorization: `Bearer ${t.tokens.all}`, 'content-type': 'application/json' };
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? other : t.gateway).app.inject({ method: 'POST', url: '/graphql', headers, payload: body }),
        ),
      );
      const ids = new Set(replies.map((r) => JSON.parse(r.body).data.createCustomerByIdentity.customerId));
      expect(ids.size).toBe(1);
      expect(await t.prisma.identity.count({ where: { OR: [{ value: 'two-pools' }, { type: 'qq', value: '20202' }] } })).toBe(2);
    } finally {
      await other.close();
      await second.close();
    }
  });
});
