// A gateway on a fresh database, driven in-process through fastify's inject, with tokens
// for apps of each scope and a counter of the SQL statements Prisma sends.
import { loadConfig, type Config } from '../../src/config.ts';
import { createApp, mintToken, type Scope } from '../../src/domain/auth.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { freshDatabase, type TestDatabase } from './database.ts';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export interface RequestOptions {
  /** A token to send as Authorization: Bearer; null sends none. Default: an app with every scope. */
  token?: string | null;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
}

export interface TestGateway {
  gateway: Gateway;
  db: TestDatabase;
  prisma: PrismaClient;
  config: Config;
  tokens: { all: string; read: string; write: string; readWrite: string };
  statements: { count: number };
  request<T = any>(method: string, url: string, options?: RequestOptions): Promise<Reply<T>>;
  graphql<T = any>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<Reply<T>>;
  /** Another gateway on the same database with extra environment (closed by close()). */
  variant(env: Record<string, string>, options?: Partial<GatewayOptions>): Promise<GatewayClient>;
  close(): Promise<void>;
}

export interface GatewayClient {
  gateway: Gateway;
  config: Config;
  request<T = any>(method: string, url: string, options?: RequestOptions): Promise<Reply<T>>;
  graphql<T = any>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<Reply<T>>;
}

export async function tokenFor(prisma: PrismaClient, scopes: Scope[], name = scopes.join('+')): Promise<string> {
  const app = await createApp(prisma, { name, scopes });
  return mintToken(prisma, app.appKey, 3600);
}

/** `options`: e.g. `{ importWorker: true }` for tests whose import jobs must run. */
export async function startTestGateway(env: Record<string, string> = {}, options: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const statements = { count: 0 };
  const db = await freshDatabase({ onQuery: () => statements.count++ });
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: db.url, ...env });
  const gateway = await createGateway({ config, database: db.database, ...options });
  const prisma = db.database.prisma;
  const tokens = {
    all: await tokenFor(prisma, ['customer:read', 'customer:write', 'admin']),
    read: await tokenFor(prisma, ['customer:read']),
    write: await tokenFor(prisma, ['customer:write']),
    readWrite: await tokenFor(prisma, ['customer:read', 'customer:write']),
  };

  const variants: Gateway[] = [];
  const request = requester(gateway, tokens.all);
  return {
    gateway,
    db,
    prisma,
    config,
    tokens,
    statements,
    request,
    graphql: (query, variables, options = {}) => request('POST', '/graphql', { ...options, body: { query, variables } }),
    variant: async (env, options = {}) => {
      const variantConfig = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: db.url, ...env });
      const other = await createGateway({ config: variantConfig, database: db.database, ...options });
      variants.push(other);
      const send = requester(other, tokens.all);
      return {
        gateway: other,
        config: variantConfig,
        request: send,
        graphql: (query, variables, opts = {}) => send('POST', '/graphql', { ...opts, body: { query, variables } }),
      };
    },
    close: async () => {
      for (const other of variants) await other.close();
      await gateway.close();
      await db.drop();
    },
  };
}

function requester(gateway: Gateway, defaultToken: string) {
  return async <T>(method: string, url: string, options: RequestOptions = {}): Promise<Reply<T>> => {
    const token = options.token === undefined ? defaultToken : options.token;
    const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers };
    let payload: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await gateway.app.inject({ method: method as 'GET', url, headers, payload });
    let body: unknown = response.body;
    try {
      body = JSON.parse(response.body);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.statusCode, body: body as T, headers: response.headers };
  };
}
