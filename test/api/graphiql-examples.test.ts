import { Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { exampleOperations } from '../../src/http/graphiql-examples.ts';
import { schema } from '../../src/schema/index.ts';

describe('GraphiQL example tabs', () => {
  it.each(exampleOperations.map((tab) => [/^# (.*)$/m.exec(tab.query)?.[1] ?? tab.query.slice(0, 40), tab] as const))(
    '%s: parses and validates against the schema, its variables are JSON naming only declared variables',
    (_title, tab) => {
      const document = parse(tab.query);
      expect(validate(schema, document).map((e) => e.message)).toEqual([]);
      const declared = new Set(
        document.definitions
          .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
          .flatMap((op) => (op.variableDefinitions ?? []).map((v) => v.variable.name.value)),
      );
      const variables = tab.variables ? (JSON.parse(tab.variables) as Record<string, unknown>) : {};
      for (const name of Object.keys(variables)) expect(declared, name).toContain(name);
    },
  );

  it('covers every common task', () => {
    const fields = new Set(
      exampleOperations.flatMap((tab) =>
        parse(tab.query)
          .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
          .flatMap((op) => op.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : ''))),
      ),
    );
    for (const field of [
      'customerByIdentity',
      'customers',
      'createCustomerByIdentity',
      'explainResolution',
      'mergeCustomers',
      'unmergeCustomer',
      'followCustomer',
      'createCustomer',
      'mergeEvents',
      'userCustomers',
      'groups',
      'addGroupMembers',
      'addFriends',
      'importJob',
    ]) {
      expect(fields, field).toContain(field);
    }
  });
});
