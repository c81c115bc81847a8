import { readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';

describe('schema.graphql', () => {
  it('is the printed schema of the builder (run `npm run schema:print` when this fails)', () => {
    const checkedIn = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(checkedIn).toBe(`${printSchema(schema)}\n`);
  });

  it('has the object types CONTRACT §3 names, and relay connections for lists', () => {
    for (const name of ['Customer', 'Identity', 'Group', 'Friendship', 'UserCustomer', 'ImportJob', 'Node', 'PageInfo']) {
      expect(schema.getType(name), name).toBeDefined();
    }
    for (const connection of ['QueryCustomersConnection', 'QueryGroupsConnection', 'QueryUserCustomersConnection']) {
      expect(schema.getType(connection), connection).toBeDefined();
    }
  });
});
