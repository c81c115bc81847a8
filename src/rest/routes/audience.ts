// The audience family (seeds 002_e1bb20feb6ecf031.txt 客户分组导入, 004_bacd34715eef4ccd.txt
// 客户资料导入): the batchAdd calls submit an import job and answer its batchId at once; the
// result call reads the job. Success {"code":"200","errorCode":"SUCCESS","msg":"ok","data":…},
// failure {"code":"<status>","errorCode":"<NAME>","msg":"…"}.
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { MAX_INLINE_ROWS } from '../../domain/imports/jobs.ts';
import { ACCURATE_MATCH_TYPES, MAX_CUSTOM_FIELDS, MAX_CUSTOM_VALUES } from '../../domain/imports/rows.ts';
import { audience } from '../../platform/envelopes.ts';
import { booleanField, idField, intField, listField, optional, textColumns, textField, textIdColumns, textIdField } from '../fields.ts';
import { defineRoute } from '../route.ts';

/** The Idempotency-Key header, when the request carries one. */
function idempotencyKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['idempotency-key'];
  const key = Array.isArray(value) ? value[0] : value;
  return key && key.trim() !== '' ? key.trim() : undefined;
}

const matchingParams = {
  isMatching: booleanField.describe('是否进行客户匹配'),
  matchingType: optional(intField).describe(
    '匹配方式: 1 精准 (by the row’s identityType), 2 模糊 (identifyWay order); required when isMatching',
  ),
  identifyWay: optional(intField).describe('身份识别方式 (required for matchingType 2)'),
};

const groupRelationParams = z.object({
  ...matchingParams,
  accurateMatchType: optional(textField).describe(`精确匹配的应用类型: ${ACCURATE_MATCH_TYPES.join(', ')}`),
  accurateMatchValue: optional(textIdField).describe('精确匹配的应用ID'),
  optType: textField.describe('导入方式: add 新增, delete 删除'),
});

const groupRelationRow = z.object({
  ...textColumns({ identityType: '精确匹配必填: phone, id (thirdId), openid, unionid' }),
  ...textIdColumns({ thirdId: '第三方客户ID: an external_id identity' }),
  ...textColumns({ openid: '公众号openid', unionid: '开放平台unionid' }),
  ...textIdColumns({ phone: '手机' }),
  ...textColumns({ groups: '客户分组, 多个用,号隔开' }),
});

const profileParams = z.object({
  ...matchingParams,
  importMode: intField.describe('导入方式: 1 完全导入 (all or nothing), 2 不完全导入 (keep the valid rows)'),
});

const customField = z.object({
  configId: optional(intField).describe('自定义字段ID'),
  configName: optional(textField).describe('自定义字段名称'),
  values: optional(listField(z.union([z.string(), z.number()]).transform(String), MAX_CUSTOM_VALUES)).describe('自定义字段值'),
});

const profileRow = z.object({
  ...textIdColumns({ identityId: '身份识别ID (of identityType; external_id when identityType is absent)' }),
  ...textColumns({
    identityType: '身份识别类型: phone, openid, unionid, email, external_id, username, qq, id (the customer id), or a configured type',
  }),
  ...textIdColumns({ audienceUserId: '客户ID: the customer id in this gateway' }),
  ...textColumns({ openid: '微信openid', unionid: '微信unionid' }),
  ...textIdColumns({ phone: '手机' }),
  ...textColumns({
    realName: '真实姓名',
    sex: '性别: 男, 女',
    address: '地址',
    birthday: '生日: yyyy-MM-dd',
    remark: '备注',
    tags: '运营标签, 多个用","号隔开',
  }),
  customFields: optional(listField(customField, MAX_CUSTOM_FIELDS)).describe('自定义字段'),
});

const batchIdSchema = z.number().int().describe('导入批次ID (batchId)');

