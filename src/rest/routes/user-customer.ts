// The user_customer family (seed 003_4e5ef05ef938c7d5.txt): JSON or form bodies, envelope
// {code, msg, mix_code, mix_msg, mix_ext, result}.
import { z } from 'zod';
import { formatLegacyDateTime } from '../../domain/legacy-dates.ts';
import { CONDITION_FIELDS, CONDITION_OPS, MAX_CONDITIONS, type ConditionOp } from '../../domain/user-customers.ts';
import { userCustomer } from '../../platform/envelopes.ts';
import { createdRangeRequest, idField, intField, listField, optional, pageRequest, textField, textIdField } from '../fields.ts';
import { defineRoute } from '../route.ts';

export const userCustomerFragment = `fragment LegacyUserCustomer on UserCustomer {
  userId customerId template script reference created isAvailable bossSync
}`;

export interface LegacyUserCustomerData {
  userId: string;
  customerId: number;
  template: string | null;
  script: string | null;
  reference: string;
  created: string;
  isAvailable: number;
  bossSync: number;
}

/**
 * seed 003 shows user_id as a number: ids written as a canonical number are answered as
 * numbers; any other text ("0998", "u-7") as the text stored, exactly as it was sent.
 */
export function legacyUserId(userId: string): string | number {
  return /^(0|[1-9]\d{0,14})$/.test(userId) ? Number(userId) : userId;
}

export function toLegacyUserCustomer(link: LegacyUserCustomerData): Record<string, unknown> {
  return {
    user_id: legacyUserId(link.userId),
    customer_id: link.customerId,
    template: link.template,
    script: link.script,
    reference: link.reference,
    created: formatLegacyDateTime(link.created),
    is_available: link.isAvailable,
    boss_sync: link.bossSync,
  };
}

const legacyUserCustomerSchema = z
  .object({
    user_id: z
      .union([z.number().int(), z.string()])
      .describe('用户标识; a number when it is a canonical number (998), else the text as sent ("0998")'),
    customer_id: z.number().int().describe('客户标识'),
    template: z.string().nullable().describe('模板/样式'),
    script: z.string().nullable().describe('脚本'),
    reference: z.string().describe('参考号'),
    created: z.string().describe('yyyy-MM-dd HH:mm:ss, UTC+8'),
    is_available: z.number().int(),
    boss_sync: z.number().int(),
  })
  .strict();

const DEFAULT_PAGE_SIZE = 20;
/** The most customer ids one multi_delete takes. */
const MAX_MULTI_DELETE = 500;

const page = pageRequest({ index: 'page_index', size: 'page_size' }, { index: '查询页码', size: '每页记录数' }, DEFAULT_PAGE_SIZE);
const createdRange = createdRangeRequest({ start: 'start_time', end: 'end_time' });

const pagedFragment = `totalCount edges { node { ...LegacyUserCustomer } }`;

interface PagedData {
  userCustomers: { totalCount: number; edges: { node: LegacyUserCustomerData }[] };
}

function pagedResult(data: PagedData, req: { page_index?: number; page_size?: number }) {
  const size = req.page_size ?? DEFAULT_PAGE_SIZE;
  const total = data.userCustomers.totalCount;
  return {
    page_index: req.page_index ?? 1,
    page_size: size,
    total_pages: Math.ceil(total / size),
    total_records: total,
    data: data.userCustomers.edges.map((edge) => toLegacyUserCustomer(edge.node)),
  };
}

const pagedSchema = z
  .object({
    page_index: z.number().int(),
    page_size: z.number().int(),
    total_pages: z.number().int(),
    total_records: z.number().int(),
    data: z.array(legacyUserCustomerSchema),
  })
  .strict();

/** GraphQL's ConditionOperator names for the seed's operators. */
const operatorName: Record<ConditionOp, string> = {
  '=': 'EQ',
  '!=': 'NE',
  '>': 'GT',
  '>=': 'GTE',
  '<': 'LT',
  '<=': 'LTE',
  like: 'LIKE',
  in: 'IN',
};

const conditionValue = z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))], {
  error: () => 'must be a string, a number or (for "in") a list',
});

const conditionField = listField(
  z.tuple(
    [
      z.enum(CONDITION_FIELDS, { error: () => `must be one of ${CONDITION_FIELDS.join(', ')}` }),
      // Operators in any case: the seed itself writes LIKE.
      z.preprocess(
        (op) => (typeof op === 'string' ? op.toLowerCase() : op),
        z.enum(CONDITION_OPS, { error: () => `must be one of ${CONDITION_OPS.join(' ')}` }),
      ),
      conditionValue,
    ],
    { error: () => 'must be ["key", "operator", "value"]' },
  ),
  MAX_CONDITIONS,
);

/** ["customer_id","in",["1","2"]] or ["customer_id","in","1,2"]: the values of `in`; one value for the rest. */
function toCondition([key, op, value]: z.infer<typeof conditionField>[number]) {
  const values = Array.isArray(value)
    ? value.map(String)
    : op === 'in'
      ? String(value)
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean)
      : null;
  return values ? { key, op: operatorName[op], values } : { key, op: operatorName[op], value: String(value) };
}

