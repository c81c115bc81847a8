// Request-field shapes shared by the route tables: what legacy clients send for ids,
// integers, text, lists and date-times, including as the strings of query parameters and
// form bodies. Each names its problem in words a client can act on.
import { z } from 'zod';
import { DomainError } from '../domain/errors.ts';
import { legacyRangeEnd, parseLegacyDateTime } from '../domain/legacy-dates.ts';
import { INT32_MAX, isInt32, MAX_PAGE_SIZE } from '../domain/validation.ts';

const expected = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`);

/** An id as a number or a string of digits (JSON bodies send either; query strings send text). */
export const idField = z
  .union(
    [
      z.number().int().positive('must be a positive integer id'),
      z
        .string()
        .trim()
        .regex(/^[1-9]\d{0,9}$/, 'must be a positive integer id'),
    ],
    { error: expected('a positive integer id') },
  )
  .refine((v) => Number(v) >= 1 && Number(v) <= INT32_MAX, `must be a positive integer id up to ${INT32_MAX}`)
  .transform((v) => String(v));

/** An integer given as a number, or as digits in a query string or form body. */
export const intField = z
  .union(
    [
      z.number().int(),
      z
        .string()
        .trim()
        .regex(/^-?\d{1,10}$/, 'must be an integer'),
    ],
    {
      error: expected('an integer'),
    },
  )
  .transform((v) => Number(v))
  .refine(isInt32, 'must be an integer between -2147483648 and 2147483647');

export const textField = z.string({ error: expected('a string') });

/** Text the seed requires to be there: blank text counts as missing. */
export const requiredTextField = textField.trim().min(1, 'must not be empty');

/** A text id that legacy clients send as a string or a number ("998" or 998); never empty. */
export const textIdField = z
  .union([z.string().trim().min(1, 'must not be empty'), z.number().int().nonnegative()], { error: expected('a string or a number') })
  .transform((v) => String(v));

/** true or false (JSON booleans only). */
export const booleanField = z.boolean({ error: expected('true or false') });

/** A list of `item`, at most `max` long. */
export function listField<T extends z.ZodType>(item: T, max: number) {
  return z.array(item, { error: expected('a list') }).max(max, `must hold at most ${max} items`);
}

/** Makes a field optional; an empty string or null (form bodies, query strings) counts as absent. */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());
}

/** Optional columns of one type, by name → label (the rows of the batch calls: every column may be left out). */
function columns<K extends string, T extends z.ZodType>(type: T, labels: Record<K, string>) {
  const described = Object.entries<string>(labels).map(([name, label]) => [name, optional(type).describe(label)]);
  return Object.fromEntries(described) as Record<K, ReturnType<typeof optional<T>>>;
}

/** Optional text columns of a batch row. */
export const textColumns = <K extends string>(labels: Record<K, string>) => columns(textField, labels);

/** Optional id columns of a batch row (phone, qq, …): text, or numbers read as text. */
export const textIdColumns = <K extends string>(labels: Record<K, string>) => columns(textIdField, labels);

/** "yyyy-MM-dd HH:mm:ss", read as UTC+8 (the legacy APIs' zone). */
export const legacyDateTimeField = z.string({ error: expected('a date-time as yyyy-MM-dd HH:mm:ss') }).transform((text, ctx) => {
  try {
    return parseLegacyDateTime(text, '');
  } catch (error) {
    // The domain's own reason (not a date-time, or out of range), on this field.
    const reason = error instanceof DomainError ? error.issues[0]?.message : undefined;
    ctx.addIssue({ code: 'custom', message: reason ?? `"${text}" is not a date-time (yyyy-MM-dd HH:mm:ss)` });
    return z.NEVER;
  }
});

/** Keeps (page - 1) × size inside GraphQL's 32-bit Int offset. */
const MAX_PAGE_INDEX = 10_000_000;

export const pageIndexField = intField.pipe(
  z.number().int().min(1, 'must be at least 1').max(MAX_PAGE_INDEX, `must be at most ${MAX_PAGE_INDEX}`),
);
export const pageSizeField = intField.pipe(
  z.number().int().min(1, 'must be at least 1').max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`),
);

type OptionalField<T extends z.ZodType> = ReturnType<typeof optional<T>>;

/**
 * A numbered page as a legacy family asks for it, under its own names (`current`/`size`,
 * `page_index`/`page_size`): the page from 1 and its size up to MAX_PAGE_SIZE, both optional.
 * It gives the request fields, the connection arguments, and the legacy names of those arguments.
 */
export function pageRequest<I extends string, S extends string>(
  names: { index: I; size: S },
  labels: { index: string; size: string },
  defaultSize: number,
) {
  const fields = {
    [names.index]: optional(pageIndexField).describe(`${labels.index}, from 1 (default 1)`),
    [names.size]: optional(pageSizeField).describe(`${labels.size}, 1 to ${MAX_PAGE_SIZE} (default ${defaultSize})`),
  } as Record<I | S, OptionalField<typeof pageIndexField>>;
  return {
    fields,
    defaultSize,
    /** The connection arguments for the page asked (the defaults for what was omitted). */
    args: (req: Partial<Record<I | S, number>>) => pageArgs(req[names.index] ?? 1, req[names.size] ?? defaultSize),
    errorFields: { first: names.size, offset: names.index } as Record<string, string>,
  };
}

/**
 * A creation-time range as a legacy family sends it, under its own names: inclusive bounds,
 * read as UTC+8. It gives the request fields, the operation's `filter` bounds (createdAfter,
 * createdBefore: the end to the last millisecond of its second) and their legacy names.
 */
export function createdRangeRequest<A extends string, B extends string>(names: { start: A; end: B }) {
  const fields = {
    [names.start]: optional(legacyDateTimeField).describe('开始时间 yyyy-MM-dd HH:mm:ss (UTC+8), inclusive'),
    [names.end]: optional(legacyDateTimeField).describe('结束时间 yyyy-MM-dd HH:mm:ss (UTC+8), inclusive of that whole second'),
  } as Record<A | B, OptionalField<typeof legacyDateTimeField>>;
  return {
    fields,
    filter: (req: Partial<Record<A | B, Date>>): { createdAfter?: string; createdBefore?: string } => ({
      createdAfter: req[names.start]?.toISOString(),
      createdBefore: req[names.end] ? legacyRangeEnd(req[names.end] as Date).toISOString() : undefined,
    }),
    errorFields: { 'filter.createdAfter': names.start, 'filter.createdBefore': names.end } as Record<string, string>,
  };
}

/** The GraphQL connection arguments for a numbered page. */
export function pageArgs(page: number, size: number): { first: number; offset: number } {
  return { first: size, offset: (page - 1) * size };
}
