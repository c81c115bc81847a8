// Live updates over GraphQL subscriptions (SSE): customerChanged and importJobProgress. The
// events come from services.pubsub (src/pubsub.ts); mutations publish them after committing.
import { Repeater } from 'graphql-yoga';
import { builder } from '../builder.ts';
import { findLiveCustomer } from '../domain/customers.ts';
import { resolveCustomerId } from '../domain/merge/tree.ts';
import { notFound } from '../domain/errors.ts';
import { importJobsVisibleTo } from '../domain/visibility.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { CUSTOMER_CHANGE_KINDS, takeThrough, type CustomerChangeEvent, type ImportJobProgressEvent } from '../pubsub.ts';
import { parseCustomerId, parseObjectId } from './ids.ts';

export const CustomerChangeKind = builder.enumType('CustomerChangeKind', {
  values: {
    CREATED: { description: 'The customer was created (or brought back by unmergeCustomer).' },
    UPDATED: {
      description: 'Its profile, identities, attributes, groups, friends or followers changed, or a customer was merged into it.',
    },
    DELETED: { description: 'Logically deleted. The stream ends.' },
    MERGED: { description: 'Merged into `mergedInto`. The stream ends; subscribe to mergedInto to follow the survivor.' },
    ERASED: { description: 'Personal data erased on request. The stream ends.' },
  } satisfies Record<(typeof CUSTOMER_CHANGE_KINDS)[number], unknown>,
});

const CustomerChange = builder.objectRef<CustomerChangeEvent>('CustomerChange').implement({
  description: 'A customer was written. A notification: re-read what you need (`customer` does it).',
  fields: (t) => ({
    kind: t.field({ type: CustomerChangeKind, resolve: (event) => event.kind }),
    customerId: t.exposeInt('customerId', { description: 'The customer the subscription follows.' }),
    mergedInto: t.exposeInt('mergedInto', { nullable: true, description: 'The survivor, when kind is MERGED.' }),
    at: t.field({
      type: 'DateTime',
      description: 'When the change was published (after its transaction committed).',
      resolve: (event) => new Date(event.at),
    }),
  }),
});

builder.objectField(CustomerChange, 'customer', (t) =>
  t.prismaField({
    type: 'Customer',
    nullable: true,
    description: 'The customer as it is now, read when the event is sent: the survivor after MERGED, null after DELETED or ERASED.',
    resolve: (query, event, _args, ctx) => findLiveCustomer(ctx.prisma, event.customerId, query),
  }),
);

const endsStream = (event: CustomerChangeEvent) => event.kind === 'DELETED' || event.kind === 'MERGED' || event.kind === 'ERASED';

const FINISHED = new Set(['SUCCEEDED', 'PARTIAL', 'FAILED']);

/** The job's state now, then after each progress event; ends after a finished state. */
function jobStates(
  prisma: PrismaClient,
  jobId: number,
  events: AsyncIterableIterator<ImportJobProgressEvent>,
): AsyncIterableIterator<ImportJobProgressEvent> {
  return new Repeater<ImportJobProgressEvent>(async (push, stop) => {
    void stop.then(() => events.return?.());
    // Listen before reading the state, so that a step between the two is not lost.
    let next: Promise<IteratorResult<ImportJobProgressEvent>> | null = events.next();
    const statusNow = async () => (await prisma.importJob.findUnique({ where: { id: jobId }, select: { status: true } }))?.status;
    let status = await statusNow();
    while (status !== undefined) {
      await push({ jobId });
      if (FINISHED.has(status)) break;
      const event = await (next ?? events.next());
      next = null;
      if (event.done) break;
      status = await statusNow();
    }
    stop();
  });
}

builder.subscriptionFields((t) => ({
  customerChanged: t.field({
    type: CustomerChange,
    authScopes: { read: true },
    description:
      'Every write to this customer through any path but bulk imports (those publish importJobProgress). A merged id follows its survivor, ' +
      'as customer(id) does. The stream ends after DELETED, MERGED or ERASED. Events are notifications, at most once: re-read the state.',
    args: { id: t.arg.id({ required: true, description: 'Numeric or global id.' }) },
    subscribe: async (_root, args, ctx) => {
      const given = parseCustomerId(args.id);
      const live = await resolveCustomerId(ctx.prisma, given);
      if (live === null) throw notFound('customer', given, 'id');
      return takeThrough(ctx.services.pubsub.subscribe('customerChanged', live), endsStream);
    },
    resolve: (event) => event,
  }),
  importJobProgress: t.prismaField({
    type: 'ImportJob',
    authScopes: { read: true },
    description:
      'The import job now, then again after each progress step; the stream ends after SUCCEEDED, PARTIAL or FAILED. ' +
      'Steps are notifications: one missed is made up by the next state read.',
    args: { id: t.arg.id({ required: true, description: 'The job: global id or number (batchId).' }) },
    subscribe: async (_root, args, ctx) => {
      const id = parseObjectId('ImportJob', args.id, 'id');
      // Another app's job is answered as an unknown one: its existence is not revealed either.
      const job = await ctx.prisma.importJob.findFirst({ where: { id, ...importJobsVisibleTo(ctx.caller) }, select: { id: true } });
      if (!job) throw notFound('import job', id, 'id');
      return jobStates(ctx.prisma, id, ctx.services.pubsub.subscribe('importJobProgress', id));
    },
    resolve: (query, event, _args, ctx) => ctx.prisma.importJob.findUniqueOrThrow({ ...query, where: { id: event.jobId } }),
  }),
}));
