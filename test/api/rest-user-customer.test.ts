// user_customer family (seed 003): JSON and form bodies, the {code, msg, mix_code, mix_msg,
// mix_ext, result} envelope, paged lists, and code 500 with a fitting HTTP status on failure.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { restRoutes } from '../../src/rest/table.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { call, expectFailure, expectSuccess, routeOf } from '../support/rest.ts';

let t: TestGateway;
/** The customers the seed's examples name. */
const CUSTOMERS = [1001, 1002];
const USER = '998';

const follow = async (userId: string, customerId: number, extra: Record<string, string> = {}) => {
  const res = await t.graphql(
    'mutation ($u: String!, $c: ID!, $tpl: String, $ref: String) { followCustomer(userId: $u, customerId: $c, template: $tpl, reference: $ref) { userId } }',
    { u: userId, c: String(customerId), tpl: extra.template, ref: extra.reference },
  );
  expect(res.body.errors).toBeUndefined();
};
const links = () => t.prisma.userCustomer.count();
/** What the seed shows for `created`: the time in UTC+8 as yyyy-MM-dd HH:mm:ss. */
const inChina = (date: Date) => new Date(date.getTime() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);

async function expectedRecord(userId: string, customerId: number) {
  const row = await t.prisma.userCustomer.findUniqueOrThrow({ where: { userId_customerId: { userId, customerId } } });
  return {
    user_id: Number(userId),
    customer_id: customerId,
    template: row.template,
    script: row.script,
    reference: row.reference,
    created: inChina(row.createdAt),
    is_available: row.isAvailable,
    boss_sync: row.bossSync,
  };
}

beforeAll(async () => {
  t = await startTestGateway();
  for (const id of CUSTOMERS) await t.prisma.customer.create({ data: { id, name: `c${id}` } });
});
beforeEach(async () => {
  await t.prisma.userCustomer.deleteMany();
});
afterAll(() => t.close());

describe('every user_customer route', () => {
  const family = restRoutes.filter((r) => r.family.name === 'user_customer');

  it.each(family.map((r) => [r.path, r]))('%s answers 401 and 403 in the family envelope', async (_path, route) => {
    const missing = await call(t, route, undefined, { token: null });
    expectFailure(route, missing, 401);
    expect(missing.body).toMatchObject({ code: 500, mix_code: 130401, mix_msg: 'UNAUTHENTICATED', result: [] });
    const wrongScope = route.scope === 'customer:read' ? t.tokens.write : t.tokens.read;
    const forbidden = await call(t, route, undefined, { token: wrongScope });
    expectFailure(route, forbidden, 403);
    expect(forbidden.body.mix_code).toBe(130403);
  });
});

describe('POST /api/user_customer/get_list', () => {
  const route = routeOf('/api/user_customer/get_list');

  beforeEach(async () => {
    await follow(USER, 1001);
    await follow(USER, 1002, { template: '<b>x</b>' });
    await follow('777', 1001);
  });

  it.each([['JSON'], ['form']])('replays the seed example (%s): the page of the user’s links, newest first', async (kind) => {
    const res = await call(t, route, undefined, { asForm: kind === 'form' });
    expectSuccess(route, res);
    expect(res.body).toMatchObject({ code: 200, msg: '查询成功', mix_code: 130001, mix_msg: '', mix_ext: '' });
    expect(res.body.result).toEqual({
      page_index: 1,
      page_size: 20,
      total_pages: 1,
      total_records: 2,
      data: [await expectedRecord(USER, 1002), await expectedRecord(USER, 1001)],
    });
  });

  it('applies in, like, != and time conditions, and pages', async () => {
    const ids = async (input: Record<string, unknown>) =>
      ((await call(t, route, input)).body.result.data as { customer_id: number; user_id: unknown }[]).map(
        (r) => `${r.user_id}:${r.customer_id}`,
      );
    expect(await ids({ condition: [['customer_id', 'in', ['1001']]] })).toEqual(['777:1001', '998:1001']);
    expect(
      await ids({
        condition: [
          ['customer_id', 'in', '1001,1002'],
          ['user_id', '!=', 777],
        ],
      }),
    ).toEqual(['998:1002', '998:1001']);
    expect(await ids({ condition: [['template', 'like', '%<b>%']] })).toEqual(['998:1002']);
    expect(await ids({ start_time: '2999-01-01 00:00:00' })).toEqual([]);
    expect(await ids({ end_time: '2999-01-01 00:00:00', condition: '' })).toHaveLength(3);
    const page = await call(t, route, { page_index: 2, page_size: 2 });
    expect(page.body.result).toMatchObject({ page_index: 2, page_size: 2, total_pages: 2, total_records: 3 });
    expect(page.body.result.data).toHaveLength(1);
  });

  it('refuses unknown keys and operators, bad values and bad JSON, naming the field', async () => {
    expectFailure(route, await call(t, route, { condition: [['password', '=', 'x']] }), 400, 'condition[0][0]');
    expectFailure(
      route,
      await call(t, route, {
        condition: [
          ['user_id', '=', '1'],
          ['user_id', 'regexp', 'x'],
        ],
      }),
      400,
      'condition[1][1]',
    );
    expectFailure(route, await call(t, route, { condition: [['customer_id', 'like', '1%']] }), 400, 'condition[0]');
    expectFailure(route, await call(t, route, { condition: [['customer_id', '>', 'abc']] }), 400, 'condition[0]');
    expectFailure(route, await call(t, route, { condition: 'user_id=1' }), 400, 'condition');
    expectFailure(route, await call(t, route, { condition: '[["user_id"' }, { asForm: true }), 400, 'condition');
    expectFailure(route, await call(t, route, { page_size: 101 }), 400, 'page_size');
    expectFailure(route, await call(t, route, { page_index: 'one' }, { asForm: true }), 400, 'page_index');
    expectFailure(route, await call(t, route, { start_time: 'soon' }), 400, 'start_time');
  });
});

