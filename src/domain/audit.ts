// The audit log: one row per write (who, what, when, with what outcome), personal values
// masked. A GraphQL mutation (REST writes run one) opens a write scope (src/domain/changes.ts,
// src/schema/write-plugin.ts): the domain operation writes the row inside its transaction
// when it reports its changes; a refused or failed write, or one that reports none, is
// recorded by the scope when the mutation ends.
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { maskDeep } from './pii.ts';

export interface AuditEntry {
  actor: string;
  /** The operation: a mutation field name, e.g. createCustomer. */
  action: string;
  entityType: string;
  entityId?: string | null;
  requestId?: string | null;
  /** Masked before it is stored. */
  details?: Record<string, unknown>;
}

/** The row of an entry with more details (outcome, code, changes), its entity set when given. */
export function auditRow(
  entry: AuditEntry,
  details: Record<string, unknown>,
  entity?: { entityType: string; entityId: string } | null,
): Prisma.AuditLogCreateManyInput {
  return {
    actor: entry.actor,
    action: entry.action,
    entityType: entity?.entityType ?? entry.entityType,
    entityId: entity?.entityId ?? entry.entityId ?? null,
    requestId: entry.requestId ?? null,
    details: JSON.stringify(maskDeep({ ...details, ...entry.details })),
  };
}

export async function recordAudit(prisma: PrismaClient, entries: AuditEntry[]): Promise<void> {
  if (!entries.length) return;
  await prisma.auditLog.createMany({
    data: entries.map((e) => ({
      actor: e.actor,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId ?? null,
      requestId: e.requestId ?? null,
      details: e.details ? JSON.stringify(maskDeep(e.details)) : null,
    })),
  });
}

export interface AuditFilter {
  actor?: string | null;
  action?: string | null;
  entityType?: string | null;
  entityId?: string | null;
  requestId?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export function auditWhere(filter: AuditFilter): Prisma.AuditLogWhereInput {
  return {
    ...(filter.actor ? { actor: filter.actor } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.entityType ? { entityType: filter.entityType } : {}),
    ...(filter.entityId ? { entityId: filter.entityId } : {}),
    ...(filter.requestId ? { requestId: filter.requestId } : {}),
    ...(filter.since || filter.until ? { createdAt: { gte: filter.since ?? undefined, lte: filter.until ?? undefined } } : {}),
  };
}
