// Scopes, tokens and secrets, checked over everything that exists at run time: every mutation
// of the schema and every REST route of the table, so new ones are covered without listing them.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  getNamedType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  isCompositeType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { createApp, tokenDigest } from '../../src/domain/auth.ts';
import { restRoutes } from '../../src/rest/table.ts';
import { schema } from '../../src/schema/index.ts';
import { databaseChecksum, fromZod } from '../../scripts/support/fuzz.ts';
import { seedWorld } from '../../scripts/support/fuzz-gateway.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const compare = vi.hoisted(() => ({ calls: [] as [number, number][] }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return {
    ...actual,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compare.calls.push([a.byteLength, b.byteLength]);
      return actual.timingSafeEqual(a, b);
    },
  };
});

let t: TestGateway;
let customerId: number;
let groupId: number;
beforeAll(async () => {
  t = await startTestGateway();
  const world = await seedWorld(t.prisma, 3);
  customerId = world.customerIds[0];
  groupId = world.groupIds[0];
});
afterAll(() => t.close());

const checksum = () => databaseChecksum((sql) => t.prisma.$queryRawUnsafe(sql));

/** A well-typed value for a required argument: enough to reach the scope check. */
function sample(type: GraphQLInputType, name: string): unknown {
  if (type instanceof GraphQLNonNull) return sample(type.ofType, name);
  if (type instanceof GraphQLList) return [sample(type.ofType, name)];
  if (type instanceof GraphQLInputObjectType) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => f.type instanceof GraphQLNonNull)
        .map((f) => [f.name, sample(f.type, f.name)]),
    );
  }
  if (type instanceof GraphQLEnumType) return type.getValues()[0].name;
  switch (getNamedType(type).name) {
    case 'ID':
      return String(customerId);
    case 'Int':
      return /group/i.test(name) ? groupId : customerId;
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return new Date().toISOString();
    default:
      return /type/i.test(name) ? 'phone' : 'x';
  }
}

function operationFor(field: GraphQLField<unknown, unknown>) {
  const required = field.args.filter((a) => a.type instanceof GraphQLNonNull);
  const declarations = required.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const passing = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
  return {
    query: `mutation${declarations ? ` (${declarations})` : ''} { ${field.name}${passing ? `(${passing})` : ''}${selection} }`,
    variables: Object.fromEntries(required.map((a) => [a.name, sample(a.type, a.name)])),
  };
}

/** The scopes Pothos was given for a field (scope-auth keeps them in the field's extensions). */
function scopesOf(field: GraphQLField<unknown, unknown>): string[] {
  const options = (field.extensions as { pothosOptions?: { authScopes?: Record<string, boolean> } }).pothosOptions;
  return Object.keys(options?.authScopes ?? {});
}

const mutations = Object.values(schema.getMutationType()!.getFields());

describe('scopes', () => {
  it('declares a write or admin scope on every mutation', () => {
    for (const field of mutations) {
      expect(
        scopesOf(field).filter((s) => s === 'write' || s === 'admin'),
        field.name,
      ).not.toEqual([]);
    }
  });

  it.each(mutations.map((m) => [m.name, m] as const))('refuses %s to a read-only app (403) and writes nothing', async (_name, field) => {
    const before = await checksum();
    const { query, variables } = operationFor(field);
    const res = await t.graphql(query, variables, { token: t.tokens.read });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(await checksum()).toBe(before);
  });

  it.each(mutations.filter((m) => scopesOf(m).includes('admin')).map((m) => [m.name, m] as const))(
    'refuses the admin mutation %s to a read+write app (403) and writes nothing',
    async (_name, field) => {
      const before = await checksum();
      const { query, variables } = operationFor(field);
      const res = await t.graphql(query, variables, { token: t.tokens.readWrite });
      expect(res.status).toBe(403);
      expect(await checksum()).toBe(before);
    },
  );

  const writeRoutes = restRoutes.filter((r) => r.scope === 'customer:write');
  it.each(writeRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    'refuses %s to a read-only app in its envelope and writes nothing',
    async (_name, route) => {
      // A valid request (the seed's example, or one generated from the route's schema), so that
      // only the scope stands in the way.
      const world = { customerIds: [customerId], groupIds: [groupId] };
      const valid =
        route.example ??
        fc.sample(fromZod(route.request, world), { numRuns: 200, seed: 1 }).find((candidate) => route.request.safeParse(candidate).success);
      expect(route.request.safeParse(valid).success).toBe(true);
      const before = await checksum();
      const url = route.method === 'GET' ? `${route.path}?${new URLSearchParams(valid as Record<string, string>)}` : route.path;
      const res = await t.request(route.method, url, { token: t.tokens.read, ...(route.method === 'POST' ? { body: valid } : {}) });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        route.family.failure({ code: 'FORBIDDEN', message: res.body.msg ?? res.body.error_message, status: 403, issues: [] }).body,
      );
      expect(await checksum()).toBe(before);
    },
  );
});

