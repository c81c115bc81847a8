// npm run docs:rest: writes docs/rest-<family>.md from the route table. test/api/rest-docs.test.ts
// fails when a checked-in page is stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { familyPages } from '../src/rest/docs-pages.ts';
import { families } from '../src/platform/envelopes.ts';
import { restRoutes } from '../src/rest/table.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
mkdirSync(`${root}docs`, { recursive: true });
for (const page of familyPages(families, restRoutes)) {
  writeFileSync(`${root}${page.file}`, page.content);
  console.log(`Wrote ${page.file}`);
}
