// What a write changed, reported by the domain operation that made it, and the write scope a
// GraphQL mutation runs in (src/schema/write-plugin.ts opens it). Reporting does two things:
// the operation's audit row is written with the same database handle, so inside the
// operation's transaction (it commits or rolls back with the write), and the changes are kept
// for the scope to publish as live events once the mutation returned, i.e. after commit.
//
// Outside a scope (tests calling the domain) reporting does nothing; the CLI's writes run in one
// (auditedWrite below) and the import worker's chunks write their own row (imports/jobs.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { auditRow, type AuditEntry } from './audit.ts';
import { DomainError } from './errors.ts';

/** Customer ids by what happened to them; merged: the ids merged away and their survivor. */
export interface ChangeSet {
  created?: number[];
  updated?: number[];
  deleted?: number[];
  erased?: number[];
  merged?: { ids: number[]; into: number }[];
  /** Import jobs submitted. */
  jobs?: number[];
}

export interface WriteScope {
  /** The audit entry of the mutation, without outcome and changes. */
  entry: AuditEntry;
  changes: ChangeSet;
  /** The audit row written by a report, once one was. */
  auditId: number | null;
}

const scopes = new AsyncLocalStorage<WriteScope>();

export function runInWriteScope<T>(scope: WriteScope, work: () => Promise<T>): Promise<T> {
  return scopes.run(scope, work);
}

export function currentWriteScope(): WriteScope | undefined {
  return scopes.getStore();
}

function merge(into: ChangeSet, more: ChangeSet): ChangeSet {
  const ids = (a?: number[], b?: number[]) => (a || b ? [...new Set([...(a ?? []), ...(b ?? [])])] : undefined);
  return {
    created: ids(into.created, more.created),
    updated: ids(into.updated, more.updated),
    deleted: ids(into.deleted, more.deleted),
    erased: ids(into.erased, more.erased),
    merged: into.merged || more.merged ? [...(into.merged ?? []), ...(more.merged ?? [])] : undefined,
    jobs: ids(into.jobs, more.jobs),
  };
}

/** Without empty lists and undefined keys: what the audit row stores. */
export function compact(changes: ChangeSet): ChangeSet {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => Array.isArray(v) && v.length > 0));
}

/** What an audit row is about: the customer created, erased, deleted, merged into or updated first, or the job submitted. */
export function changedEntity(changes: ChangeSet): { entityType: string; entityId: string } | null {
  const customer = changes.created?.[0] ?? changes.erased?.[0] ?? changes.deleted?.[0] ?? changes.merged?.[0]?.into ?? changes.updated?.[0];
  if (customer !== undefined) return { entityType: 'Customer', entityId: String(customer) };
  return changes.jobs?.[0] === undefined ? null : { entityType: 'ImportJob', entityId: String(changes.jobs[0]) };
}

type Db = PrismaClient | Prisma.TransactionClient;

/**
 * Reports what the current operation changed: writes (or completes) its audit row with `db`,
 * which is the operation's transaction when it has one, and keeps the changes for publishing.
 */
export async function reportChanges(db: Db, changes: ChangeSet): Promise<void> {
  const scope = scopes.getStore();
  if (!scope) return;
  scope.changes = merge(scope.changes, changes);
  const row = auditRow(scope.entry, { outcome: 'ok', changes: compact(scope.changes) }, changedEntity(scope.changes));
  if (scope.auditId === null) {
    scope.auditId = (await db.auditLog.create({ data: row, select: { id: true } })).id;
  } else {
    await db.auditLog.update({ where: { id: scope.auditId }, data: row });
  }
}

/**
 * Runs one attempt of a transaction: what it reports is forgotten when the attempt fails (its
 * audit row rolled back with it), so a retried transaction reports once.
 */
export async function reportingAttempt<T>(attempt: () => Promise<T>): Promise<T> {
  const scope = scopes.getStore();
  const before = scope ? { changes: scope.changes, auditId: scope.auditId } : null;
  try {
    return await attempt();
  } catch (error) {
    if (scope && before) Object.assign(scope, before);
    throw error;
  }
}

/**
 * Runs a write made outside GraphQL (the CLI's) in a write scope, as the write plugin runs a
 * mutation: what the domain operation reports is audited inside its transaction; a write that
 * reports nothing (configuration: apps, tokens) is recorded when it returns, with `entity` of
 * its result; one that fails and committed nothing is recorded as error with its code.
 */
export async function auditedWrite<T>(
  prisma: PrismaClient,
  entry: AuditEntry,
  work: () => Promise<T>,
  entity?: (result: T) => { entityType: string; entityId: string } | null,
): Promise<T> {
  const scope: WriteScope = { entry, changes: {}, auditId: null };
  let result: T;
  try {
    result = await runInWriteScope(scope, work);
  } catch (error) {
    const committed = scope.auditId !== null && (await prisma.auditLog.count({ where: { id: scope.auditId } })) > 0;
    if (!committed) {
      const code = error instanceof DomainError ? error.code : 'INTERNAL';
      await prisma.auditLog.create({ data: auditRow(entry, { outcome: 'error', code }) });
    }
    throw error;
  }
  if (scope.auditId === null) {
    const about = changedEntity(scope.changes) ?? entity?.(result) ?? null;
    await prisma.auditLog.create({ data: auditRow(entry, { outcome: 'ok', changes: compact(scope.changes) }, about) });
  }
  return result;
}
