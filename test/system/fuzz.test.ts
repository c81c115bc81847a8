// Fuzzing every REST route of the table and every mutation of the schema (fast-check): no
// input is answered with a 5xx, and a refused input writes nothing. A few runs here; the soak
// (npm run soak) sends ten thousand and more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restRoutes } from '../../src/rest/table.ts';
import { schema } from '../../src/schema/index.ts';
import { describeFailures, fuzzGateway, seedWorld } from '../../scripts/support/fuzz-gateway.ts';
import type { FuzzWorld } from '../../scripts/support/fuzz.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

let t: TestGateway;
let world: FuzzWorld;
beforeAll(async () => {
  t = await startTestGateway();
  world = await seedWorld(t.prisma);
});
afterAll(() => t.close());

describe('fuzzing', () => {
  it(
    `answers ${RUNS} generated inputs per REST route and per mutation without a 5xx or a partial write`,
    { timeout: 60_000 + RUNS * 30 * 250 },
    async () => {
      const report = await fuzzGateway({
        gateway: t.gateway,
        prisma: t.prisma,
        token: t.tokens.all,
        world,
        runsPerTarget: RUNS,
        seed: SEED,
      });
      const targets = restRoutes.length + Object.keys(schema.getMutationType()!.getFields()).length;
      expect(report.inputs).toBe(targets * RUNS);
      expect(report.serverErrors.length + report.partialWrites.length, describeFailures(report)).toBe(0);
      // The inputs reached both sides: some were accepted, some refused.
      const statuses = Object.keys(report.byStatus).map(Number);
      expect(statuses.some((s) => s === 200)).toBe(true);
      expect(statuses.some((s) => s >= 400)).toBe(true);
    },
  );
});

describe('what fuzzing found', () => {
  it('refuses ids beyond PostgreSQL integer as BAD_INPUT naming the field (was a 500)', async () => {
    const rest = await t.request('GET', '/openapi/customer/customerInfo?customerId=2147483648');
    expect(rest).toMatchObject({ status: 400, body: { code: -1 } });
    expect(rest.body.msg).toMatch(/^customerId: must be a positive integer id/);
    const gql = await t.graphql('{ customer(id: "9999999999") { name } }');
    expect(gql.body.errors[0].extensions).toMatchObject({ code: 'BAD_INPUT', issues: [{ field: 'id' }] });
  });

  it('refuses a NUL character as BAD_INPUT naming where it is (was a 500), and writes nothing', async () => {
    const before = await t.prisma.customer.count();
    const variable = await t.graphql('mutation ($p: CustomerProfileInput) { createCustomer(profile: $p) { customerId } }', {
      p: { name: 'a\u0000b' },
    });
    expect(variable.status).toBe(400);
    expect(variable.body.errors[0]).toMatchObject({
      message: 'p.name: must not contain the NUL character',
      extensions: { code: 'BAD_INPUT' },
    });
    // Twice: the second request gets the parsed document from yoga's cache (the scan is cached per document).
    for (let i = 0; i < 2; i++) {
      const literal = await t.graphql('mutation { createCustomer(profile: { name: "a\\u0000b" }) { customerId } }');
      expect(literal.body.errors[0].extensions.code).toBe('BAD_INPUT');
    }
    const rest = await t.request('POST', '/api/user_customer/get', { body: { user_id: '\u0000', customer_id: '1' } });
    expect(rest).toMatchObject({ status: 400, body: { code: 500, msg: 'user_id: must not contain the NUL character' } });
    expect(await t.prisma.customer.count()).toBe(before);
  });
});
