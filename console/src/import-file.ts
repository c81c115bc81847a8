// Reads an import file in the browser into the rows importCustomers takes: CSV with a header row
// (csv-parse, the parser the CLI uses) or JSON Lines, with the seed's field names as the CLI's
// `import` reads them (README "Bulk import from a file"). Unknown columns are left out, empty
// cells are absent values, `customFields` is JSON text.
import { parse } from 'csv-parse/browser/esm/sync';
import { GROUP_RELATION_COLUMNS, PROFILE_COLUMNS } from '../../src/domain/imports/file-format.ts';

/** What one GraphQL call may carry (seed 002: 每次最大500条); bigger files go through the CLI. */
export const MAX_ROWS = 500;

/** The fields each kind of row may hold: the server's definition of the import file format. */
export const FIELDS = { PROFILE: PROFILE_COLUMNS, GROUP_RELATION: GROUP_RELATION_COLUMNS } as const;

export type ImportKind = keyof typeof FIELDS;
type Row = Record<string, unknown>;

export class FileProblem extends Error {}

function keepKnown(kind: ImportKind, record: Row, line: number): Row {
  const row: Row = {};
  for (const field of FIELDS[kind]) {
    const value = record[field];
    if (value === undefined || value === null || value === '') continue;
    if (field === 'customFields' && typeof value === 'string') {
      try {
        row[field] = JSON.parse(value);
      } catch {
        throw new FileProblem(`line ${line}: customFields is not JSON`);
      }
    } else {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a cell's value is read as its text
      row[field] = typeof value === 'string' || Array.isArray(value) ? value : String(value);
    }
  }
  return row;
}

export function readRows(kind: ImportKind, fileName: string, text: string): Row[] {
  const jsonLines = /\.(jsonl|ndjson)$/i.test(fileName);
  let records: { record: Row; line: number }[];
  if (jsonLines) {
    records = text.split(/\r?\n/).flatMap((line, i) => {
      if (!line.trim()) return [];
      try {
        const record = JSON.parse(line) as unknown;
        if (!record || typeof record !== 'object' || Array.isArray(record)) throw new Error('not an object');
        return [{ record: record as Row, line: i + 1 }];
      } catch {
        throw new FileProblem(`line ${i + 1}: not a JSON object`);
      }
    });
  } else {
    try {
      const parsed = parse<{ record: Row; info: { lines: number } }>(text, {
        columns: true,
        bom: true,
        skip_empty_lines: true,
        info: true,
        relax_column_count: true,
      });
      records = parsed.map(({ record, info }) => ({ record, line: info.lines }));
    } catch (error) {
      throw new FileProblem(`not a CSV file with a header row: ${(error as Error).message}`);
    }
  }
  if (records.length === 0) throw new FileProblem('the file has no rows');
  if (records.length > MAX_ROWS) {
    throw new FileProblem(
      `${records.length} rows: at most ${MAX_ROWS} a job here; import bigger files with npx customer-graph import FILE`,
    );
  }
  return records.map(({ record, line }) => keepKnown(kind, record, line));
}
