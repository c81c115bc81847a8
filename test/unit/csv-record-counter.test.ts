// The import's CSV record counter must count what csv-parse reads with the import's options
// (the job's total is the number of rows the import then reads), from the bytes, whatever the
// chunks they come in; where csv-parse refuses a file, the counter must say so (the caller then
// lets csv-parse refuse it), never hang or guess.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvRecordCounter } from '../../src/cli/csv-record-counter.ts';
import { CSV_RECORDS } from '../../src/cli/row-files.ts';

/** csv-parse's record count for the bytes, or 'malformed' where it throws. */
function parserCount(bytes: Buffer): number | 'malformed' {
  try {
    return parse(bytes, CSV_RECORDS).length;
  } catch {
    return 'malformed';
  }
}

/** The counter's record count for the bytes in these chunks, or why it leaves the file to csv-parse. */
function counterCount(chunks: Buffer[]): number | string {
  const counter = new CsvRecordCounter();
  for (const chunk of chunks) counter.write(chunk);
  counter.end();
  return counter.parserNeeded ?? counter.records;
}

/** The bytes split into two chunks at every offset (an empty first or last chunk included). */
const splitsInTwo = (bytes: Buffer) => Array.from({ length: bytes.length + 1 }, (_, at) => [bytes.subarray(0, at), bytes.subarray(at)]);

const CUSTOM_FIELDS = '"[{""configId"":1,""configName"":""兴趣"",""values"":[""阅读"",""旅行""]}]"';
const BOM = '\uFEFF';

