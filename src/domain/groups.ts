// Groups: projects and classes (seed 000), customer groups (seeds 001, 002). A group's natural
// key makes "find or create" safe under concurrency: the unique index keeps one row.
import { z } from 'zod';
import type { Group, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { requireCustomerIds, requireUnmergedCustomerIds } from './customers.ts';
import { badInput, notFound } from './errors.ts';
import { parseInput } from './validation.ts';
import { reportChanges } from './changes.ts';

type Db = PrismaClient | Prisma.TransactionClient;

export const GROUP_KINDS = ['PROJECT', 'CLASS', 'GROUP'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

export const groupInput = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100),
  kind: z.enum(GROUP_KINDS).default('GROUP'),
  externalId: z.string().trim().max(100).nullish(),
  parentId: z.number().int().positive().nullish(),
});

/**
 * The natural key: a group by external id when it has one, else by name, within its parent.
 * "project:sp1", "class:12:c7", "group:name:VIP".
 */
export function groupKey(kind: GroupKind, name: string, externalId?: string | null, parentId?: number | null): string {
  const scope = parentId ? `${parentId}:` : '';
  const id = externalId ? `id:${externalId}` : `name:${name}`;
  return `${kind.toLowerCase()}:${scope}${id}`;
}

/** Finds the group with this natural key or creates it. */
export async function ensureGroup(db: Db, input: z.input<typeof groupInput>): Promise<Group> {
  const data = parseInput(groupInput, input);
  if (data.parentId && !(await db.group.findUnique({ where: { id: data.parentId } }))) {
    throw notFound('group', data.parentId, 'parentId');
  }
  const key = groupKey(data.kind, data.name, data.externalId, data.parentId);
  // INSERT … ON CONFLICT: two requests naming the same new group create it once.
  await db.$executeRaw`INSERT INTO "Group" ("key", "kind", "name", "externalId", "parentId")
    VALUES (${key}, ${data.kind}, ${data.name}, ${data.externalId ?? null}, ${data.parentId ?? null})
    ON CONFLICT ("key") DO UPDATE SET "name" = EXCLUDED."name", "updatedAt" = now()`;
  return db.group.findUniqueOrThrow({ where: { key } });
}

export async function requireGroup(db: Db, id: number, field = 'groupId'): Promise<Group> {
  const group = await db.group.findUnique({ where: { id } });
  if (!group) throw notFound('group', id, field);
  return group;
}

/** Adds customers to a group; members already in it stay (idempotent). */
export async function addMembers(db: Db, groupId: number, customerIds: number[]): Promise<number> {
  if (customerIds.length === 0) return 0;
  const { count } = await db.groupMember.createMany({
    data: customerIds.map((customerId) => ({ groupId, customerId })),
    skipDuplicates: true,
  });
  return count;
}

export async function removeMembers(db: Db, groupId: number, customerIds: number[]): Promise<number> {
  const { count } = await db.groupMember.deleteMany({ where: { groupId, customerId: { in: customerIds } } });
  return count;
}

/**
 * Adds or removes customers (ids of merged customers resolve to their target) in one
 * transaction: an unknown group or customer id is refused before anything changes.
 */
export async function changeMembership(
  prisma: PrismaClient,
  change: 'add' | 'remove',
  groupId: number,
  customerIds: number[],
): Promise<{ groupId: number; changed: number; customerIds: number[] }> {
  return prisma.$transaction(async (tx) => {
    await requireGroup(tx, groupId);
    // Adding a merged-away id adds its survivor; removing one is refused (it would remove the survivor).
    const ids =
      change === 'add'
        ? await requireCustomerIds(tx, customerIds, 'customerIds')
        : await requireUnmergedCustomerIds(tx, customerIds, 'customerIds');
    const changed = change === 'add' ? await addMembers(tx, groupId, ids) : await removeMembers(tx, groupId, ids);
    if (changed) await reportChanges(tx, { updated: ids });
    return { groupId, changed, customerIds: ids };
  });
}

/** Group names as seed 002 sends them: "group1,group2". */
export function parseGroupNames(list: string, field = 'groups', row?: number): string[] {
  const names = [
    ...new Set(
      list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  for (const name of names)
    if (name.length > 100) throw badInput(field, `group name "${name.slice(0, 20)}…" is longer than 100 characters`, row);
  return names;
}
