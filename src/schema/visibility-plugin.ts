// The visibility layer of the GraphQL schema (a Pothos plugin): every field whose type is a
// guarded object type (Customer, ImportJob, AuditLog), a list of one, or an interface that may hold one
// (Node) passes what its resolver returned through the rule of src/domain/visibility.ts. A new
// field, relation, payload or subscription inherits it without naming it; the listing
// fields still filter in their query (liveCustomerWhere, importJobsVisibleTo) so that pages
// and counts are right, and this is what catches the one that forgets.
//
// A hidden object becomes null in a nullable position, is left out of a list of non-null
// items, and is NOT_FOUND where the schema promises a value.
import SchemaBuilder, {
  BasePlugin,
  completeValue,
  getTypeBrand,
  type PothosOutputFieldConfig,
  type PothosOutputFieldType,
  type SchemaTypes,
} from '@pothos/core';
import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import { canSeeAuditLog, canSeeImportJob, isLiveCustomer } from '../domain/visibility.ts';

type Row = Record<string, unknown>;
type Rule = (row: Row, context: Context) => boolean;

/** The guarded types and the rule each is seen by. */
export const visibilityRules: Readonly<Record<string, Rule>> = {
  Customer: (row) => isLiveCustomer(row),
  ImportJob: (row, context) => canSeeImportJob(context.caller, row),
  AuditLog: (_row, context) => canSeeAuditLog(context.caller),
};

function hidden(info: GraphQLResolveInfo): DomainError {
  return new DomainError('NOT_FOUND', `${info.parentType.name}.${info.fieldName}: not found`);
}

export class VisibilityPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  static readonly pluginName = 'visibility' as const;

  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const rule = this.ruleFor(fieldConfig.type);
    if (!rule) return resolver;
    const type = fieldConfig.type;
    return (parent, args, context, info) =>
      completeValue(resolver(parent, args, context, info), (value) => keepVisible(value, type, rule, context as Context, info));
  }

  /** The rule for a field's named type: a guarded object's, or the brand's for an interface or union. */
  private ruleFor(type: PothosOutputFieldType<Types>): Rule | null {
    if (type.kind === 'List') return this.ruleFor(type.type);
    if (type.kind !== 'Object' && type.kind !== 'Interface' && type.kind !== 'Union') return null;
    const config = this.buildCache.getTypeConfig(type.ref);
    if (config.kind === 'Object' || config.kind === 'Interface') {
      const own = visibilityRules[config.name];
      if (own) return own;
    }
    if (config.kind === 'Object') return null;
    // An abstract type: the object's brand (set by the loaders of node and nodes) names it.
    return (row, context) => {
      const brand = getTypeBrand(row);
      const byBrand = typeof brand === 'string' ? visibilityRules[brand] : undefined;
      return byBrand ? byBrand(row, context) : true;
    };
  }
}

const DROPPED = Symbol('hidden list item');

function keepVisible<Types extends SchemaTypes>(
  value: unknown,
  type: PothosOutputFieldType<Types>,
  rule: Rule,
  context: Context,
  info: GraphQLResolveInfo,
): unknown {
  if (value === null || value === undefined) return value;
  if (type.kind === 'List') {
    if (!Array.isArray(value)) return value;
    const items = type.type;
    const settle = (list: unknown[]) => list.map((item) => visibleItem(item, items, rule, context)).filter((item) => item !== DROPPED);
    return value.some((item) => item instanceof Promise) ? Promise.all(value).then(settle) : settle(value);
  }
  if (typeof value !== 'object' || rule(value as Row, context)) return value;
  if (type.nullable) return null;
  throw hidden(info);
}

/** A list item: null in a list of nullable items (positions matter: nodes), else left out. */
function visibleItem<Types extends SchemaTypes>(item: unknown, type: PothosOutputFieldType<Types>, rule: Rule, context: Context): unknown {
  if (item === null || item === undefined || typeof item !== 'object') return item;
  if (type.kind === 'List') return item; // lists of lists: none in this schema
  if (rule(item as Row, context)) return item;
  return type.nullable ? null : DROPPED;
}

SchemaBuilder.registerPlugin(VisibilityPlugin.pluginName, VisibilityPlugin);

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Pothos plugins register in this global namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      visibility: VisibilityPlugin<Types>;
    }
  }
}
