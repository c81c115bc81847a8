// Every setting the gateway reads from the environment, parsed once, with its default.
// README "Configuration" documents each of them.
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().default('file:./data/customer-graph'),
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z.string().optional(),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(1).optional(),
  /** Lifetime of tokens from POST /openapi/auth/token, in seconds. */
  TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(7200),
  /** Size of the PostgreSQL connection pool. */
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  /** Largest request body accepted, in bytes; larger ones are HTTP 413. */
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024),
  /** GraphQL document limits (GraphQL Armor). */
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(10),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().nonnegative().default(15),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().positive().default(2000),
  GRAPHQL_MAX_COST: z.coerce.number().int().positive().default(5000),
  /** Requests an app may make per window (GraphQL and REST together); 0 turns the limit off. */
  RATE_LIMIT_REQUESTS: z.coerce.number().int().nonnegative().default(6000),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  /** Token requests (POST /openapi/auth/token) per client address per window; 0 turns it off. */
  TOKEN_RATE_LIMIT_REQUESTS: z.coerce.number().int().nonnegative().default(30),
  /** Prefix of every key this service writes to Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).default('customer-graph'),
  /** How long a SIGTERM waits for in-flight requests and job steps before exiting anyway. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(20),
  /** Whether `serve` runs the import worker (README "Imports"). */
  IMPORT_WORKER: z.enum(['on', 'off']).default('on'),
  /** How often an idle import worker looks for a job, in milliseconds. */
  IMPORT_POLL_MILLIS: z.coerce.number().int().positive().default(1000),
  /** How long a claimed job stays a worker's without renewal; an expired lease makes it claimable again. */
  IMPORT_LEASE_MILLIS: z.coerce.number().int().min(100).default(30_000),
  /** Rows an import applies per transaction. */
  IMPORT_CHUNK_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
});

export type Config = z.infer<typeof schema> & { production: boolean };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  return { ...parsed.data, production: parsed.data.NODE_ENV === 'production' };
}
