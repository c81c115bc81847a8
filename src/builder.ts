// The one Pothos schema builder, with its plugins. Types live in src/schema/<type>.ts.
import SchemaBuilder, { decodeBase64, decodeCursorChunk } from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { type AuthFailure } from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { GraphQLError, OperationTypeNode, type ValueNode } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { z } from 'zod';
import type { Context } from './context.ts';
import { invalidInput } from './domain/errors.ts';
import { DEFAULT_PAGE_SIZE, INSTANT_RANGE_MESSAGE, isStorableInstant, MAX_PAGE_SIZE } from './domain/validation.ts';
import type PrismaTypes from './generated/pothos-types.ts';
import { getDatamodel } from './generated/pothos-types.ts';
import { VisibilityPlugin } from './schema/visibility-plugin.ts';
import { SubscriptionPlugin } from './schema/subscription-plugin.ts';
import { WritePlugin } from './schema/write-plugin.ts';

/** A cursor this API gave out: @pothos/plugin-prisma's `GPC:` chunk, base64. */
function isConnectionCursor(cursor: string): boolean {
  try {
    const decoded = decodeBase64(cursor);
    if (!decoded.startsWith('GPC:')) return false;
    decodeCursorChunk(decoded.slice(4));
    return true;
  } catch {
    return false;
  }
}

// Every connection's paging arguments, checked once here: a client's mistake names the
// argument (BAD_INPUT) instead of failing inside the resolver, and a page above the maximum is
// refused rather than silently cut (REST refuses it too).
const pageSize = z.number().int().min(0, 'must not be negative').max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`);
const cursor = z.string().refine(isConnectionCursor, 'is not a cursor this API gave out (pageInfo.endCursor/startCursor)');

/** The token scopes (CONTRACT §2) whose absence made scope-auth refuse a field. */
function tokenScopesOf(failure: AuthFailure): string[] {
  const tokenScope: Record<string, string> = { read: 'customer:read', write: 'customer:write', admin: 'admin' };
  if ('failures' in failure) return failure.failures.flatMap(tokenScopesOf);
  return 'scope' in failure && tokenScope[failure.scope] ? [tokenScope[failure.scope]] : [];
}

function rootFieldOf(path: { key: string | number; prev: unknown }): string {
  let at = path;
  while (at.prev) at = at.prev as typeof at;
  return String(at.key);
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  AuthScopes: {
    /** customer:read (客户管理-读) */
    read: boolean;
    /** customer:write (客户管理-写); does not imply read */
    write: boolean;
    /** configuration and the audit log */
    admin: boolean;
  };
  Scalars: {
    ID: { Input: string; Output: string | number };
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  defaultFieldNullability: false,
  // writes first: it wraps every other plugin (a refused mutation is recorded); subscription
  // lifetimes inside scope-auth (refused before counted); visibility last:
  // it sees what the field's own resolver returned.
  plugins: [
    WritePlugin.pluginName,
    ScopeAuthPlugin,
    SubscriptionPlugin.pluginName,
    PrismaPlugin,
    RelayPlugin,
    DataloaderPlugin,
    ValidationPlugin,
    VisibilityPlugin.pluginName,
  ],
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (context) => {
      const scopes = context.caller?.scopes;
      return {
        read: scopes?.has('customer:read') ?? false,
        write: scopes?.has('customer:write') ?? false,
        admin: scopes?.has('admin') ?? false,
      };
    },
    // CONTRACT §2: a missing scope is HTTP 403, in GraphQL as in REST.
    // Below a mutation's root field the mutation has run: the refusal says its write is committed.
    // The message names the token scope(s) that would do, so the caller knows what to ask for.
    unauthorizedError: (_parent, _context, info, result) => {
      const needed = [...new Set(tokenScopesOf(result.failure))];
      const reason = needed.length ? `needs a token with the ${needed.join(' or ')} scope` : result.message;
      return new GraphQLError(
        `Not authorized to access ${info.parentType.name}.${info.fieldName}: ${reason}` +
          (info.operation.operation === OperationTypeNode.MUTATION && info.path.prev
            ? ` (the mutation ${rootFieldOf(info.path)} ran and its write is committed)`
            : ''),
        { extensions: { code: 'FORBIDDEN', http: { status: 403 } } },
      );
    },
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    firstArgOptions: { validate: pageSize },
    lastArgOptions: { validate: pageSize },
    afterArgOptions: { validate: cursor },
    beforeArgOptions: { validate: cursor },
    // node and nodes are src/schema/node.ts: any id a client sends answers an object or null.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    maxConnectionSize: MAX_PAGE_SIZE,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    // A resolver that ignores the selection it was handed would issue extra queries.
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
  validation: {
    // Name every bad field, as the REST families and the import errors do.
    validationError: (failure) =>
      invalidInput(
        failure.issues.map((issue) => ({
          field: (issue.path ?? [])
            .map((p) => (typeof p === 'object' ? p.key : p))
            .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`))
            .join(''),
          message: issue.message,
        })),
      ),
  },
});

/** A date-time the database can store, or a TypeError graphql-js reports against the field. */
function storable(date: Date): Date {
  if (!isStorableInstant(date)) throw new TypeError(INSTANT_RANGE_MESSAGE);
  return date;
}

builder.addScalarType('DateTime', DateTimeResolver, {
  parseValue: (value: unknown) => storable(DateTimeResolver.parseValue(value)),
  parseLiteral: (node: ValueNode, variables?: Record<string, unknown> | null) => storable(DateTimeResolver.parseLiteral(node, variables)),
});
builder.addScalarType('JSON', JSONResolver);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
