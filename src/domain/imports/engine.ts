// The import engine: one chunk of rows applied inside the caller's transaction with a fixed
// number of statements, whatever the chunk's size. The rows are checked first (checkRows, pure:
// the CLI checks a chunk while the one before commits), every identity of the chunk is looked up
// at once, the customers found locked (id order) and looked up again (identity/resolve.ts), the
// matching decided in memory (plan.ts) and written with multi-row statements (write.ts).
import type { Prisma } from '../../generated/prisma/client.ts';
import { lookLockLook } from '../identity/resolve.ts';
import { identityKey, type HeldIdentity } from '../identity/rules.ts';
import type { IdentityTypeRule } from '../identity-types.ts';
import { resolveCustomerIds } from '../merge/tree.ts';
import { customFieldKey, liveCustomers, planChunk, type Definition, type Definitions, type Lookup, type StoredIdentity } from './plan.ts';
import { CUSTOMER_ID, parseImportRow, type ImportOptions, type ParsedRow, type RowError } from './rows.ts';
import { writeChunk } from './write.ts';

type Tx = Prisma.TransactionClient;
type Rules = Map<string, IdentityTypeRule>;

/** Most (type, value) pairs one lookup statement carries (a chunk of 1,000 rows gives about 3,000). */
const LOOKUP_BATCH = 10_000;

export interface ChunkOutcome {
  succeeded: number;
  failed: number;
  errors: RowError[];
  /** Customers the chunk created and changed: what its audit row records. */
  changes: { created: number[]; updated: number[] };
}

const NO_CHANGES = { created: [], updated: [] };

async function lookUp(tx: Tx, rows: readonly ParsedRow[]): Promise<Lookup> {
  const pairs = new Map<string, { type: string; value: string }>();
  const customerIds = new Set<number>();
  for (const row of rows) {
    for (const identity of row.identities) {
      if (identity.type === CUSTOMER_ID) customerIds.add(Number(identity.value));
      else pairs.set(identityKey(identity.type, identity.value), identity);
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
    for (const row of found)
      identities.set(identityKey(row.type, row.value), { ...row, id: Number(row.id), customerId: Number(row.customerId) });
  }
  for (const row of identities.values()) customerIds.add(row.customerId);
  const live = await resolveCustomerIds(tx, [...customerIds]);
  return { identities, live };
}

/** The customers found and who holds each identity: a change between look and lock retries the chunk. */
const lookupSignature = (lookup: Lookup) =>
  `${liveCustomers(lookup).join(',')}|${[...lookup.identities]
    .map(([key, row]) => `${key}\u0000${row.customerId}`)
    .sort()
    .join('|')}`;

/** What the rows found; when matching, with those customers locked and looked up again. */
async function lookUpChunk(tx: Tx, rows: readonly ParsedRow[], matching: boolean): Promise<Lookup> {
  if (rows.length === 0) return { identities: new Map(), live: new Map() };
  if (!matching) return lookUp(tx, rows);
  return lookLockLook(tx, () => lookUp(tx, rows), liveCustomers, lookupSignature, 'import chunk');
}

/** What each customer found holds, its own id (the CUSTOMER_ID pseudo identity) first. */
async function heldByFound(tx: Tx, lookup: Lookup): Promise<Map<number, HeldIdentity[]>> {
  const found = liveCustomers(lookup);
  const held = new Map<number, HeldIdentity[]>(found.map((id) => [id, [{ type: CUSTOMER_ID, value: String(id) }]]));
  if (found.length) {
    // One index probe per customer (OFFSET 0 keeps it a nested loop): an import outruns the
    // table's statistics, with which an IN list of a few hundred customers looked like the whole
    // table and was read as one (1 → 16 ms per chunk over a 100,000-row import).
    const rows = await tx.$queryRaw<{ type: string; value: string; customerId: number }[]>`
      SELECT i."type", i."value", i."customerId" FROM unnest(${found}::int[]) AS f("id")
      CROSS JOIN LATERAL (SELECT * FROM "Identity" i WHERE i."customerId" = f."id" ORDER BY i."id" OFFSET 0) i`;
    for (const row of rows) held.get(Number(row.customerId))?.push({ type: row.type, value: row.value });
  }
  return held;
}

/** The definitions the chunk's custom fields name (by configId key, or by configName). */
async function customFieldDefinitions(tx: Tx, rows: readonly ParsedRow[]): Promise<Definitions> {
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

/** A chunk's rows checked (rows.ts) against its job's options: what applyRows matches and writes. */
export interface CheckedRows {
  /** The job's row the chunk starts at. */
  startRow: number;
  /** How many rows the chunk holds (checked or not). */
  count: number;
  parsed: ParsedRow[];
  errors: RowError[];
  /** The identity-type rules the rows were checked with; matching uses the same. */
  rules: Rules;
}

/** Each raw row checked (rows.ts): the rows to match, and the errors of the others. Pure. */
export function checkRows(options: ImportOptions, raw: readonly unknown[], startRow: number, rules: Rules): CheckedRows {
  const errors: RowError[] = [];
  const parsed: ParsedRow[] = [];
  raw.forEach((value, i) => {
    const result = parseImportRow(options, value, startRow + i, rules);
    if (result.parsed) parsed.push(result.parsed);
    else errors.push(...result.errors);
  });
  return { startRow, count: raw.length, parsed, errors, rules };
}

/**
 * Matches and writes the checked rows of a chunk inside `tx`. Rows with errors are skipped; with
 * importMode 1 any row error skips every write (the caller records the errors).
 */
export async function applyRows(tx: Tx, options: ImportOptions, rows: CheckedRows): Promise<ChunkOutcome> {
  const { parsed, count, rules } = rows;
  const errors = [...rows.errors];
  if (options.importMode === 1 && errors.length) return { succeeded: 0, failed: count, errors, changes: NO_CHANGES };
  const lookup = await lookUpChunk(tx, parsed, options.isMatching);
  const definitions = await customFieldDefinitions(tx, parsed);
  const plan = planChunk(options, rules, parsed, lookup, await heldByFound(tx, lookup), definitions);
  errors.push(...plan.errors);
  if (options.importMode === 1 && errors.length) return { succeeded: 0, failed: count, errors, changes: NO_CHANGES };
  const changes = await writeChunk(tx, options, plan);
  return { succeeded: plan.succeeded, failed: count - plan.succeeded, errors, changes };
}
