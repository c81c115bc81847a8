// LEGACY_HTTP_STATUS=200 (or family:200): vendor APIs of this kind answer failures with HTTP 200
// and the code in the body, and clients whose HTTP library throws on 4xx never read the
// envelope otherwise. One hook, after every failure path (routes, auth, fastify's own errors,
// unknown paths) has written its envelope: only the status changes, never the body.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { familyOf } from '../platform/envelopes.ts';

export function registerLegacyStatus(app: FastifyInstance, config: Config): void {
  const families = new Set(config.LEGACY_HTTP_STATUS);
  if (families.size === 0) return;
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode >= 400) {
      const family = familyOf(req.url);
      if (family && families.has(family.name)) reply.code(200);
    }
    return payload;
  });
}
