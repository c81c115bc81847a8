// Erasure on request (GDPR art. 17 style): a customer's personal data and identities are
// deleted for good, in one transaction, and an anonymous tombstone (erasedAt) keeps the id so
// that references to it still resolve. Tombstones merged into the customer are erased with
// it (their ids resolve to it). Its relations go as merge/relations.ts says; the personal
// values kept about it elsewhere are scrubbed: merge events (details and reason), audit
// entries, import payloads, import row errors and job errors. No row keeps a value of it.
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { getDatamodel } from '../generated/pothos-types.ts';
import { notFound } from './errors.ts';
import { eraseRelations } from './merge/relations.ts';
import { chainEnd, mergeTree } from './merge/tree.ts';
import { eraseStrings, maskText } from './pii.ts';
import { reportChanges } from './changes.ts';

type Tx = Prisma.TransactionClient;

/** Columns that say nothing about the person: kept on the tombstone. */
const bookkeeping = new Set(['id', 'createdAt', 'updatedAt', 'deletedAt', 'mergedIntoId', 'erasedAt']);

const customerScalars = getDatamodel().datamodel.models.Customer.fields.filter((f) => f.kind === 'scalar' && !bookkeeping.has(f.name));

/**
 * Every other scalar column of Customer, blanked: null where allowed, 0 for the required
 * flags. Read from the data model so that profile columns added later are erased too.
 */
export const anonymousProfile: Record<string, null | number> = Object.fromEntries(
  customerScalars.map((f) => [f.name, f.isRequired ? 0 : null]),
);

const ERASED = '[erased]';

export interface ErasureReport {
  /** The customer the given id resolved to. */
  customerId: number;
  /** It and every tombstone merged into it. */
  erasedIds: number[];
}

