// OpenTelemetry tracing, off unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT
// or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). Off, nothing of the OpenTelemetry SDK is loaded.
// On, @opentelemetry/sdk-node exports spans over OTLP (configured by the standard OTEL_*
// variables: protocol, headers, service name, sampler, batch delay) from:
//   - the HTTP server (@opentelemetry/instrumentation-http),
//   - fastify's routes and hooks (@fastify/otel),
//   - PostgreSQL queries (@opentelemetry/instrumentation-pg),
//   - GraphQL operations, REST shim ones included (src/http/tracing-plugin.ts, an envelop plugin).
// startTracing() must run before fastify and pg are loaded: bin/customer-graph.mjs calls it
// before it imports the CLI.
import type { Plugin } from 'graphql-yoga';

interface Tracing {
  sdk: { shutdown(): Promise<void> };
  plugin: Plugin;
}

let active: Tracing | null = null;

export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && env.OTEL_SDK_DISABLED !== 'true';
}

export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (active || !tracingConfigured(env)) return Boolean(active);
  const [{ NodeSDK }, { HttpInstrumentation }, { PgInstrumentation }, { FastifyOtelInstrumentation }, { tracingPlugin }] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-pg'),
      import('@fastify/otel'),
      import('./http/tracing-plugin.ts'),
    ]);
  const quiet = new Set(['/healthz', '/readyz', '/metrics']);
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'customer-graph',
    instrumentations: [
      // Probes and scrapes would drown the traces that matter.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => quiet.has((req.url ?? '').split('?')[0]) }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (opts) => quiet.has(opts.url) }),
      new PgInstrumentation(),
    ],
  });
  sdk.start();
  active = { sdk, plugin: tracingPlugin() };
  return true;
}

/** The envelop plugins tracing adds to yoga: none while tracing is off. */
export function tracingPlugins(): Plugin[] {
  return active ? [active.plugin] : [];
}

/** Exports the spans still buffered and stops the SDK (at shutdown). */
export async function stopTracing(): Promise<void> {
  const tracing = active;
  active = null;
  await tracing?.sdk.shutdown();
}
