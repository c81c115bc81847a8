// Object ids as clients send them: the one place every id argument of the schema is read.
// An argument that takes the id of an object accepts the Relay global id the object answers
// (base64 "Group:5", what `id` and `node` give out) and, for REST routes and people, the plain
// number (5 or "5"). The id of another type ("Customer:5" where a group is meant) and anything
// else is BAD_INPUT naming the argument, never a lookup of the wrong row.
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { badInput } from '../domain/errors.ts';
import { isInt32 } from '../domain/validation.ts';

/** The types whose numeric ids arguments take (the Node types with an int key). */
export type IdTypename = 'Customer' | 'Group' | 'ImportJob' | 'MergeEvent';

/** How each type is named in a refusal ("is not a group id"). */
const ID_NOUNS: Record<IdTypename, string> = {
  Customer: 'customer',
  Group: 'group',
  ImportJob: 'import job',
  MergeEvent: 'merge event',
};

/** A non-negative int32 written as a plain number, or null. */
function plainNumber(text: string): number | null {
  return /^\d{1,10}$/.test(text) && isInt32(Number(text)) ? Number(text) : null;
}

/** The type and number of a global id ("Group:5" in base64), or null when it is none. */
export function decodeNumericGlobalId(text: string): { typename: string; id: number } | null {
  try {
    const { typename, id } = decodeGlobalID(text);
    const number = plainNumber(id);
    return typename && number !== null ? { typename, id: number } : null;
  } catch {
    return null;
  }
}

/**
 * The row id an argument `field` names: a global id of `typename`, or a plain number.
 * @throws BAD_INPUT naming `field` for an id of another type or no id at all.
 */
export function parseObjectId(typename: IdTypename, value: string | number, field: string): number {
  const text = String(value).trim();
  const number = plainNumber(text);
  if (number !== null) return number;
  const global = decodeNumericGlobalId(text);
  const noun = ID_NOUNS[typename];
  if (global?.typename === typename) return global.id;
  if (global) throw badInput(field, `"${text}" is the id of a ${global.typename}, not of a ${noun}`);
  throw badInput(field, `"${text}" is not a ${noun} id (a global id ${typename}:<n> or a number)`);
}

/** parseObjectId for each item of a list argument, naming `field[i]`. */
export function parseObjectIds(typename: IdTypename, values: readonly (string | number)[], field: string): number[] {
  return values.map((value, i) => parseObjectId(typename, value, `${field}[${i}]`));
}

/** parseObjectId for an optional argument: null and undefined stay absent. */
export function parseOptionalObjectId(typename: IdTypename, value: string | number | null | undefined, field: string): number | undefined {
  return value === null || value === undefined ? undefined : parseObjectId(typename, value, field);
}

/** A customer id as clients send it: the number, or the Relay global id "Customer:<n>". */
export function parseCustomerId(id: string | number, field = 'id'): number {
  return parseObjectId('Customer', id, field);
}

/** The global id of a row whose key is several columns (Friendship: "Friendship:3:7"). */
export function compoundGlobalId(typename: string, ...keys: number[]): string {
  return encodeGlobalID(typename, keys.join(':'));
}
