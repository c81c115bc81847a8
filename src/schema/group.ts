// Group: projects and classes (seed 000) and customer groups; membership mutations.
import { builder } from '../builder.ts';
import { changeMembership, ensureGroup, GROUP_KINDS } from '../domain/groups.ts';
import { nodeIntId } from '../domain/visibility.ts';

export const GroupKind = builder.enumType('GroupKind', {
  values: {
    PROJECT: { description: 'A project (seed 000 pname/spid).' },
    CLASS: { description: 'A class inside a project (seed 000 className/sclassid).' },
    GROUP: { description: 'A customer group (seeds 001, 002).' },
  } satisfies Record<(typeof GROUP_KINDS)[number], unknown>,
});

export const Group = builder.prismaNode('Group', {
  authScopes: { read: true },
  select: { id: true },
  id: { field: 'id' },
  findUnique: (id) => ({ id: nodeIntId(id) }),
  nullable: true,
  fields: (t) => ({
    groupId: t.exposeInt('id', { description: 'The numeric id used by the REST families (groupId).' }),
    name: t.exposeString('name'),
    kind: t.field({ type: GroupKind, select: { kind: true }, resolve: (g) => g.kind as (typeof GROUP_KINDS)[number] }),
    externalId: t.exposeString('externalId', { nullable: true }),
    parent: t.relation('parent', { nullable: true }),
    children: t.relation('children', { query: { orderBy: { id: 'asc' } } }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    memberCount: t.relationCount('members'),
  }),
});

builder.queryFields((t) => ({
  groups: t.prismaConnection({
    type: 'Group',
    cursor: 'id',
    authScopes: { read: true },
    args: { kind: t.arg({ type: GroupKind, required: false }), parentId: t.arg.int({ required: false }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.group.findMany({
        ...query,
        where: { kind: args.kind ?? undefined, parentId: args.parentId ?? undefined },
        orderBy: { id: 'asc' },
      }),
  }),
  group: t.prismaField({
    type: 'Group',
    nullable: true,
    authScopes: { read: true },
    args: { id: t.arg.int({ required: true }) },
    resolve: (query, _root, args, ctx) => ctx.prisma.group.findUnique({ ...query, where: { id: args.id } }),
  }),
}));

const MembershipPayload = builder.objectRef<{ groupId: number; changed: number }>('MembershipPayload').implement({
  fields: (t) => ({
    groupId: t.exposeInt('groupId'),
    changed: t.exposeInt('changed', { description: 'Memberships added or removed by this call.' }),
  }),
});

/** The payload of a membership change (the members it changed hear of it through the domain's report). */
async function membershipChanged(change: Promise<{ groupId: number; changed: number; customerIds: number[] }>) {
  const { groupId, changed } = await change;
  return { groupId, changed };
}

builder.mutationFields((t) => ({
  createGroup: t.prismaField({
    type: 'Group',
    authScopes: { write: true },
    description: 'Finds or creates the group with this kind, name (or external id) and parent.',
    args: {
      name: t.arg.string({ required: true }),
      kind: t.arg({ type: GroupKind, required: false }),
      externalId: t.arg.string({ required: false }),
      parentId: t.arg.int({ required: false }),
    },
    resolve: async (query, _root, args, ctx) => {
      const group = await ensureGroup(ctx.prisma, { ...args, kind: args.kind ?? undefined });
      return ctx.prisma.group.findUniqueOrThrow({ ...query, where: { id: group.id } });
    },
  }),
  addGroupMembers: t.field({
    type: MembershipPayload,
    authScopes: { write: true },
    args: { groupId: t.arg.int({ required: true }), customerIds: t.arg.intList({ required: true }) },
    resolve: (_root, args, ctx) => membershipChanged(changeMembership(ctx.prisma, 'add', args.groupId, args.customerIds)),
  }),
  removeGroupMembers: t.field({
    type: MembershipPayload,
    authScopes: { write: true },
    args: { groupId: t.arg.int({ required: true }), customerIds: t.arg.intList({ required: true }) },
    resolve: (_root, args, ctx) => membershipChanged(changeMembership(ctx.prisma, 'remove', args.groupId, args.customerIds)),
  }),
}));
