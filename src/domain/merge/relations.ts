// What a customer has besides its own columns, one entry per relation: how a merge moves it
// (and records what it moved or dropped in MergeEvent.details), how an unmerge restores it, how
// a later merge into the same target relies on it, and how erasure removes it. mergeInto,
// unmergeCustomer, refuseWhenLaterMergesRelyOnIt and eraseCustomer all loop over RELATIONS, so
// a new relation is one entry here (test/unit/merge-relations.test.ts fails until it has one).
import type { Prisma } from '../../generated/prisma/client.ts';
import { DomainError } from '../errors.ts';

type Tx = Prisma.TransactionClient;
const iso = (d: Date) => d.toISOString();

/** A merge's two customers: the source folded into the target. */
export interface MergePair {
  sourceId: number;
  targetId: number;
}

/** A row of the source's that a merge dropped, kept whole (but its customer) so unmerge can write it back. */
type RowCopy<Row> = Omit<{ [K in keyof Row]: Row[K] extends Date ? string : Row[K] }, 'customerId'>;

type UserLinkCopy = RowCopy<Prisma.UserCustomerGetPayload<object>>;
type AttributeValueCopy = RowCopy<Prisma.AttributeValueGetPayload<object>>;

/** What a link relation (a customer in a keyed set) moved and dropped, the key column named `C`. */
type LinkDetails<C extends string> = { moved: number[]; dropped: (Record<C, number> & { createdAt: string })[] };

/** What one merge moved, per relation (MergeEvent.details, read back by unmerge). */
export interface RelationDetails {
  /** Identities moved from the source to the target (all the source had). */
  identities: { id: number; type: string; value: string }[];
  /** Group memberships: moved to the target, or dropped because the target was already a member. */
  groups: LinkDetails<'groupId'>;
  /**
   * Friends of the source: moved (both directed rows now name the target), or dropped because
   * the target was already their friend, or because the friend is the target itself.
   */
  friends: { moved: number[]; dropped: { friendId: number; createdAt: string }[] };
  /** Follow links (UserCustomer ids) moved, and the source's links dropped because the user already followed the target. */
  userLinks: { moved: number[]; dropped: UserLinkCopy[] };
  /** Extended attribute value rows moved, and the source's rows dropped because the target had its own value. */
  attributes: { moved: number[]; dropped: AttributeValueCopy[] };
  /** Tags moved, and the source's tags dropped because the target had them. */
  tags: LinkDetails<'tagId'>;
}

export type RelationKey = keyof RelationDetails;

/** A refusal to undo a merge. */
export function unsafe(message: string): DomainError {
  return new DomainError('CONFLICT', `cannot undo this merge: ${message}`, [{ field: 'mergeEventId', message }]);
}

/** Whether a later merge (its details and source) relies on something this merge brought. */
type LaterMergeTest = (later: Partial<RelationDetails>, laterSourceId: number) => boolean;

export interface Relation<Key extends RelationKey> {
  key: Key;
  /** The Prisma models that hold this relation. */
  models: string[];
  /** Moves the source's rows to the target (dropping duplicates); returns what it did. */
  move(tx: Tx, pair: MergePair): Promise<RelationDetails[Key]>;
  /** Gives the source back what `move` moved and dropped (what was removed since stays removed). */
  restore(tx: Tx, done: RelationDetails[Key], pair: MergePair): Promise<void>;
  /** How later merges into the same target rely on what this merge brought (null: they never do). */
  reliance: null | { label: string; test(tx: Tx, done: RelationDetails[Key]): Promise<LaterMergeTest> };
  /** Removes the rows of the erased customers. */
  erase(tx: Tx, customerIds: number[]): Promise<void>;
}

