// IMPORT_PAYLOAD_RETENTION_DAYS: the rows an import job was sent (personal data) are kept only
// for a while after it finished; the worker clears older ones. Counters and row errors stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearFinishedPayloads, createImportJob } from '../../src/domain/imports/jobs.ts';
import { startImportWorker } from '../../src/domain/imports/worker.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { ShutdownHooks } from '../../src/shutdown.ts';
import { freshDatabase, type TestDatabase } from '../support/database.ts';
import { waitForJob } from '../support/imports.ts';
import { pollUntil } from '../support/poll.ts';

const quiet = { info() {}, warn() {}, error() {} };
const options = { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 };
const DAY = 86_400_000;

let db: TestDatabase;
let prisma: PrismaClient;
beforeAll(async () => {
  db = await freshDatabase();
  prisma = db.database.prisma;
});
afterAll(async () => {
  await db.drop();
});

async function job(status: string, finishedDaysAgo: number | null) {
  const { job } = await createImportJob(
    prisma,
    { kind: 'PROFILE', options, origin: 'REST', rows: [{ phone: '13900000000', realName: '某人' }] },
    'test',
  );
  const finishedAt = finishedDaysAgo === null ? null : new Date(Date.now() - finishedDaysAgo * DAY);
  return prisma.importJob.update({ where: { id: job.id }, data: { status, finishedAt } });
}

describe('finished import payloads', () => {
  it('are cleared once past the retention; unfinished and recent jobs keep theirs', async () => {
    const old = await job('SUCCEEDED', 8);
    const oldFailed = await job('FAILED', 30);
    const recent = await job('PARTIAL', 1);
    // Not picked up by a worker in this test: RUNNING with a live lease.
    const running = await prisma.importJob.update({
      where: { id: (await job('RUNNING', null)).id },
      data: { lockedBy: 'w', lockedUntil: new Date(Date.now() + DAY) },
    });
    expect(await clearFinishedPayloads(prisma, new Date(Date.now() - 7 * DAY))).toBe(2);
    const payloads = async (ids: number[]) =>
      (await prisma.importJob.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })).map((j) => j.payload !== null);
    expect(await payloads([old.id, oldFailed.id, recent.id, running.id])).toEqual([false, false, true, true]);
    expect((await prisma.importJob.findUniqueOrThrow({ where: { id: old.id } })).status).toBe('SUCCEEDED');
  });

  it('are cleared by the worker as soon as the job finishes with a retention of 0 days', async () => {
    await prisma.importJob.updateMany({ where: { status: 'RUNNING' }, data: { status: 'FAILED', finishedAt: new Date() } });
    const shutdown = new ShutdownHooks();
    const config = { IMPORT_POLL_MILLIS: 20, IMPORT_LEASE_MILLIS: 5_000, IMPORT_CHUNK_SIZE: 500, IMPORT_PAYLOAD_RETENTION_DAYS: 0 };
    const worker = startImportWorker({ prisma, config, shutdown, log: quiet });
    try {
      const { job: submitted } = await createImportJob(
        prisma,
        { kind: 'PROFILE', options, origin: 'REST', rows: [{ phone: '13900000001', realName: '某人' }] },
        'test',
      );
      worker.poke();
      const finished = await waitForJob(prisma, submitted.id);
      expect(finished).toMatchObject({ status: 'SUCCEEDED', succeeded: 1 });
      await pollUntil(
        async () => (await prisma.importJob.findUniqueOrThrow({ where: { id: submitted.id } })).payload === null,
        "the finished job's payload cleared",
      );
    } finally {
      await worker.stop();
    }
  });
});
