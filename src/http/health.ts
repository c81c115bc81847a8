// GET /healthz: 200 while the process lives. GET /readyz: 200 only while the database answers.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../context.ts';

export function registerHealth(app: FastifyInstance, services: Services): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    // A stopping instance must leave the load balancer's rotation before it closes.
    if (services.shutdown.stopping) {
      return reply.code(503).send({ status: 'stopping', database: services.database.kind });
    }
    try {
      await services.database.ping(1500);
      return { status: 'ready', database: services.database.kind };
    } catch (error) {
      // The driver's message names hosts and ports: for operators' logs, not for callers.
      const message = services.config.production ? 'the database does not answer' : (error as Error).message;
      return reply.code(503).send({ status: 'unavailable', database: services.database.kind, error: message });
    }
  });
}
