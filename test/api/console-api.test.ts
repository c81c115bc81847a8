// What the console needs from the API and the gateway: `viewer` (the caller's app and scopes),
// `importJobs` (only the jobs the caller may see), and GET /console served like /docs: local
// files only under a strict Content-Security-Policy, never to another site, and the
// development token in the page only when the gateway was given one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, mintToken } from '../../src/domain/auth.ts';
import { createImportJob } from '../../src/domain/imports/jobs.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const submit = `mutation ($input: ImportCustomersInput!) { importCustomers(input: $input) { batchId } }`;
const listJobs = `query ($first: Int, $after: String) {
  importJobs(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { batchId origin } } }
}`;
const profileImport = (phone: string) => ({
  input: { kind: 'PROFILE', publicParams: { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 }, profiles: [{ phone }] },
});

describe('the console API and page', () => {
  let t: TestGateway;
  let otherApp: string;
  let writer: string;

  beforeAll(async () => {
    t = await startTestGateway({}, { graphiqlToken: 'dev_token-123' });
    writer = t.tokens.readWrite;
    const other = await createApp(t.prisma, { name: 'other shop', scopes: ['customer:read', 'customer:write'] });
    otherApp = await mintToken(t.prisma, other.appKey, 3600);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
  });

  it('viewer answers the calling app and its scopes, whatever they are', async () => {
    const query = '{ viewer { appKey appName scopes } }';
    const read = await t.graphql(query, {}, { token: t.tokens.read });
    expect(read.body).toEqual({
      data: { viewer: { appKey: expect.stringMatching(/^ak_/), appName: 'customer:read', scopes: ['customer:read'] } },
    });
    const write = await t.graphql(query, {}, { token: t.tokens.write });
    expect(write.body.data.viewer.scopes).toEqual(['customer:write']);
    const all = await t.graphql(query, {}, { token: t.tokens.all });
    expect(all.body.data.viewer.scopes).toEqual(['admin', 'customer:read', 'customer:write']);
    expect((await t.graphql(query, {}, { token: null })).status).toBe(401);
  });

  it("importJobs lists the caller's own jobs and the CLI's, newest first, never another app's; admin sees all", async () => {
    const mine = [];
    for (const phone of ['13900000001', '13900000002', '13900000003']) {
      mine.push((await t.graphql(submit, profileImport(phone), { token: writer })).body.data.importCustomers.batchId as number);
    }
    const theirs = (await t.graphql(submit, profileImport('13900000009'), { token: otherApp })).body.data.importCustomers.batchId as number;
    const options = { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 };
    const cli = (
      await createImportJob(t.prisma, { kind: 'PROFILE', options, origin: 'CLI', sourceRef: 'sha256:x size:1', total: 1 }, 'test')
    ).job.id;

    const listed = await t.graphql(listJobs, { first: 10 }, { token: writer });
    expect(listed.body.data.importJobs.edges.map((e: any) => e.node.batchId)).toEqual([cli, ...mine.reverse()]);
    expect(listed.body.data.importJobs.totalCount).toBe(4);
    // Paged: two, then the rest after the cursor.
    const first = (await t.graphql(listJobs, { first: 2 }, { token: writer })).body.data.importJobs;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (await t.graphql(listJobs, { first: 10, after: first.pageInfo.endCursor }, { token: writer })).body.data.importJobs;
    expect([...first.edges, ...rest.edges].map((e: any) => e.node.batchId)).toEqual([cli, ...mine]);

    const other = (await t.graphql(listJobs, { first: 10 }, { token: otherApp })).body.data.importJobs;
    expect(other.edges.map((e: any) => e.node.batchId)).toEqual([cli, theirs]);
    expect(other.totalCount).toBe(2);
    const admin = (await t.graphql(listJobs, { first: 10 }, { token: t.tokens.all })).body.data.importJobs;
    expect(admin.edges.map((e: any) => e.node.batchId)).toEqual(expect.arrayContaining([cli, theirs, ...mine]));
    // importJob(id) follows the same rule.
    expect(
      (await t.graphql('query ($id: ID!) { importJob(id: $id) { batchId } }', { id: theirs }, { token: writer })).body.data.importJob,
    ).toBeNull();
  });

  it('serves the page with a strict CSP, its built files, the development token only to its own origin', async () => {
    expect((await t.request('GET', '/console', { token: null })).headers.location).toBe('/console/');
    const page = await t.request('GET', '/console/', { token: null });
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).toContain('<meta name="cg-development-token" content="dev_token-123">');
    // No inline script: every script is a file of the build, served from here.
    const scripts = [...String(page.body).matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(inline.trim()).toBe('');
      const src = /src="([^"]+)"/.exec(attributes)![1];
      expect(src).toMatch(/^\/console\/assets\//);
      const file = await t.request('GET', src, { token: null });
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toContain('text/javascript');
    }
    expect((await t.request('GET', '/console/assets/../../package.json', { token: null })).status).toBe(404);
    expect((await t.request('GET', '/console/index.html', { token: null })).status).toBe(404);

    // Another site's fetch or frame is refused: the page may carry a token.
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }] as Record<string, string>[]) {
      const refused = await t.request('GET', '/console/', { token: null, headers });
      expect(refused.status).toBe(403);
      expect(String(refused.body)).not.toContain('dev_token-123');
    }
  });

  it('is not opened to the origins CORS_ORIGINS lists, as GraphiQL is not', async () => {
    const shared = await t.variant({ CORS_ORIGINS: 'https://shop.example' });
    const api = await shared.request('POST', '/graphql', {
      headers: { origin: 'https://shop.example' },
      body: { query: '{ viewer { appKey } }' },
    });
    expect(api.headers['access-control-allow-origin']).toBe('https://shop.example');
    for (const url of ['/console/', '/console/favicon.svg']) {
      const page = await shared.request('GET', url, { token: null, headers: { origin: 'https://shop.example' } });
      expect(page.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('carries no token when the gateway has none (production, PostgreSQL, not loopback)', async () => {
    const plain = await t.variant({});
    const page = await plain.request('GET', '/console/', { token: null });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('cg-development-token');
  });
});
