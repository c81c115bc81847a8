// Import options (publicParams) and rows of the audience family: seed 002 (客户分组导入, kind
// GROUP_RELATION) and seed 004 (客户资料导入, kind PROFILE). Pure: checks shapes and values and
// puts each row's identities in the order matching tries them (CONTRACT §5); the database
// part (who holds what) is engine.ts.
import { profileShape, parseGender } from '../customer-fields.ts';
import { DomainError, invalidInput, type FieldIssue } from '../errors.ts';
import { parseGroupNames } from '../groups.ts';
import { dedupeIdentities } from '../identity/rules.ts';
import { normalizeIdentity, type IdentityTypeRule } from '../identity-types.ts';

export type ImportKind = 'PROFILE' | 'GROUP_RELATION';
export const IMPORT_KINDS: readonly ImportKind[] = ['PROFILE', 'GROUP_RELATION'];

/** One problem with one row: `row` is its 0-based index in the job, `field` the seed field (null: the whole row). */
export interface RowError {
  row: number;
  field: string | null;
  message: string;
}

/** The application types of seed 002 accurateMatchType. */
export const ACCURATE_MATCH_TYPES = ['gzh', 'workwechat', 'YOUZAN', 'EZR', 'contentminiapp', 'contenthome'] as const;

export const MAX_TAGS = 50;
export const MAX_CUSTOM_FIELDS = 100;
export const MAX_CUSTOM_VALUES = 100;

export interface ImportOptions {
  kind: ImportKind;
  isMatching: boolean;
  /** 1 exact (by the row's identityType), 2 fuzzy (identifyWay order); null when isMatching is false. */
  matchingType: 1 | 2 | null;
  identifyWay: 1 | 2 | null;
  /** "gzh:wx123": the application openids are matched in and recorded for (seed 002 accurateMatchType/Value). */
  accurateScope: string | null;
  optType: 'add' | 'delete';
  /** 1 all-or-nothing, 2 keep the valid rows. */
  importMode: 1 | 2;
}

/** The customer-id pseudo identity of seed 004 (audienceUserId: this gateway's customer id). */
export const CUSTOMER_ID = '#customerId';

/** One identity of a row, in the order matching tries them. */
export interface RowIdentity {
  /** The seed field it came from (phone, thirdId, identityId, audienceUserId, …). */
  column: string;
  /** An identity type, or CUSTOMER_ID. */
  type: string;
  value: string;
}

export interface CustomFieldEntry {
  index: number;
  configId: number | null;
  configName: string | null;
  values: string[];
}

export interface ParsedRow {
  row: number;
  /** Every identity of the row; matching looks up the first `lookup` of them. */
  identities: RowIdentity[];
  lookup: number;
  /** Customer columns to write (PROFILE). */
  fields: Record<string, string | number>;
  tags: string[];
  customFields: CustomFieldEntry[];
  /** Group names (GROUP_RELATION). */
  groups: string[];
}

// ---------------------------------------------------------------------------------------------
// Options

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null || v === '';

/** An integer sent as a number or as digits (CLI and form clients send text). */
function intOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d{1,9}\s*$/.test(v)) return Number(v);
  return null;
}

function boolOf(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1 || v === '1') return true;
  if (v === 'false' || v === 0 || v === '0') return false;
  return null;
}

