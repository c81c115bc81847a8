// Identity and IdentityType: who a customer is, and the configured identity types.
import { builder } from '../builder.ts';
import { createIdentityType, NORMALIZATIONS, updateIdentityType } from '../domain/identity-types.ts';
import { liveCustomerWhere, nodeIntId } from '../domain/visibility.ts';

export const Identity = builder.prismaNode('Identity', {
  description: 'One (identityType, identityValue) of a customer. A value of a type belongs to one customer.',
  authScopes: { read: true },
  select: { id: true },
  id: { field: 'id' },
  // node() answers an identity of a live customer only (deleted and erased ones hold none anyway).
  findUnique: (id) => ({ id: nodeIntId(id), customer: liveCustomerWhere }),
  nullable: true,
  fields: (t) => ({
    identityType: t.exposeString('type'),
    identityValue: t.exposeString('value'),
    source: t.exposeString('source', { nullable: true, description: 'Where the value is valid, e.g. "gzh:wx123" for an openid.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    customer: t.relation('customer'),
  }),
});

export const IdentityInput = builder.inputType('IdentityInput', {
  fields: (t) => ({
    identityType: t.string({ required: true }),
    identityValue: t.string({ required: true }),
  }),
});

export const Normalization = builder.enumType('IdentityNormalization', {
  description: 'How values of a type are normalised before they are stored or matched.',
  values: {
    NONE: { description: 'Kept as given.' },
    TRIM: { description: 'Surrounding spaces removed.' },
    LOWERCASE: { description: 'Trimmed and lower-cased (e-mail).' },
    DIGITS: { description: 'Digits only (phone, QQ).' },
  } satisfies Record<(typeof NORMALIZATIONS)[number], unknown>,
});

export const IdentityType = builder.prismaNode('IdentityType', {
  authScopes: { read: true },
  id: { field: 'name' },
  findUnique: (name) => ({ name }),
  nullable: true,
  fields: (t) => ({
    name: t.exposeString('name'),
    priority: t.exposeInt('priority', { description: 'System priority: lower is stronger.' }),
    unique: t.exposeBoolean('unique', { description: 'A customer holds at most one value of a unique type.' }),
    normalization: t.field({ type: Normalization, resolve: (type) => type.normalization as (typeof NORMALIZATIONS)[number] }),
    builtIn: t.exposeBoolean('builtIn'),
    description: t.exposeString('description', { nullable: true }),
  }),
});

builder.queryField('identityTypes', (t) =>
  t.prismaField({
    type: ['IdentityType'],
    authScopes: { read: true },
    description: 'Identity types in system priority order.',
    resolve: (query, _root, _args, ctx) => ctx.prisma.identityType.findMany({ ...query, orderBy: [{ priority: 'asc' }, { name: 'asc' }] }),
  }),
);

builder.mutationFields((t) => ({
  createIdentityType: t.prismaField({
    type: 'IdentityType',
    authScopes: { admin: true },
    args: {
      name: t.arg.string({ required: true }),
      priority: t.arg.int({ required: true }),
      unique: t.arg.boolean({ required: true }),
      normalization: t.arg({ type: Normalization, required: false }),
      description: t.arg.string({ required: false }),
    },
    resolve: async (query, _root, args, ctx) => {
      const created = await createIdentityType(ctx.prisma, { ...args, normalization: args.normalization ?? undefined });
      return ctx.prisma.identityType.findUniqueOrThrow({ ...query, where: { name: created.name } });
    },
  }),
  updateIdentityType: t.prismaField({
    type: 'IdentityType',
    authScopes: { admin: true },
    description: 'Changes the system priority (and description) of a type.',
    args: {
      name: t.arg.string({ required: true }),
      priority: t.arg.int({ required: false }),
      description: t.arg.string({ required: false }),
    },
    resolve: async (query, _root, args, ctx) => {
      const updated = await updateIdentityType(ctx.prisma, { ...args, priority: args.priority ?? undefined });
      return ctx.prisma.identityType.findUniqueOrThrow({ ...query, where: { name: updated.name } });
    },
  }),
}));