describe('tokens', () => {
  it('refuses expired and revoked tokens on every REST route and on GraphQL, in the family envelope', async () => {
    const app = await createApp(t.prisma, { name: 'short-lived', scopes: ['customer:read', 'customer:write'] });
    const issue = async () =>
      (await t.request('POST', '/openapi/auth/token', { token: null, body: { appKey: app.appKey, secret: app.secret } })).body.data
        .token as string;
    const expired = await issue();
    await t.prisma.appToken.update({ where: { tokenHash: tokenDigest(expired) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const revoked = await issue();
    await t.gateway.services.tokens.revoke(revoked);
    const revokedApp = await createApp(t.prisma, { name: 'revoked-app', scopes: ['customer:read'] });
    const ofRevokedApp = (
      await t.request('POST', '/openapi/auth/token', { token: null, body: { appKey: revokedApp.appKey, secret: revokedApp.secret } })
    ).body.data.token as string;
    await t.prisma.app.update({ where: { appKey: revokedApp.appKey }, data: { revokedAt: new Date() } });
    t.gateway.services.tokens.forget();

    for (const token of [expired, revoked, ofRevokedApp]) {
      expect((await t.graphql('{ identityTypes { name } }', {}, { token })).status).toBe(401);
      for (const route of restRoutes) {
        const res = await t.request(route.method, route.path, { token, ...(route.method === 'POST' ? { body: {} } : {}) });
        expect(res.status, route.path).toBe(401);
        expect(res.body).toEqual(
          route.family.failure({ code: 'UNAUTHENTICATED', message: 'invalid, expired or revoked token', status: 401, issues: [] }).body,
        );
      }
    }
    // A revoked app cannot get a new token either.
    const again = await t.request('POST', '/openapi/auth/token', {
      token: null,
      body: { appKey: revokedApp.appKey, secret: revokedApp.secret },
    });
    expect(again.status).toBe(401);
  });

  it('compares secrets in constant time, and does the same work for an unknown appKey as for a wrong secret', async () => {
    const app = await createApp(t.prisma, { name: 'timing', scopes: ['customer:read'] });
    const attempts = [
      { appKey: app.appKey, secret: 'wrong' },
      { appKey: 'ak_does_not_exist', secret: 'wrong' },
      { appKey: app.appKey, secret: app.secret },
    ];
    const calls: [number, number][][] = [];
    for (const body of attempts) {
      compare.calls.length = 0;
      await t.request('POST', '/openapi/auth/token', { token: null, body });
      calls.push([...compare.calls]);
    }
    // One constant-time comparison of two 32-byte scrypt hashes, whichever way it fails.
    expect(calls).toEqual([[[32, 32]], [[32, 32]], [[32, 32]]]);
  });

  it('stores no token and no secret in clear', async () => {
    const app = await createApp(t.prisma, { name: 'clear', scopes: ['customer:read'] });
    const token = (await t.request('POST', '/openapi/auth/token', { token: null, body: { appKey: app.appKey, secret: app.secret } })).body
      .data.token as string;
    const dump = JSON.stringify(await t.prisma.$queryRawUnsafe(`SELECT a.*, t.* FROM "App" a JOIN "AppToken" t ON t."appId" = a.id`));
    expect(dump.includes(token)).toBe(false);
    expect(dump.includes(app.secret)).toBe(false);
  });
});
