// Extended attributes: definitions and the grouped values shown on a customer.
import { builder } from '../builder.ts';
import { defineAttribute, VALUE_TYPES, type AttributeView } from '../domain/attributes.ts';
import { nodeIntId } from '../domain/visibility.ts';

export const ExtendedAttribute = builder.objectRef<AttributeView>('ExtendedAttribute').implement({
  description: 'An extended attribute of a customer (seed 001 extendAttrList, seed 004 customFields).',
  fields: (t) => ({
    attrKey: t.exposeString('attrKey'),
    attrName: t.exposeString('attrName'),
    attrValue: t.exposeString('attrValue', { nullable: true, description: 'The value; several values joined by ",".' }),
    values: t.exposeStringList('values'),
  }),
});

export const AttributeValueType = builder.enumType('AttributeValueType', { values: VALUE_TYPES });

export const AttributeDefinition = builder.prismaNode('AttributeDefinition', {
  authScopes: { read: true },
  id: { field: 'id' },
  findUnique: (id) => ({ id: nodeIntId(id) }),
  nullable: true,
  fields: (t) => ({
    configId: t.exposeInt('id', { description: 'The id seed 004 customFields refer to.' }),
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    valueType: t.field({ type: AttributeValueType, resolve: (d) => d.valueType as (typeof VALUE_TYPES)[number] }),
    multiple: t.exposeBoolean('multiple'),
    builtIn: t.exposeBoolean('builtIn'),
  }),
});

builder.queryField('attributeDefinitions', (t) =>
  t.prismaField({
    type: ['AttributeDefinition'],
    authScopes: { read: true },
    resolve: (query, _root, _args, ctx) => ctx.prisma.attributeDefinition.findMany({ ...query, orderBy: { id: 'asc' } }),
  }),
);

builder.mutationField('defineAttribute', (t) =>
  t.prismaField({
    type: 'AttributeDefinition',
    authScopes: { write: true },
    description: 'Defines an extended attribute (客户>字段管理>添加字段); its configId is what seed 004 refers to.',
    args: {
      key: t.arg.string({ required: true }),
      name: t.arg.string({ required: true }),
      valueType: t.arg({ type: AttributeValueType, required: false }),
      multiple: t.arg.boolean({ required: false }),
    },
    resolve: async (query, _root, args, ctx) => {
      const created = await defineAttribute(ctx.prisma, {
        key: args.key,
        name: args.name,
        valueType: args.valueType ?? undefined,
        multiple: args.multiple ?? undefined,
      });
      return ctx.prisma.attributeDefinition.findUniqueOrThrow({ ...query, where: { id: created.id } });
    },
  }),
);
