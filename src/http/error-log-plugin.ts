// Logs what failed inside an operation (a database error, a bug) with its real cause, before
// yoga masks it for the client: the client sees "internal error" and the request id, the
// operator finds the cause under that id. GraphQL and REST both run operations through here.
import type { FastifyRequest } from 'fastify';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { describeError } from './error-info.ts';

export function errorLogPlugin(): Plugin<Context> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          const errors = (result as ExecutionResult).errors ?? [];
          const log = (args.contextValue as { req?: FastifyRequest }).req?.log;
          for (const error of errors) {
            const { status, code } = describeError(error, true);
            if (status >= 500) log?.error({ err: error.originalError ?? error, path: error.path, code }, 'operation failed');
          }
        },
      };
    },
  };
}