const linkRequest = {
  user_id: textIdField.describe('用户标识'),
  customer_id: idField.describe('客户标识'),
};

/** Text that may be cleared with a JSON null; an empty field counts as omitted (forms cannot send null). */
const clearableText = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z.union([textField, z.null()], { error: () => 'must be a string' }).optional(),
);

const contentFields = {
  template: clearableText.describe('模板/样式; null clears it'),
  script: clearableText.describe('脚本; null clears it'),
  reference: optional(textField).describe('参考号'),
};

/** The link's request fields → the operations' variables. */
const linkFields = { user_id: 'userId', customer_id: 'customerId' };
const contentVariables = { template: 'template', script: 'script', reference: 'reference' };

export const userCustomerRoutes = [
  defineRoute({
    family: userCustomer,
    method: 'POST',
    path: '/api/user_customer/get_list',
    summary: '查询UserCustomer列表: follow links by conditions and creation time, newest first, paged',
    seed: '003 2.4.1.7.27.1',
    request: z.object({
      ...page.fields,
      condition: optional(conditionField).describe(
        `查询条件 [["key","operator","value"],…] (ANDed; at most ${MAX_CONDITIONS}); keys ${CONDITION_FIELDS.join(', ')}; operators ${CONDITION_OPS.join(' ')}; JSON text in form bodies`,
      ),
      ...createdRange.fields,
    }),
    jsonFields: ['condition'],
    operation: `query UserCustomerList($first: Int!, $offset: Int!, $filter: UserCustomerFilter) {
      userCustomers(first: $first, offset: $offset, filter: $filter) { ${pagedFragment} }
    }\n${userCustomerFragment}`,
    variables: (req) => ({
      ...page.args(req),
      filter: {
        conditions: (req.condition ?? []).map(toCondition),
        ...createdRange.filter(req),
      },
    }),
    result: (data: PagedData, req) => pagedResult(data, req),
    response: pagedSchema,
    errorFields: { 'filter.conditions': 'condition', ...createdRange.errorFields, ...page.errorFields },
    message: '查询成功',
    example: { page_index: 1, page_size: 20, condition: [['user_id', '=', '998']] },
    notes: [
      'The seed shows the condition format, not a whole request: the example wraps its condition in one.',
      'Only the listed keys and operators are accepted; anything else is HTTP 400 naming condition[i]. Operators are case-insensitive (the seed writes LIKE). `like` takes SQL wildcards (% and _) on text keys; `in` takes a list or a comma-separated string; values may be strings or numbers.',
      'A form body may send condition as JSON text or PHP-style (condition[0][0]=user_id&condition[0][1]==&condition[0][2]=998); any other shape is HTTP 400 naming condition, never an unfiltered list.',
      'Empty page_index, page_size, condition, start_time or end_time count as omitted (seed: 如果为空则默认).',
    ],
  }),
  defineRoute({
    family: userCustomer,
    method: 'POST',
    path: '/api/user_customer/get',
    summary: '查询UserCustomer指定记录: one follow link',
    seed: '003 2.4.1.7.27.2',
    request: z.object(linkRequest),
    operation: `query UserCustomerGet($userId: String!, $customerId: ID!) {
      userCustomer(userId: $userId, customerId: $customerId) { ...LegacyUserCustomer }
    }\n${userCustomerFragment}`,
    fields: linkFields,
    result: (data: { userCustomer: LegacyUserCustomerData | null }) => (data.userCustomer ? toLegacyUserCustomer(data.userCustomer) : []),
    response: z.union([legacyUserCustomerSchema, z.tuple([]).describe('no such link')]),
    message: '查询成功',
    example: { user_id: '998', customer_id: '1001' },
    notes: ['A link that does not exist answers code 200 with result [] (the family’s empty result, as add/edit/delete answer).'],
  }),
  defineRoute({
    family: userCustomer,
    method: 'POST',
    path: '/api/user_customer/get_customer_list',
    summary: '查询UserCustomer关注列表: the follow links of one user, newest first, paged',
    seed: '003 2.4.1.7.27.3',
    request: z.object({ user_id: textIdField.describe('用户标识'), ...page.fields }),
    operation: `query UserCustomerFollowing($first: Int!, $offset: Int!, $filter: UserCustomerFilter) {
      userCustomers(first: $first, offset: $offset, filter: $filter) { ${pagedFragment} }
    }\n${userCustomerFragment}`,
    variables: (req) => ({ ...page.args(req), filter: { userId: req.user_id } }),
    result: (data: PagedData, req) => pagedResult(data, req),
    response: pagedSchema,
    errorFields: { 'filter.userId': 'user_id', ...page.errorFields },
    message: '查询成功',
    example: { user_id: '998', page_index: 1, page_size: 20 },
    notes: ['user_id is required (the seed marks no field required; the list is of that user’s links).'],
  }),
  defineRoute({
    family: userCustomer,
    method: 'POST',
    path: '/api/user_customer/add',
    summary: '添加user_customer: the user follows the customer',
    seed: '003 2.4.1.7.27.4',
    request: z.object({
      ...linkRequest,
      secret: optional(textField).describe('授权码: accepted and ignored (the token authorises the call); never stored or logged'),
      ...contentFields,
    }),
    operation: `mutation UserCustomerAdd($userId: String!, $customerId: ID!, $template: String, $script: String, $reference: String) {
      followCustomer(userId: $userId, customerId: $customerId, template: $template, script: $script, reference: $reference) { userId customerId }
    }`,
    fields: { ...linkFields, ...contentVariables },
    result: () => [],
    response: z.tuple([]),
    message: '添加成功',
    example: { user_id: '998', customer_id: '1001', secret: '', template: '<div>{{name}}</div>', script: '', reference: 'REF-1' },
    notes: [
      'The seed lists the fields without an example: the example is built from its table.',
      'The link already exists: HTTP 409 (code 500, mix_code 130409). An unknown customer: HTTP 404.',
      '`secret` (授权码) is accepted and ignored: the token authorises the call.',
      'user_id is text kept exactly as sent ("0998" and 998 are two users; "0998" is answered as "0998"). customer_id is a number: "01001" is HTTP 400 naming customer_id, never read as 1001.',
    ],
  }),
  defineRoute({
    family: userCustomer,
    method: 'POST',
    path: '/api/user_customer/edit',
    summary: '编辑user_customer: changes template, script and reference of a follow link',
    seed: '003 2.4.1.7.27.5',
    request: z.object({
      ...linkRequest,
      ...contentFields,
      is_available: optional(intField).describe('0 or 1 (not in the seed’s request; the record carries it)'),
      boss_sync: optional(intField).describe('0 or 1 (not in the seed’s request; the record carries it)'),
    }),
    operation: `mutation UserCustomerEdit($userId: String!, $customerId: ID!, $template: String, $script: String, $reference: String, $isAvailable: Int, $bossSync: Int) {
      editUserCustomer(userId: $userId, customerId: $customerId, template: $template, script: $script, reference: $reference, isAvailable: $isAvailable, bossSync: $bossSync) { userId customerId }
    }`,
    fields: { ...linkFields, ...contentVariables, is_available: 'isAvailable', boss_sync: 'bossSync' },
    result: () => [],
    response: z.tuple([]),
    message: '编辑成功',
    example: { user_id: '998', customer_id: '1001', template: '<p>{{name}}</p>', script: 'console.log(1)', reference: 'REF-2' },
    notes: [
      'Fields left out (or empty) are left as they are; a JSON null clears template or script.',
      'is_available and boss_sync, which the record carries, may be set too (0 or 1).',
      'A link that does not exist: HTTP 404.',
    ],
  }),
  defineRoute({
    family: userCustomer,
    method: 'POST',
    path: '/api/user_customer/delete',
    summary: '删除user_customer: removes one follow link',
    seed: '003 2.4.1.7.27.6',
    request: z.object(linkRequest),
    operation: `mutation UserCustomerDelete($userId: String!, $customerIds: [ID!]!) {
      unfollowCustomers(userId: $userId, customerIds: $customerIds) { removed }
    }`,
    fields: { user_id: 'userId', customer_id: 'customerIds[0]' },
    result: () => [],
    response: z.tuple([]),
    message: '删除成功',
    example: { user_id: '998', customer_id: '1001' },
    notes: ['A link that does not exist: HTTP 404.'],
  }),
  defineRoute({
    family: userCustomer,
    method: 'POST',
    path: '/api/user_customer/multi_delete',
    summary: '多选删除: removes the user’s links to several customers, all or nothing',
    seed: '003 2.4.1.7.27.7',
    request: z.object({
      user_id: textIdField.describe('用户标识'),
      // A single id is taken as a list of one; the list's own errors name customer_id[i].
      customer_id: z
        .preprocess(
          (v) => (Array.isArray(v) || v === undefined ? v : [v]),
          listField(idField, MAX_MULTI_DELETE).min(1, 'must hold at least one id'),
        )
        .describe(
          `客户标识 ["10001","10002"] (JSON text in form bodies; a single id is taken as a list of one); at most ${MAX_MULTI_DELETE}`,
        ),
    }),
    jsonFields: ['customer_id'],
    operation: `mutation UserCustomerMultiDelete($userId: String!, $customerIds: [ID!]!) {
      unfollowCustomers(userId: $userId, customerIds: $customerIds) { removed }
    }`,
    fields: { user_id: 'userId', customer_id: 'customerIds' },
    result: () => [],
    response: z.tuple([]),
    message: '删除成功',
    example: { user_id: '998', customer_id: ['1001', '1002'] },
    notes: [
      'All or nothing: one customer the user does not follow fails the call with HTTP 404 naming customer_id[i], and no link is removed.',
      `At most ${MAX_MULTI_DELETE} ids a call.`,
    ],
  }),
];
