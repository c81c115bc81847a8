// Variables that do not fit their declared types are refused before execution, each problem
// naming where it is (`input.profile.gender`, `ids[3]`), from the path graphql-js' coercion
// hands over: the same check graphql-js makes, read as data instead of from its message text.
import {
  coerceInputValue,
  getOperationAST,
  isInputType,
  isNonNullType,
  typeFromAST,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { invalidInput, type FieldIssue } from '../domain/errors.ts';
import { fieldPath } from '../domain/validation.ts';
import { toGraphQLError } from './error-info.ts';

/** Every variable of the operation that is missing, null where it may not be, or of the wrong shape. */
export function variableIssues(args: Pick<ExecutionArgs, 'schema' | 'document' | 'operationName' | 'variableValues'>): FieldIssue[] {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return [];
  const values = (args.variableValues ?? {}) as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(args.schema, definition.type);
    if (!type || !isInputType(type)) continue; // validation has refused the document already
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) {
      if (isNonNullType(type) && !definition.defaultValue) issues.push({ field: name, message: 'is required' });
      continue;
    }
    if (value === null) {
      if (isNonNullType(type)) issues.push({ field: name, message: 'must not be null' });
      continue;
    }
    coerceInputValue(value, type, (path, _invalid, error) => issues.push({ field: fieldPath(path, name), message: error.message }));
  }
  return issues;
}

function refusal(issues: FieldIssue[], production: boolean): ExecutionResult {
  return { errors: [toGraphQLError(invalidInput(issues), production)] };
}

export function variableErrorsPlugin(production: boolean): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const issues = variableIssues(args);
      if (issues.length) setResultAndStopExecution(refusal(issues, production));
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const issues = variableIssues(args);
      if (issues.length) setResultAndStopExecution(refusal(issues, production));
    },
  };
}
