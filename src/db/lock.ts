// One process at a time may open an embedded (PGlite) data directory: two PGlite instances
// on one directory corrupt it (see README "Embedded database").
//
// On Linux the lock is an abstract-namespace Unix socket named after the directory: binding
// is atomic, the kernel releases it when the process dies (even on SIGKILL), and there is
// no stale file to clean up. The holder answers connections with who it is, so a refused
// process can say who holds the directory. Elsewhere a pid file is used.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import net from 'node:net';

export interface LockHolder {
  pid: number;
  command: string;
  startedAt: string;
  /** Where the holder serves HTTP, once it does. */
  url?: string;
}

export interface DirectoryLock {
  /** Updates what a refused process is told about the holder. */
  describe(update: Partial<LockHolder>): void;
  release(): Promise<void>;
}

export class DirectoryLockedError extends Error {
  constructor(dir: string, holder: LockHolder | null) {
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

function socketName(dir: string): string {
  const digest = createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 40);
  return `\0customer-graph-${digest}`;
}

function askHolder(name: string): Promise<LockHolder | null> {
  return new Promise((resolve) => {
    const socket = net.connect(name);
    let text = '';
    const done = (holder: LockHolder | null) => {
      socket.destroy();
      resolve(holder);
    };
    socket.setTimeout(1500, () => done(null));
    socket.on('data', (chunk) => (text += chunk));
    socket.on('end', () => {
      try {
        done(JSON.parse(text) as LockHolder);
      } catch {
        done(null);
      }
    });
    socket.on('error', () => done(null));
  });
}

async function lockWithSocket(dir: string, holder: LockHolder): Promise<DirectoryLock> {
  const name = socketName(dir);
  const server = net.createServer((socket) => socket.end(JSON.stringify(holder)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(name, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new DirectoryLockedError(dir, await askHolder(name));
    throw error;
  });
  server.unref();
  return {
    describe: (update) => Object.assign(holder, update),
    release: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockWithPidFile(dir: string, holder: LockHolder): DirectoryLock {
  const file = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(holder));
      closeSync(fd);
      return {
        describe: (update) => Object.assign(holder, update),
        release: async () => unlinkSync(file),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let current: LockHolder | null = null;
      try {
        current = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
      } catch {
        current = null;
      }
      if (current && processAlive(current.pid)) throw new DirectoryLockedError(dir, current);
      unlinkSync(file); // left by a process that died
    }
  }
  throw new DirectoryLockedError(dir, null);
}

/** Takes the directory's lock or throws DirectoryLockedError naming the holder. */
export async function lockDirectory(dir: string, command: string): Promise<DirectoryLock> {
  const holder: LockHolder = { pid: process.pid, command, startedAt: new Date().toISOString() };
  return process.platform === 'linux' ? lockWithSocket(dir, holder) : lockWithPidFile(dir, holder);
}
