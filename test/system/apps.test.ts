// Apps and tokens: listing, creating and revoking them through GraphQL (admin) and the CLI.
// A revoked token or app is refused at once by the instance that revoked it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, mintToken } from '../../src/domain/auth.ts';
import { freshDatabaseUrl } from '../support/database.ts';
import { startTestGateway, tokenFor, type TestGateway } from '../support/gateway.ts';
import { runCli } from '../../scripts/support/processes.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const ME = '{ customers(first: 1) { totalCount } }';

describe('GraphQL admin fields', () => {
  it('apps lists every app without secrets; non-admin tokens are refused', async () => {
    const res = await t.graphql('{ apps { appKey name scopes development revokedAt activeTokens createdAt } }');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.apps.length).toBeGreaterThanOrEqual(4);
    expect(res.body.data.apps.find((a: { name: string }) => a.name === 'customer:read')).toMatchObject({
      scopes: ['customer:read'],
      revokedAt: null,
      activeTokens: 1,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|secret/i);
    for (const token of [t.tokens.read, t.tokens.readWrite]) {
      expect((await t.graphql('{ apps { appKey } }', {}, { token })).status).toBe(403);
      expect((await t.graphql('mutation { createApp(name: "x", scopes: ["admin"]) { secret } }', {}, { token })).status).toBe(403);
      expect((await t.graphql('mutation { revokeApp(appKey: "x") { appKey } }', {}, { token })).status).toBe(403);
    }
  });

  it('createApp answers the secret once; it exchanges for a working token; bad scopes are BAD_INPUT naming them', async () => {
    const res = await t.graphql(
      'mutation { createApp(name: "console", scopes: ["customer:read"]) { appKey secret app { name scopes activeTokens } } }',
    );
    expect(res.body.errors).toBeUndefined();
    const { appKey, secret, app } = res.body.data.createApp;
    expect(app).toEqual({ name: 'console', scopes: ['customer:read'], activeTokens: 0 });
    const exchanged = await t.request('POST', '/openapi/auth/token', { token: null, body: { appKey, secret } });
    expect((await t.graphql(ME, {}, { token: exchanged.body.data.token })).status).toBe(200);

    const bad = await t.graphql('mutation { createApp(name: "x", scopes: ["customer:read", "root"]) { appKey } }');
    expect(bad.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_INPUT' }, message: expect.stringMatching(/scopes\[1\]/) });
  });

  it('revokeApp refuses its tokens at once and any new one; revoking again changes nothing; unknown appKey is NOT_FOUND', async () => {
    const created = await createApp(t.prisma, { name: 'to revoke', scopes: ['customer:read'] });
    const token = await mintToken(t.prisma, created.appKey, 3600);
    expect((await t.graphql(ME, {}, { token })).status).toBe(200); // cached as valid

    const revoked = await t.graphql(`mutation { revokeApp(appKey: "${created.appKey}") { appKey revokedAt activeTokens } }`);
    expect(revoked.body.data.revokeApp).toMatchObject({ appKey: created.appKey, revokedAt: expect.any(String), activeTokens: 0 });
    expect((await t.graphql(ME, {}, { token })).status).toBe(401);
    const exchange = await t.request('POST', '/openapi/auth/token', {
      token: null,
      body: { appKey: created.appKey, secret: created.secret },
    });
    expect(exchange.status).toBe(401);

    const again = await t.graphql(`mutation { revokeApp(appKey: "${created.appKey}") { revokedAt } }`);
    expect(again.body.data.revokeApp.revokedAt).toBe(revoked.body.data.revokeApp.revokedAt);
    const unknown = await t.graphql('mutation { revokeApp(appKey: "ak_nope") { appKey } }');
    expect(unknown.body.errors[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' }, message: expect.stringMatching(/^appKey: /) });
  });

  it('revokeToken refuses the token at once; again is revoked: false; the token is not written to the audit log', async () => {
    const victim = await tokenFor(t.prisma, ['customer:read'], 'victim');
    expect((await t.graphql(ME, {}, { token: victim })).status).toBe(200); // cached as valid

    const byAdmin = await t.graphql(`mutation { revokeToken(token: "${victim}") { revoked } }`);
    expect(byAdmin.body.data.revokeToken).toEqual({ revoked: true });
    expect((await t.graphql(ME, {}, { token: victim })).status).toBe(401);
    const again = await t.graphql(`mutation { revokeToken(token: "${victim}") { revoked } }`);
    expect(again.body.data.revokeToken).toEqual({ revoked: false });

    const audit = await t.prisma.auditLog.findMany({ where: { action: 'revokeToken' } });
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain(victim);
  });
});

describe('CLI', () => {
  it('app list, app revoke and token revoke', async () => {
    const db = await freshDatabaseUrl();
    try {
      const env = { DATABASE_URL: db.url };
      const created = await runCli(['app', 'create', '--name', 'crm', '--scopes', 'customer:read', '--json'], env);
      expect(created.code, created.stderr).toBe(0);
      const { appKey, token } = JSON.parse(created.stdout.trim());

      const listed = await runCli(['app', 'list', '--json'], env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual([
        expect.objectContaining({ appKey, name: 'crm', scopes: ['customer:read'], activeTokens: 1, revokedAt: null }),
      ]);

      const tokenRevoked = await runCli(['token', 'revoke', token], env);
      expect(tokenRevoked).toMatchObject({ code: 0, stdout: expect.stringContaining('Token revoked.') });
      expect((await runCli(['token', 'revoke', token], env)).code).toBe(1);

      const appRevoked = await runCli(['app', 'revoke', appKey], env);
      expect(appRevoked.code, appRevoked.stderr).toBe(0);
      expect((await runCli(['app', 'list'], env)).stdout).toMatch(new RegExp(`${appKey} {2}crm {2}\\[customer:read\\] {2}revoked `));
      const unknown = await runCli(['app', 'revoke', 'ak_nope'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/appKey: app ak_nope not found/);
    } finally {
      await db.drop();
    }
    // Seven CLI processes, each opening and migrating the database: a minute or two on a loaded machine.
  }, 240_000);
});
