// The audit log: one row per write (who, what, when, with what outcome), personal values
// masked. GraphQL mutations are recorded by src/http/audit-plugin.ts, which sees REST writes
// too because the shim runs its operations through the same pipeline.
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
