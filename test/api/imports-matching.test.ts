// The import engine's matching rules (CONTRACT §5 import matching, seeds 002 and 004), run
// through createImportJob / applyImportChunk / finishImportJob on a fresh database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportJob } from '../../src/domain/imports/jobs.ts';
import { applyImportChunk, validateImportRow } from '../../src/domain/imports/jobs.ts';
import { identityTypeRules } from '../../src/domain/identity-types.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { freshDatabase, type TestDatabase } from '../support/database.ts';
import { customerOf, customerWithIdentities, customFieldOf, groupsOf, importNow, liveCustomerCount, tagsOf } from '../support/imports.ts';

let db: TestDatabase;
let prisma: PrismaClient;
let seq = 0;
/** A value no other test uses. */
const uniq = (prefix: string) => `${prefix}${Date.now() % 100000}${++seq}`;
const phone = () => `139${String(10_000_000 + ++seq).padStart(8, '0')}`;

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

describe('isMatching', () => {
  it('false creates a new customer for every row, even for a known phone', async () => {
    const before = await liveCustomerCount(prisma);
    const p = phone();
    const { job } = await importNow(prisma, 'PROFILE', { isMatching: false, importMode: 2 }, [
      { realName: 'A' },
      { realName: 'B' },
      { phone: p, realName: 'C' },
    ]);
    expect(job.status).toBe('SUCCEEDED');
    expect(await liveCustomerCount(prisma)).toBe(before + 3);
    const c = await customerOf(prisma, 'phone', p);
    expect((await prisma.customer.findUniqueOrThrow({ where: { id: c! } })).realName).toBe('C');

    const again = await importNow(prisma, 'PROFILE', { isMatching: false, importMode: 2 }, [{ phone: p, realName: 'D' }]);
    expect(again.job.status).toBe('FAILED');
    expect(again.chunk.errors).toEqual([{ row: 0, field: 'phone', message: expect.stringContaining(`already belongs to customer ${c}`) }]);
  });

  it('true matches an existing customer and updates it', async () => {
    const p = phone();
    const id = await existing({ phone: p }, { realName: 'old' });
    const before = await liveCustomerCount(prisma);
    const { job } = await importNow(prisma, 'PROFILE', { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 2 }, [
      { phone: p, realName: 'new', sex: '女', birthday: '1990-02-03', address: 'addr', remark: 'r' },
    ]);
    expect(job.status).toBe('SUCCEEDED');
    expect(await liveCustomerCount(prisma)).toBe(before);
    const c = await prisma.customer.findUniqueOrThrow({ where: { id } });
    expect({
      realName: c.realName,
      gender: c.gender,
      birthday: c.birthday,
      address: c.address,
      remark: c.remark,
      mobile: c.mobile,
    }).toEqual({
      realName: 'new',
      gender: 2,
      birthday: '1990-02-03',
      address: 'addr',
      remark: 'r',
      mobile: p,
    });
  });
});

