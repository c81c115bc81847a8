// The PostGraphile 5 peer of `npm run bench`, in its own process: PostGraphile's Amber preset
// over the bench's PostgreSQL database (the same tables the gateway reads), served by grafserv
// on fastify 5 like the gateway, with a pool of the same size and no request logging. Nothing
// is configured beyond the preset (but for filtering on unindexed columns): no auth (the gateway checks a bearer token on each request),
// no row-level security, no query limits. Talks to bench/run.ts over the IPC channel.
import './promise-with-resolvers.ts';
import Fastify from 'fastify';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/fastify/v5';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { postgresConfig } from '../src/db/postgres.ts';

export interface PostGraphileReady {
  type: 'ready';
  url: string;
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url?.startsWith('postgres')) throw new Error('bench/postgraphile-server.ts needs DATABASE_URL=postgresql://…');
  const pool = new pg.Pool(postgresConfig(url, Number(process.env.DATABASE_POOL_SIZE ?? 10)));
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset],
    // By default only indexed columns can be filtered on; the live-customer filter reads
    // "deletedAt" and "mergedIntoId", which the gateway's queries filter on without an index too.
    disablePlugins: ['PgIndexBehaviorsPlugin'],
    pgServices: [makePgService({ pool, schemas: ['public'] })],
    grafserv: { graphqlPath: '/graphql', graphiql: false },
  };
  const instance = postgraphile(preset);
  const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
  await instance.createServ(grafserv).addTo(app);
  const listening = await app.listen({ port: 0, host: '127.0.0.1' });
  const stop = async () => {
    await app.close();
    await instance.release();
    await pool.end();
    process.exit(0);
  };
  // The bench drops its database WITH (FORCE) at the end, which ends these connections.
  pool.on('error', () => undefined);
  process.on('message', (message: { type: string }) => message.type === 'stop' && void stop());
  process.on('disconnect', () => void stop());
  process.send!({ type: 'ready', url: listening } satisfies PostGraphileReady);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
