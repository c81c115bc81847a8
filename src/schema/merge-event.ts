// MergeEvent: one merge (who, when, why, what moved), the manual merge and its undo.
// Rules live in src/domain/merge.ts.
import { builder } from '../builder.ts';
import { actorOf } from '../context.ts';
import { mergeCustomers, unmergeCustomer } from '../domain/merge.ts';
import { mergeTree } from '../domain/merge/tree.ts';
import { nodeIntId } from '../domain/visibility.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { parseCustomerId, parseObjectId } from './ids.ts';

export const MergeEvent = builder.prismaNode('MergeEvent', {
  description: 'One merge: `source` was folded into `target`. `details` lists what moved, for unmergeCustomer.',
  authScopes: { read: true },
  id: { field: 'id' },
  findUnique: (id) => ({ id: nodeIntId(id) }),
  nullable: true,
  fields: (t) => ({
    mergeEventId: t.exposeInt('id', { description: 'The number of `id`; unmergeCustomer takes either.' }),
    targetId: t.exposeInt('targetId'),
    sourceId: t.exposeInt('sourceId', {
      description: 'The merged customer. While the merge stands it is a tombstone, and customer(id) answers with the survivor.',
    }),
    target: t.relation('target', {
      nullable: true,
      description: 'The customer merged into; null once it is no longer live (merged on, deleted, erased).',
    }),
    source: t.relation('source', {
      nullable: true,
      description:
        'The merged customer: null while the merge stands (a tombstone is not a visible customer; customer(sourceId) answers the survivor).',
    }),
    reason: t.exposeString('reason'),
    actor: t.exposeString('actor', { nullable: true, description: 'Who merged: the calling app.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    undoneAt: t.expose('undoneAt', { type: 'DateTime', nullable: true }),
    undoneBy: t.exposeString('undoneBy', { nullable: true }),
    details: t.field({
      type: 'JSON',
      description:
        'What moved (identities, groups, friends, userLinks, attributes, tags: moved and dropped as duplicates) and which target fields were filled.',
      select: { details: true },
      resolve: (event) => JSON.parse(event.details) as unknown,
    }),
  }),
});

builder.queryField('mergeEvents', (t) =>
  t.prismaConnection(
    {
      type: 'MergeEvent',
      cursor: 'id',
      authScopes: { read: true },
      description:
        'Merge events, newest first. With `customerId`: the merges that formed that customer (it, or any customer whose merges end at it, as target or source).',
      args: { customerId: t.arg.id({ required: false }) },
      resolve: async (query, _root, args, ctx) =>
        ctx.prisma.mergeEvent.findMany({ ...query, where: await mergeEventWhere(ctx.prisma, args.customerId), orderBy: { id: 'desc' } }),
      totalCount: async (_parent, args, ctx) => ctx.prisma.mergeEvent.count({ where: await mergeEventWhere(ctx.prisma, args.customerId) }),
    },
    {},
  ),
);

async function mergeEventWhere(
  prisma: Parameters<typeof mergeTree>[0],
  customerId: string | null | undefined,
): Promise<Prisma.MergeEventWhereInput> {
  if (customerId === null || customerId === undefined) return {};
  const ids = await mergeTree(prisma, parseCustomerId(customerId, 'customerId'));
  return { OR: [{ targetId: { in: ids } }, { sourceId: { in: ids } }] };
}

const MergeCustomersPayload = builder
  .objectRef<{ customerId: number; mergedCustomerIds: number[]; mergeEventIds: number[] }>('MergeCustomersPayload')
  .implement({
    description: '`customer` and `mergeEvents` need the read scope.',
    fields: (t) => ({
      customerId: t.exposeInt('customerId', { description: 'The survivor.' }),
      mergedCustomerIds: t.exposeIntList('mergedCustomerIds', { description: 'The customers merged into it (now tombstones).' }),
      mergeEventIds: t.exposeIntList('mergeEventIds'),
    }),
  });

builder.objectFields(MergeCustomersPayload, (t) => ({
  customer: t.prismaField({
    type: 'Customer',
    nullable: true,
    resolve: (query, payload, _args, ctx) => ctx.prisma.customer.findUnique({ ...query, where: { id: payload.customerId } }),
  }),
  mergeEvents: t.prismaField({
    type: ['MergeEvent'],
    resolve: (query, payload, _args, ctx) =>
      ctx.prisma.mergeEvent.findMany({ ...query, where: { id: { in: payload.mergeEventIds } }, orderBy: { id: 'asc' } }),
  }),
}));

const UnmergeCustomerPayload = builder
  .objectRef<{ mergeEventId: number; customerId: number; targetId: number; keptFields: string[] }>('UnmergeCustomerPayload')
  .implement({
    description: '`customer` and `mergeEvent` need the read scope.',
    fields: (t) => ({
      mergeEventId: t.exposeInt('mergeEventId'),
      customerId: t.exposeInt('customerId', { description: 'The customer brought back.' }),
      targetId: t.exposeInt('targetId', { description: 'The customer it had been merged into.' }),
      keptFields: t.exposeStringList('keptFields', {
        description: 'Target fields the merge had filled that were left alone because they changed since.',
      }),
    }),
  });

builder.objectFields(UnmergeCustomerPayload, (t) => ({
  customer: t.prismaField({
    type: 'Customer',
    nullable: true,
    resolve: (query, payload, _args, ctx) => ctx.prisma.customer.findUnique({ ...query, where: { id: payload.customerId } }),
  }),
  mergeEvent: t.prismaField({
    type: 'MergeEvent',
    nullable: true,
    resolve: (query, payload, _args, ctx) => ctx.prisma.mergeEvent.findUnique({ ...query, where: { id: payload.mergeEventId } }),
  }),
}));

builder.mutationFields((t) => ({
  mergeCustomers: t.field({
    type: MergeCustomersPayload,
    authScopes: { write: true },
    description:
      'Merges each source into the target, in one transaction. Refused (nothing written) when a source is the target, unknown, deleted, or holds a different value of a unique identity type than the target.',
    args: {
      targetId: t.arg.id({ required: true }),
      sourceIds: t.arg.idList({ required: true }),
      reason: t.arg.string({ required: false, description: 'At most 500 characters (mergeCustomers checks it).' }),
    },
    resolve: async (_root, args, ctx) => {
      const outcome = await mergeCustomers(ctx.prisma, {
        targetId: parseCustomerId(args.targetId, 'targetId'),
        sourceIds: args.sourceIds.map((id, i) => parseCustomerId(id, `sourceIds[${i}]`)),
        reason: args.reason,
        actor: actorOf(ctx),
      });
      return outcome;
    },
  }),
  unmergeCustomer: t.field({
    type: UnmergeCustomerPayload,
    authScopes: { write: true },
    description:
      'Undoes a merge: the merged customer is live again with exactly what the merge moved, and the target fields it filled are cleared. CONFLICT when later changes make that unsafe.',
    args: { mergeEventId: t.arg.id({ required: true, description: 'Global id or number (mergeEventId).' }) },
    resolve: async (_root, args, ctx) => {
      return unmergeCustomer(ctx.prisma, parseObjectId('MergeEvent', args.mergeEventId, 'mergeEventId'), actorOf(ctx));
    },
  }),
}));
