// The channel on which a server holding the embedded database runs CLI commands for other
// processes of the same user: a Unix socket file inside the data directory (in a 0700 folder,
// itself 0600), so only that user (and root) can connect, and it lives with the directory as
// the lock does. The CLI sends one JSON request line; the server answers with JSON lines
// (out, err, progress, then exit) and stops an import when the CLI cancels or goes away.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CommandIO, CommandRequest } from './commands.ts';
import { parseCommandRequest } from './commands.ts';
import type { Progress } from './progress.ts';

type ProgressEvent = { start: Parameters<Progress['start']> } | { update: number } | { stop: true };
type Reply = { out: string } | { err: string } | { progress: ProgressEvent } | { exit: number };

/** Unix socket paths are limited to 107 bytes on Linux. */
const MAX_SOCKET_PATH = 100;

export interface LocalChannel {
  path: string;
  close(): Promise<void>;
}

/**
 * Listens on DIR/run/cli.sock; `run` executes a request with the IO given. Resolves to null
 * when the directory's path is too long for a socket (the CLI is then refused as before).
 */
export async function openLocalChannel(
  dir: string,
  run: (request: CommandRequest, io: CommandIO) => Promise<number>,
): Promise<LocalChannel | null> {
  const folder = join(dir, 'run');
  const path = join(folder, 'cli.sock');
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) return null;
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  rmSync(path, { force: true }); // left by a holder that died: this process holds the lock now
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    serveConnection(socket, run);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of connections) socket.destroy(); // their commands stop (an import after its chunk)
      }),
  };
}

function serveConnection(socket: net.Socket, run: (request: CommandRequest, io: CommandIO) => Promise<number>): void {
  const abort = new AbortController();
  const send = (reply: Reply) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
  };
  const io: CommandIO = {
    out: (line) => send({ out: line }),
    err: (line) => send({ err: line }),
    signal: abort.signal,
    progress: {
      start: (...args) => send({ progress: { start: args } }),
      update: (done) => send({ progress: { update: done } }),
      stop: () => send({ progress: { stop: true } }),
    },
  };
  socket.on('close', () => abort.abort());
  socket.on('error', () => abort.abort());
  let started = false;
  createInterface({ input: socket }).on('line', (line) => {
    if (started) {
      if (line.includes('"cancel"')) abort.abort();
      return;
    }
    started = true;
    void (async () => {
      let exit = 1;
      try {
        exit = await run(parseCommandRequest(JSON.parse(line)), io);
      } catch (error) {
        io.err(`customer-graph: ${error instanceof Error ? error.message : String(error)}`);
      }
      send({ exit });
      socket.end();
    })();
  });
}

/**
 * Sends a request to the holder's channel and relays its output to `io`; aborting `io.signal`
 * asks the holder to stop (an import stops after its current chunk). Resolves to the exit status.
 */
export function runOnHolder(path: string, request: CommandRequest, io: CommandIO): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    let exit: number | null = null;
    const onAbort = () => socket.write('{"cancel":true}\n');
    io.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('error', reject);
    createInterface({ input: socket }).on('line', (line) => {
      const reply = JSON.parse(line) as Reply;
      if ('out' in reply) io.out(reply.out);
      else if ('err' in reply) io.err(reply.err);
      else if ('exit' in reply) exit = reply.exit;
      else if ('start' in reply.progress) io.progress.start(...reply.progress.start);
      else if ('update' in reply.progress) io.progress.update(reply.progress.update);
      else io.progress.stop();
    });
    socket.on('close', () => {
      io.signal.removeEventListener('abort', onAbort);
      if (exit === null) reject(new Error('the running server closed the connection before the command finished (see its log)'));
      else resolve(exit);
    });
  });
}