const identities: Relation<'identities'> = {
  key: 'identities',
  models: ['Identity'],
  async move(tx, { sourceId, targetId }) {
    const rows = await tx.identity.findMany({
      where: { customerId: sourceId },
      select: { id: true, type: true, value: true },
      orderBy: { id: 'asc' },
    });
    // All of them: mergeInto refused a uniqueness conflict before.
    if (rows.length) await tx.identity.updateMany({ where: { customerId: sourceId }, data: { customerId: targetId } });
    return rows;
  },
  async restore(tx, moved, { sourceId, targetId }) {
    if (moved.length === 0) return;
    // Each must still be the target's, unchanged.
    const ids = moved.map((i) => i.id);
    const rows = await tx.identity.findMany({
      where: { id: { in: ids } },
      select: { id: true, type: true, value: true, customerId: true },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const identity of moved) {
      const row = byId.get(identity.id);
      if (!row || row.type !== identity.type || row.value !== identity.value)
        throw unsafe(`the ${identity.type} identity it moved was deleted since`);
      if (row.customerId !== targetId) throw unsafe(`the ${identity.type} identity it moved belongs to customer ${row.customerId} since`);
    }
    await tx.identity.updateMany({ where: { id: { in: ids }, customerId: targetId }, data: { customerId: sourceId } });
  },
  reliance: null,
  async erase(tx, customerIds) {
    await tx.identity.deleteMany({ where: { customerId: { in: customerIds } } });
  },
};

/**
 * The delegate calls the shared relation shapes below make, typed loosely: the Prisma delegate
 * of each model (tx.groupMember, tx.customerTag, …) does them, with the columns its spec names.
 */
interface RelationTable {
  findMany(args: { where: object; select?: object; orderBy?: object }): Promise<Record<string, unknown>[]>;
  deleteMany(args: { where: object }): Promise<unknown>;
  updateMany(args: { where: object; data: object }): Promise<unknown>;
  createMany(args: { data: object[]; skipDuplicates: boolean }): Promise<unknown>;
}

/** The relation keys whose details have the shape `Details`. */
type KeysWith<Details> = { [K in RelationKey]: RelationDetails[K] extends Details ? K : never }[RelationKey];

interface RelationSpec<Key extends RelationKey> {
  key: Key;
  model: string;
  /** The column that tells two of a customer's rows apart: the group, the tag, the user following, the attribute. */
  column: string;
  label: string;
}

/**
 * A customer's membership in a keyed set (groups, tags): rows (customerId, key, createdAt). A
 * merge moves the source's links the target lacks and drops the rest; unmerge moves them back and
 * writes the dropped ones again; a later merge relies on a link this one moved when it dropped the
 * same key.
 */
function linkRelation<Key extends KeysWith<{ moved: number[]; dropped: { createdAt: string }[] }>>(spec: RelationSpec<Key>): Relation<Key> {
  const { column } = spec;
  const table = (tx: Tx) => tableOf(tx, spec.model);
  type Done = { moved: number[]; dropped: Record<string, number | string>[] };
  const keysIn = (keys: number[]) => ({ [column]: { in: keys } });
  return {
    key: spec.key,
    models: [spec.model],
    async move(tx, { sourceId, targetId }) {
      const done: Done = { moved: [], dropped: [] };
      const links = await table(tx).findMany({ where: { customerId: sourceId }, orderBy: { [column]: 'asc' } });
      if (links.length === 0) return done as RelationDetails[Key];
      const keys = links.map((l) => l[column] as number);
      const targetRows = await table(tx).findMany({ where: { customerId: targetId, ...keysIn(keys) }, select: { [column]: true } });
      const targetKeys = new Set(targetRows.map((l) => l[column] as number));
      for (const link of links) {
        const key = link[column] as number;
        if (targetKeys.has(key)) done.dropped.push({ [column]: key, createdAt: iso(link.createdAt as Date) });
        else done.moved.push(key);
      }
      if (done.dropped.length)
        await table(tx).deleteMany({ where: { customerId: sourceId, ...keysIn(done.dropped.map((d) => d[column] as number)) } });
      if (done.moved.length)
        await table(tx).updateMany({ where: { customerId: sourceId, ...keysIn(done.moved) }, data: { customerId: targetId } });
      return done as RelationDetails[Key];
    },
    async restore(tx, details, { sourceId, targetId }) {
      const done = details as Done;
      if (done.moved.length)
        await table(tx).updateMany({ where: { customerId: targetId, ...keysIn(done.moved) }, data: { customerId: sourceId } });
      if (done.dropped.length) {
        const data = done.dropped.map((d) => ({ customerId: sourceId, [column]: d[column], createdAt: new Date(d.createdAt as string) }));
        await table(tx).createMany({ data, skipDuplicates: true });
      }
    },
    reliance: {
      label: spec.label,
      async test(_tx, details) {
        const moved = new Set((details as Done).moved);
        return (later) => Boolean((later[spec.key] as Done | undefined)?.dropped.some((x) => moved.has(x[column] as number)));
      },
    },
    async erase(tx, customerIds) {
      await table(tx).deleteMany({ where: { customerId: { in: customerIds } } });
    },
  };
}

/** The Prisma delegate of `model` (tx.groupMember for GroupMember), as the shared shapes use it. */
function tableOf(tx: Tx, model: string): RelationTable {
  const delegate = model.charAt(0).toLowerCase() + model.slice(1);
  return (tx as unknown as Record<string, RelationTable>)[delegate];
}

const groups = linkRelation({
  key: 'groups',
  model: 'GroupMember',
  column: 'groupId',
  label: 'a group membership',
});

/** The source's friends (either direction makes a friend) and when each friendship began. */
async function friendsOf(tx: Tx, customerId: number): Promise<Map<number, Date>> {
  const rows = await tx.friendship.findMany({ where: { OR: [{ customerId }, { friendId: customerId }] } });
  const friends = new Map<number, Date>();
  for (const row of rows) {
    const other = row.customerId === customerId ? row.friendId : row.customerId;
    if (other === customerId) continue;
    if (!friends.has(other) || row.createdAt < friends.get(other)!) friends.set(other, row.createdAt);
  }
  return friends;
}

const friends: Relation<'friends'> = {
  key: 'friends',
  models: ['Friendship'],
  async move(tx, { sourceId, targetId }) {
    const done: RelationDetails['friends'] = { moved: [], dropped: [] };
    const sourceFriends = await friendsOf(tx, sourceId);
    if (sourceFriends.size === 0) return done;
    const others = [...sourceFriends.keys()].filter((f) => f !== targetId);
    const targetFriends = new Set<number>();
    if (others.length) {
      const rows = await tx.friendship.findMany({
        where: {
          OR: [
            { customerId: targetId, friendId: { in: others } },
            { friendId: targetId, customerId: { in: others } },
          ],
        },
        select: { customerId: true, friendId: true },
      });
      for (const r of rows) targetFriends.add(r.customerId === targetId ? r.friendId : r.customerId);
    }
    for (const [friendId, createdAt] of [...sourceFriends].sort((a, b) => a[0] - b[0])) {
      if (friendId === targetId || targetFriends.has(friendId)) done.dropped.push({ friendId, createdAt: iso(createdAt) });
      else done.moved.push(friendId);
    }
    const dropped = done.dropped.map((d) => d.friendId);
    if (dropped.length) {
      await tx.friendship.deleteMany({
        where: {
          OR: [
            { customerId: sourceId, friendId: { in: dropped } },
            { friendId: sourceId, customerId: { in: dropped } },
          ],
        },
      });
    }
    if (done.moved.length) {
      await tx.friendship.updateMany({ where: { customerId: sourceId, friendId: { in: done.moved } }, data: { customerId: targetId } });
      await tx.friendship.updateMany({ where: { friendId: sourceId, customerId: { in: done.moved } }, data: { friendId: targetId } });
    }
    return done;
  },
  async restore(tx, done, { sourceId, targetId }) {
    if (done.moved.length) {
      const owned = await tx.friendship.findMany({
        where: { customerId: targetId, friendId: { in: done.moved } },
        select: { friendId: true },
      });
      const reverse = await tx.friendship.findMany({
        where: { friendId: targetId, customerId: { in: done.moved } },
        select: { customerId: true },
      });
      if (owned.length)
        await tx.friendship.updateMany({
          where: { customerId: targetId, friendId: { in: owned.map((r) => r.friendId) } },
          data: { customerId: sourceId },
        });
      if (reverse.length)
        await tx.friendship.updateMany({
          where: { friendId: targetId, customerId: { in: reverse.map((r) => r.customerId) } },
          data: { friendId: sourceId },
        });
    }
    if (done.dropped.length) {
      const data = done.dropped.flatMap((d) => [
        { customerId: sourceId, friendId: d.friendId, createdAt: new Date(d.createdAt) },
        { customerId: d.friendId, friendId: sourceId, createdAt: new Date(d.createdAt) },
      ]);
      await tx.friendship.createMany({ data, skipDuplicates: true });
    }
  },
  reliance: {
    label: 'a friendship',
    async test(_tx, done) {
      const moved = new Set(done.moved);
      // Merging a friend this merge brought into the target also relies on it.
      return (later, laterSourceId) => Boolean(later.friends?.dropped.some((x) => moved.has(x.friendId))) || moved.has(laterSourceId);
    },
  },
  async erase(tx, customerIds) {
    await tx.friendship.deleteMany({ where: { OR: [{ customerId: { in: customerIds } }, { friendId: { in: customerIds } }] } });
  },
};

/** A dropped row as MergeEvent.details keeps it: every column but customerId, instants as ISO text. */
function rowCopy(row: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) if (name !== 'customerId') copy[name] = value instanceof Date ? iso(value) : value;
  return copy;
}

