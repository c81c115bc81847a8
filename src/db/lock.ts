// One process at a time may open an embedded (PGlite) data directory: two PGlite instances
// on one directory corrupt it (see README "Embedded database").
//
// The lock is an OS file lock (fcntl open-file-description lock, through fs-native-extensions,
// whose npm tarball ships prebuilt binaries) on `customer-graph.lock` inside the directory. It
// lives with the directory, not with a network namespace, so two containers or an `unshare -n`
// process sharing the volume see it too; the kernel releases it when the holder dies (even on
// SIGKILL), so a stale file never blocks anyone. The file's content says who holds it, so a
// refused process can name the holder, and where the holder takes CLI commands (src/cli/local-channel.ts).
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export interface LockHolder {
  pid: number;
  command: string;
  startedAt: string;
  /** Where the holder serves HTTP, once it does. */
  url?: string;
  /** The Unix socket on which the holder runs CLI commands for other processes (a running server). */
  channel?: string;
  /** The migrations applied when the holder opened the directory. */
  migrations?: string[];
}

export interface DirectoryLock {
  /** Updates what a refused process is told about the holder. */
  describe(update: Partial<LockHolder>): void;
  release(): Promise<void>;
}

export class DirectoryLockedError extends Error {
  constructor(
    dir: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder
      ? `process ${holder.pid} (customer-graph ${holder.command}, started ${holder.startedAt}${holder.url ? `, serving ${holder.url}` : ''})`
      : 'another process';
    super(
      `The embedded database ${dir} is in use by ${who}. ` +
        'The embedded database allows one process at a time: stop that process first, ' +
        'or run both against PostgreSQL (DATABASE_URL=postgresql://…).',
    );
    this.name = 'DirectoryLockedError';
  }
}

export const LOCK_FILE = 'customer-graph.lock';

interface FileLocks {
  tryLock(fd: number): boolean;
}

// Loaded on demand (a native addon): deployments on PostgreSQL never load it.
const fileLocks = (): FileLocks => createRequire(import.meta.url)('fs-native-extensions') as FileLocks;

/** Who holds the directory's lock, as the holder last described itself (null when unknown). */
export function readHolder(dir: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/** Takes the directory's lock or throws DirectoryLockedError naming the holder. */
export async function lockDirectory(dir: string, command: string): Promise<DirectoryLock> {
  const holder: LockHolder = { pid: process.pid, command, startedAt: new Date().toISOString() };
  // Opened without truncating: the holder's description must survive a refused open.
  const fd = openSync(join(dir, LOCK_FILE), 'a+', 0o600);
  let locked = false;
  try {
    locked = fileLocks().tryLock(fd);
  } finally {
    if (!locked) closeSync(fd);
  }
  if (!locked) throw new DirectoryLockedError(dir, readHolder(dir));
  const write = () => {
    ftruncateSync(fd, 0);
    writeSync(fd, JSON.stringify(holder), 0);
  };
  write();
  let released = false;
  return {
    describe: (update) => {
      Object.assign(holder, update);
      if (!released) write();
    },
    release: async () => {
      if (released) return;
      released = true;
      ftruncateSync(fd, 0);
      closeSync(fd); // closing the only descriptor releases the lock
    },
  };
}
