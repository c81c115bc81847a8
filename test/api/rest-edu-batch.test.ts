// edu family (seed 000 §1): addCustomerBatch.json through the identity engine, all or nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eduErrorCodes } from '../../src/platform/envelopes.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { call, expectFailure, expectSuccess, routeOf } from '../support/rest.ts';

const route = routeOf('/v1/customer/addCustomerBatch.json');
const example = route.example as { customers: Record<string, unknown>[] } & Record<string, unknown>;
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const counts = async () => ({
  customers: await t.prisma.customer.count(),
  identities: await t.prisma.identity.count(),
  groups: await t.prisma.group.count(),
  members: await t.prisma.groupMember.count(),
  values: await t.prisma.attributeValue.count(),
});

describe('POST /v1/customer/addCustomerBatch.json', () => {
  it('replays the seed example: {"success":"true"}, the customer in the class with study fields readable back', async () => {
    const res = await call(t, route);
    expectSuccess(route, res);
    expect(res.body).toEqual({ success: 'true' });
    const identity = await t.prisma.identity.findUniqueOrThrow({
      where: { type_value: { type: 'username', value: '所在网站系统的用户名' } },
    });
    const info = await t.request('GET', `/openapi/customer/customerInfo?customerId=${identity.customerId}`);
    expect(info.body.data).toMatchObject({
      name: '姓名',
      mobile: '13765348726',
      email: 'a@b.com',
      gender: 2,
      province: '省份',
      district: '县区乡镇',
    });
    const attrs = Object.fromEntries(info.body.data.extendAttrList.map((a: any) => [a.attrKey, a.attrValue]));
    expect(attrs).toEqual({
      hasStudyVideo: '23',
      videoTotal: '234',
      workStatus: '68/34/34/34',
      xindeStatus: '未来完成',
      learnStage: '第一学年',
      loginCount: '20',
      lastLogin: '2015/5/12 17:17:18',
      title: '职称',
      job: '教师',
      subject: '学科',
      userType: '学员',
      workunit: '工作单位',
    });
    const klass = await t.prisma.group.findFirstOrThrow({
      where: { kind: 'CLASS', name: '班级名称' },
      include: { parent: true, members: true },
    });
    expect(klass.parent).toMatchObject({ kind: 'PROJECT', name: '项目名称', externalId: '项目在系统中的id' });
    expect(klass.members.map((m) => m.customerId)).toEqual([identity.customerId]);
  });

  it('is idempotent on re-send, and updates what changed', async () => {
    const before = await counts();
    const changed = { ...example, customers: [{ ...example.customers[0], loginCount: 21, tel: 13765348726 }] };
    expectSuccess(route, await call(t, route, changed));
    expect(await counts()).toEqual(before);
    const value = await t.prisma.attributeValue.findFirstOrThrow({ where: { definition: { key: 'loginCount' } } });
    expect(value.value).toBe('21');
  });

  it('refuses the whole batch naming each bad row and field, writing nothing', async () => {
    const before = await counts();
    const res = await call(t, route, {
      className: '二班',
      sclassid: 'c2',
      customers: [
        { tel: '13900000001', name: 'ok' },
        { name: 'no identity' },
        { tel: '13900000002', email: 'not-mail' },
        { qq: '1', loginCount: 'many' },
      ],
    });
    expectFailure(route, res, 400, 'customers[3].loginCount');
    expect(res.body.error_code).toBe(eduErrorCodes.BAD_INPUT);
    expect(await counts()).toEqual(before);

    const rows = await call(t, route, {
      className: '二班',
      sclassid: 'c2',
      customers: [{ tel: '13900000001' }, { name: 'x' }, { tel: '1', email: 'bad' }],
    });
    expectFailure(route, rows, 400, 'customers[1]');
    expect(rows.body.error_message).toContain('customers[2].email');
    expect(await counts()).toEqual(before);

    expectFailure(route, await call(t, route, { sclassid: '', customers: [{ tel: '1' }] }), 400, /^className: is required$/);
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ tel: String(13900000000 + i) }));
    expectFailure(
      route,
      await call(t, route, { className: 'x', sclassid: '', customers: tooMany }),
      400,
      /customers: must hold at most 500/,
    );
    expect(await counts()).toEqual(before);
  });

  it('answers 401 and 403 in the edu envelope', async () => {
    const missing = await call(t, route, example, { token: null });
    expectFailure(route, missing, 401);
    expect(missing.body.error_code).toBe(eduErrorCodes.UNAUTHENTICATED);
    const forbidden = await call(t, route, example, { token: t.tokens.read });
    expectFailure(route, forbidden, 403);
    expect(forbidden.body.error_code).toBe(eduErrorCodes.FORBIDDEN);
  });
});
