// Reads the caller's token from a request (CONTRACT §2: `token`, `X-Token` or
// `Authorization: Bearer`) and resolves it. Tokens are never logged.
import type { IncomingHttpHeaders } from 'node:http';
import type { Caller, Scope, TokenVerifier } from '../domain/auth.ts';
import { DomainError } from '../domain/errors.ts';
import { RateLimitedError, type RateLimits } from './rate-limit.ts';

export function tokenFrom(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (bearer) return bearer[1];
  }
  for (const name of ['token', 'x-token']) {
    const value = headers[name];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

/** The caller, or UNAUTHENTICATED (HTTP 401) saying what is wrong with the token. */
export async function authenticate(headers: IncomingHttpHeaders, tokens: TokenVerifier): Promise<Caller> {
  const token = tokenFrom(headers);
  if (!token) {
    throw new DomainError('UNAUTHENTICATED', 'missing token: send it in the token, X-Token or Authorization: Bearer header');
  }
  const caller = await tokens.verify(token);
  if (!caller) throw new DomainError('UNAUTHENTICATED', 'invalid, expired or revoked token');
  return caller;
}

/**
 * Lets a request in: resolves its caller and counts it against the app's rate limit. A
 * refusal is thrown as a DomainError (401 or 429); for 429 the Retry-After header is set here
 * so that every family's envelope carries it.
 */
export async function admit(
  req: { headers: IncomingHttpHeaders; ip: string },
  reply: { header(name: string, value: string): unknown },
  services: { tokens: TokenVerifier; rateLimits: RateLimits },
): Promise<Caller> {
  try {
    // An address that keeps sending unknown tokens is refused before each costs a lookup.
    await services.rateLimits.refuseFailingAddress(req.ip);
    const caller = await authenticate(req.headers, services.tokens).catch(async (error: unknown) => {
      if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') await services.rateLimits.countAuthFailure(req.ip);
      throw error;
    });
    await services.rateLimits.consumeApp(caller.appKey);
    return caller;
  } catch (error) {
    if (error instanceof RateLimitedError) reply.header('retry-after', String(error.retryAfterSeconds));
    throw error;
  }
}

/**
 * A REST route's scope, checked before its input is read: a token that may not write learns
 * nothing about what a valid body would be (403, not 400 naming a field).
 */
export function requireScope(caller: Caller, scope: Scope): void {
  if (!caller.scopes.has(scope))
    throw new DomainError('FORBIDDEN', `this route needs the ${scope} scope, which the token's app does not have`);
}
