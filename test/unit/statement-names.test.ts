import { describe, expect, it } from 'vitest';
import { statementNames } from '../../src/db/postgres.ts';

describe('statementNames (prepared statements on PostgreSQL)', () => {
  it('names a text the second time it is seen, with the same name after', () => {
    const name = statementNames(10);
    expect(name({ sql: 'SELECT 1' })).toBeUndefined();
    const first = name({ sql: 'SELECT 1' });
    expect(first).toMatch(/^cg_\d+$/);
    expect(name({ sql: 'SELECT 1' })).toBe(first);
    name({ sql: 'SELECT 2' });
    expect(name({ sql: 'SELECT 2' })).not.toBe(first);
  });

  it('names at most `limit` texts; the others stay unnamed', () => {
    const name = statementNames(2);
    for (const sql of ['a', 'a', 'b', 'b', 'c']) name({ sql });
    expect(name({ sql: 'c' })).toBeUndefined();
    expect(name({ sql: 'a' })).toBe('cg_0');
    expect(name({ sql: 'b' })).toBe('cg_1');
  });

  it('0 names nothing', () => {
    const name = statementNames(0);
    expect([name({ sql: 'x' }), name({ sql: 'x' }), name({ sql: 'x' })]).toEqual([undefined, undefined, undefined]);
  });
});
