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

interface UserLinkCopy {
  id: number;
  userId: string;
  template: string | null;
  script: string | null;
  reference: string;
  isAvailable: number;
  bossSync: number;
  createdAt: string;
  updatedAt: string;
}

interface AttributeValueCopy {
  id: number;
  definitionId: number;
  position: number;
  value: string;
  createdAt: string;
  updatedAt: string;
}

/** What one merge moved, per relation (MergeEvent.details, read back by unmerge). */
export interface RelationDetails {
  /** Identities moved from the source to the target (all the source had). */
  identities: { id: number; type: string; value: string }[];
  /** Group memberships: moved to the target, or dropped because the target was already a member. */
  groups: { moved: number[]; dropped: { groupId: number; createdAt: string }[] };
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
  tags: { moved: number[]; dropped: { tagId: number; createdAt: string }[] };
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

const groups: Relation<'groups'> = {
  key: 'groups',
  models: ['GroupMember'],
  async move(tx, { sourceId, targetId }) {
    const done: RelationDetails['groups'] = { moved: [], dropped: [] };
    const memberships = await tx.groupMember.findMany({ where: { customerId: sourceId }, orderBy: { groupId: 'asc' } });
    if (memberships.length === 0) return done;
    const where = { customerId: targetId, groupId: { in: memberships.map((m) => m.groupId) } };
    const targetGroups = new Set((await tx.groupMember.findMany({ where, select: { groupId: true } })).map((m) => m.groupId));
    for (const m of memberships) {
      if (targetGroups.has(m.groupId)) done.dropped.push({ groupId: m.groupId, createdAt: iso(m.createdAt) });
      else done.moved.push(m.groupId);
    }
    if (done.dropped.length)
      await tx.groupMember.deleteMany({ where: { customerId: sourceId, groupId: { in: done.dropped.map((d) => d.groupId) } } });
    if (done.moved.length)
      await tx.groupMember.updateMany({ where: { customerId: sourceId, groupId: { in: done.moved } }, data: { customerId: targetId } });
    return done;
  },
  async restore(tx, done, { sourceId, targetId }) {
    if (done.moved.length)
      await tx.groupMember.updateMany({ where: { customerId: targetId, groupId: { in: done.moved } }, data: { customerId: sourceId } });
    if (done.dropped.length) {
      const data = done.dropped.map((d) => ({ customerId: sourceId, groupId: d.groupId, createdAt: new Date(d.createdAt) }));
      await tx.groupMember.createMany({ data, skipDuplicates: true });
    }
  },
  reliance: {
    label: 'a group membership',
    async test(_tx, done) {
      const moved = new Set(done.moved);
      return (later) => Boolean(later.groups?.dropped.some((x) => moved.has(x.groupId)));
    },
  },
  async erase(tx, customerIds) {
    await tx.groupMember.deleteMany({ where: { customerId: { in: customerIds } } });
  },
};

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

const userLinks: Relation<'userLinks'> = {
  key: 'userLinks',
  models: ['UserCustomer'],
  async move(tx, { sourceId, targetId }) {
    const done: RelationDetails['userLinks'] = { moved: [], dropped: [] };
    const links = await tx.userCustomer.findMany({ where: { customerId: sourceId }, orderBy: { id: 'asc' } });
    if (links.length === 0) return done;
    // On a (userId) collision the target's link stays.
    const where = { customerId: targetId, userId: { in: links.map((l) => l.userId) } };
    const followedTarget = new Set((await tx.userCustomer.findMany({ where, select: { userId: true } })).map((l) => l.userId));
    for (const l of links) {
      if (!followedTarget.has(l.userId)) done.moved.push(l.id);
      else {
        const { id, userId, template, script, reference, isAvailable, bossSync } = l;
        done.dropped.push({
          id,
          userId,
          template,
          script,
          reference,
          isAvailable,
          bossSync,
          createdAt: iso(l.createdAt),
          updatedAt: iso(l.updatedAt),
        });
      }
    }
    if (done.dropped.length) await tx.userCustomer.deleteMany({ where: { id: { in: done.dropped.map((d) => d.id) } } });
    if (done.moved.length) await tx.userCustomer.updateMany({ where: { id: { in: done.moved } }, data: { customerId: targetId } });
    return done;
  },
  async restore(tx, done, { sourceId, targetId }) {
    if (done.moved.length)
      await tx.userCustomer.updateMany({ where: { id: { in: done.moved }, customerId: targetId }, data: { customerId: sourceId } });
    if (done.dropped.length) {
      const data = done.dropped.map((d) => ({
        ...d,
        customerId: sourceId,
        createdAt: new Date(d.createdAt),
        updatedAt: new Date(d.updatedAt),
      }));
      await tx.userCustomer.createMany({ data, skipDuplicates: true });
    }
  },
  reliance: {
    label: 'a follow link',
    async test(tx, done) {
      const rows = done.moved.length ? await tx.userCustomer.findMany({ where: { id: { in: done.moved } }, select: { userId: true } }) : [];
      const users = new Set(rows.map((r) => r.userId));
      return (later) => Boolean(later.userLinks?.dropped.some((x) => users.has(x.userId)));
    },
  },
  async erase(tx, customerIds) {
    await tx.userCustomer.deleteMany({ where: { customerId: { in: customerIds } } });
  },
};

const attributes: Relation<'attributes'> = {
  key: 'attributes',
  models: ['AttributeValue'],
  async move(tx, { sourceId, targetId }) {
    const done: RelationDetails['attributes'] = { moved: [], dropped: [] };
    const values = await tx.attributeValue.findMany({ where: { customerId: sourceId }, orderBy: { id: 'asc' } });
    if (values.length === 0) return done;
    // Per attribute, the target's own values win.
    const where = { customerId: targetId, definitionId: { in: [...new Set(values.map((v) => v.definitionId))] } };
    const targetDefinitions = new Set(
      (await tx.attributeValue.findMany({ where, select: { definitionId: true } })).map((v) => v.definitionId),
    );
    for (const v of values) {
      if (!targetDefinitions.has(v.definitionId)) done.moved.push(v.id);
      else
        done.dropped.push({
          id: v.id,
          definitionId: v.definitionId,
          position: v.position,
          value: v.value,
          createdAt: iso(v.createdAt),
          updatedAt: iso(v.updatedAt),
        });
    }
    if (done.dropped.length) await tx.attributeValue.deleteMany({ where: { id: { in: done.dropped.map((d) => d.id) } } });
    if (done.moved.length) await tx.attributeValue.updateMany({ where: { id: { in: done.moved } }, data: { customerId: targetId } });
    return done;
  },
  async restore(tx, done, { sourceId, targetId }) {
    if (done.moved.length)
      await tx.attributeValue.updateMany({ where: { id: { in: done.moved }, customerId: targetId }, data: { customerId: sourceId } });
    if (done.dropped.length) {
      const data = done.dropped.map((d) => ({
        ...d,
        customerId: sourceId,
        createdAt: new Date(d.createdAt),
        updatedAt: new Date(d.updatedAt),
      }));
      await tx.attributeValue.createMany({ data, skipDuplicates: true });
    }
  },
  reliance: {
    label: 'an extended attribute',
    async test(tx, done) {
      const rows = done.moved.length
        ? await tx.attributeValue.findMany({ where: { id: { in: done.moved } }, select: { definitionId: true } })
        : [];
      const definitions = new Set(rows.map((r) => r.definitionId));
      return (later) => Boolean(later.attributes?.dropped.some((x) => definitions.has(x.definitionId)));
    },
  },
  async erase(tx, customerIds) {
    await tx.attributeValue.deleteMany({ where: { customerId: { in: customerIds } } });
  },
};

const tags: Relation<'tags'> = {
  key: 'tags',
  models: ['CustomerTag'],
  async move(tx, { sourceId, targetId }) {
    const done: RelationDetails['tags'] = { moved: [], dropped: [] };
    const rows = await tx.customerTag.findMany({ where: { customerId: sourceId }, orderBy: { tagId: 'asc' } });
    if (rows.length === 0) return done;
    const where = { customerId: targetId, tagId: { in: rows.map((t) => t.tagId) } };
    const targetTags = new Set((await tx.customerTag.findMany({ where, select: { tagId: true } })).map((t) => t.tagId));
    for (const t of rows) {
      if (targetTags.has(t.tagId)) done.dropped.push({ tagId: t.tagId, createdAt: iso(t.createdAt) });
      else done.moved.push(t.tagId);
    }
    if (done.dropped.length)
      await tx.customerTag.deleteMany({ where: { customerId: sourceId, tagId: { in: done.dropped.map((d) => d.tagId) } } });
    if (done.moved.length)
      await tx.customerTag.updateMany({ where: { customerId: sourceId, tagId: { in: done.moved } }, data: { customerId: targetId } });
    return done;
  },
  async restore(tx, done, { sourceId, targetId }) {
    if (done.moved.length)
      await tx.customerTag.updateMany({ where: { customerId: targetId, tagId: { in: done.moved } }, data: { customerId: sourceId } });
    if (done.dropped.length) {
      const data = done.dropped.map((d) => ({ customerId: sourceId, tagId: d.tagId, createdAt: new Date(d.createdAt) }));
      await tx.customerTag.createMany({ data, skipDuplicates: true });
    }
  },
  reliance: {
    label: 'a tag',
    async test(_tx, done) {
      const moved = new Set(done.moved);
      return (later) => Boolean(later.tags?.dropped.some((x) => moved.has(x.tagId)));
    },
  },
  async erase(tx, customerIds) {
    await tx.customerTag.deleteMany({ where: { customerId: { in: customerIds } } });
  },
};

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