/** Checks publicParams; a BAD_INPUT naming every bad field (publicParams.matchingType: …). */
export function parseImportOptions(kind: ImportKind, raw: unknown): ImportOptions {
  const issues: FieldIssue[] = [];
  const bad = (field: string, message: string) => issues.push({ field: `publicParams.${field}`, message });
  if (!IMPORT_KINDS.includes(kind)) throw invalidInput([{ field: 'kind', message: `must be one of ${IMPORT_KINDS.join(', ')}` }]);
  if (!isObject(raw)) throw invalidInput([{ field: 'publicParams', message: 'must be an object' }]);

  const isMatching = boolOf(raw.isMatching);
  if (isMatching === null) bad('isMatching', absent(raw.isMatching) ? 'is required' : 'must be true or false');

  let matchingType: 1 | 2 | null = null;
  let identifyWay: 1 | 2 | null = null;
  if (isMatching) {
    const m = intOf(raw.matchingType);
    if (absent(raw.matchingType)) bad('matchingType', 'is required when isMatching is true (1 exact, 2 fuzzy)');
    else if (m !== 1 && m !== 2) bad('matchingType', 'must be 1 (exact) or 2 (fuzzy)');
    else matchingType = m;
    if (matchingType === 2) {
      const w = intOf(raw.identifyWay);
      if (absent(raw.identifyWay)) bad('identifyWay', 'is required when matchingType is 2 (fuzzy)');
      else if (w !== 1 && w !== 2) bad('identifyWay', 'must be 1 or 2');
      else identifyWay = w;
    }
  }

  let accurateScope: string | null = null;
  let optType: 'add' | 'delete' = 'add';
  let importMode: 1 | 2 = 2;
  if (kind === 'GROUP_RELATION') {
    if (absent(raw.optType)) bad('optType', 'is required (add or delete)');
    else if (raw.optType !== 'add' && raw.optType !== 'delete') bad('optType', 'must be add or delete');
    else optType = raw.optType;
    if (optType === 'delete' && isMatching === false)
      bad('optType', 'delete removes matched customers from groups: it needs isMatching true');
    const type = raw.accurateMatchType;
    const value = raw.accurateMatchValue;
    if (!absent(type) || !absent(value)) {
      if (absent(type)) bad('accurateMatchType', 'is required with accurateMatchValue');
      else if (!(ACCURATE_MATCH_TYPES as readonly unknown[]).includes(type))
        bad('accurateMatchType', `must be one of ${ACCURATE_MATCH_TYPES.join(', ')}`);
      if (absent(value)) bad('accurateMatchValue', 'is required with accurateMatchType');
      else if (typeof value !== 'string' || value.trim().length > 100)
        bad('accurateMatchValue', 'must be an application id of at most 100 characters');
      if (!issues.length) accurateScope = `${String(type)}:${String(value).trim()}`;
    }
    if (!absent(raw.importMode)) {
      const mode = intOf(raw.importMode);
      if (mode !== 1 && mode !== 2) bad('importMode', 'must be 1 (all or nothing) or 2 (keep the valid rows)');
      else importMode = mode;
    }
  } else {
    const mode = intOf(raw.importMode);
    if (absent(raw.importMode)) bad('importMode', 'is required (1 all or nothing, 2 keep the valid rows)');
    else if (mode !== 1 && mode !== 2) bad('importMode', 'must be 1 (all or nothing) or 2 (keep the valid rows)');
    else importMode = mode;
  }
  if (issues.length) throw invalidInput(issues);
  return { kind, isMatching: isMatching!, matchingType, identifyWay, accurateScope, optType, importMode };
}

// ---------------------------------------------------------------------------------------------
// Rows

/** Seed field → identity type, per kind; `customerId` is the 客户ID of identifyWay. */
const IDENTITY_COLUMNS: Record<ImportKind, Record<'unionid' | 'openid' | 'phone' | 'customerId', { column: string; type: string }>> = {
  GROUP_RELATION: {
    unionid: { column: 'unionid', type: 'unionid' },
    openid: { column: 'openid', type: 'openid' },
    phone: { column: 'phone', type: 'phone' },
    // 第三方客户ID: the customer's id in the enterprise's own system.
    customerId: { column: 'thirdId', type: 'external_id' },
  },
  PROFILE: {
    unionid: { column: 'unionid', type: 'unionid' },
    openid: { column: 'openid', type: 'openid' },
    phone: { column: 'phone', type: 'phone' },
    // 客户ID: this gateway's customer id; it finds a customer, it is never created.
    customerId: { column: 'audienceUserId', type: CUSTOMER_ID },
  },
};

/** identifyWay orders (CONTRACT §5). */
const IDENTIFY_WAYS: Record<ImportKind, Record<1 | 2, ('unionid' | 'openid' | 'phone' | 'customerId')[]>> = {
  GROUP_RELATION: { 1: ['unionid', 'openid', 'phone', 'customerId'], 2: ['customerId', 'phone', 'openid', 'unionid'] },
  PROFILE: { 1: ['unionid', 'openid', 'phone', 'customerId'], 2: ['phone', 'unionid', 'openid', 'customerId'] },
};

/** seed 002 identityType values → the key of IDENTITY_COLUMNS. */
const GROUP_IDENTITY_TYPES: Record<string, 'unionid' | 'openid' | 'phone' | 'customerId'> = {
  phone: 'phone',
  id: 'customerId',
  openid: 'openid',
  unionid: 'unionid',
};

