// GraphQL spans for yoga: one span per executed operation, named and attributed as the
// OpenTelemetry semantic conventions for GraphQL servers say ("query FindByPhone",
// graphql.operation.type/name), a child of the HTTP request's span. Runs on `execute`, so the
// REST shim's operations (pre-parsed, executed through the same pipeline) get spans too.
// Loaded only when tracing is on (src/tracing.ts).
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { getOperationAST, type ExecutionArgs, type GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

const tracer = trace.getTracer('customer-graph-graphql');

export function tracingPlugin(): Plugin {
  return {
    onExecute({ args, setExecuteFn, executeFn }) {
      const { document, operationName } = args as ExecutionArgs;
      const operation = getOperationAST(document, operationName);
      const type = operation?.operation ?? 'unknown';
      const name = operation?.name?.value;
      const span = tracer.startSpan(name ? `${type} ${name}` : type, {
        kind: SpanKind.INTERNAL,
        attributes: { 'graphql.operation.type': type, ...(name ? { 'graphql.operation.name': name } : {}) },
      });
      // Resolvers (and the database queries they make) run inside the operation's span.
      const ctx = trace.setSpan(context.active(), span);
      setExecuteFn((executeArgs) => context.with(ctx, () => executeFn(executeArgs) as unknown));
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result) && result.errors?.length) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: (result.errors[0] as GraphQLError).message });
            span.setAttribute('graphql.error.count', result.errors.length);
          }
          span.end();
        },
      };
    },
  };
}
