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
import { applyImportChunk, clearFinishedPayloads, finishImportJob } from './jobs.ts';

/** A job that failed this many claims (a crash inside it, each time) is given up as FAILED. */
const MAX_ATTEMPTS = 5;
/** How often an idle worker clears the payloads of finished jobs past their retention. */
const SWEEP_MILLIS = 60_000;
const DAY_MILLIS = 86_400_000;

type Log = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

export interface ImportWorkerOptions {
  prisma: PrismaClient;
  config: Pick<Config, 'IMPORT_POLL_MILLIS' | 'IMPORT_LEASE_MILLIS' | 'IMPORT_CHUNK_SIZE'> &
    Partial<Pick<Config, 'IMPORT_PAYLOAD_RETENTION_DAYS'>>;
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

/** The leases of one worker on the import jobs: claim, renew, release (the SQL of each). */
export class Leases {
  constructor(
    private readonly prisma: PrismaClient,
    readonly workerId: string,
    readonly millis: number,
  ) {}

  /**
   * One job, claimed atomically: the row lock of SKIP LOCKED keeps two claimers apart. Fair
   * across apps: the oldest claimable job of the app whose jobs started least recently (an
   * app never served first), so one app's burst does not hold another's job behind it.
   */
  async claim(): Promise<Claimed | null> {
    const rows = await this.prisma.$queryRaw<Claimed[]>`
      UPDATE "ImportJob" SET
        "status" = 'RUNNING',
        "lockedBy" = ${this.workerId},
        "lockedUntil" = (now() AT TIME ZONE 'UTC') + ${this.millis}::int * interval '1 millisecond',
        "attempts" = "attempts" + 1,
        "startedAt" = COALESCE("startedAt", now() AT TIME ZONE 'UTC'),
        "updatedAt" = now() AT TIME ZONE 'UTC'
      WHERE "id" = (
        SELECT j."id" FROM "ImportJob" j
        -- Each app's latest start, computed once (one scan), not once per claimable job.
        LEFT JOIN (SELECT "appId", max("startedAt") AS "last" FROM "ImportJob" GROUP BY "appId") a
          ON a."appId" IS NOT DISTINCT FROM j."appId"
        WHERE j."payload" IS NOT NULL
          AND (j."status" = 'PENDING' OR (j."status" = 'RUNNING' AND (j."lockedUntil" IS NULL OR j."lockedUntil" < now() AT TIME ZONE 'UTC')))
        ORDER BY a."last" ASC NULLS FIRST, j."id"
        LIMIT 1 FOR UPDATE OF j SKIP LOCKED)
      RETURNING "id", "cursor", "payload", "mode", "attempts"`;
    return rows[0] ? { ...rows[0], id: Number(rows[0].id), cursor: Number(rows[0].cursor), attempts: Number(rows[0].attempts) } : null;
  }

  /** Extends the lease; false when the job is no longer this worker's. */
  async renew(jobId: number): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE "ImportJob" SET "lockedUntil" = (now() AT TIME ZONE 'UTC') + ${this.millis}::int * interval '1 millisecond'
      WHERE "id" = ${jobId} AND "lockedBy" = ${this.workerId} AND "status" = 'RUNNING'`;
    return count === 1;
  }

  async release(jobId: number): Promise<void> {
    await this.prisma
      .$executeRaw`UPDATE "ImportJob" SET "lockedUntil" = NULL WHERE "id" = ${jobId} AND "lockedBy" = ${this.workerId} AND "status" = 'RUNNING'`;
  }
}

/** A sleep that poke() cuts short. */
function wakeableSleep() {
  let wake: (() => void) | null = null;
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
  return { sleep, wake: () => wake?.() };
}

interface RunContext {
  options: ImportWorkerOptions;
  leases: Leases;
  progress: (jobId: number) => void;
  stopping: () => boolean;
}

/**
 * Applies a claimed job chunk by chunk from its cursor while the lease stays this worker's,
 * then finishes it, or releases it when stopping midway.
 */
async function runJob({ options, leases, progress, stopping }: RunContext, job: Claimed): Promise<void> {
  const { prisma, config, log } = options;
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
  const renewal = setInterval(
    () => {
      leases
        .renew(job.id)
        .then((ok) => {
          owned &&= ok;
        })
        .catch((error: unknown) => log.warn({ err: error, jobId: job.id }, 'import lease renewal failed'));
    },
    Math.max(50, Math.floor(leases.millis / 3)),
  );
  try {
    let cursor = job.cursor;
    let failedAllOrNothing = false;
    while (cursor < rows.length && owned && !stopping() && !failedAllOrNothing) {
      const slice = rows.slice(cursor, cursor + size);
      const result = await applyImportChunk(prisma, job.id, cursor, slice, `worker:${leases.workerId}`);
      if (!result.applied) {
        // Another worker moved the cursor (our lease had expired): it owns the job now.
        owned = false;
        break;
      }
      cursor += slice.length;
      options.onChunk?.(result);
      failedAllOrNothing = job.mode === 1 && result.failed > 0;
      progress(job.id);
      owned = owned && (await leases.renew(job.id));
    }
    if (!owned) return;
    if (cursor >= rows.length || failedAllOrNothing) {
      await finishImportJob(prisma, job.id);
      progress(job.id);
    } else await leases.release(job.id);
  } finally {
    clearInterval(renewal);
  }
}

/** Clears finished jobs' payloads past IMPORT_PAYLOAD_RETENTION_DAYS, at most once a SWEEP_MILLIS. */
function payloadSweeper(options: ImportWorkerOptions) {
  const days = options.config.IMPORT_PAYLOAD_RETENTION_DAYS ?? 7;
  // With no retention, every idle poll clears what just finished.
  const every = days === 0 ? 0 : SWEEP_MILLIS;
  let last = 0;
  return async () => {
    if (Date.now() - last < every) return;
    last = Date.now();
    try {
      const cleared = await clearFinishedPayloads(options.prisma, new Date(Date.now() - days * DAY_MILLIS));
      if (cleared) options.log.info({ cleared, retentionDays: days }, 'cleared the rows of finished import jobs');
    } catch (error) {
      options.log.warn({ err: error }, 'clearing finished import payloads failed');
    }
  };
}

export function startImportWorker(options: ImportWorkerOptions): ImportWorker {
  const { config, log } = options;
  const leases = new Leases(options.prisma, `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, config.IMPORT_LEASE_MILLIS);
  let stopping = false;
  const { sleep, wake } = wakeableSleep();
  const progress = (jobId: number) => {
    try {
      options.onProgress?.(jobId);
    } catch (error) {
      log.error({ err: error, jobId }, 'import progress listener failed');
    }
  };
  const sweep = payloadSweeper(options);
  const context: RunContext = { options, leases, progress, stopping: () => stopping };

  const loop = (async () => {
    while (!stopping) {
      let job: Claimed | null = null;
      try {
        job = await leases.claim();
        if (job) await runJob(context, job);
      } catch (error) {
        log.error({ err: error, jobId: job?.id }, 'import job step failed; the job is retried once its lease expires');
      }
      if (!job && !stopping) {
        await sweep();
        await sleep(config.IMPORT_POLL_MILLIS);
      }
    }
  })();

  const unregister = options.shutdown.register('import worker', () => stop());
  async function stop(): Promise<void> {
    stopping = true;
    wake();
    await loop;
    unregister();
  }
  log.info({ worker: leases.workerId }, 'import worker started');
  return { id: leases.workerId, poke: wake, stop };
}
