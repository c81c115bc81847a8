// Friendship: mutual, idempotent; an unknown customer fails the whole call.
import { builder } from '../builder.ts';
import { addFriends, addFriendsByIdentity, removeFriends } from '../domain/friends.ts';
import { parseCustomerId } from './customer.ts';

export const Friendship = builder.prismaObject('Friendship', {
  authScopes: { read: true },
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
