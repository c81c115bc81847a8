// Friendship: mutual, idempotent; an unknown customer fails the whole call.
import { builder } from '../builder.ts';
import { addFriends, addFriendsByIdentity, removeFriends } from '../domain/friends.ts';
import { liveCustomerWhere } from '../domain/visibility.ts';
import { parseCustomerId } from './ids.ts';

/** The two customer ids of a Friendship node id ("3:7"); 0:0 (no row) when malformed. */
function friendshipKey(id: string): { customerId: number; friendId: number } {
  const match = /^(\d{1,10}):(\d{1,10})$/.exec(id);
  const [customerId, friendId] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  return customerId <= 2147483647 && friendId <= 2147483647 ? { customerId, friendId } : { customerId: 0, friendId: 0 };
}

// One direction of a friendship (the row customer → friend; its mirror is another node).
// node() answers it while both customers are live (src/domain/visibility.ts).
export const Friendship = builder.prismaNode('Friendship', {
  authScopes: { read: true },
  select: { customerId: true, friendId: true },
  id: { resolve: (row) => `${row.customerId}:${row.friendId}` },
  findUnique: (id) => ({
    customerId_friendId: friendshipKey(id),
    customer: liveCustomerWhere,
    friend: liveCustomerWhere,
  }),
  nullable: true,
  fields: (t) => ({
    customer: t.relation('customer'),
    friend: t.relation('friend'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const FriendsPayload = builder.objectRef<{ customerId: number; changed: number }>('FriendsPayload').implement({
  fields: (t) => ({
    customerId: t.exposeInt('customerId'),
    changed: t.exposeInt('changed', { description: 'Friendships created or removed by this call.' }),
  }),
});

builder.mutationFields((t) => ({
  addFriends: t.field({
    type: FriendsPayload,
    authScopes: { write: true },
    description: 'Befriends the customer with each of friendIds, both ways. Adding an existing friend changes nothing.',
    args: { customerId: t.arg.id({ required: true }), friendIds: t.arg.idList({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const customerId = parseCustomerId(args.customerId, 'customerId');
      const friendIds = args.friendIds.map((id, i) => parseCustomerId(id, `friendIds[${i}]`));
      const changed = await addFriends(ctx.prisma, customerId, friendIds);
      return { customerId, changed };
    },
  }),
  addFriendsByIdentity: t.field({
    type: FriendsPayload,
    authScopes: { write: true },
    description:
      'Befriends the customer holding (identityType, identityValue) with the customers holding each of friendIdentityValues ' +
      '(same type), both ways; idempotent. One unknown value fails the whole call, naming it; at most 500 a call.',
    args: {
      identityType: t.arg.string({ required: true }),
      identityValue: t.arg.string({ required: true }),
      friendIdentityValues: t.arg.stringList({ required: true }),
    },
    resolve: (_root, args, ctx) => addFriendsByIdentity(ctx.prisma, args),
  }),
  removeFriends: t.field({
    type: FriendsPayload,
    authScopes: { write: true },
    args: { customerId: t.arg.id({ required: true }), friendIds: t.arg.idList({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const customerId = parseCustomerId(args.customerId, 'customerId');
      const friendIds = args.friendIds.map((id, i) => parseCustomerId(id, `friendIds[${i}]`));
      const changed = await removeFriends(ctx.prisma, customerId, friendIds);
      return { customerId, changed };
    },
  }),
}));
