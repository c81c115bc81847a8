// Identity resolution (seed 001 根据身份列表创建客户): createCustomerByIdentity, the target
// query customerIdByIdentityList and the dry run explainResolution. Rules live in
// src/domain/resolution.ts.
import { builder } from '../builder.ts';
import { actorOf } from '../context.ts';
import type {
  ConflictStage,
  ExplainedAttachment,
  ExplainedCandidate,
  ExplainedConflict,
  ExplainedIdentity,
  ExplainedMerge,
  Explanation,
} from '../domain/identity/explain.ts';
import { IDENTITY_PRIORITY_STRATEGIES, TARGET_CUSTOMER_STRATEGIES } from '../domain/identity/rules.ts';
import {
  createCustomerByIdentity,
  customerIdByIdentityList,
  explainResolution,
  type ResolutionInput,
  type ResolutionResult,
} from '../domain/resolution.ts';
import { parseOptionalObjectId } from './ids.ts';
import { IdentityInput } from './identity.ts';
import { profileInputFields } from './profile-fields.ts';

export const IdentityPriorityStrategy = builder.enumType('IdentityPriorityStrategy', {
  description: 'How the given identities are ordered (seed 001 identityPriorityStrategy).',
  values: {
    system: { description: 'By the configured priority of their types (IdentityType.priority, lower first).' },
    custom: { description: 'In the order given.' },
  } satisfies Record<(typeof IDENTITY_PRIORITY_STRATEGIES)[number], unknown>,
});

export const TargetCustomerStrategy = builder.enumType('TargetCustomerStrategy', {
  description: 'How the target customer is chosen (seed 001 targetCustomerStrategy).',
  values: {
    identityFirst: {
      description:
        'The first customer found (in priority order) that conflicts with none of the given identities ordered before the one it was found by.',
    },
    customerFirst: { description: 'The first customer found (in priority order).' },
  } satisfies Record<(typeof TARGET_CUSTOMER_STRATEGIES)[number], unknown>,
});

const ExtendAttrInput = builder.inputType('ExtendAttrInput', {
  description: 'An extended attribute (seed 001 extendAttrList); an attribute key not defined yet is defined as text.',
  fields: (t) => ({
    attrKey: t.string({ required: true }),
    attrName: t.string({ required: false }),
    attrValue: t.string({ required: false, description: 'null or empty: left as it is.' }),
  }),
});

const CreateCustomerByIdentityInput = builder.inputType('CreateCustomerByIdentityInput', {
  description:
    'The seed 001 createCustomerByIdentity body. Profile fields sit at the top level; only those with a value are written onto the target (omitted, null, empty text and gender 0 leave the target’s value).',
  fields: (t) => ({
    identityList: t.field({ type: [IdentityInput], required: true }),
    identityPriorityStrategy: t.field({ type: IdentityPriorityStrategy, required: false, defaultValue: 'system' }),
    targetCustomerStrategy: t.field({ type: TargetCustomerStrategy, required: false, defaultValue: 'identityFirst' }),
    autoMerge: t.boolean({ required: false, defaultValue: false }),
    extendAttrList: t.field({ type: [ExtendAttrInput], required: false }),
    groupId: t.id({ required: false, description: 'Put the target in this group (global id or number; it must exist).' }),
    userIdList: t.stringList({ required: false, description: 'These users follow the target (UserCustomer links; existing links stay).' }),
    ...profileInputFields(t),
  }),
});

/** The flat GraphQL input as the domain takes it: the profile fields apart. */
function toResolutionInput(input: typeof CreateCustomerByIdentityInput.$inferInput): ResolutionInput {
  const { identityList, identityPriorityStrategy, targetCustomerStrategy, autoMerge, extendAttrList, groupId, userIdList, ...profile } =
    input;
  return {
    identityList,
    identityPriorityStrategy,
    targetCustomerStrategy,
    autoMerge,
    extendAttrList,
    groupId: parseOptionalObjectId('Group', groupId, 'groupId'),
    userIdList,
    profile,
  };
}