describe('POST /api/user_customer/get', () => {
  const route = routeOf('/api/user_customer/get');

  it.each([['JSON'], ['form']])('replays the seed example (%s): the one link', async (kind) => {
    await follow(USER, 1001);
    const res = await call(t, route, undefined, { asForm: kind === 'form' });
    expectSuccess(route, res);
    expect(res.body).toMatchObject({ code: 200, msg: '查询成功', mix_code: 130001 });
    expect(res.body.result).toEqual(await expectedRecord(USER, 1001));
  });

  it('answers result [] for a link that does not exist, and refuses a missing customer_id', async () => {
    const res = await call(t, route);
    expectSuccess(route, res);
    expect(res.body.result).toEqual([]);
    expectFailure(route, await call(t, route, { user_id: USER }, { asForm: true }), 400, /^customer_id: is required$/);
  });
});

describe('POST /api/user_customer/get_customer_list', () => {
  const route = routeOf('/api/user_customer/get_customer_list');

  it.each([['JSON'], ['form']])('replays the seed example (%s): the user’s links, paged', async (kind) => {
    await follow(USER, 1001);
    await follow('777', 1002);
    const res = await call(t, route, undefined, { asForm: kind === 'form' });
    expectSuccess(route, res);
    expect(res.body.result).toEqual({
      page_index: 1,
      page_size: 20,
      total_pages: 1,
      total_records: 1,
      data: [await expectedRecord(USER, 1001)],
    });
  });

  it('refuses a missing user_id and a bad page size', async () => {
    expectFailure(route, await call(t, route, { page_index: 1 }), 400, 'user_id');
    expectFailure(route, await call(t, route, { user_id: USER, page_size: 0 }), 400, 'page_size');
  });
});

describe('POST /api/user_customer/add', () => {
  const route = routeOf('/api/user_customer/add');
  const example = route.example as Record<string, string>;

  it.each([['JSON'], ['form']])('replays the seed example (%s): the link exists with its fields', async (kind) => {
    const res = await call(t, route, undefined, { asForm: kind === 'form' });
    expectSuccess(route, res);
    expect(res.body).toEqual({ code: 200, msg: '添加成功', mix_code: 130001, mix_msg: '', mix_ext: '', result: [] });
    const row = await t.prisma.userCustomer.findUniqueOrThrow({
      where: { userId_customerId: { userId: example.user_id, customerId: Number(example.customer_id) } },
    });
    expect(row).toMatchObject({ template: example.template, reference: example.reference, isAvailable: 1, bossSync: 0 });
  });

  it('refuses a second follow (409), an unknown customer (404) and a bad id (400), writing nothing', async () => {
    await follow(USER, 1001);
    const before = await links();
    const again = await call(t, route);
    expectFailure(route, again, 409, 'customer_id');
    expect(again.body.mix_code).toBe(130409);
    expectFailure(route, await call(t, route, { user_id: USER, customer_id: '999999' }), 404, 'customer_id');
    expectFailure(route, await call(t, route, { user_id: USER, customer_id: 'x' }, { asForm: true }), 400, 'customer_id');
    expectFailure(route, await call(t, route, { user_id: '', customer_id: '1002' }), 400, 'user_id');
    expect(await links()).toBe(before);
  });
});

