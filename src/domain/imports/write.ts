// The import engine's writes: a ChunkPlan (plan.ts) written inside the caller's transaction in
// two statements whatever the chunk's size (three with identities taken over):
//   1. the names the chunk uses (tags, custom-field definitions, groups to join) created when
//      missing;
//   2. one statement of data-modifying CTEs: new customers (their ids drawn from the sequence
//      in the statement, replacing the plan's negative ones), profile updates, identities,
//      tags, custom-field values and memberships, each joined to the names of statement 1.
// Each part's rows travel as one JSON parameter (jsonb_to_recordset): one string for the driver
// to pass, where an array per column cost Prisma more than the database's work. Round trips
// were most of a chunk's wait on PostgreSQL (about ten statements, one after another).
import { Prisma } from '../../generated/prisma/client.ts';
import { derivedName } from '../display-name.ts';
import { groupKey } from '../groups.ts';
import { StaleRead } from '../transactions.ts';
import type { ChunkPlan } from './plan.ts';
import type { ImportOptions } from './rows.ts';

type Tx = Prisma.TransactionClient;

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

/*
 * KEYED_PLANS: the statement's text repeats from chunk to chunk, so PostgreSQL keeps a generic
 * plan made in the import's first chunks (prepared statements, src/db/postgres.ts), and the
 * tables' statistics lag behind an import anyway. A plan that joins the chunk's rows to a whole
 * table (hash join over a sequential scan), cheap while the table was small, then costs more with
 * every chunk: over a 100,000-row import the profile updates scanned 57,000 customers and the
 * custom-field deletes 173,000 values per chunk (13 and 20 ms, growing). Written as key lookups,
 * they cost the same at any size. (Planning every chunk afresh, plan_cache_mode
 * force_custom_plan, halved the import's speed on 20,000 rows.)
 * (The deletes once went through the definitionId index instead, reading every value of a field
 * for each row: quadratic over an import.)
 */

/** `rows` as one jsonb parameter. */
const jsonRows = (rows: readonly object[]) => Prisma.sql`${JSON.stringify(rows)}::jsonb`;

/** A customer id of the plan (negative: created by this chunk) as SQL, given `x."c"` and `n` (new_ids). */
const CUSTOMER = Prisma.raw('COALESCE(n."id", x."c")');
const NEW_ID = Prisma.raw('LEFT JOIN new_ids n ON n."ord" = -x."c"');

/** Byte order (not the locale's): the same for every writer, and cheap. */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The profile columns any of `rows` gives, with their record types for jsonb_to_recordset. */
function columnsOf(rows: Iterable<Record<string, string | number>>) {
  const list = [...rows];
  const columns = WRITTEN_COLUMNS.filter((c) => list.some((fields) => fields[c] !== undefined));
  const types = columns.map((c) => `, "${c}" ${INT_COLUMNS.has(c) ? 'int' : 'text'}`).join('');
  return { columns, types };
}

/** Statement 1: the tags, custom-field definitions and (optType add) groups the chunk names. */
async function createNames(tx: Tx, options: ImportOptions, plan: ChunkPlan): Promise<void> {
  const parts: Prisma.Sql[] = [];
  // Sorted, so that two chunks creating the same names wait on the same first one.
  const tags = [...new Set(plan.tags.map((t) => t.tag))].sort(byCodeUnits);
  if (tags.length) {
    parts.push(Prisma.sql`INSERT INTO "Tag" ("name") SELECT unnest(${tags}::text[]) ON CONFLICT ("name") DO NOTHING`);
  }
  const missing = new Map(plan.attributes.filter((a) => !a.definition).map((a) => [a.key, a.name]));
  if (missing.size) {
    const keys = [...missing.keys()].sort(byCodeUnits);
    parts.push(Prisma.sql`INSERT INTO "AttributeDefinition" ("key", "name", "multiple")
      SELECT k, n, true FROM unnest(${keys}::text[], ${keys.map((k) => missing.get(k)!)}::text[]) AS u(k, n)
      ON CONFLICT ("key") DO NOTHING`);
  }
  if (options.optType === 'add' && plan.memberships.length) {
    const names = [...new Set(plan.memberships.map((m) => m.group))].sort(byCodeUnits);
    parts.push(Prisma.sql`INSERT INTO "Group" ("key", "kind", "name")
      SELECT k, 'GROUP', n FROM unnest(${names.map((n) => groupKey('GROUP', n))}::text[], ${names}::text[]) AS u(k, n)
      ON CONFLICT ("key") DO NOTHING`);
  }
  if (parts.length === 0) return;
  const ctes = parts.map((part, i) => Prisma.sql`${Prisma.raw(`names_${i}`)} AS (${part})`);
  await tx.$executeRaw`WITH ${Prisma.join(ctes, ', ')} SELECT 1`;
}

