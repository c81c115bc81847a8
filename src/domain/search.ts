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
 * realName, nickName: README "Names") contains `term`, or whose phone
 * identity contains `digits`: one index scan per column (pg_trgm GIN indexes, migration
 * …_search_trigram_indexes) joined by UNION, where one OR across the columns and an identity
 * sub-query makes PostgreSQL scan the whole table (and, with its estimate, JIT-compile the scan).
 * Null when trigrams cannot serve the term (under 3 characters) or it matches more than
 * SEARCH_CANDIDATE_LIMIT customers: the caller's plain filter serves those (a frequent term finds
 * its first page quickly anyway).
 */
export async function searchCandidateIds(prisma: Pick<PrismaClient, '$queryRaw'>, term: string, digits: string): Promise<number[] | null> {
  // Code points, not UTF-16 units: three Chinese characters are a term.
  if (Array.from(term).length < 3) return null;
  const pattern = `%${likeLiteral(term)}%`;
  const identityArm =
    digits.length >= 3
      ? Prisma.sql`UNION SELECT "customerId" FROM "Identity" WHERE "type" = 'phone' AND "value" LIKE ${`%${digits}%`}`
      : Prisma.empty;
  const nameArms = SEARCHED_NAME_FIELDS.map(
    (f) => Prisma.sql`UNION SELECT "id" FROM "Customer" WHERE ${Prisma.raw(`"${f}"`)} ILIKE ${pattern}`,
  );
  const rows = await prisma.$queryRaw<{ id: number }[]>`
    SELECT "id" FROM "Customer" WHERE "mobile" LIKE ${pattern}
    ${Prisma.join(nameArms, '\n')}
    ${identityArm}
    LIMIT ${SEARCH_CANDIDATE_LIMIT + 1}`;
  return rows.length > SEARCH_CANDIDATE_LIMIT ? null : rows.map((r) => Number(r.id));
}
