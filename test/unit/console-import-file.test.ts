// The console's file reader (console/src/import-file.ts): a CSV or JSON Lines file becomes the
// rows importCustomers takes, as the CLI reads the same files; what it cannot send is refused
// before anything is submitted.
import { describe, expect, it } from 'vitest';
import { FileProblem, MAX_ROWS, readRows, type ImportKind } from '../../console/src/import-file.ts';

const cases: { name: string; kind: ImportKind; file: string; text: string; rows: unknown[] }[] = [
  {
    name: 'CSV: known columns kept, unknown ones and empty cells left out',
    kind: 'PROFILE',
    file: 'people.csv',
    text: 'phone,realName,tags,extra\n13711110001,赵六,"vip,新客",x\n13711110002,,,y\n',
    rows: [{ phone: '13711110001', realName: '赵六', tags: 'vip,新客' }, { phone: '13711110002' }],
  },
  {
    name: 'CSV with a BOM, CRLF line ends and a quoted field spanning lines',
    kind: 'PROFILE',
    file: 'people.csv',
    text: '\uFEFFphone,remark\r\n13711110001,"two\r\nlines"\r\n',
    rows: [{ phone: '13711110001', remark: 'two\r\nlines' }],
  },
  {
    name: 'CSV: customFields is JSON text',
    kind: 'PROFILE',
    file: 'p.csv',
    text: 'phone,customFields\n1371,"[{""configId"":1,""values"":[""阅读""]}]"\n',
    rows: [{ phone: '1371', customFields: [{ configId: 1, values: ['阅读'] }] }],
  },
  {
    name: 'JSON Lines: blank lines skipped, numbers as text, fields of the other kind left out',
    kind: 'GROUP_RELATION',
    file: 'groups.jsonl',
    text: '{"phone":13711110001,"groups":"VIP","realName":"x"}\n\n{"thirdId":"u-7","groups":"A,B"}\n',
    rows: [
      { phone: '13711110001', groups: 'VIP' },
      { thirdId: 'u-7', groups: 'A,B' },
    ],
  },
];

const refusals: { name: string; file: string; text: string; message: RegExp }[] = [
  { name: 'an empty file', file: 'e.csv', text: 'phone\n', message: /no rows/ },
  {
    name: 'a JSON Lines line that is not an object',
    file: 'x.jsonl',
    text: '{"phone":"1"}\n[1,2]\n',
    message: /line 2: not a JSON object/,
  },
  {
    name: 'broken JSON in customFields, naming the line',
    file: 'c.csv',
    text: 'phone,customFields\n1,ok\n',
    message: /line 2: customFields is not JSON/,
  },
  { name: 'an unterminated quote', file: 'q.csv', text: 'phone,remark\n1,"open\n', message: /not a CSV file/ },
  {
    name: 'more rows than one call may carry',
    file: 'big.csv',
    text: `phone\n${'1\n'.repeat(MAX_ROWS + 1)}`,
    message: /501 rows: at most 500/,
  },
];

describe('console import files', () => {
  it.each(cases)('$name', ({ kind, file, text, rows }) => {
    expect(readRows(kind, file, text)).toEqual(rows);
  });

  it.each(refusals)('refuses $name', ({ file, text, message }) => {
    expect(() => readRows('PROFILE', file, text)).toThrow(FileProblem);
    expect(() => readRows('PROFILE', file, text)).toThrow(message);
  });
});
