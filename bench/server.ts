// The server side of `npm run bench`, started by bench/run.ts in its own process: opens and
// migrates DATABASE_URL, seeds it when asked, then serves the gateway (as `serve` would, in
// production mode, request logs to a file) and the raw-SQL baseline on the same database
// handle: on the embedded database both use the one PGlite instance, which only one process
// may open. Talks to bench/run.ts over the IPC channel.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { createApp, mintToken } from '../src/domain/auth.ts';
import { createGateway } from '../src/gateway.ts';
import { loggerOptions } from '../src/http/logging.ts';
import { createRawServer } from './raw-server.ts';
import { seed, type SeedReport } from './seed.ts';

export interface ReadyMessage {
  type: 'ready';
  gateway: string;
  raw: string;
  token: string;
  seeded?: SeedReport;
  startupMillis: number;
}

export interface StatementCounts {
  prisma: number;
  raw: number;
}

async function main() {
  const started = Date.now();
  const env = process.env;
  const counting = env.BENCH_COUNT_STATEMENTS === '1';
  const prismaStatements = { count: 0 };
  const rawStatements = { count: 0 };
  const config = loadConfig({ ...env, NODE_ENV: 'production' });
  const database = await openDatabase(config.DATABASE_URL, {
    command: 'bench',
    poolSize: config.DATABASE_POOL_SIZE,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    // Prisma's query events cost time: only the statement-count phase turns them on.
    onQuery: counting ? () => prismaStatements.count++ : undefined,
  });
  await database.migrate();
  const seeded = env.BENCH_SEED ? await seed(database, Number(env.BENCH_SEED)) : undefined;

  const app = await createApp(database.prisma, { name: 'bench', scopes: ['customer:read'] });
  const token = await mintToken(database.prisma, app.appKey, 3600);

  // What `serve` configures, written to a file instead of stdout.
  const logger = {
    ...(loggerOptions(config) as object),
    ...(env.BENCH_LOG_FILE ? { file: env.BENCH_LOG_FILE } : {}),
  };
  const gateway = await createGateway({ config, database, logger });
  const raw = await createRawServer({
    services: gateway.services,
    logger,
    statements: rawStatements,
    counts: (): StatementCounts => ({ prisma: prismaStatements.count, raw: rawStatements.count }),
  });
  const gatewayUrl = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  const rawUrl = await raw.listen({ port: 0, host: '127.0.0.1' });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await raw.close();
    await gateway.close();
    await database.close();
    process.exit(0);
  };
  // Requests from bench/run.ts: { id, type, … } answered with { id, … }.
  let session: Session | undefined;
  const handlers: Record<string, (message: { file?: string }) => unknown> = {
    // The CPU time this process used so far (user + system, microseconds): per request, it
    // is steadier than req/s on a machine shared with other work.
    cpu: () => {
      const { user, system } = process.cpuUsage();
      return { micros: user + system };
    },
    // A CPU profile of a stretch of the run (bench/run.ts --cpu-prof: one per target).
    'profile-start': async () => {
      session ??= new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    },
    'profile-stop': async ({ file }) => {
      const { profile } = await session!.post('Profiler.stop');
      writeFileSync(file!, JSON.stringify(profile));
      session!.disconnect();
    },
    stop: () => void stop(),
  };
  process.on('message', (message: { id?: number; type: string; file?: string }) => {
    void (async () => {
      const result = await handlers[message.type]?.(message);
      if (message.id !== undefined) process.send!({ id: message.id, result });
    })();
  });
  process.on('disconnect', () => void stop());

  const ready: ReadyMessage = { type: 'ready', gateway: gatewayUrl, raw: rawUrl, token, seeded, startupMillis: Date.now() - started };
  process.send!(ready);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
