// Request-field shapes shared by the route tables: what legacy clients send for ids,
// integers and text, including as the strings of query parameters and form bodies.
import { z } from 'zod';
import { INT32_MAX, isInt32 } from '../domain/validation.ts';

/** An id as a number or a string of digits (JSON bodies send either; query strings send text). */
export const idField = z
  .union(
    [
      z.number().int().positive().max(INT32_MAX),
      z.string().trim().regex(/^\d{1,10}$/, 'must be a positive integer id').refine((s) => Number(s) <= INT32_MAX, 'must be a positive integer id'),
    ],
    { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a positive integer id') },
  )
  .transform((v) => String(v));

/** An integer given as a number, or as digits in a query string or form body. */
export const intField = z
  .union([z.number().int(), z.string().trim().regex(/^-?\d{1,10}$/, 'must be an integer')], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be an integer'),
  })
  .transform((v) => Number(v))
  .refine(isInt32, 'must be an integer between -2147483648 and 2147483647');

export const textField = z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });
