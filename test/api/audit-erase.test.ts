// The audit log (every write, GraphQL or REST, who/what/when/outcome, personal values masked,
// admins only) and erasure on request (personal data gone everywhere, an anonymous tombstone).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenDigest } from '../../src/domain/auth.ts';
import { everyRowAsText } from '../support/database.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
let appKey: string;
beforeAll(async () => {
  t = await startTestGateway();
  const row = await t.prisma.appToken.findUniqueOrThrow({ where: { tokenHash: tokenDigest(t.tokens.all) }, include: { app: true } });
  appKey = row.app.appKey;
});
afterAll(() => t.close());

const PHONE = '13911112222';
const EMAIL = 'li.si@example.com';
const OPENID = 'oWx9Tombstone0000000000000001';
const TOMB_PHONE = '13933334444';
const AUDIT_PHONE = '13955556666';
const AUDIT_EMAIL = 'zhao.liu@example.com';

async function create(profile: Record<string, unknown>, identities: [string, string][]): Promise<number> {
  const res = await t.graphql(
    'mutation ($p: CustomerProfileInput, $i: [IdentityInput!]) { createCustomer(profile: $p, identities: $i) { customerId } }',
    {
      p: profile,
      i: identities.map(([identityType, identityValue]) => ({ identityType, identityValue })),
    },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data.createCustomer.customerId;
}

const everything = () => everyRowAsText(t.prisma);

describe('audit log', () => {
  it('records each GraphQL and REST write with the app, the request id, the outcome and masked arguments', async () => {
    const created = await t.graphql(
      'mutation ($p: CustomerProfileInput, $i: [IdentityInput!]) { createCustomer(profile: $p, identities: $i) { customerId } }',
      { p: { name: '赵六', email: AUDIT_EMAIL }, i: [{ identityType: 'phone', identityValue: AUDIT_PHONE }] },
      { headers: { 'x-request-id': 'audit-create-1' } },
    );
    const id = created.body.data.createCustomer.customerId as number;
    const entry = await t.prisma.auditLog.findFirstOrThrow({ where: { requestId: 'audit-create-1' } });
    expect(entry).toMatchObject({ actor: `app:${appKey}`, action: 'createCustomer', entityType: 'Customer', entityId: String(id) });
    const details = JSON.parse(entry.details!);
    expect(details).toMatchObject({ outcome: 'ok', app: 'customer:read+customer:write+admin' });
    expect(details.arguments.identities[0]).toEqual({ identityType: 'phone', identityValue: '[masked]' });
    expect(entry.details).not.toContain(AUDIT_PHONE);
    expect(entry.details).not.toContain(AUDIT_EMAIL);
    expect(entry.details).not.toContain('赵六');

    const rest = await t.request('GET', `/openapi/customer/singleDelete?customerId=${id}`);
    expect(rest.status).toBe(200);
    const restEntry = await t.prisma.auditLog.findFirstOrThrow({ where: { requestId: String(rest.headers['x-request-id']) } });
    expect(restEntry).toMatchObject({ action: 'deleteCustomer', entityType: 'Customer', entityId: String(id) });
    expect(JSON.parse(restEntry.details!).operation).toBe('SingleDelete');
  });

  it('records refused writes with their error code, and no reads', async () => {
    const before = await t.prisma.auditLog.count();
    await t.graphql('{ identityTypes { name } }');
    expect(await t.prisma.auditLog.count()).toBe(before);
    const refused = await t.graphql('mutation { createCustomer(profile: { name: "x" }) { customerId } }', {}, { token: t.tokens.read });
    expect(refused.status).toBe(403);
    const entry = await t.prisma.auditLog.findFirstOrThrow({ where: { requestId: String(refused.headers['x-request-id']) } });
    expect(JSON.parse(entry.details!)).toMatchObject({ outcome: 'error', code: 'FORBIDDEN' });
    const invalid = await t.graphql('mutation { updateCustomer(id: "999999", profile: { gender: 1 }) { customerId } }');
    const invalidEntry = await t.prisma.auditLog.findFirstOrThrow({ where: { requestId: String(invalid.headers['x-request-id']) } });
    expect(invalidEntry).toMatchObject({ action: 'updateCustomer', entityType: 'Customer', entityId: '999999' });
    expect(JSON.parse(invalidEntry.details!)).toMatchObject({ outcome: 'error', code: 'NOT_FOUND' });
  });

  it('is readable by admins only, newest first, filtered', async () => {
    const query = `query ($f: AuditLogFilter) { auditLog(first: 5, filter: $f) {
      edges { node { auditId actor action entityType entityId requestId details createdAt } } pageInfo { hasNextPage endCursor } } }`;
    const forbidden = await t.graphql(query, {}, { token: t.tokens.readWrite });
    expect(forbidden.status).toBe(403);
    const all = await t.graphql(query);
    const nodes = all.body.data.auditLog.edges.map((e: { node: { auditId: number } }) => e.node);
    expect(nodes.length).toBeGreaterThan(2);
    expect(nodes.map((n: { auditId: number }) => n.auditId)).toEqual(
      [...nodes.map((n: { auditId: number }) => n.auditId)].sort((a, b) => b - a),
    );
    const filtered = await t.graphql(query, { f: { action: 'deleteCustomer' } });
    expect(filtered.body.data.auditLog.edges.map((e: { node: { action: string } }) => e.node.action)).toEqual(['deleteCustomer']);
    expect(filtered.body.data.auditLog.edges[0].node.details.outcome).toBe('ok');
  });
});

describe('eraseCustomer', () => {
  it('erases the customer and the tombstones merged into it, everywhere, in one go, leaving an anonymous tombstone', async () => {
    const bystander = await create({ name: '路人' }, [['phone', '13800001111']]);
    const id = await create({ name: '钱七', realName: '钱七', mobile: PHONE, email: EMAIL, address: '北京市朝阳区', gender: 1 }, [
      ['phone', PHONE],
      ['email', EMAIL],
    ]);
    const tomb = await create({ name: '钱七 (old)', mobile: TOMB_PHONE }, [['openid', OPENID]]);
    // What a merge leaves (the merge engine writes the same rows): a tombstone and an event.
    await t.prisma.customer.update({ where: { id: tomb }, data: { mergedIntoId: id } });
    await t.prisma.mergeEvent.create({
      data: {
        targetId: id,
        sourceId: tomb,
        reason: 'autoMerge',
        actor: `app:${appKey}`,
        details: JSON.stringify({ identities: [{ type: 'openid', value: OPENID }], fields: { mobile: TOMB_PHONE, name: '钱七 (old)' } }),
      },
    });
    await t.graphql(
      `mutation { setCustomerAttribute(customerId: "${id}", name: "wechat_nick", value: "七七", extended: true, displayName: "微信昵称") { customerId } }`,
    );
    await t.graphql(`mutation { addFriends(customerId: "${id}", friendIds: ["${bystander}"]) { changed } }`);
    await t.graphql(`mutation { createGroup(name: "VIP") { groupId } }`);
    const group = await t.prisma.group.findFirstOrThrow({ where: { name: 'VIP' } });
    await t.graphql(`mutation { addGroupMembers(groupId: ${group.id}, customerIds: [${id}, ${bystander}]) { changed } }`);
    await t.graphql(`mutation { followCustomer(userId: "998", customerId: "${id}", script: "call ${PHONE}") { customerId } }`);
    const job = await t.prisma.importJob.create({
      data: {
        kind: 'PROFILE',
        origin: 'REST',
        options: '{}',
        payload: JSON.stringify([{ mobile: PHONE, email: EMAIL }, { mobile: '13800001111' }]),
      },
    });
    await t.prisma.importRowError.create({ data: { jobId: job.id, row: 0, field: 'email', message: `${EMAIL} is taken` } });

    const before = await everything();
    expect(before).toContain(PHONE);
    expect(before).toContain(OPENID);

    const forbidden = await t.graphql(`mutation { eraseCustomer(id: "${id}") { customerId } }`, {}, { token: t.tokens.readWrite });
    expect(forbidden.status).toBe(403);
    expect(await t.prisma.identity.count({ where: { customerId: id } })).toBe(2);

    // The tombstone's id resolves to the survivor: erasing by it erases both.
    const erased = await t.graphql(`mutation { eraseCustomer(id: "${tomb}") { customerId erasedIds } }`);
    expect(erased.body.errors).toBeUndefined();
    expect(erased.body.data.eraseCustomer).toEqual({ customerId: id, erasedIds: [id, tomb].sort((a, b) => a - b) });

    const after = await everything();
    for (const value of [PHONE, EMAIL, OPENID, TOMB_PHONE, '钱七', '北京市朝阳区', '七七']) {
      expect(after.includes(value), `still holds ${value}`).toBe(false);
    }
    const rows = await t.prisma.customer.findMany({ where: { id: { in: [id, tomb] } } });
    for (const row of rows) {
      expect(row.erasedAt).toBeInstanceOf(Date);
      expect(row.deletedAt).toBeInstanceOf(Date);
      expect(row).toMatchObject({ name: null, mobile: null, email: null, address: null, gender: 0 });
    }
    expect(rows.find((r) => r.id === tomb)!.mergedIntoId).toBe(id);
    // What was not about the person stays: the bystander, the group, the merge event's shape.
    expect(await t.prisma.identity.count({ where: { customerId: bystander } })).toBe(1);
    expect(await t.prisma.groupMember.count({ where: { groupId: group.id } })).toBe(1);
    const event = await t.prisma.mergeEvent.findFirstOrThrow({ where: { targetId: id } });
    expect(JSON.parse(event.details)).toEqual({
      identities: [{ type: 'openid', value: '[erased]' }],
      fields: { mobile: '[erased]', name: '[erased]' },
    });
    const payload = JSON.parse((await t.prisma.importJob.findUniqueOrThrow({ where: { id: job.id } })).payload!);
    expect(payload).toEqual([{ mobile: '[erased]', email: '[erased]' }, { mobile: '13800001111' }]);

    // Gone from reads; the phone may belong to someone else now; erasing again changes nothing.
    const read = await t.graphql(
      `{ customer(id: "${id}") { name } byPhone: customerByIdentity(identityType: "phone", identityValue: "${PHONE}") { name } }`,
    );
    expect(read.body.data).toEqual({ customer: null, byPhone: null });
    await create({ name: 'new owner' }, [['phone', PHONE]]);
    const again = await t.graphql(`mutation { eraseCustomer(id: "${id}") { customerId erasedIds } }`);
    expect(again.body.data.eraseCustomer.customerId).toBe(id);
    const entry = await t.prisma.auditLog.findFirstOrThrow({ where: { requestId: String(erased.headers['x-request-id']) } });
    expect(entry).toMatchObject({ action: 'eraseCustomer', entityType: 'Customer', entityId: String(id) });
    expect(JSON.parse(entry.details!)).toMatchObject({ outcome: 'ok', arguments: { id: String(tomb) } });
  });

  it('names an unknown id and writes nothing', async () => {
    const res = await t.graphql('mutation { eraseCustomer(id: "987654") { customerId } }');
    expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(res.body.errors[0].message).toBe('id: customer 987654 not found');
    const bad = await t.graphql('mutation { eraseCustomer(id: "abc") { customerId } }');
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_INPUT', issues: [{ field: 'id' }] });
  });
});