/**
 * Rows with their own ids that a customer holds at most one of per `column` (follow links per
 * user, attribute values per attribute): a merge moves the source's rows where the target has
 * none for that column and drops the rest (kept whole in the details); the target's own win.
 */
function rowRelation<Key extends KeysWith<{ moved: number[]; dropped: { id: number }[] }>>(spec: RelationSpec<Key>): Relation<Key> {
  const { column } = spec;
  const table = (tx: Tx) => tableOf(tx, spec.model);
  type Done = { moved: number[]; dropped: Record<string, unknown>[] };
  return {
    key: spec.key,
    models: [spec.model],
    async move(tx, { sourceId, targetId }) {
      const done: Done = { moved: [], dropped: [] };
      const rows = await table(tx).findMany({ where: { customerId: sourceId }, orderBy: { id: 'asc' } });
      if (rows.length === 0) return done as RelationDetails[Key];
      const where = { customerId: targetId, [column]: { in: [...new Set(rows.map((r) => r[column]))] } };
      const taken = new Set((await table(tx).findMany({ where, select: { [column]: true } })).map((r) => r[column]));
      for (const row of rows) {
        if (taken.has(row[column])) done.dropped.push(rowCopy(row));
        else done.moved.push(row.id as number);
      }
      if (done.dropped.length) await table(tx).deleteMany({ where: { id: { in: done.dropped.map((d) => d.id) } } });
      if (done.moved.length) await table(tx).updateMany({ where: { id: { in: done.moved } }, data: { customerId: targetId } });
      return done as RelationDetails[Key];
    },
    async restore(tx, details, { sourceId, targetId }) {
      const done = details as Done;
      if (done.moved.length)
        await table(tx).updateMany({ where: { id: { in: done.moved }, customerId: targetId }, data: { customerId: sourceId } });
      if (done.dropped.length) {
        const data = done.dropped.map((d) => ({
          ...d,
          customerId: sourceId,
          createdAt: new Date(d.createdAt as string),
          updatedAt: new Date(d.updatedAt as string),
        }));
        await table(tx).createMany({ data, skipDuplicates: true });
      }
    },
    reliance: {
      label: spec.label,
      async test(tx, details) {
        const { moved } = details as Done;
        const rows = moved.length ? await table(tx).findMany({ where: { id: { in: moved } }, select: { [column]: true } }) : [];
        const values = new Set(rows.map((r) => r[column]));
        return (later) => Boolean((later[spec.key] as Done | undefined)?.dropped.some((x) => values.has(x[column])));
      },
    },
    async erase(tx, customerIds) {
      await table(tx).deleteMany({ where: { customerId: { in: customerIds } } });
    },
  };
}