const CreateCustomerByIdentityPayload = builder.objectRef<ResolutionResult>('CreateCustomerByIdentityPayload').implement({
  description: '`customer` needs the read scope.',
  fields: (t) => ({
    customerId: t.exposeInt('customerId', { description: 'The target customer.' }),
    created: t.exposeBoolean('created', { description: 'True when no customer fitted and the target was created.' }),
    mergedCustomerIds: t.exposeIntList('mergedCustomerIds', { description: 'Customers merged into the target (autoMerge).' }),
    mergeEventIds: t.exposeIntList('mergeEventIds'),
  }),
});

builder.objectField(CreateCustomerByIdentityPayload, 'customer', (t) =>
  t.prismaField({
    type: 'Customer',
    nullable: true,
    resolve: (query, payload, _args, ctx) => ctx.prisma.customer.findUnique({ ...query, where: { id: payload.customerId } }),
  }),
);

const ConflictStageEnum = builder.enumType('ResolutionConflictStage', {
  values: {
    TARGET: { description: 'identityFirst passed a customer over: it holds another value of a higher-priority given identity.' },
    ATTACH: { description: 'A free given identity was not attached: the target holds another value of its type.' },
    MERGE: { description: 'A customer found was not merged: it and the target hold different values of a unique type.' },
  } satisfies Record<ConflictStage, unknown>,
});

const ResolutionIdentity = builder.objectRef<ExplainedIdentity>('ResolutionIdentity').implement({
  description: 'A given identity, normalised, at its place in the priority order, and what its lookup found.',
  fields: (t) => ({
    rank: t.exposeInt('rank', { description: 'Position in the priority order, 0 first.' }),
    listIndex: t.exposeInt('listIndex', { description: 'Index in identityList.' }),
    identityType: t.exposeString('identityType'),
    identityValue: t.exposeString('identityValue', { description: 'Normalised.' }),
    priority: t.exposeInt('priority', { description: 'The type’s configured priority.' }),
    unique: t.exposeBoolean('unique'),
    customerId: t.exposeInt('customerId', { nullable: true, description: 'The live customer it belongs to; null for none.' }),
    reason: t.exposeString('reason'),
  }),
});

const ResolutionDuplicate = builder.objectRef<Explanation['duplicates'][number]>('ResolutionDuplicate').implement({
  fields: (t) => ({
    listIndex: t.exposeInt('listIndex'),
    sameAsListIndex: t.exposeInt('sameAsListIndex'),
    reason: t.exposeString('reason'),
  }),
});

const ResolutionCandidate = builder.objectRef<ExplainedCandidate>('ResolutionCandidate').implement({
  description: 'A customer considered as the target, in order.',
  fields: (t) => ({
    customerId: t.exposeInt('customerId'),
    foundByListIndex: t.exposeInt('foundByListIndex'),
    chosen: t.exposeBoolean('chosen'),
    reason: t.exposeString('reason'),
  }),
});

const ResolutionConflict = builder.objectRef<ExplainedConflict>('ResolutionConflict').implement({
  fields: (t) => ({
    stage: t.field({ type: ConflictStageEnum, resolve: (c) => c.stage }),
    customerId: t.exposeInt('customerId'),
    identityType: t.exposeString('identityType'),
    givenValue: t.exposeString('givenValue', { nullable: true }),
    heldValue: t.exposeString('heldValue', { description: 'The value the customer holds.' }),
    reason: t.exposeString('reason'),
  }),
});

const ResolutionAttachment = builder.objectRef<ExplainedAttachment>('ResolutionAttachment').implement({
  fields: (t) => ({
    listIndex: t.exposeInt('listIndex'),
    identityType: t.exposeString('identityType'),
    identityValue: t.exposeString('identityValue'),
    attach: t.exposeBoolean('attach', { description: 'True when it would be attached to the target.' }),
    reason: t.exposeString('reason'),
  }),
});

const ResolutionMerge = builder.objectRef<ExplainedMerge>('ResolutionMerge').implement({
  fields: (t) => ({
    customerId: t.exposeInt('customerId'),
    merge: t.exposeBoolean('merge', { description: 'True when it would be merged into the target.' }),
    conflictingType: t.exposeString('conflictingType', { nullable: true }),
    reason: t.exposeString('reason'),
  }),
});

