// npm run docs:screenshots: docs/screenshots/*.png, as a person first sees the gateway.
// Starts `customer-graph serve` on a new embedded database (its first start creates the
// development app and pre-fills GraphiQL), adds a few customers through the API, and
// photographs GraphiQL after running its first tab, and the REST docs page.
// Needs Debian's chromium (apt-get install chromium) and, for the Chinese sample data, a CJK
// font (apt-get install fonts-wqy-microhei).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, haveChromium, launchChromium } from './support/browser.ts';
import { startServer } from './support/processes.ts';

const out = new URL('../docs/screenshots/', import.meta.url).pathname;

if (!haveChromium) {
  console.error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
  process.exit(1);
}

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
  await graphql('mutation ($g: Int!, $ids: [Int!]!) { addGroupMembers(groupId: $g, customerIds: $ids) { changed } }', { g: groupId, ids });
  await graphql('mutation ($c: ID!, $f: [ID!]!) { addFriends(customerId: $c, friendIds: $f) { changed } }', { c: String(ids[0]), f: ids.slice(1).map(String) });
  await graphql('mutation ($c: ID!) { followCustomer(userId: "998", customerId: $c, reference: "crm") { userId } }', { c: String(ids[0]) });

  mkdirSync(out, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });

  await page.goto(`${server.url}/graphql`);
  await page.locator('.graphiql-container').first().waitFor();
  await page.getByRole('button', { name: 'Variables', exact: true }).click();
  await page.getByRole('button', { name: /^Execute query/ }).click();
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
  console.log(`wrote graphiql.png, rest-docs.png and rest-docs-operation.png in ${out}`);
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
