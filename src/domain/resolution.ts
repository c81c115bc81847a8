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
import { fillDisplayName } from './display-name.ts';
import { DomainError, invalidInput, type FieldIssue } from './errors.ts';
import { addMembers, requireGroup } from './groups.ts';
import { explainPlan, type Explanation } from './identity/explain.ts';
import { findHolders, foundCustomers, heldIdentities, lockHolders, type Holder } from './identity/resolve.ts';
import {
  dedupeIdentities,
  IDENTITY_PRIORITY_STRATEGIES,
  orderByPriority,
  planResolution,
  TARGET_CUSTOMER_STRATEGIES,
  type IdentityPriorityStrategy,
  type RankedGiven,
  type TargetCustomerStrategy,
} from './identity/rules.ts';
import { identityTypeRules, normalizeIdentity, type IdentityRef, type IdentityTypeRule } from './identity-types.ts';
import { mergeInto } from './merge.ts';
import { retryingTransaction, StaleRead } from './transactions.ts';
import { issuesOf } from './validation.ts';
import { reportChanges } from './changes.ts';

type Tx = Prisma.TransactionClient;
type Db = PrismaClient | Tx;
type Rules = Map<string, IdentityTypeRule>;

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

type Given = RankedGiven;

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

/** Identities: normalised; a repeated (type, value) counts once; two values of a unique type are refused. */
function parseIdentities(rules: Rules, input: ResolutionInput, priorityStrategy: IdentityPriorityStrategy, issues: FieldIssue[]) {
  const list = Array.isArray(input.identityList) ? input.identityList : [];
  if (!Array.isArray(input.identityList)) issues.push({ field: 'identityList', message: 'is required' });
  else if (list.length === 0) issues.push({ field: 'identityList', message: 'at least one identity is required' });
  else if (list.length > MAX_IDENTITIES) issues.push({ field: 'identityList', message: `at most ${MAX_IDENTITIES} identities` });
  const normalised: Omit<Given, 'rank'>[] = [];
  list.slice(0, MAX_IDENTITIES).forEach((ref, listIndex) => {
    try {
      normalised.push({ listIndex, ...normalizeIdentity(rules, ref ?? ({} as IdentityRef), `identityList[${listIndex}]`) });
    } catch (error) {
      if (error instanceof DomainError) return void issues.push(...error.issues);
      throw error;
    }
  });
  const { kept, repeats, clashes } = dedupeIdentities(normalised);
  for (const { index, earlier } of clashes) {
    const { listIndex, type } = normalised[index];
    const message = `a customer holds one ${type.name}; identityList[${normalised[earlier].listIndex}] already gives a different ${type.name}`;
    issues.push({ field: `identityList[${listIndex}]`, message });
  }
  const duplicates = repeats.map((r) => ({ listIndex: normalised[r.index].listIndex, sameAs: normalised[r.sameAs].listIndex }));
  const ordered = orderByPriority(kept, priorityStrategy).map((g, rank) => ({ ...g, rank }));
  return { ordered, duplicates };
}

/** Extended attributes, grouped by key (several entries of one key suit a multi-valued attribute). */
function parseAttributes(input: ResolutionInput, issues: FieldIssue[]): Request['attributes'] {
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
  return [...attributes.values()];
}

/** Follow links: user ids as text, each once. */
function parseUserIds(input: ResolutionInput, issues: FieldIssue[]): string[] {
  const userIds: string[] = [];
  const rawUserIds = Array.isArray(input.userIdList) ? input.userIdList : [];
  if (rawUserIds.length > MAX_USER_IDS) issues.push({ field: 'userIdList', message: `at most ${MAX_USER_IDS} user ids` });
  rawUserIds.slice(0, MAX_USER_IDS).forEach((raw, i) => {
    const parsedId = userIdSchema.safeParse(typeof raw === 'number' ? String(raw) : raw);
    if (!parsedId.success) issues.push({ field: `userIdList[${i}]`, message: parsedId.error.issues[0].message });
    else if (!userIds.includes(parsedId.data)) userIds.push(parsedId.data);
  });
  return userIds;
}