/** The new customers: an id from the sequence for each (new_ids), then the rows. */
function customerParts(plan: ChunkPlan): Prisma.Sql[] {
  const created = [...plan.newCustomers].map(([virtual, fields]) => [virtual, named(fields)] as const);
  const ords = created.map(([virtual]) => -virtual);
  const parts = [
    Prisma.sql`new_ids AS MATERIALIZED (
    SELECT "ord", nextval('"Customer_id_seq"')::int AS "id" FROM unnest(${ords}::int[]) AS "ord")`,
  ];
  if (created.length === 0) return parts;
  const { columns, types } = columnsOf(created.map(([, fields]) => fields));
  const names = columns.map((c) => `, "${c}"`).join('');
  const values = columns.map((c) => (INT_COLUMNS.has(c) ? `, COALESCE(x."${c}", 0)` : `, x."${c}"`)).join('');
  const rows = created.map(([virtual, fields]) => ({ ...fields, ord: -virtual }));
  parts.push(Prisma.sql`new_customers AS (INSERT INTO "Customer" ("id"${Prisma.raw(names)})
    SELECT n."id"${Prisma.raw(values)} FROM jsonb_to_recordset(${jsonRows(rows)}) AS x("ord" int${Prisma.raw(types)})
    JOIN new_ids n ON n."ord" = x."ord")`);
  return parts;
}

/** Columns written onto existing customers: only the fields a row gives (null keeps the stored value). */
function updateParts(plan: ChunkPlan): Prisma.Sql[] {
  if (plan.updates.size === 0) return [];
  const rows = [...plan.updates].map(([id, fields]) => ({ ...named(fields), id }));
  const { columns, types } = columnsOf(rows);
  if (columns.length === 0) return [];
  // A derived name only names a customer that has none.
  const set = (c: string) =>
    FILL_ONLY_COLUMNS.has(c) ? `"${c}" = COALESCE(NULLIF(c."${c}", ''), x."${c}")` : `"${c}" = COALESCE(x."${c}", c."${c}")`;
  const sets = columns.map(set).join(', ');
  // `= ANY(ids)`: the customers by their key, however large the table has grown (KEYED_PLANS).
  return [
    Prisma.sql`updated AS (UPDATE "Customer" AS c SET ${Prisma.raw(sets)}, "updatedAt" = now()
    FROM jsonb_to_recordset(${jsonRows(rows)}) AS x("id" int${Prisma.raw(types)})
    WHERE c."id" = x."id" AND c."id" = ANY(${rows.map((r) => r.id)}::int[]))`,
  ];
}

function identityParts(plan: ChunkPlan): Prisma.Sql[] {
  if (plan.newIdentities.length === 0) return [];
  // In (type, value) order, so that racing transactions wait on the same first row.
  const rows = plan.newIdentities
    .map((i) => ({ type: i.type, value: i.value, c: i.customerId, source: i.source }))
    .sort((a, b) => byCodeUnits(a.type, b.type) || byCodeUnits(a.value, b.value));
  return [
    Prisma.sql`identities AS (INSERT INTO "Identity" ("type", "value", "customerId", "source")
    SELECT x."type", x."value", ${CUSTOMER}, x."source"
    FROM jsonb_to_recordset(${jsonRows(rows)}) AS x("type" text, "value" text, "c" int, "source" text) ${NEW_ID})`,
  ];
}

function tagParts(plan: ChunkPlan): Prisma.Sql[] {
  if (plan.tags.length === 0) return [];
  const rows = plan.tags.map((t) => ({ c: t.customerId, tag: t.tag }));
  return [
    Prisma.sql`tagged AS (INSERT INTO "CustomerTag" ("customerId", "tagId")
    SELECT ${CUSTOMER}, t."id" FROM jsonb_to_recordset(${jsonRows(rows)}) AS x("c" int, "tag" text)
    JOIN "Tag" t ON t."name" = x."tag" ${NEW_ID} ON CONFLICT DO NOTHING)`,
  ];
}

/**
 * Each (customer, field)'s values replaced by the row's whole list: positions 0…n-1 written
 * (upsert), positions from n on of an existing customer deleted. The two touch different rows,
 * which one statement needs (its parts see the table as it was before it).
 */
