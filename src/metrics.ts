// Prometheus metrics (prom-client): one registry for the process, served at GET /metrics.
//
// Other modules add their own metrics through counter()/gauge()/histogram() below: each
// returns the metric of that name if it exists, so a module may define its metrics at load
// time or lazily (import jobs: importRows and reportImportJobs below).
//
// Names start with customer_graph_ (process_* and nodejs_* are prom-client's defaults). Labels
// take bounded values only (route patterns, operation names up to a cap, codes): never ids,
// phones or other customer data.
import client, {
  type Counter,
  type CounterConfiguration,
  type Gauge,
  type GaugeConfiguration,
  type Histogram,
  type HistogramConfiguration,
} from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

function getOrCreate<M>(name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

export function counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
  return getOrCreate(config.name, () => new client.Counter({ ...config, registers: [registry] }));
}

export function gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
  return getOrCreate(config.name, () => new client.Gauge({ ...config, registers: [registry] }));
}

export function histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
  return getOrCreate(config.name, () => new client.Histogram({ ...config, registers: [registry] }));
}

/** Latency buckets in seconds, from a cached read to a slow import chunk. */
export const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

// Connection pools that report at scrape time (PostgreSQL; PGlite has none). A set rather than
// one pool: tests run several gateways in one process; a served process has one.
const pools = new Set<() => PoolStats>();

/** Reports a connection pool's stats at every scrape until the returned function is called. */
export function reportPool(stats: () => PoolStats): () => void {
  pools.add(stats);
  return () => pools.delete(stats);
}

const poolGauge = (name: string, help: string, key: keyof PoolStats) =>
  gauge({
    name,
    help,
    collect() {
      let sum = 0;
      for (const stats of pools) sum += stats()[key];
      this.set(sum);
    },
  });

poolGauge('customer_graph_db_pool_connections', 'PostgreSQL pool: open connections (pg Pool totalCount)', 'total');
poolGauge('customer_graph_db_pool_idle_connections', 'PostgreSQL pool: idle connections (pg Pool idleCount)', 'idle');
poolGauge('customer_graph_db_pool_waiting_requests', 'PostgreSQL pool: queries waiting for a connection (pg Pool waitingCount)', 'waiting');

/** Rows the import worker of this process applied, by outcome (succeeded / failed). */
export const importRows = counter({
  name: 'customer_graph_import_rows_total',
  help: 'Import rows applied by this process’s worker, by outcome',
  labelNames: ['outcome'],
});

export type JobCounter = () => Promise<{ status: string; count: number }[]>;

// Jobs live in the database, so the gauge reads them at scrape time. One source: a served
// process has one gateway; in tests the latest one reports (several would count one database twice).
let jobCounter: JobCounter | null = null;

/** Reports import jobs by status at every scrape until the returned function is called. */
export function reportImportJobs(count: JobCounter): () => void {
  jobCounter = count;
  return () => {
    if (jobCounter === count) jobCounter = null;
  };
}

gauge({
  name: 'customer_graph_import_jobs',
  help: 'Import jobs in the database by status (PENDING, RUNNING, SUCCEEDED, PARTIAL, FAILED)',
  labelNames: ['status'],
  async collect() {
    this.reset();
    if (!jobCounter) return;
    for (const { status, count } of await jobCounter()) this.set({ status }, count);
  },
});