/** A text value as legacy clients send it: a string or a number; '' and null are absent. */
function textOf(raw: Record<string, unknown>, column: string, issues: RowError[], row: number, max = 255): string | null {
  const v = raw[column];
  if (absent(v)) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') {
    issues.push({ row, field: column, message: 'must be a string' });
    return null;
  }
  const text = v.trim();
  if (text === '') return null;
  if (text.length > max) {
    issues.push({ row, field: column, message: `must be at most ${max} characters` });
    return null;
  }
  return text;
}

/** A comma-separated list (seed: 多个用,号隔开), or a list. */
function listOf(raw: Record<string, unknown>, column: string, issues: RowError[], row: number): string[] {
  const v = raw[column];
  if (absent(v)) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number'))
    return [...new Set(v.map((x) => String(x).trim()).filter(Boolean))];
  if (typeof v !== 'string') {
    issues.push({ row, field: column, message: 'must be a comma-separated string' });
    return [];
  }
  try {
    return parseGroupNames(v.replace(/，/g, ','), column, row);
  } catch (error) {
    if (error instanceof DomainError) issues.push(...error.issues.map((i) => ({ row, field: column, message: i.message })));
    else throw error;
    return [];
  }
}

function customFieldsOf(raw: Record<string, unknown>, issues: RowError[], row: number): CustomFieldEntry[] {
  let v = raw.customFields;
  if (absent(v)) return [];
  // CSV rows carry customFields as a JSON text column.
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      issues.push({ row, field: 'customFields', message: 'is not valid JSON' });
      return [];
    }
  }
  if (!Array.isArray(v)) {
    issues.push({ row, field: 'customFields', message: 'must be a list of {configId, configName, values}' });
    return [];
  }
  if (v.length > MAX_CUSTOM_FIELDS) {
    issues.push({ row, field: 'customFields', message: `at most ${MAX_CUSTOM_FIELDS} fields` });
    return [];
  }
  const entries: CustomFieldEntry[] = [];
  v.forEach((item: unknown, index) => {
    const field = `customFields[${index}]`;
    if (!isObject(item)) return void issues.push({ row, field, message: 'must be an object {configId, configName, values}' });
    const configId = absent(item.configId) ? null : intOf(item.configId);
    if (!absent(item.configId) && (configId === null || configId <= 0))
      return void issues.push({ row, field: `${field}.configId`, message: 'must be a positive integer' });
    let configName: string | null = null;
    if (!absent(item.configName)) {
      if (typeof item.configName !== 'string' || item.configName.trim().length > 100) {
        return void issues.push({ row, field: `${field}.configName`, message: 'must be text of at most 100 characters' });
      }
      configName = item.configName.trim() || null;
    }
    if (configId === null && configName === null)
      return void issues.push({ row, field: `${field}.configId`, message: 'configId or configName is required' });
    const rawValues = absent(item.values) ? [] : Array.isArray(item.values) ? item.values : [item.values];
    if (rawValues.length > MAX_CUSTOM_VALUES)
      return void issues.push({ row, field: `${field}.values`, message: `at most ${MAX_CUSTOM_VALUES} values` });
    const values: string[] = [];
    for (const [j, value] of rawValues.entries()) {
      if (typeof value === 'number' && Number.isFinite(value)) values.push(String(value));
      else if (typeof value === 'string') {
        if (value.trim() !== '') values.push(value.trim());
      } else return void issues.push({ row, field: `${field}.values[${j}]`, message: 'must be a string' });
    }
    entries.push({ index, configId, configName, values: [...new Set(values)] });
  });
  return entries;
}

/** seed 004 birthday: yyyy-MM-dd, also yyyy/M/d. */
function birthdayOf(text: string): string | null {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(text);
  if (!m) return null;
  const iso = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  return profileShape.birthday.safeParse(iso).success ? iso : null;
}

/**
 * The row's identities with their values normalised as stored, a repeated one counted once,
 * and a second value of a unique type refused (dedupeIdentities). Uniqueness is the type's
 * `unique` flag; without `rules` (a file checked before the import) only the customer id is
 * known to be unique, and the import checks the rest.
 */
