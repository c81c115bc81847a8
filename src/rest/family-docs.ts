// What the docs say about each family as a whole: its envelope, its HTTP statuses and the
// judgement calls that hold for every route. Rendered into docs/rest-<family>.md and the
// OpenAPI document's tags; the routes' own notes live in their rows.
import type { ErrorCode } from '../domain/errors.ts';
import type { Family } from '../platform/envelopes.ts';

export interface FamilyDoc {
  title: string;
  envelope: string[];
  notes: string[];
}

/** What each edu error_code means (seed 000 links to an error-code table it does not include). */
export const eduErrorMeanings: Record<ErrorCode, string> = {
  BAD_INPUT: 'invalid parameter: a wrong type, a missing field, an over-long batch, bad JSON (参数错误)',
  UNAUTHENTICATED: 'unauthorized: no token, or an unknown, expired or revoked one',
  FORBIDDEN: 'forbidden: the token’s app lacks the scope the endpoint needs',
  NOT_FOUND: 'not found: an id names no customer (the message names the field and index)',
  CONFLICT: 'conflict: the write clashes with existing data',
  PAYLOAD_TOO_LARGE: 'request body larger than 2 MiB',
  RATE_LIMITED: 'too many requests',
  INTERNAL: 'internal error',
  UNAVAILABLE: 'the database is unavailable; retry later',
};

const common = [
  'Unknown fields are ignored. Wrong types, missing required fields and over-long lists are refused before anything runs, with a message that names the field (and the index in lists); nothing is written.',
  'A token goes in any of the `token`, `X-Token` or `Authorization: Bearer` headers. No token, or an unknown, expired or revoked one: HTTP 401. A token whose app lacks the scope: HTTP 403. Both in this family’s envelope.',
];

export const familyDocs: Record<Family['name'], FamilyDoc> = {
  edu: {
    title: 'edu (seed 000, 客户模块)',
    envelope: [
      'Success: HTTP 200 `{"success":"true"}` (the string "true", as in the seed).',
      'Failure: `{"error_code":"<code>","error_message":"<field>: <problem>"}` with the HTTP status of the problem (400, 401, 403, 404, 409, 413, 500, 503) and its error code: 10000 invalid parameter, 10001 unauthorized, 10002 forbidden, 10003 not found, 10004 conflict, 10005 body too large, 10006 rate limited, 10500 internal, 10503 unavailable.',
    ],
    notes: [
      ...common,
      'The seed refers to an error-code table (错误码对照表) it does not include; only 10000 appears in it. The codes in the table above keep 10000 for invalid parameters and number the rest after it.',
    ],
  },
  openapi: {
    title: 'openapi (seed 001, 客户管理)',
    envelope: [
      'Success: HTTP 200 `{"code":0,"msg":"success","data":…}`.',
      'Failure: `{"code":-1,"msg":"<field>: <problem>","data":null}` with the HTTP status of the problem: 400 bad input, 401, 403, 404 unknown customer/group, 409 conflict, 413 body too large, 500, 503.',
      'Customer objects carry `id` (the customer id) besides the seed’s fields, and `identityList`.',
    ],
    notes: [
      ...common,
      'Dates without a zone (yyyy-MM-dd HH:mm:ss) are read as UTC+8, the vendor’s zone.',
      'Ids are 32-bit positive integers, given as numbers or digit strings.',
    ],
  },
  audience: {
    title: 'audience (seeds 002, 004)',
    envelope: [
      'Success: HTTP 200 `{"code":"200","errorCode":"SUCCESS","msg":"ok","data":…}`.',
      'Failure: HTTP 400/401/403/404 … with `{"code":"<status>","errorCode":"<NAME>","msg":"…"}`.',
    ],
    notes: common,
  },
  user_customer: {
    title: 'user_customer (seed 003, UserCustomer 用户与客户)',
    envelope: [
      'Success: HTTP 200 `{"code":200,"msg":"<查询成功|添加成功|编辑成功|删除成功>","mix_code":130001,"mix_msg":"","mix_ext":"","result":…}`; `result` is `[]` for writes, as in the seed.',
      'Failure: `{"code":500,"msg":"<field>: <problem>","mix_code":130000+status,"mix_msg":"<ERROR_CODE>","mix_ext":"","result":[]}` with the HTTP status of the problem (400, 401, 403, 404, 409, 413, 500, 503): the seed only says 500 means failure, so `code` stays 500 and the HTTP status and mix_code tell the cases apart.',
      'Paged results: `{page_index, page_size, total_pages, total_records, data}`; `created` is `yyyy-MM-dd HH:mm:ss` in UTC+8; a user_id made of digits is answered as a number, as in the seed.',
    ],
    notes: [
      ...common,
      'Every endpoint takes `application/json` and `application/x-www-form-urlencoded`. In form bodies nested values (`condition`, `customer_id` of multi_delete) are JSON text, numbers are digits, and an empty field counts as omitted.',
      'The seed marks no field required; user_id and customer_id are required wherever they name the link.',
    ],
  },
};
