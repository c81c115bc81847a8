// Limits on what one GraphQL document may ask for (GraphQL Armor as envelop plugins on yoga):
// depth, aliases, tokens, directives and an estimated cost, so that one request cannot make the
// server parse or resolve without bound. Field suggestions ("Did you mean …") are blocked in
// production: they let an unauthorised reader map the schema field by field.
// Refusals are validation errors, answered as BAD_INPUT (HTTP 400) naming the limit.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import { badInput } from '../domain/errors.ts';
import { nulCharacterAt } from '../domain/validation.ts';

/**
 * A document the schema refuses (unknown field, wrong argument, a limit above) is the
 * caller's fault: BAD_INPUT, HTTP 400, like every other refused input, instead of yoga's own
 * GRAPHQL_VALIDATION_FAILED with 200 for application/json (spec: false opts out of that
 * GraphQL-over-HTTP rule). The errors are changed in place: envelop hands every
 * plugin the original list, so a replaced list would be lost to the suggestion blocker's.
 */
function validationErrors(): Plugin {
  return {
    onValidate: () => ({ valid, result }) => {
      if (valid) return;
      for (const error of result) {
        Object.assign(error.extensions as Record<string, unknown>, { code: 'BAD_INPUT', http: { spec: false, status: 400 } });
      }
    },
  };
}

/**
 * PostgreSQL text cannot hold a NUL character: a string with one, in a variable or a literal,
 * is refused as BAD_INPUT naming where it is, instead of failing in the database as a 500.
 */
function noNulCharacters(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const inVariables = nulCharacterAt(args.variableValues ?? {});
      let where = inVariables;
      if (!where) {
        visit(args.document, {
          StringValue(node) {
            if (!where && node.value.includes('\u0000')) where = `query (line ${node.loc?.startToken.line ?? '?'})`;
          },
        });
      }
      if (!where) return;
      const error = badInput(where, 'must not contain the NUL character');
      setResultAndStopExecution({
        errors: [
          new GraphQLError(error.message, {
            extensions: { code: 'BAD_INPUT', issues: error.issues, http: { status: 400 } },
          }),
        ],
      });
    },
  };
}

export function limitPlugins(config: Config): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: config.GRAPHQL_MAX_DEPTH },
      maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
      maxTokens: { n: config.GRAPHQL_MAX_TOKENS },
      maxDirectives: { n: 50 },
      costLimit: { maxCost: config.GRAPHQL_MAX_COST },
      blockFieldSuggestion: { enabled: config.production },
    }) as Plugin,
    validationErrors(),
    noNulCharacters(),
  ];
}