const submitOperation = `mutation ImportCustomers($input: ImportCustomersInput!) { importCustomers(input: $input) { batchId } }`;
const submitErrorFields = { input: '', 'input.profiles': 'data', 'input.groupRelations': 'data' };

const commonNotes = [
  `The call answers at once with the job's batchId (data); the rows are imported in the background. Read the outcome with GET /api/integrate/audience/import/result?batchId=.`,
  `At most ${MAX_INLINE_ROWS} rows a call: more is HTTP 400 naming data. Wrong types are HTTP 400 naming the row and field (data[3].phone); nothing is imported. Problems of values (an unknown identity type, a bad birthday, no match for a delete) are row errors of the job: {row, field, message}.`,
  'An Idempotency-Key header that repeats an earlier call of the same app answers the earlier batchId and imports nothing again (whatever the body).',
];

const profileNotes = [
  'The seed’s response example has no data; CONTRACT §4.3 adds the batchId as data (clients that ignore it are unaffected).',
  'Fuzzy matching (matchingType 2) tries unionid, openid, phone, audienceUserId in the identifyWay order (2: phone, unionid, openid, audienceUserId), then identityId; the first customer found that conflicts with none of the earlier identities is updated (createCustomerByIdentity’s identityFirst rule), else a customer is created. Exact matching (1) looks up only the row’s identityType (identityId, or the column of that type).',
  'identityId without identityType is an external_id identity (the seed example sends identityId alone). audienceUserId is the customer id in this gateway: it finds a customer and is never created; an unknown one is a row error.',
  'The row’s other identities are attached to the customer when they belong to nobody and do not conflict with it; an identity of another customer stays where it is (no merge). phone also fills the mobile field; sex 男/女; birthday yyyy-MM-dd; only fields given are written.',
  'tags are added to the customer’s tags (none removed). customFields are the multi-valued extended attributes customField.<configId> (named configName, defined on first use); a row’s values replace that field’s values. A field given only by configName must already exist (by key or name).',
  'importMode 1: any bad row fails the job (FAILED, nothing written, the bad rows listed); 2: the valid rows are imported (PARTIAL when some are bad).',
];

/** Seed 004's import, served at its address and at the deprecated one. */
const profileImport = {
  request: z.object({
    publicParams: profileParams.describe('客户资料导入配置'),
    data: listField(profileRow, MAX_INLINE_ROWS).describe(`导入数据, at most ${MAX_INLINE_ROWS} rows`),
  }),
  operation: submitOperation,
  variables: (req: { publicParams: unknown; data: unknown[] }, headers: Record<string, string | string[] | undefined>) => ({
    input: { kind: 'PROFILE', publicParams: req.publicParams, profiles: req.data, idempotencyKey: idempotencyKey(headers) },
  }),
  result: (data: { importCustomers: { batchId: number } }) => data.importCustomers.batchId,
  response: batchIdSchema,
  errorFields: submitErrorFields,
};

