// ImportJob: a bulk import and its progress, and importCustomers, which submits one. The
// import engine and the job lifecycle are src/domain/imports/.
import { builder } from '../builder.ts';
import { actorOf } from '../context.ts';
import { DomainError, invalidInput } from '../domain/errors.ts';
import { createImportJob } from '../domain/imports/jobs.ts';
import { ACCURATE_MATCH_TYPES } from '../domain/imports/rows.ts';
import { importErrorFor, importJobsVisibleTo, nodeIntId } from '../domain/visibility.ts';
import { parseObjectId } from './ids.ts';

export const ImportJob = builder.prismaNode('ImportJob', {
  authScopes: { read: true, write: true },
  id: { field: 'id' },
  findUnique: (id) => ({ id: nodeIntId(id) }),
  nullable: true,
  fields: (t) => ({
    batchId: t.exposeInt('id', { description: 'The id the audience family calls batchId.' }),
    kind: t.exposeString('kind', { description: 'PROFILE (seed 004 客户资料) or GROUP_RELATION (seed 002 客户分组).' }),
    origin: t.exposeString('origin', { description: 'REST, GRAPHQL or CLI.' }),
    status: t.exposeString('status', {
      description:
        'PENDING, RUNNING, SUCCEEDED, PARTIAL or FAILED; INTERRUPTED: a CLI import stopped by its user, resumed by running it again.',
    }),
    mode: t.exposeInt('mode', { description: '1 all-or-nothing, 2 keep the valid rows.' }),
    total: t.exposeInt('total'),
    processed: t.exposeInt('processed'),
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed', { description: 'Rows not imported (in mode 1, every row once any row is bad).' }),
    error: t.string({
      nullable: true,
      description: 'Why the job as a whole failed, when it did.',
      resolve: (job, _args, ctx) => (job.error === null ? null : importErrorFor(ctx.caller, job.error)),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    errors: t.relation('errors', {
      args: { first: t.arg.int({ defaultValue: 100 }) },
      query: (args) => ({ orderBy: [{ row: 'asc' }, { id: 'asc' }], take: Math.min(args.first ?? 100, 1000) }),
    }),
  }),
});

builder.prismaObject('ImportRowError', {
  fields: (t) => ({
    row: t.exposeInt('row', { description: '0-based index of the row in the job (REST: in data).' }),
    field: t.exposeString('field', { nullable: true, description: 'The seed field at fault; null for the whole row.' }),
    message: t.string({
      description: 'Names the customer a value belongs to only to callers with customer:read.',
      resolve: (rowError, _args, ctx) => importErrorFor(ctx.caller, rowError.message),
    }),
  }),
});

builder.queryField('importJob', (t) =>
  t.prismaField({
    type: 'ImportJob',
    nullable: true,
    // Whoever may submit imports (write) may read their outcome.
    authScopes: { read: true, write: true },
    description:
      'An import job by global id or number (batchId). An app sees the jobs it submitted and those of the CLI; admin sees every job.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => {
      const id = parseObjectId('ImportJob', args.id, 'id');
      return ctx.prisma.importJob.findFirst({ ...query, where: { id, ...importJobsVisibleTo(ctx.caller) } });
    },
  }),
);

builder.queryField('importJobs', (t) =>
  t.prismaConnection(
    {
      type: 'ImportJob',
      cursor: 'id',
      authScopes: { read: true, write: true },
      description: 'Import jobs, newest first: those the calling app submitted and those of the CLI; admin sees every job.',
      resolve: (query, _root, _args, ctx) =>
        ctx.prisma.importJob.findMany({ ...query, where: importJobsVisibleTo(ctx.caller), orderBy: { id: 'desc' } }),
      totalCount: (_parent, _args, ctx) => ctx.prisma.importJob.count({ where: importJobsVisibleTo(ctx.caller) }),
    },
    {},
  ),
);

const ImportKind = builder.enumType('ImportKind', {
  values: {
    PROFILE: { description: 'Seed 004 客户资料导入: profiles, tags, custom fields.' },
    GROUP_RELATION: { description: 'Seed 002 客户分组导入: customers added to or removed from groups.' },
  },
});

const ImportOptionsInput = builder.inputType('ImportOptionsInput', {
  description: 'publicParams of seeds 002 and 004.',
  fields: (t) => ({
    isMatching: t.boolean({ required: true, description: 'Match rows to existing customers (false: every row creates one).' }),
    matchingType: t.int({
      required: false,
      description: '1 exact (by the row’s identityType), 2 fuzzy (identifyWay order). Required when isMatching.',
    }),
    identifyWay: t.int({
      required: false,
      description:
        'Fuzzy order. GROUP_RELATION 1: unionid>openid>phone>thirdId, 2: the reverse; PROFILE 1: unionid>openid>phone>audienceUserId, 2: phone>unionid>openid>audienceUserId.',
    }),
    accurateMatchType: t.string({
      required: false,
      description: `GROUP_RELATION: the application openids belong to: ${ACCURATE_MATCH_TYPES.join(', ')}.`,
    }),
    accurateMatchValue: t.string({ required: false, description: 'GROUP_RELATION: the application id (with accurateMatchType).' }),
    optType: t.string({ required: false, description: 'GROUP_RELATION: add or delete (required).' }),
    importMode: t.int({
      required: false,
      description: '1 all-or-nothing, 2 keep the valid rows. Required for PROFILE; GROUP_RELATION defaults to 2.',
    }),
  }),
});

const CustomFieldInput = builder.inputType('ImportCustomFieldInput', {
  description: 'Seed 004 自定义字段: kept as the multi-valued extended attribute customField.<configId>.',
  fields: (t) => ({
    configId: t.int({ required: false }),
    configName: t.string({ required: false }),
    values: t.stringList({ required: false }),
  }),
});

const ProfileImportRowInput = builder.inputType('ProfileImportRowInput', {
  description: 'One row of seed 004 客户资料.',
  fields: (t) => ({
    identityId: t.string({
      required: false,
      description: 'An identity value of identityType (external_id when identityType is not given).',
    }),
    identityType: t.string({
      required: false,
      description: 'An identity type (phone, openid, unionid, email, external_id, …; id: the customer id).',
    }),
    audienceUserId: t.string({ required: false, description: 'The customer id in this gateway.' }),
    openid: t.string({ required: false }),
    unionid: t.string({ required: false }),
    phone: t.string({ required: false }),
    realName: t.string({ required: false }),
    sex: t.string({ required: false, description: '男 or 女.' }),
    address: t.string({ required: false }),
    birthday: t.string({ required: false, description: 'yyyy-MM-dd.' }),
    remark: t.string({ required: false }),
    tags: t.string({ required: false, description: 'Comma-separated tag names, added to the customer’s tags.' }),
    customFields: t.field({ type: [CustomFieldInput], required: false }),
  }),
});

const GroupRelationImportRowInput = builder.inputType('GroupRelationImportRowInput', {
  description: 'One row of seed 002 客户分组.',
  fields: (t) => ({
    identityType: t.string({ required: false, description: 'Exact matching: phone, id (thirdId), openid or unionid.' }),
    thirdId: t.string({ required: false, description: 'The customer’s id in your system: an external_id identity.' }),
    openid: t.string({ required: false }),
    unionid: t.string({ required: false }),
    phone: t.string({ required: false }),
    groups: t.string({ required: false, description: 'Comma-separated group names.' }),
  }),
});

const ImportCustomersInput = builder.inputType('ImportCustomersInput', {
  fields: (t) => ({
    kind: t.field({ type: ImportKind, required: true }),
    publicParams: t.field({ type: ImportOptionsInput, required: true }),
    profiles: t.field({ type: [ProfileImportRowInput], required: false, description: 'The rows of a PROFILE import (at most 500).' }),
    groupRelations: t.field({
      type: [GroupRelationImportRowInput],
      required: false,
      description: 'The rows of a GROUP_RELATION import (at most 500).',
    }),
    idempotencyKey: t.string({ required: false, description: 'A repeat with the same key returns the earlier job and imports nothing.' }),
  }),
});

/** GraphQL hands absent optional fields over as null; the stored rows keep what was sent. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

builder.mutationField('importCustomers', (t) =>
  t.prismaField({
    type: 'ImportJob',
    authScopes: { write: true },
    description:
      'Submits an import job (seeds 002, 004); it runs in the background: read importJob(id) for its outcome. Rows are validated, matched (isMatching, matchingType, identifyWay) and written through identity resolution.',
    args: { input: t.arg({ type: ImportCustomersInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const field = input.kind === 'PROFILE' ? 'profiles' : 'groupRelations';
      const rows = input.kind === 'PROFILE' ? input.profiles : input.groupRelations;
      if (!rows) throw invalidInput([{ field, message: `is required for kind ${input.kind}` }]);
      const spec = {
        kind: input.kind,
        options: withoutNulls(input.publicParams),
        origin: ctx.via ?? ('GRAPHQL' as const),
        rows: withoutNulls(rows) as unknown[],
        idempotencyKey: input.idempotencyKey ?? undefined,
        appId: ctx.caller?.appId,
        maxPendingPerApp: ctx.services.config.IMPORT_PENDING_PER_APP,
      };
      const { job } = await createImportJob(ctx.prisma, spec, actorOf(ctx)).catch((error: unknown) => {
        // The domain names the rows `data` (the REST field); here they are `field`.
        if (error instanceof DomainError && error.field === 'data') throw invalidInput(error.issues.map((i) => ({ ...i, field: field })));
        throw error;
      });
      ctx.services.importWorker?.poke();
      return ctx.prisma.importJob.findUniqueOrThrow({ ...query, where: { id: job.id } });
    },
  }),
);