/** What identifies the person, read before anything is deleted. */
interface Person {
  ids: number[];
  /** Identity values as stored (normalised). */
  identityValues: string[];
  /** Patterns of the person's values as they may be written in free text (any case, a phone with separators). */
  patterns: RegExp[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A phone or QQ number as people write it: digits with spaces, dots, dashes or parentheses between. */
const digitsPattern = (digits: string) => digits.split('').join('[ .()-]*');

/** Profile strings too short or too common to be searched for in other records (a city, a birthday, a gender word). */
const isDistinctive = (value: string) => value.length >= 6 && !/^\d{4}-\d{2}-\d{2}$/.test(value);

async function personOf(tx: Tx, ids: number[]): Promise<Person> {
  const identities = await tx.identity.findMany({ where: { customerId: { in: ids } }, select: { value: true } });
  const profiles = (await tx.customer.findMany({ where: { id: { in: ids } } })) as unknown as Record<string, unknown>[];
  const attributes = await tx.attributeValue.findMany({ where: { customerId: { in: ids } }, select: { value: true } });
  const identityValues = [...new Set(identities.map((i) => i.value).filter((v) => v.length >= 3))];
  const profileValues = profiles.flatMap((p) => customerScalars.map((f) => p[f.name])).filter((v): v is string => typeof v === 'string');
  const texts = [...new Set([...identityValues, ...[...profileValues, ...attributes.map((a) => a.value)].filter(isDistinctive)])];
  const patterns = texts.map(
    (text) => new RegExp(/^\+?\d{7,}$/.test(text) ? digitsPattern(text.replace(/\D/g, '')) : escapeRegExp(text), 'giu'),
  );
  return { ids, identityValues, patterns };
}

/** `text` with each of the person's values replaced. */
function without(text: string, person: Person): string {
  return person.patterns.reduce((out, pattern) => out.replace(pattern, ERASED), text);
}

function scrubJson(text: string | null): string | null {
  if (text === null) return null;
  try {
    return JSON.stringify(eraseStrings(JSON.parse(text)));
  } catch {
    return JSON.stringify({ erased: true });
  }
}

/** Merge events of the erased customers: what moved is erased but its shape kept; the reason loses the person's values. */
async function scrubMergeEvents(tx: Tx, person: Person): Promise<void> {
  const inIds = { in: person.ids };
  const events = await tx.mergeEvent.findMany({
    where: { OR: [{ targetId: inIds }, { sourceId: inIds }] },
    select: { id: true, details: true, reason: true },
  });
  for (const event of events) {
    await tx.mergeEvent.update({
      where: { id: event.id },
      data: { details: scrubJson(event.details) ?? '{}', reason: maskText(without(event.reason, person)) },
    });
  }
}

/** Audit entries about the erased customers are erased but for their shape; any other entry loses the person's values. */
async function scrubAuditLog(tx: Tx, person: Person): Promise<void> {
  const entityIds = person.ids.map(String);
  const audits = await tx.auditLog.findMany({
    where: { entityType: 'Customer', entityId: { in: entityIds } },
    select: { id: true, details: true },
  });
  for (const audit of audits) await tx.auditLog.update({ where: { id: audit.id }, data: { details: scrubJson(audit.details) } });
  for (const audit of await rowsMentioning(tx, 'AuditLog', 'details', person)) {
    await tx.auditLog.update({ where: { id: audit.id }, data: { details: without(audit.text, person) } });
  }
}

/**
 * Rows of `table` whose `column` holds one of the person's values: the database filters with
 * a case-insensitive regular expression (one statement), and the caller rewrites the few it finds.
 */
async function rowsMentioning(tx: Tx, table: 'AuditLog' | 'ImportJob' | 'ImportRowError' | 'MergeEvent', column: string, person: Person) {
  if (person.patterns.length === 0) return [];
  const pattern = person.patterns.map((p) => `(${p.source})`).join('|');
  // Table and column names come from the literal unions above, never from input.
  return tx.$queryRawUnsafe<{ id: number; text: string }[]>(
    `SELECT "id", "${column}" AS "text" FROM "${table}" WHERE "${column}" ~* $1`,
    pattern,
  );
}

/** Whether an import row is about the person: one of its values is an identity value of theirs, or it names their customer id. */
function rowIsAbout(row: unknown, person: Person): boolean {
  const values = new Set(person.identityValues.map((v) => v.toLowerCase()));
  const ids = new Set(person.ids.map(String));
  const visit = (value: unknown, key: string): boolean => {
    if (typeof value === 'string' || typeof value === 'number') {
      const text = String(value).trim().toLowerCase();
      return values.has(text) || values.has(text.replace(/\D/g, '')) || (key === 'audienceUserId' && ids.has(text));
    }
    if (Array.isArray(value)) return value.some((v) => visit(v, key));
    if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => visit(v, k));
    return false;
  };
  return visit(row, '');
}

/** The payload with the person's rows erased (their shape kept) and the person's values gone from the rest. */
function scrubPayload(payload: string, person: Person): { payload: string; erasedRows: number[] } {
  let rows: unknown;
  try {
    rows = JSON.parse(payload);
  } catch {
    return { payload: without(payload, person), erasedRows: [] };
  }
  if (!Array.isArray(rows)) return { payload: without(payload, person), erasedRows: [] };
  const erasedRows: number[] = [];
  const scrubbed = rows.map((row: unknown, i) => {
    if (!rowIsAbout(row, person)) return row;
    erasedRows.push(i);
    return eraseStrings(row);
  });
  return { payload: without(JSON.stringify(scrubbed), person), erasedRows };
}

/** Import payloads, job errors and row errors that quote the person. */
async function scrubImports(tx: Tx, person: Person): Promise<void> {
  const jobs = new Map<number, string>();
  for (const { id, text } of await rowsMentioning(tx, 'ImportJob', 'payload', person)) jobs.set(Number(id), text);
  for (const [jobId, text] of jobs) {
    const { payload, erasedRows } = scrubPayload(text, person);
    await tx.importJob.update({ where: { id: jobId }, data: { payload } });
    if (erasedRows.length) await tx.importRowError.updateMany({ where: { jobId, row: { in: erasedRows } }, data: { message: ERASED } });
  }
  for (const { id, text } of await rowsMentioning(tx, 'ImportJob', 'error', person)) {
    await tx.importJob.update({ where: { id: Number(id) }, data: { error: without(text, person) } });
  }
  for (const { id, text } of await rowsMentioning(tx, 'ImportRowError', 'message', person)) {
    await tx.importRowError.update({ where: { id: Number(id) }, data: { message: maskText(without(text, person)) } });
  }
  // Reasons of merges between other customers may quote the person too.
  for (const { id, text } of await rowsMentioning(tx, 'MergeEvent', 'reason', person)) {
    await tx.mergeEvent.update({ where: { id: Number(id) }, data: { reason: maskText(without(text, person)) } });
  }
}

export async function eraseCustomer(prisma: PrismaClient, id: number): Promise<ErasureReport> {
  return prisma.$transaction(async (tx) => {
    const end = await chainEnd(tx, id);
    if (!end) throw notFound('customer', id, 'id');
    const ids = await mergeTree(tx, end.id);
    const person = await personOf(tx, ids);

    await eraseRelations(tx, ids);
    const now = new Date();
    await tx.customer.updateMany({ where: { id: { in: ids } }, data: { ...anonymousProfile, erasedAt: now } });
    await tx.customer.updateMany({ where: { id: { in: ids }, deletedAt: null }, data: { deletedAt: now } });

    await scrubMergeEvents(tx, person);
    await scrubAuditLog(tx, person);
    await scrubImports(tx, person);
    await reportChanges(tx, { erased: [end.id, ...ids] });
    return { customerId: end.id, erasedIds: ids };
  });
}
