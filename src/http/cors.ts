// Which web pages may read the gateway's answers. By default none but the gateway's own: no CORS
// header is sent, so a browser keeps a page on another origin from reading any answer. Listing
// exact origins in CORS_ORIGINS opens GraphQL and the REST routes (not GraphiQL) to those pages
// only: an Origin not in the list is never reflected. Tokens travel in headers, never in
// cookies, so credentials are not allowed either.
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';

export function wantsGraphiQL(request: FastifyRequest): boolean {
  return request.method === 'GET' && request.url.split('?')[0] === '/graphql' && (request.headers.accept ?? '').includes('text/html');
}

function isConsole(request: FastifyRequest): boolean {
  return request.url === '/console' || request.url.startsWith('/console/');
}

export async function registerCors(app: FastifyInstance, config: Config): Promise<void> {
  const origins = config.CORS_ORIGINS;
  if (origins.length === 0) return;
  const open = {
    origin: origins,
    credentials: false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'accept', 'token', 'x-token', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  };
  await app.register(cors, {
    // GraphiQL and the console (which may hold a development token) are never shared with another origin.
    delegator: (req, callback) => {
      const request = req;
      callback(null, wantsGraphiQL(request) || isConsole(request) ? { origin: false } : open);
    },
  });
}

/**
 * A GraphiQL page asked for by another site (a fetch, an embedding frame) is refused: browsers
 * say so in Sec-Fetch-Site, and in Origin when it is not the gateway's own. Following a link to
 * it is a top-level navigation, whose page the other site cannot read: allowed.
 */
export function crossSiteRequest(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  const navigation = request.headers['sec-fetch-mode'] === 'navigate' && request.headers['sec-fetch-dest'] === 'document';
  if ((site === 'cross-site' || site === 'same-site') && !navigation) return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

/** The GraphiQL page may not be framed, cached or loaded by another origin. */
export function protectGraphiQLPage(reply: FastifyReply): void {
  reply.header('x-frame-options', 'DENY');
  reply.header('content-security-policy', "frame-ancestors 'none'");
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cache-control', 'no-store');
}
