// Request-field shapes shared by the route tables: what legacy clients send for ids,
// integers and text, including as the strings of query parameters and form bodies.
import { z } from 'zod';

/** An id as a number or a string of digits (JSON bodies send either; query strings send text). */
export const idField = z
  .union([z.number().int().positive(), z.string().trim().regex(/^\d{1,10}$/, 'must be a positive integer id')], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be a positive integer id'),
  })
  .transform((v) => String(v));

/** An integer given as a number, or as digits in a query string or form body. */
export const intField = z
  .union([z.number().int(), z.string().trim().regex(/^-?\d{1,10}$/, 'must be an integer')], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be an integer'),
  })
  .transform((v) => Number(v));

export const textField = z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });
