// The list-length and cost rules of src/http/operation-limits.ts on a small schema, without a
// database: literals, variables, lists nested in input objects, declared maximums, page sizes.
import {
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationLimitError } from '../../src/http/operation-limits.ts';

const ints = new GraphQLList(new GraphQLNonNull(GraphQLInt));
const Condition = new GraphQLInputObjectType({
  name: 'Condition',
  fields: { values: { type: new GraphQLList(GraphQLString) }, few: { type: ints, extensions: { maxListItems: 2 } } },
});
const Filter = new GraphQLInputObjectType({ name: 'Filter', fields: { conditions: { type: new GraphQLList(Condition) } } });
const Item: GraphQLObjectType = new GraphQLObjectType({
  name: 'Item',
  fields: () => ({
    name: { type: GraphQLString },
    children: { type: new GraphQLList(Item), args: { first: { type: GraphQLInt, defaultValue: 10 } } },
    parent: { type: Item },
  }),
});
const ItemConnection = new GraphQLObjectType({
  name: 'ItemConnection',
  fields: { edges: { type: new GraphQLList(Item) }, pageInfo: { type: GraphQLString } },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      items: { type: new GraphQLList(Item), args: { ids: { type: ints }, filter: { type: Filter } } },
      capped: { type: GraphQLInt, args: { ids: { type: ints, extensions: { maxListItems: 3 } } } },
      cappedField: { type: GraphQLInt, extensions: { maxListItems: 4 }, args: { ids: { type: ints } } },
      page: { type: ItemConnection, args: { first: { type: GraphQLInt }, last: { type: GraphQLInt } } },
    },
  }),
});

const limits = { maxListItems: 5, maxCost: 1000 };
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const check = (query: string, variables: Record<string, unknown> = {}, over = limits) =>
  operationLimitError(schema, parse(query), undefined, variables, over);

describe('list arguments', () => {
  it.each([
    ['a literal at the maximum', `{ items(ids: [${range(5)}]) { name } }`, {}, null],
    ['a literal above it', `{ items(ids: [${range(6)}]) { name } }`, {}, 'ids'],
    ['a variable above it', 'query ($ids: [Int!]) { items(ids: $ids) { name } }', { ids: range(6) }, 'ids'],
    ['a variable at it', 'query ($ids: [Int!]) { items(ids: $ids) { name } }', { ids: range(5) }, null],
    [
      'a list nested in an input object (literal)',
      `{ items(filter: { conditions: [{ values: [${range(6).map((i) => `"${i}"`)}] }] }) { name } }`,
      {},
      'filter.conditions[0].values',
    ],
    [
      'a list nested in an input object (variable)',
      'query ($f: Filter) { items(filter: $f) { name } }',
      { f: { conditions: [{ values: range(6).map(String) }] } },
      'filter.conditions[0].values',
    ],
    [
      'the outer list of input objects',
      'query ($f: Filter) { items(filter: $f) { name } }',
      { f: { conditions: range(6).map(() => ({})) } },
      'filter.conditions',
    ],
    [
      'an input field declaring 2',
      'query ($f: Filter) { items(filter: $f) { name } }',
      { f: { conditions: [{ few: [1, 2, 3] }] } },
      'filter.conditions[0].few',
    ],
    ['an argument declaring 3', '{ capped(ids: [1, 2, 3, 4]) }', {}, 'ids'],
    ['an argument declaring 3, at it', '{ capped(ids: [1, 2, 3]) }', {}, null],
    ['a field declaring 4 for its arguments', '{ cappedField(ids: [1, 2, 3, 4, 5]) }', {}, 'ids'],
    ['a field declaring 4, at it', '{ cappedField(ids: [1, 2, 3, 4]) }', {}, null],
    ['a list in a fragment', `{ ...F } fragment F on Query { items(ids: [${range(6)}]) { name } }`, {}, 'ids'],
    ['a list on a nested field', `{ items { parent { children(first: 1) { name } } } capped(ids: [1,2,3,4]) }`, {}, 'ids'],
  ])('%s', (_label, query, variables, field) => {
    const error = check(query, variables);
    if (field === null) {
      expect(error).toBeNull();
    } else {
      expect(error?.code).toBe('BAD_INPUT');
      expect(error?.issues[0].field).toBe(field);
      expect(error?.message).toMatch(/at most \d+ items are allowed \(\d+ given\)/);
    }
  });

  it('checks a variable no argument uses against the default, naming the variable', () => {
    const error = check('query ($unused: [Int!]) { items { name } }', { unused: range(6) });
    expect(error?.issues[0].field).toBe('$unused');
  });

  it('checks lists before coercing: a list of the wrong items too long is refused as too long', () => {
    expect(check('query ($ids: [Int!]) { items(ids: $ids) { name } }', { ids: range(6).map(String) })?.issues[0].field).toBe('ids');
  });

  it('leaves variables that do not coerce to execution, which names them', () => {
    expect(check('query ($ids: [Int!]) { items(ids: $ids) { name } }', { ids: ['x'] })).toBeNull();
  });
});

describe('cost', () => {
  it.each<[string, string, number, Record<string, unknown>?]>([
    // children: default first 10; page: connection default 20, capped at 100.
    ['one object', '{ items { name } }', 1],
    ['a default page of children', '{ items { children { name } } }', 1 + 10],
    ['a literal page size', '{ items { children(first: 3) { name } } }', 1 + 3],
    ['a page size from a variable', 'query ($n: Int) { items { children(first: $n) { name } } }', 1 + 7, { n: 7 }],
    [
      'nested pages multiply',
      'query ($n: Int, $m: Int) { items { children(first: $n) { children(first: $m) { name } } } }',
      1 + 4 * (1 + 5),
      { n: 4, m: 5 },
    ],
    ['a connection with no size', '{ page { edges { name } } }', 20 * (1 + 1)],
    ['a connection asked for too much', '{ page(first: 5000) { edges { name } } }', 100 * (1 + 1)],
    ['a connection by last', '{ page(last: 3) { edges { name } } }', 3 * (1 + 1)],
    ['a fragment counted each time it is spread', '{ items { ...F ...F } } fragment F on Item { children(first: 2) { name } }', 1 + 2 * 2],
  ])('%s', (_label, query, cost, variables = {}) => {
    expect(check(query, variables, { maxListItems: 5, maxCost: cost })).toBeNull();
    const error = check(query, variables, { maxListItems: 5, maxCost: cost - 1 });
    expect(error?.code).toBe('BAD_INPUT');
    expect(error?.message).toBe(
      `query: query cost ${cost} is above the cost limit of ${cost - 1}; ask for smaller pages (first/last) or fewer nested lists`,
    );
  });

  it('computes a fragment bomb once per fragment', () => {
    const fragments = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Item { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const query = `{ items { ...F0 } } ${fragments} fragment F30 on Item { children(first: 1) { name } }`;
    const error = check(query, {}, { maxListItems: 5, maxCost: 1000 });
    expect(error?.message).toMatch(/query cost \d+ is above the cost limit of 1000/);
  });
});
