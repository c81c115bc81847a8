// The import engine's decision for one chunk, in memory and without the database: each row
// matched with the identity rules (identity/rules.ts) against what the chunk's lookup found and
// what the rows before it created, its custom fields checked against their definitions, and
// what is to be written collected into a ChunkPlan (written by write.ts).
import { checkValue } from '../attributes.ts';
import { DomainError } from '../errors.ts';
import { attachDecision, chooseTarget, identityKey, matchToAppend, type GivenIdentity, type HeldIdentity } from '../identity/rules.ts';
import type { IdentityTypeRule } from '../identity-types.ts';
import { CUSTOMER_ID, type ImportOptions, type ParsedRow, type RowError, type RowIdentity } from './rows.ts';

type Rules = Map<string, IdentityTypeRule>;

/** Custom fields of seed 004 are the extended attributes `customField.<configId>`. */
export const customFieldKey = (configId: number) => `customField.${configId}`;

export interface StoredIdentity {
  id: number;
  type: string;
  value: string;
  customerId: number;
  source: string | null;
}

export interface Lookup {
  /** (type, value) → the stored row. */
  identities: Map<string, StoredIdentity>;
  /** customer id named by a row or an identity row → the live customer, or null. */
  live: Map<number, number | null>;
}

export interface Definition {
  id: number;
  key: string;
  valueType: string;
  multiple: boolean;
}

export interface Definitions {
  byKey: Map<string, Definition>;
  byName: Map<string, Definition>;
}

export interface AttributeWrite {
  customerId: number;
  definition: Definition | null;
  key: string;
  name: string;
  values: string[];
}

/**
 * What a chunk writes. Customers the chunk creates have negative ids (-1, -2, … in the order
 * of the rows that create them) until write.ts inserts them.
 */
export interface ChunkPlan {
  succeeded: number;
  errors: RowError[];
  /** New customers' columns, by negative id, in creation order. */
  newCustomers: Map<number, Record<string, string | number>>;
  /** Columns written onto existing customers. */
  updates: Map<number, Record<string, string | number>>;
  newIdentities: { type: string; value: string; customerId: number; source: string | null }[];
  /** Identity rows left on deleted customers, taken over. */
  takenOver: { identity: StoredIdentity; customerId: number }[];
  tags: { customerId: number; tag: string }[];
  attributes: AttributeWrite[];
  memberships: { customerId: number; group: string }[];
}

/** The live customers the lookup found, ascending. */
export function liveCustomers(lookup: Lookup): number[] {
  return [...new Set([...lookup.live.values()].filter((id): id is number => id !== null))].sort((a, b) => a - b);
}

/** The chunk's state while its rows are decided: who holds what, as the rows so far leave it. */
class ChunkState {
  readonly ownerOf = new Map<string, number>();
  readonly takeOver = new Map<string, StoredIdentity>();
  readonly held: Map<number, HeldIdentity[]>;
  readonly rowOfNew = new Map<number, number>();
  readonly plan: ChunkPlan = {
    succeeded: 0,
    errors: [],
    newCustomers: new Map(),
    updates: new Map(),
    newIdentities: [],
    takenOver: [],
    tags: [],
    attributes: [],
    memberships: [],
  };
  private readonly tagKeys = new Set<string>();
  private readonly attributeKeys = new Map<string, number>();
  private readonly membershipKeys = new Set<string>();

  constructor(
    readonly options: ImportOptions,
    readonly rules: Rules,
    readonly lookup: Lookup,
    held: Map<number, HeldIdentity[]>,
  ) {
    this.held = held;
    for (const [key, row] of lookup.identities) {
      const live = lookup.live.get(row.customerId) ?? null;
      if (live === null)
        this.takeOver.set(key, row); // left on a deleted customer: free to take
      else this.ownerOf.set(key, live);
    }
  }

  customerOf(identity: RowIdentity): number | null {
    if (identity.type === CUSTOMER_ID) return this.lookup.live.get(Number(identity.value)) ?? null;
    return this.ownerOf.get(identityKey(identity.type, identity.value)) ?? null;
  }

