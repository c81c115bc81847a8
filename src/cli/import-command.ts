// `customer-graph import FILE` on an open database: runs the import and prints its summary,
// or, when interrupted, what was committed and how to resume.
import type { Database } from '../db/database.ts';
import type { CommandIO, CommandRequest } from './commands.ts';
import { exitCodeOf, importFile } from './import-file.ts';
import { formatOf } from './row-files.ts';

/** Exit status of an interrupted command (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT = 130;

export async function runImport(
  database: Database,
  request: Extract<CommandRequest, { command: 'import' }>,
  io: CommandIO,
): Promise<number> {
  const { file, options } = request;
  const result = await importFile(
    database.prisma,
    {
      file,
      format: formatOf(file, options.format),
      publicParams: options.matching
        ? {
            isMatching: true,
            matchingType: options.matchingType,
            ...(options.matchingType === 2 ? { identifyWay: options.identifyWay } : {}),
            importMode: options.mode,
          }
        : { isMatching: false, importMode: options.mode },
      chunkSize: options.chunkSize,
      errorsFile: options.errors,
      signal: io.signal,
    },
    io.progress,
    io.out,
  );
  if (result.status === 'INTERRUPTED') {
    io.err(
      [
        `Interrupted: job #${result.jobId} stopped after row ${result.cursor} of ${result.total}; rows 0…${result.cursor - 1} are committed, nothing later is.`,
        `The job shows as INTERRUPTED. Run the same command again to resume at row ${result.cursor} (no row is imported twice).`,
      ].join('\n'),
    );
    return INTERRUPTED_EXIT;
  }
  const seconds = (result.millis / 1000).toFixed(1);
  io.out(
    [
      `Job #${result.jobId}: ${result.status}`,
      `  rows       ${result.total}${result.resumedAt ? ` (resumed at row ${result.resumedAt})` : ''}`,
      `  succeeded  ${result.succeeded}`,
      `  failed     ${result.failed}`,
      `  duration   ${seconds} s, ${result.rowsPerSecond} rows/s`,
      ...(result.errorsFile ? [`  errors     ${result.errorsFile} (row,line,field,message)`] : []),
    ].join('\n'),
  );
  return exitCodeOf(result.status);
}