describe('POST /api/user_customer/edit', () => {
  const route = routeOf('/api/user_customer/edit');
  const example = route.example as Record<string, string>;

  it.each([['JSON'], ['form']])('replays the seed example (%s): template, script and reference change', async (kind) => {
    await follow(USER, 1001, { reference: 'old' });
    const res = await call(t, route, undefined, { asForm: kind === 'form' });
    expectSuccess(route, res);
    expect(res.body).toEqual({ code: 200, msg: '编辑成功', mix_code: 130001, mix_msg: '', mix_ext: '', result: [] });
    const row = await t.prisma.userCustomer.findFirstOrThrow({ where: { userId: USER, customerId: 1001 } });
    expect(row).toMatchObject({ template: example.template, script: example.script, reference: example.reference });
  });

  it('leaves omitted and empty fields alone, clears template with a JSON null, and sets the flags', async () => {
    await follow(USER, 1001, { template: '<b>t</b>', reference: 'keep' });
    expectSuccess(route, await call(t, route, { user_id: USER, customer_id: 1001, script: 's()', reference: '' }, { asForm: true }));
    expect(await t.prisma.userCustomer.findFirstOrThrow({ where: { userId: USER } })).toMatchObject({
      template: '<b>t</b>',
      script: 's()',
      reference: 'keep',
    });
    expectSuccess(route, await call(t, route, { user_id: USER, customer_id: 1001, template: null, is_available: 0, boss_sync: 1 }));
    expect(await t.prisma.userCustomer.findFirstOrThrow({ where: { userId: USER } })).toMatchObject({
      template: null,
      script: 's()',
      isAvailable: 0,
      bossSync: 1,
    });
  });

  it('refuses a flag out of range and a link that does not exist, changing nothing', async () => {
    await follow(USER, 1001, { reference: 'old' });
    const before = await t.prisma.userCustomer.findFirstOrThrow({ where: { userId: USER, customerId: 1001 } });
    expectFailure(route, await call(t, route, { ...example, is_available: 2 }), 400, 'is_available');
    expectFailure(route, await call(t, route, { ...example, customer_id: 1002 }), 404, 'customer_id');
    expect(await t.prisma.userCustomer.findFirstOrThrow({ where: { userId: USER, customerId: 1001 } })).toEqual(before);
  });
});

describe('POST /api/user_customer/delete', () => {
  const route = routeOf('/api/user_customer/delete');

  it.each([['JSON'], ['form']])('replays the seed example (%s): the link is gone', async (kind) => {
    await follow(USER, 1001);
    await follow(USER, 1002);
    const res = await call(t, route, undefined, { asForm: kind === 'form' });
    expectSuccess(route, res);
    expect(res.body).toEqual({ code: 200, msg: '删除成功', mix_code: 130001, mix_msg: '', mix_ext: '', result: [] });
    expect(await t.prisma.userCustomer.findMany({ select: { customerId: true } })).toEqual([{ customerId: 1002 }]);
  });

  it('answers 404 for a link that does not exist and 400 for a missing user_id, removing nothing', async () => {
    await follow(USER, 1002);
    expectFailure(route, await call(t, route), 404, 'customer_id');
    expectFailure(route, await call(t, route, { customer_id: '1002' }), 400, 'user_id');
    expect(await links()).toBe(1);
  });
});

describe('POST /api/user_customer/multi_delete', () => {
  const route = routeOf('/api/user_customer/multi_delete');

  it.each([['JSON'], ['form']])('replays the seed example (%s): every listed link is gone', async (kind) => {
    await follow(USER, 1001);
    await follow(USER, 1002);
    await follow('777', 1001);
    const res = await call(t, route, undefined, { asForm: kind === 'form' });
    expectSuccess(route, res);
    expect(res.body).toEqual({ code: 200, msg: '删除成功', mix_code: 130001, mix_msg: '', mix_ext: '', result: [] });
    expect(await t.prisma.userCustomer.findMany({ select: { userId: true } })).toEqual([{ userId: '777' }]);
  });

  it('is all or nothing, and refuses bad lists naming customer_id', async () => {
    await follow(USER, 1001);
    const partial = await call(t, route, { user_id: USER, customer_id: ['1001', '1002'] });
    expectFailure(route, partial, 404, 'customer_id[1]');
    expectFailure(route, await call(t, route, { user_id: USER, customer_id: '["1001",' }, { asForm: true }), 400, 'customer_id');
    expectFailure(route, await call(t, route, { user_id: USER, customer_id: [] }), 400, 'customer_id');
    expectFailure(route, await call(t, route, { user_id: USER, customer_id: ['1001', 'x'] }), 400, 'customer_id[1]');
    const many = Array.from({ length: 501 }, (_, i) => String(i + 1));
    expectFailure(route, await call(t, route, { user_id: USER, customer_id: many }), 400, 'customer_id');
    expect(await links()).toBe(1);
  });

  it('takes a single id as a list of one', async () => {
    await follow(USER, 1001);
    expectSuccess(route, await call(t, route, { user_id: USER, customer_id: '1001' }, { asForm: true }));
    expect(await links()).toBe(0);
  });
});
