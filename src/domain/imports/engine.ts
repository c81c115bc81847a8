// The import engine: one chunk of rows applied inside the caller's transaction with a fixed
// number of statements, whatever the chunk's size. One lookup of every identity of the chunk,
// the customers found locked (id order) and looked up again, the matching decided in memory
// with the rules of identity resolution (identity-matching.ts), then multi-row writes.
// Rows of a chunk that share an identity resolve to the same customer: a row sees the
// customers and identities the rows before it created.
import { Prisma } from '../../generated/prisma/client.ts';
import { checkValue } from '../attributes.ts';
import { resolveCustomerIds } from '../customers.ts';
import { DomainError } from '../errors.ts';
import { groupKey } from '../groups.ts';
import { conflictingValue, identityFirstTarget, type RankedIdentity } from '../identity-matching.ts';
import type { IdentityTypeRule } from '../identity-types.ts';
import type { HeldIdentity } from '../merge.ts';
import { lockLiveCustomers, StaleRead } from '../transactions.ts';
import { CUSTOMER_ID, parseImportRow, type ImportOptions, type ParsedRow, type RowError, type RowIdentity } from './rows.ts';

type Tx = Prisma.TransactionClient;
type Rules = Map<string, IdentityTypeRule>;

/** Custom fields of seed 004 are the extended attributes `customField.<configId>`. */
export const customFieldKey = (configId: number) => `customField.${configId}`;

/** Profile columns an import writes, and which of them are integers. */
const WRITTEN_COLUMNS = ['realName', 'gender', 'address', 'birthday', 'remark', 'mobile'] as const;
const INT_COLUMNS = new Set<string>(['gender']);

/** Most (type, value) pairs one lookup statement carries. */
const LOOKUP_BATCH = 2000;

export interface ChunkOutcome {
  succeeded: number;
  failed: number;
  errors: RowError[];
}

interface StoredIdentity {
  id: number;
  type: string;
  value: string;
  customerId: number;
  source: string | null;
}

interface Lookup {
  /** (type, value) → the stored row. */
  identities: Map<string, StoredIdentity>;
  /** customer id named by a row or an identity row → the live customer, or null. */
  live: Map<number, number | null>;
}

const keyOf = (type: string, value: string) => `${type}\u0000${value}`;

async function lookUp(tx: Tx, rows: ParsedRow[]): Promise<Lookup> {
  const pairs = new Map<string, { type: string; value: string }>();
  const customerIds = new Set<number>();
  for (const row of rows) {
    for (const identity of row.identities) {
      if (identity.type === CUSTOMER_ID) customerIds.add(Number(identity.value));
      else pairs.set(keyOf(identity.type, identity.value), identity);
    }
  }
  const identities = new Map<string, StoredIdentity>();
  const all = [...pairs.values()];
  for (let i = 0; i < all.length; i += LOOKUP_BATCH) {
    const batch = all.slice(i, i + LOOKUP_BATCH);
    // Two array parameters instead of two per pair: binding thousands of parameters costs more than the lookup.
    const found = await tx.$queryRaw<StoredIdentity[]>`
      SELECT i."id", i."type", i."value", i."customerId", i."source" FROM "Identity" i
      JOIN unnest(${batch.map((p) => p.type)}::text[], ${batch.map((p) => p.value)}::text[]) AS k("type", "value")
        ON i."type" = k."type" AND i."value" = k."value"`;
    for (const row of found) identities.set(keyOf(row.type, row.value), { ...row, id: Number(row.id), customerId: Number(row.customerId) });
  }
  for (const row of identities.values()) customerIds.add(row.customerId);
  const live = await resolveCustomerIds(tx, [...customerIds]);
  return { identities, live };
}

function liveCustomers(lookup: Lookup): number[] {
  return [...new Set([...lookup.live.values()].filter((id): id is number => id !== null))].sort((a, b) => a - b);
}

/** What the rows found, with those customers locked: a change between look and lock retries the chunk. */
async function lookUpAndLock(tx: Tx, rows: ParsedRow[]): Promise<Lookup> {
  const first = await lookUp(tx, rows);
  const seen = liveCustomers(first);
  if (seen.length === 0) return first;
  await lockLiveCustomers(tx, seen);
  const again = await lookUp(tx, rows);
  const now = liveCustomers(again);
  const same =
    now.length === seen.length &&
    now.every((id, i) => id === seen[i]) &&
    [...again.identities].every(([key, row]) => first.identities.get(key)?.customerId === row.customerId);
  if (!same) throw new StaleRead('identities moved during an import chunk');
  return again;
}

interface Definition {
  id: number;
  key: string;
  valueType: string;
  multiple: boolean;
}

