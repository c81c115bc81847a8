// POST /openapi/auth/token {"appKey","secret"} → {"code":0,"msg":"success","data":{"token","expiresIn"}}
// (CONTRACT §2). It runs no GraphQL operation: GraphQL itself needs the token it hands out.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../context.ts';
import { issueToken } from '../domain/auth.ts';
import { openapi } from '../platform/envelopes.ts';
import { describeError } from './error-info.ts';
import { RateLimitedError } from './rate-limit.ts';

export function registerTokenRoute(app: FastifyInstance, services: Services): void {
  app.post('/openapi/auth/token', async (req, reply) => {
    try {
      await services.rateLimits.consumeTokenRequest(req.ip).catch((error: unknown) => {
        if (error instanceof RateLimitedError) reply.header('retry-after', String(error.retryAfterSeconds));
        throw error;
      });
      const body = (req.body ?? {}) as { appKey?: unknown; secret?: unknown };
      const data = await issueToken(services.database.prisma, body, services.config.TOKEN_TTL_SECONDS);
      const { status, body: envelope } = openapi.success(data);
      return reply.code(status).send(envelope);
    } catch (error) {
      const { status, body: envelope } = openapi.failure(describeError(error, services.config.production));
      return reply.code(status).send(envelope);
    }
  });
}
