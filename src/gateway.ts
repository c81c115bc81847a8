// Assembles the HTTP gateway on one database: GraphQL, the REST shim, auth and health.
// `serve` (src/server.ts) and the tests both build it here.
import formbody from '@fastify/formbody';
import qs from 'qs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';
import type { Services } from './context.ts';
import type { Database } from './db/database.ts';
import { TokenVerifier } from './domain/auth.ts';
import { DomainError } from './domain/errors.ts';
import { startImportWorker } from './domain/imports/worker.ts';
import { registerConsole } from './http/console.ts';
import { registerCors } from './http/cors.ts';
import { registerDisconnectCancellation } from './http/disconnect.ts';
import { describeError } from './http/error-info.ts';
import { registerGraphQL } from './http/graphql.ts';
import { registerHealth } from './http/health.ts';
import { requestIdOf } from './http/logging.ts';
import { registerMetrics } from './http/metrics.ts';
import { createRateLimits } from './http/rate-limit.ts';
import { registerTokenRoute } from './http/token-route.ts';
import { familyOf, type ErrorInfo } from './platform/envelopes.ts';
import { registerLegacyStatus } from './rest/legacy-status.ts';
import { registerDocs } from './rest/docs-route.ts';
import { registerRestShim } from './rest/shim.ts';
import { importRows } from './metrics.ts';
import { createLivePubSub, publishImportJobProgress } from './pubsub.ts';
import { restRoutes } from './rest/table.ts';
import { ShutdownHooks } from './shutdown.ts';

export interface GatewayOptions {
  config: Config;
  database: Database;
  /** Pre-fills GraphiQL (development only). */
  graphiqlToken?: string;
  logger?: FastifyServerOptions['logger'];
  /** Runs the import worker in this process (serve: IMPORT_WORKER, tests: when they need jobs processed). */
  importWorker?: boolean;
  /** Called with a job id after every chunk and status change of a job this process runs. */
  onImportProgress?: (jobId: number) => void;
}

export interface Gateway {
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, database } = options;
  const app = createFastify(config, options.logger);
  const services: Services = {
    config,
    database,
    tokens: new TokenVerifier(database.prisma, config.TOKEN_CACHE_SECONDS * 1000),
    rateLimits: createRateLimits(config, app.log),
    pubsub: createLivePubSub(config, app.log),
    shutdown: new ShutdownHooks(),
  };
  // Ending the open subscription streams lets the server's close finish (it waits for them).
  services.shutdown.register('live subscriptions', () => services.pubsub.close());
  // A token or app revoked through any instance is refused by this one at once, not after its cache time.
  services.pubsub.onRevocation(() => services.tokens.forget());
  app.addHook('onClose', () => services.rateLimits.close());
  // Every answer names its request id, so a client can quote it and logs can be searched by it.
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Before any route: a request whose client disconnects has its SQL cancelled.
  registerDisconnectCancellation(app);
  // While shutting down, answers close their connection: a kept-alive idle socket would hold
  // the server open until its keep-alive timeout.
  app.addHook('onSend', async (_req, reply) => {
    if (services.shutdown.stopping) reply.header('connection', 'close');
  });

  // Form bodies as PHP clients of seed 003 send them: condition[0][0]=user_id&condition[0][1]==
  // reads as a nested list (qs), never as a flat key that would be dropped and leave a list unfiltered.
  await app.register(formbody, { parser: (body) => qs.parse(body, { depth: 3, arrayLimit: 100, parameterLimit: 1000 }) });
  await registerCors(app, config);
  registerLegacyStatus(app, config);
  registerErrorHandlers(app, config);

  registerMetrics(app, services);
  registerHealth(app, services);
  registerTokenRoute(app, services);
  const yoga = registerGraphQL(app, services, {
    graphiqlToken: options.graphiqlToken,
    ownOperations: restRoutes.map((route) => route.operation),
  });
  registerRestShim(app, services, yoga, restRoutes);
  registerDocs(app, restRoutes);
  registerConsole(app, { developmentToken: options.graphiqlToken });

  await app.ready();
  if (options.importWorker) services.importWorker = startWorker(app, services, options.onImportProgress);
  return {
    app,
    services,
    // Stop accepting and finish in-flight requests while registered work (job steps) finishes.
    close: async () => {
      await Promise.all([app.close(), services.shutdown.run(app.log)]);
    },
  };
}

function createFastify(config: Config, logger: GatewayOptions['logger']): FastifyInstance {
  return Fastify({
    logger: logger ?? false,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // A client sending its request slowly (slowloris) is cut off instead of holding a socket.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    connectionTimeout: config.CONNECTION_TIMEOUT_MS,
    http: {
      // Node only cuts a slow body off when headersTimeout is no longer than requestTimeout, and
      // checks on this interval (30 s by default): a fraction of the timeout.
      headersTimeout: config.REQUEST_TIMEOUT_MS ? Math.min(60_000, config.REQUEST_TIMEOUT_MS) : 60_000,
      connectionsCheckingInterval: Math.min(5000, Math.max(250, Math.floor(config.REQUEST_TIMEOUT_MS / 4))),
    },
    trustProxy: config.TRUST_PROXY,
    requestIdHeader: false,
    genReqId: requestIdOf,
  });
}

/**
 * Errors fastify raises itself (bad JSON, body too large, unsupported media type) and unknown
 * paths, answered in the envelope of the family the path belongs to (GraphQL's shape elsewhere).
 */
function registerErrorHandlers(app: FastifyInstance, config: Config): void {
  const answer = (req: FastifyRequest, reply: FastifyReply, info: ErrorInfo) => {
    const family = familyOf(req.url);
    if (family) {
      const envelope = family.failure(info);
      return reply.code(envelope.status).send(envelope.body);
    }
    return reply.code(info.status).send({ errors: [{ message: info.message, extensions: { code: info.code } }] });
  };
  app.setErrorHandler((error: Error & { statusCode?: number }, req, reply) => {
    const status = error.statusCode ?? 500;
    const known =
      status === 413
        ? new DomainError('PAYLOAD_TOO_LARGE', `request body larger than ${app.initialConfig.bodyLimit} bytes`)
        : status >= 400 && status < 500
          ? new DomainError('BAD_INPUT', `body: ${error.message}`, [{ field: 'body', message: error.message }])
          : error;
    const info = describeError(known, config.production);
    if (info.status >= 500) req.log.error({ err: error }, 'request failed');
    return answer(req, reply, info);
  });
  app.setNotFoundHandler((req, reply) => {
    const info = describeError(new DomainError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`), config.production);
    return answer(req, reply, info);
  });
}

/** The import worker in this process, reporting progress to subscribers and metrics. */
function startWorker(app: FastifyInstance, services: Services, onImportProgress: GatewayOptions['onImportProgress']) {
  return startImportWorker({
    prisma: services.database.prisma,
    config: services.config,
    shutdown: services.shutdown,
    log: app.log,
    // Subscribers of importJobProgress, on any instance (the pub/sub carries it across).
    onProgress: (jobId) => {
      publishImportJobProgress(services.pubsub, jobId);
      onImportProgress?.(jobId);
    },
    onChunk: ({ succeeded, failed }) => {
      importRows.inc({ outcome: 'succeeded' }, succeeded);
      importRows.inc({ outcome: 'failed' }, failed);
    },
  });
}