function normaliseRowIdentities(
  identities: RowIdentity[],
  row: number,
  errors: RowError[],
  rules?: Map<string, IdentityTypeRule>,
): RowIdentity[] {
  const valid: (RowIdentity & { given: { type: { name: string; unique: boolean }; value: string } })[] = [];
  for (const identity of identities) {
    let value = identity.value;
    if (identity.type !== CUSTOMER_ID && rules) {
      try {
        value = normalizeIdentity(rules, { identityType: identity.type, identityValue: identity.value }, identity.column).value;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const issue = error.issues[0];
        errors.push({
          row,
          field: identity.column === 'identityId' && issue.field.endsWith('identityType') ? 'identityType' : identity.column,
          message: issue.message,
        });
        continue;
      }
    }
    const unique = identity.type === CUSTOMER_ID || (rules ? (rules.get(identity.type)?.unique ?? true) : false);
    valid.push({ ...identity, value, given: { type: { name: identity.type, unique }, value } });
  }
  const { kept, clashes } = dedupeIdentities(valid.map((v) => ({ ...v.given, identity: v })));
  for (const { index, earlier } of clashes) {
    const { column, type, value } = valid[index];
    const first = valid[earlier];
    errors.push({
      row,
      field: column,
      message: `gives a second ${type === CUSTOMER_ID ? 'customer id' : type} ("${value}" besides ${first.column} "${first.value}")`,
    });
  }
  return kept.map(({ identity: { column, type, value } }) => ({ column, type, value }));
}

type IdentityKey = 'unionid' | 'openid' | 'phone' | 'customerId';

/** The identity columns a row gives: by identifyWay key, plus seed 004's identityType + identityId. */
interface RowIdentityColumns {
  byKey: Map<IdentityKey, RowIdentity>;
  /** seed 004: identityId, an identity of type identityType (external_id when untyped). */
  extra: RowIdentity | null;
  identityTypeText: string | null;
}

function identityColumnsOf(kind: ImportKind, raw: Record<string, unknown>, row: number, errors: RowError[]): RowIdentityColumns {
  const byKey = new Map<IdentityKey, RowIdentity>();
  for (const [key, { column, type }] of Object.entries(IDENTITY_COLUMNS[kind]) as [IdentityKey, { column: string; type: string }][]) {
    const value = textOf(raw, column, errors, row);
    if (value === null) continue;
    if (type === CUSTOMER_ID && !/^\d{1,10}$/.test(value)) {
      errors.push({ row, field: column, message: 'must be a customer id (digits)' });
      continue;
    }
    byKey.set(key, { column, type, value });
  }
  let extra: RowIdentity | null = null;
  const identityTypeText = textOf(raw, 'identityType', errors, row, 40);
  if (kind === 'PROFILE') {
    const identityId = textOf(raw, 'identityId', errors, row);
    if (identityId !== null) {
      const type = identityTypeText === null ? 'external_id' : identityTypeText === 'id' ? CUSTOMER_ID : identityTypeText;
      if (type === CUSTOMER_ID && !/^\d{1,10}$/.test(identityId))
        errors.push({ row, field: 'identityId', message: 'must be a customer id (digits) when identityType is id' });
      else extra = { column: 'identityId', type, value: identityId };
    }
  }
  return { byKey, extra, identityTypeText };
}

/** Exact matching (matchingType 1): the identity the row's identityType names, or null (a row error says why). */
function exactKey(
  kind: ImportKind,
  { byKey, extra, identityTypeText }: RowIdentityColumns,
  row: number,
  errors: RowError[],
): RowIdentity | null {
  // seed 004: identityId (typed by identityType, external_id when untyped, as in the seed's example) is the key.
  if (kind === 'PROFILE' && extra) return extra;
  if (identityTypeText === null) {
    errors.push({ row, field: 'identityType', message: 'is required when matchingType is 1 (exact)' });
    return null;
  }
  if (kind === 'GROUP_RELATION') {
    const which = GROUP_IDENTITY_TYPES[identityTypeText];
    if (!which) errors.push({ row, field: 'identityType', message: 'must be phone, id, openid or unionid' });
    else if (!byKey.has(which))
      errors.push({ row, field: IDENTITY_COLUMNS[kind][which].column, message: `is required: identityType is ${identityTypeText}` });
    else return byKey.get(which)!;
    return null;
  }
  const which = (identityTypeText === 'id' ? 'customerId' : identityTypeText) as IdentityKey;
  if (byKey.has(which)) return byKey.get(which)!;
  errors.push({ row, field: 'identityId', message: `is required: no value of identityType ${identityTypeText} in the row` });
  return null;
}

