// GraphQL over HTTP as a client sees it (issue 15 items 8-10): graphql-http's own audit suite,
// 405 with Allow, 2xx with data under application/graphql-response+json (a committed write says
// so), and a 401 a browser app can read: WWW-Authenticate, CORS, the accepted media type.
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type GatewayClient, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
let withCors: GatewayClient;
beforeAll(async () => {
  t = await startTestGateway();
  withCors = await t.variant({ CORS_ORIGINS: 'https://app.example' });
});
afterAll(() => t.close());

const GRAPHQL_RESPONSE = 'application/graphql-response+json';

/** fetch over fastify's inject, with a token, for graphql-http's audits. */
function injectFetch(token: string) {
  return async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const response = await t.gateway.app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers: { ...headers, authorization: `Bearer ${token}` },
      payload: typeof init.body === 'string' ? init.body : undefined,
    });
    return new Response(response.statusCode === 204 ? null : response.body, {
      status: response.statusCode,
      headers: Object.entries(response.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)] as [string, string]])),
    });
  };
}

/**
 * The SHOULDs this server answers otherwise, on purpose (README "GraphQL over HTTP"): a document
 * that does not parse or validate, or variables that do not coerce, are the client's mistake and
 * BAD_INPUT with HTTP 400 under application/json too, as every other bad input of this API.
 */
const documentedExceptions = new Set(['572B', 'FDE2', '7B9B']);

describe('graphql-http server audits', () => {
  const audits = serverAudits({ url: 'http://gateway.test/graphql', fetchFn: () => undefined });
  it.each(audits.map((audit) => [audit.id, audit.name]))('%s %s', async (id, name) => {
    const [audit] = serverAudits({ url: 'http://gateway.test/graphql', fetchFn: injectFetch(t.tokens.all) }).filter((a) => a.id === id);
    const result = await audit.fn();
    if (documentedExceptions.has(id)) {
      expect(result.status, name).toBe('warn');
      expect('response' in result && result.response.status).toBe(400);
      return;
    }
    // MUST (error) and SHOULD (warn) alike pass.
    expect(result.status === 'ok' || result.status === 'notice', `${name}: ${'reason' in result ? result.reason : ''}`).toBe(true);
  });
});

describe('methods', () => {
  it('answers a mutation over GET with 405 and Allow: POST', async () => {
    const query = encodeURIComponent('mutation { createGroup(name: "g") { id } }');
    const reply = await t.request('GET', `/graphql?query=${query}`, { headers: { accept: GRAPHQL_RESPONSE } });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('POST');
    expect(await t.prisma.group.count({ where: { name: 'g' } })).toBe(0);
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('answers %s /graphql with 405 and Allow', async (method) => {
    const reply = await t.request(method, '/graphql', { body: { query: '{ __typename }' } });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, POST');
  });
});

describe('a token missing a scope', () => {
  it('with graphql-response+json: data and FORBIDDEN errors side by side, 200', async () => {
    const reply = await t.graphql(
      '{ customer(id: 1) { name } identityTypes { name } }',
      {},
      { token: t.tokens.write, headers: { accept: GRAPHQL_RESPONSE } },
    );
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toContain(GRAPHQL_RESPONSE);
    expect(reply.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect('data' in reply.body).toBe(true);
  });

  it('a write that committed says so: createGroup with a write-only token', async () => {
    const reply = await t.graphql(
      'mutation { createGroup(name: "written") { id name } }',
      {},
      { token: t.tokens.write, headers: { accept: GRAPHQL_RESPONSE } },
    );
    expect(await t.prisma.group.count({ where: { name: 'written' } })).toBe(1);
    expect(reply.status).toBe(200);
    expect(reply.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(reply.body.errors[0].message).toMatch(/the mutation createGroup ran and its write is committed/);
  });

  it('with application/json: 403, as CONTRACT §2 has it', async () => {
    const reply = await t.graphql('{ customer(id: 1) { name } }', {}, { token: t.tokens.write, headers: { accept: 'application/json' } });
    expect(reply.status).toBe(403);
  });
});

describe('401', () => {
  it('carries WWW-Authenticate and the media type the client accepts', async () => {
    const reply = await t.graphql('{ __typename }', {}, { token: null, headers: { accept: GRAPHQL_RESPONSE } });
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(reply.headers['content-type']).toContain(GRAPHQL_RESPONSE);
    expect(reply.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const json = await t.graphql('{ __typename }', {}, { token: 'expired-or-unknown' });
    expect(json.headers['content-type']).toContain('application/json');
    expect(json.headers['www-authenticate']).toMatch(/^Bearer /);
  });

  it('is readable by a configured cross-origin app (CORS headers on the 401)', async () => {
    const reply = await withCors.graphql('{ __typename }', {}, { token: null, headers: { origin: 'https://app.example' } });
    expect(reply.status).toBe(401);
    expect(reply.headers['access-control-allow-origin']).toBe('https://app.example');
    const other = await withCors.graphql('{ __typename }', {}, { token: null, headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a REST 401 names the scheme too', async () => {
    const reply = await t.request('GET', '/openapi/customer/customerInfo?customerId=1', { token: null });
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toMatch(/^Bearer /);
  });
});
