// Merges (CONTRACT §5): a source customer folded into a target in one transaction, recorded in
// a MergeEvent whose details say exactly what moved, so that unmergeCustomer can undo it.
// The source is left as a tombstone (mergedIntoId = target, no identities) whose id still
// resolves to the survivor; chains of merges resolve to the final survivor.
import type { Customer, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { profileFields, type ProfileField } from './customer-fields.ts';
import { badInput, DomainError, notFound } from './errors.ts';
import { uniqueConflict } from './identity/rules.ts';
import { identityTypeRules, type IdentityTypeRule } from './identity-types.ts';
import { resolveCustomerIds } from './merge/tree.ts';
import { lockCustomers, lockLiveCustomers, retryingTransaction, StaleRead } from './transactions.ts';

type Tx = Prisma.TransactionClient;
type Db = PrismaClient | Tx;
type Rules = Map<string, IdentityTypeRule>;
type FieldValue = string | number | null;

export const MAX_SOURCES_PER_MERGE = 50;

/** What one merge moved and filled: MergeEvent.details, read back by unmerge. */
export interface MergeDetails {
  version: 1;
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
  userLinks: {
    moved: number[];
    dropped: {
      id: number;
      userId: string;
      template: string | null;
      script: string | null;
      reference: string;
      isAvailable: number;
      bossSync: number;
      createdAt: string;
      updatedAt: string;
    }[];
  };
  /** Extended attribute value rows moved, and the source's rows dropped because the target had its own value. */
  attributes: {
    moved: number[];
    dropped: { id: number; definitionId: number; position: number; value: string; createdAt: string; updatedAt: string }[];
  };
  /** Tags moved, and the source's tags dropped because the target had them. */
  tags: { moved: number[]; dropped: { tagId: number; createdAt: string }[] };
  /** Empty target profile fields filled from the source: the value written and the one it replaced. */
  filled: { field: ProfileField; value: FieldValue; previous: FieldValue }[];
}

// Fields a merge never fills: they describe another field (moved with it) or the target's own state.
const companionOf: Partial<Record<ProfileField, ProfileField>> = { mobile: 'mobileVerified', email: 'emailVerified' };
const neverFilled = new Set<ProfileField>(['mobileVerified', 'emailVerified', 'editable']);

function isEmpty(field: ProfileField, value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (field === 'gender') return value === 0;
  if (field === 'deptCodeList') return value === '[]';
  return false;
}

/** Target fields that are empty and that the source has: filled from the source (with their companions). */
function fillsFrom(target: Customer, source: Customer): MergeDetails['filled'] {
  const filled: MergeDetails['filled'] = [];
  const t = target as unknown as Record<ProfileField, FieldValue>;
  const s = source as unknown as Record<ProfileField, FieldValue>;
  for (const field of profileFields) {
    if (neverFilled.has(field) || !isEmpty(field, t[field]) || isEmpty(field, s[field])) continue;
    filled.push({ field, value: s[field], previous: t[field] });
    const companion = companionOf[field];
    if (companion && s[companion] !== t[companion]) filled.push({ field: companion, value: s[companion], previous: t[companion] });
  }
  return filled;
}

const iso = (d: Date) => d.toISOString();

export interface MergeIntoInput {
  targetId: number;
  sourceId: number;
  reason: string;
  actor: string;
  rules: Rules;
  /** The input field named in a CONFLICT (e.g. "sourceIds[1]"). */
  field?: string;
}

/**
 * Folds one live source into one live target inside `tx`. The caller has locked both rows
 * (lockCustomers) and checked they are distinct and live. Refuses a uniqueness conflict with
 * CONFLICT naming the identity type.
 */
export async function mergeInto(tx: Tx, input: MergeIntoInput): Promise<{ mergeEventId: number; details: MergeDetails }> {
  const { targetId: T, sourceId: S } = input;
  if (T === S) throw badInput(input.field ?? 'sourceIds', `cannot merge customer ${S} into itself`);
  const [target, source] = await Promise.all([
    tx.customer.findUniqueOrThrow({ where: { id: T } }),
    tx.customer.findUniqueOrThrow({ where: { id: S } }),
  ]);
  const [targetIdentities, sourceIdentities] = await Promise.all([
    tx.identity.findMany({ where: { customerId: T }, select: { id: true, type: true, value: true } }),
    tx.identity.findMany({ where: { customerId: S }, select: { id: true, type: true, value: true }, orderBy: { id: 'asc' } }),
  ]);
  const conflict = uniqueConflict(input.rules, sourceIdentities, targetIdentities);
  if (conflict) {
    throw new DomainError(
      'CONFLICT',
      `cannot merge customer ${S} into customer ${T}: both hold a ${conflict} with different values, and a customer holds one ${conflict}`,
      [{ field: input.field ?? 'sourceIds', message: `uniqueness conflict on identity type ${conflict}` }],
    );
  }

  const details: MergeDetails = {
    version: 1,
    identities: sourceIdentities,
    groups: { moved: [], dropped: [] },
    friends: { moved: [], dropped: [] },
    userLinks: { moved: [], dropped: [] },
    attributes: { moved: [], dropped: [] },
    tags: { moved: [], dropped: [] },
    filled: fillsFrom(target, source),
  };

  // Identities: all of them (the conflict check above makes that safe).
  if (sourceIdentities.length) await tx.identity.updateMany({ where: { customerId: S }, data: { customerId: T } });

  // Group memberships.
  const memberships = await tx.groupMember.findMany({ where: { customerId: S }, orderBy: { groupId: 'asc' } });
  if (memberships.length) {
    const targetGroups = new Set(
      (await tx.groupMember.findMany({ where: { customerId: T, groupId: { in: memberships.map((m) => m.groupId) } }, select: { groupId: true } })).map(
        (m) => m.groupId,
      ),
    );
    for (const m of memberships) {
      if (targetGroups.has(m.groupId)) details.groups.dropped.push({ groupId: m.groupId, createdAt: iso(m.createdAt) });
      else details.groups.moved.push(m.groupId);
    }
    if (details.groups.dropped.length) {
      await tx.groupMember.deleteMany({ where: { customerId: S, groupId: { in: details.groups.dropped.map((d) => d.groupId) } } });
    }
    if (details.groups.moved.length) {
      await tx.groupMember.updateMany({ where: { customerId: S, groupId: { in: details.groups.moved } }, data: { customerId: T } });
    }
  }

  // Friendships: two directed rows each; either direction makes a friend.
  const friendRows = await tx.friendship.findMany({ where: { OR: [{ customerId: S }, { friendId: S }] } });
  if (friendRows.length) {
    const friends = new Map<number, Date>();
    for (const row of friendRows) {
      const other = row.customerId === S ? row.friendId : row.customerId;
      if (other === S) continue;
      if (!friends.has(other) || row.createdAt < friends.get(other)!) friends.set(other, row.createdAt);
    }
    const others = [...friends.keys()].filter((f) => f !== T);
    const targetFriends = new Set<number>();
    if (others.length) {
      const rows = await tx.friendship.findMany({
        where: { OR: [{ customerId: T, friendId: { in: others } }, { friendId: T, customerId: { in: others } }] },
        select: { customerId: true, friendId: true },
      });
      for (const r of rows) targetFriends.add(r.customerId === T ? r.friendId : r.customerId);
    }
    for (const [friendId, createdAt] of [...friends].sort((a, b) => a[0] - b[0])) {
      if (friendId === T || targetFriends.has(friendId)) details.friends.dropped.push({ friendId, createdAt: iso(createdAt) });
      else details.friends.moved.push(friendId);
    }
    const dropped = details.friends.dropped.map((d) => d.friendId);
    if (dropped.length) {
      await tx.friendship.deleteMany({
        where: { OR: [{ customerId: S, friendId: { in: dropped } }, { friendId: S, customerId: { in: dropped } }] },
      });
    }
    const moved = details.friends.moved;
    if (moved.length) {
      await tx.friendship.updateMany({ where: { customerId: S, friendId: { in: moved } }, data: { customerId: T } });
      await tx.friendship.updateMany({ where: { friendId: S, customerId: { in: moved } }, data: { friendId: T } });
    }
  }

  // Follow links: on a (userId) collision the target's link stays.
  const links = await tx.userCustomer.findMany({ where: { customerId: S }, orderBy: { id: 'asc' } });
  if (links.length) {
    const followedTarget = new Set(
      (await tx.userCustomer.findMany({ where: { customerId: T, userId: { in: links.map((l) => l.userId) } }, select: { userId: true } })).map(
        (l) => l.userId,
      ),
    );
    for (const l of links) {
      if (followedTarget.has(l.userId)) {
        details.userLinks.dropped.push({
          id: l.id,
          userId: l.userId,
          template: l.template,
          script: l.script,
          reference: l.reference,
          isAvailable: l.isAvailable,
          bossSync: l.bossSync,
          createdAt: iso(l.createdAt),
          updatedAt: iso(l.updatedAt),
        });
      } else {
        details.userLinks.moved.push(l.id);
      }
    }
    if (details.userLinks.dropped.length) await tx.userCustomer.deleteMany({ where: { id: { in: details.userLinks.dropped.map((d) => d.id) } } });
    if (details.userLinks.moved.length) await tx.userCustomer.updateMany({ where: { id: { in: details.userLinks.moved } }, data: { customerId: T } });
  }

  // Extended attributes: per attribute, the target's own values win.
  const values = await tx.attributeValue.findMany({ where: { customerId: S }, orderBy: { id: 'asc' } });
  if (values.length) {
    const targetDefinitions = new Set(
      (
        await tx.attributeValue.findMany({
          where: { customerId: T, definitionId: { in: [...new Set(values.map((v) => v.definitionId))] } },
          select: { definitionId: true },
        })
      ).map((v) => v.definitionId),
    );
    for (const v of values) {
      if (targetDefinitions.has(v.definitionId)) {
        details.attributes.dropped.push({
          id: v.id,
          definitionId: v.definitionId,
          position: v.position,
          value: v.value,
          createdAt: iso(v.createdAt),
          updatedAt: iso(v.updatedAt),
        });
      } else {
        details.attributes.moved.push(v.id);
      }
    }
    if (details.attributes.dropped.length) await tx.attributeValue.deleteMany({ where: { id: { in: details.attributes.dropped.map((d) => d.id) } } });
    if (details.attributes.moved.length) await tx.attributeValue.updateMany({ where: { id: { in: details.attributes.moved } }, data: { customerId: T } });
  }

  // Tags.
  const tags = await tx.customerTag.findMany({ where: { customerId: S }, orderBy: { tagId: 'asc' } });
  if (tags.length) {
    const targetTags = new Set(
      (await tx.customerTag.findMany({ where: { customerId: T, tagId: { in: tags.map((t) => t.tagId) } }, select: { tagId: true } })).map((t) => t.tagId),
    );
    for (const t of tags) {
      if (targetTags.has(t.tagId)) details.tags.dropped.push({ tagId: t.tagId, createdAt: iso(t.createdAt) });
      else details.tags.moved.push(t.tagId);
    }
    if (details.tags.dropped.length) await tx.customerTag.deleteMany({ where: { customerId: S, tagId: { in: details.tags.dropped.map((d) => d.tagId) } } });
    if (details.tags.moved.length) await tx.customerTag.updateMany({ where: { customerId: S, tagId: { in: details.tags.moved } }, data: { customerId: T } });
  }

  // Profile: fill the target's empty fields; the source keeps its own (it is needed to undo).
  if (details.filled.length) {
    await tx.customer.update({ where: { id: T }, data: Object.fromEntries(details.filled.map((f) => [f.field, f.value])) });
  }
  await tx.customer.update({ where: { id: S }, data: { mergedIntoId: T } });
  const event = await tx.mergeEvent.create({
    data: { targetId: T, sourceId: S, reason: input.reason, actor: input.actor, details: JSON.stringify(details) },
    select: { id: true },
  });
  return { mergeEventId: event.id, details };
}

export interface MergeRequest {
  targetId: number;
  sourceIds: number[];
  reason?: string | null;
  actor: string;
}

export interface MergeOutcome {
  customerId: number;
  mergedCustomerIds: number[];
  mergeEventIds: number[];
}

/**
 * The manual merge: each source into the target, in order, all in one transaction. Ids of
 * merged customers resolve to their survivor. Refuses (and writes nothing) when a source is
 * the target, is unknown or deleted, or has a uniqueness conflict with the target.
 */
export async function mergeCustomers(prisma: PrismaClient, request: MergeRequest): Promise<MergeOutcome> {
  if (request.sourceIds.length === 0) throw badInput('sourceIds', 'at least one customer id is required');
  if (request.sourceIds.length > MAX_SOURCES_PER_MERGE) throw badInput('sourceIds', `at most ${MAX_SOURCES_PER_MERGE} customers a call`);
  const reason = request.reason?.trim() || 'manual merge';
  if (reason.length > 500) throw badInput('reason', 'must be at most 500 characters');
  request.sourceIds.forEach((id, i) => {
    if (id === request.targetId) throw badInput(`sourceIds[${i}]`, `cannot merge customer ${id} into itself`);
  });
  const rules = await identityTypeRules(prisma);

  return retryingTransaction(prisma, 'mergeCustomers', async (tx) => {
    const resolved = await resolveCustomerIds(tx, [request.targetId, ...request.sourceIds]);
    const target = resolved.get(request.targetId);
    if (target === null || target === undefined) throw notFound('customer', request.targetId, 'targetId');
    const sources: { id: number; field: string }[] = [];
    request.sourceIds.forEach((id, i) => {
      const live = resolved.get(id);
      const field = `sourceIds[${i}]`;
      if (live === null || live === undefined) throw notFound('customer', id, field);
      if (live === target) {
        throw new DomainError('CONFLICT', `customer ${id} is already merged into customer ${target}`, [
          { field, message: 'already merged into the target' },
        ]);
      }
      if (!sources.some((s) => s.id === live)) sources.push({ id: live, field });
    });
    await lockLiveCustomers(tx, [target, ...sources.map((s) => s.id)]);
    const mergeEventIds: number[] = [];
    for (const source of sources) {
      const { mergeEventId } = await mergeInto(tx, { targetId: target, sourceId: source.id, reason, actor: request.actor, rules, field: source.field });
      mergeEventIds.push(mergeEventId);
    }
    return { customerId: target, mergedCustomerIds: sources.map((s) => s.id), mergeEventIds };
  });
}

export interface UnmergeOutcome {
  mergeEventId: number;
  /** The customer brought back. */
  customerId: number;
  /** The customer it had been merged into. */
  targetId: number;
  /** Filled profile fields left alone because the target changed them after the merge. */
  keptFields: string[];
}

function unsafe(message: string): DomainError {
  return new DomainError('CONFLICT', `cannot undo this merge: ${message}`, [{ field: 'mergeEventId', message }]);
}

/**
 * Undoes one merge: the source is live again, and gets back exactly what the merge moved
 * (identities, memberships, friendships, follow links, attribute values, tags) and what it
 * dropped as duplicates; the target's filled fields are cleared. Refuses with CONFLICT when
 * later changes make that unsafe.
 */
export async function unmergeCustomer(prisma: PrismaClient, mergeEventId: number, actor: string): Promise<UnmergeOutcome> {
  return retryingTransaction(prisma, 'unmergeCustomer', async (tx) => {
    const event = await tx.mergeEvent.findUnique({ where: { id: mergeEventId } });
    if (!event) throw notFound('merge event', mergeEventId, 'mergeEventId');
    const { targetId: T, sourceId: S } = event;
    const locked = await lockCustomers(tx, [T, S]);
    // Read the event again under the locks: a concurrent undo of it has committed by now.
    const current = await tx.mergeEvent.findUniqueOrThrow({ where: { id: mergeEventId } });
    if (current.undoneAt) throw unsafe(`it was already undone (${iso(current.undoneAt)}${current.undoneBy ? ` by ${current.undoneBy}` : ''})`);
    const target = locked.get(T)!;
    const source = locked.get(S)!;
    if (target.deletedAt) throw unsafe(`customer ${T} (the target) was deleted since`);
    if (target.mergedIntoId !== null) {
      throw unsafe(`customer ${T} (the target) was itself merged into customer ${target.mergedIntoId} since; undo that merge first`);
    }
    const later = await tx.mergeEvent.findFirst({
      where: { id: { gt: event.id }, undoneAt: null, OR: [{ sourceId: S }, { targetId: S }] },
      orderBy: { id: 'asc' },
    });
    if (later) throw unsafe(`a later merge (event ${later.id}) involves customer ${S}; undo it first`);
    if (source.mergedIntoId !== T || source.deletedAt) throw unsafe(`customer ${S} is no longer a tombstone of customer ${T}`);

    const details = JSON.parse(event.details) as MergeDetails;
    await refuseWhenLaterMergesRelyOnIt(tx, event.id, T, details);

    // Identities: each must still be the target's, unchanged.
    if (details.identities.length) {
      const ids = details.identities.map((i) => i.id);
      const rows = await tx.identity.findMany({ where: { id: { in: ids } }, select: { id: true, type: true, value: true, customerId: true } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const moved of details.identities) {
        const row = byId.get(moved.id);
        if (!row || row.type !== moved.type || row.value !== moved.value) throw unsafe(`the ${moved.type} identity it moved was deleted since`);
        if (row.customerId !== T) throw unsafe(`the ${moved.type} identity it moved belongs to customer ${row.customerId} since`);
      }
      await tx.identity.updateMany({ where: { id: { in: ids }, customerId: T }, data: { customerId: S } });
    }

    // What moved and is still at the target goes back; what was removed since stays removed.
    if (details.groups.moved.length) {
      await tx.groupMember.updateMany({ where: { customerId: T, groupId: { in: details.groups.moved } }, data: { customerId: S } });
    }
    if (details.groups.dropped.length) {
      await tx.groupMember.createMany({
        data: details.groups.dropped.map((d) => ({ customerId: S, groupId: d.groupId, createdAt: new Date(d.createdAt) })),
        skipDuplicates: true,
      });
    }
    if (details.friends.moved.length) {
      const stillThere = (
        await tx.friendship.findMany({ where: { customerId: T, friendId: { in: details.friends.moved } }, select: { friendId: true } })
      ).map((r) => r.friendId);
      const reverse = (
        await tx.friendship.findMany({ where: { friendId: T, customerId: { in: details.friends.moved } }, select: { customerId: true } })
      ).map((r) => r.customerId);
      if (stillThere.length) await tx.friendship.updateMany({ where: { customerId: T, friendId: { in: stillThere } }, data: { customerId: S } });
      if (reverse.length) await tx.friendship.updateMany({ where: { friendId: T, customerId: { in: reverse } }, data: { friendId: S } });
    }
    if (details.friends.dropped.length) {
      await tx.friendship.createMany({
        data: details.friends.dropped.flatMap((d) => [
          { customerId: S, friendId: d.friendId, createdAt: new Date(d.createdAt) },
          { customerId: d.friendId, friendId: S, createdAt: new Date(d.createdAt) },
        ]),
        skipDuplicates: true,
      });
    }
    if (details.userLinks.moved.length) {
      await tx.userCustomer.updateMany({ where: { id: { in: details.userLinks.moved }, customerId: T }, data: { customerId: S } });
    }
    if (details.userLinks.dropped.length) {
      await tx.userCustomer.createMany({
        data: details.userLinks.dropped.map((d) => ({
          ...d,
          customerId: S,
          createdAt: new Date(d.createdAt),
          updatedAt: new Date(d.updatedAt),
        })),
        skipDuplicates: true,
      });
    }
    if (details.attributes.moved.length) {
      await tx.attributeValue.updateMany({ where: { id: { in: details.attributes.moved }, customerId: T }, data: { customerId: S } });
    }
    if (details.attributes.dropped.length) {
      await tx.attributeValue.createMany({
        data: details.attributes.dropped.map((d) => ({
          ...d,
          customerId: S,
          createdAt: new Date(d.createdAt),
          updatedAt: new Date(d.updatedAt),
        })),
        skipDuplicates: true,
      });
    }
    if (details.tags.moved.length) {
      await tx.customerTag.updateMany({ where: { customerId: T, tagId: { in: details.tags.moved } }, data: { customerId: S } });
    }
    if (details.tags.dropped.length) {
      await tx.customerTag.createMany({
        data: details.tags.dropped.map((d) => ({ customerId: S, tagId: d.tagId, createdAt: new Date(d.createdAt) })),
        skipDuplicates: true,
      });
    }

    // Filled fields are cleared back to what the target had, unless the target changed them since.
    const keptFields: string[] = [];
    if (details.filled.length) {
      const now = (await tx.customer.findUniqueOrThrow({ where: { id: T } })) as unknown as Record<string, FieldValue>;
      const restore: Record<string, FieldValue> = {};
      for (const f of details.filled) {
        if (now[f.field] === f.value) restore[f.field] = f.previous;
        else keptFields.push(f.field);
      }
      if (Object.keys(restore).length) await tx.customer.update({ where: { id: T }, data: restore });
    }

    await tx.customer.update({ where: { id: S }, data: { mergedIntoId: null } });
    const undone = await tx.mergeEvent.updateMany({ where: { id: event.id, undoneAt: null }, data: { undoneAt: new Date(), undoneBy: actor } });
    if (undone.count !== 1) throw new StaleRead(`merge event ${event.id} changed`);
    return { mergeEventId: event.id, customerId: S, targetId: T, keptFields };
  });
}

/**
 * A later merge into the same target that dropped its own copy of something this merge brought
 * (a group membership, a friend, a follow link's user, an attribute, a tag), or whose source was
 * a friend this merge brought, relies on it: taking it back would lose that customer's data.
 */
async function refuseWhenLaterMergesRelyOnIt(tx: Tx, eventId: number, T: number, details: MergeDetails): Promise<void> {
  const later = await tx.mergeEvent.findMany({ where: { id: { gt: eventId }, targetId: T, undoneAt: null }, orderBy: { id: 'asc' } });
  if (later.length === 0) return;
  const movedUsers = new Set(
    details.userLinks.moved.length
      ? (await tx.userCustomer.findMany({ where: { id: { in: details.userLinks.moved } }, select: { userId: true } })).map((r) => r.userId)
      : [],
  );
  const movedDefinitions = new Set(
    details.attributes.moved.length
      ? (await tx.attributeValue.findMany({ where: { id: { in: details.attributes.moved } }, select: { definitionId: true } })).map((r) => r.definitionId)
      : [],
  );
  const groups = new Set(details.groups.moved);
  const friends = new Set(details.friends.moved);
  const tags = new Set(details.tags.moved);
  for (const event of later) {
    const d = JSON.parse(event.details) as Partial<MergeDetails>;
    const relied =
      (d.groups?.dropped.some((x) => groups.has(x.groupId)) && 'a group membership') ||
      ((d.friends?.dropped.some((x) => friends.has(x.friendId)) || friends.has(event.sourceId)) && 'a friendship') ||
      (d.userLinks?.dropped.some((x) => movedUsers.has(x.userId)) && 'a follow link') ||
      (d.attributes?.dropped.some((x) => movedDefinitions.has(x.definitionId)) && 'an extended attribute') ||
      (d.tags?.dropped.some((x) => tags.has(x.tagId)) && 'a tag');
    if (relied) {
      throw unsafe(`a later merge into customer ${T} (event ${event.id}) relies on ${relied} this merge brought; undo it first`);
    }
  }
}
