// Limits that depend on the values an operation runs with, checked once its variables are known
// and before any resolver runs: every list argument's length (literals, variables and lists
// nested in input objects alike) and the operation's cost.
//
// Cost is the number of objects the answer may hold: a field returning objects costs its
// multiplier × (1 + the cost of its selection); scalars are free (they come with their row).
// The multiplier is the page size: first/last/limit as the variables and defaults make them,
// a connection's default (20) when none is given and at most its cap (100); 1 for one object. Every entry point runs its operations through yoga
// (POST/GET /graphql, subscriptions, the REST shim), so a new field or route inherits both.
//
// A list argument may hold GRAPHQL_MAX_LIST_ITEMS items unless the argument, the input field or
// the field declares its own `extensions: { maxListItems }` (Pothos `extensions` option).
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
  typeFromAST,
} from 'graphql';
import { badInput, type DomainError } from '../domain/errors.ts';

export interface OperationLimits {
  maxListItems: number;
  maxCost: number;
}

/** Pothos connections' page size when neither first nor last is given, and their cap. */
export const CONNECTION_DEFAULT_SIZE = 20;
export const CONNECTION_MAX_SIZE = 100;

function declaredMax(extensions: Readonly<Record<string, unknown>> | null | undefined): number | undefined {
  const max = extensions?.maxListItems;
  return typeof max === 'number' ? max : undefined;
}

/** Refuses the first list in `value` longer than its maximum, naming where it is. */
export function checkListSizes(value: unknown, type: GraphQLInputType, path: string, max: number, defaultMax: number): void {
  const nullable = getNullableType(type);
  if (value === null || value === undefined) return;
  if (isListType(nullable)) {
    const items = Array.isArray(value) ? value : [value];
    if (items.length > max) throw badInput(path, `at most ${max} items are allowed (${items.length} given)`);
    items.forEach((item, i) => checkListSizes(item, nullable.ofType, `${path}[${i}]`, defaultMax, defaultMax));
    return;
  }
  if (isInputObjectType(nullable) && typeof value === 'object') {
    for (const field of Object.values(nullable.getFields())) {
      const fieldValue = (value as Record<string, unknown>)[field.name];
      checkListSizes(fieldValue, field.type, `${path}.${field.name}`, declaredMax(field.extensions) ?? defaultMax, defaultMax);
    }
  }
}

/** How many times a field's selection runs: its page size, or 1 for a single object. */
export function multiplierOf(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  const size = [args.first, args.last, args.limit].find((v): v is number => typeof v === 'number');
  const type = getNamedType(field.type);
  const connection = isObjectType(type) && 'edges' in type.getFields() && 'pageInfo' in type.getFields();
  if (connection) return Math.max(0, Math.min(size ?? CONNECTION_DEFAULT_SIZE, CONNECTION_MAX_SIZE));
  return Math.max(0, size ?? 1);
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  limits: OperationLimits;
  /** First pass: list lengths, on the variables as sent (before graphql-js coerces them). */
  mode: 'lists' | 'cost';
  rawVariables: Record<string, unknown>;
  /** Variables an argument uses (their lists are checked where they are used). */
  usedVariables: Set<string>;
  /** Second pass: the coerced variables the cost is computed with. */
  variables: Record<string, unknown>;
  /** A fragment's cost does not depend on where it is spread: computed once per name. */
  fragmentCosts: Map<string, number>;
}

/** Refuses a list in an argument's literal, or in a variable it uses, longer than its maximum. */
function checkArgumentNode(walk: Walk, node: ValueNode, type: GraphQLInputType, path: string, max: number): void {
  const defaultMax = walk.limits.maxListItems;
  const nullable = getNullableType(type);
  if (node.kind === Kind.VARIABLE) {
    walk.usedVariables.add(node.name.value);
    checkListSizes(walk.rawVariables[node.name.value], type, path, max, defaultMax);
  } else if (node.kind === Kind.LIST && isListType(nullable)) {
    if (node.values.length > max) throw badInput(path, `at most ${max} items are allowed (${node.values.length} given)`);
    const itemType = nullable.ofType;
    node.values.forEach((item, i) => checkArgumentNode(walk, item, itemType, `${path}[${i}]`, defaultMax));
  } else if (node.kind === Kind.OBJECT && isInputObjectType(nullable)) {
    const fields = nullable.getFields();
    for (const fieldNode of node.fields) {
      const field = fields[fieldNode.name.value];
      if (field) checkArgumentNode(walk, fieldNode.value, field.type, `${path}.${field.name}`, declaredMax(field.extensions) ?? defaultMax);
    }
  }
}

