// Every mutation field runs in a write scope (a Pothos plugin, so it sees the fields that
// actually execute: fragments, inline fragments and @include/@skip cannot hide or forge one).
// The domain operation reports what it changed (src/domain/changes.ts), which writes the audit
// row inside its transaction; the scope then publishes the changes as live events once the
// mutation returned, after commit. A write that is refused, fails, or reports nothing (the
// configuration writes) is recorded here when the field ends: outcome error with the code, or ok.
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { getNamedType, type GraphQLFieldResolver, type GraphQLResolveInfo } from 'graphql';
import { actorOf, type Context } from '../context.ts';
import { auditRow, type AuditEntry } from '../domain/audit.ts';
import { changedEntity, compact, runInWriteScope, type WriteScope } from '../domain/changes.ts';
import { nodeIntId } from '../domain/visibility.ts';
import { describeError } from '../http/error-info.ts';
import { publishChanges } from '../pubsub.ts';
import { decodeNumericGlobalId } from './ids.ts';

/** A customer id argument as text ("12", or the number of "Customer:12"); null when it is neither. */
function customerIdText(id: unknown): string | null {
  if (typeof id === 'number') return String(id);
  if (typeof id !== 'string') return null;
  if (nodeIntId(id.trim())) return String(nodeIntId(id.trim()));
  const decoded = decodeNumericGlobalId(id.trim());
  return decoded?.typename === 'Customer' ? String(decoded.id) : null;
}

/** Which record a mutation wrote, from its arguments and (when it returned) its result. */
function entityOf(
  info: GraphQLResolveInfo,
  args: Record<string, unknown>,
  result: unknown,
): { entityType: string; entityId: string | null } {
  const data = (result && typeof result === 'object' ? result : {}) as Record<string, unknown>;
  const customerId = data.customerId ?? args.customerId ?? (/customer/i.test(info.fieldName) ? args.id : undefined);
  if (customerId !== undefined && customerId !== null) return { entityType: 'Customer', entityId: customerIdText(customerId) };
  const id = data.id ?? data.batchId ?? data.appKey ?? data.name ?? args.id ?? args.appKey ?? args.name;
  const returnType = getNamedType(info.returnType).name;
  return { entityType: returnType.replace(/Payload$/, ''), entityId: typeof id === 'string' || typeof id === 'number' ? String(id) : null };
}

async function finish(
  context: Context,
  scope: WriteScope,
  info: GraphQLResolveInfo,
  args: Record<string, unknown>,
  outcome: { result?: unknown; error?: unknown },
) {
  const { prisma, services } = context;
  // A report's row exists only if its transaction committed: then the write happened, whatever came
  // after. When the field returned, every transaction it ran has ended, so no need to look.
  const committed =
    scope.auditId !== null && (!('error' in outcome) || (await prisma.auditLog.count({ where: { id: scope.auditId } })) > 0);
  if (committed) {
    publishChanges(services.pubsub, scope.changes);
    return;
  }
  const entity = changedEntity(scope.changes) ?? entityOf(info, args, outcome.result);
  const details =
    'error' in outcome
      ? { outcome: 'error', code: describeError(outcome.error, true).code }
      : { outcome: 'ok', changes: compact(scope.changes) };
  await prisma.auditLog.create({
    data: auditRow(scope.entry, details, { entityType: entity.entityType, entityId: entity.entityId ?? '' }),
  });
  if (!('error' in outcome)) publishChanges(services.pubsub, scope.changes);
}

export class WritePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  static readonly pluginName = 'writes' as const;

  // Outside the argument mappers: a refused or invalid argument is recorded too.
  override wrapArgMappers(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    if (!resolver || fieldConfig.parentType !== 'Mutation') return resolver;
    return (parent, args, ctx, info) => {
      const context = ctx as Context;
      const entry: AuditEntry = {
        actor: actorOf(context),
        action: info.fieldName,
        ...entityOf(info, args as Record<string, unknown>, undefined),
        requestId: context.requestId,
        details: { operation: info.operation.name?.value ?? null, app: context.caller?.appName ?? null, arguments: args },
      };
      const scope: WriteScope = { entry, changes: {}, auditId: null };
      return runInWriteScope(scope, async () => {
        let result: unknown;
        try {
          result = await resolver(parent, args, ctx, info);
        } catch (error) {
          await finishLoudly(context, scope, info, args as Record<string, unknown>, { error });
          throw error;
        }
        await finishLoudly(context, scope, info, args as Record<string, unknown>, { result });
        return result;
      });
    };
  }
}

/** The write itself is done (or failed) already; losing its audit row must be loud, not the request's failure. */
async function finishLoudly(
  context: Context,
  scope: WriteScope,
  info: GraphQLResolveInfo,
  args: Record<string, unknown>,
  outcome: { result?: unknown; error?: unknown },
) {
  try {
    await finish(context, scope, info, args, outcome);
  } catch (error) {
    const log = (context as Context & { req?: { log: { error(obj: object, msg: string): void } } }).req?.log;
    (log ?? console).error({ err: error, action: info.fieldName }, 'audit log write failed');
  }
}

SchemaBuilder.registerPlugin(WritePlugin.pluginName, WritePlugin);

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Pothos plugins register in this global namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      writes: WritePlugin<Types>;
    }
  }
}