  given(identity: RowIdentity): GivenIdentity {
    return {
      type: { name: identity.type, unique: identity.type === CUSTOMER_ID || (this.rules.get(identity.type)?.unique ?? true) },
      value: identity.value,
    };
  }

  describe(customerId: number): string {
    return customerId < 0 ? `the customer row ${this.rowOfNew.get(customerId)} created` : `customer ${customerId}`;
  }

  newCustomer(row: number): number {
    const id = -(this.rowOfNew.size + 1);
    this.rowOfNew.set(id, row);
    this.held.set(id, []);
    this.plan.newCustomers.set(id, {});
    return id;
  }

  addTag(customerId: number, tag: string): void {
    const key = `${customerId}\u0000${tag}`;
    if (this.tagKeys.has(key)) return;
    this.tagKeys.add(key);
    this.plan.tags.push({ customerId, tag });
  }

  /** A later row's values of the same (customer, field) replace an earlier row's. */
  addAttribute(write: AttributeWrite): void {
    const key = `${write.customerId}\u0000${write.key}`;
    const at = this.attributeKeys.get(key);
    if (at === undefined) this.attributeKeys.set(key, this.plan.attributes.push(write) - 1);
    else this.plan.attributes[at] = write;
  }

  addMembership(customerId: number, group: string): void {
    const key = `${customerId}\u0000${group}`;
    if (this.membershipKeys.has(key)) return;
    this.membershipKeys.add(key);
    this.plan.memberships.push({ customerId, group });
  }
}

type Fail = (field: string | null, message: string) => void;

/** Problems of the row's identities that matching cannot get past (isMatching false, another application's openid). */
function checkIdentities(state: ChunkState, row: ParsedRow, fail: Fail): void {
  const { options } = state;
  for (const identity of row.identities) {
    if (identity.type === CUSTOMER_ID) {
      if (state.customerOf(identity) === null) fail(identity.column, `no customer ${identity.value}`);
      else if (!options.isMatching)
        fail(identity.column, 'names an existing customer, but isMatching is false: every row creates a new customer');
      continue;
    }
    const stored = state.lookup.identities.get(identityKey(identity.type, identity.value));
    if (options.accurateScope && identity.type === 'openid' && stored?.source && stored.source !== options.accurateScope) {
      fail(identity.column, `"${identity.value}" is an openid of ${stored.source}, not of ${options.accurateScope}`);
    }
    const owner = state.customerOf(identity);
    if (!options.isMatching && owner !== null) {
      fail(
        identity.column,
        `"${identity.value}" already belongs to ${state.describe(owner)}; isMatching is false, so every row creates a new customer`,
      );
    }
  }
}

/** Seed 004 exact matching: the row's identities find at most one customer, which takes the new ones (matchToAppend). */
const appendsIdentities = (options: ImportOptions) => options.kind === 'PROFILE' && options.matchingType === 1;

/** The existing (or earlier-created) customer the row matches, or null (a new one). */
function matchRow(state: ChunkState, row: ParsedRow, fail: Fail): number | null {
  const { options } = state;
  if (!options.isMatching) return null;
  if (appendsIdentities(options)) {
    const match = matchToAppend(
      row.identities.map((i) => state.given(i)),
      (i) => state.customerOf(row.identities[i]),
      (c) => state.held.get(c) ?? [],
    );
    for (const problem of match.problems) {
      const identity = row.identities[problem.index];
      const what = identity.type === CUSTOMER_ID ? `customer ${identity.value}` : `"${identity.value}"`;
      if (problem.ownedBy !== undefined) {
        fail(
          identity.column,
          `${what} belongs to ${state.describe(problem.ownedBy)}, but the row matches ${state.describe(match.target!)}: a customer's identities are not moved by an import`,
        );
      } else {
        fail(
          identity.column,
          `${state.describe(match.target!)} holds ${identity.type} "${problem.heldValue}": a customer holds one ${identity.type}, so "${identity.value}" cannot be added`,
        );
      }
    }
    return match.target;
  }
  const lookedUp = row.identities.slice(0, row.lookup);
  const choice = chooseTarget(
    lookedUp.map((i) => state.given(i)),
    'identityFirst',
    (i) => state.customerOf(lookedUp[i]),
    (c) => state.held.get(c) ?? [],
  );
  if (choice.target === null && options.optType === 'delete') fail(null, 'no customer matches this row');
  return choice.target;
}

