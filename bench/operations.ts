// What the benchmark asks: the GraphQL operations, and the hand-written SQL that answers the
// same JSON in one statement (PostgreSQL builds the document; no Prisma, no GraphQL).
import { openapiRoutes } from '../src/rest/routes/openapi.ts';

/** 20 customers (by default) with identities, groups, and 5 friends each with their identities. */
export const nestedQuery = `query Nested($first: Int!) {
  customers(first: $first) {
    edges { node {
      customerId name mobile
      identities { identityType identityValue }
      groups { groupId name }
      friends(first: 5) { customerId name identities { identityType identityValue } }
    } }
  }
}`;

const identitiesOf = (alias: string, customer: string) =>
  `COALESCE((SELECT json_agg(json_build_object('identityType', ${alias}.type, 'identityValue', ${alias}.value) ORDER BY ${alias}.id)
             FROM "Identity" ${alias} WHERE ${alias}."customerId" = ${customer}), '[]')`;

/** nestedQuery in one statement: `$1` is `first`. Same order and filters as the resolvers. */
export const nestedSql = `SELECT json_build_object('data', json_build_object('customers', json_build_object('edges', COALESCE((
  SELECT json_agg(json_build_object('node', json_build_object(
    'customerId', c.id, 'name', c.name, 'mobile', c.mobile,
    'identities', ${identitiesOf('i', 'c.id')},
    'groups', COALESCE((SELECT json_agg(json_build_object('groupId', g.id, 'name', g.name) ORDER BY m."groupId")
                        FROM "GroupMember" m JOIN "Group" g ON g.id = m."groupId" WHERE m."customerId" = c.id), '[]'),
    'friends', COALESCE((SELECT json_agg(json_build_object('customerId', f.id, 'name', f.name, 'identities', ${identitiesOf('fi', 'f.id')}) ORDER BY f.id)
                         FROM (SELECT f.id, f.name FROM "Friendship" fs JOIN "Customer" f ON f.id = fs."friendId"
                               WHERE fs."customerId" = c.id AND f."deletedAt" IS NULL AND f."mergedIntoId" IS NULL
                               ORDER BY fs."friendId" LIMIT 5) f), '[]')
  )) ORDER BY c.id DESC)
  FROM (SELECT id, name, mobile FROM "Customer" WHERE "deletedAt" IS NULL AND "mergedIntoId" IS NULL ORDER BY id DESC LIMIT $1) c
), '[]'))))::text AS body`;

export const pointQuery = `query ByIdentity($type: String!, $value: String!) {
  customerByIdentity(identityType: $type, identityValue: $value) {
    customerId name mobile
    identities { identityType identityValue }
  }
}`;

/**
 * pointQuery in one statement: `$1` the identity type, `$2` the value as given. Normalises the
 * value by the type's rule, follows merge tombstones to the survivor, skips deleted customers.
 */
export const pointSql = `WITH RECURSIVE chain AS (
  SELECT c.id, c."mergedIntoId", c."deletedAt", 0 AS hops
  FROM "IdentityType" t
  JOIN "Identity" i ON i.type = t.name AND i.value = CASE t.normalization
      WHEN 'DIGITS' THEN regexp_replace($2, '\\D', '', 'g') WHEN 'LOWERCASE' THEN lower(btrim($2))
      WHEN 'TRIM' THEN btrim($2) ELSE $2 END
  JOIN "Customer" c ON c.id = i."customerId"
  WHERE t.name = $1
  UNION ALL
  SELECT c.id, c."mergedIntoId", c."deletedAt", chain.hops + 1
  FROM chain JOIN "Customer" c ON c.id = chain."mergedIntoId" WHERE chain.hops < 10
)
SELECT json_build_object('data', json_build_object('customerByIdentity', (
  SELECT json_build_object('customerId', c.id, 'name', c.name, 'mobile', c.mobile, 'identities', ${identitiesOf('i', 'c.id')})
  FROM chain JOIN "Customer" c ON c.id = chain.id WHERE chain."mergedIntoId" IS NULL AND chain."deletedAt" IS NULL
)))::text AS body`;

const customerInfo = openapiRoutes.find((r) => r.path === '/openapi/customer/customerInfo')!;

/** The GraphQL operation the REST shim runs for GET /openapi/customer/customerInfo. */
export const customerInfoOperation = customerInfo.operation;

export const ceilingQuery = '{ __typename }';
