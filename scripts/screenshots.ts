// npm run docs:screenshots: docs/screenshots/*.png, as a person first sees the gateway.
// Starts `customer-graph serve` on a new embedded database (its first start creates the
// development app and pre-fills GraphiQL), adds a few customers through the API, and
// photographs GraphiQL after running its first tab, the REST docs page, and the console's
// pages (console-*.png, at 1440×900).
// Needs Debian's chromium (apt-get install chromium) and, for the Chinese sample data, a CJK
// font (apt-get install fonts-wqy-microhei).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildConsole } from './build-console.mjs';
import { CHROMIUM, haveChromium, launchChromium } from './support/browser.ts';
import { startServer } from './support/processes.ts';

const out = new URL('../docs/screenshots/', import.meta.url).pathname;

if (!haveChromium) {
  console.error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
  process.exit(1);
}

await buildConsole();
const dir = mkdtempSync(join(tmpdir(), 'cg-screenshots-'));
const server = await startServer({ DATABASE_URL: `file:${join(dir, 'db')}`, NODE_ENV: 'development' }, 180_000);
const browser = await launchChromium();
try {
  const token = /token:\s+(\S+)/.exec(server.output())?.[1];
  if (!token) throw new Error(`no development token in:\n${server.output()}`);
  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };

  const resolve = `mutation ($input: CreateCustomerByIdentityInput!) { createCustomerByIdentity(input: $input) { customerId } }`;
  const people = [
    { name: '张三', province: '安徽省', city: '合肥市', phone: '13765348726', email: 'zhangsan@example.com', username: 'zhangsan' },
    { name: '李四', province: '浙江省', city: '杭州市', phone: '13800138000', email: 'lisi@example.com', username: 'lisi' },
    { name: '王五', province: '江苏省', city: '南京市', phone: '13912345678', email: 'wangwu@example.com', username: 'wangwu' },
  ];
  const ids: number[] = [];
  for (const { phone, email, username, ...profile } of people) {
    const identityList = [
      { identityType: 'phone', identityValue: phone },
      { identityType: 'email', identityValue: email },
      { identityType: 'username', identityValue: username },
    ];
    ids.push((await graphql(resolve, { input: { identityList, ...profile } })).createCustomerByIdentity.customerId);
  }
  const { groupId } = (await graphql('mutation { createGroup(name: "VIP 客户") { groupId } }')).createGroup;
  await graphql('mutation ($g: ID!, $ids: [ID!]!) { addGroupMembers(groupId: $g, customerIds: $ids) { changed } }', { g: groupId, ids });
  await graphql('mutation ($c: ID!, $f: [ID!]!) { addFriends(customerId: $c, friendIds: $f) { changed } }', {
    c: String(ids[0]),
    f: ids.slice(1).map(String),
  });
  await graphql('mutation ($c: ID!) { followCustomer(userId: "998", customerId: $c, reference: "crm") { userId } }', { c: String(ids[0]) });
  // Two records of 张三 that a merge folded into him: the console draws them in his identity graph.
  const duplicates = [
    { identityList: [{ identityType: 'openid', identityValue: 'o_zs_wx123' }], nickName: '三哥' },
    { identityList: [{ identityType: 'qq', identityValue: '10001' }], company: '合肥科技' },
  ];
  const duplicateIds: number[] = [];
  for (const input of duplicates) duplicateIds.push((await graphql(resolve, { input })).createCustomerByIdentity.customerId);
  const merge = 'mutation ($t: ID!, $s: [ID!]!, $r: String) { mergeCustomers(targetId: $t, sourceIds: $s, reason: $r) { customerId } }';
  await graphql(merge, { t: String(ids[0]), s: [String(duplicateIds[0])], r: 'same WeChat user, confirmed by phone' });
  await graphql(merge, { t: String(ids[0]), s: [String(duplicateIds[1])], r: 'QQ given at the shop counter' });

  mkdirSync(out, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });

  await page.goto(`${server.url}/graphql`);
  await page.locator('.graphiql-container').first().waitFor();
  // Tab 3 (FindByPhone): the customer the data above made, found by phone.
  await page.getByRole('tablist', { name: 'Select active operation' }).getByRole('button', { name: 'FindByPhone', exact: true }).click();
  await page.getByRole('button', { name: 'Variables', exact: true }).click();
  await page.getByRole('button', { name: /^Execute query/ }).click();
  await page.getByRole('menuitem', { name: 'FindByPhone', exact: true }).click();
  await page.locator('.result-window').getByText('13765348726').first().waitFor();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(out, 'graphiql.png') });

  await page.goto(`${server.url}/docs`);
  await page.locator('.opblock').first().waitFor();
  await page.screenshot({ path: join(out, 'rest-docs.png') });

  const operation = page.locator('.opblock', { hasText: '/openapi/customer/createCustomerByIdentity' }).first();
  await operation.locator('.opblock-summary-control').click();
  await operation.locator('.opblock-body').waitFor();
  await operation.evaluate((element) => window.scrollTo(0, element.getBoundingClientRect().top + window.scrollY - 16));
  await page.mouse.move(0, 0);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(out, 'rest-docs-operation.png') });

  await consoleScreenshots(page, server.url, ids[0]);
  console.log(`wrote graphiql.png, rest-docs.png, rest-docs-operation.png and console-*.png in ${out}`);
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** The console: signed in with the pre-filled development token, then Find, a customer, Resolve, Imports and Apps. */
async function consoleScreenshots(page: Page, url: string, customerId: number): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByLabel('Search customers').fill('138');
  await page.getByRole('heading', { name: 'Customers matching “138”' }).waitFor();
  await page.getByText('1 found').waitFor();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(out, 'console-find.png') });

  await page.goto(`${url}/console/#/customer/${customerId}`);
  await page.getByRole('img', { name: `Identity graph of customer ${customerId}` }).waitFor();
  await page.getByRole('list', { name: 'Merge history' }).getByText('QQ given at the shop counter').waitFor();
  await page.getByRole('button', { name: 'Unmerge…' }).first().click();
  await page.getByLabel('Unmerge preview').waitFor();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(out, 'console-customer.png') });

  await page.goto(`${url}/console/#/resolve`);
  await page.getByLabel('Identity value 1').fill('13765348726');
  await page.getByRole('button', { name: 'Add an identity' }).click();
  await page.getByLabel('Identity value 2').fill('lisi@example.com');
  await page.getByLabel('Real name').fill('张三丰');
  await page.getByRole('button', { name: 'Explain' }).click();
  await page.getByLabel('Explanation').waitFor();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(out, 'console-resolve.png') });

  await page.goto(`${url}/console/#/imports`);
  const csv = [
    'phone,realName,sex,tags',
    '13711110001,赵六,男,"vip,新客"',
    '13711110002,钱七,女,',
    'not-a-phone,孙八,男,',
    '13711110004,李九,女,新客',
  ];
  await page
    .getByLabel('File', { exact: true })
    .setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv.join('\n')) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByRole('table', { name: 'Row errors' }).waitFor();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(out, 'console-imports.png') });

  await page.goto(`${url}/console/#/apps`);
  await page.getByLabel('Name', { exact: true }).fill('crm sync');
  await page.getByLabel('customer:write').check();
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('status', { name: 'New app secret' }).waitFor();
  await page.getByRole('table', { name: 'Apps' }).getByText('crm sync').waitFor();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(out, 'console-apps.png') });
}
