// Seed 004 identityType (若企业需要对现有客户追加一个身份类型): with exact matching, a row that
// matches an existing customer by any of its identities appends its new identities to it, and
// is a row error when that would break uniqueness; it never creates a second customer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { freshDatabase, type TestDatabase } from '../support/database.ts';
import { customerOf, customerWithIdentities, importNow, liveCustomerCount } from '../support/imports.ts';

let db: TestDatabase;
let prisma: PrismaClient;
let seq = 0;
const phone = () => `137${String(10_000_000 + ++seq).padStart(8, '0')}`;
const exact = { isMatching: true, matchingType: 1, importMode: 2 };

/** A customer holding the given identities. */
const existing = (identities: Record<string, string>, fields: Record<string, unknown> = {}) =>
  customerWithIdentities(prisma, identities, fields);

beforeAll(async () => {
  db = await freshDatabase();
  prisma = db.database.prisma;
});
afterAll(async () => {
  await db.drop();
});

describe('seed 004 identityType appends an identity to the customer the row matches', () => {
  it('a new identity is appended to the customer the phone finds: no second customer', async () => {
    const p = phone();
    const id = await existing({ phone: p });
    const before = await liveCustomerCount(prisma);
    const { job, chunk } = await importNow(prisma, 'PROFILE', exact, [
      { identityType: 'email', identityId: `new${seq}@example.com`, phone: p, realName: 'appended' },
    ]);
    expect(chunk.errors).toEqual([]);
    expect(job.status).toBe('SUCCEEDED');
    expect(await liveCustomerCount(prisma)).toBe(before);
    expect(await customerOf(prisma, 'email', `new${seq}@example.com`)).toBe(id);
    expect((await prisma.customer.findUniqueOrThrow({ where: { id } })).realName).toBe('appended');
  });

  it('an identity of another customer is a row error naming its column, and nothing is written', async () => {
    const p = phone();
    const email = `taken${++seq}@example.com`;
    const byPhone = await existing({ phone: p });
    const byEmail = await existing({ email });
    const before = await liveCustomerCount(prisma);
    const { job, chunk } = await importNow(prisma, 'PROFILE', exact, [
      { identityType: 'email', identityId: email, phone: p, realName: 'x' },
    ]);
    expect(job.status).toBe('FAILED');
    expect(chunk.errors).toEqual([
      {
        row: 0,
        field: 'phone',
        message: expect.stringContaining(`belongs to customer ${byPhone}, but the row matches customer ${byEmail}`),
      },
    ]);
    expect(await liveCustomerCount(prisma)).toBe(before);
    expect((await prisma.customer.findUniqueOrThrow({ where: { id: byEmail } })).realName).toBeNull();
  });

  it('a second value of a unique type the customer holds is a row error', async () => {
    const p = phone();
    const email = `held${++seq}@example.com`;
    const id = await existing({ phone: p, email });
    const { chunk } = await importNow(prisma, 'PROFILE', exact, [
      { identityType: 'email', identityId: `other${seq}@example.com`, phone: p },
    ]);
    expect(chunk.errors).toEqual([
      { row: 0, field: 'identityId', message: expect.stringContaining(`customer ${id} holds email "${email}"`) },
    ]);
    expect(await customerOf(prisma, 'email', `other${seq}@example.com`)).toBeNull();
  });

  it('rows of one chunk: the second row appends to the customer the first created', async () => {
    const p = phone();
    const before = await liveCustomerCount(prisma);
    const { job } = await importNow(prisma, 'PROFILE', exact, [
      { identityType: 'phone', phone: p, realName: 'first' },
      { identityType: 'unionid', identityId: `u${++seq}`, phone: p },
    ]);
    expect(job.status).toBe('SUCCEEDED');
    expect(await liveCustomerCount(prisma)).toBe(before + 1);
    expect(await customerOf(prisma, 'unionid', `u${seq}`)).toBe(await customerOf(prisma, 'phone', p));
  });
});
