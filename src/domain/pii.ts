// Personal data that must not leave the database in clear: into logs, the audit log, or
// merge and audit records of an erased customer. Two tools: patterns that find phones,
// e-mails and tokens inside any text, and keys whose values are personal whatever they look
// like (names, addresses, identity values).

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
// 7+ digits, optionally grouped by spaces, dots, dashes or parentheses, optionally with a
// leading +: phones ("138.0013.8000", "(010) 6552-1234"), QQ numbers, long numeric ids. Dates
// inside text get masked too; that is the price.
const PHONE = /\+?\(?\d(?:(?:[ .-]|\) ?)?\(?\d){6,}/g;
// Long random strings (bearer tokens, secrets, WeChat openid/unionid): letters and digits mixed.
const TOKEN = /(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{24,}(?![A-Za-z0-9_-])/g;

export const MASK = '[masked]';

/** Masks phones, e-mails and tokens inside free text. */
export function maskText(text: string): string {
  return text.replace(EMAIL, '[email]').replace(TOKEN, '[token]').replace(PHONE, '[phone]');
}

/**
 * Keys whose string values are personal data (profile fields, identity values, credentials),
 * compared case-insensitively. Values under them are replaced whole.
 */
const personalKeys = new Set(
  [
    'name',
    'realName',
    'nickName',
    'mobile',
    'phone',
    'tel',
    'email',
    'birthday',
    'address',
    'location',
    'province',
    'city',
    'district',
    'company',
    'position',
    'img',
    'hobby',
    'remark',
    'openId',
    'unionId',
    'referrer',
    'referrerName',
    'identityValue',
    'value',
    'values',
    'attrValue',
    'username',
    'qq',
    'wechat',
    'userName',
    'searchKey',
    'search',
    'secret',
    'token',
    'password',
    'authorization',
    'template',
    'script',
    'reference',
    'displayName',
    'workunit',
    'title',
    'job',
    // identity values under the names the legacy families give them (seeds 000, 002, 004)
    'identityId',
    'thirdId',
    'friendIdentityValues',
    'userIdA',
    'userIdBatch',
    'openid',
    'unionid',
    'identityValues',
  ].map((k) => k.toLowerCase()),
);

export function isPersonalKey(key: string): boolean {
  return personalKeys.has(key.toLowerCase());
}

/**
 * A copy of `value` fit for logs and the audit log: strings under personal keys replaced by
 * MASK, phones, e-mails and tokens masked in every other string. Numbers, booleans and keys
 * are kept (ids and flags are what make an audit entry useful).
 */
export function maskDeep(value: unknown, key = '', depth = 0): unknown {
  if (depth > 20) return MASK;
  if (typeof value === 'string') return key && isPersonalKey(key) ? MASK : maskText(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, key, depth + 1));
  if (value && typeof value === 'object') {
    if (value instanceof Date) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, k, depth + 1)]));
  }
  return value;
}

/**
 * A copy of `value` with every string erased, except the vocabulary of the schema (identity
 * types, field names, kinds) that says *what* moved without saying whose. Used on merge events
 * and audit entries of an erased customer.
 */
const vocabularyKeys = new Set(
  [
    'type',
    'identityType',
    'kind',
    'field',
    'attrKey',
    'key',
    'action',
    'outcome',
    'code',
    'operation',
    'reason',
    // record ids: they say which rows, not who
    'id',
    'ids',
    'customerId',
    'customerIds',
    'targetId',
    'sourceId',
    'sourceIds',
    'friendIds',
    'groupId',
    'batchId',
    'jobId',
    'requestId',
  ].map((k) => k.toLowerCase()),
);

export function eraseStrings(value: unknown, key = '', depth = 0): unknown {
  if (depth > 50) return '[erased]';
  if (typeof value === 'string') return vocabularyKeys.has(key.toLowerCase()) ? value : '[erased]';
  if (Array.isArray(value)) return value.map((v) => eraseStrings(v, key, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, eraseStrings(v, k, depth + 1)]));
  }
  return value;
}
