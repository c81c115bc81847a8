// Every model that references Customer is a relation with a rule for merge, unmerge, later
// merges and erasure (merge/relations.ts), or is named as not being one, with the reason: a new
// model referencing Customer fails here until it gets a rule.
import { describe, expect, it } from 'vitest';
import { getDatamodel } from '../../src/generated/pothos-types.ts';
import { NOT_RELATIONS, RELATIONS } from '../../src/domain/merge/relations.ts';

const models = getDatamodel().datamodel.models as Record<
  string,
  { fields: readonly { kind: string; type: string; relationFromFields?: readonly string[] }[] }
>;

/** Models holding a foreign key to Customer. */
const referencing = Object.entries(models)
  .filter(([, model]) => model.fields.some((f) => f.kind === 'object' && f.type === 'Customer' && (f.relationFromFields?.length ?? 0) > 0))
  .map(([name]) => name)
  .sort();

describe('the relations of a customer', () => {
  it('finds the models that reference Customer', () => {
    expect(referencing).toEqual(
      expect.arrayContaining(['Identity', 'GroupMember', 'Friendship', 'UserCustomer', 'AttributeValue', 'CustomerTag', 'MergeEvent']),
    );
  });

  for (const name of referencing) {
    it(`${name} has a rule for merge, unmerge and erasure, or a reason not to`, () => {
      const relation = RELATIONS.find((r) => r.models.includes(name));
      if (relation) {
        expect(typeof relation.move).toBe('function');
        expect(typeof relation.restore).toBe('function');
        expect(typeof relation.erase).toBe('function');
        expect(relation.reliance === null || typeof relation.reliance.test === 'function').toBe(true);
      } else {
        expect(NOT_RELATIONS[name], `${name} references Customer: give it an entry in RELATIONS (or NOT_RELATIONS with a reason)`).toEqual(
          expect.any(String),
        );
      }
    });
  }

  it('names no model twice and none that does not reference Customer', () => {
    const named = [...RELATIONS.flatMap((r) => r.models), ...Object.keys(NOT_RELATIONS)];
    expect(new Set(named).size).toBe(named.length);
    for (const name of named) expect(referencing, `${name} is named but does not reference Customer`).toContain(name);
  });

  it('each relation keeps its own part of MergeEvent.details', () => {
    const keys = RELATIONS.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