export const audienceRoutes = [
  defineRoute({
    family: audience,
    method: 'POST',
    path: '/api/integrate/audience/group/rel/batchAdd',
    summary:
      '客户分组导入: adds matched or new customers to groups (optType add), or removes matched customers from them (delete), as an import job',
    seed: '002 客户分组导入',
    request: z.object({
      publicParams: groupRelationParams.describe('客户分组导入配置'),
      data: listField(groupRelationRow, MAX_INLINE_ROWS).describe(`导入数据, 每次最大${MAX_INLINE_ROWS}条`),
    }),
    operation: submitOperation,
    variables: (req, headers) => ({
      input: { kind: 'GROUP_RELATION', publicParams: req.publicParams, groupRelations: req.data, idempotencyKey: idempotencyKey(headers) },
    }),
    result: (data: { importCustomers: { batchId: number } }) => data.importCustomers.batchId,
    response: batchIdSchema,
    errorFields: submitErrorFields,
    example: {
      publicParams: { isMatching: true, matchingType: 2, identifyWay: 1, optType: 'add' },
      data: [{ thirdId: '1', groups: 'group1,group2' }],
    },
    notes: [
      ...commonNotes,
      'thirdId (第三方客户ID) is an external_id identity; identityType id names it in exact matching. Fuzzy order 1: unionid, openid, phone, thirdId; 2: the reverse. The first customer found that conflicts with none of the earlier identities is the row’s customer; none found: add creates a customer, delete is a row error.',
      'groups are group names (kind GROUP), created on first use by add; delete removes memberships and never creates a group. The row’s free identities are attached to its customer (add only).',
      'accurateMatchType + accurateMatchValue name the application openids belong to (e.g. gzh + the official account appId): openids created by the import record it as their source, and an openid recorded for another application is a row error instead of a match.',
      'importMode (1 or 2, default 2) is accepted here as in seed 004.',
    ],
  }),
  defineRoute({
    family: audience,
    method: 'POST',
    path: '/api/integrate/audience/info/batchAdd',
    summary: '客户资料导入: creates or updates customers from profile rows (identities, fields, tags, custom fields), as an import job',
    seed: '004 客户资料导入',
    ...profileImport,
    example: {
      publicParams: { isMatching: true, matchingType: 1, importMode: 1 },
      data: [
        {
          identityId: '1',
          customFields: [
            { configId: 1, configName: '属性1', values: ['p1-1', 'p1-2'] },
            { configId: 2, configName: '属性2', values: ['p2-1', 'p2-2'] },
          ],
        },
      ],
    },
    notes: [...commonNotes, ...profileNotes],
  }),
  defineRoute({
    family: audience,
    method: 'POST',
    path: '/api/integrate/import/user/batchAdd',
    summary: '客户资料导入 (deprecated address, 即将废弃): the same as /api/integrate/audience/info/batchAdd',
    seed: '004 客户资料导入 (旧地址)',
    ...profileImport,
    example: {
      publicParams: { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 },
      data: [{ phone: '13800000000', realName: '张三', sex: '男', tags: 'vip,new' }],
    },
    notes: ['Kept for clients of the old address; answers exactly as /api/integrate/audience/info/batchAdd.'],
  }),
  defineRoute({
    family: audience,
    method: 'GET',
    path: '/api/integrate/audience/import/result',
    summary: '查询数据导入结果: an import job’s status, counts and row errors',
    seed: '002/004 查询数据导入结果 (linked without a URL; CONTRACT §4.3 names it)',
    request: z.object({ batchId: idField.describe('导入批次ID') }),
    operation: `query ImportResult($id: ID!) {
      importJob(id: $id) { batchId status total succeeded failed errors(first: 1000) { row field message } }
    }`,
    fields: { batchId: 'id' },
    result: (
      data: { importJob: { batchId: number; status: string; total: number; succeeded: number; failed: number; errors: unknown[] } | null },
      req,
    ) => {
      if (!data.importJob) {
        throw new DomainError('NOT_FOUND', `batchId: import job ${req.batchId} not found`, [{ field: 'batchId', message: 'not found' }]);
      }
      return data.importJob;
    },
    response: z
      .object({
        batchId: z.number().int(),
        status: z.enum(['PENDING', 'RUNNING', 'INTERRUPTED', 'SUCCEEDED', 'PARTIAL', 'FAILED']),
        total: z.number().int(),
        succeeded: z.number().int(),
        failed: z.number().int(),
        errors: z.array(z.object({ row: z.number().int(), field: z.string().nullable(), message: z.string() }).strict()),
      })
      .strict(),
    example: { batchId: '1' },
    notes: [
      'row is the 0-based index of the row in the call’s data; field the seed field at fault (null: the whole row). At most 1000 errors are listed.',
      'An app reads the jobs it submitted (and CLI jobs); another app’s batchId is HTTP 404 as an unknown one is. customer:write suffices (who imports may read the outcome).',
      'failed counts the rows not imported: in importMode 1 every row of a job with a bad row.',
    ],
  }),
];