/** The definitions the chunk's custom fields name (by configId key, or by configName). */
async function customFieldDefinitions(tx: Tx, rows: ParsedRow[]): Promise<{ byKey: Map<string, Definition>; byName: Map<string, Definition> }> {
  const keys = new Set<string>();
  const names = new Set<string>();
  for (const row of rows) {
    for (const field of row.customFields) {
      if (field.configId !== null) keys.add(customFieldKey(field.configId));
      else names.add(field.configName!);
    }
  }
  const byKey = new Map<string, Definition>();
  const byName = new Map<string, Definition>();
  if (keys.size === 0 && names.size === 0) return { byKey, byName };
  const found = await tx.attributeDefinition.findMany({
    where: { OR: [{ key: { in: [...keys, ...names] } }, { name: { in: [...names] } }] },
    select: { id: true, key: true, name: true, valueType: true, multiple: true },
    orderBy: { id: 'asc' },
  });
  for (const d of found) byKey.set(d.key, d);
  // A name names the definition of that key, else the first defined with that name.
  for (const name of names) {
    const d = byKey.get(name) ?? found.find((f) => f.name === name);
    if (d) byName.set(name, d);
  }
  return { byKey, byName };
}

/**
 * Validates, matches and writes `raw` (rows startRow, startRow + 1, …) inside `tx`. Rows with
 * errors are skipped; with importMode 1 any row error skips every write (the caller records
 * the errors). Identity-type rules come from identityTypeRules, read before the transaction.
 */
