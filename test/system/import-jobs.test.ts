// Import jobs survive crashes: a chunk is applied at most once (the cursor check), a job whose
// worker died (lease expired) is reclaimed and finished with nothing doubled, and with
// PostgreSQL two serving processes process every job exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { createApp, mintToken } from '../../src/domain/auth.ts';
import { applyImportChunk, createImportJob, finishImportJob } from '../../src/domain/imports/jobs.ts';
import { startImportWorker } from '../../src/domain/imports/worker.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { ShutdownHooks } from '../../src/shutdown.ts';
import { freshDatabase, freshDatabaseUrl, usingPostgres, type TestDatabase } from '../support/database.ts';
import { liveCustomerCount, waitForJob } from '../support/imports.ts';
import { pollUntil } from '../support/poll.ts';
import { runCli, startServer, type ServerProcess } from '../../scripts/support/processes.ts';

const quiet = { info() {}, warn() {}, error() {} };
const options = { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 };
const rowsFor = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ phone: `1${prefix}${String(i).padStart(6, '0')}`, realName: `r${i}` }));

describe('one database, jobs driven directly', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  beforeAll(async () => {
    db = await freshDatabase();
    prisma = db.database.prisma;
  });
  afterAll(async () => {
    await db.drop();
  });

  it('a chunk is never applied twice: a stale startRow writes nothing', async () => {
    const rows = rowsFor('3100', 4);
    const { job } = await createImportJob(
      prisma,
      { kind: 'PROFILE', options, origin: 'CLI', sourceRef: 'sha256:abc size:4', total: 4 },
      'test',
    );
    const before = await liveCustomerCount(prisma);
    expect(await applyImportChunk(prisma, job.id, 0, rows.slice(0, 2), 'test')).toMatchObject({ applied: true, succeeded: 2, failed: 0 });
    // A second worker (or a re-run CLI) replays the same chunk: refused, nothing doubled.
    expect(await applyImportChunk(prisma, job.id, 0, rows.slice(0, 2), 'test')).toEqual({
      applied: false,
      succeeded: 0,
      failed: 0,
      errors: [],
    });
    expect(await applyImportChunk(prisma, job.id, 3, rows.slice(3), 'test')).toMatchObject({ applied: false });
    // The re-run CLI import finds the unfinished job by its sourceRef and resumes at the cursor.
    const resumed = await createImportJob(
      prisma,
      { kind: 'PROFILE', options, origin: 'CLI', sourceRef: 'sha256:abc size:4', total: 4 },
      'test',
    );
    expect(resumed).toMatchObject({ reused: true, job: { id: job.id, cursor: 2 } });
    expect(await applyImportChunk(prisma, job.id, 2, rows.slice(2), 'test')).toMatchObject({ applied: true, succeeded: 2 });
    const finished = await finishImportJob(prisma, job.id);
    expect(finished).toMatchObject({ status: 'SUCCEEDED', processed: 4, succeeded: 4, failed: 0, cursor: 4 });
    // Times written in SQL read back as the same instants as those Prisma writes.
    expect(Math.abs(finished.startedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(finished.finishedAt!.getTime()).toBeGreaterThanOrEqual(finished.startedAt!.getTime());
    expect(await liveCustomerCount(prisma)).toBe(before + 4);
    expect(await applyImportChunk(prisma, job.id, 4, rows.slice(0, 1), 'test')).toMatchObject({ applied: false });
  });

  it('a job whose worker died (lease expired) is reclaimed and finished with nothing doubled', async () => {
    const rows = rowsFor('3200', 7);
    const { job } = await createImportJob(prisma, { kind: 'PROFILE', options, origin: 'REST', rows }, 'test');
    const before = await liveCustomerCount(prisma);
    // The dead worker committed rows 0-2, then vanished holding a lease that has since expired.
    await applyImportChunk(prisma, job.id, 0, rows.slice(0, 3), 'dead');
    await prisma.importJob.update({
      where: { id: job.id },
      data: { status: 'RUNNING', lockedBy: 'dead-worker', lockedUntil: new Date(Date.now() - 60_000), attempts: 1 },
    });

    const shutdown = new ShutdownHooks();
    const progress: number[] = [];
    const config = { IMPORT_POLL_MILLIS: 20, IMPORT_LEASE_MILLIS: 5_000, IMPORT_CHUNK_SIZE: 2 };
    const worker = startImportWorker({ prisma, config, shutdown, log: quiet, onProgress: (id) => progress.push(id) });
    try {
      const done = await waitForJob(prisma, job.id);
      expect(done).toMatchObject({ status: 'SUCCEEDED', total: 7, processed: 7, succeeded: 7, failed: 0, attempts: 2, lockedBy: null });
      expect(await liveCustomerCount(prisma)).toBe(before + 7);
      // Progress after each of the two remaining 2-row chunks and the last row, and on the status changes.
      expect(progress.filter((id) => id === job.id).length).toBeGreaterThanOrEqual(4);
    } finally {
      await shutdown.run();
    }
    expect(worker.id).toMatch(/:/);
  });

  it('a job held under a live lease is left to its worker', async () => {
    const { job } = await createImportJob(prisma, { kind: 'PROFILE', options, origin: 'REST', rows: rowsFor('3300', 2) }, 'test');
    await prisma.importJob.update({
      where: { id: job.id },
      data: { status: 'RUNNING', lockedBy: 'alive', lockedUntil: new Date(Date.now() + 600_000) },
    });
    const { job: marker } = await createImportJob(prisma, { kind: 'PROFILE', options, origin: 'REST', rows: rowsFor('3301', 1) }, 'test');
    const shutdown = new ShutdownHooks();
    startImportWorker({
      prisma,
      config: { IMPORT_POLL_MILLIS: 20, IMPORT_LEASE_MILLIS: 5_000, IMPORT_CHUNK_SIZE: 500 },
      shutdown,
      log: quiet,
    });
    try {
      // The worker claims in id order: once the later job is done, it has passed the leased one by.
      const claimed = await waitForJob(prisma, marker.id);
      expect(Math.abs(claimed.startedAt!.getTime() - Date.now())).toBeLessThan(60_000);
      expect(await prisma.importJob.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({
        status: 'RUNNING',
        lockedBy: 'alive',
        processed: 0,
      });
    } finally {
      await shutdown.run();
    }
  });

  it('stopping the worker finishes the current chunk and releases the lease for another process', async () => {
    const rows = rowsFor('3400', 40);
    const { job } = await createImportJob(prisma, { kind: 'PROFILE', options, origin: 'REST', rows }, 'test');
    const shutdown = new ShutdownHooks();
    let stopping = null as Promise<void> | null;
    startImportWorker({
      prisma,
      config: { IMPORT_POLL_MILLIS: 20, IMPORT_LEASE_MILLIS: 600_000, IMPORT_CHUNK_SIZE: 5 },
      shutdown,
      log: quiet,
      onProgress: () => {
        stopping ??= shutdown.run();
      },
    });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (stopping) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    await stopping;
    const left = await prisma.importJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(left.cursor % 5).toBe(0);
    expect(left.processed).toBe(left.cursor);
    if (left.cursor < 40) expect(left).toMatchObject({ status: 'RUNNING', lockedUntil: null });

    // Another process takes it over at once (no lease to wait for) and finishes it.
    const next = new ShutdownHooks();
    startImportWorker({
      prisma,
      config: { IMPORT_POLL_MILLIS: 20, IMPORT_LEASE_MILLIS: 600_000, IMPORT_CHUNK_SIZE: 5 },
      shutdown: next,
      log: quiet,
    });
    try {
      expect(await waitForJob(prisma, job.id)).toMatchObject({ status: 'SUCCEEDED', processed: 40, succeeded: 40 });
    } finally {
      await next.run();
    }
    expect(await prisma.identity.count({ where: { value: { startsWith: '13400' } } })).toBe(40);
  });
});

describe.runIf(usingPostgres)('PostgreSQL: two serving processes on one database', () => {
  let db: { url: string; drop: () => Promise<void> };
  const servers: ServerProcess[] = [];
  let token: string;
  beforeAll(async () => {
    db = await freshDatabaseUrl();
    const env = { DATABASE_URL: db.url, IMPORT_POLL_MILLIS: '10', IMPORT_CHUNK_SIZE: '7', IMPORT_LEASE_MILLIS: '30000', LOG_LEVEL: 'warn' };
    servers.push(...(await Promise.all([startServer(env), startServer(env)])));
    const local = await openDatabase(db.url, { command: 'test' });
    try {
      const app = await createApp(local.prisma, { name: 'two-servers', scopes: ['customer:read', 'customer:write'] });
      token = await mintToken(local.prisma, app.appKey, 3600);
    } finally {
      await local.close();
    }
  }, 120_000);
  afterAll(async () => {
    for (const server of servers) await server.stop('SIGTERM');
    await db.drop();
  });

  it('every job submitted through either process is processed exactly once', async () => {
    const jobs = 12;
    const rowsPerJob = 30;
    const submitted = await Promise.all(
      Array.from({ length: jobs }, async (_, j) => {
        const server = servers[j % 2];
        const res = await fetch(`${server.url}/api/integrate/audience/info/batchAdd`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-token': token },
          body: JSON.stringify({ publicParams: options, data: rowsFor(`5${String(j).padStart(2, '0')}`, rowsPerJob) }),
        });
        const body = (await res.json()) as { data: number };
        expect(res.status).toBe(200);
        return body.data;
      }),
    );
    const local = await openDatabase(db.url, { command: 'test' });
    try {
      for (const id of submitted) {
        const job = await waitForJob(local.prisma, id, 60_000);
        // Claimed once (attempts 1) and its counts equal its rows: no chunk applied twice.
        expect(job).toMatchObject({
          status: 'SUCCEEDED',
          total: rowsPerJob,
          processed: rowsPerJob,
          succeeded: rowsPerJob,
          failed: 0,
          attempts: 1,
        });
      }
      expect(await local.prisma.customer.count()).toBe(jobs * rowsPerJob);
      expect(await local.prisma.identity.count({ where: { type: 'phone' } })).toBe(jobs * rowsPerJob);
      const workers = await local.prisma.$queryRaw<
        { n: number }[]
      >`SELECT COUNT(*)::int AS "n" FROM "ImportJob" WHERE "lockedBy" IS NOT NULL`;
      expect(workers[0].n).toBe(0);
    } finally {
      await local.close();
    }
  }, 120_000);
});

describe('a serving process killed in the middle of a job', () => {
  it('leaves the job to the next start, which finishes it with nothing doubled', async () => {
    const db = await freshDatabaseUrl();
    const env = { DATABASE_URL: db.url, IMPORT_POLL_MILLIS: '20', IMPORT_CHUNK_SIZE: '5', IMPORT_LEASE_MILLIS: '1000', LOG_LEVEL: 'warn' };
    const created = await runCli(['app', 'create', '--name', 'killer', '--scopes', 'customer:read,customer:write', '--json'], {
      DATABASE_URL: db.url,
    });
    const { token } = JSON.parse(created.stdout.trim()) as { token: string };
    const result = async (server: ServerProcess, batchId: number) => {
      const res = await fetch(`${server.url}/api/integrate/audience/import/result?batchId=${batchId}`, { headers: { 'x-token': token } });
      return ((await res.json()) as { data: { status: string; processed?: number; succeeded: number; failed: number } }).data;
    };
    const rows = 300;
    let first: ServerProcess | null = await startServer(env);
    try {
      const res = await fetch(`${first.url}/api/integrate/audience/info/batchAdd`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-token': token },
        body: JSON.stringify({ publicParams: options, data: rowsFor('8800', rows) }),
      });
      const batchId = ((await res.json()) as { data: number }).data;
      // Kill it (no shutdown hooks: a crash) once some chunks are committed.
      const server = first;
      await pollUntil(
        async () => {
          const seen = await result(server, batchId);
          return seen.succeeded > 0 || seen.status === 'SUCCEEDED';
        },
        'a committed chunk',
        { intervalMs: 10 },
      );
      await first.stop('SIGKILL');
      first = null;

      const second = await startServer(env);
      try {
        let done = await result(second, batchId);
        await pollUntil(
          async () => {
            done = await result(second, batchId);
            return ['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(done.status);
          },
          `job ${batchId} finished on the second server`,
          { intervalMs: 50 },
        );
        expect(done).toMatchObject({ status: 'SUCCEEDED', succeeded: rows, failed: 0 });
      } finally {
        await second.stop('SIGTERM');
      }
      const local = await openDatabase(db.url, { command: 'test' });
      try {
        expect(await local.prisma.identity.count({ where: { type: 'phone', value: { startsWith: '18800' } } })).toBe(rows);
        expect(await local.prisma.customer.count()).toBe(rows);
        expect(await local.prisma.importJob.findUniqueOrThrow({ where: { id: batchId } })).toMatchObject({
          processed: rows,
          cursor: rows,
          lockedBy: null,
        });
      } finally {
        await local.close();
      }
    } finally {
      if (first) await first.stop('SIGKILL');
      await db.drop();
    }
  }, 180_000);
});