/** Custom fields, each against its definition (a configId not defined yet is defined as multi-valued text). */
function checkCustomFields(state: ChunkState, definitions: Definitions, row: ParsedRow, fail: Fail): Omit<AttributeWrite, 'customerId'>[] {
  const attributes: Omit<AttributeWrite, 'customerId'>[] = [];
  for (const field of row.customFields) {
    const where = `customFields[${field.index}]`;
    const key = field.configId !== null ? customFieldKey(field.configId) : null;
    const definition = key !== null ? (definitions.byKey.get(key) ?? null) : (definitions.byName.get(field.configName!) ?? null);
    if (definition === null && key === null) {
      fail(`${where}.configName`, `no custom field named "${field.configName}"; give its configId`);
      continue;
    }
    if (definition && !definition.multiple && field.values.length > 1) {
      fail(`${where}.values`, `${definition.key} holds one value; ${field.values.length} were given`);
      continue;
    }
    try {
      const values = definition ? field.values.map((v, j) => checkValue(definition, v, `${where}.values[${j}]`)) : field.values;
      attributes.push({ definition, key: definition?.key ?? key!, name: field.configName ?? key!, values });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      for (const issue of error.issues) fail(issue.field, issue.message);
    }
  }
  return attributes;
}

/** Attach what belongs to no customer and does not conflict with the target (CONTRACT §5). */
function attachIdentities(state: ChunkState, row: ParsedRow, customer: number): void {
  const targetHeld = state.held.get(customer)!;
  for (const identity of row.identities) {
    if (identity.type === CUSTOMER_ID) continue;
    const key = identityKey(identity.type, identity.value);
    if (!attachDecision(state.given(identity), state.ownerOf.get(key) ?? null, targetHeld).attach) continue;
    state.ownerOf.set(key, customer);
    targetHeld.push({ type: identity.type, value: identity.value });
    const left = state.takeOver.get(key);
    if (left) state.plan.takenOver.push({ identity: left, customerId: customer });
    else {
      const source = identity.type === 'openid' ? state.options.accurateScope : null;
      state.plan.newIdentities.push({ type: identity.type, value: identity.value, customerId: customer, source });
    }
  }
}

/** Decides one row: its errors, or its writes added to the plan. */
function planRow(state: ChunkState, definitions: Definitions, row: ParsedRow): void {
  const rowErrors: RowError[] = [];
  const fail: Fail = (field, message) => rowErrors.push({ row: row.row, field, message });
  checkIdentities(state, row, fail);
  const target = rowErrors.length === 0 ? matchRow(state, row, fail) : null;
  const attributes = checkCustomFields(state, definitions, row, fail);
  if (rowErrors.length) {
    state.plan.errors.push(...rowErrors);
    return;
  }
  state.plan.succeeded++;
  const customer = target ?? state.newCustomer(row.row);
  if (state.options.optType === 'add') attachIdentities(state, row, customer);
  if (Object.keys(row.fields).length) {
    const fields = customer < 0 ? state.plan.newCustomers.get(customer)! : (state.plan.updates.get(customer) ?? {});
    Object.assign(fields, row.fields);
    if (customer > 0) state.plan.updates.set(customer, fields);
  }
  for (const tag of row.tags) state.addTag(customer, tag);
  for (const attribute of attributes) state.addAttribute({ customerId: customer, ...attribute });
  for (const group of row.groups) state.addMembership(customer, group);
}

/**
 * Decides the chunk's rows in order: a row sees the customers and identities the rows before
 * it created. `held` is what each customer the lookup found holds (with its CUSTOMER_ID).
 */
export function planChunk(
  options: ImportOptions,
  rules: Rules,
  rows: readonly ParsedRow[],
  lookup: Lookup,
  held: Map<number, HeldIdentity[]>,
  definitions: Definitions,
): ChunkPlan {
  const state = new ChunkState(options, rules, lookup, held);
  for (const row of rows) planRow(state, definitions, row);
  return state.plan;
}
