// Free-text search terms: bounded in length (a long term makes PostgreSQL scan for seconds) and
// matched literally: Prisma's `contains` becomes LIKE '%term%', where % and _ are wildcards.

export const MAX_SEARCH_LENGTH = 200;

/** The term for Prisma's contains/startsWith/endsWith, with LIKE's wildcards and escape character escaped. */
export function likeLiteral(term: string): string {
  return term.replace(/[\\%_]/g, '\\$&');
}
