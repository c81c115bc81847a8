// Abuse limits: GraphQL document limits (GraphQL Armor), request body size, per-app rate
// limits (memory and Redis), token-request limits, and introspection only with a token.
import { randomUUID } from 'node:crypto';
import { Kind, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleOperations } from '../../src/http/graphiql-examples.ts';
import { familyOf } from '../../src/platform/envelopes.ts';
import { restRoutes } from '../../src/rest/table.ts';
import { startTestGateway, tokenFor, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

describe('GraphQL document limits', () => {
  it('refuses a query deeper than GRAPHQL_MAX_DEPTH, as BAD_INPUT naming the limit, before running it', async () => {
    const deep = `{ customers(first: 1) { edges { node { friends { friends { friends { friends { friends { friends { friends { customerId } } } } } } } } } } }`;
    const res = await t.graphql(deep);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_INPUT');
    expect(res.body.errors[0].message).toMatch(/depth limit of 10 exceeded, found 11/);
    expect(res.body.data).toBeUndefined();
  });

  it('refuses too many aliases, too many tokens and too high a cost', async () => {
    const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: identityTypes { name }`).join(' ')} }`;
    const tokens = `{ identityTypes { ${Array.from({ length: 2100 }, () => 'name').join(' ')} } }`;
    const costly = `{ ${Array.from({ length: 14 }, (_, i) => `c${i}: customers(first: 500) { edges { node { friends { identities { identityValue customer { name } } } } } }`).join(' ')} }`;
    const cases: [string, RegExp][] = [
      [aliases, /aliases limit of 15/i],
      [tokens, /token limit of 2000/i],
      [costly, /cost limit of 5000/i],
    ];
    for (const [query, message] of cases) {
      const res = await t.graphql(query);
      expect(res.status, query.slice(0, 40)).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('BAD_INPUT');
      expect(res.body.errors[0].message).toMatch(message);
    }
  });

  it('lets every GraphiQL example operation through', async () => {
    for (const example of exampleOperations) {
      // A tab may hold several operations; GraphiQL runs the one picked, here the first.
      const operationName = parse(example.query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)?.name?.value;
      const variables = example.variables ? JSON.parse(example.variables) : {};
      // Not a stream: a subscription tab is answered 406 after the limits let it through, not followed.
      const res = await t.request('POST', '/graphql', {
        headers: { accept: 'application/graphql-response+json' },
        body: { query: example.query, variables, operationName },
      });
      const codes = (res.body?.errors ?? []).map((e: { extensions: { code: string } }) => e.extensions.code);
      expect(
        codes.filter((c: string) => c === 'BAD_INPUT' && res.status === 400),
        example.query.split('\n')[0],
      ).toEqual([]);
    }
  });

  it('suggests field names in development and never in production', async () => {
    const typo = '{ identityTypez { name } }';
    const dev = await t.graphql(typo);
    expect(dev.body.errors[0].message).toMatch(/Did you mean/);
    const production = await t.variant({ NODE_ENV: 'production' });
    const prod = await production.graphql(typo);
    expect(prod.status).toBe(400);
    expect(prod.body.errors[0].extensions.code).toBe('BAD_INPUT');
    expect(prod.body.errors[0].message).not.toMatch(/Did you mean|identityTypes/);
  });

  it('answers introspection only to callers with a token', async () => {
    const query = '{ __schema { queryType { name } types { name } } }';
    const anonymous = await t.graphql(query, {}, { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(anonymous.body.data).toBeUndefined();
    const viaGet = await t.request('GET', `/graphql?query=${encodeURIComponent(query)}`, { token: null });
    expect(viaGet.status).toBe(401);
    const authenticated = await t.graphql(query, {}, { token: t.tokens.read });
    expect(authenticated.status).toBe(200);
    expect(authenticated.body.data.__schema.queryType.name).toBe('Query');
  });
});

describe('request body limit', () => {
  // Every POST path: GraphQL, the token route and each REST route of the table (every family
  // that takes bodies), answered 413 in the path's own envelope, before anything runs.
  const postPaths = ['/graphql', '/openapi/auth/token', ...restRoutes.filter((r) => r.method === 'POST').map((r) => r.path)];

  it.each(postPaths)('answers 413 PAYLOAD_TOO_LARGE for %s in its envelope', async (path) => {
    const small = await t.variant({ BODY_LIMIT_BYTES: '1024' });
    const before = await t.prisma.auditLog.count();
    const res = await small.request('POST', path, { body: { query: '{ identityTypes { name } }', padding: 'x'.repeat(2048) } });
    expect(res.status).toBe(413);
    const family = familyOf(path);
    const expected = family
      ? family.failure({ code: 'PAYLOAD_TOO_LARGE', message: 'request body larger than 1024 bytes', status: 413, issues: [] }).body
      : { errors: [{ message: 'request body larger than 1024 bytes', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] };
    expect(res.body).toEqual(expected);
    expect(await t.prisma.auditLog.count()).toBe(before);
  });
});

describe('per-app rate limits', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the budget, per app, on GraphQL and every REST family', async () => {
    const limited = await t.variant({ RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
    const token = await tokenFor(t.prisma, ['customer:read', 'customer:write'], 'limited');
    for (let i = 0; i < 3; i++) {
      expect((await limited.graphql('{ identityTypes { name } }', {}, { token })).status).toBe(200);
    }
    const refused = await limited.graphql('{ identityTypes { name } }', {}, { token });
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);

    for (const route of restRoutes) {
      const res = await limited.request(route.method, route.path, { token, ...(route.method === 'POST' ? { body: {} } : {}) });
      expect(res.status, route.path).toBe(429);
      expect(res.headers['retry-after'], route.path).toBeDefined();
      expect(res.body).toEqual(
        route.family.failure({ code: 'RATE_LIMITED', message: res.body.msg ?? res.body.error_message, status: 429, issues: [] }).body,
      );
    }

    // Another app has its own budget.
    const other = await tokenFor(t.prisma, ['customer:read'], 'other');
    expect((await limited.graphql('{ identityTypes { name } }', {}, { token: other })).status).toBe(200);
  });

  it('limits token requests per client address', async () => {
    const limited = await t.variant({ TOKEN_RATE_LIMIT_REQUESTS: '2' });
    const attempt = () => limited.request('POST', '/openapi/auth/token', { token: null, body: { appKey: 'ak_x', secret: 'guess' } });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const refused = await attempt();
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: -1, data: null });
    expect(refused.headers['retry-after']).toBeDefined();
  });

  it('shares the budget across instances through Redis (REDIS_URL)', async () => {
    const env = {
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `cg-test-${randomUUID()}`,
      RATE_LIMIT_REQUESTS: '4',
    };
    const a = await t.variant(env);
    const b = await t.variant(env);
    const token = await tokenFor(t.prisma, ['customer:read'], 'shared');
    const statuses: number[] = [];
    for (const instance of [a, b, a, b, a, b]) {
      statuses.push((await instance.graphql('{ identityTypes { name } }', {}, { token })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
