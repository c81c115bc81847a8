// `npm start | cat` and the reader dies (Ctrl-C reaches the whole pipeline): the server must
// still shut down on SIGINT / SIGTERM instead of retrying its log writes forever.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../support/database.ts';

const bin = fileURLToPath(new URL('../../bin/customer-graph.mjs', import.meta.url));

let db: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  db = await freshDatabaseUrl();
});
afterAll(() => db.drop());

async function startPiped(env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: { ...process.env, PORT: '0', DATABASE_URL: db.url, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /serving on (http:\/\/[\d.:]+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  return { child, url, output: () => output };
}

describe.each([
  ['development', { NODE_ENV: 'development' }],
  ['production', { NODE_ENV: 'production' }],
])('a server whose output pipe is gone (%s logs)', (_name, env) => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'exits on %s',
    async (signal) => {
      const server = await startPiped(env);
      const exited = once(server.child, 'exit');
      // The reader of the pipe dies: every later write of the server fails with EPIPE.
      server.child.stdout.destroy();
      server.child.stderr.destroy();
      // A request logs a line (into the dead pipe), then the signal logs the shutdown.
      await fetch(`${server.url}/healthz`).catch(() => undefined);
      server.child.kill(signal);
      const [code, killedBy] = await exited;
      expect({ code, killedBy }).toEqual({ code: 0, killedBy: null });
    },
    120_000,
  );
});