const userLinks = rowRelation({
  key: 'userLinks',
  model: 'UserCustomer',
  column: 'userId',
  label: 'a follow link',
});

const attributes = rowRelation({
  key: 'attributes',
  model: 'AttributeValue',
  column: 'definitionId',
  label: 'an extended attribute',
});

const tags = linkRelation({ key: 'tags', model: 'CustomerTag', column: 'tagId', label: 'a tag' });
type AnyRelation = { [Key in RelationKey]: Relation<Key> }[RelationKey];

/** Every relation of a customer, in the order merges move them and unmerges restore them. */
export const RELATIONS: readonly AnyRelation[] = [identities, groups, friends, userLinks, attributes, tags];

/**
 * Models that reference Customer without being one of its relations: what a merge does not
 * move, with the reason (the unit test accepts these and nothing else).
 */
export const NOT_RELATIONS: Readonly<Record<string, string>> = {
  Customer: 'mergedIntoId: the merge itself, set and cleared by mergeInto and unmergeCustomer',
  MergeEvent: 'the history of merges: kept; erasure scrubs its reason and details',
};

/** Moves every relation from the source to the target; what each did, for MergeEvent.details. */
export async function moveRelations(tx: Tx, pair: MergePair): Promise<RelationDetails> {
  const details: Partial<Record<RelationKey, unknown>> = {};
  for (const relation of RELATIONS) details[relation.key] = await relation.move(tx, pair);
  return details as RelationDetails;
}

/** Gives the source back what a merge moved and dropped, relation by relation. */
export async function restoreRelations(tx: Tx, details: RelationDetails, pair: MergePair): Promise<void> {
  // The union of relations does not correlate `relation.key` with its details' type: each entry is typed on its own above.
  for (const relation of RELATIONS) await relation.restore(tx, details[relation.key] as never, pair);
}

/** The first relation (by label) a later merge relies on, per relation with a reliance. */
export async function relianceTests(tx: Tx, details: RelationDetails): Promise<{ label: string; test: LaterMergeTest }[]> {
  const tests: { label: string; test: LaterMergeTest }[] = [];
  for (const relation of RELATIONS) {
    if (relation.reliance)
      tests.push({ label: relation.reliance.label, test: await relation.reliance.test(tx, details[relation.key] as never) });
  }
  return tests;
}

/** Removes every relation of the erased customers. */
export async function eraseRelations(tx: Tx, customerIds: number[]): Promise<void> {
  for (const relation of RELATIONS) await relation.erase(tx, customerIds);
}
