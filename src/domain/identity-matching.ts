// The pure rules of identity resolution (CONTRACT §5) that both createCustomerByIdentity
// (resolution.ts, one request at a time) and the bulk import engine (imports/engine.ts, a chunk
// of rows decided in memory) apply, so that the two cannot drift apart.
import type { HeldIdentity } from './merge.ts';

export interface RankedIdentity {
  type: { name: string; unique: boolean };
  value: string;
}

/**
 * The value of `given`'s type that `held` holds and that differs from `given`'s, when that type
 * is unique: the customer conflicts with the given identity. null when it does not.
 */
export function conflictingValue(held: readonly HeldIdentity[], given: RankedIdentity): string | null {
  if (!given.type.unique) return null;
  return held.find((h) => h.type === given.type.name && h.value !== given.value)?.value ?? null;
}

/**
 * identityFirst: the first customer found (walking `ordered`, the identities in priority order)
 * that conflicts with none of the identities of higher priority than the one it was found by.
 * `customerOf(i)` is the customer ordered[i] belongs to (or null); `heldBy(c)` what c holds.
 * Returns the target and the index it was found by, or null (a new customer is created).
 */
export function identityFirstTarget<C>(
  ordered: readonly RankedIdentity[],
  customerOf: (index: number) => C | null,
  heldBy: (customer: C) => readonly HeldIdentity[],
): { customer: C; foundBy: number } | null {
  const tried = new Set<C>();
  for (let i = 0; i < ordered.length; i++) {
    const customer = customerOf(i);
    if (customer === null || tried.has(customer)) continue;
    tried.add(customer);
    const held = heldBy(customer);
    if (ordered.slice(0, i).every((higher) => conflictingValue(held, higher) === null)) return { customer, foundBy: i };
  }
  return null;
}
