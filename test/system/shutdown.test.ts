// Graceful shutdown: on SIGTERM the server stops accepting connections, finishes the requests
// in flight (and the registered job steps), closes the database and exits 0.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createGateway } from '../../src/gateway.ts';
import { freshDatabaseUrl } from '../support/database.ts';
import { pollUntil } from '../support/poll.ts';
import { runCli, startServer } from '../../scripts/support/processes.ts';
import { startTestGateway } from '../support/gateway.ts';

let db: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  db = await freshDatabaseUrl();
});
afterAll(() => db.drop());

/** Sends the head of a request and part of its body; `finish` sends the rest and reads the answer. */
function slowRequest(url: string, path: string, token: string, body: string) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const half = Math.floor(body.length / 2);
  let answer = '';
  const closed = new Promise<string>((resolve) => {
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
  const started = new Promise<void>((resolve) => {
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
        () => resolve(),
      );
    });
  });
  return {
    started,
    finish: async () => {
      socket.write(body.slice(half));
      const text = await closed;
      const [head, ...rest] = text.split('\r\n\r\n');
      return { status: Number(head.split(' ')[1]), head, body: rest.join('\r\n\r\n') };
    },
  };
}

function waitFor(output: () => string, pattern: RegExp): Promise<void> {
  return pollUntil(() => pattern.test(output()), `${pattern} in the server's output:\n${output()}`, { intervalMs: 50 });
}

describe('SIGTERM', () => {
  // A CLI run, a server start and a reopen: generous, for a loaded machine; nothing here is timed.
  it('finishes a request in flight, refuses new connections, closes the database and exits 0', { timeout: 180_000 }, async () => {
    const created = await runCli(['app', 'create', '--name', 'ops', '--scopes', 'customer:read,customer:write', '--json'], {
      DATABASE_URL: db.url,
    });
    const { token } = JSON.parse(created.stdout.trim());
    const server = await startServer({ DATABASE_URL: db.url, LOG_LEVEL: 'info' });

    const request = slowRequest(
      server.url,
      '/graphql',
      token,
      JSON.stringify({ query: 'mutation { createCustomer(profile: { name: "in flight" }) { customerId } }' }),
    );
    await request.started;
    // The request is in flight (its head read, its body half sent) when SIGTERM arrives.
    await waitFor(server.output, /incoming request/);
    const exited = server.stop('SIGTERM');
    await waitFor(server.output, /shutting down: finishing in-flight requests/);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

    const answer = await request.finish();
    expect(answer.status, answer.head).toBe(200);
    const id = JSON.parse(answer.body).data.createCustomer.customerId;
    expect(id).toBeGreaterThan(0);
    expect(await exited, server.output()).toBe(0);
    expect(server.output()).toMatch(/shut down cleanly/);

    const reopened = await openDatabase(db.url, { command: 'test' });
    try {
      expect(await reopened.prisma.customer.findUnique({ where: { id } })).toMatchObject({ name: 'in flight' });
    } finally {
      await reopened.close();
    }
  });
});

describe('shutdown hooks', () => {
  it('waits for registered job steps before the gateway is closed; a failing hook does not stop the others', async () => {
    const t = await startTestGateway();
    try {
      const gateway = await createGateway({
        config: loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: t.db.url }),
        database: t.db.database,
      });
      const events: string[] = [];
      let finishStep!: () => void;
      const step = new Promise<void>((resolve) => (finishStep = resolve));
      gateway.services.shutdown.register('import worker', async () => {
        events.push('worker asked to stop');
        await step;
        events.push('step finished');
      });
      gateway.services.shutdown.register('broken', () => {
        throw new Error('boom');
      });
      const unregistered = gateway.services.shutdown.register('gone', () => void events.push('never'));
      unregistered();

      const closing = gateway.close().then(() => events.push('closed'));
      expect(gateway.services.shutdown.stopping).toBe(true);
      await new Promise((r) => setImmediate(r));
      expect(events).toEqual(['worker asked to stop']);
      finishStep();
      await closing;
      expect(events).toEqual(['worker asked to stop', 'step finished', 'closed']);
    } finally {
      await t.close();
    }
  });
});
