// GET /metrics (Prometheus text format), HTTP request metrics from fastify hooks, and GraphQL
// operation metrics from an envelop plugin on yoga, so that the REST shim's operations, which
// run through the same yoga pipeline, are counted as well.
//
// /metrics needs no app token: Prometheus scrapers hold none, and the page holds no customer
// data. Keep it off the public network in the deployment, or set METRICS_TOKEN: then a scrape
// must send `Authorization: Bearer <METRICS_TOKEN>` (Prometheus: `authorization.credentials`).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { getOperationAST, Kind, parse, type DocumentNode, type ExecutionArgs, type GraphQLError, type GraphQLSchema } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Services } from '../context.ts';
import { counter, histogram, latencyBuckets, registry, reportImportJobs, reportPool } from '../metrics.ts';
import { familyOf } from '../platform/envelopes.ts';
import { describeError } from './error-info.ts';
import { exampleOperations } from './graphiql-examples.ts';

const httpRequests = counter({
  name: 'customer_graph_http_requests_total',
  help: 'HTTP requests by method, route pattern, REST family (graphql for /graphql, none elsewhere) and status',
  labelNames: ['method', 'route', 'family', 'status'],
});

const httpDuration = histogram({
  name: 'customer_graph_http_request_duration_seconds',
  help: 'HTTP request latency, from the request arriving to the answer sent',
  labelNames: ['method', 'route', 'family', 'status'],
  buckets: latencyBuckets,
});

const operations = counter({
  name: 'customer_graph_graphql_operations_total',
  help: "GraphQL operations (POST/GET /graphql and the REST shim) by operation (the REST routes' and GraphiQL examples' names, else the first root field), type and outcome: success, error (the result holds errors) or rejected (did not parse or validate)",
  labelNames: ['operation', 'type', 'outcome'],
});

const operationDuration = histogram({
  name: 'customer_graph_graphql_operation_duration_seconds',
  help: 'GraphQL execution latency by operation name, type and outcome',
  labelNames: ['operation', 'type', 'outcome'],
  buckets: latencyBuckets,
});

const graphqlErrors = counter({
  name: 'customer_graph_graphql_errors_total',
  help: 'Errors in GraphQL results by code (BAD_INPUT, NOT_FOUND, CONFLICT, FORBIDDEN, INTERNAL, …) and phase (parse, validate, execute)',
  labelNames: ['code', 'phase'],
});

// Operation names are chosen by clients: as labels they could grow the page without bound and
// carry data. Only the names of the gateway's own operations (the REST routes', handed in by
// the gateway, and the GraphiQL examples') are labels; any other operation is labelled by its
// first root field, which the schema bounds, or "other" when the schema has no such field.
function operationNames(ownOperations: string[]): Set<string> {
  return new Set(
    [...ownOperations, ...exampleOperations.map((example) => example.query)].flatMap((text) =>
      parse(text).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : [])),
    ),
  );
}

function operationLabels(
  named: Set<string>,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
): { operation: string; type: string } {
  const ast = getOperationAST(document, operationName);
  const name = ast?.name?.value;
  if (!ast) return { operation: 'other', type: 'unknown' };
  if (name && named.has(name)) return { operation: name, type: ast.operation };
  const first = ast.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  const rootField = first?.kind === Kind.FIELD ? first.name.value : undefined;
  const known =
    rootField !== undefined && (rootField === '__typename' || rootField in (schema.getRootType(ast.operation)?.getFields() ?? {}));
  return { operation: known ? rootField : 'other', type: ast.operation };
}

function countErrors(errors: readonly GraphQLError[] | readonly Error[], phase: string, production: boolean): void {
  for (const error of errors) graphqlErrors.inc({ code: describeError(error, production).code, phase });
}

/** `ownOperations`: the documents of the gateway's own operations, whose names are labels. */
export function metricsPlugin(production: boolean, ownOperations: string[]): Plugin {
  const named = operationNames(ownOperations);
  return {
    onParse() {
      return ({ result }) => {
        if (result instanceof Error) {
          operations.inc({ operation: 'unknown', type: 'unknown', outcome: 'rejected' });
          countErrors([result], 'parse', production);
        }
      };
    },
    onValidate({ params }) {
      return ({ valid, result }) => {
        if (valid) return;
        operations.inc({
          ...operationLabels(named, params.schema as GraphQLSchema, params.documentAST as DocumentNode),
          outcome: 'rejected',
        });
        countErrors(result, 'validate', production);
      };
    },
    onExecute({ args }) {
      const { schema, document, operationName } = args as ExecutionArgs;
      const labels = operationLabels(named, schema, document, operationName);
      const started = process.hrtime.bigint();
      return {
        onExecuteDone({ result }) {
          // Streams (subscriptions, @defer) are counted when they start, not timed.
          if (isAsyncIterable(result)) {
            operations.inc({ ...labels, outcome: 'stream' });
            return;
          }
          const outcome = result.errors?.length ? 'error' : 'success';
          operations.inc({ ...labels, outcome });
          operationDuration.observe({ ...labels, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
          if (result.errors) countErrors(result.errors, 'execute', production);
        },
      };
    },
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function registerMetrics(app: FastifyInstance, services: Services): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? '(unmatched)';
    const family = familyOf(req.url)?.name ?? (route === '/graphql' ? 'graphql' : 'none');
    const labels = { method: req.method, route, family, status: String(reply.statusCode) };
    httpRequests.inc(labels);
    httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  const poolStats = services.database.poolStats;
  if (poolStats) {
    const stop = reportPool(poolStats);
    app.addHook('onClose', async () => {
      stop();
    });
  }

  const stopJobs = reportImportJobs(async () => {
    const groups = await services.database.prisma.importJob.groupBy({ by: ['status'], _count: { _all: true } });
    return groups.map((g) => ({ status: g.status, count: g._count._all }));
  });
  app.addHook('onClose', async () => {
    stopJobs();
  });

  const expected = services.config.METRICS_TOKEN ? sha256(services.config.METRICS_TOKEN) : null;
  app.get('/metrics', async (req, reply) => {
    if (expected) {
      const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      // Compared as digests: same length, constant time.
      if (!timingSafeEqual(sha256(given), expected)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'metrics need Authorization: Bearer <METRICS_TOKEN>' });
      }
    }
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
}
