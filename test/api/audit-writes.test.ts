// The audit row is written where the write happens (issue 13 High 2): the document's shape
// (fragments, inline fragments, @include/@skip, aliases) neither hides a write nor forges one,
// and the outcome is the write's, not the response's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

async function newCustomer(name: string): Promise<number> {
  const res = await t.graphql(`mutation { createCustomer(profile: { name: "${name}" }) { customerId } }`);
  expect(res.body.errors).toBeUndefined();
  return res.body.data.createCustomer.customerId;
}

/** The audit rows of one request, oldest first, with their details parsed. */
async function rowsOf(res: { headers: Record<string, unknown> }) {
  const rows = await t.prisma.auditLog.findMany({ where: { requestId: String(res.headers['x-request-id']) }, orderBy: { id: 'asc' } });
  return rows.map((r) => ({ action: r.action, entityType: r.entityType, entityId: r.entityId, details: JSON.parse(r.details ?? 'null') }));
}

describe('audit rows follow the writes that ran', () => {
  it('records a write inside a named fragment', async () => {
    const id = await newCustomer('fragment');
    const res = await t.graphql(`mutation { ...F } fragment F on Mutation { deleteCustomer(id: "${id}") { customerId } }`);
    expect(res.body.errors).toBeUndefined();
    expect(await rowsOf(res)).toEqual([
      {
        action: 'deleteCustomer',
        entityType: 'Customer',
        entityId: String(id),
        details: expect.objectContaining({ outcome: 'ok', changes: { deleted: [id] } }),
      },
    ]);
  });

  it('records a write inside an inline fragment, and each aliased write', async () => {
    const id = await newCustomer('inline');
    const res = await t.graphql(`mutation { ... on Mutation { a: updateCustomer(id: "${id}", profile: { remark: "1" }) { customerId } }
      b: updateCustomer(id: "${id}", profile: { remark: "2" }) { customerId } }`);
    expect(res.body.errors).toBeUndefined();
    const rows = await rowsOf(res);
    expect(rows.map((r) => [r.action, r.entityId, r.details.outcome])).toEqual([
      ['updateCustomer', String(id), 'ok'],
      ['updateCustomer', String(id), 'ok'],
    ]);
  });

  it('records nothing for a write skipped by @include(if: false) or @skip, literal or variable', async () => {
    const id = await newCustomer('kept');
    for (const [query, variables] of [
      [`mutation { eraseCustomer(id: "${id}") @include(if: false) { customerId } }`, {}],
      [`mutation($no: Boolean!) { eraseCustomer(id: "${id}") @include(if: $no) { customerId } }`, { no: false }],
      [`mutation { ... on Mutation @skip(if: true) { deleteCustomer(id: "${id}") { customerId } } }`, {}],
    ] as const) {
      const res = await t.graphql(query, variables, { token: t.tokens.readWrite });
      expect(res.body).toEqual({ data: {} });
      expect(await rowsOf(res)).toEqual([]);
    }
    expect((await t.graphql(`{ customer(id: "${id}") { name } }`)).body.data.customer).toEqual({ name: 'kept' });
  });

  it('records a refused write as error FORBIDDEN, and it changes nothing', async () => {
    const id = await newCustomer('not erased');
    const res = await t.graphql(`mutation { eraseCustomer(id: "${id}") { customerId } }`, {}, { token: t.tokens.readWrite });
    expect(res.status).toBe(403);
    expect(await rowsOf(res)).toEqual([
      {
        action: 'eraseCustomer',
        entityType: 'Customer',
        entityId: String(id),
        details: expect.objectContaining({ outcome: 'error', code: 'FORBIDDEN' }),
      },
    ]);
    expect((await t.graphql(`{ customer(id: "${id}") { name } }`)).body.data.customer).toEqual({ name: 'not erased' });
  });

  it('records a write that committed as ok even when its sub-selection is refused', async () => {
    const res = await t.graphql(
      'mutation { createCustomer(profile: { name: "write only" }) { customerId customer { name } } }',
      {},
      { token: t.tokens.write },
    );
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const rows = await rowsOf(res);
    expect(rows).toEqual([
      {
        action: 'createCustomer',
        entityType: 'Customer',
        entityId: expect.any(String),
        details: expect.objectContaining({ outcome: 'ok' }),
      },
    ]);
    const written = await t.prisma.customer.findUniqueOrThrow({ where: { id: Number(rows[0].entityId) } });
    expect(written.name).toBe('write only');
  });

  it('records a write that failed inside its transaction once, as error, with no ok row', async () => {
    const phone = async (name: string, value: string) => {
      const res = await t.graphql(
        `mutation { createCustomer(profile: { name: "${name}" }, identities: [{ identityType: "phone", identityValue: "${value}" }]) { customerId } }`,
      );
      return res.body.data.createCustomer.customerId as number;
    };
    const a = await phone('a', '13600000001');
    const b = await phone('b', '13600000002');
    // Both hold a phone: the merge is refused inside its transaction, after the locks.
    const res = await t.graphql(`mutation { mergeCustomers(targetId: "${a}", sourceIds: ["${b}"]) { customerId } }`);
    expect(res.body.errors[0].extensions.code).toBe('CONFLICT');
    const rows = await rowsOf(res);
    expect(rows.map((r) => [r.action, r.details.outcome, r.details.code])).toEqual([['mergeCustomers', 'error', 'CONFLICT']]);
    expect((await t.prisma.customer.findUniqueOrThrow({ where: { id: b } })).mergedIntoId).toBeNull();
  });

  it('a merge records what it changed, and subscribers are told once it committed', async () => {
    const target = await newCustomer('target');
    const source = await newCustomer('source');
    const res = await t.graphql(`mutation { mergeCustomers(targetId: "${target}", sourceIds: ["${source}"]) { customerId } }`);
    expect(res.body.errors).toBeUndefined();
    expect(await rowsOf(res)).toEqual([
      {
        action: 'mergeCustomers',
        entityType: 'Customer',
        entityId: String(target),
        details: expect.objectContaining({ outcome: 'ok', changes: { updated: [target], merged: [{ ids: [source], into: target }] } }),
      },
    ]);
  });
});
