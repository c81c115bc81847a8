// Helpers for the import tests: run a job through the engine directly, read what a customer
// holds, and wait for the worker to finish a job.
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { applyImportChunk, createImportJob, finishImportJob, FINISHED_STATUSES, type ImportKind } from '../../src/domain/imports/jobs.ts';

/** Creates a job and applies all its rows as one chunk, then finishes it. */
export async function importNow(prisma: PrismaClient, kind: ImportKind, options: unknown, rows: unknown[]) {
  const { job } = await createImportJob(prisma, { kind, options, origin: 'GRAPHQL', rows }, 'test');
  const chunk = await applyImportChunk(prisma, job.id, 0, rows, 'test');
  const finished = await finishImportJob(prisma, job.id);
  return { job: finished, chunk };
}

/** The live customer holding an identity, or null. */
export async function customerOf(prisma: PrismaClient, type: string, value: string): Promise<number | null> {
  const identity = await prisma.identity.findUnique({ where: { type_value: { type, value } }, include: { customer: true } });
  if (!identity || identity.customer.deletedAt || identity.customer.mergedIntoId) return null;
  return identity.customerId;
}

export async function liveCustomerCount(prisma: PrismaClient): Promise<number> {
  return prisma.customer.count({ where: { deletedAt: null, mergedIntoId: null } });
}

export async function groupsOf(prisma: PrismaClient, customerId: number): Promise<string[]> {
  const rows = await prisma.groupMember.findMany({ where: { customerId }, include: { group: true } });
  return rows.map((r) => r.group.name).sort();
}

export async function tagsOf(prisma: PrismaClient, customerId: number): Promise<string[]> {
  const rows = await prisma.customerTag.findMany({ where: { customerId }, include: { tag: true } });
  return rows.map((r) => r.tag.name).sort();
}

export async function customFieldOf(prisma: PrismaClient, customerId: number, key: string): Promise<string[]> {
  const rows = await prisma.attributeValue.findMany({ where: { customerId, definition: { key } }, orderBy: { position: 'asc' } });
  return rows.map((r) => r.value);
}

/** Polls until the job has a final status (the worker runs it in the background). */
export async function waitForJob(prisma: PrismaClient, id: number, deadlineMs = 30_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const job = await prisma.importJob.findUniqueOrThrow({ where: { id }, include: { errors: { orderBy: { row: 'asc' } } } });
    if ((FINISHED_STATUSES as readonly string[]).includes(job.status)) return job;
    if (Date.now() > until) throw new Error(`import job ${id} still ${job.status} after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A customer created directly with these identities (type → value) and columns. */
export async function customerWithIdentities(
  prisma: PrismaClient,
  identities: Record<string, string>,
  fields: Record<string, unknown> = {},
): Promise<number> {
  const customer = await prisma.customer.create({ data: fields });
  await prisma.identity.createMany({ data: Object.entries(identities).map(([type, value]) => ({ type, value, customerId: customer.id })) });
  return customer.id;
}