describe('matchingType and identifyWay', () => {
  // Two customers: one holds the unionid, the other the phone; the row gives both.
  const cases = [
    { kind: 'PROFILE' as const, identifyWay: 1, winner: 'unionid' },
    { kind: 'PROFILE' as const, identifyWay: 2, winner: 'phone' },
    { kind: 'GROUP_RELATION' as const, identifyWay: 1, winner: 'unionid' },
    { kind: 'GROUP_RELATION' as const, identifyWay: 2, winner: 'phone' },
  ];
  for (const { kind, identifyWay, winner } of cases) {
    it(`${kind} fuzzy identifyWay ${identifyWay} prefers ${winner}`, async () => {
      const u = uniq('u');
      const p = phone();
      const byUnionid = await existing({ unionid: u });
      const byPhone = await existing({ phone: p });
      const options =
        kind === 'PROFILE'
          ? { isMatching: true, matchingType: 2, identifyWay, importMode: 2 }
          : { isMatching: true, matchingType: 2, identifyWay, optType: 'add' };
      const row = kind === 'PROFILE' ? { unionid: u, phone: p, tags: 't1' } : { unionid: u, phone: p, groups: 'g-way' };
      const { job } = await importNow(prisma, kind, options, [row]);
      expect(job.status).toBe('SUCCEEDED');
      const target = winner === 'unionid' ? byUnionid : byPhone;
      const other = winner === 'unionid' ? byPhone : byUnionid;
      if (kind === 'PROFILE') {
        expect(await tagsOf(prisma, target)).toEqual(['t1']);
        expect(await tagsOf(prisma, other)).toEqual([]);
      } else {
        expect(await groupsOf(prisma, target)).toEqual(['g-way']);
        expect(await groupsOf(prisma, other)).toEqual([]);
      }
      // No merge: each identity stays with its customer.
      expect(await customerOf(prisma, 'unionid', u)).toBe(byUnionid);
      expect(await customerOf(prisma, 'phone', p)).toBe(byPhone);
    });
  }

  it('seed 002 identifyWay 2 tries thirdId (external_id) first', async () => {
    const t = uniq('third');
    const p = phone();
    const byThird = await existing({ external_id: t });
    await existing({ phone: p });
    await importNow(prisma, 'GROUP_RELATION', { isMatching: true, matchingType: 2, identifyWay: 2, optType: 'add' }, [
      { thirdId: t, phone: p, groups: 'g-third' },
    ]);
    expect(await groupsOf(prisma, byThird)).toEqual(['g-third']);
  });

  it('fuzzy skips a customer that conflicts with an identity of higher priority (identityFirst)', async () => {
    const u1 = uniq('u');
    const u2 = uniq('u');
    const p = phone();
    // The phone's customer holds another unionid: with unionid first it is passed over and a customer is created.
    const byPhone = await existing({ phone: p, unionid: u2 });
    const before = await liveCustomerCount(prisma);
    await importNow(prisma, 'PROFILE', { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 2 }, [
      { unionid: u1, phone: p, realName: 'x' },
    ]);
    expect(await liveCustomerCount(prisma)).toBe(before + 1);
    const created = await customerOf(prisma, 'unionid', u1);
    expect(created).not.toBe(byPhone);
    expect(await customerOf(prisma, 'phone', p)).toBe(byPhone);
  });

  it('exact (matchingType 1) matches only by the row’s identityType', async () => {
    const u = uniq('u');
    const p = phone();
    const byUnionid = await existing({ unionid: u });
    const byPhone = await existing({ phone: p });
    // identityType phone: the unionid's customer is not considered even though unionid ranks first in fuzzy matching.
    await importNow(prisma, 'GROUP_RELATION', { isMatching: true, matchingType: 1, optType: 'add' }, [
      { identityType: 'phone', phone: p, unionid: u, groups: 'g-exact' },
    ]);
    expect(await groupsOf(prisma, byPhone)).toEqual(['g-exact']);
    expect(await groupsOf(prisma, byUnionid)).toEqual([]);

    // Exact by a value nobody holds: a new customer, which takes the free identities.
    const p2 = phone();
    const t = uniq('third');
    await importNow(prisma, 'GROUP_RELATION', { isMatching: true, matchingType: 1, optType: 'add' }, [
      { identityType: 'id', thirdId: t, phone: p2, groups: 'g-exact' },
    ]);
    const created = await customerOf(prisma, 'external_id', t);
    expect(created).not.toBeNull();
    expect(await customerOf(prisma, 'phone', p2)).toBe(created);
  });

  it('exact without identityType is a row error naming it; a missing value names the column', async () => {
    const { chunk } = await importNow(prisma, 'GROUP_RELATION', { isMatching: true, matchingType: 1, optType: 'add' }, [
      { phone: phone(), groups: 'g' },
      { identityType: 'openid', phone: phone(), groups: 'g' },
    ]);
    expect(chunk.errors).toEqual([
      { row: 0, field: 'identityType', message: expect.stringContaining('required') },
      { row: 1, field: 'openid', message: expect.stringContaining('identityType is openid') },
    ]);
  });

  it('seed 004: identityId with identityType, and audienceUserId (this gateway’s customer id)', async () => {
    const email = `${uniq('m')}@example.com`;
    const byEmail = await existing({ email });
    await importNow(prisma, 'PROFILE', { isMatching: true, matchingType: 1, importMode: 2 }, [
      { identityType: 'email', identityId: email.toUpperCase(), realName: 'by email' },
    ]);
    expect((await prisma.customer.findUniqueOrThrow({ where: { id: byEmail } })).realName).toBe('by email');

    const plain = await existing({});
    const u = uniq('u');
    const { chunk } = await importNow(prisma, 'PROFILE', { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 2 }, [
      { audienceUserId: String(plain), unionid: u, realName: 'by id' },
      { audienceUserId: '999999999', realName: 'nobody' },
    ]);
    expect(chunk.errors).toEqual([{ row: 1, field: 'audienceUserId', message: 'no customer 999999999' }]);
    expect(await customerOf(prisma, 'unionid', u)).toBe(plain);
    expect((await prisma.customer.findUniqueOrThrow({ where: { id: plain } })).realName).toBe('by id');
  });
});

