// The edu family (seed 000_697ad8cd86fc99cb.txt, 客户模块): success {"success":"true"},
// failure {"error_code","error_message"} with the codes of eduErrorCodes.
import { z } from 'zod';
import { MAX_FRIENDS_PER_CALL } from '../../domain/friends.ts';
import { edu } from '../families.ts';
import { listField, textIdField } from '../fields.ts';
import { defineRoute } from '../route.ts';

export const eduRoutes = [
  defineRoute({
    family: edu,
    method: 'POST',
    path: '/v1/customer/addFriendBatch.json',
    summary: '批量双向添加好友: befriends userIdA with each of userIdBatch, both ways (username identities)',
    seed: '000 §2 批量双向添加好友 (the seed leaves the URL blank; CONTRACT §4.1 names it)',
    scope: 'customer:write',
    request: z.object({
      userIdA: textIdField.describe('用户id: the username identity of the customer who gains friends'),
      userIdBatch: listField(textIdField, MAX_FRIENDS_PER_CALL).describe(
        `被加的批量用户ID: username identities of the friends, at most ${MAX_FRIENDS_PER_CALL}`,
      ),
    }),
    operation: `mutation AddFriendBatch($userIdA: String!, $userIdBatch: [String!]!) {
      addFriendsByIdentity(identityType: "username", identityValue: $userIdA, friendIdentityValues: $userIdBatch) { customerId changed }
    }`,
    variables: (req) => ({ userIdA: req.userIdA, userIdBatch: req.userIdBatch }),
    result: () => null,
    errorFields: { identityValue: 'userIdA', friendIdentityValues: 'userIdBatch' },
    example: { userIdA: '2342332222', userIdBatch: ['1342332222', '1342332223', '1342332224'] },
    notes: [
      'Each id is a customer’s `username` identity (the 所在网站系统的用户名 of addCustomerBatch.json).',
      'An unknown id fails the whole call with 10003 (HTTP 404) naming every unknown id (`userIdBatch[2]: no customer has username "…"`); nothing is written.',
      `At most ${MAX_FRIENDS_PER_CALL} ids a call (10000, HTTP 400). An empty userIdBatch is accepted and changes nothing.`,
      'Ids may be sent as strings or numbers. Friends already befriended, repeated ids and userIdA itself in the batch change nothing.',
    ],
  }),
];
