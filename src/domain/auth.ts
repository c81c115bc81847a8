// Apps, secrets, tokens and scopes (CONTRACT §2). Secrets are stored as scrypt hashes and
// tokens as sha256 digests; neither is ever logged or stored in clear.
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { DomainError, notFound } from './errors.ts';
import { parseInput } from './validation.ts';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export const SCOPES = ['customer:read', 'customer:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: resolved from the request's token. */
export interface Caller {
  appId: number;
  appKey: string;
  appName: string;
  scopes: ReadonlySet<Scope>;
  /** The sha256 digest of the token it came with (a subscription re-checks it on each event). */
  tokenHash: string;
  /** When that token expires (a subscription ends then). */
  tokenExpiresAt: Date;
}

export interface CreatedApp {
  appKey: string;
  secret: string;
  scopes: Scope[];
}

const appInput = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  scopes: z.array(z.enum(SCOPES, { error: `must be one of ${SCOPES.join(', ')}` })).min(1, 'at least one scope is required'),
});

export function parseScopes(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, 32);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64url'), expected.length);
  return timingSafeEqual(actual, expected);
}

// A fixed hash to compare against when the appKey is unknown, so that an unknown key and a
// wrong secret take the same time.
const decoyHash = hashSecret(randomBytes(16).toString('hex'));

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createApp(
  prisma: PrismaClient,
  input: { name: string; scopes: string[]; development?: boolean },
): Promise<CreatedApp> {
  const { name, scopes } = parseInput(appInput, input);
  const appKey = `ak_${randomBytes(12).toString('hex')}`;
  const secret = credential(24);
  await prisma.app.create({
    data: {
      name,
      appKey,
      secretHash: await hashSecret(secret),
      scopes: scopes.join(','),
      development: input.development ?? false,
    },
  });
  return { appKey, secret, scopes };
}

/** Exchanges appKey + secret for a bearer token (POST /openapi/auth/token). */
export async function issueToken(
  prisma: PrismaClient,
  input: { appKey?: unknown; secret?: unknown },
  ttlSeconds: number,
): Promise<{ token: string; expiresIn: number }> {
  const { appKey, secret } = parseInput(
    z.object({ appKey: z.string().min(1, 'is required'), secret: z.string().min(1, 'is required') }),
    input,
  );
  const app = await prisma.app.findUnique({ where: { appKey } });
  const valid = await secretMatches(secret, app?.secretHash ?? (await decoyHash));
  if (!app || !valid || app.revokedAt) {
    throw new DomainError('UNAUTHENTICATED', 'invalid appKey or secret');
  }
  const token = credential(32);
  await prisma.appToken.create({
    data: { appId: app.id, tokenHash: tokenDigest(token), expiresAt: new Date(Date.now() + ttlSeconds * 1000) },
  });
  return { token, expiresIn: ttlSeconds };
}

/**
 * Resolves tokens to callers. Lookups are cached for a few seconds so that a burst of
 * requests costs one query; revocation through this instance takes effect at once, and
 * through another instance within `cacheMillis`.
 */
const MAX_CACHED_TOKENS = 10_000;

export class TokenVerifier {
  private readonly cache = new Map<string, { caller: Caller | null; until: number; expiresAt: number }>();
  private readonly unknown = new Map<string, { caller: Caller | null; until: number; expiresAt: number }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly cacheMillis = 5000,
  ) {}

  async verify(token: string): Promise<Caller | null> {
    return this.verifyDigest(tokenDigest(token));
  }

  /** verify() by the token's digest: what a subscription holds to re-check its caller. */
  async verifyDigest(digest: string): Promise<Caller | null> {
    const now = Date.now();
    const hit = this.cache.get(digest) ?? this.unknown.get(digest);
    if (hit && hit.until > now && hit.expiresAt > now) return hit.caller;
    const row = await this.prisma.appToken.findUnique({ where: { tokenHash: digest }, include: { app: true } });
    const live = row && !row.revokedAt && !row.app.revokedAt && row.expiresAt.getTime() > now;
    const caller: Caller | null = live
      ? {
          appId: row.app.id,
          appKey: row.app.appKey,
          appName: row.app.name,
          scopes: new Set(parseScopes(row.app.scopes) as Scope[]),
          tokenHash: digest,
          tokenExpiresAt: row.expiresAt,
        }
      : null;
    // Unknown tokens are cached too (a repeated one costs no query), in their own bounded map:
    // past the bound its oldest entry goes, so a flood of random tokens cannot evict live ones.
    const cache = live ? this.cache : this.unknown;
    if (!live) this.cache.delete(digest);
    if (cache.size >= MAX_CACHED_TOKENS) cache.delete(cache.keys().next().value as string);
    cache.set(digest, { caller, until: now + this.cacheMillis, expiresAt: live ? row.expiresAt.getTime() : Infinity });
    return caller;
  }

  /** Revokes a token; refused by this instance at once. */
  async revoke(token: string): Promise<boolean> {
    const revoked = await revokeToken(this.prisma, token);
    this.cache.delete(tokenDigest(token));
    return revoked;
  }

  /** Revokes an app and its tokens; refused by this instance at once. */
  async revokeApp(appKey: string): Promise<RevokedApp> {
    const revoked = await revokeApp(this.prisma, appKey);
    this.forget();
    return revoked;
  }

  forget(): void {
    this.cache.clear();
    this.unknown.clear();
  }
}

