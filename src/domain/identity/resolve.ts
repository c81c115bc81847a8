// "Look, lock, look again", once: what a write decides from is read, the live customers it
// found are locked (FOR UPDATE, id order), and it is read again; anything that moved between
// the two reads retries the transaction (StaleRead). Used by identity resolution (and through
// it the edu roster) and by the import engine.
import type { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { resolveCustomerIds } from '../merge/tree.ts';
import { lockLiveCustomers, StaleRead } from '../transactions.ts';
import type { RankedGiven } from './rules.ts';

type Tx = Prisma.TransactionClient;
type Db = PrismaClient | Tx;

/**
 * Reads with `look`, locks the live customers `customersOf` names, reads again and compares the
 * two reads' `signature`s (the customers found and whatever else the caller decides from).
 * Returns the second read.
 */
export async function lookLockLook<Found>(
  tx: Tx,
  look: () => Promise<Found>,
  customersOf: (found: Found) => number[],
  signature: (found: Found) => string,
  what: string,
): Promise<Found> {
  const first = await look();
  const seen = customersOf(first);
  if (seen.length === 0) return first;
  await lockLiveCustomers(tx, seen);
  const again = await look();
  if (signature(again) !== signature(first)) throw new StaleRead(`${what}: identities moved`);
  return again;
}

export interface Holder {
  /** The Identity row, when the value is stored. */
  identityId: number;
  /** The customer the row names (a tombstone or a deleted customer in odd data). */
  holderId: number;
  /** The live customer it resolves to, or null when it resolves to none (the row is free to take). */
  customerId: number | null;
}

/** The holder of each given identity, by rank: one query for all of them, one more per merge hop. */
export async function findHolders(db: Db, ordered: readonly RankedGiven[]): Promise<Map<number, Holder>> {
  const holders = new Map<number, Holder>();
  if (ordered.length === 0) return holders;
  const rows = await db.identity.findMany({
    where: { OR: ordered.map((g) => ({ type: g.type.name, value: g.value })) },
    select: { id: true, type: true, value: true, customerId: true },
  });
  const resolved = await resolveCustomerIds(
    db,
    rows.map((r) => r.customerId),
  );
  const byKey = new Map(rows.map((r) => [`${r.type}\u0000${r.value}`, r]));
  for (const g of ordered) {
    const row = byKey.get(`${g.type.name}\u0000${g.value}`);
    if (row) holders.set(g.rank, { identityId: row.id, holderId: row.customerId, customerId: resolved.get(row.customerId) ?? null });
  }
  return holders;
}

/** The live customers the holders resolve to, ascending. */
export function foundCustomers(holders: ReadonlyMap<number, Holder>): number[] {
  return [...new Set([...holders.values()].map((h) => h.customerId).filter((id): id is number => id !== null))].sort((a, b) => a - b);
}

/** The holders of `ordered`, with the customers they name locked and read again. */
export function lockHolders(tx: Tx, ordered: readonly RankedGiven[]): Promise<Map<number, Holder>> {
  return lookLockLook(
    tx,
    () => findHolders(tx, ordered),
    foundCustomers,
    (holders) => foundCustomers(holders).join(','),
    'createCustomerByIdentity',
  );
}

/** What each customer holds, in the order the identities were stored. */
export async function heldIdentities(db: Db, customers: readonly number[]): Promise<Map<number, { type: string; value: string }[]>> {
  const held = new Map<number, { type: string; value: string }[]>(customers.map((id) => [id, []]));
  if (customers.length === 0) return held;
  const rows = await db.identity.findMany({
    where: { customerId: { in: [...customers] } },
    select: { type: true, value: true, customerId: true },
    orderBy: { id: 'asc' },
  });
  for (const row of rows) held.get(row.customerId)?.push({ type: row.type, value: row.value });
  return held;
}
