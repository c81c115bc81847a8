// Issue 13, item 2: writes made outside GraphQL are audited like API writes. The CLI's commands
// (app create, app revoke, token revoke, import of a file) name the local operator (cli:<user>);
// the import worker's chunks name the job's app; each chunk's row lists the customers it
// created or changed, by id only; a refused CLI write is recorded as error; a token never
// reaches the log.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor, importRequest, runCommand, type CommandIO, type CommandRequest } from '../../src/cli/commands.ts';
import { mintToken } from '../../src/domain/auth.ts';
import { waitForJob } from '../support/imports.ts';
import { startTestGateway, type GatewayClient, type TestGateway } from '../support/gateway.ts';

let t: TestGateway;
let worker: GatewayClient;
beforeAll(async () => {
  t = await startTestGateway();
  worker = await t.variant({ IMPORT_POLL_MILLIS: '100', IMPORT_CHUNK_SIZE: '2' }, { importWorker: true });
}, 180_000);
afterAll(() => t?.close());

async function run(request: CommandRequest): Promise<{ status: number; out: string[] }> {
  const out: string[] = [];
  const io: CommandIO = {
    out: (line) => out.push(line),
    err: (line) => out.push(line),
    progress: { start: () => undefined, update: () => undefined, stop: () => undefined },
    signal: new AbortController().signal,
  };
  return { status: await runCommand(t.db.database, t.config, request, io), out };
}

const rowsOf = (action: string) => t.prisma.auditLog.findMany({ where: { action }, orderBy: { id: 'asc' } });
const detailsOf = (row: { details: string | null }) => JSON.parse(row.details ?? '{}');

describe('CLI writes', () => {
  it('app create, app revoke and token revoke each leave a row naming the operator; the token is not in it', async () => {
    const created = await run({ command: 'app create', name: 'partner', scopes: ['customer:read'], json: true });
    expect(created.status).toBe(0);
    const { appKey } = JSON.parse(created.out[0]) as { appKey: string };
    const token = await mintToken(t.prisma, appKey, 3600);
    expect((await run({ command: 'token revoke', token })).status).toBe(0);
    expect((await run({ command: 'app revoke', appKey })).status).toBe(0);

    const [create] = await rowsOf('createApp');
    expect(create).toMatchObject({ actor: cliActor(), entityType: 'App', entityId: appKey });
    expect(detailsOf(create)).toMatchObject({ outcome: 'ok', via: 'CLI' });
    const [revokeToken] = await rowsOf('revokeToken');
    expect(revokeToken).toMatchObject({ actor: cliActor(), entityType: 'Token' });
    const [revokeApp] = await rowsOf('revokeApp');
    expect(revokeApp).toMatchObject({ actor: cliActor(), entityType: 'App', entityId: appKey });
    expect(detailsOf(revokeApp).outcome).toBe('ok');
    const everything = JSON.stringify(await t.prisma.auditLog.findMany());
    expect(everything).not.toContain(token);
    expect(cliActor()).toMatch(/^cli(:.+)?$/);
  });

  it('a refused CLI write (revoking an unknown app) is recorded as error', async () => {
    await expect(run({ command: 'app revoke', appKey: 'no-such-app' })).rejects.toThrow(/no-such-app|app/);
    const rows = (await rowsOf('revokeApp')).filter((row) => row.entityId === 'no-such-app');
    expect(rows).toHaveLength(1);
    expect(detailsOf(rows[0])).toMatchObject({ outcome: 'error', code: 'NOT_FOUND' });
  });

  it('an import of a file records its job and each chunk, with the customers it created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'phone,realName\n13900001111,Cli One\n13900002222,Cli Two\n13900003333,Cli Three\n');
    const request = importRequest(file, { matching: true, matchingType: 2, identifyWay: 2, mode: 2, chunkSize: 2 });
    expect((await run(request)).status).toBe(0);

    const [submission] = await rowsOf('importFile');
    expect(submission).toMatchObject({ actor: cliActor(), entityType: 'ImportJob' });
    const jobId = Number(submission.entityId);
    const chunks = (await rowsOf('importChunk')).filter((row) => row.entityId === String(jobId));
    expect(chunks.map((row) => row.actor)).toEqual([cliActor(), cliActor()]);
    const created = chunks.flatMap((row) => detailsOf(row).changes.created as number[]);
    const customers = await t.prisma.customer.findMany({ where: { realName: { startsWith: 'Cli ' } }, select: { id: true } });
    expect(created.sort()).toEqual(customers.map((c) => c.id).sort());
    expect(JSON.stringify(chunks)).not.toContain('13900001111');
  });
});

describe('import worker writes', () => {
  it("each chunk a worker applies leaves a row naming the job's app, in the chunk's transaction", async () => {
    const existing = await t.graphql(
      `mutation { createCustomer(profile: { name: "Known" }, identities: [{ identityType: "phone", identityValue: "13900005555" }]) { customerId } }`,
    );
    const knownId = Number(existing.body.data.createCustomer.customerId);
    const profiles = [
      { phone: '13900005555', remark: 'updated by import' },
      { phone: '13900006666', realName: 'New From Worker' },
      { phone: '13900007777', realName: 'Another New' },
    ];
    const input = { kind: 'PROFILE', publicParams: { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 }, profiles };
    const submit = await worker.graphql(
      `mutation ($input: ImportCustomersInput!) { importCustomers(input: $input) { batchId } }`,
      { input },
      { token: t.tokens.readWrite },
    );
    expect(submit.body.errors).toBeUndefined();
    const jobId = Number(submit.body.data.importCustomers.batchId);
    expect((await waitForJob(t.prisma, jobId)).status).toBe('SUCCEEDED');

    const job = await t.prisma.importJob.findUniqueOrThrow({ where: { id: jobId }, select: { app: { select: { appKey: true } } } });
    const chunks = (await rowsOf('importChunk')).filter((row) => row.entityId === String(jobId));
    expect(chunks).toHaveLength(2);
    for (const row of chunks) expect(row.actor).toBe(`app:${job.app!.appKey}`);
    const changes = chunks.map((row) => detailsOf(row).changes);
    expect(changes.flatMap((c) => c.updated ?? [])).toContain(knownId);
    expect(changes.flatMap((c) => c.created ?? [])).toHaveLength(2);
  });
});
