// The console (/console) in a real browser: Debian's chromium driven by playwright-core against
// a real `customer-graph serve` on a fresh embedded database. Signs in with the pre-filled
// development token, finds a customer, merges another into it, sees the merge in the history
// and the graph, unmerges it and sees the two apart again; a read-only app signed in with its
// key and secret sees no write button. Nothing is fetched from elsewhere and the CSP holds.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHROMIUM, haveChromium, launchChromium } from '../../scripts/support/browser.ts';
import { startServer, type ServerProcess } from '../../scripts/support/processes.ts';

interface Watched {
  page: Page;
  /** Requests to anywhere but the gateway, and Content-Security-Policy violations. */
  problems: string[];
}

describe.skipIf(!haveChromium)(
  `the console in a real browser (skipped when ${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium; .ci/run does)`,
  () => {
    let dir: string;
    let server: ServerProcess;
    let browser: Browser;
    let token: string;

    const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: any; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      return body.data;
    };

    const open = async (): Promise<Watched> => {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      const problems: string[] = [];
      page.on('request', (request) => {
        if (/^(https?|wss?):/.test(request.url()) && !request.url().startsWith(server.url)) problems.push(`fetched ${request.url()}`);
      });
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/.test(message.text())) problems.push(message.text());
      });
      await page.goto(`${server.url}/console/`);
      return { page, problems };
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cg-console-'));
      const template = inject('embeddedTemplate');
      if (template) cpSync(template, join(dir, 'db'), { recursive: true });
      const env = { DATABASE_URL: `file:${join(dir, 'db')}` };
      server = await startServer(env, 120_000);
      token = /token:\s+(\S+)/.exec(server.output())![1];
      browser = await launchChromium();
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('finds a customer, merges another into it, shows the event, unmerges it and shows them apart', async () => {
      const create = `mutation ($input: CreateCustomerByIdentityInput!) { createCustomerByIdentity(input: $input) { customerId } }`;
      const ada = (
        await graphql(create, { input: { name: 'Ada Lovelace', identityList: [{ identityType: 'phone', identityValue: '13765348726' }] } })
      ).createCustomerByIdentity.customerId as number;
      const twin = (
        await graphql(create, {
          input: { name: 'A. Lovelace', identityList: [{ identityType: 'email', identityValue: 'ada@example.com' }] },
        })
      ).createCustomerByIdentity.customerId as number;

      const { page, problems } = await open();
      // Development on loopback: the sign-in comes pre-filled with the development token.
      const tokenInput = page.getByLabel('Bearer token');
      await expect.poll(() => tokenInput.inputValue(), { timeout: 30_000 }).toMatch(/^[\w-]{20,}$/);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText('customer:write').waitFor();

      // Find: results as you type, by part of the phone.
      await page.getByLabel('Search customers').fill('1376534');
      const results = page.getByRole('list', { name: 'Search results' });
      await expect.poll(() => results.innerText(), { timeout: 30_000 }).toMatch(/^(?!.*A\. Lovelace).*Ada Lovelace/s);
      // …and by an exact identity value of another type.
      await page.getByLabel('Search customers').fill('ada@example.com');
      await page.locator('.exact').getByText('A. Lovelace').waitFor();
      await page.getByLabel('Search customers').fill('Lovelace');
      await results.getByText('Ada Lovelace').click();

      await page.getByRole('heading', { name: /Ada Lovelace/ }).waitFor();
      expect(page.url()).toContain(`#/customer/${ada}`);

      // Someone else is looking at the twin: their page hears of the merge (customerChanged).
      const watcher = await open();
      await watcher.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await watcher.page.goto(`${server.url}/console/#/customer/${twin}`);
      await watcher.page.getByRole('heading', { name: /A\. Lovelace/ }).waitFor();

      // Merge the twin into Ada, with a reason; the form shows who it is first.
      await page.getByLabel('Customer id to merge').fill(String(twin));
      await page.getByLabel('Reason').fill('same person, confirmed by phone');
      await page.getByRole('button', { name: 'Review' }).click();
      await page.getByLabel('Merge preview').getByText('A. Lovelace').waitFor();
      await page.getByRole('button', { name: `Merge #${twin} into #${ada}` }).click();

      const history = page.getByRole('list', { name: 'Merge history' });
      const entry = history.locator('li').filter({ hasText: `#${twin} merged into #${ada}` });
      await entry.getByText('same person, confirmed by phone').waitFor();
      await expect.poll(() => entry.innerText(), { timeout: 30_000 }).toMatch(/by app:ak_\w+/);
      // The identity graph shows the tombstone and the e-mail it brought.
      const graph = page.getByRole('img', { name: `Identity graph of customer ${ada}` });
      await graph.getByText(`#${twin} merged`, { exact: true }).waitFor();
      await expect.poll(() => graph.textContent(), { timeout: 30_000 }).toContain(`via #${twin}`);
      expect(await page.locator('table.grid').first().innerText()).toContain('ada@example.com');
      expect((await graphql('query ($id: ID!) { customer(id: $id) { customerId } }', { id: String(twin) })).customer.customerId).toBe(ada);
      await watcher.page.getByRole('status').getByText(`Just merged into #${ada}`).waitFor();
      await watcher.page.getByText(`#${twin} was merged into #${ada}`).waitFor();
      expect(watcher.problems).toEqual([]);
      await watcher.page.close();

      // Unmerge: the preview says what comes back, then it is done.
      await entry.getByRole('button', { name: 'Unmerge…' }).click();
      const preview = entry.getByLabel('Unmerge preview');
      await preview.getByText('email ada@example.com').waitFor();
      await preview.getByRole('button', { name: `Unmerge #${twin}` }).click();
      await entry.getByText(/Unmerged .* is a customer of its own again/).waitFor();
      await expect.poll(() => page.locator('table.grid').first().innerText(), { timeout: 30_000 }).not.toContain('ada@example.com');
      expect((await graphql('query ($id: ID!) { customer(id: $id) { customerId } }', { id: String(twin) })).customer.customerId).toBe(twin);

      // The twin's own page: its e-mail is back with it.
      await entry
        .getByRole('link', { name: `#${twin}` })
        .first()
        .click();
      await page.getByRole('heading', { name: /A\. Lovelace/ }).waitFor();
      expect(await page.locator('table.grid').first().innerText()).toContain('ada@example.com');
      expect(problems).toEqual([]);
      await page.close();
    }, 180_000);

    it('explains a resolution before applying it, and imports a CSV file, following the job to its end with its row errors', async () => {
      const { page, problems } = await open();
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('link', { name: 'Resolve' }).click();
      await page.getByLabel('Identity value 1').fill('13765348726');
      await page.getByRole('button', { name: 'Add an identity' }).click();
      await page.getByLabel('Identity type 2').selectOption('email');
      await page.getByLabel('Identity value 2').fill('grace@example.com');
      await page.getByLabel('Real name').fill('Ada King');
      const apply = page.getByRole('button', { name: 'Apply' });
      expect(await apply.isDisabled()).toBe(true); // nothing applied before it is explained
      await page.getByRole('button', { name: 'Explain' }).click();
      const explanation = page.getByLabel('Explanation');
      await explanation.getByText(/Customer #\d+ \(Ada Lovelace\) would be chosen/).waitFor();
      await expect.poll(() => explanation.innerText(), { timeout: 30_000 }).toContain('Lookup phone "13765348726"');
      await apply.click();
      await page
        .getByRole('status')
        .getByText(/Resolved to customer #\d+/)
        .waitFor();
      const { customerByIdentity } = await graphql(
        '{ customerByIdentity(identityType: "email", identityValue: "grace@example.com") { name realName } }',
      );
      expect(customerByIdentity).toEqual({ name: 'Ada Lovelace', realName: 'Ada King' });

      await page.getByRole('link', { name: 'Imports' }).click();
      const csv = [
        'phone,realName,tags,unknownColumn',
        '13711110001,赵六,"vip,新客",x',
        'not-a-phone,孙八,,y',
        '13711110004,李九,新客,z',
      ].join('\n');
      await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const job = page.getByRole('region', { name: /^Import job \d+$/ });
      await job.getByText('3 of 3 rows processed (100%): 2 imported, 1 failed.').waitFor();
      await job.getByText('PARTIAL', { exact: true }).waitFor();
      expect(await job.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
      const errors = job.getByRole('table', { name: 'Row errors' });
      await errors.getByText('is not a valid phone', { exact: false }).waitFor();
      expect(await errors.locator('tbody tr').first().innerText()).toMatch(/^2\s+phone\s/);
      await page.getByRole('table', { name: 'Import jobs' }).getByText('PARTIAL').waitFor();
      const { customerByIdentity: imported } = await graphql(
        '{ customerByIdentity(identityType: "phone", identityValue: "13711110004") { realName tags } }',
      );
      expect(imported).toEqual({ realName: '李九', tags: ['新客'] });
      // The row gave only a realName: the person is named by it and found by it (README "Names").
      await page.getByRole('link', { name: 'Find' }).click();
      await page.getByLabel('Search customers').fill('李九');
      const found = page.getByRole('list', { name: 'Search results' });
      await expect.poll(() => found.locator('strong').allInnerTexts(), { timeout: 30_000 }).toEqual(['李九']);
      expect(problems).toEqual([]);
      await page.close();
    }, 180_000);

    it('an admin creates a read-only app (its secret shown once); signed in with it, no write button shows; revoked, it is signed out', async () => {
      const create = `mutation ($p: CustomerProfileInput) { createCustomer(profile: $p) { customerId } }`;
      const kept = (await graphql(create, { p: { name: 'Grace Hopper' } })).createCustomer.customerId as number;
      const merged = (await graphql(create, { p: { name: 'G. Hopper' } })).createCustomer.customerId as number;
      await graphql('mutation ($t: ID!, $s: [ID!]!) { mergeCustomers(targetId: $t, sourceIds: $s, reason: "duplicate") { customerId } }', {
        t: String(kept),
        s: [String(merged)],
      });
      // The admin (the development app) creates the app on the Apps page.
      const admin = await open();
      await admin.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await admin.page.getByRole('link', { name: 'Apps' }).click();
      await admin.page.getByLabel('Name', { exact: true }).fill('read-only viewer');
      await admin.page.getByRole('button', { name: 'Create' }).click();
      const shown = admin.page.getByRole('status', { name: 'New app secret' });
      await shown.waitFor();
      const [appKey, secret] = await shown.locator('dd').allInnerTexts();
      const apps = admin.page.getByRole('table', { name: 'Apps' });
      await expect.poll(() => apps.innerText(), { timeout: 30_000 }).toMatch(/read-only viewer\s+ak_\w+\s+customer:read\s/);
      await admin.page.getByRole('button', { name: 'I have copied it' }).click();
      expect(await admin.page.getByText(secret).count()).toBe(0);

      const { page, problems } = await open();
      await page.getByLabel('appKey').fill(appKey);
      await page.getByLabel('secret').fill(secret);
      await page.getByRole('button', { name: 'Get a token and sign in' }).click();
      await page.getByText('customer:read').waitFor();
      expect(await page.locator('.who').innerText()).not.toContain('customer:write');

      await page.goto(`${server.url}/console/#/customer/${kept}`);
      // A standing merge, which a writer could undo from here.
      await page.getByRole('list', { name: 'Merge history' }).getByText(`#${merged} merged into #${kept}`).waitFor();
      const graph = page.getByRole('img', { name: `Identity graph of customer ${kept}` });
      await graph.getByText(`#${merged} merged`, { exact: true }).waitFor();
      expect(await page.getByRole('button', { name: /Unmerge|Merge|Review/ }).count()).toBe(0);
      expect(await page.getByLabel('Customer id to merge').count()).toBe(0);
      await page.getByRole('link', { name: 'Resolve' }).click();
      await page.getByRole('button', { name: 'Explain' }).waitFor();
      expect(await page.getByRole('button', { name: 'Apply' }).count()).toBe(0);
      await page.getByRole('link', { name: 'Imports' }).click();
      await page.getByRole('table', { name: 'Import jobs' }).waitFor();
      expect(await page.getByRole('form', { name: 'Import a file' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Import', exact: true }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Apps' }).count()).toBe(0);

      // Revoked by the admin: the viewer's next request is refused and the console signs out.
      const row = apps.getByRole('row').filter({ hasText: appKey });
      await row.getByRole('button', { name: 'Revoke…' }).click();
      await row.getByRole('button', { name: 'Revoke read-only viewer' }).click();
      await row.getByText(/^revoked /).waitFor();
      await page.getByRole('link', { name: 'Find' }).click();
      await page.getByText('The token was refused').waitFor();
      expect(await page.getByLabel('appKey').count()).toBe(1);
      expect([...problems, ...admin.problems]).toEqual([]);
      await page.close();
      await admin.page.close();
    }, 120_000);
  },
);