export async function applyRows(tx: Tx, rules: Rules, options: ImportOptions, raw: unknown[], startRow: number): Promise<ChunkOutcome> {
  const errors: RowError[] = [];
  const parsed: ParsedRow[] = [];
  raw.forEach((value, i) => {
    const result = parseImportRow(options, value, startRow + i, rules);
    if (result.parsed) parsed.push(result.parsed);
    else errors.push(...result.errors);
  });
  if (options.importMode === 1 && errors.length) return { succeeded: 0, failed: raw.length, errors };

  const lookup = parsed.length && options.isMatching ? await lookUpAndLock(tx, parsed) : parsed.length ? await lookUp(tx, parsed) : { identities: new Map(), live: new Map() };
  const definitions = await customFieldDefinitions(tx, parsed);

  // The in-memory state: who holds what, as the rows so far leave it. New customers have
  // negative ids until the chunk writes them.
  const ownerOf = new Map<string, number>();
  const takeOver = new Map<string, StoredIdentity>();
  const found = liveCustomers(lookup);
  const held = new Map<number, HeldIdentity[]>(found.map((id) => [id, [{ type: CUSTOMER_ID, value: String(id) }]]));
  for (const [key, row] of lookup.identities) {
    const live = lookup.live.get(row.customerId) ?? null;
    if (live === null) takeOver.set(key, row); // left on a deleted customer: free to take
    else ownerOf.set(key, live);
  }
  if (found.length) {
    const heldRows = await tx.identity.findMany({ where: { customerId: { in: found } }, select: { type: true, value: true, customerId: true } });
    for (const row of heldRows) held.get(row.customerId)?.push({ type: row.type, value: row.value });
  }

  const rowOfNew = new Map<number, number>();
  const newFields = new Map<number, Record<string, string | number>>();
  const updates = new Map<number, Record<string, string | number>>();
  const newIdentities: { type: string; value: string; customerId: number; source: string | null }[] = [];
  const takenOver: { identity: StoredIdentity; customerId: number }[] = [];
  const tagPairs = new Map<string, { customerId: number; tag: string }>();
  const attributeWrites = new Map<string, { customerId: number; definition: Definition | null; key: string; name: string; values: string[] }>();
  const memberships = new Map<string, { customerId: number; group: string }>();
  let succeeded = 0;

  const ranked = (identity: RowIdentity): RankedIdentity => ({
    type: { name: identity.type, unique: identity.type === CUSTOMER_ID || (rules.get(identity.type)?.unique ?? true) },
    value: identity.value,
  });
  const describe = (customerId: number) => (customerId < 0 ? `the customer row ${rowOfNew.get(customerId)} created` : `customer ${customerId}`);

  for (const row of parsed) {
    const rowErrors: RowError[] = [];
    const fail = (field: string | null, message: string) => rowErrors.push({ row: row.row, field, message });
    const customerOf = (identity: RowIdentity): number | null =>
      identity.type === CUSTOMER_ID ? (lookup.live.get(Number(identity.value)) ?? null) : (ownerOf.get(keyOf(identity.type, identity.value)) ?? null);

    for (const identity of row.identities) {
      if (identity.type === CUSTOMER_ID) {
        if (customerOf(identity) === null) fail(identity.column, `no customer ${identity.value}`);
        else if (!options.isMatching) fail(identity.column, 'names an existing customer, but isMatching is false: every row creates a new customer');
        continue;
      }
      const stored = lookup.identities.get(keyOf(identity.type, identity.value));
      if (options.accurateScope && identity.type === 'openid' && stored?.source && stored.source !== options.accurateScope) {
        fail(identity.column, `"${identity.value}" is an openid of ${stored.source}, not of ${options.accurateScope}`);
      }
      const owner = customerOf(identity);
      if (!options.isMatching && owner !== null) {
        fail(identity.column, `"${identity.value}" already belongs to ${describe(owner)}; isMatching is false, so every row creates a new customer`);
      }
    }

    let target: number | null = null;
    if (options.isMatching && rowErrors.length === 0) {
      const lookedUp = row.identities.slice(0, row.lookup);
      const chosen = identityFirstTarget(
        lookedUp.map(ranked),
        (i) => customerOf(lookedUp[i]),
        (customer) => held.get(customer) ?? [],
      );
      target = chosen?.customer ?? null;
      if (target === null && options.optType === 'delete') fail(null, 'no customer matches this row');
    }

    // Custom fields: each against its definition (a configId not defined yet is defined as multi-valued text).
    const attributes: { definition: Definition | null; key: string; name: string; values: string[] }[] = [];
    for (const field of row.customFields) {
      const where = `customFields[${field.index}]`;
      const key = field.configId !== null ? customFieldKey(field.configId) : null;
      const definition = key !== null ? (definitions.byKey.get(key) ?? null) : (definitions.byName.get(field.configName!) ?? null);
      if (definition === null && key === null) {
        fail(`${where}.configName`, `no custom field named "${field.configName}"; give its configId`);
        continue;
      }
      if (definition && !definition.multiple && field.values.length > 1) {
        fail(`${where}.values`, `${definition.key} holds one value; ${field.values.length} were given`);
        continue;
      }
      try {
        const values = definition ? field.values.map((v, j) => checkValue(definition, v, `${where}.values[${j}]`)) : field.values;
        attributes.push({ definition, key: definition?.key ?? key!, name: field.configName ?? key!, values });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        for (const issue of error.issues) fail(issue.field, issue.message);
      }
    }

    if (rowErrors.length) {
      errors.push(...rowErrors);
      continue;
    }
    succeeded++;

    if (target === null) {
      target = -(rowOfNew.size + 1);
      rowOfNew.set(target, row.row);
      held.set(target, []);
      newFields.set(target, {});
    }
    const customer = target;

    if (options.optType === 'add') {
      // Attach what belongs to no customer and does not conflict with the target (CONTRACT §5).
      const targetHeld = held.get(customer)!;
      for (const identity of row.identities) {
        if (identity.type === CUSTOMER_ID) continue;
        const key = keyOf(identity.type, identity.value);
        if (ownerOf.has(key) || conflictingValue(targetHeld, ranked(identity)) !== null) continue;
        ownerOf.set(key, customer);
        targetHeld.push({ type: identity.type, value: identity.value });
        const left = takeOver.get(key);
        if (left) takenOver.push({ identity: left, customerId: customer });
        else {
          const source = identity.type === 'openid' ? options.accurateScope : null;
          newIdentities.push({ type: identity.type, value: identity.value, customerId: customer, source });
        }
      }
    }

    if (Object.keys(row.fields).length) {
      const fields = customer < 0 ? newFields.get(customer)! : (updates.get(customer) ?? {});
      Object.assign(fields, row.fields);
      if (customer > 0) updates.set(customer, fields);
    }
    for (const tag of row.tags) tagPairs.set(`${customer}\u0000${tag}`, { customerId: customer, tag });
    for (const attribute of attributes) attributeWrites.set(`${customer}\u0000${attribute.key}`, { customerId: customer, ...attribute });
    for (const group of row.groups) memberships.set(`${customer}\u0000${group}`, { customerId: customer, group });
  }

  if (options.importMode === 1 && errors.length) return { succeeded: 0, failed: raw.length, errors };

  // Writes: new customers first (their ids, returned in order, replace the negative ones), then the rest.
  const realId = new Map<number, number>();
  if (newFields.size) {
    const created = [...newFields];
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
  }
  const idOf = (customerId: number) => (customerId < 0 ? realId.get(customerId)! : customerId);

  if (updates.size) {
    const columns = WRITTEN_COLUMNS.filter((c) => [...updates.values()].some((f) => f[c] !== undefined));
    const rows = [...updates];
    const arrays = columns.map((c) =>
      INT_COLUMNS.has(c) ? Prisma.sql`${rows.map(([, f]) => f[c] ?? null)}::int[]` : Prisma.sql`${rows.map(([, f]) => f[c] ?? null)}::text[]`,
    );
    const names = Prisma.raw(columns.map((c) => `"${c}"`).join(', '));
    // Only the fields a row gives are written (null keeps the stored value).
    const sets = Prisma.raw(columns.map((c) => `"${c}" = COALESCE(v."${c}", c."${c}")`).join(', '));
    await tx.$executeRaw`UPDATE "Customer" AS c SET ${sets}, "updatedAt" = now()
      FROM unnest(${rows.map(([id]) => id)}::int[], ${Prisma.join(arrays)}) AS v("id", ${names}) WHERE c."id" = v."id"`;
  }

  if (newIdentities.length) {
    // In (type, value) order, so that racing transactions wait on the same first row.
    const data = newIdentities
      .map((i) => ({ ...i, customerId: idOf(i.customerId) }))
      .sort((a, b) => a.type.localeCompare(b.type) || a.value.localeCompare(b.value));
    await tx.$executeRaw`INSERT INTO "Identity" ("type", "value", "customerId", "source")
      SELECT * FROM unnest(${data.map((d) => d.type)}::text[], ${data.map((d) => d.value)}::text[], ${data.map((d) => d.customerId)}::int[], ${data.map((d) => d.source)}::text[])`;
  }
  for (const { identity, customerId } of takenOver) {
    const { count } = await tx.identity.updateMany({ where: { id: identity.id, customerId: identity.customerId }, data: { customerId: idOf(customerId) } });
    if (count !== 1) throw new StaleRead(`identity ${identity.id} moved`);
  }

  if (tagPairs.size) {
    const names = [...new Set([...tagPairs.values()].map((p) => p.tag))];
    await tx.$executeRaw`INSERT INTO "Tag" ("name") VALUES ${Prisma.join(names.map((n) => Prisma.sql`(${n})`))} ON CONFLICT ("name") DO NOTHING`;
    const tags = new Map((await tx.tag.findMany({ where: { name: { in: names } }, select: { id: true, name: true } })).map((t) => [t.name, t.id]));
    const pairs = [...tagPairs.values()];
    await tx.$executeRaw`INSERT INTO "CustomerTag" ("customerId", "tagId")
      SELECT * FROM unnest(${pairs.map((p) => idOf(p.customerId))}::int[], ${pairs.map((p) => tags.get(p.tag)!)}::int[]) ON CONFLICT DO NOTHING`;
  }

  if (attributeWrites.size) {
    const missing = new Map<string, string>();
    for (const w of attributeWrites.values()) if (!w.definition) missing.set(w.key, w.name);
    const byKey = new Map<string, number>();
    for (const w of attributeWrites.values()) if (w.definition) byKey.set(w.key, w.definition.id);
    if (missing.size) {
      await tx.$executeRaw`INSERT INTO "AttributeDefinition" ("key", "name", "multiple")
        VALUES ${Prisma.join([...missing].map(([key, name]) => Prisma.sql`(${key}, ${name}, true)`))} ON CONFLICT ("key") DO NOTHING`;
      for (const d of await tx.attributeDefinition.findMany({ where: { key: { in: [...missing.keys()] } }, select: { id: true, key: true } })) byKey.set(d.key, d.id);
    }
    const writes = [...attributeWrites.values()].map((w) => ({
      existing: w.customerId > 0,
      customerId: idOf(w.customerId),
      definitionId: byKey.get(w.key)!,
      values: w.values,
    }));
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

  if (memberships.size) {
    const names = [...new Set([...memberships.values()].map((m) => m.group))];
    const keys = new Map(names.map((name) => [groupKey('GROUP', name), name]));
    if (options.optType === 'add') {
      await tx.$executeRaw`INSERT INTO "Group" ("key", "kind", "name")
        VALUES ${Prisma.join([...keys].map(([key, name]) => Prisma.sql`(${key}, 'GROUP', ${name})`))} ON CONFLICT ("key") DO NOTHING`;
    }
    const groups = new Map(
      (await tx.group.findMany({ where: { key: { in: [...keys.keys()] } }, select: { id: true, key: true } })).map((g) => [keys.get(g.key)!, g.id]),
    );
    const pairs = [...memberships.values()].filter((m) => groups.has(m.group)).map((m) => ({ customerId: idOf(m.customerId), groupId: groups.get(m.group)! }));
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

  return { succeeded, failed: raw.length - succeeded, errors };
}
