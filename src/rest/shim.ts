// Serves the route table: for each request, authenticate, check the legacy envelope, run the
// route's GraphQL operation through the same pipeline as POST /graphql (same schema, scopes,
// validation and plugins), and answer in the family's envelope.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Context, Services } from '../context.ts';
import { badInput, describeIssues, DomainError, invalidInput } from '../domain/errors.ts';
import { issuesOf, nulCharacterAt } from '../domain/validation.ts';
import { admit, requireScope } from '../http/auth.ts';
import { describeError } from '../http/error-info.ts';
import { listLimitError } from '../http/operation-limits.ts';
import type { ServerContext } from '../http/graphql.ts';
import { schema } from '../schema/index.ts';
import type { Envelope, ErrorInfo } from '../platform/envelopes.ts';
import type { RestRoute } from './route.ts';

interface PreparedRoute {
  route: RestRoute;
  document: DocumentNode;
}

/** Parses and validates every route's operation against the schema once, at start-up. */
export function prepareRoutes(routes: RestRoute[]): PreparedRoute[] {
  return routes.map((route) => {
    const document = parse(route.operation);
    const errors = validate(schema, document);
    if (errors.length) {
      throw new Error(`REST route ${route.method} ${route.path}: invalid GraphQL operation: ${errors.map((e) => e.message).join('; ')}`);
    }
    return { route, document };
  });
}

function parseJsonFields(input: Record<string, unknown>, fields: string[] = []): Record<string, unknown> {
  let out = { ...input };
  for (const field of fields) {
    const value = out[field];
    if (typeof value !== 'string') continue;
    // Form clients send an empty field for "not given" (seed 003: 如果为空).
    if (value.trim() === '') {
      const { [field]: _empty, ...others } = out;
      out = others;
      continue;
    }
    try {
      out[field] = JSON.parse(value);
    } catch {
      throw new DomainError('BAD_INPUT', `${field}: is not valid JSON`, [{ field, message: 'is not valid JSON' }]);
    }
  }
  return out;
}

/**
 * The variables as a GraphQL-over-HTTP client would send them: graphql-js reads a variable
 * present with the value undefined as null (which clears a field), JSON leaves it out.
 */
function asJson(variables: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(variables)) as Record<string, unknown>;
}

function requestInput(route: RestRoute, req: FastifyRequest): Record<string, unknown> {
  const raw = route.method === 'GET' ? req.query : req.body;
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DomainError('BAD_INPUT', 'body: must be a JSON object', [{ field: 'body', message: 'must be a JSON object' }]);
  }
  return parseJsonFields(raw as Record<string, unknown>, route.jsonFields);
}

/** The legacy name of one field the operation's errors name (see RestRoute.errorFields). */
export function legacyFieldName(field: string, errorFields: Record<string, string>): string {
  const key = Object.keys(errorFields)
    .filter((k) => field === k || field.startsWith(`${k}[`) || field.startsWith(`${k}.`))
    .sort((a, b) => b.length - a.length)[0];
  if (key === undefined) return field;
  const rest = field.slice(key.length);
  const renamed = errorFields[key];
  return renamed === '' ? rest.replace(/^\./, '') : renamed + rest;
}

/**
 * Renames the fields an error names. The message is written again from the renamed issues
 * (the domain's own wording, field by field) when one was renamed, never edited as text.
 */
export function renameErrorFields(info: ErrorInfo, errorFields: Record<string, string> | undefined): ErrorInfo {
  if (!errorFields || info.issues.length === 0) return info;
  const issues = info.issues.map((issue) => ({ ...issue, field: legacyFieldName(issue.field, errorFields) }));
  const renamed = issues.some((issue, i) => issue.field !== info.issues[i].field);
  return renamed ? { ...info, message: describeIssues(issues), issues } : info;
}

export function registerRestShim(
  app: FastifyInstance,
  services: Services,
  yoga: YogaServerInstance<ServerContext, Context>,
  routes: RestRoute[],
): void {
  for (const prepared of prepareRoutes(routes)) {
    app.route({
      method: prepared.route.method,
      url: prepared.route.path,
      handler: async (req, reply) => {
        const envelope = await answerRequest(prepared, req, reply, services, yoga);
        // RFC 9110: a 401 names the scheme it wants.
        if (envelope.status === 401) reply.header('www-authenticate', 'Bearer realm="customer-graph"');
        return reply.code(envelope.status).send(envelope.body);
      },
    });
  }
}

/** One request through its route: the family's envelope of the operation's answer or failure. */
async function answerRequest(
  { route, document }: PreparedRoute,
  req: FastifyRequest,
  reply: FastifyReply,
  services: Services,
  yoga: YogaServerInstance<ServerContext, Context>,
): Promise<Envelope> {
  const production = services.config.production;
  try {
    req.caller = await admit(req, reply, services);
    requireScope(req.caller, route.scope);
    const input = requestInput(route, req);
    const nul = nulCharacterAt(input);
    if (nul) throw badInput(nul, 'must not contain the NUL character');
    const parsed = route.request.safeParse(input);
    if (!parsed.success) throw invalidInput(issuesOf(parsed.error));
    const variables = route.variables(parsed.data, req.headers);
    // Lists (an `in` value split into 200,000) are refused before the variables are copied below.
    const tooLong = listLimitError(schema, document, variables, services.config.GRAPHQL_MAX_LIST_ITEMS);
    if (tooLong) return route.family.failure(renameErrorFields(describeError(tooLong, production), route.errorFields));
    const enveloped = yoga.getEnveloped({ req, reply });
    // The context GraphQL builds, extended with where the operation came from (import jobs record it).
    const contextValue = await enveloped.contextFactory<Pick<Context, 'via'>>({ via: 'REST' });
    const result = (await enveloped.execute({
      schema: enveloped.schema as GraphQLSchema,
      document,
      variableValues: asJson(variables),
      contextValue,
    })) as ExecutionResult;
    if (result.errors?.length) {
      // Failures inside the operation are logged, with their cause, by the error-log plugin.
      return route.family.failure(renameErrorFields(describeError(result.errors[0], production), route.errorFields));
    }
    return route.family.success(route.result(result.data, parsed.data), route.message);
  } catch (error) {
    const info = describeError(error, production);
    if (info.status >= 500) req.log.error({ err: error }, 'REST request failed');
    return route.family.failure(info);
  }
}