const ResolutionExplanation = builder.objectRef<Explanation>('ResolutionExplanation').implement({
  description: 'What createCustomerByIdentity would do with this input now, step by step. Nothing is written.',
  fields: (t) => ({
    identityPriorityStrategy: t.field({ type: IdentityPriorityStrategy, resolve: (e) => e.identityPriorityStrategy }),
    targetCustomerStrategy: t.field({ type: TargetCustomerStrategy, resolve: (e) => e.targetCustomerStrategy }),
    autoMerge: t.exposeBoolean('autoMerge'),
    identities: t.field({ type: [ResolutionIdentity], resolve: (e) => e.identities }),
    duplicates: t.field({ type: [ResolutionDuplicate], resolve: (e) => e.duplicates }),
    candidates: t.field({ type: [ResolutionCandidate], resolve: (e) => e.candidates }),
    conflicts: t.field({ type: [ResolutionConflict], resolve: (e) => e.conflicts }),
    targetCustomerId: t.exposeInt('targetCustomerId', { nullable: true, description: 'null when a new customer would be created.' }),
    wouldCreate: t.exposeBoolean('wouldCreate'),
    targetReason: t.exposeString('targetReason'),
    attachments: t.field({ type: [ResolutionAttachment], resolve: (e) => e.attachments }),
    merges: t.field({ type: [ResolutionMerge], resolve: (e) => e.merges }),
    profileFields: t.exposeStringList('profileFields', { description: 'Profile fields that would be written onto the target.' }),
    extendAttrKeys: t.exposeStringList('extendAttrKeys'),
    groupId: t.exposeInt('groupId', { nullable: true }),
    userIds: t.exposeStringList('userIds'),
    steps: t.exposeStringList('steps', { description: 'The whole reasoning, in order, in words.' }),
  }),
});

builder.objectField(ResolutionExplanation, 'targetCustomer', (t) =>
  t.prismaField({
    type: 'Customer',
    nullable: true,
    resolve: (query, e, _args, ctx) =>
      e.targetCustomerId === null ? null : ctx.prisma.customer.findUnique({ ...query, where: { id: e.targetCustomerId } }),
  }),
);

builder.queryFields((t) => ({
  customerIdByIdentityList: t.int({
    nullable: true,
    authScopes: { read: true },
    description: 'The target createCustomerByIdentity would pick for these identities; null when it would create one. Writes nothing.',
    args: {
      identityList: t.arg({ type: [IdentityInput], required: true }),
      identityPriorityStrategy: t.arg({ type: IdentityPriorityStrategy, required: false, defaultValue: 'system' }),
      targetCustomerStrategy: t.arg({ type: TargetCustomerStrategy, required: false, defaultValue: 'identityFirst' }),
    },
    resolve: (_root, args, ctx) => customerIdByIdentityList(ctx.prisma, args),
  }),
  explainResolution: t.field({
    type: ResolutionExplanation,
    authScopes: { read: true },
    description:
      'A dry run of createCustomerByIdentity: the ordered identities, lookups, conflicts, target, attachments and merges, each with its reason.',
    args: { input: t.arg({ type: CreateCustomerByIdentityInput, required: true }) },
    resolve: (_root, args, ctx) => explainResolution(ctx.prisma, toResolutionInput(args.input)),
  }),
}));

builder.mutationField('createCustomerByIdentity', (t) =>
  t.field({
    type: CreateCustomerByIdentityPayload,
    authScopes: { write: true },
    description:
      'Finds or creates the customer these identities point at (seed 001 根据身份列表创建客户): attaches the free identities, merges the other customers found when autoMerge, and writes the given fields onto it. One transaction.',
    args: { input: t.arg({ type: CreateCustomerByIdentityInput, required: true }) },
    resolve: (_root, args, ctx) => createCustomerByIdentity(ctx.prisma, toResolutionInput(args.input), actorOf(ctx)),
  }),
);
