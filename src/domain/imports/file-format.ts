// The import file format: what `customer-graph import` reads (src/cli/row-files.ts), the
// console's upload reads in the browser (console/src/import-file.ts) and the test-data generator
// writes (src/test-data/). All use this one definition, so the production CLI does not depend on
// the generator, nor the generator on the CLI. Pure and import-free: the console bundles it.

export type RowFileFormat = 'csv' | 'jsonl';
export const ROW_FILE_FORMATS: readonly RowFileFormat[] = ['csv', 'jsonl'];

/** The columns of a CSV file (seed 004's field names), in the seed's order. */
export const PROFILE_COLUMNS = [
  'identityId',
  'identityType',
  'audienceUserId',
  'openid',
  'unionid',
  'phone',
  'realName',
  'sex',
  'address',
  'birthday',
  'remark',
  'tags',
  'customFields',
] as const;

/** The fields of a group-relation row (seed 002 导入客户分组关系), as the console's upload reads them. */
export const GROUP_RELATION_COLUMNS = ['identityType', 'thirdId', 'openid', 'unionid', 'phone', 'groups'] as const;

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