function fieldCost(walk: Walk, parent: GraphQLNamedType, node: FieldNode): number {
  // Introspection is not counted (as GraphQL Armor did); its depth and size are bounded by the document limits.
  if (node.name.value.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
  const field = parent.getFields()[node.name.value];
  if (!field) return 0;
  if (walk.mode === 'lists') {
    const fieldMax = declaredMax(field.extensions);
    for (const argNode of node.arguments ?? []) {
      const arg = field.args.find((a) => a.name === argNode.name.value);
      const max = (arg && declaredMax(arg.extensions)) ?? fieldMax ?? walk.limits.maxListItems;
      if (arg) checkArgumentNode(walk, argNode.value, arg.type, arg.name, max);
    }
    return node.selectionSet ? selectionCost(walk, getNamedType(field.type), node.selectionSet) : 0;
  }
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(field, node, walk.variables);
  } catch {
    return 0; // execution refuses the field's arguments itself; its selection never runs.
  }
  if (!node.selectionSet) return 0;
  return multiplierOf(field, args) * (1 + selectionCost(walk, getNamedType(field.type), node.selectionSet));
}

function selectionCost(walk: Walk, parent: GraphQLNamedType, selectionSet: SelectionSetNode): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      cost += fieldCost(walk, parent, selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      cost += type ? selectionCost(walk, type, selection.selectionSet) : 0;
    } else {
      const name = selection.name.value;
      let known = walk.fragmentCosts.get(name);
      if (known === undefined) {
        const fragment = walk.fragments.get(name);
        const type = fragment && walk.schema.getType(fragment.typeCondition.name.value);
        known = fragment && type ? selectionCost(walk, type, fragment.selectionSet) : 0;
        walk.fragmentCosts.set(name, known);
      }
      cost += known;
    }
  }
  return cost;
}

function walkOf(schema: GraphQLSchema, document: DocumentNode, rawVariables: Record<string, unknown>, limits: OperationLimits): Walk {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return { schema, fragments, limits, mode: 'lists', rawVariables, usedVariables: new Set(), variables: {}, fragmentCosts: new Map() };
}

function refusal(error: unknown): DomainError {
  if (error instanceof Error && 'issues' in error) return error as DomainError;
  throw error;
}

/** Refuses a list too long, on the variables as sent (coercing a list of 200,000 items is work already). */
function checkLists(walk: Walk, operation: OperationDefinitionNode, rootType: GraphQLNamedType): void {
  selectionCost(walk, rootType, operation.selectionSet);
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(walk.schema, definition.type) as GraphQLInputType | undefined;
    const max = walk.limits.maxListItems;
    if (type && !walk.usedVariables.has(name)) checkListSizes(walk.rawVariables[name], type, `$${name}`, max, max);
  }
}

/** Only the list lengths: for a caller that holds the variables before they are copied (the REST shim). */
export function listLimitError(
  schema: GraphQLSchema,
  document: DocumentNode,
  rawVariables: Record<string, unknown>,
  maxListItems: number,
): DomainError | null {
  const operation = getOperationAST(document);
  const rootType = operation && schema.getRootType(operation.operation);
  if (!operation || !rootType) return null;
  try {
    checkLists(walkOf(schema, document, rawVariables, { maxListItems, maxCost: Infinity }), operation, rootType);
    return null;
  } catch (error) {
    return refusal(error);
  }
}

/**
 * The error that refuses the operation (a list too long, a cost too high), or null. Variables
 * that do not coerce are left to execution, which reports them naming the variable.
 */
export function operationLimitError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
  limits: OperationLimits,
): DomainError | null {
  const operation = getOperationAST(document, operationName);
  const rootType = operation && schema.getRootType(operation.operation);
  if (!operation || !rootType) return null;
  const raw = rawVariables ?? {};
  const walk = walkOf(schema, document, raw, limits);
  try {
    checkLists(walk, operation, rootType);
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], raw, { maxErrors: 1 });
    if (coerced.errors) return null;
    Object.assign(walk, { mode: 'cost', variables: coerced.coerced, fragmentCosts: new Map() });
    const cost = selectionCost(walk, rootType, operation.selectionSet);
    if (cost <= limits.maxCost) return null;
    return badInput(
      'query',
      `query cost ${cost} is above the cost limit of ${limits.maxCost}; ask for smaller pages (first/last) or fewer nested lists`,
    );
  } catch (error) {
    return refusal(error);
  }
}
