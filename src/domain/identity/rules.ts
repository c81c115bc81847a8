// The pure rules of identity resolution (CONTRACT §5, seed 001 根据身份列表创建客户), in one place:
// createCustomerByIdentity and its dry run (resolution.ts), the edu roster (through resolution.ts),
// createCustomer (customers.ts), merges (merge/) and the bulk import engine (imports/) all apply
// these, so that they cannot drift apart. No database here: what the lookup found is passed in.

/** What the rules need to know of an identity type. */
export interface TypeRule {
  name: string;
  unique: boolean;
  priority: number;
}

/** An identity a customer holds. */
export interface HeldIdentity {
  type: string;
  value: string;
}

/** A given identity, its value normalised, with its type's rule. */
export interface GivenIdentity {
  type: Pick<TypeRule, 'name' | 'unique'>;
  value: string;
}

/** A given identity of createCustomerByIdentity: where it was in identityList and in the priority order. */
export interface RankedGiven {
  /** Index in identityList. */
  listIndex: number;
  /** Position in the priority order, 0 first. */
  rank: number;
  type: TypeRule;
  value: string;
}

export const IDENTITY_PRIORITY_STRATEGIES = ['system', 'custom'] as const;
export type IdentityPriorityStrategy = (typeof IDENTITY_PRIORITY_STRATEGIES)[number];
/** seed 001 targetCustomerStrategy, plus nothing else: `custom` is a priority strategy, not a target one. */
export const TARGET_CUSTOMER_STRATEGIES = ['identityFirst', 'customerFirst'] as const;
export type TargetCustomerStrategy = (typeof TARGET_CUSTOMER_STRATEGIES)[number];

export const identityKey = (type: string, value: string) => `${type}\u0000${value}`;

// ---------------------------------------------------------------------------------------------
// A list of identities: repeats and one value per unique type

export interface DedupedIdentities<I> {
  /** The identities kept, in the order given. */
  kept: I[];
  /** Input positions of repeated (type, value) pairs and the position they repeat: counted once. */
  repeats: { index: number; sameAs: number }[];
  /** Input positions giving a second value of a unique type, and the position of the first. */
  clashes: { index: number; earlier: number }[];
}

/**
 * A repeated (type, value) counts once; a second, different value of a unique type is a clash
 * (a customer holds one value of it). `list` holds normalised values.
 */
export function dedupeIdentities<I extends GivenIdentity>(list: readonly I[]): DedupedIdentities<I> {
  const kept: I[] = [];
  const repeats: DedupedIdentities<I>['repeats'] = [];
  const clashes: DedupedIdentities<I>['clashes'] = [];
  const byKey = new Map<string, number>();
  const firstOfUniqueType = new Map<string, number>();
  list.forEach((identity, index) => {
    const key = identityKey(identity.type.name, identity.value);
    const sameAs = byKey.get(key);
    if (sameAs !== undefined) return void repeats.push({ index, sameAs });
    const earlier = firstOfUniqueType.get(identity.type.name);
    if (identity.type.unique && earlier !== undefined) return void clashes.push({ index, earlier });
    byKey.set(key, index);
    if (identity.type.unique) firstOfUniqueType.set(identity.type.name, index);
    kept.push(identity);
  });
  return { kept, repeats, clashes };
}

/**
 * identityPriorityStrategy: system orders by the configured priority of the types (lower
 * first, ties in the order given); custom keeps the order given.
 */
export function orderByPriority<I extends { type: { priority: number } }>(list: readonly I[], strategy: IdentityPriorityStrategy): I[] {
  // Array.prototype.sort is stable: ties keep the order given.
  return strategy === 'system' ? [...list].sort((a, b) => a.type.priority - b.type.priority) : [...list];
}

// ---------------------------------------------------------------------------------------------
// Conflicts

/**
 * The value of `given`'s type that `held` holds and that differs from `given`'s, when that type
 * is unique: the customer conflicts with the given identity. null when it does not.
 */
export function conflictingValue(held: readonly HeldIdentity[], given: GivenIdentity): string | null {
  if (!given.type.unique) return null;
  return held.find((h) => h.type === given.type.name && h.value !== given.value)?.value ?? null;
}

/**
 * The first unique identity type (in priority order) that both sets hold with different
 * values: one customer holding both would hold two values of it. null when they can merge.
 * A type missing from `rules` is not unique here (only configured types are stored).
 */
