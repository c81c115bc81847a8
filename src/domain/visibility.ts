// Visibility: what a caller may see. The one place these rules are written; the GraphQL
// layer applies them to every field, node and subscription (src/schema/visibility-plugin.ts,
// src/schema/node.ts), and the REST routes inherit them because they run GraphQL operations.
//
// - A customer is visible iff it is live: not logically deleted, not erased, not merged away.
//   A merged-away id is an alias of its survivor: customer(id), node(id), nodes(ids) and
//   customerChanged(id) all answer the survivor (whose id differs); a tombstone itself is never
//   answered (MergeEvent.source is null while its merge stands).
// - The audit log is visible to admin tokens only: node(id) of an entry answers null to others,
//   as for an entry that does not exist (its existence is not revealed either).
// - An identity or a friendship is seen through node(id) while its customers are live.
// - An import job is visible to the app that submitted it, to every app when the CLI
//   submitted it (no app), and to admin tokens.
import type { Prisma } from '../generated/prisma/client.ts';
import type { Caller } from './auth.ts';
import { isInt32 } from './validation.ts';

/** The Prisma filter of visible (live) customers. */
export const liveCustomerWhere = { deletedAt: null, mergedIntoId: null, erasedAt: null } satisfies Prisma.CustomerWhereInput;

/** The columns isLiveCustomer reads: every Customer the GraphQL layer loads selects them. */
export const customerLivenessSelect = { id: true, deletedAt: true, mergedIntoId: true, erasedAt: true } as const;

export interface CustomerLiveness {
  deletedAt?: Date | null;
  mergedIntoId?: number | null;
  erasedAt?: Date | null;
}

/** A row that lacks the columns (not selected) counts as hidden: the rule fails closed. */
export function isLiveCustomer(row: CustomerLiveness): boolean {
  return row.deletedAt === null && row.mergedIntoId === null && row.erasedAt === null;
}

function isAdmin(caller: Caller | null): boolean {
  return caller?.scopes.has('admin') ?? false;
}

/** Whether this caller may read audit entries (auditLog, and node of an AuditLog id). */
export function canSeeAuditLog(caller: Caller | null): boolean {
  return isAdmin(caller);
}

/** The Prisma filter of the import jobs this caller may see. */
export function importJobsVisibleTo(caller: Caller | null): Prisma.ImportJobWhereInput {
  if (isAdmin(caller)) return {};
  if (!caller) return { id: -1 };
  return { OR: [{ appId: caller.appId }, { appId: null }] };
}

/** importJobsVisibleTo for one loaded job; a row without appId (not selected) is hidden. */
export function canSeeImportJob(caller: Caller | null, job: { appId?: number | null }): boolean {
  if (isAdmin(caller)) return true;
  if (!caller || job.appId === undefined) return false;
  return job.appId === null || job.appId === caller.appId;
}

/**
 * An import row error as this caller may read it: an app without customer:read (a write-only
 * importer) learns that a value is taken (the row fails, as createCustomer's CONFLICT says), but
 * not which customer holds it: "customer 42" becomes "an existing customer".
 */
export function importErrorFor(caller: Caller | null, message: string): string {
  if (caller?.scopes.has('customer:read') || isAdmin(caller)) return message;
  return message.replace(/\bcustomer \d+\b/g, 'an existing customer');
}

/**
 * The numeric part of a node id ("Customer:12" → 12). Anything else (letters, signs, more than
 * int32) is 0, an id no row has: a malformed id is then "not found", as Relay expects.
 */
export function nodeIntId(id: string | number): number {
  const text = String(id);
  return /^\d{1,10}$/.test(text) && isInt32(Number(text)) ? Number(text) : 0;
}
