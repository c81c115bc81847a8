// Records every mutation in the audit log (envelop onExecute): one row per root field with
// the caller's app, the request id, the masked arguments and the outcome. REST writes run
// their GraphQL operation through the same pipeline, so they are recorded the same way, and
// new mutations are covered without listing them here.
import type { FastifyRequest } from 'fastify';
import {
  getArgumentValues,
  getNamedType,
  getOperationAST,
  Kind,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLError,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { actorOf, type Context } from '../context.ts';
import { recordAudit, type AuditEntry } from '../domain/audit.ts';
import { parseCustomerId } from '../schema/customer.ts';
import { describeError } from './error-info.ts';

function argumentsOf(args: ExecutionArgs, node: FieldNode): Record<string, unknown> {
  const field = args.schema.getMutationType()?.getFields()[node.name.value];
  if (!field) return {};
  try {
    return getArgumentValues(field, node, (args.variableValues ?? {}) as Record<string, unknown>);
  } catch {
    // Arguments that do not coerce: execution refuses them too; record the raw variables.
    return { variables: args.variableValues ?? {} };
  }
}

/** Which record a mutation wrote: a customer when one is named, else what the field returns. */
function entityOf(
  node: FieldNode,
  returnType: string,
  args: Record<string, unknown>,
  data: Record<string, unknown> | null | undefined,
): { entityType: string; entityId: string | null } {
  const customerId = data?.customerId ?? args.customerId ?? (/customer/i.test(node.name.value) ? args.id : undefined);
  if (typeof customerId === 'number' || typeof customerId === 'string') {
    try {
      return { entityType: 'Customer', entityId: String(parseCustomerId(customerId)) };
    } catch {
      return { entityType: 'Customer', entityId: null };
    }
  }
  const id = data?.id ?? data?.batchId ?? data?.name ?? args.id ?? args.name;
  return {
    entityType: returnType.replace(/Payload$/, ''),
    entityId: typeof id === 'string' || typeof id === 'number' ? String(id) : null,
  };
}

function outcomeOf(errors: readonly GraphQLError[] | undefined, key: string): { outcome: 'ok' | 'error'; code?: string } {
  const error = errors?.find((e) => !e.path || e.path[0] === key);
  if (!error) return { outcome: 'ok' };
  return { outcome: 'error', code: describeError(error, true).code };
}

export function auditPlugin(): Plugin<Context> {
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'mutation') return;
      const fields = operation.selectionSet.selections.filter(
        (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value !== '__typename',
      );
      const mutationFields = args.schema.getMutationType()?.getFields() ?? {};
      return {
        async onExecuteDone({ result }) {
          if (!('data' in result) && !('errors' in result)) return; // a stream: not used by mutations
          const single = result as ExecutionResult;
          const context = args.contextValue as Context & { req?: FastifyRequest };
          const entries: AuditEntry[] = fields.map((node) => {
            const key = node.alias?.value ?? node.name.value;
            const field = mutationFields[node.name.value] as GraphQLField<unknown, unknown> | undefined;
            const returnType = field ? (getNamedType(field.type) as GraphQLNamedType).name : 'Unknown';
            const fieldArgs = argumentsOf(args, node);
            const data = (single.data?.[key] ?? null) as Record<string, unknown> | null;
            return {
              actor: actorOf(context),
              action: node.name.value,
              ...entityOf(node, returnType, fieldArgs, data),
              requestId: context.requestId,
              details: {
                ...outcomeOf(single.errors, key),
                operation: operation.name?.value ?? null,
                app: context.caller?.appName ?? null,
                arguments: fieldArgs,
              },
            };
          });
          try {
            await recordAudit(context.prisma, entries);
          } catch (error) {
            // The write itself is done (or failed) already; losing its audit row must be loud.
            context.req?.log.error({ err: error, actions: entries.map((e) => e.action) }, 'audit log write failed');
          }
        },
      };
    },
  };
}
