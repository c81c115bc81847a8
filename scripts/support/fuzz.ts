// Property-based fuzzing (fast-check) of every REST route and every GraphQL mutation, generic
// over what exists at run time: routes come from the route table and their zod request
// schemas, mutations from the schema's Mutation type. Each input is mostly well-shaped (so it
// reaches the rules) and sometimes garbage (so it exercises the refusals). Two properties:
// no answer is a 5xx, and a refused request leaves the database exactly as it was.
// Used by test/fuzz.test.ts (a few runs) and scripts/soak.ts (thousands).
import fc from 'fast-check';
import {
  getNamedType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  isCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import type { z } from 'zod';
import type { RestRoute } from '../../src/rest/route.ts';

export interface FuzzRequest {
  target: string;
  method: 'GET' | 'POST';
  url: string;
  /** A JSON value, or raw text sent as it is. */
  body?: unknown;
  raw?: string;
  form?: Record<string, string>;
  contentType?: string;
}

export interface FuzzReply {
  status: number;
  body: any;
}

export interface FuzzTarget {
  name: string;
  arbitrary: fc.Arbitrary<FuzzRequest>;
  /** Whether the reply refused the request (then nothing may have been written). */
  refused(reply: FuzzReply): boolean;
}

/** Ids that exist, so that well-shaped inputs reach the rules instead of NOT_FOUND. */
export interface FuzzWorld {
  customerIds: number[];
  groupIds: number[];
}

// ---------------------------------------------------------------- values

const nasty = fc.constantFrom(
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '"',
  '\'; DROP TABLE "Customer"; --',
  '\u0000',
  '\u202e\u0301',
  '😀👨‍👩‍👧',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00%ff',
  '__proto__',
  'constructor',
  '9'.repeat(40),
  'x'.repeat(5000),
  '2026-02-30',
  '2026-13-01 25:61:61',
  '+86 137-6534-8726',
  'a@b',
  'user@example.com',
);

const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 3, arbitrary: nasty },
  { weight: 1, arbitrary: fc.stringMatching(/^1[3-9]\d{9}$/) },
);

const integer = fc.oneof(
  fc.integer({ min: -3, max: 1000 }),
  fc.constantFrom(0, -1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1.5, -0),
);

/** Anything at all, including prototype-polluting keys. */
export const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 3, withBigInt: false, withMap: false, withSet: false, withTypedArray: false }),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')),
  fc.array(fc.integer(), { maxLength: 3 }),
  text,
  integer,
);

function idLike(world: FuzzWorld, kind: 'customer' | 'group'): fc.Arbitrary<number> {
  const known = kind === 'customer' ? world.customerIds : world.groupIds;
  return known.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: integer }) : integer;
}

// ---------------------------------------------------------------- zod → arbitrary

type ZodLike = { _zod: { def: Record<string, any>; optin?: string } };

/** An arbitrary of values shaped like what `schema` accepts (mostly valid, sometimes not). */
export function fromZod(schema: z.ZodType, world: FuzzWorld, key = '', depth = 0): fc.Arbitrary<unknown> {
  const def = (schema as unknown as ZodLike)._zod.def;
  const idKind = /group/i.test(key) ? 'group' : 'customer';
  const isId = /id$|ids$|^id/i.test(key) && !/user_?id$/i.test(key);
  if (depth > 6) return garbage;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, ZodLike>;
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const [k, v] of Object.entries(shape)) {
        model[k] = fromZod(v as unknown as z.ZodType, world, k, depth + 1);
        if (!v._zod.optin) required.push(k);
      }
      const record = fc.record(model, { requiredKeys: required });
      // Sometimes a required key is missing, sometimes an unknown one is added.
      return fc.oneof(
        { weight: 6, arbitrary: record },
        { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(record, fc.dictionary(fc.string({ maxLength: 8 }), garbage, { maxKeys: 2 }))
            .map(([r, extra]) => ({ ...extra, ...r })),
        },
      );
    }
    case 'string':
      return isId ? fc.oneof(idLike(world, idKind).map(String), text) : text;
    case 'number':
    case 'int':
      return isId ? idLike(world, idKind) : integer;
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, unknown>));
    case 'union':
      return fc.oneof(...(def.options as z.ZodType[]).map((o) => fromZod(o, world, key, depth + 1)));
    case 'pipe':
      return fromZod(def.in as z.ZodType, world, key, depth + 1);
    case 'optional':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
    case 'prefault':
    case 'default':
      return fc.oneof(
        { weight: 5, arbitrary: fromZod(def.innerType as z.ZodType, world, key, depth + 1) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      );
    case 'nullable':
      return fc.oneof(
        { weight: 5, arbitrary: fromZod(def.innerType as z.ZodType, world, key, depth + 1) },
        { weight: 1, arbitrary: fc.constant(null) },
      );
    case 'array': {
      const element = fromZod(def.element as z.ZodType, world, key, depth + 1);
      return fc.oneof(
        { weight: 8, arbitrary: fc.array(element, { maxLength: 4 }) },
        { weight: 1, arbitrary: fc.array(element, { minLength: 490, maxLength: 520 }) },
      );
    }
    case 'record':
      return fc.dictionary(fc.string({ maxLength: 10 }), fromZod(def.valueType as z.ZodType, world, key, depth + 1), { maxKeys: 3 });
    case 'tuple':
      return fc.tuple(...(def.items as z.ZodType[]).map((i) => fromZod(i, world, key, depth + 1)));
    default:
      return garbage;
  }
}

