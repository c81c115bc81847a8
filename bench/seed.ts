// Seeds a fresh, migrated database with generated customers for the benchmarks: one
// multi-row INSERT … SELECT FROM generate_series per table, run on the driver directly
// (seconds, where Prisma's createMany would take minutes on PGlite).
//
// Customer n (1…N) has: a phone (138 + n on 8 digits), an e-mail and an openid identity;
// membership of one class (inside one of 10 projects) and one customer group; 6 friends
// (n±1, n±2, n±3 around the ring, stored both ways as the app does); two extended
// attributes; a tag for every tenth customer; a follow link from one of 100 users.
import type { Database } from '../src/db/database.ts';

export interface SeedReport {
  customers: number;
  rows: Record<string, number>;
  millis: number;
}

export const phoneOf = (n: number) => `138${String(n).padStart(8, '0')}`;

const PROJECTS = 10;
const CLASSES_PER_PROJECT = 5;
const CUSTOMER_GROUPS = 20;
const TAGS = 5;

export async function seed(database: Database, customers: number): Promise<SeedReport> {
  const started = Date.now();
  const [{ count }] = await database.sql<{ count: number }>('SELECT count(*)::int AS count FROM "Customer"');
  if (count > 0) throw new Error(`the benchmark database already holds ${count} customers: seed a fresh one`);
  const n = customers;
  const classes = PROJECTS * CLASSES_PER_PROJECT;
  const statements: [table: string, sql: string][] = [
    [
      'Customer',
      `INSERT INTO "Customer" (id, name, "nickName", "realName", mobile, "mobileVerified", email, gender, province, city,
                               company, industry, "position", "createMethod", source, "createdAt", "updatedAt")
       SELECT i, '客户' || i, 'nick' || i, 'Real Name ' || i, '138' || lpad(i::text, 8, '0'), i % 2,
              'c' || i || '@example.com', i % 3, '广东', (ARRAY['广州','深圳','佛山','东莞'])[1 + i % 4],
              'Company ' || (i % 500), 'education', 'teacher', 'bench', 'seed',
              timestamp '2025-01-01' + i * interval '1 minute', timestamp '2025-01-01' + i * interval '1 minute'
       FROM generate_series(1, ${n}) AS i`,
    ],
    [
      'Identity',
      `INSERT INTO "Identity" (type, value, "customerId", source)
       SELECT t.type,
              CASE t.type WHEN 'phone' THEN '138' || lpad(i::text, 8, '0')
                          WHEN 'email' THEN 'c' || i || '@example.com'
                          ELSE 'o_bench_' || md5(i::text) END,
              i, CASE t.type WHEN 'openid' THEN 'gzh:wxbench' END
       FROM generate_series(1, ${n}) AS i, (VALUES (1, 'phone'), (2, 'email'), (3, 'openid')) AS t(ord, type)
       ORDER BY i, t.ord`,
    ],
    [
      'Group',
      `INSERT INTO "Group" (id, key, kind, name)
       SELECT p, 'project:bench' || p, 'PROJECT', '项目 ' || p FROM generate_series(1, ${PROJECTS}) AS p`,
    ],
    [
      'Group',
      `INSERT INTO "Group" (id, key, kind, name, "parentId")
       SELECT ${PROJECTS} + c, 'class:bench' || c, 'CLASS', '班级 ' || c, 1 + (c - 1) / ${CLASSES_PER_PROJECT}
       FROM generate_series(1, ${classes}) AS c`,
    ],
    [
      'Group',
      `INSERT INTO "Group" (id, key, kind, name)
       SELECT ${PROJECTS + classes} + g, 'group:name:bench' || g, 'GROUP', '客户组 ' || g FROM generate_series(1, ${CUSTOMER_GROUPS}) AS g`,
    ],
    [
      'GroupMember',
      `INSERT INTO "GroupMember" ("customerId", "groupId")
       SELECT i, ${PROJECTS} + 1 + i % ${classes} FROM generate_series(1, ${n}) AS i
       UNION ALL
       SELECT i, ${PROJECTS + classes} + 1 + i % ${CUSTOMER_GROUPS} FROM generate_series(1, ${n}) AS i`,
    ],
    [
      'Friendship',
      `INSERT INTO "Friendship" ("customerId", "friendId")
       SELECT i, 1 + (i - 1 + d + ${n}) % ${n}
       FROM generate_series(1, ${n}) AS i, (VALUES (-3), (-2), (-1), (1), (2), (3)) AS o(d)
       WHERE ${n} > 6`,
    ],
    [
      'UserCustomer',
      `INSERT INTO "UserCustomer" ("userId", "customerId", reference)
       SELECT 'user' || (i % 100), i, 'bench' FROM generate_series(1, ${n}) AS i`,
    ],
    [
      'AttributeValue',
      `INSERT INTO "AttributeValue" ("customerId", "definitionId", value)
       SELECT i, d.id, CASE d.key WHEN 'learnStage' THEN (ARRAY['小学','初中','高中'])[1 + i % 3] ELSE 'title ' || (i % 7) END
       FROM generate_series(1, ${n}) AS i, "AttributeDefinition" d WHERE d.key IN ('learnStage', 'title')`,
    ],
    ['Tag', `INSERT INTO "Tag" (id, name) SELECT t, 'tag' || t FROM generate_series(1, ${TAGS}) AS t`],
    ['CustomerTag', `INSERT INTO "CustomerTag" ("customerId", "tagId") SELECT i, 1 + i % ${TAGS} FROM generate_series(10, ${n}, 10) AS i`],
  ];
  const rows: Record<string, number> = {};
  for (const [table, sql] of statements) {
    await database.sql(sql);
    rows[table] = 0;
  }
  // Explicit ids were written: move the sequences past them.
  for (const table of ['Customer', 'Group', 'Tag']) {
    await database.sql(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT max(id) FROM "${table}"))`);
  }
  for (const table of Object.keys(rows)) {
    const [{ count: c }] = await database.sql<{ count: number }>(`SELECT count(*)::int AS count FROM "${table}"`);
    rows[table] = c;
  }
  await database.sql('ANALYZE');
  return { customers, rows, millis: Date.now() - started };
}
