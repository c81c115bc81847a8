// One description of any error a request can end with: the stable code, the message a
// client may see, the HTTP status and the fields at fault. GraphQL (masking) and every REST
// family (envelopes) map errors through here, so both say the same thing.
import { PothosValidationError } from '@pothos/core';
import { GraphQLError, Kind } from 'graphql';
import { WorkAborted } from '../db/cancellation.ts';
import { DomainError, httpStatusOf, type ErrorCode, type FieldIssue } from '../domain/errors.ts';
import type { ErrorInfo } from '../platform/envelopes.ts';

const codes = new Set<string>(Object.keys(httpStatusOf));

/** The variable a graphql-js error points at (its AST node), when it points at one. */
function variableNamed(error: GraphQLError): string | undefined {
  const node = error.nodes?.[0];
  return node?.kind === Kind.VARIABLE_DEFINITION ? node.variable.name.value : undefined;
}

function fromGraphQL(error: GraphQLError, production: boolean): ErrorInfo | null {
  // An error thrown by a resolver (a DomainError, a database error) wrapped by graphql-js.
  const original = error.originalError;
  if (original instanceof PothosValidationError) {
    // Pothos' refusal of a connection's arguments (e.g. after with before): the field is the path's.
    const field = String(error.path?.at(-1) ?? 'arguments');
    return { code: 'BAD_INPUT', message: `${field}: ${original.message}`, status: 400, issues: [{ field, message: original.message }] };
  }
  // A scalar's refusal of a literal or a variable (no path, but the document's node) is the caller's.
  const refusedInput = !error.path && Boolean(error.nodes?.length) && !(original instanceof DomainError);
  if (original && !(original instanceof GraphQLError) && !refusedInput) return describeError(original, production);
  const code = error.extensions?.code;
  if (typeof code === 'string' && codes.has(code)) {
    // An error already described once (masked by toGraphQLError) keeps the fields it named.
    const issues = Array.isArray(error.extensions.issues) ? (error.extensions.issues as FieldIssue[]) : [];
    return { code: code as ErrorCode, message: error.message, status: httpStatusOf[code as ErrorCode], issues };
  }
  if (!original && !error.path) {
    // A request the schema rejects before running (syntax, unknown field, a variable of the
    // wrong type): the caller's fault. Variables are named by variable-errors.ts beforehand.
    const variable = variableNamed(error);
    return {
      code: 'BAD_INPUT',
      message: error.message,
      status: 400,
      issues: variable ? [{ field: variable, message: error.message }] : [],
    };
  }
  return null;
}

// The database went away (refused, dropped, killed by an operator, closed): the request may be
// retried later, so it is UNAVAILABLE (503), never INTERNAL.
const unavailableMessage =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection terminated|terminating connection|connection (?:error|ended|closed)|Can't reach database|did not answer within|timeout exceeded when trying to connect|PGlite is closed|server closed the connection/i;

function unavailable(error: unknown): boolean {
  for (let e = error as { code?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.code === 'P2028' || e.code === 'P1001' || e.code === 'P1017' || e.code === '57P01' || e.code?.startsWith?.('08')) return true;
    if (unavailableMessage.test(e.message ?? '')) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** The request's client went away and its SQL was cancelled (src/db/cancellation.ts). */
function abandoned(error: unknown): boolean {
  for (let e = error as { message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e instanceof WorkAborted || /canceling statement due to user request/i.test(e.message ?? '')) return true;
    e = (e.cause ?? (e as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError) as typeof e;
  }
  return false;
}

/** PostgreSQL cancelled the statement: DATABASE_STATEMENT_TIMEOUT_MS ran out (57014). */
function statementTimedOut(error: unknown): boolean {
  for (
    let e = error as { code?: string; originalCode?: string; message?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (e.code === '57014' || e.originalCode === '57014' || /canceling statement due to statement timeout/i.test(e.message ?? ''))
      return true;
    e = (e.cause ?? (e as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError) as typeof e;
  }
  return false;
}

export function describeError(error: unknown, production: boolean): ErrorInfo {
  if (error instanceof DomainError) {
    return { code: error.code, message: error.message, status: httpStatusOf[error.code], issues: error.issues };
  }
  if (error instanceof GraphQLError) {
    const described = fromGraphQL(error, production);
    if (described) return described;
  }
  const e = error as { code?: string; message?: string };
  // No one reads this answer; the message is for the log.
  if (abandoned(error))
    return {
      code: 'UNAVAILABLE',
      message: 'the statement was cancelled: its client went away (or an operator cancelled it)',
      status: 503,
      issues: [],
    };
  if (statementTimedOut(error)) {
    const message =
      'the query ran longer than the database allows (DATABASE_STATEMENT_TIMEOUT_MS); ask for less: a smaller page, a narrower filter';
    return { code: 'UNAVAILABLE', message, status: 503, issues: [] };
  }
  if (unavailable(error)) {
    return { code: 'UNAVAILABLE', message: 'the database is unavailable; retry later', status: 503, issues: [] };
  }
  return {
    code: 'INTERNAL',
    message: production ? 'internal error' : `internal error: ${e?.message ?? String(error)}`,
    status: 500,
    issues: [],
  };
}

function yogaHttpRefusal(source: GraphQLError | undefined): boolean {
  const http = source?.extensions?.http;
  return http?.status === 405 || http?.status === 406 || http?.status === 415;
}

/**
 * The persisted-query protocol's refusals keep their codes (persisted-documents.ts): Apollo's
 * and urql's links send the document again on PersistedQueryNotFound.
 */
function persistedQueryError(source: GraphQLError | undefined): GraphQLError | null {
  const code = source?.extensions?.code;
  if (!source || source.path || (code !== 'PERSISTED_QUERY_NOT_FOUND' && code !== 'PERSISTED_QUERY_MISMATCH')) return null;
  const message =
    code === 'PERSISTED_QUERY_MISMATCH' ? 'extensions.persistedQuery.sha256Hash: is not the sha256 of the query sent' : source.message;
  return new GraphQLError(message, { extensions: { code, http: source.extensions.http } });
}

/** The GraphQL error a client sees: the message, the code and the fields at fault. */
export function toGraphQLError(error: unknown, production: boolean, source?: GraphQLError): GraphQLError {
  const persisted = persistedQueryError(source);
  if (persisted) return persisted;
  const info = describeError(error, production);
  return new GraphQLError(info.message, {
    nodes: source?.nodes,
    path: source?.path,
    extensions: {
      code: info.code,
      ...(info.issues.length ? { issues: info.issues } : {}),
      // A refusal of the whole request (no field ran: syntax, limits, auth) carries its HTTP status.
      ...(info.status === 401 || info.status === 403 || info.status === 429 || info.status === 503 || !source?.path
        ? { http: { status: info.status } }
        : {}),
      // yoga's own HTTP refusals keep their status and headers: 405 with Allow for a mutation over GET.
      ...(yogaHttpRefusal(source) ? { http: source?.extensions.http } : {}),
    },
  });
}
