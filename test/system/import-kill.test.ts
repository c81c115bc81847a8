// The kill test: `customer-graph import` SIGKILLed at random points after it started writing,
// ten times in a row, each re-run resuming at the job's cursor; then it completes. Nobody is
// missing, nobody is doubled, no row is counted twice. And mode 1 (all or nothing) killed
// leaves nothing written, or (killed while writing) completes everything on the re-run.
// CI size: 4,000 rows; IMPORT_KILL_ROWS=20000 runs the full size.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProfileRows, type ProfileRow } from '../../src/test-data/customers.ts';
import { writeRowsFile } from '../../src/test-data/write-file.ts';
import { freshDatabaseUrl } from '../support/database.ts';
import { customersPerPerson, everyPersonOnce, peopleOf, withSql } from '../support/people.ts';
import { runCli } from '../../scripts/support/processes.ts';

const ROWS = Number(process.env.IMPORT_KILL_ROWS ?? 4000);
const KILLS = 10;
// About 40 chunks, so ten kills land at different points.
const CHUNK = Math.max(50, Math.round(ROWS / 40));
const bin = fileURLToPath(new URL('../../bin/customer-graph.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cg-kill-'));

// The kill delays come from one seeded generator, and the seed is printed (and in the test
// names): KILL_SEED=<n> replays a failed run's delays. The moments they count from still
// depend on how fast the import runs, so a replay hits the same delays, not the same rows.
const KILL_SEED = process.env.KILL_SEED ? Number(process.env.KILL_SEED) : Date.now() % 2 ** 31;
if (!Number.isSafeInteger(KILL_SEED)) throw new Error(`KILL_SEED must be an integer, not ${process.env.KILL_SEED}`);
console.log(
  `import-kill: KILL_SEED=${KILL_SEED} (KILL_SEED=${KILL_SEED} npx vitest run test/system/import-kill.test.ts replays the delays)`,
);
const killDelays = xoroshiro128plus(KILL_SEED);

interface Killed {
  /** The cursor the run said it resumed at (0 on a first run). */
  resumedAt: number;
  /** The last committed count its progress showed before the kill. */
  lastSeen: number;
  /** Whether it finished before the kill came. */
  exited: boolean;
}

/**
 * Starts the import and SIGKILLs it at a random moment once `ready` says, from its output,
 * that it is writing (or checking): a seeded random 0–599 ms later, mid-chunk or between chunks.
 */
