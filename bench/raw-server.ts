// The raw-SQL baseline: the same HTTP stack as the gateway (fastify, same logger settings,
// same token check through the same cached verifier), answering the benchmark's questions
// with one hand-written SQL statement each on the database driver itself, no Prisma, no
// GraphQL. The body PostgreSQL builds is sent as it is.
import Fastify, { type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Services } from '../src/context.ts';
import { authenticate } from '../src/http/auth.ts';
import { describeError } from '../src/http/error-info.ts';
import { nestedSql, pointSql } from './operations.ts';

export interface RawServerOptions {
  services: Services;
  logger: FastifyServerOptions['logger'];
  /** Counts the statements the raw server sends (each request sends one). */
  statements: { count: number };
  /** Served as GET /__bench/statements (the statement-count phase reads it). */
  counts: () => unknown;
}

export async function createRawServer({ services, logger, statements, counts }: RawServerOptions) {
  const app = Fastify({ logger, bodyLimit: 2 * 1024 * 1024, requestIdHeader: 'x-request-id' });
  const sql = async (text: string, params: unknown[]) => {
    statements.count++;
    const [row] = await services.database.sql<{ body: string }>(text, params);
    return row.body;
  };

  /** Authenticates like /graphql, then sends what `work` returns as JSON. */
  const handle =
    (work: (body: Record<string, unknown>) => Promise<string> | string) => async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        await authenticate(req.headers, services.tokens);
      } catch (error) {
        const info = describeError(error, true);
        return reply.code(info.status).send({ errors: [{ message: info.message, extensions: { code: info.code } }] });
      }
      const body = await work((req.body ?? {}) as Record<string, unknown>);
      return reply.type('application/json; charset=utf-8').send(body);
    };

  app.post(
    '/raw/customers',
    handle((body) => sql(nestedSql, [Math.min(Math.max(Number(body.first) || 20, 1), 1000)])),
  );
  app.post(
    '/raw/customer-by-identity',
    handle((body) => sql(pointSql, [String(body.type), String(body.value)])),
  );
  app.post(
    '/raw/ping',
    handle(() => '{"data":{"__typename":"Query"}}'),
  );
  app.get('/__bench/statements', async () => counts());
  await app.ready();
  return app;
}
