// The import file's fingerprint counts its rows without building them (the job's total and the
// progress bar); the count must be the number of rows the import then reads, whatever the file's
// line endings, quoting and blank lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint, readRows, RowFileError } from '../../src/cli/row-files.ts';
import type { RowFileFormat } from '../../src/domain/imports/file-format.ts';

const dir = mkdtempSync(join(tmpdir(), 'cg-row-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function fileOf(format: RowFileFormat, text: string): string {
  const file = join(dir, `${files++}.${format}`);
  writeFileSync(file, text);
  return file;
}

async function rowsRead(file: string, format: RowFileFormat): Promise<number> {
  let rows = 0;
  for await (const _ of readRows(file, format)) rows++;
  return rows;
}

const cases: [string, RowFileFormat, string, number][] = [
  ['plain CSV', 'csv', 'realName,phone\n张三,13800000001\n李四,13800000002\n', 2],
  ['no final line break', 'csv', 'realName,phone\n张三,13800000001\n李四,13800000002', 2],
  ['CRLF line endings', 'csv', 'realName,phone\r\n张三,13800000001\r\n李四,13800000002\r\n', 2],
  ['a byte order mark', 'csv', '\uFEFFrealName,phone\n张三,13800000001\n', 1],
  ['blank lines', 'csv', 'realName,phone\n\n张三,13800000001\n\n\n李四,13800000002\n\n', 2],
  ['a quoted line break and quotes', 'csv', 'realName,address\n张三,"北京市\n朝阳区 ""一号"""\n李四,上海\n', 2],
  ['a short row and a long one', 'csv', 'realName,phone,sex\n张三\n李四,1,男,extra\n', 2],
  ['blank lines before the header', 'csv', '\n\nrealName,phone\n张三,13800000001\n', 1],
  ['a quoted header, CRLF', 'csv', '"realName","phone"\r\n张三,13800000001\r\n', 1],
  ['a header longer than a read chunk', 'csv', `realName,phone,${'x'.repeat(100_000)}\n张三,13800000001\n`, 1],
  ['a header csv-parse counts (longer than the bytes kept for it)', 'csv', `realName,${'x'.repeat(1_100_000)}\n张三\n李四\n`, 2],
  ['a header only', 'csv', 'realName,phone\n', 0],
  ['an empty file', 'csv', '', 0],
  ['JSON Lines with blank lines', 'jsonl', '{"realName":"张三"}\n\n  \n{"realName":"李四"}\r\n', 2],
  ['JSON Lines with a line that is not JSON', 'jsonl', '{"realName":"张三"}\nnot json\n', 2],
];

describe('fingerprint: the rows of an import file, counted', () => {
  it.each(cases)('%s: counts what the import reads', async (_name, format, text, expected) => {
    const file = fileOf(format, text);
    const { rows } = await fingerprint(file, format);
    expect(rows).toBe(expected);
    expect(await rowsRead(file, format)).toBe(expected);
  });

  it('names the same content the same way, and other content otherwise', async () => {
    const text = 'realName,phone\n张三,13800000001\n';
    const [a, b] = await Promise.all([fingerprint(fileOf('csv', text), 'csv'), fingerprint(fileOf('csv', text), 'csv')]);
    const other = await fingerprint(fileOf('csv', `${text}李四,13800000002\n`), 'csv');
    expect(a.sourceRef).toBe(b.sourceRef);
    expect(other.sourceRef).not.toBe(a.sourceRef);
  });

  it('counts a UTF-16LE CSV file (with its byte order mark) as the import reads it', async () => {
    const file = join(dir, `${files++}.csv`);
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('realName,phone\r\n张三,1\r\n\r\n李四,2\r\n', 'utf16le')]));
    expect((await fingerprint(file, 'csv')).rows).toBe(2);
    expect(await rowsRead(file, 'csv')).toBe(2);
  });

  it("refuses a malformed CSV file with csv-parse's error naming the file, before any job is made", async () => {
    const file = fileOf('csv', 'realName,remark\n张三,ok\n李四,"open\n王五,x\n');
    await expect(fingerprint(file, 'csv')).rejects.toThrow(RowFileError);
    await expect(fingerprint(file, 'csv')).rejects.toThrow(`${file}: Quote Not Closed`);
  });

  it('refuses a CSV file whose first line is not a header, before any job is made', async () => {
    await expect(fingerprint(fileOf('csv', '张三,13800000001\n'), 'csv')).rejects.toThrow(RowFileError);
    await expect(fingerprint(fileOf('csv', '张三,13800000001\n'), 'csv')).rejects.toThrow(/first line must be a header/);
  });
});
