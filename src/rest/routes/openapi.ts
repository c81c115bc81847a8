// The openapi family (seed 001_b0c7d8b279f431e3.txt, 客户管理): envelope {code, msg, data}.
import { z } from 'zod';
import { MAX_ATTRIBUTE_KEYS } from '../../domain/attributes.ts';
import { profileFields } from '../../domain/customer-fields.ts';
import { DomainError } from '../../domain/errors.ts';
import { MAX_EXTEND_ATTRS, MAX_IDENTITIES, MAX_USER_IDS } from '../../domain/resolution.ts';
import { IDENTITY_PRIORITY_STRATEGIES, TARGET_CUSTOMER_STRATEGIES } from '../../domain/identity/rules.ts';
import { openapi } from '../../platform/envelopes.ts';
import {
  booleanField,
  createdRangeRequest,
  idField,
  listField,
  optional,
  pageRequest,
  requiredTextField,
  textField,
  textIdField,
} from '../fields.ts';
import { defineRoute } from '../route.ts';
import { MAX_PAGE_SIZE } from '../../domain/validation.ts';
import {
  legacyAttributeSchema,
  legacyCustomerFragment,
  legacyCustomerSchema,
  profileRequestField,
  toLegacyCustomer,
  type LegacyCustomerData,
} from './legacy-customer.ts';

const customerNotFound = (id: string) =>
  new DomainError('NOT_FOUND', `customerId: customer ${id} not found`, [{ field: 'customerId', message: 'not found' }]);

// At least one identity: the domain refuses an empty list (identityList: at least one identity is required).
const identityListField = listField(
  z.object({
    identityType: requiredTextField.describe('身份类型'),
    identityValue: textIdField.describe('身份值'),
  }),
  MAX_IDENTITIES,
);

/** Every profile field of seed 001. */
const profileRequestShape = Object.fromEntries(profileFields.map((field) => [field, profileRequestField(field)]));

/** createCustomerByIdentity's strategies (seed 001 text), which getCustomerIdByIdentityList takes too. */
const strategyFields = {
  identityPriorityStrategy: optional(z.enum(IDENTITY_PRIORITY_STRATEGIES)).describe('身份优先级策略: system or custom (default system)'),
  targetCustomerStrategy: optional(z.enum(TARGET_CUSTOMER_STRATEGIES)).describe(
    '目标客户策略: identityFirst or customerFirst (default identityFirst)',
  ),
};

/** MyBatis-Plus' page defaults, which the seed's current/size/records/total come from. */
const DEFAULT_CURRENT = 1;
const DEFAULT_SIZE = 10;
const page = pageRequest({ index: 'current', size: 'size' }, { index: '当前页码', size: '页码记录数' }, DEFAULT_SIZE);
const createdRange = createdRangeRequest({ start: 'startTime', end: 'endTime' });

