// Identity resolution (CONTRACT §5, seed 001 根据身份列表创建客户): a list of identities
// resolved to one target customer, found or created, with the unclaimed identities attached,
// other customers optionally merged into it, and the given fields written onto it.
//
// One decision procedure (decide) serves the mutation, the read-only target query and the
// dry-run explanation, so the three cannot disagree.
import { z } from 'zod';
import type { AttributeDefinition, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { attributeKey, checkValue, definitionForKey, replaceValues } from './attributes.ts';
import { profileFields, profileSchema, toColumns, type ProfileInput } from './customer-fields.ts';
import { resolveCustomerIds } from './customers.ts';
import { DomainError, invalidInput, type FieldIssue } from './errors.ts';
import { addMembers, requireGroup } from './groups.ts';
import { conflictingValue } from './identity-matching.ts';
import { identityTypeRules, normalizeIdentity, type IdentityRef, type IdentityTypeRule } from './identity-types.ts';
import { mergeInto, uniqueConflict, type HeldIdentity } from './merge.ts';
import { lockLiveCustomers, retryingTransaction, StaleRead } from './transactions.ts';
import { issuesOf } from './validation.ts';
import { reportChanges } from './changes.ts';

type Tx = Prisma.TransactionClient;
type Db = PrismaClient | Tx;
type Rules = Map<string, IdentityTypeRule>;

export const IDENTITY_PRIORITY_STRATEGIES = ['system', 'custom'] as const;
export type IdentityPriorityStrategy = (typeof IDENTITY_PRIORITY_STRATEGIES)[number];
export const TARGET_CUSTOMER_STRATEGIES = ['identityFirst', 'customerFirst'] as const;
export type TargetCustomerStrategy = (typeof TARGET_CUSTOMER_STRATEGIES)[number];

export const MAX_IDENTITIES = 100;
export const MAX_EXTEND_ATTRS = 200;
export const MAX_USER_IDS = 500;

export interface ExtendAttr {
  attrKey: string;
  attrName?: string | null;
  attrValue?: string | null;
}

export interface ResolutionInput {
  identityList: IdentityRef[];
  identityPriorityStrategy?: IdentityPriorityStrategy | null;
  targetCustomerStrategy?: TargetCustomerStrategy | null;
  autoMerge?: boolean | null;
  /** Profile fields (seed 001 names). Only fields with a value are written. */
  profile?: ProfileInput | Record<string, unknown> | null;
  extendAttrList?: ExtendAttr[] | null;
  groupId?: number | null;
  userIdList?: string[] | null;
}

/** One given identity, normalised, at its place in the priority order. */
interface Given {
  /** Index in identityList. */
  listIndex: number;
  /** Position in the priority order, 0 first. */
  rank: number;
  type: IdentityTypeRule;
  value: string;
}

interface Request {
  ordered: Given[];
  duplicates: { listIndex: number; sameAs: number }[];
  priorityStrategy: IdentityPriorityStrategy;
  targetStrategy: TargetCustomerStrategy;
  autoMerge: boolean;
  /** Validated profile fields that carry a value. */
  fields: ProfileInput;
  attributes: { key: string; name?: string; entries: { listIndex: number; value: string }[] }[];
  groupId: number | null;
  userIds: string[];
}

// ---------------------------------------------------------------------------------------------
// Input

const strategyOf = <T extends string>(allowed: readonly T[], value: unknown, fallback: T, field: string, issues: FieldIssue[]): T => {
  if (value === null || value === undefined) return fallback;
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  issues.push({ field, message: `must be one of ${allowed.join(', ')}` });
  return fallback;
};

function hasValue(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

const userIdSchema = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');
const attrValueSchema = z.string().max(2000, 'must be at most 2000 characters');

/** Checks everything that needs no database; BAD_INPUT naming every bad field. */
function parseRequest(rules: Rules, input: ResolutionInput): Request {
  const issues: FieldIssue[] = [];
  const priorityStrategy = strategyOf(IDENTITY_PRIORITY_STRATEGIES, input.identityPriorityStrategy, 'system', 'identityPriorityStrategy', issues);
  const targetStrategy = strategyOf(TARGET_CUSTOMER_STRATEGIES, input.targetCustomerStrategy, 'identityFirst', 'targetCustomerStrategy', issues);
  if (input.autoMerge !== null && input.autoMerge !== undefined && typeof input.autoMerge !== 'boolean') {
    issues.push({ field: 'autoMerge', message: 'must be true or false' });
  }

  // Identities: normalised; a repeated (type, value) counts once; two values of a unique type are refused.
  const list = Array.isArray(input.identityList) ? input.identityList : [];
  if (!Array.isArray(input.identityList)) issues.push({ field: 'identityList', message: 'is required' });
  else if (list.length === 0) issues.push({ field: 'identityList', message: 'at least one identity is required' });
  else if (list.length > MAX_IDENTITIES) issues.push({ field: 'identityList', message: `at most ${MAX_IDENTITIES} identities` });
  const given: Omit<Given, 'rank'>[] = [];
  const duplicates: Request['duplicates'] = [];
  const byKey = new Map<string, number>();
  const uniqueValue = new Map<string, { value: string; listIndex: number }>();
  list.slice(0, MAX_IDENTITIES).forEach((ref, listIndex) => {
    const field = `identityList[${listIndex}]`;
    let normalised: { type: IdentityTypeRule; value: string };
    try {
      normalised = normalizeIdentity(rules, ref ?? ({} as IdentityRef), field);
    } catch (error) {
      if (error instanceof DomainError) return void issues.push(...error.issues);
      throw error;
    }
    const { type, value } = normalised;
    const key = `${type.name}\u0000${value}`;
    if (byKey.has(key)) return void duplicates.push({ listIndex, sameAs: byKey.get(key)! });
    const earlier = uniqueValue.get(type.name);
    if (type.unique && earlier) {
      return void issues.push({
        field,
        message: `a customer holds one ${type.name}; identityList[${earlier.listIndex}] already gives a different ${type.name}`,
      });
    }
    byKey.set(key, listIndex);
    if (type.unique) uniqueValue.set(type.name, { value, listIndex });
    given.push({ listIndex, type, value });
  });
  // system: configured priority (lower first), ties in the order given; custom: the order given.
  const sorted = priorityStrategy === 'system' ? [...given].sort((a, b) => a.type.priority - b.type.priority || a.listIndex - b.listIndex) : given;
  const ordered = sorted.map((g, rank) => ({ ...g, rank }));

  // Profile fields: validated with the shared schema; only those with a value are written.
  const parsed = profileSchema.safeParse(input.profile ?? {});
  let fields: ProfileInput = {};
  if (!parsed.success) issues.push(...issuesOf(parsed.error));
  // gender 0 means unknown: it never overwrites a known gender.
  else fields = Object.fromEntries(Object.entries(parsed.data).filter(([k, v]) => hasValue(v) && !(k === 'gender' && v === 0))) as ProfileInput;

  // Extended attributes, grouped by key (several entries of one key suit a multi-valued attribute).
  const attrs = Array.isArray(input.extendAttrList) ? input.extendAttrList : [];
  if (attrs.length > MAX_EXTEND_ATTRS) issues.push({ field: 'extendAttrList', message: `at most ${MAX_EXTEND_ATTRS} attributes` });
  const attributes = new Map<string, Request['attributes'][number]>();
  attrs.slice(0, MAX_EXTEND_ATTRS).forEach((attr, i) => {
    const field = `extendAttrList[${i}]`;
    const key = attributeKey.safeParse(attr?.attrKey);
    if (!key.success) return void issues.push({ field: `${field}.attrKey`, message: key.error.issues[0].message });
    if ((profileFields as string[]).includes(key.data)) {
      return void issues.push({ field: `${field}.attrKey`, message: `"${key.data}" is a profile field; give it at the top level` });
    }
    if (attr.attrName !== null && attr.attrName !== undefined && (typeof attr.attrName !== 'string' || attr.attrName.length > 100)) {
      issues.push({ field: `${field}.attrName`, message: 'must be text of at most 100 characters' });
    }
    if (!hasValue(attr.attrValue)) return; // nothing to write
    const value = attrValueSchema.safeParse(typeof attr.attrValue === 'number' ? String(attr.attrValue) : attr.attrValue);
    if (!value.success) return void issues.push({ field: `${field}.attrValue`, message: value.error.issues[0].message });
    const entry = attributes.get(key.data) ?? { key: key.data, name: attr.attrName?.trim() || undefined, entries: [] };
    entry.entries.push({ listIndex: i, value: value.data });
    attributes.set(key.data, entry);
  });

  let groupId: number | null = null;
  if (input.groupId !== null && input.groupId !== undefined) {
    if (!Number.isInteger(input.groupId) || input.groupId <= 0) issues.push({ field: 'groupId', message: 'must be a positive integer' });
    else groupId = input.groupId;
  }

  const userIds: string[] = [];
  const rawUserIds = Array.isArray(input.userIdList) ? input.userIdList : [];
  if (rawUserIds.length > MAX_USER_IDS) issues.push({ field: 'userIdList', message: `at most ${MAX_USER_IDS} user ids` });
  rawUserIds.slice(0, MAX_USER_IDS).forEach((raw, i) => {
    const parsedId = userIdSchema.safeParse(typeof raw === 'number' ? String(raw) : raw);
    if (!parsedId.success) issues.push({ field: `userIdList[${i}]`, message: parsedId.error.issues[0].message });
    else if (!userIds.includes(parsedId.data)) userIds.push(parsedId.data);
  });

  if (issues.length) throw invalidInput(issues);
  return {
    ordered,
    duplicates,
    priorityStrategy,
    targetStrategy,
    autoMerge: input.autoMerge === true,
    fields,
    attributes: [...attributes.values()],
    groupId,
    userIds,
  };
}

/** Checks what needs the database (the group exists, attribute values fit their definitions). */
async function checkReferences(db: Db, request: Request): Promise<Map<string, AttributeDefinition>> {
  if (request.groupId !== null) await requireGroup(db, request.groupId, 'groupId');
  const definitions = new Map<string, AttributeDefinition>();
  if (request.attributes.length === 0) return definitions;
  const rows = await db.attributeDefinition.findMany({ where: { key: { in: request.attributes.map((a) => a.key) } } });
  for (const row of rows) definitions.set(row.key, row);
  const issues: FieldIssue[] = [];
  for (const attr of request.attributes) {
    const definition = definitions.get(attr.key) ?? { key: attr.key, valueType: 'STRING', multiple: false };
    if (!definition.multiple && attr.entries.length > 1) {
      issues.push({ field: `extendAttrList[${attr.entries[1].listIndex}].attrKey`, message: `${attr.key} holds one value; it is given more than once` });
    }
    for (const entry of attr.entries) {
      try {
        entry.value = checkValue(definition, entry.value, `extendAttrList[${entry.listIndex}].attrValue`);
      } catch (error) {
        if (error instanceof DomainError) issues.push(...error.issues);
        else throw error;
      }
    }
  }
  if (issues.length) throw invalidInput(issues);
  return definitions;
}

// ---------------------------------------------------------------------------------------------
// Lookup

interface Holder {
  /** The Identity row, when the value is stored. */
  identityId: number;
  /** The customer the row names (a tombstone or a deleted customer in odd data). */
  holderId: number;
  /** The live customer it resolves to, or null when it resolves to none (the row is free to take). */
  customerId: number | null;
}

/** The holder of each given identity: one query for all of them, one more per merge hop. */
async function findHolders(db: Db, ordered: Given[]): Promise<Map<number, Holder>> {
  const holders = new Map<number, Holder>();
  if (ordered.length === 0) return holders;
  const rows = await db.identity.findMany({
    where: { OR: ordered.map((g) => ({ type: g.type.name, value: g.value })) },
    select: { id: true, type: true, value: true, customerId: true },
  });
  const resolved = await resolveCustomerIds(db, rows.map((r) => r.customerId));
  const byKey = new Map(rows.map((r) => [`${r.type}\u0000${r.value}`, r]));
  for (const g of ordered) {
    const row = byKey.get(`${g.type.name}\u0000${g.value}`);
    if (row) holders.set(g.rank, { identityId: row.id, holderId: row.customerId, customerId: resolved.get(row.customerId) ?? null });
  }
  return holders;
}

function foundCustomers(holders: Map<number, Holder>): number[] {
  return [...new Set([...holders.values()].map((h) => h.customerId).filter((id): id is number => id !== null))].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Decision

export interface ExplainedIdentity {
  rank: number;
  listIndex: number;
  identityType: string;
  identityValue: string;
  priority: number;
  unique: boolean;
  /** The live customer this identity belongs to, or null. */
  customerId: number | null;
  reason: string;
}

export type ConflictStage = 'TARGET' | 'ATTACH' | 'MERGE';

export interface ExplainedConflict {
  stage: ConflictStage;
  customerId: number;
  identityType: string;
  /** The given value (TARGET, ATTACH); null for a merge conflict between two customers. */
  givenValue: string | null;
  /** The value the customer holds. */
  heldValue: string;
  reason: string;
}

export interface ExplainedCandidate {
  customerId: number;
  foundByListIndex: number;
  chosen: boolean;
  reason: string;
}

export interface ExplainedAttachment {
  listIndex: number;
  identityType: string;
  identityValue: string;
  attach: boolean;
  reason: string;
}

export interface ExplainedMerge {
  customerId: number;
  merge: boolean;
  conflictingType: string | null;
  reason: string;
}

export interface Explanation {
  identityPriorityStrategy: IdentityPriorityStrategy;
  targetCustomerStrategy: TargetCustomerStrategy;
  autoMerge: boolean;
  identities: ExplainedIdentity[];
  duplicates: { listIndex: number; sameAsListIndex: number; reason: string }[];
  candidates: ExplainedCandidate[];
  conflicts: ExplainedConflict[];
  targetCustomerId: number | null;
  wouldCreate: boolean;
  targetReason: string;
  attachments: ExplainedAttachment[];
  merges: ExplainedMerge[];
  profileFields: string[];
  extendAttrKeys: string[];
  groupId: number | null;
  userIds: string[];
  steps: string[];
}

interface Plan {
  target: number | null;
  attach: { given: Given; holder?: Holder }[];
  merges: { customerId: number; foundBy: Given }[];
  explanation: Explanation;
}

const show = (g: Pick<Given, 'type' | 'value'>) => `${g.type.name} "${g.value}"`;

/** Applies the rules of CONTRACT §5 to what the lookup found. Reads the identities the found customers hold. */
async function decide(db: Db, rules: Rules, request: Request, holders: Map<number, Holder>): Promise<Plan> {
  const found = foundCustomers(holders);
  const heldRows = found.length
    ? await db.identity.findMany({ where: { customerId: { in: found } }, select: { type: true, value: true, customerId: true }, orderBy: { id: 'asc' } })
    : [];
  const held = new Map<number, HeldIdentity[]>(found.map((id) => [id, []]));
  for (const row of heldRows) held.get(row.customerId)!.push({ type: row.type, value: row.value });

  /** The value of g's type that `identities` hold and that differs from g's, when g's type is unique. */
  const conflictOf = (identities: HeldIdentity[], g: Given): string | null => conflictingValue(identities, g);

  const steps: string[] = [];
  const conflicts: ExplainedConflict[] = [];
  const strategyText = request.priorityStrategy === 'system' ? 'system priority (configured, lower first)' : 'custom priority (the order given)';
  steps.push(`Identities ordered by ${strategyText}: ${request.ordered.map(show).join(', ')}.`);
  for (const d of request.duplicates) steps.push(`identityList[${d.listIndex}] repeats identityList[${d.sameAs}] and counts once.`);

  const identities: ExplainedIdentity[] = request.ordered.map((g) => {
    const h = holders.get(g.rank);
    let reason: string;
    if (!h) reason = 'belongs to no customer';
    else if (h.customerId === null) reason = `stored on customer ${h.holderId}, which is deleted: free to take`;
    else if (h.customerId !== h.holderId) reason = `stored on customer ${h.holderId}, a tombstone that resolves to customer ${h.customerId}`;
    else reason = `belongs to customer ${h.customerId}`;
    steps.push(`Lookup ${show(g)}: ${reason}.`);
    return {
      rank: g.rank,
      listIndex: g.listIndex,
      identityType: g.type.name,
      identityValue: g.value,
      priority: g.type.priority,
      unique: g.type.unique,
      customerId: h?.customerId ?? null,
      reason,
    };
  });

  // Target.
  const candidates: ExplainedCandidate[] = [];
  const firstFoundBy = new Map<number, Given>();
  for (const g of request.ordered) {
    const id = holders.get(g.rank)?.customerId;
    if (id !== null && id !== undefined && !firstFoundBy.has(id)) firstFoundBy.set(id, g);
  }
  let target: number | null = null;
  let targetReason = '';
  for (const [customerId, g] of firstFoundBy) {
    if (request.targetStrategy === 'customerFirst') {
      target = customerId;
      targetReason = `customerFirst: customer ${customerId} is the first customer found (by ${show(g)}).`;
      candidates.push({ customerId, foundByListIndex: g.listIndex, chosen: true, reason: targetReason });
      break;
    }
    const higher = request.ordered.slice(0, g.rank);
    const clashes = higher.flatMap((h) => {
      const heldValue = conflictOf(held.get(customerId)!, h);
      return heldValue === null ? [] : [{ h, heldValue }];
    });
    if (clashes.length === 0) {
      target = customerId;
      targetReason = higher.length
        ? `identityFirst: customer ${customerId} (found by ${show(g)}) conflicts with none of the identities of higher priority (${higher.map(show).join(', ')}).`
        : `identityFirst: customer ${customerId} is found by ${show(g)}, the identity of highest priority that belongs to a customer.`;
      candidates.push({ customerId, foundByListIndex: g.listIndex, chosen: true, reason: targetReason });
      break;
    }
    const reason = `identityFirst: customer ${customerId} (found by ${show(g)}) is passed over: ${clashes
      .map(({ h, heldValue }) => `it holds ${h.type.name} "${heldValue}", not ${show(h)} of higher priority`)
      .join('; ')}.`;
    candidates.push({ customerId, foundByListIndex: g.listIndex, chosen: false, reason });
    for (const { h, heldValue } of clashes) {
      conflicts.push({ stage: 'TARGET', customerId, identityType: h.type.name, givenValue: h.value, heldValue, reason });
    }
  }
  for (const c of candidates) steps.push(c.reason);
  if (target === null) {
    targetReason =
      firstFoundBy.size === 0
        ? 'No given identity belongs to a customer: a new customer is created as the target.'
        : 'Every customer found conflicts with an identity of higher priority than the one it was found by: a new customer is created as the target.';
    steps.push(targetReason);
  }

  // Attach: identities that belong to no customer and do not conflict with the target.
  const targetHeld: HeldIdentity[] = target === null ? [] : [...held.get(target)!];
  const attach: Plan['attach'] = [];
  const attachments: ExplainedAttachment[] = request.ordered.map((g) => {
    const h = holders.get(g.rank);
    const base = { listIndex: g.listIndex, identityType: g.type.name, identityValue: g.value };
    if (h?.customerId !== null && h?.customerId !== undefined) {
      const reason = h.customerId === target ? 'already belongs to the target' : `belongs to customer ${h.customerId}, not to the target`;
      return { ...base, attach: false, reason };
    }
    const heldValue = target === null ? null : conflictOf(targetHeld, g);
    if (heldValue !== null) {
      const reason = `not attached: the target (customer ${target}) holds ${g.type.name} "${heldValue}"`;
      conflicts.push({ stage: 'ATTACH', customerId: target!, identityType: g.type.name, givenValue: g.value, heldValue, reason });
      return { ...base, attach: false, reason };
    }
    attach.push({ given: g, holder: h });
    return { ...base, attach: true, reason: 'belongs to no customer and does not conflict with the target: attached' };
  });
  for (const a of attachments) steps.push(`${a.identityType} "${a.identityValue}": ${a.reason}.`);
  for (const a of attach) targetHeld.push({ type: a.given.type.name, value: a.given.value });

  // Merges: every other customer found, into the target, unless the result would hold two values of a unique type.
  const merges: Plan['merges'] = [];
  const explainedMerges: ExplainedMerge[] = [];
  for (const [customerId, g] of firstFoundBy) {
    if (customerId === target) continue;
    if (!request.autoMerge) {
      explainedMerges.push({ customerId, merge: false, conflictingType: null, reason: `customer ${customerId} is not merged: autoMerge is false` });
      continue;
    }
    const other = held.get(customerId)!;
    const type = uniqueConflict(rules, other, targetHeld);
    if (type) {
      const heldValue = other.find((h) => h.type === type)!.value;
      const targetValue = targetHeld.find((h) => h.type === type)!.value;
      const reason = `customer ${customerId} is not merged: it holds ${type} "${heldValue}" and the target holds ${type} "${targetValue}"`;
      conflicts.push({ stage: 'MERGE', customerId, identityType: type, givenValue: null, heldValue, reason });
      explainedMerges.push({ customerId, merge: false, conflictingType: type, reason });
      continue;
    }
    merges.push({ customerId, foundBy: g });
    targetHeld.push(...other);
    explainedMerges.push({
      customerId,
      merge: true,
      conflictingType: null,
      reason: `customer ${customerId} (found by ${show(g)}) is merged into the target: no uniqueness conflict`,
    });
  }
  for (const m of explainedMerges) steps.push(`${m.reason}.`);

  const writes = [
    Object.keys(request.fields).length ? `profile fields ${Object.keys(request.fields).join(', ')}` : '',
    request.attributes.length ? `extended attributes ${request.attributes.map((a) => a.key).join(', ')}` : '',
    request.groupId !== null ? `membership of group ${request.groupId}` : '',
    request.userIds.length ? `follow links of users ${request.userIds.join(', ')}` : '',
  ].filter(Boolean);
  if (writes.length) steps.push(`Written onto the target: ${writes.join('; ')}.`);

  return {
    target,
    attach,
    merges,
    explanation: {
      identityPriorityStrategy: request.priorityStrategy,
      targetCustomerStrategy: request.targetStrategy,
      autoMerge: request.autoMerge,
      identities,
      duplicates: request.duplicates.map((d) => ({
        listIndex: d.listIndex,
        sameAsListIndex: d.sameAs,
        reason: `repeats identityList[${d.sameAs}] once normalised: counted once`,
      })),
      candidates,
      conflicts,
      targetCustomerId: target,
      wouldCreate: target === null,
      targetReason,
      attachments,
      merges: explainedMerges,
      profileFields: Object.keys(request.fields),
      extendAttrKeys: request.attributes.map((a) => a.key),
      groupId: request.groupId,
      userIds: request.userIds,
      steps,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Operations

export interface ResolutionResult {
  customerId: number;
  created: boolean;
  mergedCustomerIds: number[];
  mergeEventIds: number[];
}

/**
 * createCustomerByIdentity: finds or creates the target, attaches the free identities, merges
 * (autoMerge) and writes the given fields, all in one transaction. Concurrent calls are safe
 * across processes: the customers found are locked (FOR UPDATE, id order) and looked up again;
 * a lost race (a unique violation on Identity(type, value), a customer merged meanwhile, a
 * deadlock) rolls the transaction back and runs it again, at most five times.
 */
export async function createCustomerByIdentity(prisma: PrismaClient, input: ResolutionInput, actor: string): Promise<ResolutionResult> {
  const rules = await identityTypeRules(prisma);
  const request = parseRequest(rules, input);
  return retryingTransaction(prisma, 'createCustomerByIdentity', async (tx) => {
    const result = await resolveParsed(tx, rules, request, actor);
    const merged = result.mergedCustomerIds.length ? [{ ids: result.mergedCustomerIds, into: result.customerId }] : [];
    await reportChanges(tx, { [result.created ? 'created' : 'updated']: [result.customerId], merged });
    return result;
  });
}

/**
 * createCustomerByIdentity inside a transaction the caller owns (e.g. an all-or-nothing bulk
 * import). `rules` come from identityTypeRules(prisma), read before the transaction. A lost race
 * surfaces as a unique violation or a StaleRead: run the caller's transaction through
 * retryingTransaction to have it retried.
 */
export async function resolveInTransaction(tx: Tx, rules: Rules, input: ResolutionInput, actor: string): Promise<ResolutionResult> {
  return resolveParsed(tx, rules, parseRequest(rules, input), actor);
}

async function resolveParsed(tx: Tx, rules: Rules, request: Request, actor: string): Promise<ResolutionResult> {
  const definitions = await checkReferences(tx, request);
  // Lock the customers the identities point at, then look again: what moved meanwhile retries.
  const seen = foundCustomers(await findHolders(tx, request.ordered));
  await lockLiveCustomers(tx, seen);
  const holders = await findHolders(tx, request.ordered);
  const found = foundCustomers(holders);
  if (found.length !== seen.length || found.some((id, i) => id !== seen[i])) throw new StaleRead('identities moved');
  const plan = await decide(tx, rules, request, holders);
  return apply(tx, rules, request, plan, definitions, actor);
}

async function apply(
  tx: Tx,
  rules: Rules,
  request: Request,
  plan: Plan,
  definitions: Map<string, AttributeDefinition>,
  actor: string,
): Promise<ResolutionResult> {
  let target = plan.target;
  const created = target === null;
  if (target === null) target = (await tx.customer.create({ data: {}, select: { id: true } })).id;

  // New identity rows, in (type, value) order so that racing transactions wait on the same first row.
  const fresh = plan.attach
    .filter((a) => !a.holder)
    .map((a) => ({ type: a.given.type.name, value: a.given.value, customerId: target }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.value.localeCompare(b.value));
  if (fresh.length) await tx.identity.createMany({ data: fresh });
  for (const { holder } of plan.attach) {
    if (!holder) continue;
    // A row left on a deleted customer: taken over, unless someone else took it meanwhile.
    const { count } = await tx.identity.updateMany({ where: { id: holder.identityId, customerId: holder.holderId }, data: { customerId: target } });
    if (count !== 1) throw new StaleRead(`identity ${holder.identityId} moved`);
  }

  const mergeEventIds: number[] = [];
  for (const m of plan.merges) {
    const { mergeEventId } = await mergeInto(tx, {
      targetId: target,
      sourceId: m.customerId,
      reason: `createCustomerByIdentity autoMerge: customer ${m.customerId} was found by its ${m.foundBy.type.name}`,
      actor,
      rules,
    });
    mergeEventIds.push(mergeEventId);
  }

  if (Object.keys(request.fields).length) {
    await tx.customer.update({ where: { id: target }, data: toColumns(request.fields) as Prisma.CustomerUpdateInput });
  }
  for (const attr of request.attributes) {
    const definition = definitions.get(attr.key) ?? (await definitionForKey(tx, attr.key, attr.name));
    await replaceValues(tx, target, definition, attr.entries.map((e) => e.value));
  }
  if (request.groupId !== null) await addMembers(tx, request.groupId, [target]);
  if (request.userIds.length) {
    await tx.userCustomer.createMany({ data: request.userIds.map((userId) => ({ userId, customerId: target })), skipDuplicates: true });
  }
  return { customerId: target, created, mergedCustomerIds: plan.merges.map((m) => m.customerId), mergeEventIds };
}

/**
 * The target the rules would pick for these identities, or null when createCustomerByIdentity
 * would create one. Writes nothing.
 */
export async function customerIdByIdentityList(
  prisma: PrismaClient,
  input: Pick<ResolutionInput, 'identityList' | 'identityPriorityStrategy' | 'targetCustomerStrategy'>,
): Promise<number | null> {
  const rules = await identityTypeRules(prisma);
  const request = parseRequest(rules, { identityList: input.identityList, identityPriorityStrategy: input.identityPriorityStrategy, targetCustomerStrategy: input.targetCustomerStrategy });
  const plan = await decide(prisma, rules, request, await findHolders(prisma, request.ordered));
  return plan.target;
}

/**
 * A dry run of createCustomerByIdentity: the same validation and the same decision, computed
 * from the current data without writing anything, with a reason for each step.
 */
export async function explainResolution(prisma: PrismaClient, input: ResolutionInput): Promise<Explanation> {
  const rules = await identityTypeRules(prisma);
  const request = parseRequest(rules, input);
  await checkReferences(prisma, request);
  const plan = await decide(prisma, rules, request, await findHolders(prisma, request.ordered));
  return plan.explanation;
}
