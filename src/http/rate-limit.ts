// Per-app request limits (rate-limiter-flexible): in this process's memory by default, in
// Redis when REDIS_URL is set so that every instance counts against the same budget. When
// Redis fails, each instance falls back to its own in-memory budget rather than refusing
// traffic or letting it through unlimited.
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { DomainError } from '../domain/errors.ts';

export class RateLimitedError extends DomainError {
  readonly retryAfterSeconds: number;

  constructor(what: string, retryAfterSeconds: number) {
    super('RATE_LIMITED', `too many requests for ${what}; retry after ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface RateLimits {
  /** Counts one request of the app; throws RateLimitedError past its budget. */
  consumeApp(appKey: string): Promise<void>;
  /** Counts one token request from a client address (secret guessing). */
  consumeTokenRequest(address: string): Promise<void>;
  /** Throws RateLimitedError when the address sent more unknown tokens than AUTH_FAILURE_LIMIT this window. */
  refuseFailingAddress(address: string): Promise<void>;
  /** Counts one request from the address with a missing or unknown token. */
  countAuthFailure(address: string): Promise<void>;
  close(): Promise<void>;
}

type Log = { warn(obj: object, msg: string): void };

function limiter(redis: Redis | null, config: Config, name: string, points: number): RateLimiterAbstract | null {
  if (points === 0) return null;
  const options = { points, duration: config.RATE_LIMIT_WINDOW_SECONDS, keyPrefix: `${config.REDIS_KEY_PREFIX}:rl:${name}` };
  const memory = new RateLimiterMemory(options);
  if (!redis) return memory;
  return new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

async function consume(limit: RateLimiterAbstract | null, key: string, what: string): Promise<void> {
  if (!limit) return;
  try {
    await limit.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      throw new RateLimitedError(what, Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    }
    throw rejection;
  }
}

export function createRateLimits(config: Config, log: Log): RateLimits {
  let redis: Redis | null = null;
  if (config.REDIS_URL && (config.RATE_LIMIT_REQUESTS > 0 || config.TOKEN_RATE_LIMIT_REQUESTS > 0 || config.AUTH_FAILURE_LIMIT > 0)) {
    // No offline queue: while Redis is away, calls fail at once and the in-memory budget applies.
    redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    let warned = false;
    redis.on('error', (error: Error) => {
      if (!warned) log.warn({ err: error }, 'Redis unavailable: rate limits fall back to this instance’s memory');
      warned = true;
    });
    redis.on('ready', () => {
      warned = false;
    });
  }
  const perApp = limiter(redis, config, 'app', config.RATE_LIMIT_REQUESTS);
  const tokenRequests = limiter(redis, config, 'token', config.TOKEN_RATE_LIMIT_REQUESTS);
  const authFailures = limiter(redis, config, 'authfail', config.AUTH_FAILURE_LIMIT);
  return {
    consumeApp: (appKey) => consume(perApp, appKey, `app ${appKey}`),
    consumeTokenRequest: (address) => consume(tokenRequests, address, 'token requests from this address'),
    refuseFailingAddress: async (address) => {
      const state = authFailures ? await authFailures.get(address).catch(() => null) : null;
      if (state && state.consumedPoints >= config.AUTH_FAILURE_LIMIT) {
        throw new RateLimitedError('requests with unknown tokens from this address', Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
      }
    },
    countAuthFailure: (address) => consume(authFailures, address, 'requests with unknown tokens from this address').catch(() => undefined),
    close: async () => {
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
