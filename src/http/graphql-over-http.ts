// GraphQL over HTTP details yoga leaves to the server: the status of a response that has data
// under application/graphql-response+json, and what a refused request (401, a method /graphql
// does not serve) carries: WWW-Authenticate, Allow, and the media type the client accepts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/**
 * With application/graphql-response+json, a response that has a `data` entry (the operation
 * ran) is 2xx, its field errors (FORBIDDEN for a missing scope included) beside the data; only
 * a request refused before execution has a 4xx status. With application/json the status stays
 * as CONTRACT §2 has it (403 for a missing scope).
 */
export function graphqlResponseStatusPlugin(): Plugin {
  return {
    onResultProcess(payload) {
      const { request, result } = payload;
      if (chosenJsonType(request.headers.get('accept')) !== GRAPHQL_RESPONSE_JSON) return;
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      const single = result as ExecutionResult;
      if (!('data' in single) || !single.errors?.length) return;
      payload.setResult({ ...single, errors: single.errors.map((error) => (error.path ? withoutHttpStatus(error) : error)) });
    },
  };
}

/** The JSON media type the client prefers (its first listed), as yoga picks the response's. */
function chosenJsonType(accept: string | null): string | undefined {
  return (accept ?? '')
    .split(',')
    .map((part) => part.split(';')[0].trim().toLowerCase())
    .find((type) => type === GRAPHQL_RESPONSE_JSON || type === 'application/json');
}

/** The error without `extensions.http` (yoga's own instructions, not for the client). */
export function withoutHttpStatus(error: GraphQLError): GraphQLError {
  const { http: _http, ...extensions } = error.extensions ?? {};
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

/** The JSON media type the client prefers; application/json when it names neither. */
export function errorMediaType(req: FastifyRequest): string {
  return chosenJsonType(req.headers.accept ?? null) ?? 'application/json';
}

/** A refusal before GraphQL runs, in the GraphQL response format the client accepts. */
export function refuse(req: FastifyRequest, reply: FastifyReply, status: number, message: string, code: string) {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="customer-graph"');
  return reply
    .code(status)
    .type(`${errorMediaType(req)}; charset=utf-8`)
    .send(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}
