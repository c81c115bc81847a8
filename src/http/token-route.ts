// POST /openapi/auth/token {"appKey","secret"} → {"code":0,"msg":"success","data":{"token","expiresIn"}}
// (CONTRACT §2). It runs no GraphQL operation: GraphQL itself needs the token it hands out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../context.ts';
import { issueToken } from '../domain/auth.ts';
import { openapi, type Envelope } from '../platform/envelopes.ts';
import { describeError } from './error-info.ts';
import { RateLimitedError } from './rate-limit.ts';

export function registerTokenRoute(app: FastifyInstance, services: Services): void {
  app.post('/openapi/auth/token', async (req, reply) => {
    const { status, body } = await tokenEnvelope(req, reply, services);
    return reply.code(status).send(body);
  });
}

/** The token request's answer in the openapi family's envelope (a refusal included). */
async function tokenEnvelope(req: FastifyRequest, reply: FastifyReply, services: Services): Promise<Envelope> {
  try {
    await services.rateLimits.consumeTokenRequest(req.ip).catch((error: unknown) => {
      if (error instanceof RateLimitedError) reply.header('retry-after', String(error.retryAfterSeconds));
      throw error;
    });
    const body = (req.body ?? {}) as { appKey?: unknown; secret?: unknown };
    const data = await issueToken(services.database.prisma, body, services.config.TOKEN_TTL_SECONDS);
    return openapi.success(data);
  } catch (error) {
    return openapi.failure(describeError(error, services.config.production));
  }
}