describe('accurateMatchType / accurateMatchValue (seed 002)', () => {
  it('records the application on new openids and refuses an openid of another application', async () => {
    const o = uniq('o');
    const options = {
      isMatching: true,
      matchingType: 2,
      identifyWay: 1,
      optType: 'add',
      accurateMatchType: 'gzh',
      accurateMatchValue: 'wx-app-1',
    };
    await importNow(prisma, 'GROUP_RELATION', options, [{ openid: o, groups: 'g-acc' }]);
    const stored = await prisma.identity.findUniqueOrThrow({ where: { type_value: { type: 'openid', value: o } } });
    expect(stored.source).toBe('gzh:wx-app-1');

    // The same application matches it again; another application does not.
    const same = await importNow(prisma, 'GROUP_RELATION', { ...options, groups: undefined }, [{ openid: o, groups: 'g-acc2' }]);
    expect(same.job.status).toBe('SUCCEEDED');
    expect(await groupsOf(prisma, stored.customerId)).toEqual(['g-acc', 'g-acc2']);
    const other = await importNow(prisma, 'GROUP_RELATION', { ...options, accurateMatchValue: 'wx-app-2' }, [
      { openid: o, groups: 'g-acc3' },
    ]);
    expect(other.chunk.errors).toEqual([
      { row: 0, field: 'openid', message: expect.stringContaining('openid of gzh:wx-app-1, not of gzh:wx-app-2') },
    ]);
  });

  it('needs both fields and a known type', async () => {
    await expect(
      createImportJob(
        prisma,
        {
          kind: 'GROUP_RELATION',
          origin: 'REST',
          rows: [],
          options: { isMatching: true, matchingType: 2, identifyWay: 1, optType: 'add', accurateMatchType: 'wechat' },
        },
        't',
      ),
    ).rejects.toThrow(/publicParams\.accurateMatchType: must be one of gzh.*publicParams\.accurateMatchValue: is required/);
  });
});

describe('optType, groups, tags and custom fields', () => {
  it('add puts the customer in every comma-separated group; delete removes it and creates nothing', async () => {
    const t = uniq('third');
    const add = { isMatching: true, matchingType: 2, identifyWay: 1, optType: 'add' };
    await importNow(prisma, 'GROUP_RELATION', add, [{ thirdId: t, groups: 'ga, gb,gc' }]);
    const id = (await customerOf(prisma, 'external_id', t))!;
    expect(await groupsOf(prisma, id)).toEqual(['ga', 'gb', 'gc']);

    const before = await liveCustomerCount(prisma);
    const groupsBefore = await prisma.group.count();
    const { job, chunk } = await importNow(prisma, 'GROUP_RELATION', { ...add, optType: 'delete' }, [
      { thirdId: t, groups: 'ga,gc,never-created' },
      { thirdId: uniq('nobody'), groups: 'ga' },
    ]);
    expect(await groupsOf(prisma, id)).toEqual(['gb']);
    expect(chunk.errors).toEqual([{ row: 1, field: null, message: 'no customer matches this row' }]);
    expect(job.status).toBe('PARTIAL');
    expect(await liveCustomerCount(prisma)).toBe(before);
    expect(await prisma.group.count()).toBe(groupsBefore);
  });

  it('tags are added; custom fields keep several values and a later import replaces a field’s values', async () => {
    const p = phone();
    const options = { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 };
    const first = await importNow(prisma, 'PROFILE', options, [
      {
        phone: p,
        tags: 'vip,new',
        customFields: [
          { configId: 901, configName: '属性1', values: ['p1-1', 'p1-2'] },
          { configId: 902, values: ['x'] },
        ],
      },
    ]);
    expect(first.job.status).toBe('SUCCEEDED');
    const id = (await customerOf(prisma, 'phone', p))!;
    expect(await tagsOf(prisma, id)).toEqual(['new', 'vip']);
    expect(await customFieldOf(prisma, id, 'customField.901')).toEqual(['p1-1', 'p1-2']);
    const definition = await prisma.attributeDefinition.findUniqueOrThrow({ where: { key: 'customField.901' } });
    expect({ name: definition.name, multiple: definition.multiple }).toEqual({ name: '属性1', multiple: true });

    // CSV rows send customFields as JSON text; configName alone names a defined field.
    await importNow(prisma, 'PROFILE', options, [
      { phone: p, tags: 'old', customFields: JSON.stringify([{ configName: '属性1', values: ['p1-3'] }]) },
    ]);
    expect(await tagsOf(prisma, id)).toEqual(['new', 'old', 'vip']);
    expect(await customFieldOf(prisma, id, 'customField.901')).toEqual(['p1-3']);
    expect(await customFieldOf(prisma, id, 'customField.902')).toEqual(['x']);

    const unknown = await importNow(prisma, 'PROFILE', options, [
      { phone: p, customFields: [{ configName: 'no such field', values: ['v'] }] },
    ]);
    expect(unknown.chunk.errors).toEqual([
      { row: 0, field: 'customFields[0].configName', message: expect.stringContaining('no custom field named') },
    ]);
  });
});

