// Who the generated rows describe, found independently of the generator's own bookkeeping:
// rows sharing any identity (type, value) are one person (union-find over the rows).
import type { ProfileRow } from '../../src/test-data/customers.ts';
import type { Database } from '../../src/db/database.ts';

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

/**
 * Checks the database holds every person exactly once: each identity on exactly one live
 * customer, one customer per person, no other live customer. Returns what it found.
 */
export async function customersPerPerson(database: Database, people: string[][]) {
  const identities = await database.sql<{ key: string; customerId: number; holders: number }>(
    `SELECT i.type || ':' || i.value AS key, min(c.id) AS "customerId", count(*)::int AS holders
       FROM "Identity" i JOIN "Customer" c ON c.id = i."customerId"
      WHERE c."mergedIntoId" IS NULL AND c."deletedAt" IS NULL
      GROUP BY 1`,
  );
  const holder = new Map(identities.map((i) => [i.key, i]));
  const [{ live }] = await database.sql<{ live: number }>('SELECT count(*)::int AS live FROM "Customer" WHERE "mergedIntoId" IS NULL AND "deletedAt" IS NULL');
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
