// Friendships are mutual: each is stored as two directed rows, written together, so that
// "friends of X" is one index scan and a friendship is never half there.
import type { PrismaClient } from '../generated/prisma/client.ts';
import { requireCustomerId, requireCustomerIds } from './customers.ts';
import { badInput } from './errors.ts';

export const MAX_FRIENDS_PER_CALL = 500;

/** Befriends `customerId` with each of `friendIds` (both ways). Idempotent; unknown ids fail the call. */
export async function addFriends(prisma: PrismaClient, customerId: number, friendIds: number[]): Promise<number> {
  if (friendIds.length > MAX_FRIENDS_PER_CALL) throw badInput('friendIds', `at most ${MAX_FRIENDS_PER_CALL} a call`);
  return prisma.$transaction(async (tx) => {
    const owner = await requireCustomerId(tx, customerId, 'customerId');
    const friends = await requireCustomerIds(tx, friendIds, 'friendIds');
    const others = [...new Set(friends)].filter((id) => id !== owner);
    const rows = others.flatMap((friendId) => [
      { customerId: owner, friendId },
      { customerId: friendId, friendId: owner },
    ]);
    const { count } = await tx.friendship.createMany({ data: rows, skipDuplicates: true });
    return count / 2;
  });
}

export async function removeFriends(prisma: PrismaClient, customerId: number, friendIds: number[]): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const owner = await requireCustomerId(tx, customerId, 'customerId');
    const friends = await requireCustomerIds(tx, friendIds, 'friendIds');
    const { count } = await tx.friendship.deleteMany({
      where: {
        OR: [
          { customerId: owner, friendId: { in: friends } },
          { friendId: owner, customerId: { in: friends } },
        ],
      },
    });
    return count / 2;
  });
}
