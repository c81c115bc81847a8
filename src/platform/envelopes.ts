// The four legacy REST families and their envelopes (CONTRACT §4). A path belongs to the
// family whose prefix it starts with; every answer on it, errors included, uses that
// family's envelope. Below both http/ (metrics, the token route, error pages) and rest/ (the
// shim and its routes), which use it; it imports neither.
import { z } from 'zod';
import type { ErrorCode, FieldIssue } from '../domain/errors.ts';

/** One description of any error a request ends with (http/error-info.ts builds it). */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  status: number;
  issues: FieldIssue[];
}

export interface Envelope {
  status: number;
  body: unknown;
}

export interface Family {
  name: 'edu' | 'openapi' | 'audience' | 'user_customer';
  prefixes: string[];
  /** Seed documents the family comes from. */
  seeds: string[];
  /** Body types the family's POST routes accept (seed 003 takes form bodies too). */
  bodyTypes: ('application/json' | 'application/x-www-form-urlencoded')[];
  success(data: unknown, message?: string): Envelope;
  failure(error: ErrorInfo): Envelope;
  /** The success envelope around `data`'s shape, for the OpenAPI document and the tests. */
  successSchema(data: z.ZodType): z.ZodType;
  /** The failure envelope's shape. */
  failureSchema: z.ZodType;
}

/** seed 000 error codes (错误码对照表), documented in docs/rest-edu.md. */
export const eduErrorCodes: Record<ErrorCode, string> = {
  BAD_INPUT: '10000',
  UNAUTHENTICATED: '10001',
  FORBIDDEN: '10002',
  NOT_FOUND: '10003',
  CONFLICT: '10004',
  PAYLOAD_TOO_LARGE: '10005',
  RATE_LIMITED: '10006',
  INTERNAL: '10500',
  UNAVAILABLE: '10503',
};

/** seed 002/004 errorCode names. */
export const audienceErrorNames: Record<ErrorCode, string> = {
  BAD_INPUT: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_ERROR',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

/** seed 003 mix_code: 130001 on success (as in the seed), 130000 + HTTP status on failure. */
export const USER_CUSTOMER_OK = 130001;

export const edu: Family = {
  name: 'edu',
  prefixes: ['/v1/customer/'],
  seeds: ['000_697ad8cd86fc99cb.txt'],
  bodyTypes: ['application/json'],
  success: () => ({ status: 200, body: { success: 'true' } }),
  failure: (error) => ({
    status: error.status,
    body: { error_code: eduErrorCodes[error.code], error_message: error.message },
  }),
  successSchema: () => z.object({ success: z.literal('true') }).strict(),
  failureSchema: z
    .object({
      error_code: z.enum(Object.values(eduErrorCodes) as [string, ...string[]]).describe('see the error-code table'),
      error_message: z.string().describe('names the field at fault (and the row index in batches)'),
    })
    .strict(),
};

export const openapi: Family = {
  name: 'openapi',
  prefixes: ['/openapi/'],
  seeds: ['001_b0c7d8b279f431e3.txt'],
  bodyTypes: ['application/json'],
  success: (data) => ({ status: 200, body: { code: 0, msg: 'success', data: data ?? null } }),
  failure: (error) => ({ status: error.status, body: { code: -1, msg: error.message, data: null } }),
  successSchema: (data) => z.object({ code: z.literal(0), msg: z.literal('success'), data }).strict(),
  failureSchema: z.object({ code: z.literal(-1), msg: z.string().describe('names the field at fault'), data: z.null() }).strict(),
};

export const audience: Family = {
  name: 'audience',
  prefixes: ['/api/integrate/'],
  seeds: ['002_e1bb20feb6ecf031.txt', '004_bacd34715eef4ccd.txt'],
  bodyTypes: ['application/json'],
  success: (data) => ({
    status: 200,
    body: data === undefined ? { code: '200', errorCode: 'SUCCESS', msg: 'ok' } : { code: '200', errorCode: 'SUCCESS', msg: 'ok', data },
  }),
  failure: (error) => ({
    status: error.status,
    body: { code: String(error.status), errorCode: audienceErrorNames[error.code], msg: error.message },
  }),
  successSchema: (data) => z.object({ code: z.literal('200'), errorCode: z.literal('SUCCESS'), msg: z.literal('ok'), data }).strict(),
  failureSchema: z
    .object({ code: z.string(), errorCode: z.enum(Object.values(audienceErrorNames) as [string, ...string[]]), msg: z.string() })
    .strict(),
};

export const userCustomer: Family = {
  name: 'user_customer',
  prefixes: ['/api/user_customer/'],
  seeds: ['003_4e5ef05ef938c7d5.txt'],
  bodyTypes: ['application/json', 'application/x-www-form-urlencoded'],
  success: (data, message = '成功') => ({
    status: 200,
    body: { code: 200, msg: message, mix_code: USER_CUSTOMER_OK, mix_msg: '', mix_ext: '', result: data ?? [] },
  }),
  failure: (error) => ({
    status: error.status,
    body: { code: 500, msg: error.message, mix_code: 130000 + error.status, mix_msg: error.code, mix_ext: '', result: [] },
  }),
  successSchema: (data) =>
    z
      .object({
        code: z.literal(200),
        msg: z.string(),
        mix_code: z.literal(USER_CUSTOMER_OK),
        mix_msg: z.literal(''),
        mix_ext: z.literal(''),
        result: data,
      })
      .strict(),
  failureSchema: z
    .object({
      code: z.literal(500),
      msg: z.string().describe('names the field at fault'),
      mix_code: z.number().int().describe('130000 + the HTTP status'),
      mix_msg: z.string().describe('the error code: BAD_INPUT, NOT_FOUND, …'),
      mix_ext: z.literal(''),
      result: z.tuple([]),
    })
    .strict(),
};

export const families: Family[] = [edu, openapi, audience, userCustomer];

export function familyOf(path: string): Family | undefined {
  return families.find((family) => family.prefixes.some((prefix) => path.startsWith(prefix)));
}
