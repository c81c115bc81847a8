// What one row of the REST shim's table declares. A route holds no business rule: it names
// the GraphQL operation that does the work, the legacy request shape (for validation of the
// envelope and for the OpenAPI document), and how fields map in and results map out.
import { parse, type DocumentNode } from 'graphql';
import type { z } from 'zod';
import type { Family } from '../platform/envelopes.ts';
import { schema } from '../schema/index.ts';
import { argumentPathsOfVariables, errorFieldsOf, variablesFrom } from './field-map.ts';
import { operationScope, type RouteScope } from './route-scope.ts';

// `any` defaults: the table holds routes of every request and data shape (unknown would not accept them).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface RestRoute<Request = any, Data = any> {
  family: Family;
  method: 'GET' | 'POST';
  path: string;
  /** One line for the docs. */
  summary: string;
  /** The seed document and section the route comes from. */
  seed: string;
  /**
   * customer:read or customer:write: what the operation's root fields require (their authScopes,
   * see route-scope.ts), never written by hand. The shim checks it first; GraphQL enforces it.
   */
  scope: RouteScope;
  /**
   * The legacy request: query parameters for GET, the body for POST. Unknown fields are
   * stripped; wrong types and missing fields are refused naming the field.
   */
  request: z.ZodType<Request>;
  /**
   * Fields that may arrive as JSON text (form bodies of seed 003), parsed before `request`.
   * An empty string counts as absent.
   */
  jsonFields?: string[];
  /** The GraphQL document: exactly one operation. */
  operation: string;
  /**
   * The operation's variables; `headers` (lower-case names) for routes that read one, e.g.
   * Idempotency-Key. Derived from `fields` when the route declares them instead.
   */
  variables(request: Request, headers: Record<string, string | string[] | undefined>): Record<string, unknown>;
  /** The family's `data` (or `result`) from the operation's data. */
  result(data: Data, request: Request): unknown;
  /** The shape of `result`'s value, for the OpenAPI document and the tests. */
  response?: z.ZodType;
  /**
   * Names the operation's errors use (GraphQL argument paths) → the legacy field names, so
   * that a message names what the client sent: `{ friendIdentityValues: 'userIdBatch' }` turns
   * `friendIdentityValues[2]: …` into `userIdBatch[2]: …`. A key matches a field equal to it or
   * starting with it followed by `[` or `.`; the longest key wins; an empty name drops the prefix.
   * Derived from `fields`; a route writes only the names its mapping cannot give (a domain's own
   * field names, computed variables).
   */
  errorFields?: Record<string, string>;
  /** The success message, for families that carry one (seed 003 msg). */
  message?: string;
  /** The request example from the seed, replayed by the tests and shown in the docs. */
  example?: unknown;
  /** Judgement calls where the seed is silent or unclear, for the docs. */
  notes?: string[];
}

/**
 * A route as the table writes it: everything but what is derived from its operation. Either
 * `variables` (computed ones, with `errorFields` by hand) or `fields`: each request field the
 * operation takes → the variable path it is sent as (`user_id: 'userId'`, `data: 'input.profiles'`,
 * `customer_id: 'customerIds[0]'`), from which both the variables and the error names come.
 */
export type RouteSpec<Request, Data> = Omit<RestRoute<Request, Data>, 'scope' | 'variables'> &
  (
    | { variables: RestRoute<Request, Data>['variables']; fields?: never }
    | { fields: Partial<Record<keyof Request & string, string>>; variables?: never }
  );

/** The variables and error names a `fields` mapping gives; an unused variable is a mistake in the table. */
function fromFields(document: DocumentNode, fields: Record<string, string>, errorFields: Record<string, string> = {}) {
  const used = argumentPathsOfVariables(document);
  const unused = Object.values(fields).filter((path) => !used.has(path.split(/[.[]/)[0]));
  if (unused.length) throw new Error(`fields map to variables the operation does not use: ${unused.join(', ')}`);
  return {
    variables: (request: unknown) => variablesFrom(fields, request as Record<string, unknown>),
    errorFields: { ...errorFieldsOf(document, fields), ...errorFields },
  };
}

export function defineRoute<Request, Data>(spec: RouteSpec<Request, Data>): RestRoute<Request, Data> {
  try {
    const document = parse(spec.operation);
    const scope = operationScope(schema, document);
    if (spec.variables) return { ...spec, variables: spec.variables, scope };
    const { fields, ...route } = spec;
    return { ...route, ...fromFields(document, fields as Record<string, string>, spec.errorFields), scope };
  } catch (error) {
    throw new Error(`REST route ${spec.method} ${spec.path}: ${(error as Error).message}`, { cause: error });
  }
}