// ---------------------------------------------------------------- REST targets

function toQuery(input: unknown): string {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    params.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function toForm(input: unknown): Record<string, string> | undefined {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return undefined;
  return Object.fromEntries(
    Object.entries(input)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

export function restTarget(route: RestRoute, world: FuzzWorld): FuzzTarget {
  const shaped = fromZod(route.request, world);
  const input = fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: garbage });
  const name = `${route.method} ${route.path}`;
  const arbitrary: fc.Arbitrary<FuzzRequest> =
    route.method === 'GET'
      ? input.map((value) => ({ target: name, method: 'GET' as const, url: `${route.path}${toQuery(value)}` }))
      : fc.oneof(
          { weight: 6, arbitrary: input.map((body) => ({ target: name, method: 'POST' as const, url: route.path, body: body ?? null })) },
          {
            weight: 2,
            arbitrary: shaped.map((value) => {
              const form = toForm(value);
              return form
                ? { target: name, method: 'POST' as const, url: route.path, form }
                : { target: name, method: 'POST' as const, url: route.path, body: value ?? null };
            }),
          },
          {
            weight: 1,
            arbitrary: fc
              .oneof(fc.string({ maxLength: 60 }), fc.constantFrom('{"a":', '[1,2', '\u0000', 'null', '{"customer_id":1}garbage'))
              .chain((raw) =>
                fc
                  .constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml')
                  .map((contentType) => ({
                    target: name,
                    method: 'POST' as const,
                    url: route.path,
                    raw,
                    contentType,
                  })),
              ),
          },
        );
  return { name, arbitrary, refused: (reply) => reply.status >= 400 };
}

// ---------------------------------------------------------------- GraphQL targets

function typeName(type: GraphQLInputType): string {
  return String(type);
}

/** Arbitrary values of a GraphQL input type: well-typed mostly, wrong-typed sometimes. */
export function fromGraphQLType(type: GraphQLInputType, world: FuzzWorld, key: string, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 5) return garbage;
  if (type instanceof GraphQLNonNull) {
    return fc.oneof(
      { weight: 12, arbitrary: fromGraphQLType(type.ofType, world, key, depth + 1) },
      { weight: 1, arbitrary: fc.constant(null) },
    );
  }
  const inner = (): fc.Arbitrary<unknown> => {
    if (type instanceof GraphQLList) {
      const element = fromGraphQLType(type.ofType, world, key, depth + 1);
      return fc.oneof(
        { weight: 8, arbitrary: fc.array(element, { maxLength: 4 }) },
        { weight: 1, arbitrary: fc.array(element, { minLength: 495, maxLength: 510 }) },
      );
    }
    if (type instanceof GraphQLInputObjectType) {
      const fields = type.getFields();
      const model = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, fromGraphQLType(f.type, world, k, depth + 1)]));
      const required = Object.entries(fields)
        .filter(([, f]) => f.type instanceof GraphQLNonNull)
        .map(([k]) => k);
      return fc.record(model, { requiredKeys: required });
    }
    if (type instanceof GraphQLEnumType) return fc.constantFrom(...type.getValues().map((v) => v.name));
    const scalar = type;
    const idKind = /group/i.test(key) ? 'group' : 'customer';
    switch (scalar.name) {
      case 'ID':
        return fc.oneof({ weight: 4, arbitrary: idLike(world, idKind).map(String) }, { weight: 1, arbitrary: text });
      case 'Int':
        return /id/i.test(key) ? idLike(world, idKind) : integer;
      case 'Float':
        return fc.double();
      case 'Boolean':
        return fc.boolean();
      case 'DateTime':
        return fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          text,
        );
      case 'JSON':
        return garbage;
      default:
        return text;
    }
  };
  return fc.oneof({ weight: 12, arbitrary: inner() }, { weight: 1, arbitrary: garbage }, { weight: 1, arbitrary: fc.constant(undefined) });
}

