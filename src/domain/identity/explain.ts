// The dry run's reasons (explainResolution): built from a plan of identity/rules.ts after the
// decision, never interleaved with it, so the text cannot change what is decided.
import type { IdentityPriorityStrategy, RankedGiven, ResolutionPlan, TargetCustomerStrategy } from './rules.ts';
import type { Holder } from './resolve.ts';

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

/** What was asked, as the explanation reports it. */
export interface ExplainedRequest {
  ordered: RankedGiven[];
  duplicates: { listIndex: number; sameAs: number }[];
  priorityStrategy: IdentityPriorityStrategy;
  targetStrategy: TargetCustomerStrategy;
  autoMerge: boolean;
  profileFields: string[];
  extendAttrKeys: string[];
  groupId: number | null;
  userIds: string[];
}

const show = (g: Pick<RankedGiven, 'type' | 'value'>) => `${g.type.name} "${g.value}"`;

function explainIdentity(g: RankedGiven, h: Holder | undefined): ExplainedIdentity {
  let reason: string;
  if (!h) reason = 'belongs to no customer';
  else if (h.customerId === null) reason = `stored on customer ${h.holderId}, which is deleted: free to take`;
  else if (h.customerId !== h.holderId) reason = `stored on customer ${h.holderId}, a tombstone that resolves to customer ${h.customerId}`;
  else reason = `belongs to customer ${h.customerId}`;
  const { rank, listIndex, value } = g;
  return {
    rank,
    listIndex,
    identityType: g.type.name,
    identityValue: value,
    priority: g.type.priority,
    unique: g.type.unique,
    customerId: h?.customerId ?? null,
    reason,
  };
}

function explainTarget(request: ExplainedRequest, plan: ResolutionPlan, conflicts: ExplainedConflict[]) {
  const { ordered } = request;
  const candidates: ExplainedCandidate[] = plan.choice.candidates.map(({ customer, foundBy, chosen, clashes }) => {
    const g = ordered[foundBy];
    const higher = ordered.slice(0, foundBy);
    let reason: string;
    if (request.targetStrategy === 'customerFirst')
      reason = `customerFirst: customer ${customer} is the first customer found (by ${show(g)}).`;
    else if (chosen && higher.length) {
      reason = `identityFirst: customer ${customer} (found by ${show(g)}) conflicts with none of the identities of higher priority (${higher.map(show).join(', ')}).`;
    } else if (chosen)
      reason = `identityFirst: customer ${customer} is found by ${show(g)}, the identity of highest priority that belongs to a customer.`;
    else {
      const why = clashes.map(
        ({ index, heldValue }) => `it holds ${ordered[index].type.name} "${heldValue}", not ${show(ordered[index])} of higher priority`,
      );
      reason = `identityFirst: customer ${customer} (found by ${show(g)}) is passed over: ${why.join('; ')}.`;
      for (const { index, heldValue } of clashes) {
        conflicts.push({
          stage: 'TARGET',
          customerId: customer,
          identityType: ordered[index].type.name,
          givenValue: ordered[index].value,
          heldValue,
          reason,
        });
      }
    }
    return { customerId: customer, foundByListIndex: g.listIndex, chosen, reason };
  });
  let targetReason = candidates.find((c) => c.chosen)?.reason ?? '';
  if (plan.choice.target === null) {
    targetReason =
      candidates.length === 0
        ? 'No given identity belongs to a customer: a new customer is created as the target.'
        : 'Every customer found conflicts with an identity of higher priority than the one it was found by: a new customer is created as the target.';
  }
  return { candidates, targetReason };
}

