// Where a CLI command that needs the database runs: in this process, or in the server that
// holds the embedded database (see runWhereTheDatabaseIs).
import { loadConfig } from '../config.ts';
import { openMigrated } from '../server.ts';
import { missingDatabaseExplained } from './missing-database.ts';
import type { CommandRequest } from './commands.ts';

/**
 * Runs a database command here, or, when a running server holds the embedded database, in that
 * server over its local channel (src/cli/local-channel.ts): one writer either way. Ctrl-C stops
 * an import after its current chunk and says how to resume; a second Ctrl-C exits at once.
 */
export async function runWhereTheDatabaseIs(request: CommandRequest, progressIntervalSeconds = 2): Promise<void> {
  const { runCommand } = await import('./commands.ts');
  const { lineProgress, terminalProgress } = await import('./progress.ts');
  const { DirectoryLockedError } = await import('../db/lock.ts');
  const config = loadConfig();
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) {
      process.stderr.write('\x1b[?25h'); // the progress bar hides the cursor: give it back
      process.exit(130);
    }
    console.error('\nStopping after the current chunk (Ctrl-C again to quit at once)…');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io = {
    out: (line: string) => console.log(line),
    err: (line: string) => console.error(line),
    progress: process.stderr.isTTY ? terminalProgress() : lineProgress((line) => console.error(line), progressIntervalSeconds * 1000),
    signal: abort.signal,
  };
  try {
    let database;
    try {
      database =
        request.command === 'migrate --status'
          ? await (await import('../db/database.ts')).openDatabase(config.DATABASE_URL, { command: request.command })
          : await openMigrated(config, request.command);
    } catch (error) {
      const holder = error instanceof DirectoryLockedError ? error.holder : null;
      if (!holder?.channel) throw missingDatabaseExplained(error, config.DATABASE_URL);
      const { runOnHolder } = await import('./local-channel.ts');
      console.error(
        `The embedded database is held by process ${holder.pid} (customer-graph ${holder.command}): running this command there.`,
      );
      process.exitCode = await runOnHolder(holder.channel, request, io);
      return;
    }
    try {
      process.exitCode = await runCommand(database, config, request, io);
    } finally {
      await database.close();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
