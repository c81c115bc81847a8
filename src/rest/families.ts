// The four legacy REST families and their envelopes (CONTRACT §4). A path belongs to the
// family whose prefix it starts with; every answer on it, errors included, uses that
// family's envelope.
import type { ErrorInfo } from '../http/error-info.ts';
import type { ErrorCode } from '../domain/errors.ts';

export interface Envelope {
  status: number;
  body: unknown;
}

export interface Family {
  name: 'edu' | 'openapi' | 'audience' | 'user_customer';
  prefixes: string[];
  success(data: unknown, message?: string): Envelope;
  failure(error: ErrorInfo): Envelope;
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
  success: () => ({ status: 200, body: { success: 'true' } }),
  failure: (error) => ({
    status: error.status,
    body: { error_code: eduErrorCodes[error.code], error_message: error.message },
  }),
};

export const openapi: Family = {
  name: 'openapi',
  prefixes: ['/openapi/'],
  success: (data) => ({ status: 200, body: { code: 0, msg: 'success', data: data ?? null } }),
  failure: (error) => ({ status: error.status, body: { code: -1, msg: error.message, data: null } }),
};

export const audience: Family = {
  name: 'audience',
  prefixes: ['/api/integrate/'],
  success: (data) => ({
    status: 200,
    body: data === undefined ? { code: '200', errorCode: 'SUCCESS', msg: 'ok' } : { code: '200', errorCode: 'SUCCESS', msg: 'ok', data },
  }),
  failure: (error) => ({
    status: error.status,
    body: { code: String(error.status), errorCode: audienceErrorNames[error.code], msg: error.message },
  }),
};

export const userCustomer: Family = {
  name: 'user_customer',
  prefixes: ['/api/user_customer/'],
  success: (data, message = '成功') => ({
    status: 200,
    body: { code: 200, msg: message, mix_code: USER_CUSTOMER_OK, mix_msg: '', mix_ext: '', result: data ?? [] },
  }),
  failure: (error) => ({
    status: error.status,
    body: { code: 500, msg: error.message, mix_code: 130000 + error.status, mix_msg: error.code, mix_ext: '', result: [] },
  }),
};

export const families: Family[] = [edu, openapi, audience, userCustomer];

export function familyOf(path: string): Family | undefined {
  return families.find((family) => family.prefixes.some((prefix) => path.startsWith(prefix)));
}
