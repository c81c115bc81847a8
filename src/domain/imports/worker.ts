// The import worker of a serving process: claims jobs whose rows came with the request
// (PENDING ones, and RUNNING ones whose lease expired: their worker died) with
// FOR UPDATE SKIP LOCKED, so that several gateway processes on one PostgreSQL database claim
// each job once; holds a lease (lockedBy / lockedUntil) renewed while it works; applies the rows
// chunk by chunk from the job's cursor (applyImportChunk never applies a chunk twice) and
// finishes the job. On shutdown it finishes the current chunk, takes no new one and releases
// its lease so that another process resumes the job at once.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../../config.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { ShutdownHooks } from '../../shutdown.ts';
import { applyImportChunk, finishImportJob } from './jobs.ts';

/** A job that failed this many claims (a crash inside it, each time) is given up as FAILED. */
const MAX_ATTEMPTS = 5;

type Log = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

export interface ImportWorkerOptions {
  prisma: PrismaClient;
  config: Pick<Config, 'IMPORT_POLL_MILLIS' | 'IMPORT_LEASE_MILLIS' | 'IMPORT_CHUNK_SIZE'>;
  shutdown: ShutdownHooks;
  log: Log;
  /** Called after every chunk and on every status change (the importJobProgress subscription). */
  onProgress?: (jobId: number) => void;
  /** Called with the outcome of every chunk this worker applied (the import rows metric). */
  onChunk?: (outcome: { succeeded: number; failed: number }) => void;
}

export interface ImportWorker {
  /** Names this worker in ImportJob.lockedBy. */
  id: string;
  /** Looks for a job now instead of at the next poll (a job was just submitted). */
  poke(): void;
  /** Finishes the current chunk, releases the lease, takes no new job. */
  stop(): Promise<void>;
}

interface Claimed {
  id: number;
  cursor: number;
  payload: string;
  mode: number;
  attempts: number;
}

export function startImportWorker(options: ImportWorkerOptions): ImportWorker {
  const { prisma, config, log } = options;
  const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const lease = config.IMPORT_LEASE_MILLIS;
  let stopping = false;
  let wake: (() => void) | null = null;
  const progress = (jobId: number) => {
    try {
      options.onProgress?.(jobId);
    } catch (error) {
      log.error({ err: error, jobId }, 'import progress listener failed');
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  /** One job, claimed atomically: the row lock of SKIP LOCKED keeps two claimers apart. */
  async function claim(): Promise<Claimed | null> {
    const rows = await prisma.$queryRaw<Claimed[]>`
      UPDATE "ImportJob" SET
        "status" = 'RUNNING',
        "lockedBy" = ${id},
        "lockedUntil" = (now() AT TIME ZONE 'UTC') + ${lease}::int * interval '1 millisecond',
        "attempts" = "attempts" + 1,
        "startedAt" = COALESCE("startedAt", now() AT TIME ZONE 'UTC'),
        "updatedAt" = now() AT TIME ZONE 'UTC'
      WHERE "id" = (
        SELECT "id" FROM "ImportJob"
        WHERE "payload" IS NOT NULL
          AND ("status" = 'PENDING' OR ("status" = 'RUNNING' AND ("lockedUntil" IS NULL OR "lockedUntil" < now() AT TIME ZONE 'UTC')))
        ORDER BY "id" LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING "id", "cursor", "payload", "mode", "attempts"`;
    return rows[0] ? { ...rows[0], id: Number(rows[0].id), cursor: Number(rows[0].cursor), attempts: Number(rows[0].attempts) } : null;
  }

  /** Extends the lease; false when the job is no longer this worker's. */
  async function renew(jobId: number): Promise<boolean> {
    const count = await prisma.$executeRaw`
      UPDATE "ImportJob" SET "lockedUntil" = (now() AT TIME ZONE 'UTC') + ${lease}::int * interval '1 millisecond'
      WHERE "id" = ${jobId} AND "lockedBy" = ${id} AND "status" = 'RUNNING'`;
    return count === 1;
  }

  async function release(jobId: number): Promise<void> {
    await prisma.$executeRaw`UPDATE "ImportJob" SET "lockedUntil" = NULL WHERE "id" = ${jobId} AND "lockedBy" = ${id} AND "status" = 'RUNNING'`;
  }

  async function run(job: Claimed): Promise<void> {
    progress(job.id);
    if (job.attempts > MAX_ATTEMPTS) {
      await finishImportJob(prisma, job.id, `given up after ${MAX_ATTEMPTS} attempts`);
      progress(job.id);
      return;
    }
    const rows = JSON.parse(job.payload) as unknown[];
    // All-or-nothing jobs are applied in one chunk (API jobs hold at most 500 rows).
    const size = job.mode === 1 ? Math.max(rows.length, 1) : config.IMPORT_CHUNK_SIZE;
    let owned = true;
    const renewal = setInterval(() => {
      renew(job.id)
        .then((ok) => {
          owned &&= ok;
        })
        .catch((error) => log.warn({ err: error, jobId: job.id }, 'import lease renewal failed'));
    }, Math.max(50, Math.floor(lease / 3)));
    try {
      let cursor = job.cursor;
      let failedAllOrNothing = false;
      while (cursor < rows.length && owned && !stopping && !failedAllOrNothing) {
        const slice = rows.slice(cursor, cursor + size);
        const result = await applyImportChunk(prisma, job.id, cursor, slice, `worker:${id}`);
        if (!result.applied) {
          // Another worker moved the cursor (our lease had expired): it owns the job now.
          owned = false;
          break;
        }
        cursor += slice.length;
        options.onChunk?.(result);
        failedAllOrNothing = job.mode === 1 && result.failed > 0;
        progress(job.id);
        owned = owned && (await renew(job.id));
      }
      if (!owned) return;
      if (cursor >= rows.length || failedAllOrNothing) {
        await finishImportJob(prisma, job.id);
        progress(job.id);
      } else await release(job.id);
    } finally {
      clearInterval(renewal);
    }
  }

  const loop = (async () => {
    while (!stopping) {
      let job: Claimed | null = null;
      try {
        job = await claim();
        if (job) await run(job);
      } catch (error) {
        log.error({ err: error, jobId: job?.id }, 'import job step failed; the job is retried once its lease expires');
      }
      if (!job && !stopping) await sleep(config.IMPORT_POLL_MILLIS);
    }
  })();

  const unregister = options.shutdown.register('import worker', () => stop());
  async function stop(): Promise<void> {
    stopping = true;
    wake?.();
    await loop;
    unregister();
  }
  log.info({ worker: id }, 'import worker started');
  return { id, poke: () => wake?.(), stop };
}