/** The order matching tries the row's identities in, and how many of them it looks up (CONTRACT §5). */
function matchingOrder(
  options: ImportOptions,
  columns: RowIdentityColumns,
  row: number,
  errors: RowError[],
): { identities: RowIdentity[]; lookup: number } {
  const { byKey, extra } = columns;
  const withExtra = (list: RowIdentity[]) => (extra ? [...list, extra] : list);
  if (!options.isMatching) return { identities: withExtra([...byKey.values()]), lookup: 0 };
  if (options.matchingType === 2) {
    const identities = withExtra(
      IDENTIFY_WAYS[options.kind][options.identifyWay!].flatMap((key) => (byKey.has(key) ? [byKey.get(key)!] : [])),
    );
    return { identities, lookup: identities.length };
  }
  // Exact: only the row's identityType finds a customer; the other identities are attached.
  const key = exactKey(options.kind, columns, row, errors);
  if (!key) return { identities: [], lookup: 0 };
  return { identities: [key, ...[...byKey.values()].filter((i) => i !== key), ...(extra && extra !== key ? [extra] : [])], lookup: 1 };
}

/** seed 004 profile columns, tags and custom fields; `phone` also fills mobile. */
function profileOf(raw: Record<string, unknown>, phone: RowIdentity | undefined, row: number, errors: RowError[]) {
  const fields: Record<string, string | number> = {};
  const realName = textOf(raw, 'realName', errors, row);
  if (realName !== null) fields.realName = realName;
  const sex = textOf(raw, 'sex', errors, row);
  if (sex !== null) {
    const gender = parseGender(sex);
    if (gender === undefined) errors.push({ row, field: 'sex', message: 'must be 男 or 女 (also M/F, 1/2)' });
    else if (gender !== 0) fields.gender = gender;
  }
  const address = textOf(raw, 'address', errors, row, 1000);
  if (address !== null) fields.address = address;
  const birthday = textOf(raw, 'birthday', errors, row);
  if (birthday !== null) {
    const iso = birthdayOf(birthday);
    if (iso === null) errors.push({ row, field: 'birthday', message: 'must be a date as yyyy-MM-dd' });
    else fields.birthday = iso;
  }
  const remark = textOf(raw, 'remark', errors, row, 2000);
  if (remark !== null) fields.remark = remark;
  if (phone && !errors.some((e) => e.field === 'phone')) {
    if (!profileShape.mobile.safeParse(phone.value).success)
      errors.push({ row, field: 'phone', message: 'must be a phone number (digits, +, -, spaces)' });
    else fields.mobile = phone.value;
  }
  const tags = listOf(raw, 'tags', errors, row);
  if (tags.length > MAX_TAGS) errors.push({ row, field: 'tags', message: `at most ${MAX_TAGS} tags` });
  return { fields, tags, customFields: customFieldsOf(raw, errors, row) };
}

/**
 * Checks one row and orders its identities. `rules` (the configured identity types) normalise
 * the values as they are stored; without them (a file checked before it is imported) values
 * are only checked for presence and length.
 */
export function parseImportRow(
  options: ImportOptions,
  raw: unknown,
  row: number,
  rules?: Map<string, IdentityTypeRule>,
): { parsed: ParsedRow | null; errors: RowError[] } {
  const errors: RowError[] = [];
  if (!isObject(raw)) return { parsed: null, errors: [{ row, field: null, message: 'must be an object' }] };
  const kind = options.kind;
  const columns = identityColumnsOf(kind, raw, row, errors);
  const order = matchingOrder(options, columns, row, errors);
  const identities = normaliseRowIdentities(order.identities, row, errors, rules);
  const lookup = Math.min(order.lookup, identities.length);

  let profile: ReturnType<typeof profileOf> = { fields: {}, tags: [], customFields: [] };
  let groups: string[] = [];
  if (kind === 'PROFILE') profile = profileOf(raw, columns.byKey.get('phone'), row, errors);
  else {
    groups = listOf(raw, 'groups', errors, row);
    if (groups.length === 0 && !errors.some((e) => e.field === 'groups'))
      errors.push({ row, field: 'groups', message: 'is required: the group names, separated by ","' });
  }
  if (options.optType === 'delete' && identities.length === 0)
    errors.push({ row, field: null, message: 'needs an identity to find the customer to remove from the groups' });
  if (options.isMatching && options.optType === 'add' && identities.length === 0 && !errors.length) {
    const names = kind === 'PROFILE' ? 'identityId, audienceUserId, phone, openid, unionid' : 'thirdId, phone, openid, unionid';
    errors.push({ row, field: null, message: `needs at least one of ${names} to match a customer (isMatching is true)` });
  }
  if (errors.length) return { parsed: null, errors };
  return { parsed: { row, identities, lookup, ...profile, groups }, errors };
}