function attributeParts(plan: ChunkPlan): Prisma.Sql[] {
  if (plan.attributes.length === 0) return [];
  const parts: Prisma.Sql[] = [];
  const values = plan.attributes.flatMap((w) => w.values.map((value, position) => ({ c: w.customerId, key: w.key, position, value })));
  if (values.length) {
    parts.push(Prisma.sql`attribute_values AS (INSERT INTO "AttributeValue" ("customerId", "definitionId", "position", "value")
      SELECT ${CUSTOMER}, d."id", x."position", x."value"
      FROM jsonb_to_recordset(${jsonRows(values)}) AS x("c" int, "key" text, "position" int, "value" text)
      JOIN "AttributeDefinition" d ON d."key" = x."key" ${NEW_ID}
      ON CONFLICT ("customerId", "definitionId", "position") DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = now())`);
  }
  const existing = plan.attributes.filter((w) => w.customerId > 0).map((w) => ({ c: w.customerId, key: w.key, count: w.values.length }));
  if (existing.length) {
    // The values to delete found through the (customer, definition, position) key, one probe per
    // (customer, field) (OFFSET 0 keeps each a separate index scan; KEYED_PLANS), then deleted
    // by id.
    parts.push(Prisma.sql`attribute_rest AS (DELETE FROM "AttributeValue" WHERE "id" = ANY(ARRAY(
      SELECT v."id" FROM jsonb_to_recordset(${jsonRows(existing)}) AS x("c" int, "key" text, "count" int)
      JOIN "AttributeDefinition" d ON d."key" = x."key"
      CROSS JOIN LATERAL (SELECT v."id" FROM "AttributeValue" v
        WHERE v."customerId" = x."c" AND v."definitionId" = d."id" AND v."position" >= x."count" OFFSET 0) v)))`);
  }
  return parts;
}

/** optType add: joins the groups (created by statement 1); delete: leaves them. */
function membershipParts(options: ImportOptions, plan: ChunkPlan): Prisma.Sql[] {
  if (plan.memberships.length === 0) return [];
  const rows = plan.memberships.map((m) => ({ c: m.customerId, key: groupKey('GROUP', m.group) }));
  const source = Prisma.sql`jsonb_to_recordset(${jsonRows(rows)}) AS x("c" int, "key" text) JOIN "Group" g ON g."key" = x."key"`;
  if (options.optType === 'add') {
    return [
      Prisma.sql`memberships AS (INSERT INTO "GroupMember" ("customerId", "groupId")
      SELECT ${CUSTOMER}, g."id" FROM ${source} ${NEW_ID} ON CONFLICT DO NOTHING)`,
    ];
  }
  return [
    Prisma.sql`memberships AS (DELETE FROM "GroupMember" m USING ${source}
    WHERE m."customerId" = x."c" AND m."groupId" = g."id")`,
  ];
}

/** Identity rows left on deleted customers, moved to the customer the row chose; a StaleRead if one moved meanwhile. */
async function takeOver(tx: Tx, plan: ChunkPlan, realId: Map<number, number>): Promise<void> {
  for (const { identity, customerId } of plan.takenOver) {
    const to = customerId < 0 ? realId.get(customerId)! : customerId;
    const { count } = await tx.identity.updateMany({
      where: { id: identity.id, customerId: identity.customerId },
      data: { customerId: to },
    });
    if (count !== 1) throw new StaleRead(`identity ${identity.id} moved`);
  }
}

/** The existing customers a plan writes to (profile, identities, tags, attributes, groups). */
function existingCustomersOf(plan: ChunkPlan): number[] {
  const ids = [
    ...plan.updates.keys(),
    ...plan.newIdentities.map((i) => i.customerId),
    ...plan.takenOver.map((t) => t.customerId),
    ...plan.tags.map((t) => t.customerId),
    ...plan.attributes.map((a) => a.customerId),
    ...plan.memberships.map((m) => m.customerId),
  ];
  return [...new Set(ids.filter((id) => id > 0))].sort((a, b) => a - b);
}

/** Writes `plan` inside `tx`; returns the customers it created and those it changed (for the audit row). */
export async function writeChunk(tx: Tx, options: ImportOptions, plan: ChunkPlan): Promise<{ created: number[]; updated: number[] }> {
  await createNames(tx, options, plan);
  const ctes = [
    ...customerParts(plan),
    ...updateParts(plan),
    ...identityParts(plan),
    ...tagParts(plan),
    ...attributeParts(plan),
    ...membershipParts(options, plan),
  ];
  // The parts run in one statement; the new customers' ids come back for the identities taken over.
  const created = await tx.$queryRaw<{ ord: number; id: number }[]>`WITH ${Prisma.join(ctes, ', ')} SELECT "ord", "id" FROM new_ids`;
  const realId = new Map(created.map((r) => [-Number(r.ord), Number(r.id)]));
  await takeOver(tx, plan, realId);
  return { created: [...realId.values()], updated: existingCustomersOf(plan) };
}
