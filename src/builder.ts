// The one Pothos schema builder, with its plugins. Types live in src/schema/<type>.ts.
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { GraphQLError } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { Context } from './context.ts';
import { invalidInput } from './domain/errors.ts';
import type PrismaTypes from './generated/pothos-types.ts';
import { getDatamodel } from './generated/pothos-types.ts';
import { VisibilityPlugin } from './schema/visibility-plugin.ts';
import { WritePlugin } from './schema/write-plugin.ts';

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
  // writes first: it wraps every other plugin (a refused mutation is recorded); visibility last:
  // it sees what the field's own resolver returned.
  plugins: [WritePlugin.pluginName, ScopeAuthPlugin, PrismaPlugin, RelayPlugin, DataloaderPlugin, ValidationPlugin, VisibilityPlugin.pluginName],
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
    unauthorizedError: (_parent, _context, info, result) =>
      new GraphQLError(`Not authorized to access ${info.parentType.name}.${info.fieldName}: ${result.message}`, {
        extensions: { code: 'FORBIDDEN', http: { status: 403 } },
      }),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    // node and nodes are src/schema/node.ts: any id a client sends answers an object or null.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
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

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
