// `customer-graph import FILE`: streams a CSV or JSON Lines file of seed-004 profile rows
// through the import engine (src/domain/imports/jobs.ts), in chunks that each commit in one
// transaction with the job's cursor. The job is keyed by the file's content (sourceRef), so
// running the same command again after a crash resumes after the last committed chunk.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import type { ImportJob, PrismaClient } from '../generated/prisma/client.ts';
import { identityTypeRules } from '../domain/identity-types.ts';
import {
  applyCheckedChunk,
  checkImportRows,
  clearCheckErrors,
  createImportJob,
  failCheckedJob,
  finishImportJob,
  interruptImportJob,
  recordRowErrors,
  validateImportRow,
  type RowError,
} from '../domain/imports/jobs.ts';
import type { CheckedRows } from '../domain/imports/engine.ts';
import { cliActor } from './commands.ts';
import type { Progress } from './progress.ts';
import { csvField, type RowFileFormat } from '../domain/imports/file-format.ts';
import { fingerprint, readRows } from './row-files.ts';

/** seed 004 publicParams (客户资料导入配置). */
export interface ProfilePublicParams {
  isMatching: boolean;
  matchingType?: 1 | 2;
  identifyWay?: 1 | 2;
  /** 1 all or nothing, 2 keep the valid rows. */
  importMode: 1 | 2;
}

export interface ImportFileOptions {
  file: string;
  format: RowFileFormat;
  publicParams: ProfilePublicParams;
  /** Rows per transaction. */
  chunkSize: number;
  /** Where the error report is written when rows fail. */
  errorsFile: string;
  /** Aborted (Ctrl-C): the import stops after the chunk being written and the job becomes INTERRUPTED. */
  signal?: AbortSignal;
}

export interface ImportFileResult {
  jobId: number;
  status: string;
  total: number;
  /** Rows already committed by an earlier run of this job (0 on a first run). */
  resumedAt: number;
  succeeded: number;
  failed: number;
  /** Rows 0…cursor-1 are committed (where an interrupted job resumes). */
  cursor: number;
  millis: number;
  /** Rows this run committed per second. */
  rowsPerSecond: number;
  errorsFile: string | null;
}

const ERROR_PAGE = 5000;

/** Exit status of the command for a job's final status. */
export function exitCodeOf(status: string): number {
  return status === 'SUCCEEDED' ? 0 : status === 'PARTIAL' ? 2 : 1;
}

export async function importFile(
  prisma: PrismaClient,
  options: ImportFileOptions,
  progress: Progress,
  say: (line: string) => void,
): Promise<ImportFileResult> {
  const started = Date.now();
  const { file, format, publicParams } = options;
  const { sourceRef, rows: total } = await fingerprint(file, format);
  const { job, reused } = await createImportJob(
    prisma,
    { kind: 'PROFILE', options: publicParams, origin: 'CLI', sourceRef, total },
    cliActor(),
  );
  let cursor = job.cursor;
  if (reused) {
    say(
      cursor > 0
        ? `Resuming job #${job.id} for ${basename(file)}: rows 0…${cursor - 1} were committed by an earlier run and are skipped (none is imported twice).`
        : `Continuing job #${job.id} for ${basename(file)} (an earlier run committed no rows).`,
    );
    if (JSON.stringify(JSON.parse(job.options)) !== JSON.stringify(publicParams)) {
      say(`Note: the job keeps the options of its first run (${job.options}).`);
    }
  } else {
    say(`Job #${job.id}: importing ${total} rows from ${basename(file)} (${format}).`);
  }

  // Mode 1 (all or nothing): check every row before writing any, so a bad row anywhere fails
  // the job with nothing written. Skipped on a resumed job: its rows passed this check already.
  if (job.mode === 1 && cursor === 0) {
    const failed = await validateAll(prisma, job.id, total, options, progress);
    if (options.signal?.aborted) return interrupted(prisma, job.id, 0, started);
    if (failed > 0) {
      const finished = await prisma.importJob.findUniqueOrThrow({ where: { id: job.id } });
      const errorsFile = await writeErrorReport(prisma, job.id, options);
      return result(finished, 0, started, 0, errorsFile);
    }
  }

  const resumedAt = cursor;
  progress.start(total, cursor, `import ${basename(file)}`);
  try {
    cursor = await writeChunks(prisma, job, options, progress);
  } finally {
    progress.stop();
  }
  if (options.signal?.aborted) return interrupted(prisma, job.id, resumedAt, started);
  const finished = await finishImportJob(prisma, job.id);
  const errorsFile = finished.failed > 0 ? await writeErrorReport(prisma, job.id, options) : null;
  return result(finished, resumedAt, started, cursor - resumedAt, errorsFile);
}

/**
 * The file's rows from the job's cursor on, chunk by chunk; returns the cursor reached. One chunk
 * commits while the next is read and checked (the file's parsing and the rows' checks overlap
 * the database's work); chunks still commit one after another, in order.
 */