describe('rows of one chunk', () => {
  it('rows sharing an identity resolve to one customer', async () => {
    const p = phone();
    const u = uniq('u');
    const before = await liveCustomerCount(prisma);
    const { job } = await importNow(prisma, 'PROFILE', { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 }, [
      { phone: p, realName: 'first', tags: 'a' },
      { phone: p, unionid: u, tags: 'b' },
      { unionid: u, realName: 'last' },
    ]);
    expect(job).toMatchObject({ status: 'SUCCEEDED', succeeded: 3, failed: 0 });
    expect(await liveCustomerCount(prisma)).toBe(before + 1);
    const id = (await customerOf(prisma, 'phone', p))!;
    expect(await customerOf(prisma, 'unionid', u)).toBe(id);
    expect(await tagsOf(prisma, id)).toEqual(['a', 'b']);
    expect((await prisma.customer.findUniqueOrThrow({ where: { id } })).realName).toBe('last');
  });

  it('re-importing the same rows creates nobody new', async () => {
    const rows = [
      { phone: phone(), realName: 'r1' },
      { phone: phone(), realName: 'r2' },
    ];
    const options = { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 2 };
    await importNow(prisma, 'PROFILE', options, rows);
    const before = await liveCustomerCount(prisma);
    await importNow(prisma, 'PROFILE', options, rows);
    expect(await liveCustomerCount(prisma)).toBe(before);
  });
});

describe('importMode', () => {
  const rows = (p1: string, p2: string) => [
    { phone: p1, realName: 'ok' },
    { phone: p2, birthday: 'yesterday' },
    { phone: 'abc', sex: '?' },
  ];

  it('1 (all or nothing): one bad row writes nothing and the job FAILS with the errors', async () => {
    const p1 = phone();
    const p2 = phone();
    const before = await liveCustomerCount(prisma);
    const { job, chunk } = await importNow(
      prisma,
      'PROFILE',
      { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 1 },
      rows(p1, p2),
    );
    expect(job).toMatchObject({ status: 'FAILED', succeeded: 0, failed: 3, processed: 3, total: 3 });
    expect(chunk.errors).toEqual([
      { row: 1, field: 'birthday', message: 'must be a date as yyyy-MM-dd' },
      { row: 2, field: 'phone', message: 'is not a valid phone: it has no digits' },
      { row: 2, field: 'sex', message: expect.stringContaining('男') },
    ]);
    expect(await prisma.importRowError.count({ where: { jobId: job.id } })).toBe(3);
    expect(await liveCustomerCount(prisma)).toBe(before);
    expect(await customerOf(prisma, 'phone', p1)).toBeNull();
  });

  it('2 (keep the valid rows): the valid row is imported and the job is PARTIAL', async () => {
    const p1 = phone();
    const { job } = await importNow(
      prisma,
      'PROFILE',
      { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 2 },
      rows(p1, phone()),
    );
    expect(job).toMatchObject({ status: 'PARTIAL', succeeded: 1, failed: 2 });
    expect(await customerOf(prisma, 'phone', p1)).not.toBeNull();
  });
});

