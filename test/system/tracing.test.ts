// OpenTelemetry: off by default (no SDK loaded, no tracer registered, no plugin); on with an
// OTLP endpoint, a real `serve` process exports spans for the HTTP request, the fastify route,
// the GraphQL operation (REST shim ones too) and, on PostgreSQL, its queries. The collector
// is a local HTTP server reading OTLP/HTTP JSON.
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, tracingConfigured, tracingPlugins } from '../../src/tracing.ts';
import { freshDatabaseUrl, usingPostgres } from '../support/database.ts';
import { startTestGateway } from '../support/gateway.ts';
import { runCli, startServer, type ServerProcess } from '../../scripts/support/processes.ts';

describe('tracing off (the default)', () => {
  it('loads nothing of the SDK, registers no tracer and adds no plugin, while requests are served', async () => {
    const env = { ...process.env };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    expect(tracingConfigured(env)).toBe(false);
    expect(await startTracing(env)).toBe(false);
    const t = await startTestGateway();
    try {
      const res = await t.graphql('{ customers(first: 1) { totalCount } }');
      expect(res.body.errors).toBeUndefined();
      expect(tracingPlugins()).toEqual([]);
      // @opentelemetry/api keeps its registrations on this global once an SDK registers.
      expect((globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')]).toBeUndefined();
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      expect(loaded.filter((path) => /@opentelemetry[\\/](sdk-|instrumentation)|@fastify[\\/]otel/.test(path))).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

interface ExportedSpan {
  name: string;
  kind: number;
  traceId: string;
  attributes: Record<string, unknown>;
  status?: { code?: number };
}

describe('tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  let collector: Server;
  let server: ServerProcess;
  let drop: () => Promise<void>;
  let token: string;
  const spans: ExportedSpan[] = [];

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const payload = JSON.parse(body);
          for (const resource of payload.resourceSpans ?? []) {
            for (const scope of resource.scopeSpans ?? []) {
              for (const span of scope.spans ?? []) {
                const attributes = Object.fromEntries(
                  (span.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [a.key, Object.values(a.value)[0]]),
                );
                spans.push({ name: span.name, kind: span.kind, traceId: span.traceId, attributes, status: span.status });
              }
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const database = await freshDatabaseUrl();
    drop = database.drop;
    const created = await runCli(['app', 'create', '--name', 'tracing', '--scopes', 'customer:read,customer:write', '--json'], {
      DATABASE_URL: database.url,
    });
    expect(created.code, created.stderr).toBe(0);
    token = JSON.parse(created.stdout).token;
    server = await startServer(
      {
        DATABASE_URL: database.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_SERVICE_NAME: 'customer-graph-test',
      },
      120_000,
    );
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await drop?.();
    await new Promise((resolve) => collector?.close(resolve));
  });

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  it('exports spans for the HTTP request, the fastify route, the GraphQL operation and its queries', async () => {
    const res = await post('/graphql', {
      query: 'query FindNobody { customerByIdentity(identityType: "phone", identityValue: "13700000000") { customerId } }',
    });
    expect(await res.json()).toEqual({ data: { customerByIdentity: null } });
    await expect.poll(() => spans.some((s) => s.name === 'query FindNobody'), { timeout: 30_000 }).toBe(true);
    const operation = spans.find((s) => s.name === 'query FindNobody')!;
    expect(operation.attributes).toMatchObject({ 'graphql.operation.type': 'query', 'graphql.operation.name': 'FindNobody' });
    const inTrace = () => spans.filter((s) => s.traceId === operation.traceId);
    // One trace from the HTTP server span (kind 2) down: fastify's request, the operation, its queries.
    await expect
      .poll(
        () =>
          inTrace()
            .filter((s) => s.kind === 2)
            .map((s) => s.name),
        { timeout: 30_000 },
      )
      .toEqual(['POST /graphql']);
    await expect
      .poll(() => inTrace().find((s) => s.name === 'request')?.attributes, { timeout: 30_000 })
      .toMatchObject({ 'http.route': '/graphql' });
    if (usingPostgres) {
      await expect
        .poll(() => inTrace().filter((s) => s.attributes['db.system.name'] === 'postgresql').length, { timeout: 30_000 })
        .toBeGreaterThan(0);
    }
  });

  it("gives the REST shim's operations a span, and marks failed operations as errors", async () => {
    const rest = await post('/openapi/customer-identity-ref/getCustomerIdByCustomerIdentity', {
      identityType: 'phone',
      identityValue: '13700000001',
    });
    expect(rest.status).toBe(404);
    const failed = await post('/graphql', { query: 'mutation DeleteMissing { deleteCustomer(id: "999999") { customerId } }' });
    expect((await failed.json()).errors[0].extensions.code).toBe('NOT_FOUND');
    await expect.poll(() => spans.some((s) => s.name === 'query CustomerByIdentity'), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => spans.find((s) => s.name === 'mutation DeleteMissing')?.status?.code, { timeout: 30_000 }).toBe(2);
  });

  it('leaves health probes and metric scrapes out', async () => {
    await fetch(`${server.url}/healthz`);
    await fetch(`${server.url}/metrics`);
    await post('/graphql', { query: 'query AfterProbes { customers(first: 1) { totalCount } }' });
    await expect.poll(() => spans.some((s) => s.name === 'query AfterProbes'), { timeout: 30_000 }).toBe(true);
    expect(
      spans.filter((s) =>
        /healthz|metrics/.test(
          `${s.name} ${s.attributes['http.target'] ?? ''} ${s.attributes['url.path'] ?? ''} ${s.attributes['http.route'] ?? ''}`,
        ),
      ),
    ).toEqual([]);
  });
});