export function uniqueConflict(
  rules: ReadonlyMap<string, Pick<TypeRule, 'unique' | 'priority'>>,
  a: readonly HeldIdentity[],
  b: readonly HeldIdentity[],
): string | null {
  const inB = new Map<string, Set<string>>();
  for (const { type, value } of b) inB.set(type, (inB.get(type) ?? new Set()).add(value));
  const clashes = new Set<string>();
  for (const { type, value } of a) {
    const values = inB.get(type);
    if (rules.get(type)?.unique && values && (values.size > 1 || !values.has(value))) clashes.add(type);
  }
  if (clashes.size === 0) return null;
  return [...clashes].sort((x, y) => rules.get(x)!.priority - rules.get(y)!.priority || x.localeCompare(y))[0];
}

// ---------------------------------------------------------------------------------------------
// The target customer

export interface TargetCandidate<C> {
  customer: C;
  /** Index in `ordered` of the identity that found it (the first one that did). */
  foundBy: number;
  chosen: boolean;
  /** identityFirst: the identities of higher priority it conflicts with, and the value it holds instead. */
  clashes: { index: number; heldValue: string }[];
}

export interface TargetChoice<C> {
  /** null: a new customer is created as the target. */
  target: C | null;
  foundBy: number | null;
  /** The customers tried, in order, up to and including the one chosen. */
  candidates: TargetCandidate<C>[];
}

/** Each customer found, with the index (in `ordered`) of the first identity that found it. */
export function customersFound<C>(
  ordered: readonly unknown[],
  customerOf: (index: number) => C | null,
): { customer: C; foundBy: number }[] {
  const found = new Map<C, number>();
  ordered.forEach((_, i) => {
    const customer = customerOf(i);
    if (customer !== null && !found.has(customer)) found.set(customer, i);
  });
  return [...found].map(([customer, foundBy]) => ({ customer, foundBy }));
}

/**
 * targetCustomerStrategy over `ordered` (the identities in priority order):
 * - customerFirst: the first customer found;
 * - identityFirst: the first customer found that conflicts with none of the identities of
 *   higher priority than the one it was found by.
 * No customer: null (a new one is created). `customerOf(i)` is the live customer ordered[i]
 * belongs to, `heldBy(c)` what c holds.
 */
export function chooseTarget<C>(
  ordered: readonly GivenIdentity[],
  strategy: TargetCustomerStrategy,
  customerOf: (index: number) => C | null,
  heldBy: (customer: C) => readonly HeldIdentity[],
): TargetChoice<C> {
  const candidates: TargetCandidate<C>[] = [];
  for (const { customer, foundBy } of customersFound(ordered, customerOf)) {
    const held = heldBy(customer);
    const clashes =
      strategy === 'customerFirst'
        ? []
        : ordered.slice(0, foundBy).flatMap((higher, index) => {
            const heldValue = conflictingValue(held, higher);
            return heldValue === null ? [] : [{ index, heldValue }];
          });
    const chosen = clashes.length === 0;
    candidates.push({ customer, foundBy, chosen, clashes });
    if (chosen) return { target: customer, foundBy, candidates };
  }
  return { target: null, foundBy: null, candidates };
}

// ---------------------------------------------------------------------------------------------
// Attaching and merging

export type AttachDecision<C> =
  { attach: true } | { attach: false; ownedBy: C; heldValue?: undefined } | { attach: false; ownedBy?: undefined; heldValue: string };

/**
 * A given identity is attached to the target when it belongs to no customer and does not
 * conflict with what the target holds. `owner` is the live customer holding it, or null.
 */
export function attachDecision<C>(given: GivenIdentity, owner: C | null, targetHeld: readonly HeldIdentity[]): AttachDecision<C> {
  if (owner !== null) return { attach: false, ownedBy: owner };
  const heldValue = conflictingValue(targetHeld, given);
  return heldValue === null ? { attach: true } : { attach: false, heldValue };
}

export interface MergeDecision<C> {
  customer: C;
  foundBy: number;
  merge: boolean;
  /** Why not: autoMerge is off, or a unique type both hold with different values. */
  refusal: null | 'autoMerge' | { type: string; heldValue: string; targetValue: string };
}

/**
 * autoMerge: every other customer found is merged into the target, in the order found,
 * unless the result would hold two values of a unique type. `targetHeld` is what the target
 * holds with the identities attached to it; it grows with each merge.
 */
