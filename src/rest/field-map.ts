// A route's legacy → GraphQL field mapping, declared once (RestRoute.fields): the variables are
// built from it, and the names its operation's errors use are renamed back through it. Errors
// name GraphQL argument paths, so the document says which argument each variable is sent as.
import { Kind, type DocumentNode, type SelectionNode, type ValueNode } from 'graphql';

/** `input.profiles` → ['input', 'profiles']; `customerIds[0]` → ['customerIds', 0]. */
function pathParts(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] === undefined ? m[1] : Number(m[2])));
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = pathParts(path);
  let at: Record<string | number, unknown> = target;
  parts.slice(0, -1).forEach((part, i) => {
    at[part] ??= typeof parts[i + 1] === 'number' ? [] : {};
    at = at[part] as Record<string | number, unknown>;
  });
  at[parts[parts.length - 1]] = value;
}

/** The operation's variables: each request field the mapping names, at its path. */
export function variablesFrom(fields: Record<string, string>, request: Record<string, unknown>): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const [legacy, path] of Object.entries(fields)) setPath(variables, path, request[legacy]);
  return variables;
}

/** Each variable → the argument paths it is passed as (`friendIdentityValues`, `filter.userId`). */
export function argumentPathsOfVariables(document: DocumentNode): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (value: ValueNode, path: string): void => {
    if (value.kind === Kind.VARIABLE) found.set(value.name.value, [...(found.get(value.name.value) ?? []), path]);
    if (value.kind === Kind.OBJECT) value.fields.forEach((field) => visit(field.value, `${path}.${field.name.value}`));
    if (value.kind === Kind.LIST) value.values.forEach((item, i) => visit(item, `${path}[${i}]`));
  };
  // Every field's arguments, nested ones too (attributeValues(keys: $keys) inside customer):
  // errors name an argument by its own path, without the fields above it.
  const walk = (selections: readonly SelectionNode[]): void => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) for (const argument of selection.arguments ?? []) visit(argument.value, argument.name.value);
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) walk(selection.selectionSet.selections);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) walk(definition.selectionSet.selections);
  }
  return found;
}

/**
 * RestRoute.errorFields from the mapping: the argument path each legacy field arrives at →
 * that field. A list built from one field (`customerIds[0]`) names the field for the list too.
 */
export function errorFieldsOf(document: DocumentNode, fields: Record<string, string>): Record<string, string> {
  const argumentPaths = argumentPathsOfVariables(document);
  const errorFields: Record<string, string> = {};
  for (const [legacy, path] of Object.entries(fields)) {
    const variable = String(pathParts(path)[0]);
    const rest = path.slice(variable.length);
    for (const argument of argumentPaths.get(variable) ?? []) {
      errorFields[argument + rest] = legacy;
      if (rest.endsWith('[0]')) errorFields[argument + rest.slice(0, -3)] = legacy;
    }
  }
  return errorFields;
}
