// Errors inside the later parts of a @defer/@stream answer (`incremental[i].errors`): yoga
// masks and errorLogPlugin logs only a result's top-level `errors`, so a deferred field's
// failure would reach the client unmasked (a database message, in production too) and the log
// not at all. Here each such error is logged when it is the server's (5xx, with its cause),
// then masked by the same function as every other error (yoga's `http` hints left out).
import type { FastifyRequest } from 'fastify';
import type { GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import { describeError } from './error-info.ts';
import { withoutHttpStatus } from './graphql-over-http.ts';

interface IncrementalResult {
  incremental?: ReadonlyArray<{ errors?: readonly GraphQLError[] } & Record<string, unknown>>;
}

export function incrementalErrorsPlugin(mask: (error: GraphQLError) => GraphQLError): Plugin {
  return {
    onExecute({ args }) {
      const log = (args.contextValue as { req?: FastifyRequest }).req?.log;
      return {
        onExecuteDone: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            const { incremental } = result as IncrementalResult;
            if (!incremental?.some((part) => part.errors?.length)) return;
            const masked = incremental.map((part) => {
              if (!part.errors?.length) return part;
              for (const error of part.errors) {
                const { status, code } = describeError(error, true);
                if (status >= 500) log?.error({ err: error.originalError ?? error, path: error.path, code }, 'operation failed');
              }
              return { ...part, errors: part.errors.map((error) => withoutHttpStatus(mask(error))) };
            });
            setResult({ ...result, incremental: masked } as typeof result);
          }),
      };
    },
  };
}
