// Writes generated rows to a CSV or JSON Lines file that `customer-graph import` reads,
// streaming (any number of rows in constant memory).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { PROFILE_COLUMNS, type RowFileFormat } from '../domain/imports/file-format.ts';
import { profileRowToCsv, type ProfileRow } from './customers.ts';

/** Writes the rows; resolves with their number once the file is flushed. */
export async function writeRowsFile(file: string, format: RowFileFormat, rows: Iterable<ProfileRow>): Promise<number> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let count = 0;
  try {
    if (format === 'csv') await write(PROFILE_COLUMNS.join(',') + '\n');
    for (const row of rows) {
      await write((format === 'csv' ? profileRowToCsv(row) : JSON.stringify(row)) + '\n');
      count++;
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return count;
}
