// Free-text search terms: bounded in length (a long term makes PostgreSQL scan for seconds) and
// matched literally: Prisma's `contains` becomes LIKE '%term%', where % and _ are wildcards.

import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';

export const MAX_SEARCH_LENGTH = 200;

/** The term for Prisma's contains/startsWith/endsWith, with LIKE's wildcards and escape character escaped. */
export function likeLiteral(term: string): string {
  return term.replace(/[\\%_]/g, '\\$&');
}

/**
 * The name fields a search matches, case-insensitively (README "Names"): each has a trigram
 * index (migrations …_search_trigram_indexes, …_display_name).
 */
export const SEARCHED_NAME_FIELDS = ['name', 'realName', 'nickName'] as const;

/** Up to this many customers found through the trigram indexes are searched as an id list. */
export const SEARCH_CANDIDATE_LIMIT = 1000;

/**
 * Ids of the customers (live or not) whose phone or one of the name fields people type (name,
 * realName, nickName: README "Names") contains `term`, or whose phone identity contains
 * `digits` (when given): the same rows as the plain filter in src/schema/customer.ts, found in
 * one statement so that the page and totalCount that follow read an id list, not the table twice.
 * Null when the term matches more than SEARCH_CANDIDATE_LIMIT customers: the caller's plain filter
 * serves those (a frequent term finds its first page quickly anyway).
 */
export async function searchCandidateIds(prisma: Pick<PrismaClient, '$queryRaw'>, term: string, digits: string): Promise<number[] | null> {
  const pattern = `%${likeLiteral(term)}%`;
  const digitsPattern = digits ? `%${digits}%` : null;
  // Code points, not UTF-16 units: three Chinese characters are a term.
  const rows =
    Array.from(term).length >= 3
      ? await trigramLookup(prisma, pattern, digitsPattern)
      : bigramsServe(term)
        ? await bigramLookup(prisma, term, pattern)
        : await scanLookup(prisma, pattern, digitsPattern);
  return rows.length > SEARCH_CANDIDATE_LIMIT ? null : rows.map((r) => Number(r.id));
}

/**
 * Three characters or more: one trigram index scan per column (pg_trgm GIN indexes, migrations
 * …_search_trigram_indexes, …_identity_phone_trgm_index) joined by UNION, where one OR across the
 * columns and an identity sub-query makes PostgreSQL scan the whole table (and, with its
 * estimate, JIT-compile the scan).
 */
function trigramLookup(prisma: Pick<PrismaClient, '$queryRaw'>, pattern: string, digitsPattern: string | null) {
  const identityArm = digitsPattern
    ? Prisma.sql`UNION SELECT "customerId" FROM "Identity" WHERE "type" = 'phone' AND "value" LIKE ${digitsPattern}`
    : Prisma.empty;
  const nameArms = SEARCHED_NAME_FIELDS.map(
    (f) => Prisma.sql`UNION SELECT "id" FROM "Customer" WHERE ${Prisma.raw(`"${f}"`)} ILIKE ${pattern}`,
  );
  return prisma.$queryRaw<{ id: number }[]>`
    SELECT "id" FROM "Customer" WHERE "mobile" LIKE ${pattern}
    ${Prisma.join(nameArms, '\n')}
    ${identityArm}
    LIMIT ${SEARCH_CANDIDATE_LIMIT + 1}`;
}

/** A customer's columns matching `pattern` (the plain filter's LIKE / ILIKE, in SQL). */
const columnsMatch = (pattern: string) =>
  Prisma.sql`("mobile" LIKE ${pattern} ${Prisma.join(
    SEARCHED_NAME_FIELDS.map((f) => Prisma.sql`OR ${Prisma.raw(`"${f}"`)} ILIKE ${pattern}`),
    ' ',
  )})`;

/**
 * Two characters (a Chinese given name) with one outside the phone characters: the customers
 * whose lowercased two-character substrings include the term (GIN index of search_bigrams,
 * migration …_search_bigrams_index, which leaves out a mobile made of phone characters only:
 * such a mobile cannot contain this term), checked with the same LIKE / ILIKE.
 */
function bigramLookup(prisma: Pick<PrismaClient, '$queryRaw'>, term: string, pattern: string) {
  return prisma.$queryRaw<{ id: number }[]>`
    SELECT "id" FROM "Customer"
    WHERE search_bigrams("mobile", "name", "realName", "nickName") @> ARRAY[lower(${term}::text)]
      AND ${columnsMatch(pattern)}
    LIMIT ${SEARCH_CANDIDATE_LIMIT + 1}`;
}

/** A term made of these is a phone term (matched by digits too); search_bigrams' phone characters are these with an ASCII space only. */
export const PHONE_CHARACTERS = /^[\d\s()+-]*$/;
/** What bigramLookup can serve: two code points, not all phone characters, no U+0001 (its separator). */
const bigramsServe = (term: string) => Array.from(term).length === 2 && !PHONE_CHARACTERS.test(term) && !term.includes('\u0001');

/**
 * One character, or a short phone term: no index serves it. One pass over the table (the phone
 * identities' ids hashed once), which stops as soon as it has found more than the limit.
 */
function scanLookup(prisma: Pick<PrismaClient, '$queryRaw'>, pattern: string, digitsPattern: string | null) {
  const identityArm = digitsPattern
    ? Prisma.sql`OR "id" IN (SELECT "customerId" FROM "Identity" WHERE "type" = 'phone' AND "value" LIKE ${digitsPattern})`
    : Prisma.empty;
  return prisma.$queryRaw<{ id: number }[]>`
    SELECT "id" FROM "Customer" WHERE ${columnsMatch(pattern)} ${identityArm}
    LIMIT ${SEARCH_CANDIDATE_LIMIT + 1}`;
}
