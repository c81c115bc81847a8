// The REST request fields: what legacy clients send for ids, integers, dates and pages (as JSON
// or as the strings of query strings and forms), and the legacy names of the fields errors name.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { idField, intField, legacyDateTimeField, optional, pageArgs, pageSizeField, textIdField } from '../../src/rest/fields.ts';
import { MAX_PAGE_SIZE } from '../../src/domain/validation.ts';
import { legacyFieldName } from '../../src/rest/shim.ts';

function outcome(schema: z.ZodType, input: unknown): { ok: unknown } | { error: string } {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: parsed.data } : { error: parsed.error.issues[0].message };
}

describe('request fields', () => {
  const fields = { idField, intField, textIdField, pageSizeField, 'optional(intField)': optional(intField) };
  it.each([
    ['idField', 42, { ok: '42' }],
    ['idField', ' 42 ', { ok: '42' }],
    ['idField', 0, { error: 'must be a positive integer id' }],
    ['idField', '2147483648', { error: 'must be a positive integer id up to 2147483647' }],
    ['idField', 'abc', { error: 'must be a positive integer id' }],
    ['idField', undefined, { error: 'is required' }],
    ['idField', true, { error: 'must be a positive integer id' }],
    ['intField', '-7', { ok: -7 }],
    ['intField', 12, { ok: 12 }],
    ['intField', 1.5, { error: 'must be an integer' }],
    ['intField', 2147483648, { error: 'must be an integer between -2147483648 and 2147483647' }],
    ['textIdField', 998, { ok: '998' }],
    ['textIdField', ' x1 ', { ok: 'x1' }],
    ['textIdField', '  ', { error: 'must not be empty' }],
    ['pageSizeField', '20', { ok: 20 }],
    ['pageSizeField', 0, { error: 'must be at least 1' }],
    ['pageSizeField', MAX_PAGE_SIZE + 1, { error: `must be at most ${MAX_PAGE_SIZE}` }],
    ['optional(intField)', '', { ok: undefined }],
    ['optional(intField)', null, { ok: undefined }],
    ['optional(intField)', '3', { ok: 3 }],
  ] as const)('%s reads %j as %j', (name, input, expected) => {
    expect(outcome(fields[name], input)).toEqual(expected);
  });

  it.each([
    ['2018-11-28 11:04:18', { ok: new Date('2018-11-28T03:04:18.000Z') }],
    ['28.11.2018', { error: '"28.11.2018" is not a date-time (yyyy-MM-dd HH:mm:ss)' }],
    [12, { error: 'must be a date-time as yyyy-MM-dd HH:mm:ss' }],
  ])('legacyDateTimeField reads %j as %j', (input, expected) => {
    expect(outcome(legacyDateTimeField, input)).toEqual(expected);
  });

  it.each([
    [1, 20, { first: 20, offset: 0 }],
    [3, 20, { first: 20, offset: 40 }],
    [2, 1, { first: 1, offset: 1 }],
  ])('page %i of size %i is %j', (page, size, args) => {
    expect(pageArgs(page, size)).toEqual(args);
  });
});

describe('legacyFieldName', () => {
  const errorFields = { 'input.profile': '', 'input.identities': 'identityList', 'input.profile.mobile': 'tel', groupId: 'group_id' };
  it.each([
    ['input.profile.email', 'email'],
    ['input.profile.mobile', 'tel'],
    ['input.profile.mobileVerified', 'mobileVerified'],
    ['input.identities[2].value', 'identityList[2].value'],
    ['input.identities', 'identityList'],
    ['groupId', 'group_id'],
    ['groupIds', 'groupIds'],
    ['input.other', 'input.other'],
    ['(input)', '(input)'],
  ])('%s → %s', (field, legacy) => {
    expect(legacyFieldName(field, errorFields)).toBe(legacy);
  });
});
