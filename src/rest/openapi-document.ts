// The OpenAPI 3.1 document of the REST shim, generated from the route table: each route's
// legacy request (its zod schema), scope, envelopes, seed example and GraphQL operation.
// Served at GET /openapi.json and shown by the docs page at GET /docs.
import { readFileSync } from 'node:fs';
import { Kind, OperationTypeNode, parse, print, type OperationDefinitionNode } from 'graphql';
import { z } from 'zod';
import { httpStatusOf, type ErrorCode } from '../domain/errors.ts';
import { familyDocs } from './family-docs.ts';
import type { Family } from '../platform/envelopes.ts';
import { families, openapi } from '../platform/envelopes.ts';
import type { RestRoute } from './route.ts';

type JsonSchema = Record<string, unknown>;

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The JSON Schema of a zod schema, as a client sends it (`input`) or as the server answers (`output`). */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

/** The root fields an operation selects, e.g. ["addFriendsByIdentity"]. */
export function operationFields(route: RestRoute): { type: 'query' | 'mutation'; name: string; fields: string[] } {
  const definition = parse(route.operation).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!definition) throw new Error(`${route.path}: no operation`);
  return {
    type: definition.operation === OperationTypeNode.MUTATION ? 'mutation' : 'query',
    name: definition.name?.value ?? '',
    fields: definition.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])),
  };
}

/** The operation, pretty-printed for display. */
export function operationText(route: RestRoute): string {
  return print(parse(route.operation));
}

export const tokenSchemes = {
  token: { type: 'apiKey', in: 'header', name: 'token', description: 'The token from POST /openapi/auth/token (seed 001’s header).' },
  xToken: { type: 'apiKey', in: 'header', name: 'X-Token', description: 'The same token in X-Token.' },
  bearer: { type: 'http', scheme: 'bearer', description: 'The same token as Authorization: Bearer <token>.' },
} as const;

/** Any one of the three headers; OpenAPI 3.1 lets non-OAuth schemes name the roles (scopes) required. */
const securityFor = (scope: string) => Object.keys(tokenSchemes).map((name) => ({ [name]: [scope] }));

const failureStatuses = (route: RestRoute): number[] =>
  route.scope === 'customer:write' ? [400, 401, 403, 404, 409, 500] : [400, 401, 403, 404, 500];

const codeOfStatus = (status: number) =>
  (Object.keys(httpStatusOf) as ErrorCode[]).find((code) => httpStatusOf[code] === status) ?? 'INTERNAL';

const failureMessages: Record<number, string> = {
  400: 'customerId: must be a positive integer id',
  401: 'missing token: send it in the token, X-Token or Authorization: Bearer header',
  403: 'Not authorized: the app lacks customer:write',
  404: 'customerId: customer 42 not found',
  409: 'mobile: phone "13765348726" already belongs to another customer',
  500: 'internal error',
};

function failureResponse(family: Family, status: number) {
  const code = codeOfStatus(status);
  return {
    description: `${code} in the ${family.name} failure envelope`,
    content: {
      'application/json': {
        schema: jsonSchema(family.failureSchema, 'output'),
        example: family.failure({ code, status, message: failureMessages[status], issues: [] }).body,
      },
    },
  };
}

/** The form variant of a request schema: JSON fields travel as JSON text. */
function formSchema(schema: JsonSchema, jsonFields: string[] = []): JsonSchema {
  const properties = { ...(schema.properties as Record<string, JsonSchema>) };
  for (const field of jsonFields) {
    if (!properties[field]) continue;
    const { description, ...content } = properties[field];
    properties[field] = {
      type: 'string',
      contentMediaType: 'application/json',
      contentSchema: content,
      ...(description ? { description } : {}),
    };
  }
  return { ...schema, properties };
}

