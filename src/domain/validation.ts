// Turns zod's issues into field-naming DomainErrors: `customers[3].tel: expected string`.
import type { z } from 'zod';
import { type FieldIssue, invalidInput } from './errors.ts';

export function fieldPath(path: readonly PropertyKey[], prefix?: string): string {
  let out = prefix ?? '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(input)';
}

export function issuesOf(error: z.ZodError, prefix?: string, row?: number): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: fieldPath(issue.path, prefix),
    message: issue.message,
    ...(row === undefined ? {} : { row }),
  }));
}

/** Parses `input` with `schema`, or throws BAD_INPUT naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidInput(issuesOf(parsed.error, prefix));
  return parsed.data;
}

/** Ids and integer columns are PostgreSQL `integer`: a larger number must be refused, not sent. */
export const INT32_MAX = 2_147_483_647;

export function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -INT32_MAX - 1 && n <= INT32_MAX;
}

/** The most items one page (a connection's first/last, a REST page size) may ask for. */
export const MAX_PAGE_SIZE = 100;
/** A connection's page when neither first nor last is given. */
export const DEFAULT_PAGE_SIZE = 20;

// Instants the database and Prisma can store and compare: PostgreSQL has no year 0 and Prisma
// cannot send a year beyond 9999. Years 0001 to 9999 (UTC), as ISO 8601 writes them.
const FIRST_INSTANT = new Date('0001-01-01T00:00:00Z').getTime();
const LAST_INSTANT = new Date('9999-12-31T23:59:59.999Z').getTime();
export const INSTANT_RANGE_MESSAGE = 'must be between 0001-01-01 and 9999-12-31 (UTC)';

export function isStorableInstant(date: Date): boolean {
  const time = date.getTime();
  return time >= FIRST_INSTANT && time <= LAST_INSTANT;
}

/**
 * The path of the first string holding a NUL character (PostgreSQL text cannot store one, so
 * it must be refused as bad input rather than fail in the database), or null.
 */
export function nulCharacterAt(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(input)' : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = nulCharacterAt(v, `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = nulCharacterAt(v, path ? `${path}.${k}` : k);
      if (found) return found;
    }
  }
  return null;
}
