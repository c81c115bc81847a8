// The test-data generator (customer-graph seed): deterministic for a seed, realistic values,
// and the asked share of rows describing a person of an earlier row.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROFILE_COLUMNS } from '../../src/domain/imports/file-format.ts';
import { generateProfileRows, profileRowToCsv } from '../../src/test-data/customers.ts';
import { freshDatabaseUrl } from '../support/database.ts';
import { runCli } from '../../scripts/support/processes.ts';
import { customersPerPerson, everyPersonOnce, peopleOf, withSql } from '../support/people.ts';

const dir = mkdtempSync(join(tmpdir(), 'cg-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generateProfileRows', () => {
  it('gives the same rows for the same seed and different rows for another seed', () => {
    const a = [...generateProfileRows({ customers: 500, seed: 7 })];
    const b = [...generateProfileRows({ customers: 500, seed: 7 })];
    const c = [...generateProfileRows({ customers: 500, seed: 8 })];
    expect(a).toHaveLength(500);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it.each([0.2, 0.5, 0])('describes an earlier person in about %s of the rows', (overlap) => {
    const rows = [...generateProfileRows({ customers: 5000, overlap, seed: 3 })];
    const people = peopleOf(rows);
    const share = 1 - people.length / rows.length;
    expect(share).toBeGreaterThanOrEqual(overlap - 0.03);
    expect(share).toBeLessThanOrEqual(overlap + 0.03);
  });

  it('writes values of the shapes seed 004 and matching expect', () => {
    const rows = [...generateProfileRows({ customers: 2000, seed: 11 })];
    for (const row of rows) {
      expect(row.phone || row.unionid, JSON.stringify(row)).toBeTruthy();
      if (row.phone) expect(row.phone).toMatch(/^1[3-9]\d{9}$/);
      expect(row.realName).toMatch(/^[\u4e00-\u9fa5]{2,3}$/);
      expect(['男', '女']).toContain(row.sex);
      expect(row.birthday).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(row.customFields!.length).toBeGreaterThan(0);
      expect(row.identityType && row.identityId).toBeTruthy();
    }
    expect(rows.filter((r) => (r.customFields ?? []).some((f) => f.values.length > 1)).length).toBeGreaterThan(rows.length / 3);
    expect(rows.filter((r) => r.identityType === 'email').length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.openid).length).toBeGreaterThan(0);
    // The overlap uses more than one identity: by phone, by unionid bringing a phone, …
    const people = peopleOf(rows);
    expect(people.filter((p) => p.some((k) => k.startsWith('unionid:')) && p.some((k) => k.startsWith('phone:'))).length).toBeGreaterThan(
      0,
    );
  });
});

describe('customer-graph seed --out', { timeout: 300_000 }, () => {
  it('writes the generated rows as CSV and JSON Lines, the same for the same seed', async () => {
    const csv = join(dir, 'people.csv');
    const jsonl = join(dir, 'people.jsonl');
    const again = join(dir, 'again.csv');
    for (const [out, file] of [
      [csv, csv],
      [jsonl, jsonl],
      [again, again],
    ]) {
      const res = await runCli(['seed', '--customers', '300', '--seed', '5', '--out', out], {});
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain(`Wrote 300 rows to ${file}`);
    }
    const expected = [...generateProfileRows({ customers: 300, seed: 5 })];
    const csvText = readFileSync(csv, 'utf8');
    expect(csvText).toBe([PROFILE_COLUMNS.join(','), ...expected.map(profileRowToCsv), ''].join('\n'));
    expect(readFileSync(again, 'utf8')).toBe(csvText);
    const lines = readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(expected);
  });

  it('without --out imports the rows into DATABASE_URL through the import engine: one customer per person', async () => {
    const db = await freshDatabaseUrl();
    try {
      const res = await runCli(['seed', '--customers', '300', '--seed', '9'], { DATABASE_URL: db.url }, 180_000);
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.stdout).toMatch(/Job #\d+: SUCCEEDED/);
      const people = peopleOf([...generateProfileRows({ customers: 300, seed: 9 })]);
      const found = await withSql(db.url, (sql) => customersPerPerson(sql, people));
      expect(found).toEqual(everyPersonOnce(people.length));
    } finally {
      await db.drop();
    }
  });

  it('rejects an overlap out of range, naming the option', async () => {
    const res = await runCli(['seed', '--customers', '10', '--overlap', '1.5', '--out', join(dir, 'x.csv')], {});
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--overlap must be between 0 and 0.9');
  });
});
