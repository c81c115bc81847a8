// examples/client: its generated documents are fresh, and the program, run as a user runs it
// (tsx, a real HTTP server on a free port), gets a token, resolves a customer and prints it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/domain/auth.ts';
import { generate, manifestFile, outputFile } from '../../examples/client/codegen.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { pollUntil } from '../support/poll.ts';

const main = fileURLToPath(new URL('../../examples/client/main.ts', import.meta.url));
const watch = fileURLToPath(new URL('../../examples/client/watch.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an example program; `output` sees its stdout so far while it runs. */
function runExample(args: string[], env: Record<string, string>, program = main, output: { text: string } = { text: '' }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', program, ...args], { env: { ...process.env, ...env } });
    let stderr = '';
    child.stdout.on('data', (d) => (output.text += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: output.text, stderr }));
  });
}

describe('examples/client/generated', () => {
  it('is what codegen makes of schema.graphql and operations.graphql (run `npm run example:codegen` when this fails)', async () => {
    const { documents, manifest } = await generate();
    expect(readFileSync(outputFile, 'utf8')).toBe(documents);
    expect(readFileSync(manifestFile, 'utf8')).toBe(manifest);
  });
});

describe('the example client', () => {
  let t: TestGateway;
  let env: Record<string, string>;

  beforeAll(async () => {
    // The manifest codegen wrote: watch.ts sends its documents' hashes (trusted documents).
    t = await startTestGateway({ GRAPHQL_PERSISTED_DOCUMENTS: fileURLToPath(manifestFile) });
    await t.gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.gateway.app.server.address() as AddressInfo;
    const app = await createApp(t.prisma, { name: 'example', scopes: ['customer:read', 'customer:write'] });
    env = { CUSTOMER_GRAPH_URL: `http://127.0.0.1:${port}`, CUSTOMER_GRAPH_APP_KEY: app.appKey, CUSTOMER_GRAPH_SECRET: app.secret };
  });
  afterAll(() => t.close());

  it('creates a customer by identity, reads it back and prints it; a second run finds the same one', async () => {
    const first = await runExample(['13765348726', '张三'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const [headline, ...json] = first.stdout.trim().split('\n');
    const id = Number(/^created customer (\d+)$/.exec(headline)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(JSON.parse(json.join('\n'))).toMatchObject({
      customerId: id,
      name: '张三',
      identities: [{ identityType: 'phone', identityValue: '13765348726' }],
      groups: [],
    });

    const second = await runExample(['13765348726', '张三'], env);
    expect(second.code).toBe(0);
    expect(second.stdout.split('\n')[0]).toBe(`found customer ${id}`);
    expect(await t.prisma.customer.count()).toBe(1);
  });

  it("fails with the gateway's message when the secret is wrong, or a GraphQL error with its code", async () => {
    const refused = await runExample([], { ...env, CUSTOMER_GRAPH_SECRET: 'wrong' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^example client failed: token refused \(HTTP 401\)/);

    const invalid = await runExample(['not-a-phone'], env);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^example client failed: BAD_INPUT: /);
  });

  it('watch.ts (Apollo Client) reads a customer with @defer, then prints its changes over multipart until it is deleted', async () => {
    const created = await t.graphql(
      'mutation { createCustomer(identities: [{ identityType: "phone", identityValue: "13900000001" }], profile: { name: "赵六" }) { customerId } }',
    );
    const id = created.body.data.createCustomer.customerId as number;
    const output = { text: '' };
    const run = runExample([String(id)], env, watch, output);
    await pollUntil(
      () => output.text.includes('watching customer') && t.gateway.services.pubsub.listening('customerChanged', id) > 0,
      'watch.ts subscribes',
    );
    await t.graphql('mutation($id: ID!) { updateCustomer(id: $id, profile: { name: "赵七" }) { customerId } }', { id });
    await pollUntil(() => output.text.includes('UPDATED'), 'watch.ts prints the update');
    await t.graphql('mutation($id: ID!) { deleteCustomer(id: $id) { customerId } }', { id });
    const { code, stdout, stderr } = await run;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(`watching customer ${id} (赵六; no group)`);
    expect(lines[1]).toMatch(/^\S+ UPDATED: 赵七$/);
    expect(lines[2]).toMatch(/^\S+ DELETED$/);
    expect(lines[3]).toBe('the stream ended');
  });
});
