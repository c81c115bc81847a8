// The legacy families' date-times: no zone means UTC+8 (the vendor's), written back the same way.
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { formatLegacyDateTime, legacyRangeEnd, parseLegacyDateTime } from '../../src/domain/legacy-dates.ts';

describe('parseLegacyDateTime', () => {
  it.each([
    ['2018-11-28 11:04:18', '2018-11-28T03:04:18.000Z'],
    ['2018-11-28T11:04:18', '2018-11-28T03:04:18.000Z'],
    ['2018-11-28 11:04', '2018-11-28T03:04:00.000Z'],
    ['2018-11-28', '2018-11-27T16:00:00.000Z'],
    ['  2018-11-28 00:00:00  ', '2018-11-27T16:00:00.000Z'],
    ['2018-11-28T11:04:18Z', '2018-11-28T11:04:18.000Z'],
    ['2018-11-28T11:04:18+01:00', '2018-11-28T10:04:18.000Z'],
  ])('reads %j as %s', (text, iso) => {
    expect(parseLegacyDateTime(text, 'startTime').toISOString()).toBe(iso);
  });

  it.each(['', 'yesterday', '2018-13-45 11:04:18', '2018-11-28 25:00:00', '28/11/2018'])('refuses %j naming the field', (text) => {
    let caught: unknown;
    try {
      parseLegacyDateTime(text, 'startTime');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect(caught).toMatchObject({ code: 'BAD_INPUT', issues: [{ field: 'startTime' }] });
  });
});

describe('formatLegacyDateTime', () => {
  it.each([
    ['2018-11-28T03:04:18.000Z', '2018-11-28 11:04:18'],
    ['2018-11-27T16:00:00.000Z', '2018-11-28 00:00:00'],
    ['2018-12-31T20:00:00.500Z', '2019-01-01 04:00:00'],
  ])('writes %s as %j', (iso, text) => {
    expect(formatLegacyDateTime(iso)).toBe(text);
    expect(formatLegacyDateTime(new Date(iso))).toBe(text);
  });

  it('round-trips what it reads', () => {
    for (const text of ['2018-11-28 11:04:18', '2000-01-01 00:00:00', '2024-02-29 23:59:59']) {
      expect(formatLegacyDateTime(parseLegacyDateTime(text, 'at'))).toBe(text);
    }
  });
});

describe('legacyRangeEnd', () => {
  it.each([
    ['2018-11-28T15:59:59.000Z', '2018-11-28T15:59:59.999Z'],
    ['2018-11-28T15:59:59.500Z', '2018-11-28T15:59:59.500Z'],
  ])('makes the end %s cover its whole second: %s', (given, end) => {
    expect(legacyRangeEnd(new Date(given)).toISOString()).toBe(end);
  });
});
