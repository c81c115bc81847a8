// `customer-graph import FILE` through the real command (CONTRACT §1): CSV and JSON Lines,
// bad rows → PARTIAL with an error report naming row, line and field, exit codes, mode 1.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../support/database.ts';
import { withSql, type Sql } from '../support/people.ts';
import { runCli } from '../../scripts/support/processes.ts';

const bin = fileURLToPath(new URL('../../bin/customer-graph.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cg-import-'));
let db: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  db = await freshDatabaseUrl();
});
afterAll(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

const CLI_TIMEOUT = 120_000;
const importCli = (args: string[]) => runCli(['import', ...args, '--progress-interval', '0.5'], { DATABASE_URL: db.url }, CLI_TIMEOUT);

const inDatabase = <T>(query: (sql: Sql) => Promise<T>) => withSql(db.url, query);

const customerByPhone = (phone: string) =>
  inDatabase(async (sql) => {
    const rows = await sql<{ realName: string; birthday: string | null; count: number }>(
      `SELECT c."realName", c.birthday, (SELECT count(*)::int FROM "Identity" x WHERE x.type = 'phone' AND x.value = $1) AS count
         FROM "Identity" i JOIN "Customer" c ON c.id = i."customerId" WHERE i.type = 'phone' AND i.value = $1`,
      [phone],
    );
    return rows[0];
  });

const report = (file: string) =>
  parse<{ row: string; line: string; field: string; message: string }>(readFileSync(file, 'utf8'), { columns: true });

// Each test runs up to three CLI processes: about 10-20 s each on a loaded 2-core machine.
describe('customer-graph import', { timeout: 300_000 }, () => {
  it('imports a CSV file, keeps the valid rows (PARTIAL, exit 2) and reports each bad row with its line and field', async () => {
    const file = join(dir, 'people.csv');
    writeFileSync(
      file,
      [
        'phone,realName,sex,birthday,remark,tags,customFields',
        '13800000001,张三,男,1990-01-02,,"VIP,新客","[{""configId"":1,""configName"":""兴趣"",""values"":[""阅读"",""旅行""]}]"',
        // A quoted remark over two lines: the rows after it are one line further down.
        '13800000002,李四,女,yesterday,"第一行\n第二行",,',
        '13800000003,王五,男,1985-05-06,,,not json',
        '13800000004,赵六,女,1970-12-31,,,',
        '',
      ].join('\n'),
    );
    const res = await importCli([file]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stdout).toMatch(/Job #\d+: PARTIAL/);
    expect(res.stdout).toMatch(/rows\s+4\n\s+succeeded\s+2\n\s+failed\s+2/);
    const errorsFile = join(dir, 'people.errors.csv');
    expect(res.stdout).toContain(errorsFile);
    expect(report(errorsFile)).toEqual([
      { row: '1', line: '4', field: 'birthday', message: 'must be a date as yyyy-MM-dd' },
      { row: '2', line: '5', field: 'customFields', message: 'is not valid JSON' },
    ]);
    expect(await customerByPhone('13800000001')).toMatchObject({ realName: '张三', birthday: '1990-01-02', count: 1 });
    expect(await customerByPhone('13800000004')).toMatchObject({ realName: '赵六' });
    expect(await customerByPhone('13800000002')).toBeUndefined();
  });

  it('Ctrl-C stops after the current chunk, says how to resume, leaves the job INTERRUPTED, and the same command resumes it', async () => {
    const file = join(dir, 'many.csv');
    const rows = Array.from({ length: 20_000 }, (_, i) => `1370${String(i).padStart(7, '0')},中断${i}`);
    writeFileSync(file, ['phone,realName', ...rows, ''].join('\n'));
    const child = spawn(process.execPath, [bin, 'import', file, '--chunk-size', '100', '--progress-interval', '0.2'], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: db.url },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupted once some chunks are committed (a progress line counts them).
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/import many\.csv: [1-9]\d*\/20000 rows committed/.test(stderr)) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    const said = /Interrupted: job #(\d+) stopped after row (\d+) of 20000/.exec(stderr);
    expect(said, stderr).not.toBeNull();
    expect(stderr).toContain('Run the same command again to resume');
    const [job] = await inDatabase((sql) =>
      sql<{ status: string; cursor: number }>(`SELECT status, cursor FROM "ImportJob" WHERE id = $1`, [Number(said![1])]),
    );
    expect(job).toEqual({ status: 'INTERRUPTED', cursor: Number(said![2]) });
    expect(stdout).not.toContain('SUCCEEDED');

    const resumed = await importCli([file]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`Resuming job #${said![1]}`);
    expect(resumed.stdout).toMatch(/Job #\d+: SUCCEEDED/);
  });

  it('imports JSON Lines (blank lines skipped), writes the report where --errors says', async () => {
    const file = join(dir, 'people.jsonl');
    const errorsFile = join(dir, 'custom-report.csv');
    writeFileSync(
      file,
      [
        JSON.stringify({
          phone: '13900000001',
          realName: '钱七',
          customFields: [{ configId: 1, configName: '兴趣', values: ['篮球', '音乐'] }],
        }),
        '',
        '{"phone": "13900000002", "realName": ',
        JSON.stringify({ phone: '13900000003', realName: '孙八', sex: '中' }),
        JSON.stringify({ unionid: 'oU-jsonl-1', openid: 'o-jsonl-1', realName: '周九' }),
      ].join('\n') + '\n',
    );
    const res = await importCli([file, '--errors', errorsFile]);
    expect(res.code, res.stderr).toBe(2);
    expect(report(errorsFile)).toEqual([
      { row: '1', line: '3', field: '', message: 'must be an object' },
      { row: '2', line: '4', field: 'sex', message: 'must be 男 or 女 (also M/F, 1/2)' },
    ]);
    expect(await customerByPhone('13900000001')).toMatchObject({ realName: '钱七', count: 1 });
  });

  it('exits 0 on SUCCEEDED without a report; importing the same file again matches the same customers', async () => {
    const file = join(dir, 'clean.csv');
    writeFileSync(file, 'phone,realName,unionid\n13700000001,吴十,oU-clean-1\n13700000002,郑一,\n');
    for (let run = 0; run < 2; run++) {
      const res = await importCli([file, '--matching-type', '2', '--identify-way', '2']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/SUCCEEDED/);
    }
    expect(existsSync(join(dir, 'clean.errors.csv'))).toBe(false);
    expect(await customerByPhone('13700000001')).toMatchObject({ realName: '吴十', count: 1 });
    const jobs = await inDatabase((sql) =>
      sql<{ status: string; origin: string }>(
        `SELECT status, origin FROM "ImportJob" WHERE "sourceRef" LIKE 'file:%' ORDER BY id DESC LIMIT 2`,
      ),
    );
    expect(jobs).toEqual([
      { status: 'SUCCEEDED', origin: 'CLI' },
      { status: 'SUCCEEDED', origin: 'CLI' },
    ]);
  });

  it('--mode 1 (all or nothing): one bad row fails the job (exit 1) and writes no customer', async () => {
    const file = join(dir, 'strict.csv');
    writeFileSync(file, 'phone,realName,birthday\n13600000001,冯二,2000-01-01\n13600000002,陈三,2000-13-45\n13600000003,褚四,\n');
    const res = await importCli([file, '--mode', '1']);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/Job #\d+: FAILED/);
    expect(report(join(dir, 'strict.errors.csv'))).toEqual([
      { row: '1', line: '3', field: 'birthday', message: 'must be a date as yyyy-MM-dd' },
    ]);
    expect(await customerByPhone('13600000001')).toBeUndefined();
    expect(await customerByPhone('13600000003')).toBeUndefined();
  });

  it('--mode 1: a row only the database can judge fails its chunk; the import stops there, earlier chunks stay (README)', async () => {
    const file = join(dir, 'strict-db.jsonl');
    const rows = [
      { phone: '13400000001', realName: '甲' },
      { phone: '13400000002', realName: '乙' },
      // Valid in shape; no custom field has this name, which only the database knows.
      { phone: '13400000003', realName: '丙', customFields: [{ configName: '没有这个字段', values: ['x'] }] },
      { phone: '13400000004', realName: '丁' },
      { phone: '13400000005', realName: '戊' },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const res = await importCli([file, '--mode', '1', '--chunk-size', '2']);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/FAILED/);
    expect(report(join(dir, 'strict-db.errors.csv'))).toEqual([
      { row: '2', line: '3', field: 'customFields[0].configName', message: 'no custom field named "没有这个字段"; give its configId' },
    ]);
    expect(await customerByPhone('13400000002')).toMatchObject({ realName: '乙' });
    for (const phone of ['13400000003', '13400000004', '13400000005']) expect(await customerByPhone(phone)).toBeUndefined();
  });

  it('refuses bad usage with exit 1 and a message naming the problem', async () => {
    const unknown = join(dir, 'people.txt');
    writeFileSync(unknown, 'phone\n1\n');
    const byExtension = await importCli([unknown]);
    expect(byExtension.code).toBe(1);
    expect(byExtension.stderr).toContain('--format csv|jsonl');
    const badMode = await importCli([join(dir, 'people.csv'), '--mode', '3']);
    expect(badMode.code).toBe(1);
    expect(badMode.stderr).toContain('--mode must be 1 or 2');
    const noHeader = join(dir, 'noheader.csv');
    writeFileSync(noHeader, '13500000001,蒋五\n');
    const headerless = await importCli([noHeader]);
    expect(headerless.code).toBe(1);
    expect(headerless.stderr).toContain('the first line must be a header of field names');
  });
});
