// A REST route's scope is what its GraphQL operation's root fields require (their authScopes on
// the built schema), never written by hand: the table below is the scopes the routes had when
// they were hand-written, so deriving them changed nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationScope } from '../../src/rest/route-scope.ts';
import { restRoutes } from '../../src/rest/table.ts';
import { schema } from '../../src/schema/index.ts';

describe('route scopes', () => {
  it.each([
    ['POST /v1/customer/addCustomerBatch.json', 'customer:write'],
    ['POST /v1/customer/addFriendBatch.json', 'customer:write'],
    ['POST /openapi/customer/add', 'customer:write'],
    ['POST /openapi/customer/createCustomerByIdentity', 'customer:write'],
    ['POST /openapi/customer/getCustomerIdByIdentityList', 'customer:read'],
    ['GET /openapi/customer/customerInfo', 'customer:read'],
    ['POST /openapi/customer-identity-ref/getCustomerIdByCustomerIdentity', 'customer:read'],
    ['GET /openapi/customer/singleDelete', 'customer:write'],
    ['GET /openapi/customer/simpleQuery', 'customer:read'],
    ['POST /openapi/customer/updateCustomerAttr', 'customer:write'],
    ['POST /openapi/customer/queryAttrValuesByCustomerId', 'customer:read'],
    ['POST /api/integrate/audience/group/rel/batchAdd', 'customer:write'],
    ['POST /api/integrate/audience/info/batchAdd', 'customer:write'],
    ['POST /api/integrate/import/user/batchAdd', 'customer:write'],
    // importJob accepts read or write: the route asks for the lesser.
    ['GET /api/integrate/audience/import/result', 'customer:read'],
    ['POST /api/user_customer/get_list', 'customer:read'],
    ['POST /api/user_customer/get', 'customer:read'],
    ['POST /api/user_customer/get_customer_list', 'customer:read'],
    ['POST /api/user_customer/add', 'customer:write'],
    ['POST /api/user_customer/edit', 'customer:write'],
    ['POST /api/user_customer/delete', 'customer:write'],
    ['POST /api/user_customer/multi_delete', 'customer:write'],
  ])('%s needs %s', (route, scope) => {
    const found = restRoutes.find((r) => `${r.method} ${r.path}` === route);
    expect(found?.scope).toBe(scope);
    expect(operationScope(schema, parse(found!.operation))).toBe(scope);
  });

  it('covers every route of the table', () => {
    expect(restRoutes).toHaveLength(22);
  });

  it('is written by hand in no route file', () => {
    const dir = join(import.meta.dirname, '../../src/rest/routes');
    const handWritten = readdirSync(dir).filter((file) => /^\s*scope:/m.test(readFileSync(join(dir, file), 'utf8')));
    expect(handWritten).toEqual([]);
  });

  it.each([
    ['an admin field', 'mutation { revokeToken(token: "x") }', 'no common customer scope (admin)'],
    ['fields that agree on no scope', 'query { customers(first: 1) { totalCount } apps { appKey } }', 'no common customer scope (none)'],
    ['a fragment at the root', 'query { ...F } fragment F on Query { customers(first: 1) { totalCount } }', 'no fragments'],
    ['a field the schema lacks', 'query { nothing }', 'Query.nothing does not exist'],
  ])('refuses an operation with %s', (_case, operation, message) => {
    expect(() => operationScope(schema, parse(operation))).toThrow(message);
  });
});
