// Customer: the profile, its identities, groups, friends, attributes; its queries and the
// mutations that write a customer directly. Rules live in src/domain/customers.ts.
import { z } from 'zod';
import { builder } from '../builder.ts';
import { attributeValuesByKey, groupValues, MAX_ATTRIBUTE_KEYS, type AttributeValueView } from '../domain/attributes.ts';
import { deptCodes, profileFields } from '../domain/customer-fields.ts';
import {
  createCustomer,
  deleteCustomer,
  findLiveCustomer,
  findLiveCustomerByIdentity,
  requireUnmergedCustomerId,
  setExtendedAttribute,
  setSystemAttribute,
  updateCustomer,
} from '../domain/customers.ts';
import { badInput } from '../domain/errors.ts';
import { likeLiteral, MAX_SEARCH_LENGTH, PHONE_CHARACTERS, searchCandidateIds, SEARCHED_NAME_FIELDS } from '../domain/search.ts';
import { customerLivenessSelect, liveCustomerWhere, nodeIntId } from '../domain/visibility.ts';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { ExtendedAttribute } from './attribute.ts';
import { Group } from './group.ts';
import { parseCustomerId, parseObjectIds, parseOptionalObjectId } from './ids.ts';
import { IdentityInput } from './identity.ts';
import { profileInputFields } from './profile-fields.ts';