export const openapiRoutes = [
  defineRoute({
    family: openapi,
    method: 'POST',
    path: '/openapi/customer/add',
    summary: '新增客户: creates a customer whose mobile becomes its phone identity; data = the new customer id',
    seed: '001 新增客户',
    request: z.object({
      name: requiredTextField.describe('客户名称'),
      mobile: textIdField.describe('手机号: also the customer’s phone identity'),
      mobileVerified: profileRequestField('mobileVerified').describe('手机号是否验证: 0 no, 1 yes (default 0)'),
      province: profileRequestField('province'),
      city: profileRequestField('city'),
      district: profileRequestField('district'),
      email: profileRequestField('email'),
      emailVerified: profileRequestField('emailVerified').describe('邮箱是否验证: 0 no, 1 yes (default 0)'),
      gender: profileRequestField('gender').describe('性别: 0 unknown, 1 male, 2 female (default 0)'),
      groupId: optional(idField).describe('分组id: the group the customer joins; empty for none (未分组)'),
    }),
    operation: `mutation AddCustomer($profile: CustomerProfileInput!, $identities: [IdentityInput!]!, $groupIds: [ID!]) {
      createCustomer(profile: $profile, identities: $identities, groupIds: $groupIds) { customerId }
    }`,
    variables: ({ groupId, ...profile }) => ({
      profile,
      identities: [{ identityType: 'phone', identityValue: profile.mobile }],
      groupIds: groupId ? [Number(groupId)] : [],
    }),
    result: (data: { createCustomer: { customerId: number } }) => data.createCustomer.customerId,
    response: z.number().int().describe('the new customer id'),
    errorFields: {
      profile: '',
      identities: 'mobile',
      'identities[0]': 'mobile',
      'identities[0].identityValue': 'mobile',
      'groupIds[0]': 'groupId',
    },
    example: {
      name: '张三',
      mobile: '13912345678',
      mobileVerified: 1,
      province: '安徽省',
      city: '合肥市',
      district: '蜀山区',
      email: 'a@b.com',
      emailVerified: 0,
      gender: 1,
    },
    notes: [
      'The seed has no request example: the example is built from its parameter table.',
      'Required: name and mobile. The seed marks mobileVerified, email, emailVerified and gender 是 as well; they are optional here (0 or empty when omitted), so that no conforming client is refused.',
      'The seed says this endpoint supports neither several identities nor merges: a mobile that already belongs to a live customer is refused with HTTP 409 naming `mobile`, and nothing is written or updated. Clients that want find-or-update use createCustomerByIdentity.',
      'An unknown groupId is HTTP 404 naming `groupId`; nothing is written.',
      'Profile fields the seed does not list for this endpoint (nickName, …) are ignored like any unknown field.',
    ],
  }),
  defineRoute({
    family: openapi,
    method: 'POST',
    path: '/openapi/customer/createCustomerByIdentity',
    summary:
      '根据身份列表创建客户: resolves the identities to one customer (found, or created), attaches the free ones, merges when autoMerge, writes the fields; data = its id',
    seed: '001 根据身份列表创建客户',
    request: z.object({
      ...profileRequestShape,
      identityList: identityListField.describe('身份列表'),
      ...strategyFields,
      autoMerge: optional(booleanField).describe('客户合并策略 (default false)'),
      groupId: optional(idField).describe('分组id'),
      extendAttrList: optional(
        listField(
          z.object({
            attrKey: textField.describe('属性key'),
            attrName: optional(textField).describe('属性名称'),
            // The seed marks it required (是): an entry without a value is refused, never dropped.
            attrValue: z
              .union([textField, z.number()], {
                error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : 'must be a string'),
              })
              .transform(String)
              .describe('属性值 (required)'),
          }),
          MAX_EXTEND_ATTRS,
        ),
      ).describe('扩展属性列表'),
      userIdList: optional(listField(textIdField, MAX_USER_IDS)).describe('用户id: users who follow the customer'),
    }),
    operation: `mutation CreateCustomerByIdentity($input: CreateCustomerByIdentityInput!) {
      createCustomerByIdentity(input: $input) { customerId }
    }`,
    variables: ({ groupId, ...input }) => ({ input: { ...input, groupId: groupId === undefined ? undefined : Number(groupId) } }),
    result: (data: { createCustomerByIdentity: { customerId: number } }) => data.createCustomerByIdentity.customerId,
    response: z.number().int().describe('the target customer id'),
    errorFields: { input: '' },
    example: {
      nickName: '小白',
      province: '安徽省',
      city: '合肥市',
      gender: 1,
      email: 'bai@example.com',
      extendAttrList: [{ attrKey: 'vipLevel', attrName: '会员等级', attrValue: 'gold' }],
      identityList: [
        { identityType: 'phone', identityValue: '13912345678' },
        { identityType: 'unionid', identityValue: 'o6_bmasdasdsad6_2sgVt7hMZOPfL' },
      ],
    },
    notes: [
      'The seed has no request example: the example is built from its parameter table.',
      'identityPriorityStrategy, targetCustomerStrategy and autoMerge are described in the seed text but missing from its parameter table; they are accepted in the body with CONTRACT §5 defaults (system, identityFirst, false).',
      'Only fields with a value are written onto the target: omitted, null and empty fields leave its value (see README "Identity resolution"). Profile fields the seed omits from this endpoint (name, mobile, realName, …) are accepted too.',
      'The profile fields mobile, email, openId and unionId are only fields: identities come from identityList.',
      'userIdList (int[] in the seed) creates follow links (user_customer) for those users; ids may be numbers or strings.',
    ],
  }),
  defineRoute({
    family: openapi,
    method: 'POST',
    path: '/openapi/customer/getCustomerIdByIdentityList',
    summary: '根据客户身份列表获取客户id: the customer createCustomerByIdentity would pick for these identities; writes nothing',
    seed: '001 根据客户身份列表获取客户id',
    request: z.object({
      identityList: identityListField.describe('身份列表'),
      ...strategyFields,
    }),
    operation: `query GetCustomerIdByIdentityList(
      $identityList: [IdentityInput!]!
      $identityPriorityStrategy: IdentityPriorityStrategy
      $targetCustomerStrategy: TargetCustomerStrategy
    ) {
      customerIdByIdentityList(
        identityList: $identityList
        identityPriorityStrategy: $identityPriorityStrategy
        targetCustomerStrategy: $targetCustomerStrategy
      )
    }`,
    fields: {
      identityList: 'identityList',
      identityPriorityStrategy: 'identityPriorityStrategy',
      targetCustomerStrategy: 'targetCustomerStrategy',
    },
    result: (data: { customerIdByIdentityList: number | null }) => {
      if (data.customerIdByIdentityList === null) {
        throw new DomainError('NOT_FOUND', 'identityList: no customer holds these identities', [
          { field: 'identityList', message: 'no customer holds these identities' },
        ]);
      }
      return data.customerIdByIdentityList;
    },
    response: z.number().int().describe('the customer id'),
    example: { identityList: [{ identityType: 'phone', identityValue: '13912345678' }] },
    notes: [
      'The same rules as createCustomerByIdentity, with its strategy fields (identityPriorityStrategy, targetCustomerStrategy: same names, same defaults system and identityFirst): the identity list and strategies a customer was created with find it again. autoMerge does not change which customer is the target and is ignored. A merged customer answers with its survivor.',
      'No customer for these identities: HTTP 404, code -1, as getCustomerIdByCustomerIdentity does.',
    ],
  }),
  defineRoute({
    family: openapi,
    method: 'GET',
    path: '/openapi/customer/customerInfo',
    summary: '根据客户id查询单个客户信息: one customer by id (a merged id answers with the survivor)',
    seed: '001 根据客户id查询单个客户信息',
    request: z.object({ customerId: idField.describe('客户id') }),
    operation: `query CustomerInfo($id: ID!) { customer(id: $id) { ...LegacyCustomer } }\n${legacyCustomerFragment}`,
    fields: { customerId: 'id' },
    result: (data: { customer: LegacyCustomerData | null }, req) => {
      if (!data.customer) throw customerNotFound(req.customerId);
      return toLegacyCustomer(data.customer);
    },
    response: legacyCustomerSchema,
    example: { customerId: '1001' },
    notes: ['An unknown or deleted customer is HTTP 404 with code -1; a merged id answers with the customer it was merged into.'],
  }),
  defineRoute({
    family: openapi,
    method: 'POST',
    path: '/openapi/customer-identity-ref/getCustomerIdByCustomerIdentity',
    summary: '根据客户身份获取客户信息: the customer holding one identity',
    seed: '001 根据客户身份获取客户信息',
    request: z.object({
      identityType: textField.describe('身份类型: phone, email, openid, unionid, external_id, username, qq, or a configured type'),
      identityValue: textIdField.describe('身份值 (normalised by its type: phone digits only, e-mail lower-cased)'),
    }),
    operation: `query CustomerByIdentity($identityType: String!, $identityValue: String!) {
      customerByIdentity(identityType: $identityType, identityValue: $identityValue) { ...LegacyCustomer }
    }\n${legacyCustomerFragment}`,
    fields: { identityType: 'identityType', identityValue: 'identityValue' },
    result: (data: { customerByIdentity: LegacyCustomerData | null }, req) => {
      if (!data.customerByIdentity) {
        const message = `no customer has ${req.identityType} "${req.identityValue}"`;
        throw new DomainError('NOT_FOUND', `identityValue: ${message}`, [{ field: 'identityValue', message }]);
      }
      return toLegacyCustomer(data.customerByIdentity);
    },
    response: legacyCustomerSchema,
    errorFields: { identity: '' },
    example: { identityType: 'phone', identityValue: '13765348726' },
    notes: [
      'Despite its name the endpoint answers the whole customer object (the seed’s response table), as customerInfo does.',
      'No customer holds the identity: HTTP 404 with code -1. An unknown identity type: HTTP 400 naming identityType.',
    ],
  }),
  defineRoute({
    family: openapi,
    method: 'GET',
    path: '/openapi/customer/singleDelete',
    summary: '删除单个客户: logical delete; the customer’s identities are released',
    seed: '001 删除单个客户',
    request: z.object({ customerId: idField.describe('客户id') }),
    operation: 'mutation SingleDelete($id: ID!) { deleteCustomer(id: $id) { customerId } }',
    fields: { customerId: 'id' },
    result: () => null,
    response: z.null(),
    example: { customerId: '1001' },
    notes: ['Deleting an unknown or already deleted customer is HTTP 404.'],
  }),
  defineRoute({
    family: openapi,
    method: 'GET',
    path: '/openapi/customer/simpleQuery',
    summary: '获取客户列表接口，支持分页: live customers, newest first, by group, search key and creation time',
    seed: '001 获取客户列表接口，支持分页',
    request: z.object({
      groupId: optional(idField).describe('客户群组id'),
      searchKey: optional(textField).describe('关键词: part of the phone, name, real name or nickname'),
      ...createdRange.fields,
      ...page.fields,
    }),
    operation: `query SimpleQuery($first: Int!, $offset: Int!, $filter: CustomerFilter) {
      customers(first: $first, offset: $offset, filter: $filter) { totalCount edges { node { ...LegacyCustomer } } }
    }\n${legacyCustomerFragment}`,
    variables: (req) => ({
      ...page.args(req),
      filter: {
        groupId: req.groupId ? Number(req.groupId) : undefined,
        search: req.searchKey?.trim() || undefined,
        ...createdRange.filter(req),
      },
    }),
    result: (data: { customers: { totalCount: number; edges: { node: LegacyCustomerData }[] } }, req) => ({
      current: req.current ?? DEFAULT_CURRENT,
      size: req.size ?? DEFAULT_SIZE,
      total: data.customers.totalCount,
      records: data.customers.edges.map((edge) => toLegacyCustomer(edge.node)),
    }),
    response: z
      .object({
        current: z.number().int().describe('当前页码'),
        size: z.number().int().describe('页码记录数 (as asked)'),
        total: z.number().int().describe('总记录数'),
        records: z.array(legacyCustomerSchema),
      })
      .strict(),
    errorFields: { 'filter.groupId': 'groupId', 'filter.search': 'searchKey', ...createdRange.errorFields, ...page.errorFields },
    example: { startTime: '2020-01-01 00:00:00', endTime: '2030-12-31 23:59:59', current: '1', size: '10' },
    notes: [
      `The seed marks startTime, endTime, current and size required; they are optional here: no time bound when a time is omitted, current ${DEFAULT_CURRENT} and size ${DEFAULT_SIZE} (MyBatis-Plus’ defaults, whose current/size/total/records the response uses) when omitted. An empty value counts as omitted.`,
      `size above ${MAX_PAGE_SIZE} is refused (HTTP 400 naming size) rather than silently cut, so that total and size never disagree with records.`,
      'Times without a zone are read as UTC+8 (China Standard Time, the vendor’s); both bounds are inclusive, endTime to the end of its second. A searchKey made of phone characters also matches phone identities by digits.',
      'Records are newest first and carry identityList too (the same object as customerInfo).',
    ],
  }),
  defineRoute({
    family: openapi,
    method: 'POST',
    path: '/openapi/customer/updateCustomerAttr',
    summary: '更新客户的单个属性信息: sets one profile field (isExtendAttr=false) or extended attribute (true)',
    seed: '001 更新客户的单个属性信息',
    request: z.object({
      attrName: requiredTextField.describe('属性名称: a profile field (name, gender, …) or an extended attribute key'),
      attrValue: z
        .union([z.string(), z.number(), z.null()], { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
        .transform((v) => (v === null ? null : String(v)))
        .describe('属性值 as text; null or "" clears the attribute'),
      customerId: idField.describe('客户id'),
      isExtendAttr: booleanField.describe('true: 扩展属性 (extended attribute), false: 系统属性 (profile field)'),
    }),
    operation: `mutation UpdateCustomerAttr($customerId: ID!, $name: String!, $value: String, $extended: Boolean!) {
      setCustomerAttribute(customerId: $customerId, name: $name, value: $value, extended: $extended) { customerId }
    }`,
    fields: { customerId: 'customerId', attrName: 'name', attrValue: 'value', isExtendAttr: 'extended' },
    result: () => null,
    response: z.null(),
    // The names setCustomerAttribute's domain errors use besides its arguments.
    errorFields: { values: 'attrValue', attrKey: 'attrName', displayName: 'attrName' },
    example: { attrName: 'name', attrValue: '李四', customerId: 1001, isExtendAttr: false },
    notes: [
      'A system attribute is a profile field by its seed name; its value is read by the field’s type (gender "1" is the number 1) and checked by its rule.',
      'An extended attribute key that is new is defined on first write (its name is the key) as a single text attribute.',
      'attrValue is required but may be null (or "") to clear the attribute.',
    ],
  }),
  defineRoute({
    family: openapi,
    method: 'POST',
    path: '/openapi/customer/queryAttrValuesByCustomerId',
    summary: '查询客户的指定属性信息: values of the given attribute keys (system and extended)',
    seed: '001 查询客户的指定属性信息',
    request: z.object({
      attrKeyList: listField(textField, MAX_ATTRIBUTE_KEYS).describe(
        `属性key列表: profile field names or extended keys, at most ${MAX_ATTRIBUTE_KEYS}`,
      ),
      customerId: idField.describe('客户id'),
    }),
    operation: `query QueryAttrValues($id: ID!, $keys: [String!]!) {
      customer(id: $id) { customerId attributeValues(keys: $keys) { attrKey attrName attrValue } }
    }`,
    fields: { customerId: 'id', attrKeyList: 'keys' },
    result: (data: { customer: { customerId: number; attributeValues: unknown[] } | null }, req) => {
      if (!data.customer) throw customerNotFound(req.customerId);
      return [{ customerId: data.customer.customerId, attrList: data.customer.attributeValues }];
    },
    response: z.array(z.object({ customerId: z.number().int(), attrList: z.array(legacyAttributeSchema) }).strict()),
    example: { attrKeyList: ['name', 'gender', 'vipLevel'], customerId: 1001 },
    notes: [
      'The seed types data as object[] holding attrList and customerId: data is a list with one entry {customerId, attrList}.',
      'One entry per key asked, in that order, repeated keys once. A profile field answers its value as text with its label (客户名称, 性别, …) as attrName; an extended attribute its name.',
      'A key that is neither a profile field nor an attribute anyone has set answers attrValue null (and attrName = the key): extended attributes are defined on first write, so such a key is not an error.',
      'An unknown customer is HTTP 404; a merged id answers with the survivor’s id as customerId.',
    ],
  }),
];