describe('options and row validation', () => {
  const table: [string, unknown, RegExp][] = [
    ['PROFILE', {}, /publicParams\.isMatching: is required.*publicParams\.importMode: is required/],
    ['PROFILE', { isMatching: true, importMode: 2 }, /publicParams\.matchingType: is required/],
    ['PROFILE', { isMatching: true, matchingType: 2, importMode: 2 }, /publicParams\.identifyWay: is required/],
    ['PROFILE', { isMatching: true, matchingType: 3, importMode: 2 }, /publicParams\.matchingType: must be 1 \(exact\) or 2 \(fuzzy\)/],
    ['PROFILE', { isMatching: false, importMode: 9 }, /publicParams\.importMode: must be 1/],
    ['GROUP_RELATION', { isMatching: true, matchingType: 1 }, /publicParams\.optType: is required/],
    ['GROUP_RELATION', { isMatching: false, optType: 'delete' }, /publicParams\.optType: delete .* needs isMatching true/],
  ];
  for (const [kind, options, message] of table) {
    it(`${kind} ${JSON.stringify(options)} is refused`, async () => {
      await expect(createImportJob(prisma, { kind: kind as 'PROFILE', options, origin: 'REST', rows: [] }, 't')).rejects.toThrow(message);
    });
  }

  it('validateImportRow checks a row without writing', () => {
    const options = { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 1 };
    expect(validateImportRow('PROFILE', options, { phone: '13800000000', birthday: '2000/1/2' }, 7)).toEqual([]);
    expect(validateImportRow('PROFILE', options, { realName: 'x', customFields: 'not json' }, 7)).toEqual([
      { row: 7, field: 'customFields', message: 'is not valid JSON' },
    ]);
    expect(validateImportRow('PROFILE', options, 'text', 8)).toEqual([{ row: 8, field: null, message: 'must be an object' }]);
  });

  it('validateImportRow checks identity values against the configured types when given them', async () => {
    const rules = await identityTypeRules(prisma);
    const options = { isMatching: true, matchingType: 1, importMode: 1 };
    expect(validateImportRow('PROFILE', options, { identityType: 'phone', identityId: 'no digits' }, 0, rules)).toEqual([
      { row: 0, field: 'identityId', message: 'is not a valid phone: it has no digits' },
    ]);
    expect(validateImportRow('PROFILE', options, { identityType: 'fax', identityId: '1' }, 1, rules)).toEqual([
      { row: 1, field: 'identityType', message: expect.stringContaining('unknown identity type "fax"') },
    ]);
  });
});

describe('statements per chunk', () => {
  it('do not grow with the chunk’s rows (one lookup for the chunk, multi-row writes)', async () => {
    const counted = { n: 0 };
    const counting = await freshDatabase({ onQuery: () => counted.n++ });
    try {
      const client = counting.database.prisma;
      const options = { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 2 };
      const rows = (prefix: string, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          phone: `1${prefix}${String(i).padStart(6, '0')}`,
          realName: `n${i}`,
          tags: 't1,t2',
          customFields: [{ configId: 77, values: ['a', 'b'] }],
        }));
      const statementsFor = async (batch: unknown[]) => {
        const { job } = await createImportJob(
          client,
          { kind: 'PROFILE', options, origin: 'CLI', sourceRef: `s${++seq}`, total: batch.length },
          't',
        );
        counted.n = 0;
        await applyImportChunk(client, job.id, 0, batch, 't');
        return counted.n;
      };
      await statementsFor(rows('5000', 1)); // defines customField.77 and the tags first
      // New customers, then the same rows again (every row matches and updates).
      const small = await statementsFor(rows('5100', 5));
      const large = await statementsFor(rows('5200', 300));
      expect(large).toBe(small);
      const smallAgain = await statementsFor(rows('5100', 5));
      const largeAgain = await statementsFor(rows('5200', 300));
      expect(largeAgain).toBe(smallAgain);
    } finally {
      await counting.drop();
    }
  });
});
