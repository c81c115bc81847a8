// What errors and logs give away: in production no stack trace and no SQL in any answer,
// a stable code on every error, and logs free of tokens, phones and e-mails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpStatusOf } from '../../src/domain/errors.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { eduErrorCodes, audienceErrorNames, familyOf, USER_CUSTOMER_OK } from '../../src/platform/envelopes.ts';
import { loggerOptions } from '../../src/http/logging.ts';
import { restRoutes } from '../../src/rest/table.ts';
import { startTestGateway, type GatewayClient, type Reply, type TestGateway } from '../support/gateway.ts';

const PHONE = '13765348726';
const EMAIL = 'zhang.san@example.com';
const OPENID = 'oAbC1234567890defGHIJklmnopq';

/** A driver error as Prisma raises it: the SQL, a personal value and a stack. */
function sqlError(): Error {
  const error = new Error(
    `Invalid \`prisma.customer.findMany()\` invocation:\n\nError occurred during query execution:\n` +
      `ConnectorError(QueryError(PostgresError { code: "XX000", message: "SELECT \\"public\\".\\"Customer\\".\\"id\\" FROM \\"public\\".\\"Customer\\" WHERE mobile = '${PHONE}' OR email = '${EMAIL}'" }))`,
  );
  return Object.assign(error, { code: 'P2010' });
}

/** The client with every Customer read failing as the database would fail it. */
function failingCustomerReads(prisma: PrismaClient): PrismaClient {
  return new Proxy(prisma, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== 'customer') return value;
      return new Proxy(value, {
        get(model, method) {
          return typeof method === 'string' && /^(find|count)/.test(method)
            ? async () => {
                throw sqlError();
              }
            : Reflect.get(model, method);
        },
      });
    },
  });
}

let t: TestGateway;
let production: GatewayClient;
let development: GatewayClient;
const lines: string[] = [];

beforeAll(async () => {
  t = await startTestGateway();
  const database = { ...t.db.database, prisma: failingCustomerReads(t.prisma) };
  const logger = loggerOptions({ LOG_LEVEL: 'info' }, { write: (line: string) => void lines.push(line) });
  production = await t.variant({ NODE_ENV: 'production' }, { database, logger });
  development = await t.variant({ NODE_ENV: 'development' }, { database });
});
afterAll(() => t.close());

const knownCodes = new Set(Object.keys(httpStatusOf));

function leaks(reply: Reply): string[] {
  const text = JSON.stringify(reply.body);
  return [/SELECT|"public"\.|PostgresError/, /\n\s+at |\.ts:\d+|node_modules/, new RegExp(PHONE), new RegExp(EMAIL)]
    .filter((pattern) => pattern.test(text))
    .map(String);
}

