// Micro-benchmark behind BENCHMARKS.md "Imports": 1,000 identity rows written by Prisma's
// createMany against one $executeRaw INSERT … SELECT FROM unnest(arrays), on a fresh
// PostgreSQL database (BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test).
//   npx tsx bench/createmany-vs-unnest.ts
import pg from 'pg';
import { openDatabase } from '../src/db/database.ts';

const base = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const admin = new pg.Client(base);
await admin.connect();
const name = `cg_micro_${process.pid}`;
await admin.query(`CREATE DATABASE ${name}`);
const db = await openDatabase(Object.assign(new URL(base), { pathname: `/${name}` }).toString(), { command: 'micro' });
await db.migrate();
await db.sql(`INSERT INTO "Customer" (id) SELECT generate_series(1, 1000)`);
let n = 0;
const rows = () => Array.from({ length: 1000 }, (_, i) => ({ type: 'external_id', value: `v${n}-${i}`, customerId: i + 1 }));
const time = async (label: string, fn: () => Promise<unknown>) => {
  const ts: number[] = [];
  for (let k = 0; k < 8; k++) {
    n++;
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  console.log(label, 'median ms per 1000 rows', ts[4].toFixed(1));
};
const cpu0 = process.cpuUsage();
await time('createMany', () => db.prisma.identity.createMany({ data: rows() }));
const cpu1 = process.cpuUsage(cpu0);
await time('unnest', () => {
  const r = rows();
  return db.prisma
    .$executeRaw`INSERT INTO "Identity" (type, value, "customerId") SELECT * FROM unnest(${r.map((x) => x.type)}::text[], ${r.map((x) => x.value)}::text[], ${r.map((x) => x.customerId)}::int[])`;
});
const cpu2 = process.cpuUsage(cpu0);
console.log(
  'cpu ms createMany',
  ((cpu1.user + cpu1.system) / 1000).toFixed(0),
  'unnest',
  ((cpu2.user + cpu2.system - cpu1.user - cpu1.system) / 1000).toFixed(0),
);
const [{ c }] = await db.sql<{ c: number }>('SELECT count(*)::int c FROM "Identity"');
console.log('rows', c);
await db.close();
await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
await admin.end();
