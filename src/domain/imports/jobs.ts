// Import jobs: a bulk import recorded as an ImportJob (PENDING → RUNNING → SUCCEEDED | PARTIAL |
// FAILED; a CLI import stopped by Ctrl-C is INTERRUPTED until run again) whose rows are applied
// chunk by chunk. Each chunk commits with the job's counts and cursor in one transaction, so a
// job interrupted anywhere resumes at its cursor and no chunk is ever applied twice. The REST
// audience family, GraphQL importCustomers, the worker and the CLI import all go through these.
import { uniqueViolation } from '../../db/errors.ts';
import { refreshImportStatistics } from '../../db/statistics.ts';
import type { ImportJob, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { auditRow } from '../audit.ts';
import { compact, reportChanges } from '../changes.ts';
import { DomainError, invalidInput, notFound } from '../errors.ts';
import { identityTypeRules, type IdentityTypeRule } from '../identity-types.ts';
import { retryingTransaction } from '../transactions.ts';
import { applyRows, checkRows, type CheckedRows, type ChunkOutcome } from './engine.ts';
import { parseImportOptions, parseImportRow, type ImportKind, type ImportOptions, type RowError } from './rows.ts';

export type { ImportKind, RowError } from './rows.ts';

/** Rows one API call (REST or GraphQL) may carry (seed 002: 每次最大500条). */
export const MAX_INLINE_ROWS = 500;
/** The final statuses. */
export const FINISHED_STATUSES = ['SUCCEEDED', 'PARTIAL', 'FAILED'] as const;
/** A chunk's transaction may take this long (a 1000-row chunk on a busy machine). */
const CHUNK_TIMEOUT_MILLIS = 60_000;

export interface ImportJobSpec {
  kind: ImportKind;
  /** The publicParams object as sent (validated here, field-named errors). */
  options: unknown;
  origin: 'REST' | 'GRAPHQL' | 'CLI';
  /** Inline rows (API jobs, ≤ 500); stored in ImportJob.payload. */
  rows?: unknown[];
  /** Streamed jobs (CLI): identifies the file (e.g. sha256 + size). */
  sourceRef?: string;
  /** Streamed jobs: row count if known. */
  total?: number;
  idempotencyKey?: string;
  appId?: number;
  /** At most this many PENDING jobs of the app (IMPORT_PENDING_PER_APP): one app cannot fill the queue. */
  maxPendingPerApp?: number;
}

/** Idempotency keys are the caller's: two apps may use the same key. */
const storedKey = (appId: number | undefined, key: string) => `${appId ?? 0}:${key}`;

async function refuseOverPendingCap(prisma: PrismaClient, spec: ImportJobSpec): Promise<void> {
  if (spec.appId === undefined || spec.maxPendingPerApp === undefined) return;
  const pending = await prisma.importJob.count({ where: { appId: spec.appId, status: 'PENDING' } });
  if (pending >= spec.maxPendingPerApp) {
    throw new DomainError(
      'RATE_LIMITED',
      `this app already has ${pending} import jobs waiting (IMPORT_PENDING_PER_APP=${spec.maxPendingPerApp}); submit more when they have started`,
    );
  }
}

/**
 * Records a job. Same idempotencyKey (of the same app) → the earlier job (reused: true). Same
 * sourceRef with an unfinished job → that job (reused: true), so a re-run CLI import resumes
 * at job.cursor.
 */
export async function createImportJob(
  prisma: PrismaClient,
  spec: ImportJobSpec,
  _actor: string,
): Promise<{ job: ImportJob; reused: boolean }> {
  // _actor: jobs record their app; rows carry no author
  const options = parseImportOptions(spec.kind, spec.options);
  if (spec.rows !== undefined) {
    if (!Array.isArray(spec.rows)) throw invalidInput([{ field: 'data', message: 'must be a list' }]);
    if (spec.rows.length > MAX_INLINE_ROWS)
      throw invalidInput([{ field: 'data', message: `must hold at most ${MAX_INLINE_ROWS} rows, ${spec.rows.length} given` }]);
  } else if (spec.sourceRef === undefined) throw invalidInput([{ field: 'data', message: 'is required' }]);
  if (spec.idempotencyKey !== undefined && (spec.idempotencyKey.trim() === '' || spec.idempotencyKey.length > 200)) {
    throw invalidInput([{ field: 'idempotencyKey', message: 'must be 1 to 200 characters' }]);
  }
  const key = spec.idempotencyKey === undefined ? null : storedKey(spec.appId, spec.idempotencyKey.trim());
  if (key) {
    const earlier = await prisma.importJob.findUnique({ where: { idempotencyKey: key } });
    if (earlier) return { job: earlier, reused: true };
  }
  if (spec.sourceRef !== undefined) {
    const unfinished = await prisma.importJob.findFirst({
      where: { sourceRef: spec.sourceRef, kind: spec.kind, status: { notIn: [...FINISHED_STATUSES] } },
      orderBy: { id: 'desc' },
    });
    if (unfinished) return { job: unfinished, reused: true };
  }
  await refuseOverPendingCap(prisma, spec);
  try {
    const job = await prisma.importJob.create({
      data: {
        kind: spec.kind,
        mode: options.importMode,
        origin: spec.origin,
        options: JSON.stringify(spec.options),
        payload: spec.rows === undefined ? null : JSON.stringify(spec.rows),
        sourceRef: spec.sourceRef ?? null,
        idempotencyKey: key,
        appId: spec.appId ?? null,
        total: spec.rows?.length ?? spec.total ?? 0,
      },
    });
    await reportChanges(prisma, { jobs: [job.id] });
    return { job, reused: false };
  } catch (error) {
    // Two requests with one key at the same moment: the second gets the first's job.
    if (key && uniqueViolation(error))
      return { job: await prisma.importJob.findUniqueOrThrow({ where: { idempotencyKey: key } }), reused: true };
    throw error;
  }
}

interface LockedJob {
  id: number;
  kind: string;
  status: string;
  options: string;
  cursor: number;
  /** The app that submitted the job; null for the CLI's. */
  appKey: string | null;
}

export interface ChunkResult {
  applied: boolean;
  succeeded: number;
  failed: number;
  errors: RowError[];
}

/**
 * ONE transaction: applies rows [startRow, startRow + rows.length) of the job (validate, match,
 * write, record row errors, add to counts, set cursor = startRow + rows.length). If the job's
 * cursor ≠ startRow nothing is written and applied = false (someone else did it: never doubled).
 * In mode 1 (all-or-nothing) a chunk with any row error writes nothing but the errors (and the
 * job will end FAILED). The chunk's audit row is written in the same transaction: its actor is
 * the job's app (`app:<appKey>`), or `actor` for a job no app submitted (the CLI's).
 */
export async function applyImportChunk(
  prisma: PrismaClient,
  jobId: number,
  startRow: number,
  rows: unknown[],
  actor: string,
): Promise<ChunkResult> {
  const rules = await identityTypeRules(prisma);
  return applyChunk(prisma, jobId, startRow, rows.length, actor, (options) => checkRows(options, rows, startRow, rules));
}

/** applyImportChunk for rows already checked by checkImportRows (outside the transaction). */
export function applyCheckedChunk(prisma: PrismaClient, jobId: number, checked: CheckedRows, actor: string): Promise<ChunkResult> {
  return applyChunk(prisma, jobId, checked.startRow, checked.count, actor, () => checked);
}

async function applyChunk(
  prisma: PrismaClient,
  jobId: number,
  startRow: number,
  count: number,
  actor: string,
  check: (options: ImportOptions) => CheckedRows,
): Promise<ChunkResult> {
  return retryingTransaction(
    prisma,
    `import job ${jobId}`,
    async (tx) => {
      // The job row's lock orders every writer of this job: the cursor check below cannot race.
      const [job] = await tx.$queryRaw<LockedJob[]>`
        SELECT j."id", j."kind", j."status", j."options", j."cursor", a."appKey"
        FROM "ImportJob" j LEFT JOIN "App" a ON a."id" = j."appId" WHERE j."id" = ${jobId} FOR UPDATE OF j`;
      if (!job) throw notFound('import job', jobId, 'jobId');
      if (Number(job.cursor) !== startRow || (FINISHED_STATUSES as readonly string[]).includes(job.status)) {
        return { applied: false, succeeded: 0, failed: 0, errors: [] };
      }
      const options = parseImportOptions(job.kind as ImportKind, JSON.parse(job.options));
      const outcome = await applyRows(tx, options, check(options));
      await recordRowErrors(tx, jobId, outcome.errors);
      const cursor = startRow + count;
      await tx.$executeRaw`UPDATE "ImportJob" SET
          "processed" = "processed" + ${count}::int,
          "succeeded" = "succeeded" + ${outcome.succeeded}::int,
          "failed" = "failed" + ${outcome.failed}::int,
          "cursor" = ${cursor}::int,
          "total" = GREATEST("total", ${cursor}::int),
          "status" = CASE WHEN "status" IN ('PENDING', 'INTERRUPTED') THEN 'RUNNING' ELSE "status" END,
          "startedAt" = COALESCE("startedAt", ${new Date()}::timestamp),
          "updatedAt" = ${new Date()}::timestamp
        WHERE "id" = ${jobId}`;
      await auditChunk(tx, job.appKey ? `app:${job.appKey}` : actor, jobId, startRow, count, outcome);
      return { applied: true, ...outcome };
    },
    { timeout: CHUNK_TIMEOUT_MILLIS, maxWait: CHUNK_TIMEOUT_MILLIS },
  );
}

/**
 * Rows [startRow, startRow + rows.length) of a job checked against its options and the current
 * identity-type rules, outside any transaction: applyCheckedChunk then only matches and writes,
 * so a caller can check one chunk while the one before commits.
 */
export async function checkImportRows(
  prisma: PrismaClient,
  job: Pick<ImportJob, 'kind' | 'options'>,
  startRow: number,
  rows: readonly unknown[],
): Promise<CheckedRows> {
  const options = parseImportOptions(job.kind as ImportKind, JSON.parse(job.options));
  return checkRows(options, rows, startRow, await identityTypeRules(prisma));
}

/** One audit row per applied chunk: which rows, their counts, the customers created and changed (ids only). */
async function auditChunk(
  tx: Prisma.TransactionClient,
  actor: string,
  jobId: number,
  startRow: number,
  count: number,
  outcome: ChunkOutcome,
) {
  const entry = { actor, action: 'importChunk', entityType: 'ImportJob', entityId: String(jobId) };
  const details = { outcome: 'ok', rows: { from: startRow, count }, succeeded: outcome.succeeded, failed: outcome.failed };
  await tx.auditLog.create({ data: auditRow(entry, { ...details, changes: compact(outcome.changes) }) });
}

/** Records row errors on a job (a chunk's, or a page of a file check's). */
export async function recordRowErrors(db: PrismaClient | Prisma.TransactionClient, jobId: number, errors: RowError[]): Promise<void> {
  if (errors.length)
    await db.importRowError.createMany({ data: errors.map((e) => ({ jobId, row: e.row, field: e.field, message: e.message })) });
}

/**
 * A file check (mode 1) starts over. Call it only while no chunk is committed (cursor 0): errors
 * already on the job are then those of a check a crash cut short.
 */
export async function clearCheckErrors(prisma: PrismaClient, jobId: number): Promise<void> {
  await prisma.importRowError.deleteMany({ where: { jobId } });
}

/** Fails a job whose check found bad rows before anything was written: all or nothing, so every row counts as failed. */
export async function failCheckedJob(prisma: PrismaClient, jobId: number, checked: { total: number; invalid: number }): Promise<ImportJob> {
  await prisma.importJob.update({ where: { id: jobId }, data: { processed: checked.total, failed: checked.invalid, succeeded: 0 } });
  return finishImportJob(
    prisma,
    jobId,
    `${checked.invalid} of ${checked.total} rows are invalid and importMode 1 imports all or nothing: nothing was written`,
  );
}

/** The final status the counts give: all rows in → SUCCEEDED; none, or any in mode 1 → FAILED; else PARTIAL. */
export function finalStatus(job: Pick<ImportJob, 'mode' | 'succeeded' | 'failed'>): 'SUCCEEDED' | 'PARTIAL' | 'FAILED' {
  if (job.failed === 0) return 'SUCCEEDED';
  if (job.mode === 1 || job.succeeded === 0) return 'FAILED';
  return 'PARTIAL';
}

/**
 * A streamed (CLI) job stopped by its user: INTERRUPTED, not finished, so the same command
 * resumes it at its cursor (createImportJob reuses unfinished jobs of the same file).
 */
export async function interruptImportJob(prisma: PrismaClient, jobId: number): Promise<ImportJob> {
  await prisma.importJob.updateMany({
    where: { id: jobId, status: { notIn: [...FINISHED_STATUSES] } },
    data: { status: 'INTERRUPTED', lockedBy: null, lockedUntil: null },
  });
  return prisma.importJob.findUniqueOrThrow({ where: { id: jobId } });
}

/** Sets the final status from the counts (SUCCEEDED / PARTIAL / FAILED) and finishedAt. */
export async function finishImportJob(prisma: PrismaClient, jobId: number, error?: string): Promise<ImportJob> {
  const job = await prisma.importJob.findUnique({ where: { id: jobId } });
  if (!job) throw notFound('import job', jobId, 'jobId');
  if ((FINISHED_STATUSES as readonly string[]).includes(job.status)) return job;
  const finished = await prisma.importJob.update({
    where: { id: jobId },
    data: {
      status: error ? 'FAILED' : finalStatus(job),
      error: error ?? null,
      finishedAt: new Date(),
      startedAt: job.startedAt ?? new Date(),
      lockedBy: null,
      lockedUntil: null,
    },
  });
  // A large import leaves the planner's statistics stale (src/db/statistics.ts).
  await refreshImportStatistics(prisma, finished.succeeded);
  return finished;
}

/**
 * Row validation without writing (the CLI validates a whole file first in mode 1). Pass
 * `rules` (identityTypeRules(prisma)) to check identity values as the import will (an unknown
 * type, a phone without digits); without them they are only checked for presence and length.
 */
export function validateImportRow(
  kind: ImportKind,
  options: unknown,
  raw: unknown,
  row: number,
  rules?: Map<string, IdentityTypeRule>,
): RowError[] {
  return parseImportRow(parseImportOptions(kind, options), raw, row, rules).errors;
}

/**
 * The retention of IMPORT_PAYLOAD_RETENTION_DAYS: clears the rows (payload, personal data) of
 * jobs that finished before `before`. Their counters, status and row errors stay.
 */
export async function clearFinishedPayloads(prisma: PrismaClient, before: Date): Promise<number> {
  const { count } = await prisma.importJob.updateMany({
    where: { payload: { not: null }, status: { in: [...FINISHED_STATUSES] }, finishedAt: { lt: before } },
    data: { payload: null },
  });
  return count;
}
