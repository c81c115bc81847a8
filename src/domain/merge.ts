// Merges (CONTRACT §5): a source customer folded into a target in one transaction, recorded in
// a MergeEvent whose details say exactly what moved, so that unmergeCustomer can undo it.
// The source is left as a tombstone (mergedIntoId = target, no identities) whose id still
// resolves to the survivor; chains of merges resolve to the final survivor.
import type { Customer, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { profileFields, type ProfileField } from './customer-fields.ts';
import { fillDisplayName } from './display-name.ts';
import { badInput, DomainError, notFound } from './errors.ts';
import { uniqueConflict } from './identity/rules.ts';
import { identityTypeRules, type IdentityTypeRule } from './identity-types.ts';
import { resolveCustomerIds } from './merge/tree.ts';
import { moveRelations, relianceTests, restoreRelations, unsafe, type RelationDetails } from './merge/relations.ts';
import { lockCustomers, lockLiveCustomers, retryingTransaction, StaleRead } from './transactions.ts';
import { reportChanges } from './changes.ts';

type Tx = Prisma.TransactionClient;
type Rules = Map<string, IdentityTypeRule>;
type FieldValue = string | number | null;

export const MAX_SOURCES_PER_MERGE = 50;

/** What one merge moved and filled: MergeEvent.details, read back by unmerge. */
export interface MergeDetails extends RelationDetails {
  version: 1;
  /** Empty target profile fields filled from the source: the value written and the one it replaced. */
  filled: { field: ProfileField; value: FieldValue; previous: FieldValue }[];
}

// Fields a merge never fills: they describe another field (moved with it) or the target's own state.
const companionOf: Partial<Record<ProfileField, ProfileField>> = { mobile: 'mobileVerified', email: 'emailVerified' };
const neverFilled = new Set<ProfileField>(['mobileVerified', 'emailVerified', 'editable']);

function isEmpty(field: ProfileField, value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (field === 'gender') return value === 0;
  if (field === 'deptCodeList') return value === '[]';
  return false;
}

/** Target fields that are empty and that the source has: filled from the source (with their companions). */
function fillsFrom(target: Customer, source: Customer): MergeDetails['filled'] {
  const filled: MergeDetails['filled'] = [];
  const t = target as unknown as Record<ProfileField, FieldValue>;
  const s = source as unknown as Record<ProfileField, FieldValue>;
  for (const field of profileFields) {
    if (neverFilled.has(field) || !isEmpty(field, t[field]) || isEmpty(field, s[field])) continue;
    filled.push({ field, value: s[field], previous: t[field] });
    const companion = companionOf[field];
    if (companion && s[companion] !== t[companion]) filled.push({ field: companion, value: s[companion], previous: t[companion] });
  }
  return filled;
}

const iso = (d: Date) => d.toISOString();

export interface MergeIntoInput {
  targetId: number;
  sourceId: number;
  reason: string;
  actor: string;
  rules: Rules;
  /** The input field named in a CONFLICT (e.g. "sourceIds[1]"). */
  field?: string;
}

/** Refuses a merge that would give one customer two values of a unique identity type. */
async function refuseUniqueConflict(tx: Tx, input: MergeIntoInput): Promise<void> {
  const { targetId, sourceId } = input;
  const [targetIdentities, sourceIdentities] = await Promise.all([
    tx.identity.findMany({ where: { customerId: targetId }, select: { type: true, value: true } }),
    tx.identity.findMany({ where: { customerId: sourceId }, select: { type: true, value: true } }),
  ]);
  const conflict = uniqueConflict(input.rules, sourceIdentities, targetIdentities);
  if (conflict) {
    throw new DomainError(
      'CONFLICT',
      `cannot merge customer ${sourceId} into customer ${targetId}: both hold a ${conflict} with different values, and a customer holds one ${conflict}`,
      [{ field: input.field ?? 'sourceIds', message: `uniqueness conflict on identity type ${conflict}` }],
    );
  }
}

/**
 * Folds one live source into one live target inside `tx`. The caller has locked both rows
 * (lockCustomers) and checked they are distinct and live. Refuses a uniqueness conflict with
 * CONFLICT naming the identity type. Every relation moves as merge/relations.ts says.
 */
export async function mergeInto(tx: Tx, input: MergeIntoInput): Promise<{ mergeEventId: number; details: MergeDetails }> {
  const { targetId, sourceId } = input;
  if (targetId === sourceId) throw badInput(input.field ?? 'sourceIds', `cannot merge customer ${sourceId} into itself`);
  const [target, source] = await Promise.all([
    tx.customer.findUniqueOrThrow({ where: { id: targetId } }),
    tx.customer.findUniqueOrThrow({ where: { id: sourceId } }),
  ]);
  await refuseUniqueConflict(tx, input);
  const filled = fillsFrom(target, source);
  const details: MergeDetails = { version: 1, ...(await moveRelations(tx, { sourceId, targetId })), filled };

  // Profile: fill the target's empty fields; the source keeps its own (it is needed to undo).
  if (filled.length) await tx.customer.update({ where: { id: targetId }, data: Object.fromEntries(filled.map((f) => [f.field, f.value])) });
  await tx.customer.update({ where: { id: sourceId }, data: { mergedIntoId: targetId } });
  const event = await tx.mergeEvent.create({
    data: { targetId, sourceId, reason: input.reason, actor: input.actor, details: JSON.stringify(details) },
    select: { id: true },
  });
  return { mergeEventId: event.id, details };
}

export interface MergeRequest {
  targetId: number;
  sourceIds: number[];
  reason?: string | null;
  actor: string;
}

export interface MergeOutcome {
  customerId: number;
  mergedCustomerIds: number[];
  mergeEventIds: number[];
}

/**
 * The manual merge: each source into the target, in order, all in one transaction. Ids of
 * merged customers resolve to their survivor. Refuses (and writes nothing) when a source is
 * the target, is unknown or deleted, or has a uniqueness conflict with the target.
 */
export async function mergeCustomers(prisma: PrismaClient, request: MergeRequest): Promise<MergeOutcome> {
  if (request.sourceIds.length === 0) throw badInput('sourceIds', 'at least one customer id is required');
  if (request.sourceIds.length > MAX_SOURCES_PER_MERGE) throw badInput('sourceIds', `at most ${MAX_SOURCES_PER_MERGE} customers a call`);
  const reason = request.reason?.trim() || 'manual merge';
  if (reason.length > 500) throw badInput('reason', 'must be at most 500 characters');
  request.sourceIds.forEach((id, i) => {
    if (id === request.targetId) throw badInput(`sourceIds[${i}]`, `cannot merge customer ${id} into itself`);
  });
  const rules = await identityTypeRules(prisma);

  return retryingTransaction(prisma, 'mergeCustomers', async (tx) => {
    const resolved = await resolveCustomerIds(tx, [request.targetId, ...request.sourceIds]);
    const target = resolved.get(request.targetId);
    if (target === null || target === undefined) throw notFound('customer', request.targetId, 'targetId');
    const sources: { id: number; field: string }[] = [];
    request.sourceIds.forEach((id, i) => {
      const live = resolved.get(id);
      const field = `sourceIds[${i}]`;
      if (live === null || live === undefined) throw notFound('customer', id, field);
      if (live === target) {
        throw new DomainError('CONFLICT', `customer ${id} is already merged into customer ${target}`, [
          { field, message: 'already merged into the target' },
        ]);
      }
      if (!sources.some((s) => s.id === live)) sources.push({ id: live, field });
    });
    await lockLiveCustomers(tx, [target, ...sources.map((s) => s.id)]);
    const mergeEventIds: number[] = [];
    for (const source of sources) {
      const { mergeEventId } = await mergeInto(tx, {
        targetId: target,
        sourceId: source.id,
        reason,
        actor: request.actor,
        rules,
        field: source.field,
      });
      mergeEventIds.push(mergeEventId);
    }
    await reportChanges(tx, { updated: [target], merged: [{ ids: sources.map((s) => s.id), into: target }] });
    return { customerId: target, mergedCustomerIds: sources.map((s) => s.id), mergeEventIds };
  });
}

export interface UnmergeOutcome {
  mergeEventId: number;
  /** The customer brought back. */
  customerId: number;
  /** The customer it had been merged into. */
  targetId: number;
  /** Filled profile fields left alone because the target changed them after the merge. */
  keptFields: string[];
}

/** The merge event, read again under the locks of its two customers, when undoing it is safe so far. */
async function lockedEvent(tx: Tx, mergeEventId: number) {
  const event = await tx.mergeEvent.findUnique({ where: { id: mergeEventId } });
  if (!event) throw notFound('merge event', mergeEventId, 'mergeEventId');
  const { targetId, sourceId } = event;
  const locked = await lockCustomers(tx, [targetId, sourceId]);
  // Read the event again under the locks: a concurrent undo of it has committed by now.
  const current = await tx.mergeEvent.findUniqueOrThrow({ where: { id: mergeEventId } });
  if (current.undoneAt)
    throw unsafe(`it was already undone (${iso(current.undoneAt)}${current.undoneBy ? ` by ${current.undoneBy}` : ''})`);
  const target = locked.get(targetId)!;
  const source = locked.get(sourceId)!;
  if (target.deletedAt) throw unsafe(`customer ${targetId} (the target) was deleted since`);
  if (target.mergedIntoId !== null) {
    throw unsafe(`customer ${targetId} (the target) was itself merged into customer ${target.mergedIntoId} since; undo that merge first`);
  }
  const later = await tx.mergeEvent.findFirst({
    where: { id: { gt: event.id }, undoneAt: null, OR: [{ sourceId }, { targetId: sourceId }] },
    orderBy: { id: 'asc' },
  });
  if (later) throw unsafe(`a later merge (event ${later.id}) involves customer ${sourceId}; undo it first`);
  if (source.mergedIntoId !== targetId || source.deletedAt)
    throw unsafe(`customer ${sourceId} is no longer a tombstone of customer ${targetId}`);
  return event;
}

/** Clears the filled fields back to what the target had, unless the target changed them since; returns those kept. */
async function unfill(tx: Tx, targetId: number, filled: MergeDetails['filled']): Promise<string[]> {
  const keptFields: string[] = [];
  if (filled.length === 0) return keptFields;
  const now = (await tx.customer.findUniqueOrThrow({ where: { id: targetId } })) as unknown as Record<string, FieldValue>;
  const restore: Record<string, FieldValue> = {};
  for (const f of filled) {
    if (now[f.field] === f.value) restore[f.field] = f.previous;
    else keptFields.push(f.field);
  }
  if (Object.keys(restore).length) {
    // A name the merge filled goes back to empty only if nothing else names the target now.
    await fillDisplayName(tx, await tx.customer.update({ where: { id: targetId }, data: restore }));
  }
  return keptFields;
}

/**
 * Undoes one merge: the source is live again, and gets back exactly what the merge moved
 * and what it dropped as duplicates, relation by relation (merge/relations.ts); the target's
 * filled fields are cleared. Refuses with CONFLICT when later changes make that unsafe.
 */
export async function unmergeCustomer(prisma: PrismaClient, mergeEventId: number, actor: string): Promise<UnmergeOutcome> {
  return retryingTransaction(prisma, 'unmergeCustomer', async (tx) => {
    const event = await lockedEvent(tx, mergeEventId);
    const { targetId, sourceId } = event;
    const details = JSON.parse(event.details) as MergeDetails;
    await refuseWhenLaterMergesRelyOnIt(tx, event.id, targetId, details);
    await restoreRelations(tx, details, { sourceId, targetId });
    const keptFields = await unfill(tx, targetId, details.filled);
    await tx.customer.update({ where: { id: sourceId }, data: { mergedIntoId: null } });
    const undone = await tx.mergeEvent.updateMany({
      where: { id: event.id, undoneAt: null },
      data: { undoneAt: new Date(), undoneBy: actor },
    });
    if (undone.count !== 1) throw new StaleRead(`merge event ${event.id} changed`);
    // The customer brought back is live again under its own id: CREATED, as if it were new.
    await reportChanges(tx, { created: [sourceId], updated: [targetId] });
    return { mergeEventId: event.id, customerId: sourceId, targetId, keptFields };
  });
}

/**
 * A later merge into the same target that dropped its own copy of something this merge brought
 * (a group membership, a friend, a follow link's user, an attribute, a tag), or whose source was
 * a friend this merge brought, relies on it: taking it back would lose that customer's data.
 */
async function refuseWhenLaterMergesRelyOnIt(tx: Tx, eventId: number, targetId: number, details: MergeDetails): Promise<void> {
  const later = await tx.mergeEvent.findMany({ where: { id: { gt: eventId }, targetId, undoneAt: null }, orderBy: { id: 'asc' } });
  if (later.length === 0) return;
  const tests = await relianceTests(tx, details);
  for (const event of later) {
    const laterDetails = JSON.parse(event.details) as Partial<MergeDetails>;
    const relied = tests.find(({ test }) => test(laterDetails, event.sourceId));
    if (relied) {
      throw unsafe(
        `a later merge into customer ${targetId} (event ${event.id}) relies on ${relied.label} this merge brought; undo it first`,
      );
    }
  }
}