export function mergeDecisions<C>(
  found: readonly { customer: C; foundBy: number }[],
  target: C | null,
  autoMerge: boolean,
  rules: ReadonlyMap<string, Pick<TypeRule, 'unique' | 'priority'>>,
  heldBy: (customer: C) => readonly HeldIdentity[],
  targetHeld: readonly HeldIdentity[],
): MergeDecision<C>[] {
  const merged: HeldIdentity[] = [...targetHeld];
  return found
    .filter((f) => f.customer !== target)
    .map(({ customer, foundBy }) => {
      if (!autoMerge) return { customer, foundBy, merge: false, refusal: 'autoMerge' as const };
      const other = heldBy(customer);
      const type = uniqueConflict(rules, other, merged);
      if (type) {
        const heldValue = other.find((h) => h.type === type)!.value;
        const targetValue = merged.find((h) => h.type === type)!.value;
        return { customer, foundBy, merge: false, refusal: { type, heldValue, targetValue } };
      }
      merged.push(...other);
      return { customer, foundBy, merge: true, refusal: null };
    });
}

// ---------------------------------------------------------------------------------------------
// Appending identities to the customer a row matches (seed 004 identityType)

export interface AppendMatch<C> {
  /** The customer the identities find, or null (none does: a new customer holds them all). */
  target: C | null;
  /**
   * Identities that cannot be added to the target: held by another customer, or a second value
   * of a unique type the target already holds. Any problem makes the row an error.
   */
  problems: ({ index: number; ownedBy: C; heldValue?: undefined } | { index: number; ownedBy?: undefined; heldValue: string })[];
}

/**
 * Seed 004 (若企业需要对现有客户追加一个身份类型): a row matches the customer any of its identities
 * belongs to (the first found, in the row's order), and its other identities are appended to
 * that customer. An identity held by another customer, or a different value of a unique type
 * the target holds, would break uniqueness: a problem, never a second customer.
 */
export function matchToAppend<C>(
  identities: readonly GivenIdentity[],
  customerOf: (index: number) => C | null,
  heldBy: (customer: C) => readonly HeldIdentity[],
): AppendMatch<C> {
  const found = customersFound(identities, customerOf);
  if (found.length === 0) return { target: null, problems: [] };
  const target = found[0].customer;
  const held = heldBy(target);
  const problems: AppendMatch<C>['problems'] = [];
  identities.forEach((given, index) => {
    const decision = attachDecision(given, customerOf(index), held);
    if (decision.attach) return;
    if (decision.heldValue !== undefined) problems.push({ index, heldValue: decision.heldValue });
    else if (decision.ownedBy !== target) problems.push({ index, ownedBy: decision.ownedBy });
  });
  return { target, problems };
}

// ---------------------------------------------------------------------------------------------
// The whole plan

export interface ResolutionPlanInput<G extends GivenIdentity> {
  /** The given identities, deduplicated and in priority order. */
  ordered: readonly G[];
  targetStrategy: TargetCustomerStrategy;
  autoMerge: boolean;
  rules: ReadonlyMap<string, Pick<TypeRule, 'unique' | 'priority'>>;
  /** The live customer ordered[i] belongs to, or null (unknown, or left on a deleted customer). */
  customerOf: (index: number) => number | null;
  /** What each customer found holds. */
  heldBy: (customer: number) => readonly HeldIdentity[];
}

export interface ResolutionPlan {
  choice: TargetChoice<number>;
  /** Per identity of `ordered`, whether it is attached to the target. */
  attachments: AttachDecision<number>[];
  merges: MergeDecision<number>[];
}

/** The decision of createCustomerByIdentity, from what the lookup found. */
export function planResolution<G extends GivenIdentity>(input: ResolutionPlanInput<G>): ResolutionPlan {
  const { ordered, customerOf, heldBy } = input;
  const choice = chooseTarget(ordered, input.targetStrategy, customerOf, heldBy);
  const targetHeld: HeldIdentity[] = choice.target === null ? [] : [...heldBy(choice.target)];
  const attachments = ordered.map((given, i) => attachDecision(given, customerOf(i), targetHeld));
  ordered.forEach((given, i) => {
    if (attachments[i].attach) targetHeld.push({ type: given.type.name, value: given.value });
  });
  const merges = mergeDecisions(customersFound(ordered, customerOf), choice.target, input.autoMerge, input.rules, heldBy, targetHeld);
  return { choice, attachments, merges };
}