function explainAttachments(request: ExplainedRequest, plan: ResolutionPlan, conflicts: ExplainedConflict[]): ExplainedAttachment[] {
  const target = plan.choice.target;
  return request.ordered.map((g, i) => {
    const decision = plan.attachments[i];
    const base = { listIndex: g.listIndex, identityType: g.type.name, identityValue: g.value };
    if (decision.attach) return { ...base, attach: true, reason: 'belongs to no customer and does not conflict with the target: attached' };
    if (decision.ownedBy !== undefined) {
      const reason =
        decision.ownedBy === target ? 'already belongs to the target' : `belongs to customer ${decision.ownedBy}, not to the target`;
      return { ...base, attach: false, reason };
    }
    const reason = `not attached: the target (customer ${target}) holds ${g.type.name} "${decision.heldValue}"`;
    conflicts.push({
      stage: 'ATTACH',
      customerId: target!,
      identityType: g.type.name,
      givenValue: g.value,
      heldValue: decision.heldValue,
      reason,
    });
    return { ...base, attach: false, reason };
  });
}

function explainMerges(request: ExplainedRequest, plan: ResolutionPlan, conflicts: ExplainedConflict[]): ExplainedMerge[] {
  return plan.merges.map(({ customer, foundBy, merge, refusal }) => {
    if (merge) {
      const reason = `customer ${customer} (found by ${show(request.ordered[foundBy])}) is merged into the target: no uniqueness conflict`;
      return { customerId: customer, merge, conflictingType: null, reason };
    }
    if (refusal === 'autoMerge' || refusal === null) {
      return { customerId: customer, merge, conflictingType: null, reason: `customer ${customer} is not merged: autoMerge is false` };
    }
    const { type, heldValue, targetValue } = refusal;
    const reason = `customer ${customer} is not merged: it holds ${type} "${heldValue}" and the target holds ${type} "${targetValue}"`;
    conflicts.push({ stage: 'MERGE', customerId: customer, identityType: type, givenValue: null, heldValue, reason });
    return { customerId: customer, merge, conflictingType: type, reason };
  });
}

function writesStep(request: ExplainedRequest): string | null {
  const writes = [
    request.profileFields.length ? `profile fields ${request.profileFields.join(', ')}` : '',
    request.extendAttrKeys.length ? `extended attributes ${request.extendAttrKeys.join(', ')}` : '',
    request.groupId !== null ? `membership of group ${request.groupId}` : '',
    request.userIds.length ? `follow links of users ${request.userIds.join(', ')}` : '',
  ].filter(Boolean);
  return writes.length ? `Written onto the target: ${writes.join('; ')}.` : null;
}

/** The reasons for each step of `plan`, decided from `holders` (by rank) for `request`. */
export function explainPlan(request: ExplainedRequest, holders: ReadonlyMap<number, Holder>, plan: ResolutionPlan): Explanation {
  const conflicts: ExplainedConflict[] = [];
  const strategyText =
    request.priorityStrategy === 'system' ? 'system priority (configured, lower first)' : 'custom priority (the order given)';
  const identities = request.ordered.map((g) => explainIdentity(g, holders.get(g.rank)));
  const { candidates, targetReason } = explainTarget(request, plan, conflicts);
  const attachments = explainAttachments(request, plan, conflicts);
  const merges = explainMerges(request, plan, conflicts);
  const steps = [
    `Identities ordered by ${strategyText}: ${request.ordered.map(show).join(', ')}.`,
    ...request.duplicates.map((d) => `identityList[${d.listIndex}] repeats identityList[${d.sameAs}] and counts once.`),
    ...identities.map((e) => `Lookup ${e.identityType} "${e.identityValue}": ${e.reason}.`),
    ...candidates.map((c) => c.reason),
    ...(plan.choice.target === null ? [targetReason] : []),
    ...attachments.map((a) => `${a.identityType} "${a.identityValue}": ${a.reason}.`),
    ...merges.map((m) => `${m.reason}.`),
    ...[writesStep(request)].filter((s): s is string => s !== null),
  ];
  return {
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
    targetCustomerId: plan.choice.target,
    wouldCreate: plan.choice.target === null,
    targetReason,
    attachments,
    merges,
    profileFields: request.profileFields,
    extendAttrKeys: request.extendAttrKeys,
    groupId: request.groupId,
    userIds: request.userIds,
    steps,
  };
}