export function mutationTarget(field: GraphQLField<unknown, unknown>, world: FuzzWorld): FuzzTarget {
  const args = field.args;
  const declarations = args.map((a) => `$${a.name}: ${typeName(a.type)}`).join(', ');
  const passing = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
  const query = `mutation Fuzz${declarations ? `(${declarations})` : ''} { ${field.name}${passing ? `(${passing})` : ''}${selection} }`;
  const variables = fc.record(Object.fromEntries(args.map((a) => [a.name, fromGraphQLType(a.type, world, a.name)])), { requiredKeys: [] });
  const name = `mutation ${field.name}`;
  return {
    name,
    arbitrary: variables.map((v) => ({ target: name, method: 'POST' as const, url: '/graphql', body: { query, variables: v } })),
    refused: (reply) => reply.status >= 400 || Boolean(reply.body?.errors?.length),
  };
}

export function mutationTargets(schema: GraphQLSchema, world: FuzzWorld): FuzzTarget[] {
  return Object.values(schema.getMutationType()?.getFields() ?? {}).map((f) => mutationTarget(f, world));
}

// ---------------------------------------------------------------- running

export interface FuzzReport {
  inputs: number;
  byStatus: Record<string, number>;
  /** Inputs answered with a 5xx (or not JSON). */
  serverErrors: { request: FuzzRequest; reply: FuzzReply }[];
  /** Refused inputs after which the database had changed. */
  partialWrites: { request: FuzzRequest; reply: FuzzReply }[];
  byTarget: Record<string, { inputs: number; refused: number }>;
}

export interface FuzzOptions {
  targets: FuzzTarget[];
  runsPerTarget: number;
  seed: number;
  send(request: FuzzRequest): Promise<FuzzReply>;
  /** A digest of every table the requests may write. */
  checksum(): Promise<string>;
  /** Called every so often with the inputs done so far. */
  progress?(done: number, total: number): void;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const report: FuzzReport = { inputs: 0, byStatus: {}, serverErrors: [], partialWrites: [], byTarget: {} };
  const total = options.targets.length * options.runsPerTarget;
  let current = await options.checksum();
  for (const [index, target] of options.targets.entries()) {
    const requests = fc.sample(target.arbitrary, { numRuns: options.runsPerTarget, seed: options.seed + index });
    const stats = (report.byTarget[target.name] = { inputs: 0, refused: 0 });
    for (const request of requests) {
      const reply = await options.send(request);
      report.inputs++;
      stats.inputs++;
      report.byStatus[reply.status] = (report.byStatus[reply.status] ?? 0) + 1;
      if (reply.status >= 500 || typeof reply.body !== 'object' || reply.body === null) report.serverErrors.push({ request, reply });
      const after = await options.checksum();
      if (target.refused(reply)) {
        stats.refused++;
        if (after !== current) report.partialWrites.push({ request, reply });
      }
      current = after;
      if (options.progress && report.inputs % 500 === 0) options.progress(report.inputs, total);
    }
  }
  return report;
}

/**
 * A digest of every table but the audit log (which records refused writes on purpose) and
 * the migrations table: one query, each table's rows as text in a stable order.
 */
export async function databaseChecksum(query: <T>(sql: string) => Promise<T[]>): Promise<string> {
  const tables = await query<{ name: string }>(
    `SELECT table_name::text AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
        AND table_name NOT IN ('AuditLog', '_prisma_migrations') ORDER BY table_name`,
  );
  const parts = tables.map(
    ({ name }) => `(SELECT coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '-') FROM "${name.replace(/"/g, '""')}" x)`,
  );
  const rows = await query<{ sum: string }>(`SELECT md5(${parts.join(" || ':' || ")}) AS sum`);
  return rows[0].sum;
}
