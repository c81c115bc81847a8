// Planner statistics after a bulk import (src/db/statistics.ts): a file import that writes at
// least ANALYZE_AFTER_ROWS rows refreshes them when its job finishes, on both databases (PGlite
// runs no autovacuum; PostgreSQL's comes later), so a search right after it gets a sane plan.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importFile } from '../../src/cli/import-file.ts';
import { ANALYZE_AFTER_ROWS } from '../../src/db/statistics.ts';
import { generateProfileRows } from '../../src/test-data/customers.ts';
import { writeRowsFile } from '../../src/test-data/write-file.ts';
import { freshDatabase, type TestDatabase } from '../support/database.ts';

let t: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'cg-import-stats-'));
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(async () => {
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

const silent = { start: () => undefined, update: () => undefined, stop: () => undefined };

async function plannerRows(table: string): Promise<number> {
  const [row] = await t.database.sql<{ reltuples: number }>('SELECT reltuples::float8 AS reltuples FROM pg_class WHERE relname = $1', [
    table,
  ]);
  return Number(row.reltuples);
}

/** Pages in the GIN indexes' pending lists of the imported tables, merged as they are counted. */
async function mergePendingGinPages(): Promise<number> {
  const [row] = await t.database.sql<{ pages: number }>(
    `SELECT coalesce(sum(gin_clean_pending_list(i.indexrelid)), 0)::int AS pages FROM pg_index i
     JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
     WHERE a.amname = 'gin' AND i.indrelid IN ('"Customer"'::regclass, '"Identity"'::regclass)`,
  );
  return row.pages;
}

async function importRows(rows: number, seed: number) {
  const file = join(dir, `rows-${seed}.csv`);
  await writeRowsFile(file, 'csv', generateProfileRows({ customers: rows, overlap: 0, seed }));
  return importFile(
    t.database.prisma,
    {
      file,
      format: 'csv',
      publicParams: { isMatching: true, matchingType: 2, identifyWay: 1, importMode: 2 },
      chunkSize: 500,
      errorsFile: join(dir, `errors-${seed}.csv`),
    },
    silent,
    () => undefined,
  );
}

it('a small import leaves the statistics alone; one of ANALYZE_AFTER_ROWS rows or more refreshes them and merges the GIN pending lists', async () => {
  const small = await importRows(20, 1);
  expect(small.status).toBe('SUCCEEDED');
  // Never analyzed since the table was created: the planner knows no row count (-1) or 0.
  expect(await plannerRows('Customer')).toBeLessThanOrEqual(0);
  // Its trigram index entries wait in the GIN pending lists (merged here, to start from none).
  expect(await mergePendingGinPages()).toBeGreaterThan(0);

  const large = await importRows(ANALYZE_AFTER_ROWS + 200, 2);
  expect(large.status).toBe('SUCCEEDED');
  const [{ n }] = await t.database.sql<{ n: number }>('SELECT count(*)::int AS n FROM "Customer"');
  expect(n).toBeGreaterThan(ANALYZE_AFTER_ROWS);
  // ANALYZE samples every row of a table this small: the estimate is the count.
  expect(await plannerRows('Customer')).toBe(n);
  expect(await plannerRows('Identity')).toBeGreaterThan(0);
  // ... and the large one merged its pending lists: searches read the indexes' trees only.
  expect(await mergePendingGinPages()).toBe(0);
}, 180_000);
