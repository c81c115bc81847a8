// A route's legacy → GraphQL field mapping (RestRoute.fields): the variables built from it, and
// the legacy names of the argument paths the operation's errors use, read from the document.
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { argumentPathsOfVariables, errorFieldsOf, variablesFrom } from '../../src/rest/field-map.ts';
import { legacyFieldName } from '../../src/rest/shim.ts';

describe('variablesFrom', () => {
  it.each([
    [{ user_id: 'userId' }, { user_id: '998', secret: 'x' }, { userId: '998' }],
    [{ customer_id: 'customerIds[0]' }, { customer_id: '7' }, { customerIds: ['7'] }],
    [{ data: 'input.profiles', mode: 'input.kind' }, { data: [1], mode: 'P' }, { input: { profiles: [1], kind: 'P' } }],
    [{ template: 'template' }, { template: null }, { template: null }],
  ])('%j maps %j to %j', (fields, request, expected) => {
    expect(JSON.parse(JSON.stringify(variablesFrom(fields, request)))).toEqual(expected);
  });
});

describe('errorFieldsOf', () => {
  const friends = parse(`mutation($a: String!, $b: [String!]!) {
    addFriendsByIdentity(identityType: "username", identityValue: $a, friendIdentityValues: $b) { customerId }
  }`);
  const nested = parse(`query($id: ID!, $keys: [String!]!, $u: String) {
    customer(id: $id) { attributeValues(keys: $keys) { attrKey } }
    userCustomers(filter: { userId: $u }) { totalCount }
  }`);

  it('finds the argument paths of every variable, nested fields and input objects included', () => {
    expect(Object.fromEntries(argumentPathsOfVariables(nested))).toEqual({ id: ['id'], keys: ['keys'], u: ['filter.userId'] });
  });

  it.each([
    [friends, { userIdA: 'a', userIdBatch: 'b' }, { identityValue: 'userIdA', friendIdentityValues: 'userIdBatch' }],
    [
      nested,
      { customerId: 'id', attrKeyList: 'keys', user_id: 'u' },
      { id: 'customerId', keys: 'attrKeyList', 'filter.userId': 'user_id' },
    ],
    [
      parse('mutation($ids: [ID!]!) { unfollowCustomers(userId: "1", customerIds: $ids) { removed } }'),
      { customer_id: 'ids[0]' },
      { 'customerIds[0]': 'customer_id', customerIds: 'customer_id' },
    ],
  ])('names the legacy field of each argument path', (document, fields, expected) => {
    expect(errorFieldsOf(document, fields)).toEqual(expected);
  });

  it('renames an error of the operation back to the field the client sent', () => {
    const errorFields = errorFieldsOf(friends, { userIdA: 'a', userIdBatch: 'b' });
    expect(legacyFieldName('friendIdentityValues[2]', errorFields)).toBe('userIdBatch[2]');
    expect(legacyFieldName('identityValue', errorFields)).toBe('userIdA');
  });
});
