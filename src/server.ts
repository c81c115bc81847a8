// `customer-graph serve` (what `npm start` runs): open and migrate the database, create the
// development app on a first embedded start, serve HTTP, and shut down gracefully.
import type { Config } from './config.ts';
import { runCommand } from './cli/commands.ts';
import { missingDatabaseExplained } from './cli/missing-database.ts';
import { openLocalChannel, type LocalChannel } from './cli/local-channel.ts';
import { openDatabase, type Database } from './db/database.ts';
import { createApp, mintToken, SCOPES } from './domain/auth.ts';
import { createGateway } from './gateway.ts';
import { defaultLogFormat, logOutput } from './http/log-output.ts';
import { loggerOptions } from './http/logging.ts';
import { stopTracing } from './tracing.ts';

const DEV_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** Opens DATABASE_URL and applies pending migrations (every command does this first). */
export async function openMigrated(config: Config, command: string, say: (line: string) => void = console.error): Promise<Database> {
  const database = await openDatabase(config.DATABASE_URL, {
    command,
    poolSize: config.DATABASE_POOL_SIZE,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    onCreate: (location) =>
      say(`Creating the embedded database in ${location} from the migrated template (npm install builds it; without it, 10–45 s)…`),
  });
  try {
    const report = await database.migrate();
    if (report.applied.length) say(`Applied migrations: ${report.applied.join(', ')}`);
    return database;
  } catch (error) {
    await database.close();
    throw missingDatabaseExplained(error, config.DATABASE_URL);
  }
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

/**
 * Development convenience on the embedded database (CONTRACT §2): the first start creates an
 * app with every scope and prints its token once; every start pre-fills GraphiQL with a token
 * of that app, but only while the server listens on loopback.
 */
async function developmentToken(database: Database, config: Config): Promise<string | undefined> {
  if (config.production || database.kind !== 'embedded') return undefined;
  const existing = await database.prisma.app.findFirst({ where: { development: true, revokedAt: null } });
  if (!existing) {
    const created = await createApp(database.prisma, { name: 'development', scopes: [...SCOPES], development: true });
    const token = await mintToken(database.prisma, created.appKey, DEV_TOKEN_TTL_SECONDS);
    console.log(
      [
        '',
        'Created the development app (all scopes). Shown once, keep them:',
        `  appKey: ${created.appKey}`,
        `  secret: ${created.secret}`,
        `  token:  ${token}   (valid 30 days; send it as  Authorization: Bearer <token>)`,
        '',
      ].join('\n'),
    );
    return isLoopback(config.HOST) ? token : undefined;
  }
  return isLoopback(config.HOST) ? mintToken(database.prisma, existing.appKey, DEV_TOKEN_TTL_SECONDS) : undefined;
}

/**
 * On the embedded database, CLI commands run by other processes (`app create`, `import`, …)
 * are refused the directory's lock; they hand their work to this server instead, over a
 * channel only this user can open (src/cli/local-channel.ts).
 */
async function openCommandChannel(database: Database, config: Config): Promise<LocalChannel | null> {
  if (database.kind !== 'embedded') return null;
  const channel = await openLocalChannel(database.location, (request, io) => runCommand(database, config, request, io));
  if (channel) database.describeHolder({ channel: channel.path });
  return channel;
}

export async function serve(config: Config): Promise<void> {
  const logFormat = config.LOG_FORMAT ?? defaultLogFormat(config.NODE_ENV);
  const database = await openMigrated(config, 'serve');
  const channel = await openCommandChannel(database, config);
  const graphiqlToken = await developmentToken(database, config);
  const gateway = await createGateway({
    config,
    database,
    graphiqlToken,
    logger: loggerOptions(config, logOutput(logFormat)),
    importWorker: config.IMPORT_WORKER === 'on',
  });
  // Registered before listening: a SIGTERM right after the start line must be graceful too.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      console.error(`Shutdown took longer than ${config.SHUTDOWN_TIMEOUT_SECONDS} s; exiting.`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
    force.unref();
    try {
      await gateway.close();
      await channel?.close();
      await database.close();
      await stopTracing(); // exports the spans still buffered
      gateway.app.log.info('shut down cleanly');
    } catch (error) {
      gateway.app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const address = await gateway.app.listen({ port: config.PORT, host: config.HOST });
  database.describeHolder({ url: address });
  const serving = `customer-graph serving on ${address} (${database.kind} database ${database.location})`;
  // JSON logs stay JSON: the banner is a log line there, and text for people otherwise.
  // The start line is written whatever LOG_LEVEL says: supervisors and people wait for it.
  if (logFormat === 'json') gateway.app.log.child({}, { level: 'info' }).info({ url: address, database: database.kind }, serving);
  else {
    console.log(
      `${serving}\n` +
        `  GraphQL + GraphiQL: ${address}/graphql${graphiqlToken ? ' (pre-filled with a development token)' : ''}\n` +
        `  REST shim docs: ${address}/docs (OpenAPI: ${address}/openapi.json)\n` +
        `  health: ${address}/healthz, ${address}/readyz`,
    );
  }
}
