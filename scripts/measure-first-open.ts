// Times what a first start does with the database on an empty directory, both ways in one run:
// created in place (initdb and every migration) and copied from the migrated template. The
// two alternate, so that a busy machine slows both alike; README "First start" quotes it.
//   npx tsx scripts/measure-first-open.ts [rounds]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/database.ts';
import { migratedTemplate } from '../src/db/embedded-template.ts';

async function firstOpen(fromTemplate: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cg-first-open-'));
  const started = performance.now();
  const db = await openDatabase(`file:${join(dir, 'db')}`, { command: 'measure', fromTemplate });
  await db.migrate();
  await db.prisma.app.count();
  const ms = performance.now() - started;
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

const rounds = Number(process.argv[2] ?? 2);
await migratedTemplate();
await firstOpen(true); // loads PGlite and Prisma once, for neither side to pay it
const times: Record<'inPlace' | 'template', number[]> = { inPlace: [], template: [] };
for (let i = 0; i < rounds; i++) {
  times.inPlace.push(await firstOpen(false));
  times.template.push(await firstOpen(true));
}
const seconds = (list: number[]) => list.map((ms) => (ms / 1000).toFixed(1)).join(', ');
console.log(`created in place (initdb + migrations): ${seconds(times.inPlace)} s`);
console.log(`copied from the migrated template:      ${seconds(times.template)} s`);
console.log(`load average: ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
