// ImportJob: a bulk import and its progress. The import engine is src/domain/imports/.
import { builder } from '../builder.ts';

export const ImportJob = builder.prismaNode('ImportJob', {
  authScopes: { read: true },
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  fields: (t) => ({
    batchId: t.exposeInt('id', { description: 'The id the audience family calls batchId.' }),
    kind: t.exposeString('kind'),
    status: t.exposeString('status', { description: 'PENDING, RUNNING, SUCCEEDED, PARTIAL or FAILED.' }),
    mode: t.exposeInt('mode', { description: '1 all-or-nothing, 2 keep the valid rows.' }),
    total: t.exposeInt('total'),
    processed: t.exposeInt('processed'),
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed'),
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
    row: t.exposeInt('row'),
    field: t.exposeString('field', { nullable: true }),
    message: t.exposeString('message'),
  }),
});

builder.queryField('importJob', (t) =>
  t.prismaField({
    type: 'ImportJob',
    nullable: true,
    authScopes: { read: true },
    args: { id: t.arg.int({ required: true }) },
    resolve: (query, _root, args, ctx) => ctx.prisma.importJob.findUnique({ ...query, where: { id: args.id } }),
  }),
);
