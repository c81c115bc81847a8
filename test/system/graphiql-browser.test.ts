// GraphiQL in a real browser: Debian's chromium driven by playwright-core against a real
// `customer-graph serve` on a fresh embedded database, whose first start creates the
// development app and pre-fills GraphiQL with a token of it. The page must work offline
// (GraphiQL is bundled, no CDN), run an example tab, and show the answer in the result pane.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHROMIUM, haveChromium, launchChromium } from '../../scripts/support/browser.ts';
import { startServer, type ServerProcess } from '../../scripts/support/processes.ts';

describe.skipIf(!haveChromium)(
  `GraphiQL in a real browser (skipped when ${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium; .ci/run does)`,
  () => {
    let dir: string;
    let server: ServerProcess;
    let browser: Browser;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cg-browser-'));
      // Always the embedded database: only there does the first start create the development app.
      const template = inject('embeddedTemplate');
      if (template) cpSync(template, join(dir, 'db'), { recursive: true });
      server = await startServer({ DATABASE_URL: `file:${join(dir, 'db')}` }, 120_000);
      browser = await launchChromium();
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('opens pre-filled with a development token and the example tabs, runs the first one and shows the result', async () => {
      const printed = /token:\s+(\S+)/.exec(server.output())?.[1];
      expect(printed, 'the first start prints the development token').toBeTruthy();
      const created = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${printed}` },
        body: JSON.stringify({
          query: 'mutation { createCustomer(profile: { name: "Ada Lovelace" }, identities: [{ identityType: "phone", identityValue: "13765348726" }]) { customerId } }',
        }),
      });
      expect(await created.json()).toMatchObject({ data: { createCustomer: { customerId: expect.any(Number) } } });

      const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
      const elsewhere: string[] = [];
      page.on('request', (request) => {
        // blob: and data: URLs are the page's own (the editors' web workers).
        if (/^(https?|wss?):/.test(request.url()) && !request.url().startsWith(server.url)) elsewhere.push(request.url());
      });
      await page.goto(`${server.url}/graphql`);
      await page.locator('.graphiql-container').first().waitFor();

      const tabs = page.getByRole('tablist', { name: 'Select active operation' });
      for (const title of ['FindByPhone', 'ListCustomers', 'ResolveIdentities', 'ExplainResolution', 'Merge', 'Follow', 'ImportCustomers', 'WatchCustomer']) {
        await expect.poll(() => tabs.getByRole('button', { name: title, exact: true }).count(), { message: title }).toBe(1);
      }
      const headers = page.locator('.graphiql-editor-tool');
      await expect.poll(() => headers.innerText()).toMatch(/"Authorization":\s"Bearer\s[\w-]{20,}"/); // the editor renders spaces as U+00A0

      await page.getByRole('button', { name: /^Execute query/ }).click();
      const result = page.locator('.result-window');
      await result.getByText('Ada Lovelace').waitFor();
      expect(await result.innerText()).toMatch(/"customerByIdentity":\s*\{\s*"customerId":\s*\d+/);
      // GraphiQL is served from the package on this machine: nothing was fetched from elsewhere.
      expect(elsewhere).toEqual([]);
      await page.close();
    }, 120_000);
  },
);