/** Checks everything that needs no database; BAD_INPUT naming every bad field. */
function parseRequest(rules: Rules, input: ResolutionInput): Request {
  const issues: FieldIssue[] = [];
  const priorityStrategy = strategyOf(
    IDENTITY_PRIORITY_STRATEGIES,
    input.identityPriorityStrategy,
    'system',
    'identityPriorityStrategy',
    issues,
  );
  const targetStrategy = strategyOf(
    TARGET_CUSTOMER_STRATEGIES,
    input.targetCustomerStrategy,
    'identityFirst',
    'targetCustomerStrategy',
    issues,
  );
  if (input.autoMerge !== null && input.autoMerge !== undefined && typeof input.autoMerge !== 'boolean') {
    issues.push({ field: 'autoMerge', message: 'must be true or false' });
  }
  const { ordered, duplicates } = parseIdentities(rules, input, priorityStrategy, issues);

  // Profile fields: validated with the shared schema; only those with a value are written.
  const parsed = profileSchema.safeParse(input.profile ?? {});
  let fields: ProfileInput = {};
  if (!parsed.success) issues.push(...issuesOf(parsed.error));
  // gender 0 means unknown: it never overwrites a known gender.
  else fields = Object.fromEntries(Object.entries(parsed.data).filter(([k, v]) => hasValue(v) && !(k === 'gender' && v === 0)));
  const attributes = parseAttributes(input, issues);

  let groupId: number | null = null;
  if (input.groupId !== null && input.groupId !== undefined) {
    if (!Number.isInteger(input.groupId) || input.groupId <= 0) issues.push({ field: 'groupId', message: 'must be a positive integer' });
    else groupId = input.groupId;
  }
  const userIds = parseUserIds(input, issues);

  if (issues.length) throw invalidInput(issues);
  return {
    ordered,
    duplicates,
    priorityStrategy,
    targetStrategy,
    autoMerge: input.autoMerge === true,
    fields,
    attributes,
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
      issues.push({
        field: `extendAttrList[${attr.entries[1].listIndex}].attrKey`,
        message: `${attr.key} holds one value; it is given more than once`,
      });
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
// Decision

interface Plan {
  target: number | null;
  attach: { given: Given; holder?: Holder }[];
  merges: { customerId: number; foundBy: Given }[];
  explanation: Explanation;
}

/** Applies the rules of CONTRACT §5 (identity/rules.ts) to what the lookup found. Reads the identities the found customers hold. */
async function decide(db: Db, rules: Rules, request: Request, holders: Map<number, Holder>): Promise<Plan> {
  const held = await heldIdentities(db, foundCustomers(holders));
  const plan = planResolution({
    ordered: request.ordered,
    targetStrategy: request.targetStrategy,
    autoMerge: request.autoMerge,
    rules,
    customerOf: (i) => holders.get(request.ordered[i].rank)?.customerId ?? null,
    heldBy: (customer) => held.get(customer)!,
  });
  const explained = {
    ...request,
    profileFields: Object.keys(request.fields),
    extendAttrKeys: request.attributes.map((a) => a.key),
  };
  return {
    target: plan.choice.target,
    attach: request.ordered.filter((g, i) => plan.attachments[i].attach).map((given) => ({ given, holder: holders.get(given.rank) })),
    merges: plan.merges.filter((m) => m.merge).map((m) => ({ customerId: m.customer, foundBy: request.ordered[m.foundBy] })),
    explanation: explainPlan(explained, holders, plan),
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
  const holders = await lockHolders(tx, request.ordered);
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
    const { count } = await tx.identity.updateMany({
      where: { id: holder.identityId, customerId: holder.holderId },
      data: { customerId: target },
    });
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
    const data = toColumns(request.fields);
    await fillDisplayName(tx, await tx.customer.update({ where: { id: target }, data }));
  }
  for (const attr of request.attributes) {
    const definition = definitions.get(attr.key) ?? (await definitionForKey(tx, attr.key, attr.name));
    await replaceValues(
      tx,
      target,
      definition,
      attr.entries.map((e) => e.value),
    );
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
  const request = parseRequest(rules, {
    identityList: input.identityList,
    identityPriorityStrategy: input.identityPriorityStrategy,
    targetCustomerStrategy: input.targetCustomerStrategy,
  });
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
