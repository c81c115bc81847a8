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
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
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
    items.forEach((item, i) => checkListSizes(item, nullable.ofType as GraphQLInputType, `${path}[${i}]`, defaultMax, defaultMax));
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
  variables: Record<string, unknown>;
  limits: OperationLimits;
  /** A fragment's cost does not depend on where it is spread: computed once per name. */
  fragmentCosts: Map<string, number>;
}

function fieldCost(walk: Walk, parent: GraphQLNamedType, node: FieldNode): number {
  // Introspection is not counted (as GraphQL Armor did); its depth and size are bounded by the document limits.
  if (node.name.value.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
  const field = parent.getFields()[node.name.value];
  if (!field) return 0;
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(field, node, walk.variables);
  } catch {
    return 0; // execution refuses the field's arguments itself; its selection never runs.
  }
  const fieldMax = declaredMax(field.extensions);
  for (const arg of field.args) {
    const max = declaredMax(arg.extensions) ?? fieldMax ?? walk.limits.maxListItems;
    checkListSizes(args[arg.name], arg.type, arg.name, max, walk.limits.maxListItems);
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
  if (!operation) return null;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {}, { maxErrors: 1 });
  if (coerced.errors) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walk: Walk = { schema, fragments, variables: coerced.coerced, limits, fragmentCosts: new Map() };
  try {
    const cost = selectionCost(walk, rootType, operation.selectionSet);
    if (cost > limits.maxCost) {
      return badInput(
        'query',
        `query cost ${cost} is above the cost limit of ${limits.maxCost}; ask for smaller pages (first/last) or fewer nested lists`,
      );
    }
    return null;
  } catch (error) {
    if (error instanceof Error && 'issues' in error) return error as DomainError;
    throw error;
  }
}
