// Limits on what one GraphQL document may ask for, so that one request cannot make the server
// parse or resolve without bound: depth, aliases, tokens and directives (GraphQL Armor, on the
// document), then list lengths and cost with the variables' values (operation-limits.ts, before
// execution). Field suggestions ("Did you mean …") are blocked in
// production: they let an unauthorised reader map the schema field by field.
// Refusals are validation errors, answered as BAD_INPUT (HTTP 400) naming the limit.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, visit, type DocumentNode, type ExecutionArgs, type ExecutionResult, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import { badInput, type DomainError } from '../domain/errors.ts';
import { nulCharacterAt } from '../domain/validation.ts';
import { operationLimitError } from './operation-limits.ts';

/**
 * A document the schema refuses (unknown field, wrong argument, a limit above) is the
 * caller's fault: BAD_INPUT, HTTP 400, like every other refused input, instead of yoga's own
 * GRAPHQL_VALIDATION_FAILED with 200 for application/json (spec: false opts out of that
 * GraphQL-over-HTTP rule). The errors are changed in place: envelop hands every
 * plugin the original list, so a replaced list would be lost to the suggestion blocker's.
 */
function validationErrors(): Plugin {
  return {
    onValidate:
      () =>
      ({ valid, result }) => {
        if (valid) return;
        for (const error of result) {
          Object.assign((error as GraphQLError).extensions, { code: 'BAD_INPUT', http: { spec: false, status: 400 } });
        }
      },
  };
}

/**
 * PostgreSQL text cannot hold a NUL character: a string with one, in a variable or a literal,
 * is refused as BAD_INPUT naming where it is, instead of failing in the database as a 500.
 */
function refusal(error: DomainError): ExecutionResult {
  return {
    errors: [new GraphQLError(error.message, { extensions: { code: error.code, issues: error.issues, http: { status: 400 } } })],
  };
}

function noNulCharacters(): Plugin {
  // Per document, not per request: yoga hands every request of a cached document the same object.
  const inLiterals = new WeakMap<DocumentNode, string | null>();
  const literalWithNul = (document: DocumentNode): string | null => {
    let where = inLiterals.get(document);
    if (where !== undefined) return where;
    where = null;
    visit(document, {
      StringValue(node) {
        if (!where && node.value.includes('\u0000')) where = `query (line ${node.loc?.startToken.line ?? '?'})`;
      },
    });
    inLiterals.set(document, where);
    return where;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const where = nulCharacterAt(args.variableValues ?? {}) ?? literalWithNul((args as ExecutionArgs).document);
      if (!where) return;
      setResultAndStopExecution(refusal(badInput(where, 'must not contain the NUL character')));
    },
  };
}

/** List lengths and cost, once the variables are known, for queries, mutations and subscriptions alike. */
function operationLimits(config: Config): Plugin {
  const limits = { maxListItems: config.GRAPHQL_MAX_LIST_ITEMS, maxCost: config.GRAPHQL_MAX_COST };
  const check = (args: ExecutionArgs) => operationLimitError(args.schema, args.document, args.operationName, args.variableValues, limits);
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution(refusal(error));
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution(refusal(error));
    },
  };
}

/**
 * GraphQL Armor throws its refusals labelled "Syntax Error", though the document parsed; they are
 * reported as validation errors instead (then BAD_INPUT like the rest), without the label.
 */
const asValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
  ],
};

export function limitPlugins(config: Config): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: config.GRAPHQL_MAX_DEPTH, ...asValidationError },
      maxAliases: { n: config.GRAPHQL_MAX_ALIASES, ...asValidationError },
      // Counted while parsing, before there is a document to validate: a syntax error indeed.
      maxTokens: { n: config.GRAPHQL_MAX_TOKENS },
      maxDirectives: { n: 50, ...asValidationError },
      // Cost needs the variables' values: operationLimits computes it at execution.
      costLimit: { enabled: false },
      blockFieldSuggestion: { enabled: config.production },
    }),
    validationErrors(),
    // Lists first: the NUL check walks every item of a list.
    operationLimits(config),
    noNulCharacters(),
  ];
}