describe('errors in production', () => {
  it('answers an internal error with INTERNAL, no SQL, no stack, no personal value: GraphQL and REST', async () => {
    const gql = await production.graphql('{ customers(first: 5) { totalCount edges { node { name } } } }');
    expect(gql.body.errors[0].extensions.code).toBe('INTERNAL');
    expect(gql.body.errors[0].message).toBe('internal error');
    expect(leaks(gql)).toEqual([]);

    const rest = await production.request('GET', '/openapi/customer/customerInfo?customerId=1');
    expect(rest.status).toBe(500);
    expect(rest.body).toEqual({ code: -1, msg: 'internal error', data: null });

    // In development the cause is shown, to whoever runs it locally.
    const dev = await development.graphql('{ customers(first: 5) { totalCount } }');
    expect(dev.body.errors[0].message).toMatch(/^internal error: Invalid `prisma.customer.findMany\(\)`/);
  });

  it('gives every error a stable code: GraphQL extensions.code and each family’s code', async () => {
    const gqlCases: [string, Record<string, unknown>?, (string | null)?][] = [
      ['{ customers(first: ', {}],
      ['{ nope }', {}],
      ['query ($id: ID!) { customer(id: $id) { name } }', {}],
      ['mutation { createCustomer(profile: { gender: 7 }) { customerId } }', {}],
      ['mutation { deleteCustomer(id: "999999") { customerId } }', {}],
      ['{ identityTypes { name } }', {}, 'bogus-token'],
      ['{ customers(first: 1) { totalCount } }', {}],
      [
        `{ ${'a: identityTypes { name } '.repeat(1)}${Array.from({ length: 20 }, (_, i) => `x${i}: identityTypes { name }`).join(' ')} }`,
        {},
      ],
    ];
    for (const [query, variables, token] of gqlCases) {
      const res = await production.graphql(query, variables, token === undefined ? {} : { token });
      expect(res.body.errors?.length, query).toBeGreaterThan(0);
      for (const error of res.body.errors) {
        expect(knownCodes.has(error.extensions?.code), `${query}: ${JSON.stringify(error)}`).toBe(true);
        expect(error.extensions).not.toHaveProperty('stacktrace');
        expect(error.extensions).not.toHaveProperty('originalError');
      }
      expect(leaks(res)).toEqual([]);
    }

    const familyCodes = new Set<string>([
      ...Object.values(eduErrorCodes),
      ...Object.values(audienceErrorNames),
      '-1',
      ...Object.values(httpStatusOf).map((s) => String(130000 + s)),
    ]);
    const restCases: [string, string, unknown?, (string | null)?][] = [
      // A request the route refuses before running (routes whose every field is optional accept it).
      ...restRoutes
        .filter((r) => !r.request.safeParse(r.method === 'POST' ? { junk: true } : {}).success)
        .map((r): [string, string, unknown?] => [r.method, r.path, r.method === 'POST' ? { junk: true } : undefined]),
      ...restRoutes.map((r): [string, string, unknown?, (string | null)?] => [r.method, r.path, undefined, null]),
      ['POST', '/api/user_customer/nope', {}],
      ['GET', '/openapi/customer/nope?customerId=1'],
    ];
    for (const [method, path, body, token] of restCases) {
      const res = await production.request(method, path, { body, ...(token === undefined ? {} : { token }) });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      const family = familyOf(path)!;
      const code = family.name === 'user_customer' ? res.body.mix_code : (res.body.error_code ?? res.body.errorCode ?? res.body.code);
      expect(code, `${method} ${path}`).not.toBe(USER_CUSTOMER_OK);
      expect(familyCodes.has(String(code)), `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(true);
      expect(leaks(res)).toEqual([]);
    }
  });
});

describe('logs', () => {
  it('carry a request id, echoed as x-request-id, and no token, phone, e-mail or openid', async () => {
    lines.length = 0;
    const token = t.tokens.all;
    const given = await production.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-42' } });
    expect(given.headers['x-request-id']).toBe('trace-42');
    const generated = await production.request('GET', '/healthz', { headers: { 'x-request-id': `${PHONE} <script>` } });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    const variables = JSON.stringify({ phone: PHONE, email: EMAIL });
    const query = 'query ($phone: String!) { customerByIdentity(identityType: "phone", identityValue: $phone) { name } }';
    await production.request('GET', `/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(variables)}`, {
      headers: { token },
    });
    await production.request('GET', `/openapi/customer/customerInfo?customerId=1&mobile=${PHONE}&email=${EMAIL}`, {
      token: null,
      headers: { 'x-token': token },
    });
    await production.graphql('{ customers(first: 1) { totalCount } }', {}, { token });
    await production.request('POST', '/openapi/auth/token', { token: null, body: { appKey: OPENID, secret: token } });
    await production.request('GET', `/v1/customer/${EMAIL}/${PHONE}?openid=${OPENID}`);

    const output = lines.join('');
    const entries = lines.map((line) => JSON.parse(line));
    // The logs say something: each request with its id, the internal error with its (masked) cause.
    expect(entries.some((e) => e.reqId === 'trace-42' && e.msg === 'incoming request')).toBe(true);
    expect(entries.some((e) => e.level >= 50 && /\[phone\]|\[email\]/.test(JSON.stringify(e.err)))).toBe(true);
    expect(entries.filter((e) => e.msg === 'request completed').length).toBeGreaterThanOrEqual(7);
    for (const secret of [token, PHONE, EMAIL, OPENID, '137-6534-8726']) {
      expect(output.includes(secret), `log contains ${secret.slice(0, 6)}…`).toBe(false);
    }
  });
});
