// Group: projects and classes (seed 000) and customer groups; membership mutations.
import { builder } from '../builder.ts';
import { changeMembership, ensureGroup, GROUP_KINDS } from '../domain/groups.ts';
import { nodeIntId } from '../domain/visibility.ts';
import { parseObjectId, parseObjectIds, parseOptionalObjectId } from './ids.ts';

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
    args: {
      kind: t.arg({ type: GroupKind, required: false }),
      parentId: t.arg.id({ required: false, description: 'Global id or number of the parent group.' }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.group.findMany({
        ...query,
        where: { kind: args.kind ?? undefined, parentId: parseOptionalObjectId('Group', args.parentId, 'parentId') },
        orderBy: { id: 'asc' },
      }),
  }),
  group: t.prismaField({
    type: 'Group',
    nullable: true,
    authScopes: { read: true },
    description: 'A group by global id or number (groupId).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => ctx.prisma.group.findUnique({ ...query, where: { id: parseObjectId('Group', args.id, 'id') } }),
  }),
}));

const MembershipPayload = builder.objectRef<{ groupId: number; changed: number }>('MembershipPayload').implement({
  fields: (t) => ({
    groupId: t.exposeInt('groupId'),
    changed: t.exposeInt('changed', { description: 'Memberships added or removed by this call.' }),
  }),
});

const membershipArgs = (t: Parameters<Parameters<typeof builder.mutationFields>[0]>[0]) => ({
  groupId: t.arg.id({ required: true, description: 'Global id or number.' }),
  customerIds: t.arg.idList({ required: true, description: 'Global ids or numbers.' }),
});

/** A membership change; the members it changed hear of it through the domain's report. */
async function membershipChanged(
  prisma: Parameters<typeof changeMembership>[0],
  change: 'add' | 'remove',
  args: { groupId: string; customerIds: readonly string[] },
) {
  const groupId = parseObjectId('Group', args.groupId, 'groupId');
  const customerIds = parseObjectIds('Customer', args.customerIds, 'customerIds');
  const { changed } = await changeMembership(prisma, change, groupId, customerIds);
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
      parentId: t.arg.id({ required: false, description: 'Global id or number of the parent group.' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const parentId = parseOptionalObjectId('Group', args.parentId, 'parentId');
      const group = await ensureGroup(ctx.prisma, { ...args, parentId, kind: args.kind ?? undefined });
      return ctx.prisma.group.findUniqueOrThrow({ ...query, where: { id: group.id } });
    },
  }),
  addGroupMembers: t.field({
    type: MembershipPayload,
    authScopes: { write: true },
    args: membershipArgs(t),
    resolve: (_root, args, ctx) => membershipChanged(ctx.prisma, 'add', args),
  }),
  removeGroupMembers: t.field({
    type: MembershipPayload,
    authScopes: { write: true },
    args: membershipArgs(t),
    resolve: (_root, args, ctx) => membershipChanged(ctx.prisma, 'remove', args),
  }),
}));
