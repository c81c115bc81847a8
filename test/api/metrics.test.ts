// GET /metrics: Prometheus text, counters that move with GraphQL and REST requests, pool
// gauges on PostgreSQL, process metrics, and the opt-in METRICS_TOKEN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counter, registry } from '../../src/metrics.ts';
import { usingPostgres } from '../support/database.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { parseMetrics, valueOf, type Sample } from '../support/prometheus.ts';

let t: TestGateway;

async function scrape(gateway: TestGateway = t, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await gateway.request<string>('GET', '/metrics', { token: null, headers });
  expect(res.status).toBe(200);
  expect(String(res.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(res.body);
}

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

describe('GET /metrics', () => {
  it('counts GraphQL operations by root field (a client-chosen name is no label), type and outcome, with their latency', async () => {
    const before = await scrape();
    const ok = await t.graphql(
      'query FindNobody { customerByIdentity(identityType: "phone", identityValue: "13700000000") { customerId } }',
    );
    expect(ok.body.errors).toBeUndefined();
    const failed = await t.graphql('mutation DeleteMissing { deleteCustomer(id: "999999") { customerId } }');
    expect(failed.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const invalid = await t.graphql('query Bad { noSuchField }');
    expect(invalid.body.errors).toHaveLength(1);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('customer_graph_graphql_operations_total', { operation: 'customerByIdentity', type: 'query', outcome: 'success' })).toBe(
      1,
    );
    expect(delta('customer_graph_graphql_operations_total', { operation: 'deleteCustomer', type: 'mutation', outcome: 'error' })).toBe(1);
    expect(delta('customer_graph_graphql_operations_total', { operation: 'other', outcome: 'rejected' })).toBe(1);
    expect(delta('customer_graph_graphql_operation_duration_seconds_count', { operation: 'customerByIdentity', outcome: 'success' })).toBe(
      1,
    );
    for (const name of ['FindNobody', 'DeleteMissing', 'Bad'])
      expect(
        after.some((sample) => sample.labels.operation === name),
        name,
      ).toBe(false);
    expect(delta('customer_graph_graphql_errors_total', { code: 'NOT_FOUND', phase: 'execute' })).toBe(1);
    expect(delta('customer_graph_graphql_errors_total', { code: 'BAD_INPUT', phase: 'validate' })).toBe(1);
    expect(delta('customer_graph_http_requests_total', { method: 'POST', route: '/graphql', family: 'graphql' })).toBe(3);
    expect(delta('customer_graph_http_request_duration_seconds_count', { route: '/graphql' })).toBe(3);
  });

  it('counts REST shim requests per route and family, and the GraphQL operation each runs', async () => {
    const before = await scrape();
    const created = await t.request('POST', '/openapi/customer/add', { body: { name: '王五', mobile: '13765348726' } });
    expect(created.status).toBe(200);
    const info = await t.request('GET', `/openapi/customer/customerInfo?customerId=${created.body.data}`);
    expect(info.status).toBe(200);
    const refused = await t.request('GET', '/openapi/customer/customerInfo?customerId=1', { token: null });
    expect(refused.status).toBe(401);
    const edu = await t.request('POST', '/v1/customer/addFriendBatch.json', { body: { userIdA: 'nobody', userIdBatch: ['x'] } });
    expect(edu.status).toBe(404);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    const info200 = { method: 'GET', route: '/openapi/customer/customerInfo', family: 'openapi', status: '200' };
    expect(delta('customer_graph_http_requests_total', info200)).toBe(1);
    expect(delta('customer_graph_http_requests_total', { ...info200, status: '401' })).toBe(1);
    expect(delta('customer_graph_http_requests_total', { route: '/openapi/customer/add', family: 'openapi', status: '200' })).toBe(1);
    expect(delta('customer_graph_http_requests_total', { route: '/v1/customer/addFriendBatch.json', family: 'edu', status: '404' })).toBe(
      1,
    );
    expect(delta('customer_graph_graphql_operations_total', { operation: 'AddCustomer', type: 'mutation', outcome: 'success' })).toBe(1);
    expect(delta('customer_graph_graphql_operations_total', { operation: 'CustomerInfo', type: 'query', outcome: 'success' })).toBe(1);
    expect(delta('customer_graph_graphql_operations_total', { operation: 'AddFriendBatch', outcome: 'error' })).toBe(1);
  });

  it('labels unknown paths by no route, so probes cannot grow the page', async () => {
    const before = await scrape();
    await t.request('GET', '/no/such/path/12345', { token: null });
    const after = await scrape();
    expect(
      valueOf(after, 'customer_graph_http_requests_total', { route: '(unmatched)', status: '404' }) -
        valueOf(before, 'customer_graph_http_requests_total', { route: '(unmatched)', status: '404' }),
    ).toBe(1);
    expect(after.some((s) => Object.values(s.labels).some((v) => v.includes('12345')))).toBe(false);
  });

  it('has process metrics and the database pool gauges', async () => {
    const samples = await scrape();
    expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    expect(samples.some((s) => s.name === 'customer_graph_db_pool_connections')).toBe(true);
    if (usingPostgres) {
      // Queries ran above: the pool holds at least one connection.
      expect(valueOf(samples, 'customer_graph_db_pool_connections')).toBeGreaterThan(0);
      expect(valueOf(samples, 'customer_graph_db_pool_idle_connections')).toBeLessThanOrEqual(
        valueOf(samples, 'customer_graph_db_pool_connections'),
      );
    } else {
      expect(t.db.database.poolStats).toBeUndefined();
    }
  });

  it('counts import jobs by status and the rows this process’s worker applied', async () => {
    const before = await scrape();
    const worker = await t.variant({ IMPORT_POLL_MILLIS: '100' }, { importWorker: true });
    const profiles = [{ phone: '13711110001' }, { phone: '13711110002' }, { phone: 'no digits' }];
    const res = await worker.graphql('mutation($input: ImportCustomersInput!) { importCustomers(input: $input) { batchId } }', {
      input: { kind: 'PROFILE', publicParams: { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 }, profiles },
    });
    expect(res.body.errors).toBeUndefined();
    const id = res.body.data.importCustomers.batchId;
    await expect
      .poll(async () => (await t.prisma.importJob.findUniqueOrThrow({ where: { id } })).status, { timeout: 30_000 })
      .toBe('PARTIAL');
    const after = await scrape();
    const delta = (outcome: string) =>
      valueOf(after, 'customer_graph_import_rows_total', { outcome }) - valueOf(before, 'customer_graph_import_rows_total', { outcome });
    expect([delta('succeeded'), delta('failed')]).toEqual([2, 1]);
    const partial = await t.prisma.importJob.count({ where: { status: 'PARTIAL' } });
    expect(valueOf(after, 'customer_graph_import_jobs', { status: 'PARTIAL' })).toBe(partial);
    expect(partial).toBeGreaterThan(0);
  });

  it('lets other modules register metrics of their own', async () => {
    const jobs = counter({ name: 'customer_graph_test_jobs_total', help: 'test', labelNames: ['status'] });
    expect(counter({ name: 'customer_graph_test_jobs_total', help: 'test', labelNames: ['status'] })).toBe(jobs);
    jobs.inc({ status: 'SUCCEEDED' }, 3);
    expect(valueOf(await scrape(), 'customer_graph_test_jobs_total', { status: 'SUCCEEDED' })).toBe(3);
    registry.removeSingleMetric('customer_graph_test_jobs_total');
  });
});

describe('METRICS_TOKEN', () => {
  let guarded: TestGateway;
  beforeAll(async () => {
    guarded = await startTestGateway({ METRICS_TOKEN: 'scrape-secret-1' });
  });
  afterAll(() => guarded.close());

  it('when set, /metrics needs it as a bearer token; app tokens do not open it', async () => {
    expect((await guarded.request('GET', '/metrics', { token: null })).status).toBe(401);
    expect((await guarded.request('GET', '/metrics', { token: guarded.tokens.all })).status).toBe(401);
    expect((await guarded.request('GET', '/metrics', { token: 'scrape-secret-2' })).status).toBe(401);
    const samples = await scrape(guarded, { authorization: 'Bearer scrape-secret-1' });
    expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
