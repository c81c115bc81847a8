// GET /healthz: 200 while the process lives. GET /readyz: 200 only while the database answers.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../context.ts';

export function registerHealth(app: FastifyInstance, services: Services): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await services.database.ping(1500);
      return { status: 'ready', database: services.database.kind };
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', database: services.database.kind, error: (error as Error).message });
    }
  });
}