export interface AppSummary {
  id: number;
  appKey: string;
  name: string;
  scopes: Scope[];
  development: boolean;
  createdAt: Date;
  revokedAt: Date | null;
  /** Tokens neither expired nor revoked. */
  activeTokens: number;
}

/** Every app (or the one with appKey), oldest first, with its count of usable tokens (CLI `app list`, GraphQL `apps`). */
export async function listApps(prisma: PrismaClient, filter: { appKey?: string } = {}): Promise<AppSummary[]> {
  const apps = await prisma.app.findMany({
    where: filter.appKey === undefined ? {} : { appKey: filter.appKey },
    orderBy: { id: 'asc' },
    select: {
      id: true,
      appKey: true,
      name: true,
      scopes: true,
      development: true,
      createdAt: true,
      revokedAt: true,
      _count: { select: { tokens: { where: { revokedAt: null, expiresAt: { gt: new Date() } } } } },
    },
  });
  return apps.map(({ _count, scopes, ...app }) => ({
    ...app,
    scopes: parseScopes(scopes) as Scope[],
    activeTokens: app.revokedAt ? 0 : _count.tokens,
  }));
}

export interface RevokedApp {
  appKey: string;
  revokedAt: Date;
  /** Tokens revoked by this call (an app revoked before keeps its first revokedAt). */
  tokensRevoked: number;
}

/**
 * Revokes an app: it can no longer get tokens, and its tokens are revoked with it, in one
 * transaction. Revoking again changes nothing. NOT_FOUND names appKey.
 */
export async function revokeApp(prisma: PrismaClient, appKey: string): Promise<RevokedApp> {
  return prisma.$transaction(async (tx) => {
    const app = await tx.app.findUnique({ where: { appKey }, select: { id: true, revokedAt: true } });
    if (!app) throw notFound('app', appKey, 'appKey');
    const revokedAt = app.revokedAt ?? new Date();
    if (!app.revokedAt) await tx.app.update({ where: { id: app.id }, data: { revokedAt } });
    const { count } = await tx.appToken.updateMany({ where: { appId: app.id, revokedAt: null }, data: { revokedAt } });
    return { appKey, revokedAt, tokensRevoked: count };
  });
}

/** Revokes one token. false when there was none to revoke. */
export async function revokeToken(prisma: PrismaClient, token: string): Promise<boolean> {
  const { count } = await prisma.appToken.updateMany({
    where: { tokenHash: tokenDigest(token), revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count > 0;
}

/**
 * `bytes` random bytes as base64url text that does not begin with "-": a command line reads such
 * a text as an option (`customer-graph token revoke TOKEN` refused one token in 64). Drawn again
 * rather than altered, so that every accepted text stays equally likely.
 */
export function credential(bytes: number, random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const text = random(bytes).toString('base64url');
    if (!text.startsWith('-')) return text;
  }
}

/** Creates a long-lived token for an app directly (CLI `app create --json`, dev app). */
export async function mintToken(prisma: PrismaClient, appKey: string, ttlSeconds: number): Promise<string> {
  const app = await prisma.app.findUniqueOrThrow({ where: { appKey } });
  const token = credential(32);
  await prisma.appToken.create({
    data: { appId: app.id, tokenHash: tokenDigest(token), expiresAt: new Date(Date.now() + ttlSeconds * 1000) },
  });
  return token;
}
