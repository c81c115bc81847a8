// Friendships are mutual: each is stored as two directed rows, written together, so that
// "friends of X" is one index scan and a friendship is never half there.
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { requireCustomerId, requireCustomerIds, requireUnmergedCustomerId, requireUnmergedCustomerIds } from './customers.ts';
import { resolveCustomerIds } from './merge/tree.ts';
import { badInput, DomainError, type FieldIssue } from './errors.ts';
import { identityTypeRules, normalizeValue } from './identity-types.ts';
import { reportChanges } from './changes.ts';

/** The most friends one call adds (GraphQL addFriends, addFriendsByIdentity, edu addFriendBatch). */
export const MAX_FRIENDS_PER_CALL = 500;

/** Writes both rows of each friendship; existing ones stay (idempotent). Returns friendships created. */
async function befriend(tx: Prisma.TransactionClient, owner: number, friends: number[]): Promise<number> {
  const others = [...new Set(friends)].filter((id) => id !== owner);
  if (others.length === 0) return 0;
  const rows = others.flatMap((friendId) => [
    { customerId: owner, friendId },
    { customerId: friendId, friendId: owner },
  ]);
  const { count } = await tx.friendship.createMany({ data: rows, skipDuplicates: true });
  return count / 2;
}

/** Befriends `customerId` with each of `friendIds` (both ways). Idempotent; unknown ids fail the call. */
export async function addFriends(prisma: PrismaClient, customerId: number, friendIds: number[]): Promise<number> {
  if (friendIds.length > MAX_FRIENDS_PER_CALL) throw badInput('friendIds', `at most ${MAX_FRIENDS_PER_CALL} a call`);
  return prisma.$transaction(async (tx) => {
    const owner = await requireCustomerId(tx, customerId, 'customerId');
    const friends = await requireCustomerIds(tx, friendIds, 'friendIds');
    const changed = await befriend(tx, owner, friends);
    if (changed) await reportChanges(tx, { updated: [owner, ...friends] });
    return changed;
  });
}

export interface FriendsByIdentity {
  identityType: string;
  identityValue: string;
  friendIdentityValues: string[];
}

/**
 * Befriends the customer holding (identityType, identityValue) with the customers holding
 * each of friendIdentityValues of the same type (seed 000 addFriendBatch: username ids).
 * Every value is looked up before anything is written: one unknown value fails the whole
 * call, naming it as `friendIdentityValues[i]`.
 */
export async function addFriendsByIdentity(
  prisma: PrismaClient,
  input: FriendsByIdentity,
): Promise<{ customerId: number; changed: number }> {
  if (input.friendIdentityValues.length > MAX_FRIENDS_PER_CALL) {
    throw badInput('friendIdentityValues', `at most ${MAX_FRIENDS_PER_CALL} a call; ${input.friendIdentityValues.length} were given`);
  }
  const rules = await identityTypeRules(prisma);
  const type = rules.get(input.identityType.trim());
  if (!type) throw badInput('identityType', `unknown identity type "${input.identityType}"; known: ${[...rules.keys()].join(', ')}`);
  const normalize = (value: string, field: string) => {
    const normalized = normalizeValue(type.normalization, value);
    if (!normalized) throw badInput(field, 'must not be empty');
    if (normalized.length > 255) throw badInput(field, 'must be at most 255 characters');
    return normalized;
  };
  const ownerValue = normalize(input.identityValue, 'identityValue');
  const friendValues = input.friendIdentityValues.map((value, i) => normalize(value, `friendIdentityValues[${i}]`));

  return prisma.$transaction(async (tx) => {
    const held = await tx.identity.findMany({
      where: { type: type.name, value: { in: [...new Set([ownerValue, ...friendValues])] } },
      select: { value: true, customerId: true },
    });
    // Identities move to the survivor on a merge, but resolve anyway: a tombstone never answers.
    const live = await resolveCustomerIds(
      tx,
      held.map((h) => h.customerId),
    );
    const customerOf = new Map(held.map((h) => [h.value, live.get(h.customerId) ?? null]));

    const owner = customerOf.get(ownerValue);
    if (!owner) {
      throw new DomainError('NOT_FOUND', `identityValue: no customer has ${type.name} "${ownerValue}"`, [
        { field: 'identityValue', message: `no customer has ${type.name} "${ownerValue}"` },
      ]);
    }
    const missing: FieldIssue[] = [];
    const friends: number[] = [];
    friendValues.forEach((value, i) => {
      const id = customerOf.get(value);
      if (id) friends.push(id);
      else missing.push({ field: `friendIdentityValues[${i}]`, message: `no customer has ${type.name} "${value}"` });
    });
    if (missing.length) {
      const named = missing
        .slice(0, 5)
        .map((m) => `${m.field}: ${m.message}`)
        .join('; ');
      throw new DomainError('NOT_FOUND', named + (missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''), missing);
    }
    const changed = await befriend(tx, owner, friends);
    if (changed) await reportChanges(tx, { updated: [owner, ...friends] });
    return { customerId: owner, changed };
  });
}

export async function removeFriends(prisma: PrismaClient, customerId: number, friendIds: number[]): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const owner = await requireUnmergedCustomerId(tx, customerId, 'customerId');
    const friends = await requireUnmergedCustomerIds(tx, friendIds, 'friendIds');
    const { count } = await tx.friendship.deleteMany({
      where: {
        OR: [
          { customerId: owner, friendId: { in: friends } },
          { friendId: owner, customerId: { in: friends } },
        ],
      },
    });
    if (count) await reportChanges(tx, { updated: [owner, ...friends] });
    return count / 2;
  });
}
