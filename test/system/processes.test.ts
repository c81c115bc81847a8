// The CLI and the server as separate processes on one database (CONTRACT §1, and the
// embedded database's guarantee: a second process works or refuses, never corrupts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl, usingPostgres } from '../support/database.ts';
import { runCli, runCliIn, startServer, type ServerProcess } from '../../scripts/support/processes.ts';

let db: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  db = await freshDatabaseUrl();
});
afterAll(() => db.drop());

async function graphql(server: ServerProcess, token: string, query: string) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: await res.json() };
}

describe('customer-graph CLI', () => {
  it('app create --json prints {appKey, secret, token}; the token and the secret work against the server', async () => {
    const created = await runCli(['app', 'create', '--name', 'crm', '--scopes', 'customer:read,customer:write', '--json'], {
      DATABASE_URL: db.url,
    });
    expect(created.code, created.stderr).toBe(0);
    const app = JSON.parse(created.stdout.trim());
    expect(Object.keys(app).sort()).toEqual(['appKey', 'secret', 'token']);

    const server = await startServer({ DATABASE_URL: db.url });
    try {
      const res = await graphql(server, app.token, 'mutation { createCustomer(profile: { name: "cli" }) { customer { name } } }');
      expect(res.body.data.createCustomer.customer.name).toBe('cli');
      const token = await fetch(`${server.url}/openapi/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appKey: app.appKey, secret: app.secret }),
      });
      expect((await token.json()).data.token).toBeTypeOf('string');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  });

  it('prints its version, and exits 2 on bad arguments (import and seed: 1, their 2 is PARTIAL)', async () => {
    const version = await runCli(['--version'], {});
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
    const missing = await runCli(['app', 'create', '--name', 'x'], { DATABASE_URL: db.url });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--scopes <list>' not specified");
    expect((await runCli(['no-such-command'], {})).code).toBe(2);
    expect((await runCli(['import', 'x.csv', '--mode', '3'], {})).code).toBe(1);
  });

  it('rejects unknown scopes naming them, and writes nothing', async () => {
    const res = await runCli(['app', 'create', '--name', 'x', '--scopes', 'customer:read,customer:delete'], { DATABASE_URL: db.url });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/scopes\[1\].*customer:read, customer:write, admin/);
  });
});

/** `unshare -n` needs root (CAP_SYS_ADMIN); without it the namespace part is skipped. */
function canUnshareNetwork(): boolean {
  const probe = spawnSync('unshare', ['-n', 'true']);
  if (probe.status !== 0) console.warn('skipping the network-namespace check: `unshare -n` is not permitted here');
  return probe.status === 0;
}

describe.runIf(!usingPostgres)('embedded database shared by two processes', () => {
  // Its own directory: the counts below must not see the customers of the tests above.
  let db: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    db = await freshDatabaseUrl();
  });
  afterAll(() => db.drop());

  // Three server starts and three CLI runs: about 13 s each on a loaded 2-core machine.
  it('runs app create, import and migrate --status through the running server, refuses migrate clearly (also from another network namespace), and frees the directory on exit or kill', async () => {
    const created = await runCli(['app', 'create', '--name', 'ops', '--scopes', 'customer:read,customer:write', '--json'], {
      DATABASE_URL: db.url,
    });
    const { token } = JSON.parse(created.stdout.trim());
    const server = await startServer({ DATABASE_URL: db.url });
    await graphql(server, token, 'mutation { createCustomer(profile: { name: "before" }) { customerId } }');

    // Applying migrations needs the directory itself: refused, naming the holder.
    const refused = await runCli(['migrate'], { DATABASE_URL: db.url });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is in use by process ${server.child.pid} (customer-graph serve`);
    expect(refused.stderr).toContain(`serving ${server.url}`);

    // The lock is a file lock inside the directory, so a process in another network namespace
    // (another container on the same volume) is refused too, not only a neighbour.
    if (canUnshareNetwork()) {
      const isolated = await runCliIn(['unshare', '-n'], ['migrate'], { DATABASE_URL: db.url });
      expect(isolated.code, isolated.stderr).toBe(1);
      expect(isolated.stderr).toContain(`is in use by process ${server.child.pid} (customer-graph serve`);
    }

    // The commands of the daily flow hand their work to the running server (one writer).
    const status = await runCli(['migrate', '--status'], { DATABASE_URL: db.url });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('Database schema is up to date.');
    expect(status.stderr).toContain(`held by process ${server.child.pid} (customer-graph serve)`);
    const second = await runCli(['app', 'create', '--name', 'y', '--scopes', 'customer:read', '--json'], { DATABASE_URL: db.url });
    expect(second.code, second.stderr).toBe(0);
    const readOnly = JSON.parse(second.stdout.trim());
    const seen = await graphql(server, readOnly.token, '{ customers(first: 10) { totalCount } }');
    expect(seen.body.data.customers.totalCount).toBe(1);
    const dir = mkdtempSync(join(tmpdir(), 'cg-import-'));
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'realName,phone\nAda Imported,13800000001\n');
    const imported = await runCli(['import', file], { DATABASE_URL: db.url });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/Job #\d+: SUCCEEDED/);

    const after = await graphql(server, token, '{ customers(first: 10) { totalCount } }');
    expect(after.body.data.customers.totalCount).toBe(2);
    expect(await server.stop('SIGTERM')).toBe(0);

    expect((await runCli(['migrate'], { DATABASE_URL: db.url })).code).toBe(0);

    // A killed server leaves no stale lock: the next process opens the directory at once.
    const killed = await startServer({ DATABASE_URL: db.url });
    await graphql(killed, token, 'mutation { createCustomer(profile: { name: "committed" }) { customerId } }');
    await killed.stop('SIGKILL');
    const reopened = await startServer({ DATABASE_URL: db.url });
    try {
      const count = await graphql(reopened, token, '{ customers(first: 10) { totalCount } }');
      expect(count.body.data.customers.totalCount).toBe(3);
    } finally {
      await reopened.stop();
    }
    // Seven processes start one after another (each compiles through tsx and opens PGlite): about
    // a minute on a busy 2-core machine, more than the default 60 s.
  }, 180_000);
});