// [case, file text, records (the header included) csv-parse reads, or 'malformed' where it refuses the file]
const cases: [string, string, number | 'malformed'][] = [
  ['an empty file', '', 0],
  ['a line break only', '\n', 0],
  ['plain rows', 'realName,phone\n张三,1\n李四,2\n', 3],
  ['no final line break', 'realName,phone\n张三,1\n李四,2', 3],
  ['CRLF', 'realName,phone\r\n张三,1\r\n李四,2\r\n', 3],
  ['CRLF, no final line break', 'realName,phone\r\n张三,1\r\n李四,2', 3],
  ['CR (old Mac)', 'realName,phone\r张三,1\r李四,2\r', 3],
  ['empty lines (LF)', '\n\nrealName,phone\n\n张三,1\n\n\n李四,2\n', 3],
  ['empty lines (CRLF)', '\r\n\r\nrealName,phone\r\n\r\n张三,1\r\n\r\n李四,2\r\n', 3],
  ['empty lines (CR)', 'realName,phone\r\r张三,1\r\r', 2],
  ['trailing blank lines', 'realName,phone\n张三,1\n\n\n\n', 2],
  ['trailing blank lines (CRLF)', 'realName,phone\r\n张三,1\r\n\r\n\r\n', 2],
  ['a BOM', `${BOM}realName,phone\n张三,1\n`, 2],
  ['a BOM only', BOM, 0],
  ['a BOM and a quoted header', `${BOM}"realName",phone\n张三,1\n`, 2],
  ['a quoted comma', 'realName,address\n张三,"北京市,朝阳区"\n', 2],
  ['a quoted LF', 'realName,address\n张三,"北京市\n朝阳区"\n李四,上海\n', 3],
  ['a quoted CRLF', 'realName,address\r\n张三,"北京市\r\n朝阳区"\r\n李四,上海\r\n', 3],
  ['a quoted CR', 'realName,address\n张三,"北京市\r朝阳区"\n', 2],
  ['a quoted empty line', 'realName,address\n张三,"\n\n"\n', 2],
  ['escaped quotes', 'realName,remark\n张三,"他说""你好"""\n李四,""""\n', 3],
  ['a quoted empty field', 'realName,remark\n张三,""\n""\n', 3],
  ['a quoted field last in the file', 'realName,remark\n张三,"好"', 2],
  ['an escaped quote last in the file', 'realName,remark\n张三,"好"""', 2],
  ['a customFields JSON column', `realName,customFields\n张三,${CUSTOM_FIELDS}\n李四,${CUSTOM_FIELDS}`, 3],
  ['customFields with CRLF', `realName,customFields\r\n张三,${CUSTOM_FIELDS}\r\n`, 2],
  ['commas only', 'realName,phone\n,\n,,,\n', 3],
  ['a line of spaces (a record)', 'realName,phone\n  \n张三,1\n', 3],
  ['LF records: a CR is data', 'realName,phone\n张三,1\r\n\r\n李四,2\n', 4],
  ['CRLF records: a lone LF is data', 'realName,phone\r\n张三,1\n李四,2\r\n\n\r\n', 3],
  ['CRLF records: a lone CR is data', 'realName,phone\r\n张三,1\r李四,2\r\n\r\r\n', 3],
  ['CRLF records: CR CRLF', 'realName,phone\r\n张三,1\r\r\n', 2],
  ['CRLF records: a CR last in the file', 'realName,phone\r\n张三,1\r', 2],
  ['CR records: an LF is data', 'realName,phone\r\n', 1],
  ['CR records: LF after the first record', 'realName,phone\r张三,1\r\n李四\r', 3],
  ['the first line break is quoted', '"real\nName",phone\r\n张三,1\r\n', 2],
  ['a NUL after a closing quote', 'realName,phone\n"张三"\0,1\n', 2],
  ['an unterminated quote', 'realName,remark\n张三,"open\n李四,2\n', 'malformed'],
  ['an unterminated quote in the header', '"realName,remark\n', 'malformed'],
  ['a quote inside an unquoted field', 'realName,remark\n张三,5" screen\n', 'malformed'],
  ['a space before an opening quote', 'realName,remark\n张三, "x"\n', 'malformed'],
  ['a character after a closing quote', 'realName,remark\n张三,"x"y\n', 'malformed'],
  ['a CR after a closing quote (LF records)', 'realName,remark\n张三,"x"\r\n', 'malformed'],
  ['a lone CR after a closing quote (CRLF records)', 'realName,remark\r\n张三,"x"\r李四\r\n', 'malformed'],
  ['a CR after a closing quote, last in the file (CRLF records)', 'realName,remark\r\n张三,"x"\r', 'malformed'],
  ['an LF after a closing quote (CR records)', 'realName,remark\r张三,"x"\n', 'malformed'],
];

describe('CsvRecordCounter: the records csv-parse reads, counted from bytes', () => {
  it.each(cases)('%s', (_name, text, expected) => {
    const bytes = Buffer.from(text);
    expect(parserCount(bytes)).toBe(expected);
    expect(counterCount([bytes])).toBe(expected);
    expect(counterCount([...bytes].map((byte) => Buffer.from([byte])))).toBe(expected);
    for (const chunks of splitsInTwo(bytes)) expect(counterCount(chunks)).toBe(expected);
  });

  it('counts a tricky file alike whatever byte it is split at', () => {
    const text = `${BOM}realName,remark,customFields\r\n\r\n"张""三","a,\r\nb""",${CUSTOM_FIELDS}\r\n李四,"\r",""\r\n\r\n王五,\n,"""x"""\r\n\r\n`;
    const bytes = Buffer.from(text);
    expect(parserCount(bytes)).toBe(4);
    for (const chunks of splitsInTwo(bytes)) expect(counterCount(chunks)).toBe(4);
  });

  it('leaves a UTF-16LE file (byte order mark FF FE) to csv-parse', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('realName,phone\r\n张三,1\r\n', 'utf16le')]);
    for (const chunks of splitsInTwo(bytes)) expect(counterCount(chunks)).toBe('utf-16');
  });

  it('gives where the first record ends, for the header check', () => {
    const cases: [string, number][] = [
      [`${BOM}\n\nrealName,phone\n张三,1\n`, 3 + 2 + 15],
      ['realName\r\n张三\r\n', 9], // the first CR ends the first record, whether LF follows or not
      ['realName\r张三\r', 9],
      ['"real\nName"', 11],
    ];
    for (const [text, end] of cases) {
      for (const chunks of splitsInTwo(Buffer.from(text))) {
        const counter = new CsvRecordCounter();
        for (const chunk of chunks) counter.write(chunk);
        counter.end();
        expect(counter.firstRecordEnd).toBe(end);
      }
    }
  });
});

