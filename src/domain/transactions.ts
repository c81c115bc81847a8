// Transactions that may race with other requests or other processes: row locks on the
// customers involved, taken in id order, and a bounded retry of the whole transaction when
// the database says another transaction got there first. No lock lives in this process, so
// the same holds with several gateway processes on one PostgreSQL database.
import { isRetryableConflict, uniqueViolation } from '../db/errors.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { reportingAttempt } from './changes.ts';
import { DomainError } from './errors.ts';

type Tx = Prisma.TransactionClient;

export const MAX_ATTEMPTS = 5;

/**
 * Thrown inside a transaction when what it read before taking its locks changed meanwhile
 * (a customer was merged or deleted, an identity moved): the transaction is retried.
 */
export class StaleRead extends Error {
  constructor(what: string) {
    super(`stale read: ${what}`);
    this.name = 'StaleRead';
  }
}

export interface LockedCustomer {
  id: number;
  mergedIntoId: number | null;
  deletedAt: Date | null;
}

/**
 * SELECT … FOR UPDATE on the given customers, in ascending id order (two transactions locking
 * overlapping sets then wait for each other instead of deadlocking). Returns the rows as they
 * are once locked, i.e. after any concurrent writer committed. One array parameter: the same
 * statement text for any number of customers (prepared once, src/db/postgres.ts).
 */
export async function lockCustomers(tx: Tx, ids: number[]): Promise<Map<number, LockedCustomer>> {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  if (sorted.length === 0) return new Map();
  const rows = await tx.$queryRaw<LockedCustomer[]>`
    SELECT "id", "mergedIntoId", "deletedAt" FROM "Customer"
    WHERE "id" = ANY(${sorted}::int[]) ORDER BY "id" FOR UPDATE`;
  return new Map(rows.map((row) => [Number(row.id), { ...row, id: Number(row.id) }]));
}

/** Locks the customers and checks each is still live; a StaleRead otherwise. */
export async function lockLiveCustomers(tx: Tx, ids: number[]): Promise<void> {
  const locked = await lockCustomers(tx, ids);
  for (const id of new Set(ids)) {
    const row = locked.get(id);
    if (!row || row.mergedIntoId !== null || row.deletedAt !== null) throw new StaleRead(`customer ${id} changed`);
  }
}

function isRetryable(error: unknown): boolean {
  return error instanceof StaleRead || uniqueViolation(error) !== null || isRetryableConflict(error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` in one interactive transaction, retrying it from the start (at most
 * MAX_ATTEMPTS times, with a growing random pause) when it lost a race: a unique violation,
 * a deadlock or serialization failure, or a StaleRead. `work` must use only `tx`.
 */
export async function retryingTransaction<T>(
  prisma: PrismaClient,
  what: string,
  work: (tx: Tx) => Promise<T>,
  /** Interactive-transaction limits, for work larger than one request's (an import chunk). */
  limits?: { timeout?: number; maxWait?: number },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      // What an attempt reports (audit row, live events) is forgotten if it rolls back.
      return await reportingAttempt(() => (limits ? prisma.$transaction(work, limits) : prisma.$transaction(work)));
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        throw new DomainError('CONFLICT', `${what}: concurrent changes to the same customers kept colliding; retry the request`);
      }
      await sleep(Math.random() * 20 * 2 ** attempt);
    }
  }
}
