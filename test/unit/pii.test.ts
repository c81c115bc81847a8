// What may leave the database in logs and audit entries: phones, e-mails and tokens masked in
// text, personal keys masked whole, and an erased customer's strings gone except the vocabulary.
import { describe, expect, it } from 'vitest';
import { maskUrl } from '../../src/http/logging.ts';
import { eraseStrings, isPersonalKey, MASK, maskDeep, maskText } from '../../src/domain/pii.ts';

describe('maskText', () => {
  it.each([
    ['call 13800138000 now', 'call [phone] now'],
    ['+86 138-0013-8000', '[phone]'],
    ['mail zhang.san@example.com.cn', 'mail [email]'],
    ['邮箱 张三@例子.中国', '邮箱 [email]'],
    ['openid oAbCdEfGhIjKlMnOpQrStUvWx1', 'openid [token]'],
    ['Bearer abcdefghijklmnopqrstuvwxyz0123', 'Bearer [token]'],
    ['customer 42 not found', 'customer 42 not found'],
    ['short code 123456', 'short code 123456'],
    ['a word of letters only abcdefghijklmnopqrstuvwxyz', 'a word of letters only abcdefghijklmnopqrstuvwxyz'],
  ])('%j → %j', (text, masked) => {
    expect(maskText(text)).toBe(masked);
  });
});

describe('isPersonalKey', () => {
  it.each([
    ['mobile', true],
    ['MOBILE', true],
    ['realName', true],
    ['openId', true],
    ['authorization', true],
    ['customerId', false],
    ['code', false],
    ['type', false],
  ])('%s → %s', (key, personal) => {
    expect(isPersonalKey(key)).toBe(personal);
  });
});

describe('maskDeep', () => {
  it.each([
    ['a personal key, whatever its value', { mobile: 'anything' }, { mobile: MASK }],
    ['a phone under another key', { note: 'ring 13800138000' }, { note: 'ring [phone]' }],
    ['numbers and booleans kept', { id: 7, mobile: 13800138000, ok: true }, { id: 7, mobile: 13800138000, ok: true }],
    ['inside lists and objects', { rows: [{ name: 'Zhang San', id: 1 }] }, { rows: [{ name: MASK, id: 1 }] }],
    ['a list under a personal key', { values: ['a', 'b'] }, { values: [MASK, MASK] }],
    ['null and undefined', { name: null, x: undefined }, { name: null, x: undefined }],
  ])('%s', (_what, value, masked) => {
    expect(maskDeep(value)).toEqual(masked);
  });

  it('keeps dates and stops at depth 20', () => {
    const at = new Date('2020-01-01T00:00:00Z');
    expect(maskDeep({ at })).toEqual({ at });
    let deep: unknown = 'x';
    for (let i = 0; i < 30; i++) deep = { d: deep };
    expect(JSON.stringify(maskDeep(deep))).toContain(MASK);
  });
});

describe('eraseStrings', () => {
  it.each([
    ['a string that is not vocabulary', { note: 'Zhang San' }, { note: '[erased]' }],
    ['vocabulary kept', { type: 'mobile', field: 'realName', reason: 'merge' }, { type: 'mobile', field: 'realName', reason: 'merge' }],
    ['ids kept, their neighbours erased', { customerIds: ['1', '2'], values: ['x'] }, { customerIds: ['1', '2'], values: ['[erased]'] }],
    ['numbers kept', { count: 3 }, { count: 3 }],
  ])('%s', (_what, value, erased) => {
    expect(eraseStrings(value)).toEqual(erased);
  });
});

describe('maskUrl', () => {
  it.each([
    ['/rest/customers', '/rest/customers'],
    ['/rest/customers?mobile=13800138000&page=1', `/rest/customers?mobile=${MASK}&page=${MASK}`],
    ['/rest/customers/13800138000', '/rest/customers/[phone]'],
    ['/rest/customers?', '/rest/customers'],
  ])('%s → %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });
});