/** mulberry32: a small seeded PRNG, so a failing case can be replayed. */
function randomOf(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const QUOTED_PIECES = ['a', '张三', ',', '""', '\n', '\r', '\r\n', ' ', '{""k"":[1]}'];
const PLAIN_PIECES = ['a', '1', '张三', '北京市', ' ', '@', '\t'];

/** A generated CSV file csv-parse reads: random quoting, line breaks, empty lines, BOM, final line break or not. */
function generatedCsv(random: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const lineBreak = pick(['\n', '\r\n', '\r']);
  const pieces = (from: string[]) => Array.from({ length: Math.floor(random() * 4) }, () => pick(from)).join('');
  const field = () => {
    const kind = random();
    if (kind < 0.3) return `"${pieces(QUOTED_PIECES)}"`;
    if (kind < 0.4) return CUSTOM_FIELDS;
    return pieces(PLAIN_PIECES);
  };
  const lines = Array.from({ length: Math.floor(random() * 8) }, () =>
    random() < 0.15 ? '' : Array.from({ length: 1 + Math.floor(random() * 4) }, field).join(','),
  );
  return (random() < 0.2 ? BOM : '') + lines.join(lineBreak) + (random() < 0.5 ? lineBreak : '');
}

/** The generated file with a few bytes that matter to CSV inserted or removed: often malformed. */
function mutated(random: () => number, text: string): Buffer {
  const bytes = [...Buffer.from(text)];
  for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
    const at = Math.floor(random() * (bytes.length + 1));
    if (random() < 0.3 && bytes.length > 0) bytes.splice(at, 1);
    else bytes.splice(at, 0, [0x22, 0x2c, 0x0d, 0x0a, 0x61, 0x00][Math.floor(random() * 6)]);
  }
  return Buffer.from(bytes);
}

/** The bytes cut at a few random offsets. */
function randomChunks(random: () => number, bytes: Buffer): Buffer[] {
  const cuts = Array.from({ length: Math.floor(random() * 4) }, () => Math.floor(random() * (bytes.length + 1))).sort((a, b) => a - b);
  return [0, ...cuts].map((start, index) => bytes.subarray(start, [...cuts, bytes.length][index]));
}

describe('CsvRecordCounter against csv-parse on generated files (seeded)', () => {
  it('counts 400 generated files as csv-parse does, in random chunks', () => {
    const random = randomOf(20261202);
    for (let file = 0; file < 400; file++) {
      const bytes = Buffer.from(generatedCsv(random));
      const expected = parserCount(bytes);
      expect(expected, bytes.toString('hex')).not.toBe('malformed');
      expect(counterCount(randomChunks(random, bytes)), `file ${file}: ${JSON.stringify(bytes.toString())}`).toBe(expected);
    }
  });

  it('counts 400 mutated files as csv-parse does, or leaves to it those it refuses', () => {
    const random = randomOf(4004);
    let malformed = 0;
    for (let file = 0; file < 400; file++) {
      const bytes = mutated(random, generatedCsv(random));
      const expected = parserCount(bytes);
      if (expected === 'malformed') malformed++;
      expect(counterCount(randomChunks(random, bytes)), `file ${file}: ${JSON.stringify(bytes.toString())}`).toBe(expected);
    }
    // Both kinds are covered: files csv-parse reads and files it refuses.
    expect(malformed).toBeGreaterThan(40);
    expect(malformed).toBeLessThan(360);
  });
});
