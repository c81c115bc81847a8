// The customer profile: every system attribute of seed 001 (客户管理) and seed 004 (客户资料),
// with its type and rule. GraphQL inputs, the REST shim and imports all validate with these.
import { z } from 'zod';
import { INT32_MAX } from './validation.ts';

const text = (max = 255) => z.string().trim().max(max, `must be at most ${max} characters`);
const flag = z.number().int().min(0).max(1, 'must be 0 or 1');
const count = z.number().int().min(0, 'must not be negative').max(INT32_MAX, `must be at most ${INT32_MAX}`);

/** yyyy-MM-dd, a real calendar date. */
export const isoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as yyyy-MM-dd')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), {
    error: 'is not a valid calendar date',
  });

/** The most organisation codes (deptCodeList) one customer holds. */
export const MAX_DEPT_CODES = 100;

export const profileShape = {
  name: text(),
  realName: text(),
  nickName: text(),
  mobile: text(32).regex(/^\+?[\d\s()-]*$/, 'must be a phone number (digits, +, -, spaces)'),
  mobileVerified: flag,
  // What can be an address at all (a@b.c, RFC 6531 non-ASCII local parts): one @, no spaces.
  email: text().pipe(z.union([z.literal(''), z.email({ pattern: z.regexes.unicodeEmail, error: 'must be an e-mail address' })])),
  emailVerified: flag,
  gender: z.number().int().min(0).max(2, 'must be 0 (unknown), 1 (male) or 2 (female)'),
  birthday: z.union([z.literal(''), isoDate]),
  province: text(),
  city: text(),
  district: text(),
  address: text(1000),
  location: text(1000),
  company: text(),
  industry: text(),
  position: text(),
  website: text(1000),
  annualRevenue: count,
  employeeNumber: count,
  appId: text(),
  campaignId: count,
  chargeId: text(),
  createMethod: text(),
  editable: flag,
  isEmployee: flag,
  hobby: text(),
  img: text(2000),
  language: text(64),
  openId: text(),
  unionId: text(),
  referrer: text(),
  referrerName: text(),
  remark: text(2000),
  source: text(),
  source1: text(),
  source2: text(),
  source3: text(),
  source4: text(),
  source5: text(),
  source6: text(),
  source7: text(),
  source8: text(),
  subscribeSource: text(),
  deptCodeList: z.array(text(64)).max(MAX_DEPT_CODES),
} as const;

export type ProfileField = keyof typeof profileShape;
export const profileFields = Object.keys(profileShape) as ProfileField[];

/** Display names of the profile fields (seed 001 参数值), shown as attrName of system attributes. */
export const profileLabels: Record<ProfileField, string> = {
  name: '客户名称',
  realName: '真实姓名',
  nickName: '昵称',
  mobile: '手机号',
  mobileVerified: '手机号是否验证',
  email: '邮箱',
  emailVerified: '邮箱是否验证',
  gender: '性别',
  birthday: '生日',
  province: '省份',
  city: '市',
  district: '区',
  address: '地址',
  location: '详细地址',
  company: '公司',
  industry: '公司行业',
  position: '职位',
  website: '公司网站',
  annualRevenue: '公司年收入',
  employeeNumber: '公司员工数',
  appId: '公众号/小程序appId',
  campaignId: '营销活动id',
  chargeId: '客户负责人',
  createMethod: '创建方式',
  editable: '是否可编辑',
  isEmployee: '是否本公司员工',
  hobby: '癖好',
  img: '用户头像地址url',
  language: '微信语言',
  openId: '微信openid',
  unionId: '微信开放平台的unionId',
  referrer: '所属推广人id',
  referrerName: '所属推广人姓名',
  remark: '备注',
  source: '事件来源',
  source1: '客户来源1',
  source2: '客户来源2',
  source3: '客户来源3',
  source4: '客户来源4',
  source5: '客户来源5',
  source6: '客户来源6',
  source7: '客户来源7',
  source8: '客户来源8',
  subscribeSource: '微信关注来源',
  deptCodeList: '组织架构编码列表',
};

/** Every profile field optional; null clears a field. */
export const profileSchema = z
  .object(
    Object.fromEntries(profileFields.map((f) => [f, profileShape[f].nullish()])) as {
      [K in ProfileField]: z.ZodOptional<z.ZodNullable<(typeof profileShape)[K]>>;
    },
  )
  .partial();

export type ProfileInput = z.infer<typeof profileSchema>;

export const intFields = new Set<ProfileField>(
  profileFields.filter((f) => {
    const schema = profileShape[f] as z.ZodType;
    return schema instanceof z.ZodNumber;
  }),
);

/** Turns validated profile input into column values (deptCodeList is stored as JSON text). */
export function toColumns(input: ProfileInput): Record<string, string | number | null> {
  const columns: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key === 'deptCodeList') columns[key] = value === null ? null : JSON.stringify(value);
    else columns[key] = value === '' ? null : (value as string | number | null);
  }
  return columns;
}

/** Reads deptCodeList back as a list. */
export function deptCodes(stored: string | null): string[] {
  if (!stored) return [];
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * Gender as the families send it: 0/1/2 (seed 001), "M"/"F" (seed 000), 男/女 (seed 004).
 * Returns undefined for a value that is none of these.
 */
export function parseGender(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return 0;
  if (typeof value === 'number') return [0, 1, 2].includes(value) ? value : undefined;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any scalar a file holds is read as its text
  const text = String(value).trim().toUpperCase();
  const known: Record<string, number> = { '0': 0, '1': 1, '2': 2, M: 1, MALE: 1, 男: 1, F: 2, FEMALE: 2, 女: 2, U: 0, 未知: 0 };
  return known[text];
}
