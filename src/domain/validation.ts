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
