// What every GraphQL resolution sees: the database, the caller resolved from the token, and
// the process-wide services. The REST shim builds the same context for the operations it runs.
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { Caller, TokenVerifier } from './domain/auth.ts';
import type { ImportWorker } from './domain/imports/worker.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { RateLimits } from './http/rate-limit.ts';
import type { LivePubSub } from './pubsub.ts';
import type { ShutdownHooks } from './shutdown.ts';

export interface Services {
  config: Config;
  database: Database;
  tokens: TokenVerifier;
  rateLimits: RateLimits;
  /** Live-update events behind the GraphQL subscriptions (Redis across instances when REDIS_URL is set). */
  pubsub: LivePubSub;
  /** Work that must finish before the process exits (e.g. an import job's current step). */
  shutdown: ShutdownHooks;
  /** The import worker, when this process runs one (poked when a job is submitted). */
  importWorker?: ImportWorker;
}

export interface Context {
  prisma: PrismaClient;
  /** null only for requests the HTTP layer lets through without a token (GraphiQL page). */
  caller: Caller | null;
  requestId: string;
  services: Services;
  /** Set by the REST shim on the operations it runs (e.g. import jobs record their origin). */
  via?: 'REST';
}

/** The name written into merge events and the audit log for the caller. */
export function actorOf(context: Context): string {
  return context.caller ? `app:${context.caller.appKey}` : 'anonymous';
}

export function buildContext(services: Services, caller: Caller | null, requestId: string): Context {
  return { prisma: services.database.prisma, caller, requestId, services };
}
