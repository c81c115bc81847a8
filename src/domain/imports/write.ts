// The import engine's writes: a ChunkPlan (plan.ts) written inside the caller's transaction with
// a fixed number of multi-row statements, whatever the chunk's size. New customers first
// (their ids, returned in order, replace the plan's negative ones), then the rest.
import { Prisma } from '../../generated/prisma/client.ts';
import { derivedName } from '../display-name.ts';
import { groupKey } from '../groups.ts';
import { StaleRead } from '../transactions.ts';
import type { ChunkPlan } from './plan.ts';
import type { ImportOptions } from './rows.ts';

type Tx = Prisma.TransactionClient;
type IdOf = (customerId: number) => number;

/** Profile columns an import writes, and which of them are integers. */
const WRITTEN_COLUMNS = ['name', 'realName', 'gender', 'address', 'birthday', 'remark', 'mobile'] as const;
const INT_COLUMNS = new Set<string>(['gender']);
/** Written only where the stored value is empty: `name`, derived from the row (display-name.ts). */
const FILL_ONLY_COLUMNS = new Set<string>(['name']);

type Fields = Record<string, string | number>;

/** The row's fields with the name the display-name rule derives from them (rows carry no name). */
function named(fields: Fields): Fields {
  const name = derivedName(fields);
  return name === undefined ? fields : { ...fields, name };
}

/** Inserts the new customers; maps each negative id of the plan to the id inserted. */
async function insertCustomers(tx: Tx, newCustomers: ChunkPlan['newCustomers']): Promise<Map<number, number>> {
  const realId = new Map<number, number>();
  if (newCustomers.size === 0) return realId;
  const created = [...newCustomers].map(([virtual, fields]) => [virtual, named(fields)] as const);
  const columns = WRITTEN_COLUMNS.filter((c) => created.some(([, fields]) => fields[c] !== undefined));
  // One array per column (unnest): a fixed number of parameters whatever the chunk's size. The
  // rows are inserted, and their ids returned, in the order of `ord`.
  const arrays = columns.map((c) =>
    INT_COLUMNS.has(c)
      ? Prisma.sql`${created.map(([, fields]) => fields[c] ?? 0)}::int[]`
      : Prisma.sql`${created.map(([, fields]) => fields[c] ?? null)}::text[]`,
  );
  const ordinals = created.map((_, i) => i);
  const names = columns.map((c) => `"${c}"`).join(', ');
  const ids = await tx.$queryRaw<{ id: number }[]>`
    INSERT INTO "Customer" (${Prisma.raw(names || '"gender"')})
    SELECT ${Prisma.raw(names || '0')} FROM unnest(${ordinals}::int[]${arrays.length ? Prisma.sql`, ${Prisma.join(arrays)}` : Prisma.empty})
      AS u("ord"${Prisma.raw(names ? `, ${names}` : '')}) ORDER BY "ord"
    RETURNING "id"`;
  // The sequence numbers the rows in insertion order: ascending ids follow `ord` whatever order RETURNING uses.
  const ascending = ids.map((r) => Number(r.id)).sort((a, b) => a - b);
  created.forEach(([virtual], i) => realId.set(virtual, ascending[i]));
  return realId;
}

async function updateCustomers(tx: Tx, updates: ChunkPlan['updates']): Promise<void> {
  if (updates.size === 0) return;
  const rows = [...updates].map(([id, fields]) => [id, named(fields)] as const);
  const columns = WRITTEN_COLUMNS.filter((c) => rows.some(([, f]) => f[c] !== undefined));
  const arrays = columns.map((c) =>
    INT_COLUMNS.has(c) ? Prisma.sql`${rows.map(([, f]) => f[c] ?? null)}::int[]` : Prisma.sql`${rows.map(([, f]) => f[c] ?? null)}::text[]`,
  );
  const names = Prisma.raw(columns.map((c) => `"${c}"`).join(', '));
  // Only the fields a row gives are written (null keeps the stored value); a derived name only
  // names a customer that has none.
  const set = (c: string) =>
    FILL_ONLY_COLUMNS.has(c) ? `"${c}" = COALESCE(NULLIF(c."${c}", ''), v."${c}")` : `"${c}" = COALESCE(v."${c}", c."${c}")`;
  const sets = Prisma.raw(columns.map(set).join(', '));
  await tx.$executeRaw`UPDATE "Customer" AS c SET ${sets}, "updatedAt" = now()
    FROM unnest(${rows.map(([id]) => id)}::int[], ${Prisma.join(arrays)}) AS v("id", ${names}) WHERE c."id" = v."id"`;
}

async function writeIdentities(tx: Tx, plan: ChunkPlan, idOf: IdOf): Promise<void> {
  if (plan.newIdentities.length) {
    // In (type, value) order, so that racing transactions wait on the same first row.
    const data = plan.newIdentities
      .map((i) => ({ ...i, customerId: idOf(i.customerId) }))
      .sort((a, b) => a.type.localeCompare(b.type) || a.value.localeCompare(b.value));
    await tx.$executeRaw`INSERT INTO "Identity" ("type", "value", "customerId", "source")
      SELECT * FROM unnest(${data.map((d) => d.type)}::text[], ${data.map((d) => d.value)}::text[], ${data.map((d) => d.customerId)}::int[], ${data.map((d) => d.source)}::text[])`;
  }
  for (const { identity, customerId } of plan.takenOver) {
    const { count } = await tx.identity.updateMany({ where: { id: identity.id, customerId: identity.customerId }, data: { customerId: idOf(customerId) } });
    if (count !== 1) throw new StaleRead(`identity ${identity.id} moved`);
  }
}

