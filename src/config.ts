// Every setting the gateway reads from the environment, parsed once, with its default.
// README "Configuration" documents each of them.
import { z } from 'zod';

/** "https://a.example,https://b.example": exact origins, each scheme://host[:port] and nothing else. */
const originList = z
  .string()
  .default('')
  .transform((list, ctx) => {
    const origins = list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const origin of origins) {
      let parsed: URL | null = null;
      try {
        parsed = new URL(origin);
      } catch {
        // reported below
      }
      const exact = parsed && parsed.origin === origin && /^(\[[\d:a-f]+\]|[\d.a-z-]+)$/i.test(parsed.hostname);
      if (!exact) ctx.addIssue({ code: 'custom', message: `"${origin}" is not an exact origin such as https://app.example` });
    }
    return origins;
  });

/** "off" (default) or the proxies' addresses: "10.0.0.5,10.1.0.0/16" (proxy-addr's names loopback, uniquelocal too). */
const trustProxy = z
  .string()
  .default('off')
  .transform((value): string[] | false => {
    const v = value.trim();
    if (v === '' || v === 'off' || v === 'false') return false;
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  });

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().default('file:./data/customer-graph'),
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** pretty (one readable line per event and request) or json; default pretty when NODE_ENV=development, else json. */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  REDIS_URL: z.string().optional(),
  /** Web origins whose pages may call GraphQL and the REST routes (CORS); none by default. */
  CORS_ORIGINS: originList,
  /** GraphiQL on GET /graphql for browsers: on by default except in production. */
  GRAPHIQL: z.enum(['on', 'off']).optional(),
  /** Proxies whose X-Forwarded-For is believed (client address for the token route's limit). */
  TRUST_PROXY: trustProxy,
  /** Longest a request may take to arrive (headers and body), in milliseconds; slower ones are closed. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(30_000),
  /** Longest a connection may stay idle, in milliseconds (subscription streams send a ping every 12 s). */
  CONNECTION_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(60_000),
  /** Longest one SQL statement may run on PostgreSQL, in milliseconds; 0 turns it off. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(10_000),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(1).optional(),
  /** Lifetime of tokens from POST /openapi/auth/token, in seconds. */
  TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(7200),
  /** How long a token lookup is reused; revocations through any instance empty it at once (over Redis). */
  TOKEN_CACHE_SECONDS: z.coerce.number().int().nonnegative().default(5),
  /** Import jobs one app may have waiting (PENDING) at once. */
  IMPORT_PENDING_PER_APP: z.coerce.number().int().positive().default(100),
  /** Open GraphQL subscriptions one app may hold on one instance. */
  SUBSCRIPTIONS_PER_APP: z.coerce.number().int().positive().default(50),
  /**
   * Distinct SQL statements the PostgreSQL pool prepares (parses once per connection) at most;
   * 0 turns it off, as a pooler in transaction mode without prepared-statement support needs.
   */
  DATABASE_PREPARED_STATEMENTS: z.coerce.number().int().nonnegative().default(100),
  /** Size of the PostgreSQL connection pool. */
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  /** Largest request body accepted, in bytes; larger ones are HTTP 413. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 * 1024),
  /** GraphQL document limits (GraphQL Armor). */
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(10),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().nonnegative().default(15),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().positive().default(2000),
  GRAPHQL_MAX_COST: z.coerce.number().int().positive().default(5000),
  /** Items a list argument may hold (GraphQL and REST), unless the argument declares its own maximum. */
  GRAPHQL_MAX_LIST_ITEMS: z.coerce.number().int().positive().default(1000),
  /**
   * Trusted documents: a JSON manifest `{"<sha256>": "<document>"}` (graphql-codegen's
   * persisted-documents.json); a client sends `extensions.persistedQuery.sha256Hash` instead of
   * the document. GRAPHQL_TRUSTED_DOCUMENTS_ONLY=on refuses every other document (admin tokens
   * excepted) and automatic persisted queries with it.
   */
  GRAPHQL_PERSISTED_DOCUMENTS: z.string().min(1).optional(),
  GRAPHQL_TRUSTED_DOCUMENTS_ONLY: z.enum(['on', 'off']).default('off'),
  /** Automatic persisted queries (Apollo's APQ): the documents clients registered, per process. */
  GRAPHQL_APQ: z.enum(['on', 'off']).default('on'),
  /** Characters of documents the APQ store keeps (least recently used go first). */
  GRAPHQL_APQ_CACHE_CHARS: z.coerce.number().int().positive().default(4_000_000),
  /** Requests an app may make per window (GraphQL and REST together); 0 turns the limit off. */
  RATE_LIMIT_REQUESTS: z.coerce.number().int().nonnegative().default(6000),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  /** Token requests (POST /openapi/auth/token) per client address per window; 0 turns it off. */
  TOKEN_RATE_LIMIT_REQUESTS: z.coerce.number().int().nonnegative().default(30),
  /** Requests with a missing or unknown token per client address per window, past which that address gets 429; 0 turns it off. */
  AUTH_FAILURE_LIMIT: z.coerce.number().int().nonnegative().default(300),
  /**
   * HTTP status of legacy REST failures: `status` (default: 400, 401, 404, … as today), `200` for
   * every family (the code stays in the envelope), or per family, e.g. `openapi:200,user_customer:200`.
   */
  LEGACY_HTTP_STATUS: z
    .string()
    .default('status')
    .transform((v, ctx) => {
      const families = ['edu', 'openapi', 'audience', 'user_customer'] as const;
      if (v === 'status' || v === '') return [] as string[];
      if (v === '200') return [...families] as string[];
      const entries = v.split(',').map((s) => s.trim().split(':'));
      const bad = entries.find(
        ([family, status]) => !(families as readonly string[]).includes(family) || (status !== '200' && status !== 'status'),
      );
      if (bad) {
        ctx.addIssue({
          code: 'custom',
          message: `"${bad.join(':')}": expected status, 200 or family:200 (families ${families.join(', ')})`,
        });
        return z.NEVER;
      }
      return entries.filter(([, status]) => status === '200').map(([family]) => family);
    }),
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
  /** Days a finished import job keeps its rows (ImportJob.payload) before the worker clears them; 0 clears them at once. */
  IMPORT_PAYLOAD_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(7),
});

export type Config = Omit<z.infer<typeof schema>, 'GRAPHIQL'> & { production: boolean; graphiql: boolean };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const { GRAPHIQL, ...settings } = parsed.data;
  const production = settings.NODE_ENV === 'production';
  return { ...settings, production, graphiql: GRAPHIQL ? GRAPHIQL === 'on' : !production };
}
