// The scope a REST route needs, read from the GraphQL schema: the authScopes (Pothos scope-auth)
// of the root fields its operation selects. Who may call what is decided once, on the schema's
// fields; a route only names the operation, and the shim's early check, the OpenAPI document
// and the docs follow the field.
import { getOperationAST, Kind, type DocumentNode, type GraphQLField, type GraphQLSchema } from 'graphql';

export type RouteScope = 'customer:read' | 'customer:write';

/** Scope-auth's names → the token scopes of CONTRACT §2, in the order a route prefers them. */
const ROUTE_SCOPES: Record<string, RouteScope> = { read: 'customer:read', write: 'customer:write' };

/**
 * The one token scope every root field of the operation accepts. A field that accepts several
 * (importJob: read or write) lets the route ask for the first of them (read): the least a
 * caller needs. An operation whose fields agree on none, or need admin, is a mistake in the
 * route table, reported at start-up.
 */
export function operationScope(schema: GraphQLSchema, document: DocumentNode): RouteScope {
  const operation = getOperationAST(document);
  if (!operation) throw new Error('the document must hold exactly one operation');
  const root = schema.getRootType(operation.operation);
  if (!root) throw new Error(`the schema has no ${operation.operation} type`);
  let accepted: string[] | undefined;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) throw new Error('root fields must be selected directly (no fragments)');
    const field = root.getFields()[selection.name.value] as GraphQLField<unknown, unknown> | undefined;
    if (!field) throw new Error(`${root.name}.${selection.name.value} does not exist`);
    const scopes = authScopesOf(field);
    accepted = accepted ? accepted.filter((scope) => scopes.includes(scope)) : scopes;
  }
  const scope = Object.keys(ROUTE_SCOPES).find((name) => accepted?.includes(name));
  if (!scope) throw new Error(`its root fields accept no common customer scope (${(accepted ?? []).join(', ') || 'none'})`);
  return ROUTE_SCOPES[scope];
}

/** The scope names a field's static authScopes accept (any of them will do). */
function authScopesOf(field: GraphQLField<unknown, unknown>): string[] {
  const options = (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions;
  const scopes = options?.authScopes;
  if (typeof scopes !== 'object' || scopes === null) throw new Error(`${field.name} declares no static authScopes`);
  return Object.entries(scopes)
    .filter(([, granted]) => granted === true)
    .map(([name]) => name);
}