async function writeTags(tx: Tx, tags: ChunkPlan['tags'], idOf: IdOf): Promise<void> {
  if (tags.length === 0) return;
  const names = [...new Set(tags.map((p) => p.tag))];
  await tx.$executeRaw`INSERT INTO "Tag" ("name") VALUES ${Prisma.join(names.map((n) => Prisma.sql`(${n})`))} ON CONFLICT ("name") DO NOTHING`;
  const ids = new Map((await tx.tag.findMany({ where: { name: { in: names } }, select: { id: true, name: true } })).map((t) => [t.name, t.id]));
  await tx.$executeRaw`INSERT INTO "CustomerTag" ("customerId", "tagId")
    SELECT * FROM unnest(${tags.map((p) => idOf(p.customerId))}::int[], ${tags.map((p) => ids.get(p.tag)!)}::int[]) ON CONFLICT DO NOTHING`;
}

/** The definition id of each attribute key written; keys not defined yet are defined (multi-valued text). */
async function definitionIds(tx: Tx, attributes: ChunkPlan['attributes']): Promise<Map<string, number>> {
  const missing = new Map<string, string>();
  const byKey = new Map<string, number>();
  for (const w of attributes) {
    if (w.definition) byKey.set(w.key, w.definition.id);
    else missing.set(w.key, w.name);
  }
  if (missing.size) {
    await tx.$executeRaw`INSERT INTO "AttributeDefinition" ("key", "name", "multiple")
      VALUES ${Prisma.join([...missing].map(([key, name]) => Prisma.sql`(${key}, ${name}, true)`))} ON CONFLICT ("key") DO NOTHING`;
    for (const d of await tx.attributeDefinition.findMany({ where: { key: { in: [...missing.keys()] } }, select: { id: true, key: true } })) byKey.set(d.key, d.id);
  }
  return byKey;
}

async function writeAttributes(tx: Tx, attributes: ChunkPlan['attributes'], idOf: IdOf): Promise<void> {
  if (attributes.length === 0) return;
  const byKey = await definitionIds(tx, attributes);
  const writes = attributes.map((w) => ({ existing: w.customerId > 0, customerId: idOf(w.customerId), definitionId: byKey.get(w.key)!, values: w.values }));
  // Replaces each (customer, field)'s values: the row gives the field's whole list.
  const existing = writes.filter((w) => w.existing);
  if (existing.length) {
    await tx.$executeRaw`DELETE FROM "AttributeValue" v
      USING unnest(${existing.map((w) => w.customerId)}::int[], ${existing.map((w) => w.definitionId)}::int[]) AS k("customerId", "definitionId")
      WHERE v."customerId" = k."customerId" AND v."definitionId" = k."definitionId"`;
  }
  const data = writes.flatMap((w) => w.values.map((value, position) => ({ customerId: w.customerId, definitionId: w.definitionId, position, value })));
  if (data.length) {
    await tx.$executeRaw`INSERT INTO "AttributeValue" ("customerId", "definitionId", "position", "value")
      SELECT * FROM unnest(${data.map((d) => d.customerId)}::int[], ${data.map((d) => d.definitionId)}::int[], ${data.map((d) => d.position)}::int[], ${data.map((d) => d.value)}::text[])`;
  }
}

/** optType add: joins the groups (created when missing); delete: leaves them. */
async function writeMemberships(tx: Tx, options: ImportOptions, memberships: ChunkPlan['memberships'], idOf: IdOf): Promise<void> {
  if (memberships.length === 0) return;
  const names = [...new Set(memberships.map((m) => m.group))];
  const keys = new Map(names.map((name) => [groupKey('GROUP', name), name]));
  if (options.optType === 'add') {
    await tx.$executeRaw`INSERT INTO "Group" ("key", "kind", "name")
      VALUES ${Prisma.join([...keys].map(([key, name]) => Prisma.sql`(${key}, 'GROUP', ${name})`))} ON CONFLICT ("key") DO NOTHING`;
  }
  const groups = new Map(
    (await tx.group.findMany({ where: { key: { in: [...keys.keys()] } }, select: { id: true, key: true } })).map((g) => [keys.get(g.key)!, g.id]),
  );
  const pairs = memberships.filter((m) => groups.has(m.group)).map((m) => ({ customerId: idOf(m.customerId), groupId: groups.get(m.group)! }));
  const customerIds = pairs.map((p) => p.customerId);
  const groupIds = pairs.map((p) => p.groupId);
  if (options.optType === 'add') {
    await tx.$executeRaw`INSERT INTO "GroupMember" ("customerId", "groupId")
      SELECT * FROM unnest(${customerIds}::int[], ${groupIds}::int[]) ON CONFLICT DO NOTHING`;
  } else if (pairs.length) {
    await tx.$executeRaw`DELETE FROM "GroupMember" m USING unnest(${customerIds}::int[], ${groupIds}::int[]) AS k("customerId", "groupId")
      WHERE m."customerId" = k."customerId" AND m."groupId" = k."groupId"`;
  }
}

/** Writes `plan` inside `tx`. */
export async function writeChunk(tx: Tx, options: ImportOptions, plan: ChunkPlan): Promise<void> {
  const realId = await insertCustomers(tx, plan.newCustomers);
  const idOf: IdOf = (customerId) => (customerId < 0 ? realId.get(customerId)! : customerId);
  await updateCustomers(tx, plan.updates);
  await writeIdentities(tx, plan, idOf);
  await writeTags(tx, plan.tags, idOf);
  await writeAttributes(tx, plan.attributes, idOf);
  await writeMemberships(tx, options, plan.memberships, idOf);
}
