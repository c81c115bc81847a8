// Customers: create, update, logical delete, tombstone resolution and single attributes.
// Identity resolution and merges live in resolution.ts and merge.ts.
import type { Customer, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { uniqueViolation } from '../db/errors.ts';
import { setExtendedValue } from './attributes.ts';
import {
  intFields,
  profileFields,
  profileSchema,
  profileShape,
  toColumns,
  type ProfileField,
  type ProfileInput,
} from './customer-fields.ts';
import { displayName, fillDisplayName } from './display-name.ts';
import { badInput, DomainError, notFound } from './errors.ts';
import { dedupeIdentities } from './identity/rules.ts';
import { identityTypeRules, normalizeIdentity, type IdentityRef } from './identity-types.ts';
import { resolveCustomerId, resolveCustomerIds } from './merge/tree.ts';
import { lockLiveCustomers, retryingTransaction } from './transactions.ts';
import { parseInput } from './validation.ts';
import { reportChanges } from './changes.ts';

type Tx = Prisma.TransactionClient;
type Db = PrismaClient | Tx;

/** Resolves every id or throws NOT_FOUND naming the first missing one as `field[i]`. */
export async function requireCustomerIds(db: Db, ids: number[], field: string): Promise<number[]> {
  const resolved = await resolveCustomerIds(db, ids);
  return ids.map((id, i) => {
    const live = resolved.get(id);
    if (live === null || live === undefined) throw notFound('customer', id, `${field}[${i}]`);
    return live;
  });
}

/** Like resolveCustomerId, but NOT_FOUND names `field` when there is no live customer. */
export async function requireCustomerId(db: Db, id: number, field = 'customerId'): Promise<number> {
  const resolved = await resolveCustomerId(db, id);
  if (resolved === null) throw notFound('customer', id, field);
  return resolved;
}

/**
 * For writes that change or remove what a customer holds (delete, update, remove from a group,
 * unfriend, unfollow): each id must be a live customer itself. Reads and additive writes let a
 * merged-away id stand for its survivor; these refuse it with CONFLICT naming `field[i]`
 * ("customer 5 was merged into customer 9"), so a stale id never changes the survivor.
 * Unknown or deleted ids are NOT_FOUND as with requireCustomerIds.
 */
export async function requireUnmergedCustomerIds(db: Db, ids: number[], field: string, indexed = true): Promise<number[]> {
  const rows = await db.customer.findMany({
    where: { id: { in: [...new Set(ids)] } },
    select: { id: true, mergedIntoId: true, deletedAt: true },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const merged = rows.filter((r) => r.mergedIntoId !== null).map((r) => r.id);
  const survivors = merged.length ? await resolveCustomerIds(db, merged) : new Map<number, number | null>();
  ids.forEach((id, i) => {
    const name = indexed ? `${field}[${i}]` : field;
    const row = byId.get(id);
    const survivor = row?.mergedIntoId !== null && row?.mergedIntoId !== undefined ? survivors.get(id) : undefined;
    if (survivor !== undefined && survivor !== null) {
      const message = `customer ${id} was merged into customer ${survivor}; this write changes a customer, so give its id (${survivor})`;
      throw new DomainError('CONFLICT', `${name}: ${message}`, [{ field: name, message }]);
    }
    if (!row || row.deletedAt || row.mergedIntoId !== null) throw notFound('customer', id, name);
  });
  return ids;
}

/** requireUnmergedCustomerIds for one id. */
export async function requireUnmergedCustomerId(db: Db, id: number, field = 'customerId'): Promise<number> {
  return (await requireUnmergedCustomerIds(db, [id], field, false))[0];
}

/** A Prisma selection of a customer: what Pothos hands a resolver as `query`. */
export interface CustomerQuery {
  select?: Prisma.CustomerSelect;
  include?: Prisma.CustomerInclude;
}

/** `query` plus the columns that tell whether the customer is live (include loads every column). */
function withLiveness(query: CustomerQuery): CustomerQuery {
  return query.select ? { select: { ...query.select, id: true, mergedIntoId: true, deletedAt: true } } : query;
}

interface LivenessColumns {
  id: number;
  mergedIntoId: number | null;
  deletedAt: Date | null;
}

/**
 * The live customer an id stands for (as resolveCustomerId), loaded with `query`. A live id,
 * the usual case, costs one query; a merged id also follows the chain, then loads the
 * survivor; a deleted or unknown id is null.
 */
export async function findLiveCustomer<Row = Customer>(db: Db, id: number, query: CustomerQuery): Promise<Row | null> {
  const row = (await db.customer.findUnique({ ...withLiveness(query), where: { id } })) as (LivenessColumns & Row) | null;
  return row ? liveOrSurvivor(db, row, query) : null;
}

async function liveOrSurvivor<Row>(db: Db, row: LivenessColumns & Row, query: CustomerQuery): Promise<Row | null> {
  if (row.mergedIntoId === null) return row.deletedAt ? null : row;
  const survivor = await resolveCustomerId(db, row.mergedIntoId);
  return survivor === null ? null : ((await db.customer.findUnique({ ...query, where: { id: survivor } })) as Row | null);
}

/**
 * The live customer holding (type, value), after normalising the value, loaded with `query`:
 * the identity and its customer in one query when that customer is live.
 */
export async function findLiveCustomerByIdentity<Row = Customer>(
  prisma: PrismaClient,
  ref: IdentityRef,
  query: CustomerQuery,
): Promise<Row | null> {
  const { type, value } = normalizeIdentity(await identityTypeRules(prisma), ref);
  const identity = (await prisma.identity.findUnique({
    where: { type_value: { type: type.name, value } },
    select: { customer: withLiveness(query) },
  })) as { customer: LivenessColumns & Row } | null;
  return identity ? liveOrSurvivor(prisma, identity.customer, query) : null;
}

/** The live customer holding (type, value), after normalising the value. */
export async function findCustomerIdByIdentity(prisma: PrismaClient, ref: IdentityRef): Promise<number | null> {
  const { type, value } = normalizeIdentity(await identityTypeRules(prisma), ref);
  const identity = await prisma.identity.findUnique({
    where: { type_value: { type: type.name, value } },
    select: { customerId: true },
  });
  return identity ? resolveCustomerId(prisma, identity.customerId) : null;
}

export interface NewCustomer {
  profile?: ProfileInput;
  identities?: IdentityRef[];
  /** Groups the new customer joins (seed 001 add groupId). */
  groupIds?: number[];
}

/**
 * Creates a customer with its identities and group memberships, in one statement. An
 * identity that already belongs to a customer is a CONFLICT naming it (`identities[i]`):
 * resolving identities to an existing customer is createCustomerByIdentity's job. An
 * unknown group is NOT_FOUND naming `groupIds[i]`. Nothing is written on either.
 */
export async function createCustomer(prisma: PrismaClient, input: NewCustomer): Promise<Customer> {
  const profile = parseInput(profileSchema, input.profile ?? {}, 'profile');
  const rules = await identityTypeRules(prisma);
  const identities = (input.identities ?? []).map((ref, i) => normalizeIdentity(rules, ref, `identities[${i}]`));
  const { kept: unique, clashes } = dedupeIdentities(identities);
  if (clashes.length) {
    const { index } = clashes[0];
    throw badInput(`identities[${index}]`, `a customer holds one ${identities[index].type.name}; two different values were given`);
  }
  const groupIds = [...new Set(input.groupIds ?? [])];
  if (groupIds.length) {
    const found = new Set((await prisma.group.findMany({ where: { id: { in: groupIds } }, select: { id: true } })).map((g) => g.id));
    (input.groupIds ?? []).forEach((id, i) => {
      if (!found.has(id)) throw notFound('group', id, `groupIds[${i}]`);
    });
  }
  if (unique.length) {
    const taken = await prisma.identity.findMany({
      where: { OR: unique.map(({ type, value }) => ({ type: type.name, value })) },
      select: { type: true, value: true },
    });
    const index = identities.findIndex(({ type, value }) => taken.some((t) => t.type === type.name && t.value === value));
    if (index >= 0) throw identityTaken(`identities[${index}]`, identities[index].type.name, identities[index].value);
  }
  try {
    const customer = await prisma.customer.create({
      data: {
        ...(toColumns(profile) as Prisma.CustomerCreateInput),
        name: displayName(profile),
        identities: { create: unique.map(({ type, value }) => ({ type: type.name, value })) },
        memberships: { create: groupIds.map((groupId) => ({ groupId })) },
      },
    });
    await reportChanges(prisma, { created: [customer.id] });
    return customer;
  } catch (error) {
    // Another request took one of the identities since the check above.
    if (uniqueViolation(error)) {
      throw new DomainError('CONFLICT', 'identities: one of the identities already belongs to another customer', [
        { field: 'identities', message: 'already belongs to another customer' },
      ]);
    }
    throw error;
  }
}

function identityTaken(field: string, type: string, value: string): DomainError {
  const message = `${type} "${value}" already belongs to another customer`;
  return new DomainError('CONFLICT', `${field}: ${message}`, [{ field, message }]);
}

/** Writes the given profile fields (null clears one) onto a live customer. */
export async function updateCustomer(db: Db, id: number, input: ProfileInput): Promise<Customer> {
  const profile = parseInput(profileSchema, input, 'profile');
  const target = await requireUnmergedCustomerId(db, id, 'id');
  const written = await db.customer.update({ where: { id: target }, data: toColumns(profile) });
  // A write that leaves no name (name cleared, or never given) derives it (display-name.ts).
  const customer = await fillDisplayName(db, written);
  await reportChanges(db, { updated: [target] });
  return customer;
}

/**
 * Logical delete (seed 001 singleDelete): the customer disappears from reads, and its
 * identities are released so the same phone or e-mail can belong to someone else later.
 */
export async function deleteCustomer(prisma: PrismaClient, id: number): Promise<{ id: number; releasedIdentities: IdentityRef[] }> {
  return retryingTransaction(prisma, 'delete customer', async (tx) => {
    const target = await requireUnmergedCustomerId(tx, id, 'customerId');
    // Locked first, so that a resolution attaching identities to it at the same moment
    // either finishes before (and its identities are released too) or sees it deleted.
    await lockLiveCustomers(tx, [target]);
    const identities = await tx.identity.findMany({ where: { customerId: target }, select: { type: true, value: true } });
    await tx.identity.deleteMany({ where: { customerId: target } });
    await tx.customer.update({ where: { id: target }, data: { deletedAt: new Date() } });
    await reportChanges(tx, { deleted: [target] });
    return {
      id: target,
      releasedIdentities: identities.map((i) => ({ identityType: i.type, identityValue: i.value })),
    };
  });
}

/**
 * Seed 001 updateCustomerAttr with isExtendAttr=false: one profile field, its value given as
 * text and read by the field's type.
 */
export async function setSystemAttribute(db: Db, id: number, name: string, raw: string | null): Promise<void> {
  if (!(profileFields as string[]).includes(name)) {
    throw badInput('attrName', `unknown system attribute "${name}"; known: ${profileFields.join(', ')}`);
  }
  const field = name as ProfileField;
  let value: unknown = raw;
  if (raw !== null && intFields.has(field)) {
    if (!/^-?\d+$/.test(raw.trim())) throw badInput('attrValue', `${name} takes an integer`);
    value = Number(raw.trim());
  } else if (raw !== null && field === 'deptCodeList') {
    value = raw.startsWith('[')
      ? safeJson(raw)
      : raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  }
  const parsed = profileShape[field].nullable().safeParse(value);
  if (!parsed.success) throw badInput('attrValue', `${name} ${parsed.error.issues[0].message}`);
  await updateCustomer(db, id, { [field]: parsed.data });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badInput('attrValue', 'is not valid JSON');
  }
}

/** Seed 001 updateCustomerAttr with isExtendAttr=true: one extended attribute. */
export async function setExtendedAttribute(
  prisma: PrismaClient,
  id: number,
  key: string,
  value: string | null,
  displayName?: string,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const target = await requireUnmergedCustomerId(tx, id, 'customerId');
    await setExtendedValue(tx, target, { key, name: displayName, value });
    await reportChanges(tx, { updated: [target] });
  });
}
