// Who the generated rows describe, found independently of the generator's own bookkeeping:
// rows sharing any identity (type, value) are one person (union-find over the rows).
import pg from 'pg';
import { openDatabase } from '../../src/db/database.ts';
import { postgresConfig } from '../../src/db/postgres.ts';
import type { ProfileRow } from '../../src/test-data/customers.ts';

export type Sql = <Row = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<Row[]>;

/**
 * Runs `work` with one connection to the database at `url`, between CLI runs (the embedded
 * database admits one process at a time). PostgreSQL: one pg.Client, whose end() waits for
 * the socket to close, so dropping the database right after cannot kill it mid-close.
 */
export async function withSql<T>(url: string, work: (sql: Sql) => Promise<T>): Promise<T> {
  if (/^postgres(ql)?:/.test(url)) {
    const client = new pg.Client(postgresConfig(url, 1));
    await client.connect();
    try {
      return await work(async (text, params) => (await client.query(text, params as unknown[])).rows);
    } finally {
      await client.end();
    }
  }
  const database = await openDatabase(url, { command: 'test' });
  try {
    return await work(database.sql);
  } finally {
    await database.close();
  }
}

/** The identities a row names: phone, unionid, openid and identityType/identityId. */
export function identitiesOf(row: ProfileRow): string[] {
  const out: string[] = [];
  if (row.phone) out.push(`phone:${row.phone}`);
  if (row.unionid) out.push(`unionid:${row.unionid}`);
  if (row.openid) out.push(`openid:${row.openid}`);
  if (row.identityType && row.identityId) out.push(`${row.identityType}:${row.identityId}`);
  return [...new Set(out)];
}

/** The people: each a set of identities "type:value". */
export function peopleOf(rows: ProfileRow[]): string[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  for (const row of rows) {
    const ids = identitiesOf(row);
    for (const id of ids) if (!parent.has(id)) parent.set(id, id);
    for (const id of ids.slice(1)) parent.set(find(id), find(ids[0]));
  }
  const groups = new Map<string, string[]>();
  for (const id of parent.keys()) {
    const root = find(id);
    groups.set(root, [...(groups.get(root) ?? []), id]);
  }
  return [...groups.values()];
}

/** What customersPerPerson finds when `count` people are each held exactly once. */
export function everyPersonOnce(count: number) {
  return { people: count, live: count, distinctCustomers: count, missing: 0, doubled: 0, split: 0 };
}

/**
 * Checks the database holds every person exactly once: each identity on exactly one live
 * customer, one customer per person, no other live customer. Returns what it found.
 */
export async function customersPerPerson(sql: Sql, people: string[][]) {
  const identities = await sql<{ key: string; customerId: number; holders: number }>(
    `SELECT i.type || ':' || i.value AS key, min(c.id) AS "customerId", count(*)::int AS holders
       FROM "Identity" i JOIN "Customer" c ON c.id = i."customerId"
      WHERE c."mergedIntoId" IS NULL AND c."deletedAt" IS NULL
      GROUP BY 1`,
  );
  const holder = new Map(identities.map((i) => [i.key, i]));
  const [{ live }] = await sql<{ live: number }>(
    'SELECT count(*)::int AS live FROM "Customer" WHERE "mergedIntoId" IS NULL AND "deletedAt" IS NULL',
  );
  let missing = 0;
  let doubled = 0;
  let split = 0;
  const customers = new Set<number>();
  for (const person of people) {
    const ids = new Set<number>();
    for (const key of person) {
      const found = holder.get(key);
      if (!found) missing++;
      else {
        if (found.holders !== 1) doubled++;
        ids.add(Number(found.customerId));
      }
    }
    if (ids.size > 1) split++;
    for (const id of ids) customers.add(id);
  }
  return { people: people.length, live, distinctCustomers: customers.size, missing, doubled, split };
}
