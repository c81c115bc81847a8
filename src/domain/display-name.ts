// The display-name rule, one for every path that writes a customer (GraphQL mutations, the REST
// families, createCustomerByIdentity, imports, unmerge): `name` is what a person is called in
// lists, search and the console. A write that leaves a customer without a name derives it from
// the other name fields, in this order. So `name` is null only when every source is empty too.
// README "Names" has the table of which field each path and family writes.
import type { Prisma } from '../generated/prisma/client.ts';

/** Where a missing name comes from, first non-blank wins: 真实姓名, then the WeChat 昵称. */
export const DISPLAY_NAME_SOURCES = ['realName', 'nickName'] as const;

export interface NameFields {
  name?: string | null;
  realName?: string | null;
  nickName?: string | null;
}

function present(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** The name a customer with these fields is shown by: its own, else the first source given. */
export function displayName(fields: NameFields): string | null {
  const sources = DISPLAY_NAME_SOURCES.map((f) => present(fields[f]));
  return present(fields.name) ?? sources.find((value) => value !== null) ?? null;
}

/**
 * The `name` to store for a customer whose fields after a write are `after`: undefined when the
 * write needs nothing more (a name is there, or nothing to derive it from).
 */
export function derivedName(after: NameFields): string | undefined {
  if (present(after.name)) return undefined;
  return displayName(after) ?? undefined;
}

type CustomerWriter = Pick<Prisma.TransactionClient, 'customer'>;

/**
 * Gives the customer written (its row after the write) the derived name when it has none; only
 * where the name is still empty, so a name another request set meanwhile stays.
 */
export async function fillDisplayName<T extends NameFields & { id: number }>(db: CustomerWriter, row: T): Promise<T> {
  const name = derivedName(row);
  if (name === undefined) return row;
  // Still without a name: null, empty, or the blank text it was read with (older rows may hold
  // spaces, which count as no name but which Prisma cannot trim in a filter).
  const unnamed = { id: row.id, OR: [{ name: null }, { name: '' }, { name: row.name ?? '' }] };
  await db.customer.updateMany({ where: unnamed, data: { name } });
  return { ...row, name };
}