function describeRoute(route: RestRoute): string {
  const op = operationFields(route);
  return [
    `Seed ${route.seed}. Needs the \`${route.scope}\` scope.`,
    `Runs the GraphQL ${op.type} \`${op.fields.join(', ')}\`:`,
    '```graphql',
    operationText(route),
    '```',
    ...(route.notes?.length ? ['', ...route.notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
}

function operationOf(route: RestRoute): Record<string, unknown> {
  const request = jsonSchema(route.request, 'input');
  const op = operationFields(route);
  const operation: Record<string, unknown> = {
    tags: [route.family.name],
    operationId: `${route.family.name}.${route.path.split('/').pop()}`,
    summary: route.summary,
    description: describeRoute(route),
    security: securityFor(route.scope),
    'x-scope': route.scope,
    'x-graphql-operation': { type: op.type, name: op.name, fields: op.fields, document: operationText(route) },
    responses: {
      200: {
        description: `Success in the ${route.family.name} envelope`,
        content: { 'application/json': { schema: jsonSchema(route.family.successSchema(route.response ?? z.unknown()), 'output') } },
      },
      ...Object.fromEntries(
        failureStatuses(route).map((status) => [status, { $ref: `#/components/responses/${route.family.name}_${status}` }]),
      ),
    },
  };
  if (route.method === 'GET') {
    const properties = (request.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((request.required ?? []) as string[]);
    const example = (route.example ?? {}) as Record<string, unknown>;
    operation.parameters = Object.entries(properties).map(([name, { description, ...schema }]) => ({
      name,
      in: 'query',
      required: required.has(name),
      ...(description ? { description } : {}),
      schema,
      ...(example[name] !== undefined ? { example: example[name] } : {}),
    }));
  } else {
    operation.requestBody = {
      required: true,
      content: Object.fromEntries(
        route.family.bodyTypes.map((type) => [
          type,
          type === 'application/json'
            ? { schema: request, ...(route.example ? { example: route.example } : {}) }
            : { schema: formSchema(request, route.jsonFields) },
        ]),
      ),
    };
  }
  return operation;
}

/** The token route is no shim route (it runs no GraphQL), but clients need it first. */
const tokenPath = {
  post: {
    tags: ['openapi'],
    operationId: 'openapi.token',
    summary: 'Exchanges appKey and secret for a token (CONTRACT §2)',
    security: [],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { appKey: { type: 'string' }, secret: { type: 'string' } },
            required: ['appKey', 'secret'],
          },
          example: { appKey: 'ak_…', secret: '…' },
        },
      },
    },
    responses: {
      200: {
        description: 'The token and its lifetime in seconds',
        content: {
          'application/json': {
            schema: jsonSchema(openapi.successSchema(z.object({ token: z.string(), expiresIn: z.number().int() })), 'output'),
          },
        },
      },
      400: { $ref: '#/components/responses/openapi_400' },
      401: { $ref: '#/components/responses/openapi_401' },
    },
  },
};

export function openApiDocument(routes: RestRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = { '/openapi/auth/token': tokenPath };
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationOf(route) };
  }
  const used = families.filter((family) => family === openapi || routes.some((r) => r.family === family));
  return {
    openapi: '3.1.0',
    info: {
      title: 'customer-graph REST compatibility shim',
      version: packageVersion,
      description:
        'The legacy vendor REST APIs, served unchanged on top of the customer-graph GraphQL schema. Each endpoint runs one GraphQL operation (shown in its description) and answers in its family’s envelope. GraphQL itself is at /graphql.',
    },
    servers: [{ url: '/' }],
    tags: used.map((family) => ({
      name: family.name,
      description: [`**${familyDocs[family.name].title}**`, '', ...familyDocs[family.name].envelope.map((line) => `- ${line}`)].join('\n'),
    })),
    paths,
    components: {
      securitySchemes: tokenSchemes,
      responses: Object.fromEntries(
        used.flatMap((family) =>
          [400, 401, 403, 404, 409, 500].map((status) => [`${family.name}_${status}`, failureResponse(family, status)]),
        ),
      ),
    },
  };
}
