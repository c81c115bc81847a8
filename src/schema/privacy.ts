// The audit log (read) and erasure on request (write): both need the admin scope.
// Rules live in src/domain/audit.ts and src/domain/erase.ts.
import { builder } from '../builder.ts';
import { auditWhere } from '../domain/audit.ts';
import { eraseCustomer } from '../domain/erase.ts';
import { nodeIntId } from '../domain/visibility.ts';
import { badInput } from '../domain/errors.ts';
import { decodeNumericGlobalId, parseCustomerId } from './ids.ts';

export const AuditLogEntry = builder.prismaNode('AuditLog', {
  description: 'One write: who (the app), what (the operation and its masked arguments), when, and how it ended.',
  authScopes: { admin: true },
  id: { field: 'id' },
  findUnique: (id) => ({ id: nodeIntId(id) }),
  nullable: true,
  fields: (t) => ({
    auditId: t.exposeInt('id'),
    actor: t.exposeString('actor', { description: '"app:<appKey>" of the caller.' }),
    action: t.exposeString('action', { description: 'The mutation, e.g. createCustomer (REST routes run one too).' }),
    entityType: t.exposeString('entityType'),
    entityId: t.exposeString('entityId', { nullable: true }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'The x-request-id of the HTTP request.' }),
    details: t.field({
      type: 'JSON',
      nullable: true,
      description: 'outcome (ok | error), the error code, the operation name and the arguments, personal values masked.',
      resolve: (entry) => (entry.details ? (JSON.parse(entry.details) as unknown) : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const AuditLogFilter = builder.inputType('AuditLogFilter', {
  fields: (t) => ({
    actor: t.string({ required: false }),
    action: t.string({ required: false }),
    entityType: t.string({ required: false }),
    entityId: t.string({
      required: false,
      description: 'The entity as stored (a number) or its global id, which also sets entityType.',
    }),
    requestId: t.string({ required: false }),
    since: t.field({ type: 'DateTime', required: false }),
    until: t.field({ type: 'DateTime', required: false }),
  }),
});

type AuditFilterInput = typeof AuditLogFilter.$inferInput;

/** entries are stored with the entity's number: a global id given as entityId is read as one. */
function withEntityNumber(filter: AuditFilterInput): AuditFilterInput {
  const global = filter.entityId ? decodeNumericGlobalId(filter.entityId.trim()) : null;
  if (!global) return filter;
  if (filter.entityType && filter.entityType !== global.typename) {
    throw badInput('filter.entityId', `is the id of a ${global.typename}, not of a ${filter.entityType}`);
  }
  return { ...filter, entityType: global.typename, entityId: String(global.id) };
}

builder.queryFields((t) => ({
  auditLog: t.prismaConnection(
    {
      type: 'AuditLog',
      cursor: 'id',
      authScopes: { admin: true },
      description: 'Every write, newest first.',
      args: { filter: t.arg({ type: AuditLogFilter, required: false }) },
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.auditLog.findMany({ ...query, where: auditWhere(withEntityNumber(args.filter ?? {})), orderBy: { id: 'desc' } }),
    },
    {},
  ),
}));

const ErasurePayload = builder.objectRef<{ customerId: number; erasedIds: number[] }>('ErasurePayload').implement({
  fields: (t) => ({
    customerId: t.exposeInt('customerId', { description: 'The customer the given id resolved to.' }),
    erasedIds: t.exposeIntList('erasedIds', { description: 'It and every tombstone merged into it.' }),
  }),
});

builder.mutationFields((t) => ({
  eraseCustomer: t.field({
    type: ErasurePayload,
    authScopes: { admin: true },
    description:
      'Erases a customer on request: deletes its personal data, identities, attributes and links for good, in one transaction, ' +
      'with the customers merged into it, and scrubs personal values from merge events, audit entries and import records about it. ' +
      'An anonymous tombstone keeps the id (erasedAt). Erasing again changes nothing more.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      return eraseCustomer(ctx.prisma, parseCustomerId(args.id));
    },
  }),
}));
