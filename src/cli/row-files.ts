// Reading import files row by row with constant memory: CSV (a header row of seed-004 field
// names, customFields as a JSON text column; csv-parse's streaming parser) and JSON Lines (one
// row object per line; node:readline). Both give each row its 0-based index and the line of
// the file it ends on, for the error report.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import { parse as parseRecords } from 'csv-parse/sync';
import { CsvRecordCounter } from './csv-record-counter.ts';
import { PROFILE_COLUMNS, ROW_FILE_FORMATS, type RowFileFormat } from '../domain/imports/file-format.ts';

export interface FileRow {
  /** 0-based index of the data row (the header is not a row; blank lines are skipped). */
  row: number;
  /** 1-based line of the file the row ends on. */
  line: number;
  /** The row object (a JSON Lines line that is not valid JSON is passed on as its text: the engine rejects it). */
  value: unknown;
}

/** The format named by `--format`, else by the file's extension. */
export function formatOf(file: string, format?: string): RowFileFormat {
  if (format) {
    if (!(ROW_FILE_FORMATS as readonly string[]).includes(format)) throw new Error(`--format must be csv or jsonl, got "${format}"`);
    return format as RowFileFormat;
  }
  const extension = extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  throw new Error(`cannot tell the format of ${file} from its extension: name it .csv or .jsonl, or pass --format csv|jsonl`);
}

export class RowFileError extends Error {}

/** The header row's field names, trimmed; a file whose first line names no seed-004 field is refused. */
function headerNames(header: string[]): string[] {
  const names = header.map((name) => name.trim());
  if (!names.some((name) => (PROFILE_COLUMNS as readonly string[]).includes(name))) {
    throw new RowFileError(
      `the first line must be a header of field names (${PROFILE_COLUMNS.join(',')}); got "${names.join(',').slice(0, 200)}"`,
    );
  }
  return names;
}

/** A parser's failure as the file's own error (naming the file), or the header's refusal as it is. */
const asRowFileError = (file: string, error: unknown) =>
  error instanceof RowFileError ? error : new RowFileError(`${file}: ${(error as Error).message}`);

/** How every CSV file is split into records (the counting pass and the reading pass alike). */
export const CSV_RECORDS = {
  bom: true,
  skip_empty_lines: true,
  // A short row is read with the fields it has; the engine names what is missing.
  relax_column_count: true,
} as const;

function csvParser() {
  return parse({ ...CSV_RECORDS, columns: headerNames, info: true });
}

/** A JSON Lines line that holds no row. */
const blankLine = (text: string) => text.trim() === '';

/** A first record (the header) not ended within this many bytes is left to csv-parse, not kept in memory. */
const HEADER_BYTES_KEPT = 1 << 20;

/**
 * The records of a CSV file after its header, counted from its bytes (CsvRecordCounter) as they
 * are hashed; the header, csv-parse's first record of the file's first bytes, is checked. A file
 * the counter cannot count (malformed, UTF-16) or whose header is longer than HEADER_BYTES_KEPT
 * is read again by csv-parse, which counts it or refuses it with its own error, naming the line.
 */
async function countCsvRows(file: string, hash: Hash): Promise<number> {
  const counter = new CsvRecordCounter();
  const kept: Buffer[] = [];
  let keptBytes = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (counter.firstRecordEnd === undefined && keptBytes < HEADER_BYTES_KEPT) {
      kept.push(chunk);
      keptBytes += chunk.length;
    }
    counter.write(chunk);
  }
  counter.end();
  const headerEnd = counter.firstRecordEnd;
  if (counter.parserNeeded || (headerEnd !== undefined && headerEnd > keptBytes)) return parseCsvRows(file);
  if (headerEnd === undefined) return 0; // no record at all: an empty file
  try {
    headerNames(parseRecords(Buffer.concat(kept).subarray(0, headerEnd), CSV_RECORDS)[0]);
  } catch (error) {
    throw asRowFileError(file, error);
  }
  return counter.records - 1;
}

/** The records of a CSV file after its header, counted by csv-parse (the slow path of countCsvRows). */
async function parseCsvRows(file: string): Promise<number> {
  let records = 0;
  try {
    for await (const record of createReadStream(file).pipe(parse(CSV_RECORDS)) as AsyncIterable<string[]>) {
      if (records++ === 0) headerNames(record);
    }
  } catch (error) {
    throw asRowFileError(file, error);
  }
  return Math.max(records - 1, 0);
}

async function countJsonlRows(file: string, hash: Hash): Promise<number> {
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  let rows = 0;
  for await (const text of createInterface({ input: createReadStream(file).pipe(hashing), crlfDelay: Infinity })) {
    if (!blankLine(text)) rows++;
  }
  return rows;
}

async function* csvRows(file: string): AsyncGenerator<FileRow> {
  const parser = createReadStream(file).pipe(csvParser());
  let row = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield { row: row++, line: info.lines, value: record };
    }
  } catch (error) {
    throw asRowFileError(file, error);
  }
}

async function* jsonlRows(file: string): AsyncGenerator<FileRow> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let row = 0;
  let line = 0;
  for await (const text of lines) {
    line++;
    if (blankLine(text)) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    yield { row: row++, line, value };
  }
}

/** The rows of `file`, in order. */
export function readRows(file: string, format: RowFileFormat): AsyncGenerator<FileRow> {
  return format === 'csv' ? csvRows(file) : jsonlRows(file);
}

export interface Fingerprint {
  /** Identifies the content: a re-run on the same bytes finds its unfinished job (resume). */
  sourceRef: string;
  bytes: number;
  rows: number;
}

/** One pass over the file: its SHA-256 and size (the job's sourceRef) and its number of rows. */
export async function fingerprint(file: string, format: RowFileFormat): Promise<Fingerprint> {
  const { size } = await stat(file);
  const hash = createHash('sha256');
  const rows = format === 'csv' ? await countCsvRows(file, hash) : await countJsonlRows(file, hash);
  return { sourceRef: `file:sha256=${hash.digest('hex')};bytes=${size}`, bytes: size, rows };
}
