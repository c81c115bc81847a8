// Erasure on request (GDPR art. 17 style): a customer's personal data and identities are
// deleted for good, in one transaction, and an anonymous tombstone (erasedAt) keeps the id so
// that references to it still resolve. Tombstones merged into the customer are erased with
// it (their ids resolve to it), and so are the personal values kept about it elsewhere: merge
// event details, audit entries, import payloads and import row errors.
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { getDatamodel } from '../generated/pothos-types.ts';
import { DomainError, notFound } from './errors.ts';
import { eraseStrings } from './pii.ts';
import { reportChanges } from './changes.ts';

type Tx = Prisma.TransactionClient;

/** Columns that say nothing about the person: kept on the tombstone. */
const bookkeeping = new Set(['id', 'createdAt', 'updatedAt', 'deletedAt', 'mergedIntoId', 'erasedAt']);

/**
 * Every other scalar column of Customer, blanked: null where allowed, 0 for the required
 * flags. Read from the data model so that profile columns added later are erased too.
 */
export const anonymousProfile: Record<string, null | number> = Object.fromEntries(
  getDatamodel()
    .datamodel.models.Customer.fields.filter((f) => f.kind === 'scalar' && !bookkeeping.has(f.name))
    .map((f) => [f.name, f.isRequired ? 0 : null]),
);

const ERASED = '[erased]';
const MAX_CHAIN = 64;

export interface ErasureReport {
  /** The customer the given id resolved to. */
  customerId: number;
  /** It and every tombstone merged into it. */
  erasedIds: number[];
}

/** The customer `id` stands for, following merges, whether or not it was deleted. */
async function survivorOf(tx: Tx, id: number): Promise<number> {
  let current = id;
  for (let hops = 0; hops < MAX_CHAIN; hops++) {
    const row = await tx.customer.findUnique({ where: { id: current }, select: { mergedIntoId: true } });
    if (!row) throw notFound('customer', id, 'id');
    if (row.mergedIntoId === null) return current;
    current = row.mergedIntoId;
  }
  throw new DomainError('INTERNAL', `customer ${id}: merge chain longer than ${MAX_CHAIN}`);
}

/** `id` and every customer merged into it, directly or through other merges. */
async function withMergedTombstones(tx: Tx, id: number): Promise<number[]> {
  const all = new Set([id]);
  let frontier = [id];
  while (frontier.length) {
    const rows = await tx.customer.findMany({ where: { mergedIntoId: { in: frontier } }, select: { id: true } });
    frontier = rows.map((r) => r.id).filter((r) => !all.has(r));
    frontier.forEach((r) => all.add(r));
  }
  return [...all].sort((a, b) => a - b);
}

function scrubJson(text: string | null): string | null {
  if (text === null) return null;
  try {
    return JSON.stringify(eraseStrings(JSON.parse(text)));
  } catch {
    return JSON.stringify({ erased: true });
  }
}

/** `text` with every occurrence of the values replaced (as they appear in JSON text, too). */
function without(text: string, values: string[]): string {
  let out = text;
  for (const value of values) {
    out = out.split(value).join(ERASED);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) out = out.split(escaped).join(ERASED);
  }
  return out;
}

export async function eraseCustomer(prisma: PrismaClient, id: number): Promise<ErasureReport> {
  return prisma.$transaction(async (tx) => {
    const customerId = await survivorOf(tx, id);
    const ids = await withMergedTombstones(tx, customerId);
    const inIds = { in: ids };

    // Values that identify the person and may be quoted in free-form text elsewhere. Short
    // values are left out: replacing "12" everywhere would damage other customers' records.
    const identities = await tx.identity.findMany({ where: { customerId: inIds }, select: { value: true } });
    const profiles = await tx.customer.findMany({
      where: { id: inIds },
      select: { mobile: true, email: true, openId: true, unionId: true },
    });
    const values = [
      ...new Set(
        [...identities.map((i) => i.value), ...profiles.flatMap((p) => [p.mobile, p.email, p.openId, p.unionId])].filter(
          (v): v is string => typeof v === 'string' && v.length >= 5,
        ),
      ),
    ];

    await tx.identity.deleteMany({ where: { customerId: inIds } });
    await tx.attributeValue.deleteMany({ where: { customerId: inIds } });
    await tx.customerTag.deleteMany({ where: { customerId: inIds } });
    await tx.groupMember.deleteMany({ where: { customerId: inIds } });
    await tx.friendship.deleteMany({ where: { OR: [{ customerId: inIds }, { friendId: inIds }] } });
    await tx.userCustomer.deleteMany({ where: { customerId: inIds } });

    const now = new Date();
    await tx.customer.updateMany({ where: { id: inIds }, data: { ...anonymousProfile, erasedAt: now } });
    await tx.customer.updateMany({ where: { id: inIds, deletedAt: null }, data: { deletedAt: now } });

    const events = await tx.mergeEvent.findMany({
      where: { OR: [{ targetId: inIds }, { sourceId: inIds }] },
      select: { id: true, details: true },
    });
    for (const event of events) {
      await tx.mergeEvent.update({ where: { id: event.id }, data: { details: scrubJson(event.details) ?? '{}' } });
    }

    const audits = await tx.auditLog.findMany({
      where: { entityType: 'Customer', entityId: { in: ids.map(String) } },
      select: { id: true, details: true },
    });
    for (const audit of audits) {
      await tx.auditLog.update({ where: { id: audit.id }, data: { details: scrubJson(audit.details) } });
    }

    for (const value of values) {
      const jobs = await tx.importJob.findMany({ where: { payload: { contains: value } }, select: { id: true, payload: true } });
      for (const job of jobs) {
        await tx.importJob.update({ where: { id: job.id }, data: { payload: without(job.payload ?? '', [value]) } });
      }
      const rowErrors = await tx.importRowError.findMany({ where: { message: { contains: value } }, select: { id: true, message: true } });
      for (const rowError of rowErrors) {
        await tx.importRowError.update({ where: { id: rowError.id }, data: { message: without(rowError.message, [value]) } });
      }
    }

    await reportChanges(tx, { erased: [customerId, ...ids] });
    return { customerId, erasedIds: ids };
  });
}
