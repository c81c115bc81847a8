// The visibility rules (src/domain/visibility.ts), table-driven, without a database.
import { describe, expect, it } from 'vitest';
import type { Caller, Scope } from '../../src/domain/auth.ts';
import { canSeeImportJob, importErrorFor, importJobsVisibleTo, isLiveCustomer, nodeIntId } from '../../src/domain/visibility.ts';

const caller = (appId: number, ...scopes: Scope[]): Caller => ({
  appId,
  appKey: `ak_${appId}`,
  appName: `app ${appId}`,
  scopes: new Set(scopes),
  tokenHash: 'h',
  tokenExpiresAt: new Date(0),
});

describe('isLiveCustomer', () => {
  const now = new Date();
  it.each([
    [{ deletedAt: null, mergedIntoId: null, erasedAt: null }, true],
    [{ deletedAt: now, mergedIntoId: null, erasedAt: null }, false],
    [{ deletedAt: null, mergedIntoId: 3, erasedAt: null }, false],
    [{ deletedAt: now, mergedIntoId: null, erasedAt: now }, false],
    [{ deletedAt: null, mergedIntoId: null }, false], // erasedAt not selected: hidden (fails closed)
    [{}, false],
  ])('%j → %s', (row, live) => expect(isLiveCustomer(row)).toBe(live));
});

describe('import jobs', () => {
  const reader = caller(1, 'customer:read');
  const admin = caller(2, 'admin');
  it.each([
    [reader, { appId: 1 }, true],
    [reader, { appId: 9 }, false],
    [reader, { appId: null }, true], // the CLI's
    [reader, {}, false], // appId not selected: hidden
    [admin, { appId: 9 }, true],
    [null, { appId: null }, false],
  ])('%#: canSeeImportJob', (who, job, seen) => expect(canSeeImportJob(who, job)).toBe(seen));

  it('importJobsVisibleTo says the same as a filter', () => {
    expect(importJobsVisibleTo(admin)).toEqual({});
    expect(importJobsVisibleTo(reader)).toEqual({ OR: [{ appId: 1 }, { appId: null }] });
    expect(importJobsVisibleTo(null)).toEqual({ id: -1 });
  });

  const message = '"13800000000" already belongs to customer 42; isMatching is false, so every row creates a new customer';
  it.each([
    [
      caller(1, 'customer:write'),
      '"13800000000" already belongs to an existing customer; isMatching is false, so every row creates a new customer',
    ],
    [caller(1, 'customer:read', 'customer:write'), message],
    [admin, message],
  ])('%#: a row error names the customer only to readers', (who, seen) => expect(importErrorFor(who, message)).toBe(seen));
});

describe('nodeIntId', () => {
  it.each([
    ['12', 12],
    [7, 7],
    ['0012', 12],
    ['abc', 0],
    ['-1', 0],
    ['1.5', 0],
    ['99999999999', 0],
    ['2147483648', 0],
    ['', 0],
  ])('%j → %i', (id, n) => expect(nodeIntId(id)).toBe(n));
});
