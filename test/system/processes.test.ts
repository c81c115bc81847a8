// The CLI and the server as separate processes on one database (CONTRACT §1, and the
// embedded database's guarantee: a second process works or refuses, never corrupts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl, usingPostgres } from '../support/database.ts';
import { runCli, startServer, type ServerProcess } from '../../scripts/support/processes.ts';

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
  return { status: res.status, body: (await res.json()) as any };
}

describe('customer-graph CLI', () => {
  it('app create --json prints {appKey, secret, token}; the token and the secret work against the server', async () => {
    const created = await runCli(['app', 'create', '--name', 'crm', '--scopes', 'customer:read,customer:write', '--json'], { DATABASE_URL: db.url });
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
      expect(((await token.json()) as any).data.token).toBeTypeOf('string');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  });

  it('rejects unknown scopes naming them, and writes nothing', async () => {
    const res = await runCli(['app', 'create', '--name', 'x', '--scopes', 'customer:read,customer:delete'], { DATABASE_URL: db.url });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/scopes\[1\].*customer:read, customer:write, admin/);
  });
});

describe.runIf(!usingPostgres)('embedded database shared by two processes', () => {
  // Three server starts and three CLI runs: about 13 s each on a loaded 2-core machine.
  it('refuses a second process clearly while serve holds the directory, leaves the data intact, and frees it on exit or kill', async () => {
    const created = await runCli(['app', 'create', '--name', 'ops', '--scopes', 'customer:read,customer:write', '--json'], { DATABASE_URL: db.url });
    const { token } = JSON.parse(created.stdout.trim());
    const server = await startServer({ DATABASE_URL: db.url });
    await graphql(server, token, 'mutation { createCustomer(profile: { name: "before" }) { customerId } }');

    for (const args of [['migrate'], ['app', 'create', '--name', 'y', '--scopes', 'customer:read']]) {
      const refused = await runCli(args, { DATABASE_URL: db.url });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`is in use by process ${server.child.pid} (customer-graph serve`);
      expect(refused.stderr).toContain(`serving ${server.url}`);
    }

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
