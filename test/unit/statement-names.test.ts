import { describe, expect, it } from 'vitest';
import { MAX_NAMED_PARAMETERS, statementNames } from '../../src/db/postgres.ts';

/** `SELECT … WHERE id IN ($1, …, $n)`, as Prisma writes an `in` filter of n values. */
const inList = (n: number) => `SELECT 1 FROM t WHERE id IN (${Array.from({ length: n }, (_, i) => `$${i + 1}`).join(',')})`;

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

  it.each([
    { placeholders: 1, named: true },
    { placeholders: MAX_NAMED_PARAMETERS, named: true },
    { placeholders: MAX_NAMED_PARAMETERS + 1, named: false },
    { placeholders: 500, named: false },
  ])('a text with $placeholders placeholders is named: $named', ({ placeholders, named }) => {
    const name = statementNames(10);
    const sql = inList(placeholders);
    const names = [name({ sql }), name({ sql }), name({ sql })];
    expect(names.slice(1).every((n) => n !== undefined)).toBe(named);
    expect(names.every((n) => n === undefined)).toBe(!named);
  });

  it('long lists leave the names to the texts that repeat', () => {
    const name = statementNames(2);
    for (let length = 40; length < 60; length++) for (let i = 0; i < 3; i++) name({ sql: inList(length) });
    name({ sql: 'SELECT 1' });
    expect(name({ sql: 'SELECT 1' })).toBe('cg_0');
  });
});