async function writeChunks(prisma: PrismaClient, job: ImportJob, options: ImportFileOptions, progress: Progress): Promise<number> {
  const resumedAt = job.cursor;
  let cursor = resumedAt;
  let chunk: unknown[] = [];
  // Mode 1 stops at the first chunk that failed at write time (also one of an earlier run).
  let stopped = job.mode === 1 && job.failed > 0;
  const halted = () => stopped || options.signal?.aborted === true;
  const write = async (checked: CheckedRows) => {
    const applied = await applyCheckedChunk(prisma, job.id, checked, cliActor());
    if (!applied.applied) {
      throw new Error(
        `job #${job.id} moved on under this process (another import of the same file is running?); stopped at row ${checked.startRow}`,
      );
    }
    cursor = checked.startRow + checked.count;
    progress.update(cursor);
    // Mode 1: a row the check could not judge (it depends on the database) failed its chunk,
    // which wrote nothing; the job ends FAILED, so no later chunk is written either.
    if (job.mode === 1 && applied.failed > 0) stopped = true;
  };
  let writing: Promise<void> | undefined;
  let chunkStart = resumedAt;
  const flush = async () => {
    if (chunk.length === 0) return;
    const [rows, startRow] = [chunk, chunkStart];
    chunk = [];
    chunkStart += rows.length;
    const checked = await checkImportRows(prisma, job, startRow, rows);
    await writing;
    if (halted()) return;
    writing = write(checked);
    // Awaited by the next flush or after the last; until then a failure must not count as unhandled.
    writing.catch(() => {});
  };
  try {
    for await (const { row, value } of readRows(options.file, options.format)) {
      if (halted()) break;
      if (row < resumedAt) continue;
      chunk.push(value);
      if (chunk.length >= options.chunkSize) await flush();
    }
    if (!halted()) await flush();
    await writing;
  } finally {
    // A file error while a chunk commits: that chunk finishes (or fails) before the error is reported.
    await writing?.catch(() => {});
  }
  return cursor;
}

/** The job marked INTERRUPTED (resumable: the same command picks it up at its cursor). */
async function interrupted(prisma: PrismaClient, jobId: number, resumedAt: number, started: number): Promise<ImportFileResult> {
  const job = await interruptImportJob(prisma, jobId);
  return result(job, resumedAt, started, job.cursor - resumedAt, null);
}

function result(
  job: { id: number; status: string; total: number; succeeded: number; failed: number; cursor: number },
  resumedAt: number,
  started: number,
  rowsThisRun: number,
  errorsFile: string | null,
): ImportFileResult {
  const millis = Date.now() - started;
  return {
    jobId: job.id,
    status: job.status,
    total: job.total,
    resumedAt,
    succeeded: job.succeeded,
    failed: job.failed,
    cursor: job.cursor,
    millis,
    rowsPerSecond: millis > 0 ? Math.round((rowsThisRun / millis) * 1000) : 0,
    errorsFile,
  };
}

/**
 * The streamed check of mode 1: every row through validateImportRow (no writes to customers).
 * The errors found are recorded on the job (so the API shows them too) and the job is failed.
 */
async function validateAll(
  prisma: PrismaClient,
  jobId: number,
  rowCount: number,
  options: ImportFileOptions,
  progress: Progress,
): Promise<number> {
  let failed = 0;
  let total = 0;
  let pending: RowError[] = [];
  const save = async () => {
    await recordRowErrors(prisma, jobId, pending);
    pending = [];
  };
  await clearCheckErrors(prisma, jobId);
  // Identity values are checked against the configured types, as the import will check them.
  const rules = await identityTypeRules(prisma);
  progress.start(rowCount, 0, `check ${basename(options.file)}`, 'checked');
  try {
    for await (const { row, value } of readRows(options.file, options.format)) {
      total = row + 1;
      const errors = validateImportRow('PROFILE', options.publicParams, value, row, rules);
      if (errors.length) {
        failed++;
        pending.push(...errors);
        if (pending.length >= ERROR_PAGE) await save();
      }
      if (row % 1000 === 0) {
        progress.update(row);
        if (options.signal?.aborted) break;
      }
    }
    await save();
  } finally {
    progress.stop();
  }
  if (options.signal?.aborted) return failed;
  if (failed > 0) await failCheckedJob(prisma, jobId, { total, invalid: failed });
  return failed;
}

/**
 * The error report: CSV row,line,field,message, every error of the job (from the database, so
 * errors of rows committed by an earlier, killed run are in it too), the line found by reading
 * the file alongside.
 */
async function writeErrorReport(prisma: PrismaClient, jobId: number, options: ImportFileOptions): Promise<string> {
  const out = createWriteStream(options.errorsFile);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const rows = readRows(options.file, options.format);
  let current = await rows.next();
  try {
    await write('row,line,field,message\n');
    let after: { row: number; id: number } | null = null;
    for (;;) {
      const page: { id: number; row: number; field: string | null; message: string }[] = await prisma.importRowError.findMany({
        where: { jobId, ...(after ? { OR: [{ row: { gt: after.row } }, { row: after.row, id: { gt: after.id } }] } : {}) },
        orderBy: [{ row: 'asc' }, { id: 'asc' }],
        take: ERROR_PAGE,
      });
      for (const error of page) {
        while (!current.done && current.value.row < error.row) current = await rows.next();
        const line = !current.done && current.value.row === error.row ? String(current.value.line) : '';
        await write(`${error.row},${line},${csvField(error.field ?? '')},${csvField(error.message)}\n`);
      }
      if (page.length < ERROR_PAGE) break;
      after = { row: page[page.length - 1].row, id: page[page.length - 1].id };
    }
  } finally {
    await rows.return(undefined);
    out.end();
    await once(out, 'close');
  }
  return options.errorsFile;
}
