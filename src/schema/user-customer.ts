// UserCustomer (seed 003): a user following a customer; list with allow-listed conditions.
import { z } from 'zod';
import { builder } from '../builder.ts';
import { badInput } from '../domain/errors.ts';
import {
  CONDITION_FIELDS,
  conditionsWhere,
  MAX_CONDITIONS,
  editFollow,
  follow,
  unfollow,
  type Condition,
  type ConditionOp,
} from '../domain/user-customers.ts';
import { nodeIntId } from '../domain/visibility.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { parseCustomerId } from './ids.ts';

export const UserCustomer = builder.prismaNode('UserCustomer', {
  authScopes: { read: true },
  id: { field: 'id' },
  findUnique: (id) => ({ id: nodeIntId(id) }),
  nullable: true,
  fields: (t) => ({
    userCustomerId: t.exposeInt('id', { description: 'The number of `id` (before global ids, `id` was this number).' }),
    userId: t.exposeString('userId'),
    customerId: t.exposeInt('customerId'),
    customer: t.relation('customer', {
      nullable: true,
      description: 'null once the customer is no longer live (deleted, erased, merged away).',
    }),
    template: t.exposeString('template', { nullable: true }),
    script: t.exposeString('script', { nullable: true }),
    reference: t.exposeString('reference'),
    isAvailable: t.exposeInt('isAvailable'),
    bossSync: t.exposeInt('bossSync'),
    created: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const ConditionKey = builder.enumType('UserCustomerConditionKey', { values: CONDITION_FIELDS });

const operators = { EQ: '=', NE: '!=', GT: '>', GTE: '>=', LT: '<', LTE: '<=', LIKE: 'like', IN: 'in' } as const satisfies Record<
  string,
  ConditionOp
>;
export const ConditionOperator = builder.enumType('ConditionOperator', {
  values: Object.fromEntries(Object.entries(operators).map(([name, op]) => [name, { description: `seed 003 "${op}"` }])) as Record<
    keyof typeof operators,
    { description: string }
  >,
});

const ConditionInput = builder.inputType('UserCustomerCondition', {
  description: 'One seed 003 condition ["key","op","value"]; `in` takes `values`.',
  fields: (t) => ({
    key: t.field({ type: ConditionKey, required: true }),
    op: t.field({ type: ConditionOperator, required: true }),
    value: t.string({ required: false }),
    values: t.stringList({ required: false }),
  }),
});

const UserCustomerFilter = builder.inputType('UserCustomerFilter', {
  fields: (t) => ({
    userId: t.string({ required: false }),
    conditions: t.field({ type: [ConditionInput], required: false, description: `ANDed; at most ${MAX_CONDITIONS}.` }),
    createdAfter: t.field({ type: 'DateTime', required: false }),
    createdBefore: t.field({ type: 'DateTime', required: false }),
  }),
});

function userCustomerWhere(filter: typeof UserCustomerFilter.$inferInput | null | undefined): Prisma.UserCustomerWhereInput {
  const conditions: Condition[] = (filter?.conditions ?? []).map((c, i) => {
    const values = c.values ?? (c.value === null || c.value === undefined ? [] : [c.value]);
    if (c.values && c.value !== null && c.value !== undefined) throw badInput(`filter.conditions[${i}]`, 'give value or values, not both');
    return { field: c.key, op: operators[c.op], values };
  });
  return {
    ...(filter?.userId ? { userId: filter.userId } : {}),
    ...(filter?.createdAfter || filter?.createdBefore
      ? { createdAt: { gte: filter.createdAfter ?? undefined, lte: filter.createdBefore ?? undefined } }
      : {}),
    ...conditionsWhere(conditions, 'filter.conditions'),
  };
}

builder.queryFields((t) => ({
  userCustomers: t.prismaConnection({
    type: 'UserCustomer',
    cursor: 'id',
    authScopes: { read: true },
    description: 'Follow links, newest first. `offset` skips rows for page-numbered clients.',
    args: {
      filter: t.arg({ type: UserCustomerFilter, required: false }),
      offset: t.arg.int({ required: false, validate: z.number().int().min(0) }),
    },
    resolve: (query, _root, args, ctx) => {
      if (args.offset && (args.after || args.before)) throw badInput('offset', 'cannot be combined with after/before');
      return ctx.prisma.userCustomer.findMany({
        ...query,
        skip: (query.skip ?? 0) + (args.offset ?? 0),
        where: userCustomerWhere(args.filter),
        orderBy: { id: 'desc' },
      });
    },
    totalCount: (_parent, args, ctx) => ctx.prisma.userCustomer.count({ where: userCustomerWhere(args.filter) }),
  }),
  userCustomer: t.prismaField({
    type: 'UserCustomer',
    nullable: true,
    authScopes: { read: true },
    args: { userId: t.arg.string({ required: true }), customerId: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.userCustomer.findUnique({
        ...query,
        where: { userId_customerId: { userId: args.userId, customerId: parseCustomerId(args.customerId, 'customerId') } },
      }),
  }),
}));

const FollowPayload = builder.objectRef<{ userId: string; customerId: number }>('FollowPayload').implement({
  fields: (t) => ({ userId: t.exposeString('userId'), customerId: t.exposeInt('customerId') }),
});

builder.objectField(FollowPayload, 'userCustomer', (t) =>
  t.prismaField({
    type: 'UserCustomer',
    nullable: true,
    description: 'Needs the read scope.',
    resolve: (query, payload, _args, ctx) => ctx.prisma.userCustomer.findUnique({ ...query, where: { userId_customerId: payload } }),
  }),
);

const followArgs = (t: Parameters<Parameters<typeof builder.mutationFields>[0]>[0]) => ({
  userId: t.arg.string({ required: true }),
  customerId: t.arg.id({ required: true }),
  template: t.arg.string({ required: false }),
  script: t.arg.string({ required: false }),
  reference: t.arg.string({ required: false }),
});

builder.mutationFields((t) => ({
  followCustomer: t.field({
    type: FollowPayload,
    authScopes: { write: true },
    description: 'The user follows the customer (seed 003 add). Following twice is a CONFLICT.',
    args: followArgs(t),
    resolve: async (_root, args, ctx) => {
      const link = await follow(ctx.prisma, { ...args, customerId: parseCustomerId(args.customerId, 'customerId') });
      return { userId: link.userId, customerId: link.customerId };
    },
  }),
  editUserCustomer: t.field({
    type: FollowPayload,
    authScopes: { write: true },
    description: 'Changes template, script, reference (and flags) of a follow link (seed 003 edit).',
    args: {
      ...followArgs(t),
      isAvailable: t.arg.int({ required: false }),
      bossSync: t.arg.int({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const link = await editFollow(ctx.prisma, {
        ...args,
        customerId: parseCustomerId(args.customerId, 'customerId'),
        isAvailable: args.isAvailable ?? undefined,
        bossSync: args.bossSync ?? undefined,
      });
      return { userId: link.userId, customerId: link.customerId };
    },
  }),
  unfollowCustomers: t.field({
    type: builder.objectRef<{ removed: number }>('UnfollowPayload').implement({
      fields: (f) => ({ removed: f.exposeInt('removed') }),
    }),
    authScopes: { write: true },
    description: 'Removes the user’s follow links to each customer; an unknown link fails the whole call.',
    args: { userId: t.arg.string({ required: true }), customerIds: t.arg.idList({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const customerIds = args.customerIds.map((id, i) => parseCustomerId(id, `customerIds[${i}]`));
      const removed = await unfollow(ctx.prisma, args.userId, customerIds);
      return { removed };
    },
  }),
}));
