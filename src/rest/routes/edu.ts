// The edu family (seed 000_697ad8cd86fc99cb.txt, 客户模块): success {"success":"true"},
// failure {"error_code","error_message"} with the codes of eduErrorCodes.
import { z } from 'zod';
import { MAX_EDU_BATCH, STUDY_FIELDS } from '../../domain/edu.ts';
import { MAX_FRIENDS_PER_CALL } from '../../domain/friends.ts';
import { edu } from '../../platform/envelopes.ts';
import { intField, listField, optional, requiredTextField, textColumns, textField, textIdColumns, textIdField } from '../fields.ts';
import { defineRoute } from '../route.ts';

const intStudyFields = new Set<string>(['hasStudyVideo', 'videoTotal', 'loginCount']);

/** One roster row of seed 000, typed as legacy clients send it (tel and qq as text or numbers). */
const eduCustomerRow = z.object({
  ...textColumns({ name: '姓名' }),
  ...textIdColumns({ tel: '手机: a phone identity', qq: 'QQ: a qq identity' }),
  ...textColumns({ email: '邮箱: an email identity' }),
  ...textIdColumns({ username: '所在网站系统的用户名: a username identity' }),
  ...textColumns({ gender: '性别: F or M (also 男/女, 0/1/2)', province: '省份', city: '城市', country: '县区乡镇 (district)' }),
  ...Object.fromEntries(STUDY_FIELDS.map((key) => [key, optional(intStudyFields.has(key) ? intField : textField)])),
});

export const eduRoutes = [
  defineRoute({
    family: edu,
    method: 'POST',
    path: '/v1/customer/addCustomerBatch.json',
    summary:
      '批量添加客户: the project and the class become groups; each customer is resolved by its identities, created or updated, given its study fields and put in the class',
    seed: '000 §1 批量添加客户',
    request: z.object({
      pname: optional(textField).describe('项目名称'),
      spid: optional(textIdField).describe('项目在系统中的id'),
      className: requiredTextField.describe('班级名称'),
      sclassid: z
        .union([textField, z.number().int()])
        .transform(String)
        .describe('班级在网站系统中的编号 (may be empty: the class is then known by name)'),
      // An empty list: the domain's own refusal (customers: at least one customer is required).
      customers: listField(eduCustomerRow, MAX_EDU_BATCH).describe(`客户数组, at most ${MAX_EDU_BATCH}`),
    }),
    operation: `mutation AddCustomerBatch($input: EduCustomerBatchInput!) {
      addEduCustomerBatch(input: $input) { classGroupId customerIds }
    }`,
    variables: (req) => ({ input: req }),
    result: () => null,
    errorFields: { input: '' },
    example: {
      pname: '项目名称',
      spid: '项目在系统中的id',
      className: '班级名称',
      sclassid: '',
      customers: [
        {
          name: '姓名',
          qq: '10000',
          tel: '13765348726',
          province: '省份',
          city: '城市',
          country: '县区乡镇',
          username: '所在网站系统的用户名',
          workunit: '工作单位',
          hasStudyVideo: 23,
          videoTotal: 234,
          workStatus: '68/34/34/34',
          xindeStatus: '未来完成',
          learnStage: '第一学年',
          email: 'a@b.com',
          loginCount: 20,
          gender: 'F',
          title: '职称',
          job: '教师',
          subject: '学科',
          userType: '学员',
          lastLogin: '2015/5/12 17:17:18',
        },
      ],
    },
    notes: [
      'The seed example, with its // comments and {...} placeholders removed so that it is JSON.',
      'Each customer is resolved by its identities (tel → phone, qq, email, username) with createCustomerByIdentity’s defaults (system priority, identityFirst, no merge): found customers are updated, others created. A row needs at least one of them.',
      'The project (pname/spid) and the class (className/sclassid, inside the project) are groups found by their website ids, or by name when the id is empty; re-sending the batch changes nothing more.',
      'Study fields (hasStudyVideo … workunit) are kept as the built-in extended attributes of the same keys; tel and email also fill the mobile and email fields; country is the district; gender F/M becomes 2/1.',
      `All or nothing: any bad row fails the call (10000, HTTP 400) naming every bad row and field (customers[3].email); nothing is written. At most ${MAX_EDU_BATCH} customers a call.`,
    ],
  }),
  defineRoute({
    family: edu,
    method: 'POST',
    path: '/v1/customer/addFriendBatch.json',
    summary: '批量双向添加好友: befriends userIdA with each of userIdBatch, both ways (username identities)',
    seed: '000 §2 批量双向添加好友 (the seed leaves the URL blank; CONTRACT §4.1 names it)',
    request: z.object({
      userIdA: textIdField.describe('用户id: the username identity of the customer who gains friends'),
      userIdBatch: listField(textIdField, MAX_FRIENDS_PER_CALL).describe(
        `被加的批量用户ID: username identities of the friends, at most ${MAX_FRIENDS_PER_CALL}`,
      ),
    }),
    operation: `mutation AddFriendBatch($userIdA: String!, $userIdBatch: [String!]!) {
      addFriendsByIdentity(identityType: "username", identityValue: $userIdA, friendIdentityValues: $userIdBatch) { customerId changed }
    }`,
    fields: { userIdA: 'userIdA', userIdBatch: 'userIdBatch' },
    result: () => null,
    example: { userIdA: '2342332222', userIdBatch: ['1342332222', '1342332223', '1342332224'] },
    notes: [
      'Each id is a customer’s `username` identity (the 所在网站系统的用户名 of addCustomerBatch.json).',
      'An unknown id fails the whole call with 10003 (HTTP 404) naming every unknown id (`userIdBatch[2]: no customer has username "…"`); nothing is written.',
      `At most ${MAX_FRIENDS_PER_CALL} ids a call (10000, HTTP 400). An empty userIdBatch is accepted and changes nothing.`,
      'Ids may be sent as strings or numbers. Friends already befriended, repeated ids and userIdA itself in the batch change nothing.',
    ],
  }),
];
