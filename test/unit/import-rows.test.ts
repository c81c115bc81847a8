// parseImportRow (seeds 002 and 004), without a database: the order matching tries a row's
// identities in, how many it looks up, one value per unique type, and the field errors.
import { describe, expect, it } from 'vitest';
import type { IdentityTypeRule } from '../../src/domain/identity-types.ts';
import { CUSTOMER_ID, parseImportOptions, parseImportRow } from '../../src/domain/imports/rows.ts';

const rules = new Map<string, IdentityTypeRule>(
  [
    ['unionid', 10, true, 'TRIM'],
    ['openid', 20, false, 'TRIM'],
    ['phone', 30, true, 'DIGITS'],
    ['email', 40, true, 'LOWERCASE'],
    ['external_id', 50, true, 'TRIM'],
  ].map(([name, priority, unique, normalization]) => [name as string, { name, priority, unique, normalization } as IdentityTypeRule]),
);
const fuzzy = (identifyWay: 1 | 2) => parseImportOptions('PROFILE', { isMatching: true, matchingType: 2, identifyWay, importMode: 2 });
const exact = parseImportOptions('PROFILE', { isMatching: true, matchingType: 1, importMode: 2 });
const groupExact = parseImportOptions('GROUP_RELATION', { isMatching: true, matchingType: 1, optType: 'add' });
const noMatching = parseImportOptions('PROFILE', { isMatching: false, importMode: 2 });

describe('parseImportRow: identity order and lookup', () => {
  const row = { unionid: 'u1', openid: 'o1', phone: '138 0013 8000', audienceUserId: '7' };
  it.each([
    ['fuzzy identifyWay 1: unionid > openid > phone > audienceUserId', fuzzy(1), row, ['unionid', 'openid', 'phone', CUSTOMER_ID], 4],
    ['fuzzy identifyWay 2: phone > unionid > openid > audienceUserId', fuzzy(2), row, ['phone', 'unionid', 'openid', CUSTOMER_ID], 4],
    [
      'exact: identityId typed by identityType first, the rest attached',
      exact,
      { identityType: 'email', identityId: 'A@B.CN', phone: '13800138000' },
      ['email', 'phone'],
      1,
    ],
    [
      'exact without identityType: identityId is an external_id',
      exact,
      { identityId: 'x-1', phone: '13800138000' },
      ['external_id', 'phone'],
      1,
    ],
    ['isMatching false: nothing looked up', noMatching, { phone: '13800138000', unionid: 'u' }, ['unionid', 'phone'], 0],
    [
      'seed 002 exact by identityType phone',
      groupExact,
      { identityType: 'phone', phone: '13800138000', thirdId: 't', groups: 'g' },
      ['phone', 'external_id'],
      1,
    ],
  ] as const)('%s', (_name, options, raw, types, lookup) => {
    const { parsed, errors } = parseImportRow(options, raw, 0, rules);
    expect(errors).toEqual([]);
    expect(parsed!.identities.map((i) => i.type)).toEqual(types);
    expect(parsed!.lookup).toBe(lookup);
  });

  it('normalises values as stored (phone digits, e-mail lower case)', () => {
    const { parsed } = parseImportRow(exact, { identityType: 'email', identityId: ' A@B.CN ', phone: '138-0013-8000' }, 0, rules);
    expect(parsed!.identities.map((i) => i.value)).toEqual(['a@b.cn', '13800138000']);
    expect(parsed!.fields.mobile).toBe('138-0013-8000');
  });
});

describe('parseImportRow: errors', () => {
  it.each([
    [
      'a second value of a unique type',
      exact,
      { identityType: 'phone', identityId: '13900000000', phone: '13800138000' },
      [{ row: 3, field: 'phone', message: expect.stringContaining('gives a second phone') }],
    ],
    [
      'exact without identityType (seed 002)',
      groupExact,
      { phone: '1', groups: 'g' },
      [{ row: 3, field: 'identityType', message: expect.stringContaining('required') }],
    ],
    [
      'a customer id of letters',
      fuzzy(1),
      { audienceUserId: 'abc' },
      [{ row: 3, field: 'audienceUserId', message: 'must be a customer id (digits)' }],
    ],
    [
      'a bad birthday and sex',
      fuzzy(1),
      { phone: '13800138000', birthday: 'yesterday', sex: '?' },
      [
        { row: 3, field: 'sex', message: expect.stringContaining('男') },
        { row: 3, field: 'birthday', message: 'must be a date as yyyy-MM-dd' },
      ],
    ],
    [
      'no identity to match by',
      fuzzy(1),
      { realName: 'x' },
      [{ row: 3, field: null, message: expect.stringContaining('needs at least one of') }],
    ],
    ['not an object', fuzzy(1), 'text', [{ row: 3, field: null, message: 'must be an object' }]],
  ] as const)('%s', (_name, options, raw, errors) => {
    const result = parseImportRow(options, raw, 3, rules);
    expect(result.parsed).toBeNull();
    expect(result.errors).toEqual(errors);
  });

  it('two openids are not a clash: the type is not unique (its flag, not its name)', () => {
    const { parsed, errors } = parseImportRow(exact, { identityType: 'openid', identityId: 'o2', openid: 'o1' }, 0, rules);
    expect(errors).toEqual([]);
    expect(parsed!.identities.map((i) => i.value)).toEqual(['o2', 'o1']);
  });
});