export const Customer = builder.prismaNode('Customer', {
  description: 'A person, identified by one or more identities (CONTRACT §5).',
  authScopes: { read: true },
  // Select mode: a query loads the columns its fields need, not all 55 of the profile, and
  // always those the visibility layer reads (a deleted, erased or merged-away row is hidden).
  select: customerLivenessSelect,
  id: { field: 'id' },
  findUnique: (id) => ({ id: nodeIntId(id) }),
  nullable: true,
  fields: (t) => ({
    customerId: t.exposeInt('id', { description: 'The numeric id used by the REST families.' }),
    name: t.exposeString('name', { nullable: true }),
    realName: t.exposeString('realName', { nullable: true }),
    nickName: t.exposeString('nickName', { nullable: true }),
    mobile: t.exposeString('mobile', { nullable: true }),
    mobileVerified: t.exposeInt('mobileVerified', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    emailVerified: t.exposeInt('emailVerified', { nullable: true }),
    gender: t.exposeInt('gender', { nullable: true }),
    birthday: t.exposeString('birthday', { nullable: true }),
    province: t.exposeString('province', { nullable: true }),
    city: t.exposeString('city', { nullable: true }),
    district: t.exposeString('district', { nullable: true }),
    address: t.exposeString('address', { nullable: true }),
    location: t.exposeString('location', { nullable: true }),
    company: t.exposeString('company', { nullable: true }),
    industry: t.exposeString('industry', { nullable: true }),
    position: t.exposeString('position', { nullable: true }),
    website: t.exposeString('website', { nullable: true }),
    annualRevenue: t.exposeInt('annualRevenue', { nullable: true }),
    employeeNumber: t.exposeInt('employeeNumber', { nullable: true }),
    appId: t.exposeString('appId', { nullable: true }),
    campaignId: t.exposeInt('campaignId', { nullable: true }),
    chargeId: t.exposeString('chargeId', { nullable: true }),
    createMethod: t.exposeString('createMethod', { nullable: true }),
    editable: t.exposeInt('editable', { nullable: true }),
    isEmployee: t.exposeInt('isEmployee', { nullable: true }),
    hobby: t.exposeString('hobby', { nullable: true }),
    img: t.exposeString('img', { nullable: true }),
    language: t.exposeString('language', { nullable: true }),
    openId: t.exposeString('openId', { nullable: true }),
    unionId: t.exposeString('unionId', { nullable: true }),
    referrer: t.exposeString('referrer', { nullable: true }),
    referrerName: t.exposeString('referrerName', { nullable: true }),
    remark: t.exposeString('remark', { nullable: true }),
    source: t.exposeString('source', { nullable: true }),
    source1: t.exposeString('source1', { nullable: true }),
    source2: t.exposeString('source2', { nullable: true }),
    source3: t.exposeString('source3', { nullable: true }),
    source4: t.exposeString('source4', { nullable: true }),
    source5: t.exposeString('source5', { nullable: true }),
    source6: t.exposeString('source6', { nullable: true }),
    source7: t.exposeString('source7', { nullable: true }),
    source8: t.exposeString('source8', { nullable: true }),
    subscribeSource: t.exposeString('subscribeSource', { nullable: true }),
    deptCodeList: t.stringList({ select: { deptCodeList: true }, resolve: (c) => deptCodes(c.deptCodeList) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    identities: t.relation('identities', { query: { orderBy: { id: 'asc' } } }),
    groups: t.field({
      type: [Group],
      description: 'Groups (projects, classes, customer groups) the customer belongs to.',
      select: (_args, _ctx, nestedSelection) => ({
        memberships: { orderBy: { groupId: 'asc' }, select: { group: nestedSelection(true) } },
      }),
      resolve: (customer) => customer.memberships.map((m) => m.group),
    }),
    extendedAttributes: t.field({
      type: [ExtendedAttribute],
      select: { attributes: { select: { position: true, value: true, definition: { select: { key: true, name: true } } } } },
      resolve: (customer) => groupValues(customer.attributes),
    }),
    tags: t.stringList({
      select: { tags: { select: { tag: { select: { name: true } } } } },
      resolve: (customer) => customer.tags.map((t) => t.tag.name).sort(),
    }),
    followers: t.relation('userCustomers', { description: 'Users following this customer (seed 003).' }),
  }),
});

const CustomerAttributeValue = builder.objectRef<AttributeValueView>('CustomerAttributeValue').implement({
  description: 'One attribute of a customer by key: a profile field (系统属性) or an extended attribute (扩展属性).',
  fields: (t) => ({
    attrKey: t.exposeString('attrKey'),
    attrName: t.exposeString('attrName', { description: 'Display name: the field label, or the extended attribute name.' }),
    attrValue: t.exposeString('attrValue', { nullable: true, description: 'The value as text (several joined by ","); null when unset.' }),
    values: t.exposeStringList('values'),
    extended: t.exposeBoolean('extended'),
  }),
});

builder.prismaObjectFields(Customer, (t) => ({
  attributeValues: t.field({
    type: [CustomerAttributeValue],
    description: `Values of the given attribute keys, in that order (seed 001 queryAttrValuesByCustomerId); at most ${MAX_ATTRIBUTE_KEYS} keys.`,
    args: {
      // At most MAX_ATTRIBUTE_KEYS: attributeValuesByKey refuses more (naming keys).
      keys: t.arg.stringList({ required: true }),
    },
    // One query for the definitions and this customer's values; the profile fields asked for
    // are selected with the customer (Customer loads only the columns its fields declare).
    select: (args) => ({
      id: true,
      ...Object.fromEntries(
        args.keys
          .map((k) => k.trim())
          .filter((k) => (profileFields as string[]).includes(k))
          .map((k) => [k, true]),
      ),
    }),
    resolve: async (customer, args, ctx) => {
      const definitions = await ctx.prisma.attributeDefinition.findMany({
        where: { key: { in: args.keys.map((k) => k.trim()) } },
        select: { key: true, name: true, values: { where: { customerId: customer.id }, select: { position: true, value: true } } },
      });
      return attributeValuesByKey(customer, args.keys, definitions);
    },
  }),
  friends: t.field({
    type: [Customer],
    description: 'Friends (mutual), live customers only.',
    args: { first: t.arg.int({ defaultValue: 100, validate: z.number().int().min(1).max(500) }) },
    select: (args, _ctx, nestedSelection) => ({
      friendships: {
        where: { friend: liveCustomerWhere },
        orderBy: { friendId: 'asc' },
        take: args.first ?? 100,
        select: { friend: nestedSelection(true) },
      },
    }),
    resolve: (customer) => customer.friendships.map((f) => f.friend),
  }),
  friendships: t.relation('friendships', {
    description: 'The friendships behind `friends` (this customer → each live friend), as objects with an id.',
    args: { first: t.arg.int({ defaultValue: 100, validate: z.number().int().min(1).max(500) }) },
    query: (args) => ({ where: { friend: liveCustomerWhere }, orderBy: { friendId: 'asc' }, take: args.first ?? 100 }),
  }),
}));

const CustomerFilter = builder.inputType('CustomerFilter', {
  fields: (t) => ({
    groupId: t.id({ required: false, description: 'Global id or number of a group.' }),
    search: t.string({
      required: false,
      description: `Part of the phone, name, real name or nickname, matched literally; at most ${MAX_SEARCH_LENGTH} characters.`,
      validate: z.string().max(MAX_SEARCH_LENGTH, `must be at most ${MAX_SEARCH_LENGTH} characters`).nullish(),
    }),
    createdAfter: t.field({ type: 'DateTime', required: false }),
    createdBefore: t.field({ type: 'DateTime', required: false }),
  }),
});

const ProfileInput = builder.inputType('CustomerProfileInput', {
  description: 'Profile fields (seed 001 names). Omitted fields are left alone; null clears a field.',
  // No validate here: the domain (createCustomer, updateCustomer) parses the profile with
  // profileSchema and names the fields as profile.<field>, once.
  fields: (t) => profileInputFields(t),
});

builder.queryFields((t) => ({
  customer: t.prismaField({
    type: 'Customer',
    nullable: true,
    authScopes: { read: true },
    description: 'A customer by numeric or global id. A merged id resolves to the surviving customer.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => findLiveCustomer(ctx.prisma, parseCustomerId(args.id), query),
  }),
  customerByIdentity: t.prismaField({
    type: 'Customer',
    nullable: true,
    authScopes: { read: true },
    args: { identityType: t.arg.string({ required: true }), identityValue: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) => findLiveCustomerByIdentity(ctx.prisma, args, query),
  }),
  customers: t.prismaConnection(
    {
      type: 'Customer',
      cursor: 'id',
      authScopes: { read: true },
      description: 'Live customers, newest first. `offset` skips rows for page-numbered clients.',
      args: {
        filter: t.arg({ type: CustomerFilter, required: false }),
        offset: t.arg.int({ required: false, validate: z.number().int().min(0) }),
      },
      resolve: async (query, _root, args, ctx) => {
        if (args.offset && (args.after || args.before)) throw badInput('offset', 'cannot be combined with after/before');
        return ctx.prisma.customer.findMany({
          ...query,
          skip: (query.skip ?? 0) + (args.offset ?? 0),
          where: await whereOf(ctx.prisma, args),
          orderBy: { id: 'desc' },
        });
      },
      totalCount: async (_parent, args, ctx) => ctx.prisma.customer.count({ where: await whereOf(ctx.prisma, args) }),
    },
    {},
  ),
}));

/**
 * The filter of one `customers` field, built once for its page and its totalCount (Pothos hands
 * both the field's args object): the search's candidate lookup runs once a request, not twice.
 */
const whereByArgs = new WeakMap<object, Promise<Prisma.CustomerWhereInput>>();
function whereOf(prisma: PrismaClient, args: { filter?: typeof CustomerFilter.$inferInput | null }): Promise<Prisma.CustomerWhereInput> {
  let where = whereByArgs.get(args);
  if (!where) whereByArgs.set(args, (where = customerWhere(prisma, args.filter ?? {})));
  return where;
}

async function customerWhere(prisma: PrismaClient, filter: typeof CustomerFilter.$inferInput): Promise<Prisma.CustomerWhereInput> {
  const term = filter.search?.trim();
  // A term made of phone characters also matches phone identities, compared by digits.
  const phoneDigits = term && PHONE_CHARACTERS.test(term) ? term.replace(/\D/g, '') : '';
  const search = term && likeLiteral(term);
  // The matching ids first, in one statement (src/domain/search.ts).
  const candidates = term ? await searchCandidateIds(prisma, term, phoneDigits) : null;
  const groupId = parseOptionalObjectId('Group', filter.groupId, 'filter.groupId');
  return {
    ...liveCustomerWhere,
    ...(groupId ? { memberships: { some: { groupId } } } : {}),
    ...(filter.createdAfter || filter.createdBefore
      ? { createdAt: { gte: filter.createdAfter ?? undefined, lte: filter.createdBefore ?? undefined } }
      : {}),
    ...(candidates ? { id: { in: candidates } } : {}),
    ...(search && !candidates
      ? {
          OR: [
            { mobile: { contains: search } },
            ...SEARCHED_NAME_FIELDS.map((field) => ({ [field]: { contains: search, mode: 'insensitive' as const } })),
            ...(phoneDigits ? [{ identities: { some: { type: 'phone', value: { contains: phoneDigits } } } }] : []),
          ],
        }
      : {}),
  };
}

export const CustomerPayload = builder.objectRef<{ customerId: number }>('CustomerPayload').implement({
  description: 'The id of the customer written; `customer` needs the read scope.',
  fields: (t) => ({ customerId: t.exposeInt('customerId') }),
});

builder.objectField(CustomerPayload, 'customer', (t) =>
  t.prismaField({
    type: 'Customer',
    nullable: true,
    resolve: (query, payload, _args, ctx) => ctx.prisma.customer.findUnique({ ...query, where: { id: payload.customerId } }),
  }),
);

builder.mutationFields((t) => ({
  createCustomer: t.field({
    type: CustomerPayload,
    authScopes: { write: true },
    description: 'Creates a customer with the given identities; an identity that belongs to someone else is a CONFLICT.',
    args: {
      profile: t.arg({ type: ProfileInput, required: false }),
      identities: t.arg({ type: [IdentityInput], required: false }),
      groupIds: t.arg.idList({
        required: false,
        description: 'Groups the customer joins (global ids or numbers); an unknown group fails the call.',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const customer = await createCustomer(ctx.prisma, {
        profile: args.profile ?? {},
        identities: args.identities ?? [],
        groupIds: parseObjectIds('Group', args.groupIds ?? [], 'groupIds'),
      });
      return { customerId: customer.id };
    },
  }),
  updateCustomer: t.field({
    type: CustomerPayload,
    authScopes: { write: true },
    args: { id: t.arg.id({ required: true }), profile: t.arg({ type: ProfileInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const customer = await updateCustomer(ctx.prisma, parseCustomerId(args.id), args.profile);
      return { customerId: customer.id };
    },
  }),
  deleteCustomer: t.field({
    type: CustomerPayload,
    authScopes: { write: true },
    description: 'Logical delete: the customer disappears from reads and its identities are released.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const { id } = await deleteCustomer(ctx.prisma, parseCustomerId(args.id));
      return { customerId: id };
    },
  }),
  setCustomerAttribute: t.field({
    type: CustomerPayload,
    authScopes: { write: true },
    description: 'Sets one attribute (seed 001 updateCustomerAttr): a profile field, or an extended attribute when `extended`.',
    args: {
      customerId: t.arg.id({ required: true }),
      name: t.arg.string({ required: true, description: 'Profile field name, or extended attribute key.' }),
      value: t.arg.string({ required: false, description: 'The value as text; null clears it.' }),
      extended: t.arg.boolean({ required: true }),
      displayName: t.arg.string({ required: false, description: 'Name of a new extended attribute.' }),
    },
    resolve: async (_root, args, ctx) => {
      // A write: a merged-away id is refused rather than changing its survivor.
      const id = await requireUnmergedCustomerId(ctx.prisma, parseCustomerId(args.customerId, 'customerId'), 'customerId');
      if (args.extended) await setExtendedAttribute(ctx.prisma, id, args.name, args.value ?? null, args.displayName ?? undefined);
      else await setSystemAttribute(ctx.prisma, id, args.name, args.value ?? null);
      return { customerId: id };
    },
  }),
}));