function importThenKill(
  args: string[],
  url: string,
  ready: (committed: number, resumedAt: number, output: string) => boolean,
): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'import', ...args, '--progress-interval', '0.1'], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: url },
    });
    let output = '';
    let resumedAt = 0;
    let lastSeen = 0;
    let killing = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the import never started writing:\n${output}`));
    }, 240_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const resumed = /rows 0…(\d+) were committed/.exec(output);
      if (resumed) resumedAt = Number(resumed[1]) + 1;
      const progress = [...output.matchAll(/(\d+)\/\d+ rows (?:committed|checked)/g)];
      if (progress.length) lastSeen = Number(progress[progress.length - 1][1]);
      if (!killing && ready(lastSeen, resumedAt, output)) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), uniformInt(killDelays, 0, 599));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`the import exited with ${code}:\n${output}`));
      else resolve({ resumedAt, lastSeen, exited: signal !== 'SIGKILL' });
    });
  });
}

function inspect(url: string, people: string[][]) {
  return withSql(url, async (sql) => {
    const jobs = await sql<{
      id: number;
      status: string;
      total: number;
      processed: number;
      succeeded: number;
      failed: number;
      cursor: number;
    }>('SELECT id, status, total, processed, succeeded, failed, cursor FROM "ImportJob" ORDER BY id');
    const [{ errors }] = await sql<{ errors: number }>('SELECT count(*)::int AS errors FROM "ImportRowError"');
    const [{ customers }] = await sql<{ customers: number }>('SELECT count(*)::int AS customers FROM "Customer"');
    return { jobs, errors, customers, graph: await customersPerPerson(sql, people) };
  });
}

async function generated(name: string, rows: number, seed: number, extra: unknown[] = []) {
  const data: ProfileRow[] = [...generateProfileRows({ customers: rows, seed })];
  const file = join(dir, name);
  await writeRowsFile(file, 'csv', [...data, ...(extra as ProfileRow[])]);
  return { file, people: peopleOf(data) };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`an import killed with SIGKILL (KILL_SEED=${KILL_SEED})`, () => {
  let db: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    db = await freshDatabaseUrl();
  });
  afterAll(() => db.drop());

  it(`resumes after each of ${KILLS} kills and ends with every person exactly once (${ROWS} rows)`, { timeout: 1_200_000 }, async () => {
    const { file, people } = await generated('people.csv', ROWS, 42);
    const args = [file, '--chunk-size', String(CHUNK)];
    const runs: Killed[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      // Killed once this run has committed at least one chunk of its own.
      const run = await importThenKill(args, db.url, (committed, resumedAt) => committed > resumedAt);
      runs.push(run);
      if (run.exited) break;
      // The kill can land after the last chunk finished the job: a further run would be a new import.
      const { jobs } = await inspect(db.url, people);
      if (jobs.length === 1 && jobs[0].status === 'SUCCEEDED') break;
    }
    const cursors = runs.map((r) => r.resumedAt);
    // Every re-run resumed where the one before it had got to (never earlier than its progress showed).
    for (let i = 1; i < runs.length; i++) {
      expect(cursors[i], `resume points ${cursors}`).toBeGreaterThanOrEqual(runs[i - 1].lastSeen);
      expect(cursors[i] % CHUNK, `resume points ${cursors}`).toBe(0);
    }
    expect(cursors[runs.length - 1], `resume points ${cursors}`).toBeGreaterThan(0);

    // The last re-run finishes the job, unless a run already finished it before its kill landed
    // (or exited by itself): a re-run of a finished file is a new import by design.
    const beforeLast = await inspect(db.url, people);
    if (beforeLast.jobs.length !== 1 || beforeLast.jobs[0].status !== 'SUCCEEDED') {
      const last = await runCli(['import', ...args], { DATABASE_URL: db.url }, 600_000);
      expect(last.code, last.stdout + last.stderr).toBe(0);
      expect(last.stdout).toMatch(/Resuming job #\d+|SUCCEEDED/);
    }

    const state = await inspect(db.url, people);
    expect(state.jobs).toHaveLength(1);
    expect(state.jobs[0]).toMatchObject({ status: 'SUCCEEDED', total: ROWS, processed: ROWS, succeeded: ROWS, failed: 0, cursor: ROWS });
    expect(state.errors).toBe(0);
    expect(state.graph).toEqual(everyPersonOnce(people.length));
    // No merges happened either: every customer row ever created is one of the people.
    expect(state.customers).toBe(people.length);
  });
});

describe(`an all-or-nothing import (--mode 1) killed with SIGKILL (KILL_SEED=${KILL_SEED})`, () => {
  let db: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    db = await freshDatabaseUrl();
  });
  afterAll(() => db.drop());

  // Enough chunks that the kill lands while writing, even on a fast machine.
  const rows = Math.max(4000, ROWS);

  it(
    'with a bad row: killed while it checks the file, nothing is written; re-run, it fails with nothing written',
    { timeout: 600_000 },
    async () => {
      // A large file, so the check (no writes, fast) is still running when the kill lands.
      const checkRows = Math.max(20_000, ROWS * 5);
      const { file, people } = await generated('strict-bad.csv', checkRows, 7, [
        { phone: '13100000000', realName: '坏行', birthday: '1999-02-30' },
      ]);
      const killed = await importThenKill([file, '--mode', '1', '--chunk-size', String(CHUNK)], db.url, (_c, _r, output) =>
        /check strict-bad\.csv/.test(output),
      );
      expect(killed.exited).toBe(false);
      let state = await inspect(db.url, people);
      expect(state.customers).toBe(0);

      const rerun = await runCli(['import', file, '--mode', '1', '--chunk-size', String(CHUNK)], { DATABASE_URL: db.url }, 600_000);
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(1);
      expect(rerun.stdout).toMatch(/FAILED/);
      state = await inspect(db.url, people);
      expect(state.customers).toBe(0);
      // One job if the kill cut the check short (the re-run resumed it), two if the first run
      // had already failed the job when the kill landed (a finished job is not resumed).
      expect(state.jobs.length).toBeGreaterThanOrEqual(1);
      for (const job of state.jobs) expect(job).toMatchObject({ status: 'FAILED', failed: 1, succeeded: 0, processed: checkRows + 1 });
      // The check of the killed run left no duplicate errors behind: one per job.
      expect(state.errors).toBe(state.jobs.length);
    },
  );

  it('with valid rows: killed while writing, the job is not finished; re-run, everything is there once', { timeout: 600_000 }, async () => {
    const { file, people } = await generated('strict-good.csv', rows, 8);
    const args = [file, '--mode', '1', '--chunk-size', String(CHUNK)];
    const killed = await importThenKill(
      args,
      db.url,
      (committed, resumedAt, output) => /import strict-good\.csv/.test(output) && committed > resumedAt,
    );
    expect(killed.exited).toBe(false);
    let state = await inspect(db.url, people);
    const job = state.jobs.find((j) => j.total === rows)!;
    expect(job.status).toBe('RUNNING');
    expect(job.cursor).toBeGreaterThan(0);

    const rerun = await runCli(['import', ...args], { DATABASE_URL: db.url }, 600_000);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`Resuming job #${job.id}`);
    state = await inspect(db.url, people);
    expect(state.jobs.find((j) => j.id === job.id)).toMatchObject({ status: 'SUCCEEDED', processed: rows, succeeded: rows, failed: 0 });
    expect(state.graph).toEqual(everyPersonOnce(people.length));
  });
});
