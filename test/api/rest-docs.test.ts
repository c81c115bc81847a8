// The REST shim's documentation: the OpenAPI document lists every row of the route table with
// its scope, token headers, request, envelopes and seed example, and is valid OpenAPI 3.1; the
// /docs page uses local assets only; docs/rest-<family>.md are fresh.
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyPages } from '../../src/rest/docs-pages.ts';
import { families } from '../../src/platform/envelopes.ts';
import { operationFields } from '../../src/rest/openapi-document.ts';
import { restRoutes } from '../../src/rest/table.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
let doc: any;
beforeAll(async () => {
  t = await startTestGateway();
  const res = await t.request('GET', '/openapi.json', { token: null });
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(() => t.close());

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, served without a token', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('documents the three token headers as security schemes', () => {
    const schemes = Object.values<{ type: string; in?: string; name?: string; scheme?: string }>(doc.components.securitySchemes);
    expect(schemes.filter((s) => s.type === 'apiKey' && s.in === 'header').map((s) => s.name)).toEqual(['token', 'X-Token']);
    expect(schemes.filter((s) => s.type === 'http').map((s) => s.scheme)).toEqual(['bearer']);
  });

  it.each(restRoutes.map((r) => [`${r.method} ${r.path}`, r]))(
    'lists %s with its scope, operation, request, envelopes and example',
    (_name, route) => {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(op).toBeDefined();
      expect(op.tags).toEqual([route.family.name]);
      expect(op['x-scope']).toBe(route.scope);
      expect(op.security).toEqual(Object.keys(doc.components.securitySchemes).map((name) => ({ [name]: [route.scope] })));
      expect(op['x-graphql-operation'].fields).toEqual(operationFields(route).fields);
      expect(op.description).toContain(operationFields(route).fields[0]);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
      expect(op.responses['401'].$ref).toBe(`#/components/responses/${route.family.name}_401`);
      if (route.method === 'GET') {
        const example = route.example as Record<string, unknown>;
        for (const [name, value] of Object.entries(example)) {
          expect(op.parameters.find((p: { name: string }) => p.name === name)).toMatchObject({ in: 'query', example: value });
        }
      } else {
        expect(Object.keys(op.requestBody.content)).toEqual(route.family.bodyTypes);
        expect(op.requestBody.content['application/json'].example).toEqual(route.example);
      }
    },
  );

  it('shows each family’s failure envelope as the example of its error responses', () => {
    expect(doc.components.responses.edu_400.content['application/json'].example).toMatchObject({ error_code: '10000' });
    expect(doc.components.responses.openapi_404.content['application/json'].example).toMatchObject({ code: -1, data: null });
    expect(doc.components.responses.user_customer_403.content['application/json'].example).toMatchObject({ code: 500, mix_code: 130403 });
  });
});

describe('GET /docs', () => {
  it('serves an HTML page whose scripts, styles and icons are all local, and that loads', async () => {
    const page = await t.request('GET', '/docs', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const html = String(page.body);
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    expect(html).not.toMatch(/https?:\/\//);
    for (const ref of refs) {
      expect(ref).toMatch(/^\/[^/]/);
      const asset = await t.request('GET', ref, { token: null });
      expect(asset.status, ref).toBe(200);
      expect(String(asset.body).length, ref).toBeGreaterThan(100);
    }
    const init = await t.request('GET', '/docs/init.js', { token: null });
    expect(String(init.body)).toContain("url: '/openapi.json'");
    expect(String(init.body)).toContain('validatorUrl: null');
  });

  it('serves no file of the package but the ones the page uses', async () => {
    expect((await t.request('GET', '/docs/assets/package.json', { token: null })).status).toBe(404);
    expect((await t.request('GET', '/docs/assets/..%2F..%2Fpackage.json', { token: null })).status).toBe(404);
  });
});

describe('docs/rest-<family>.md', () => {
  it.each(familyPages(families, restRoutes).map((p) => [p.file, p]))(
    '%s is fresh (run `npm run docs:rest` when this fails)',
    (file, page) => {
      expect(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')).toBe(page.content);
    },
  );

  it('has a page for every family in the table, listing every route with its GraphQL operation', () => {
    const pages = familyPages(families, restRoutes);
    for (const route of restRoutes) {
      const page = pages.find((p) => p.file === `docs/rest-${route.family.name.replace('_', '-')}.md`);
      expect(page?.content).toContain(
        `| ${route.method} | \`${route.path}\` | ${operationFields(route).type} \`${operationFields(route).fields.join(', ')}\``,
      );
    }
  });
});
