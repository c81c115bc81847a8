// A client that goes away takes its database work with it: every route's handler (GraphQL,
// the REST shim, the token route, and any route added later) runs under a signal that aborts
// when the HTTP connection closes before the answer was written, and the PostgreSQL pool
// cancels the statements of aborted work (src/db/cancellation.ts). Before, a 17-second search
// ran on after its client had gone, holding a pool connection (issue 13, item 6).
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { cancellableBy } from '../db/cancellation.ts';

/** Aborts when the response closes unfinished: the client disconnected or timed out. */
export function disconnectSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (response.destroyed && !response.writableFinished) controller.abort();
  else response.once('close', () => response.writableFinished || controller.abort());
  return controller.signal;
}

/** Wraps each route's handler as it is added; register before any route. */
export function registerDisconnectCancellation(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function (req, reply) {
      return cancellableBy(disconnectSignal(reply.raw), () => handler.call(this, req, reply));
    };
  });
}
