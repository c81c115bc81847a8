// POST/GET /graphql (GraphQL over HTTP, graphql-yoga) on fastify, and GraphiQL for browsers
// (GRAPHIQL; off in production by default). Every request but the GraphiQL page itself needs a
// token; a missing or unknown token is HTTP 401 before anything runs. CORS is cors.ts's, not yoga's.
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { buildContext, type Context, type Services } from '../context.ts';
import type { Caller } from '../domain/auth.ts';
import { schema } from '../schema/index.ts';
import { tracingPlugins } from '../tracing.ts';
import { admit } from './auth.ts';
import { crossSiteRequest, protectGraphiQLPage, wantsGraphiQL } from './cors.ts';
import { describeError, toGraphQLError } from './error-info.ts';
import { errorLogPlugin } from './error-log-plugin.ts';
import { incrementalErrorsPlugin } from './incremental-errors.ts';
import { exampleOperations } from './graphiql-examples.ts';
import { limitPlugins } from './limits.ts';
import { variableErrorsPlugin } from './variable-errors.ts';
import { graphqlResponseStatusPlugin, refuse } from './graphql-over-http.ts';
import { metricsPlugin } from './metrics.ts';
import { multipartSubscriptionsPlugin } from './multipart-subscriptions.ts';
import { persistedDocumentPlugins } from './persisted-documents.ts';

export interface ServerContext {
  req: FastifyRequest;
  reply: FastifyReply;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

export interface GraphQLOptions {
  /** Pre-fills GraphiQL's headers (development, embedded database, loopback only). */
  graphiqlToken?: string;
  /** The documents of the gateway's own operations (the REST routes'): their names are metric labels. */
  ownOperations?: string[];
}

export function createGraphQLServer(services: Services, options: GraphQLOptions): YogaServerInstance<ServerContext, Context> {
  const production = services.config.production;
  const maskError = (error: unknown) => toGraphQLError(error, production, error instanceof GraphQLError ? error : undefined);
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
    // Cross-origin access is decided once for every route (cors.ts); yoga's default reflects any Origin.
    cors: false,
    plugins: [
      // Hash → document first: every plugin after sees the document as if it had been sent.
      ...persistedDocumentPlugins(services.config, schema),
      ...limitPlugins(services.config),
      variableErrorsPlugin(production),
      graphqlResponseStatusPlugin(),
      // @defer/@stream answer multipart/mixed (incremental delivery) or SSE; batching stays off.
      useDeferStream(),
      incrementalErrorsPlugin(maskError),
      multipartSubscriptionsPlugin(),
      metricsPlugin(production, options.ownOperations ?? []),
      errorLogPlugin(),
      ...tracingPlugins(),
    ],
    context: ({ req }): Context => buildContext(services, req.caller, String(req.id)),
    maskedErrors: { maskError },
    renderGraphiQL: (options) => withTabFixes(renderGraphiQL(options)),
    graphiql: services.config.graphiql && {
      title: 'customer-graph',
      defaultEditorToolsVisibility: 'headers',
      shouldPersistHeaders: false,
      headers: JSON.stringify(
        options.graphiqlToken
          ? { Authorization: `Bearer ${options.graphiqlToken}` }
          : { Authorization: 'Bearer <token from POST /openapi/auth/token>' },
        null,
        2,
      ),
      defaultTabs: exampleOperations,
      // GraphiQL fills the first tab's variable editor from this option, not from the tab (it
      // would open empty); yoga passes it through, though its type does not list it.
      ...{ variables: exampleOperations[0].variables },
    },
  });
}

// Two fixes for GraphiQL's tab bar, through the page yoga renders (its renderGraphiQL option).
// 1. Tabs are framer-motion Reorder items. When the bundled web font arrives the tabs narrow,
//    and framer-motion leaves each tab a drag offset (an inline translateX) that GraphiQL's own
//    CSS hides only while the tab has no focus (.graphiql-tab:not(:focus-within)). Pressing the
//    mouse on a tab focuses it, the hidden offset applies, the tab jumps from under the pointer
//    and the click lands on the tab list: tabs 2-9 ignored their first click on a first visit
//    (a reload has the font cached, so no offsets). Tabs never move now; dragging still reorders.
// 2. The tab list scrolls when it overflows, with a scrollbar to say so, and the logo keeps to
//    one line, so no tab hides under it.
const graphiqlTabCss = `<style>
.graphiql-tab { transform: none !important; }
.graphiql-tabs.no-scrollbar { scrollbar-width: thin; }
.graphiql-logo { white-space: nowrap; }
</style>`;

function withTabFixes(page: string): string {
  return page.replace('</head>', `${graphiqlTabCss}</head>`);
}

export function registerGraphQL(
  app: FastifyInstance,
  services: Services,
  options: GraphQLOptions,
): YogaServerInstance<ServerContext, Context> {
  const yoga = createGraphQLServer(services, options);
  app.decorateRequest('caller', null);
  app.route({
    url: '/graphql',
    // Other methods are answered 405 with Allow (GraphQL over HTTP), not 404.
    method: ['GET', 'POST', 'OPTIONS', 'PUT', 'PATCH', 'DELETE'],
    handler: async (req, reply) => {
      if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'OPTIONS') {
        reply.header('allow', 'GET, POST');
        return refuse(req, reply, 405, `${req.method} is not served on /graphql: use POST (or GET for queries)`, 'BAD_INPUT');
      }
      const graphiqlPage = services.config.graphiql && wantsGraphiQL(req);
      if (graphiqlPage) {
        // The page may carry a development token: never to another site, in a frame or a cache.
        protectGraphiQLPage(reply);
        if (crossSiteRequest(req)) {
          return reply
            .code(403)
            .send({ errors: [{ message: 'GraphiQL is not served to other sites', extensions: { code: 'FORBIDDEN' } }] });
        }
      }
      if (req.method !== 'OPTIONS' && !graphiqlPage) {
        try {
          req.caller = await admit(req, reply, services);
        } catch (error) {
          const info = describeError(error, services.config.production);
          return refuse(req, reply, info.status, info.message, info.code);
        }
      }
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
      response.headers.forEach((value, key) => {
        reply.header(key, value);
      });
      reply.status(response.status);
      return reply.send(response.body);
    },
  });
  return yoga;
}
