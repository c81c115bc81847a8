// Extended attributes: definitions (key, name, type, single or multiple) and their values per
// customer. Seed 001 extendAttrList (attrKey), seed 004 customFields (configId, several
// values), and the study fields of seed 000 (built-in definitions) all land here.
import { z } from 'zod';
import type { AttributeDefinition, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { uniqueViolation } from '../db/errors.ts';
import { deptCodes, profileFields, profileLabels, type ProfileField } from './customer-fields.ts';
import { badInput, DomainError } from './errors.ts';
import { parseInput } from './validation.ts';

type Db = PrismaClient | Prisma.TransactionClient;

export const VALUE_TYPES = ['STRING', 'INT', 'DATETIME'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

const MAX_VALUE_LENGTH = 2000;
const MAX_VALUES = 100;

export const attributeKey = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must start with a letter or _ and hold letters, digits, _ . -');

export const definitionInput = z.object({
  key: attributeKey,
  name: z.string().trim().min(1).max(100),
  valueType: z.enum(VALUE_TYPES).default('STRING'),
  multiple: z.boolean().default(false),
});

/** Checks one value against its definition's type; returns it as stored (text). */
export function checkValue(
  definition: Pick<AttributeDefinition, 'key' | 'valueType'>,
  value: unknown,
  field: string,
  row?: number,
): string {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') throw badInput(field, `${definition.key} takes text or a number`, row);
  const text = value.trim();
  if (text.length > MAX_VALUE_LENGTH) throw badInput(field, `must be at most ${MAX_VALUE_LENGTH} characters`, row);
  if (definition.valueType === 'INT' && !/^-?\d{1,15}$/.test(text)) {
    throw badInput(field, `${definition.key} takes an integer`, row);
  }
  if (
    definition.valueType === 'DATETIME' &&
    !(/^\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?/.test(text) && !Number.isNaN(Date.parse(text)))
  ) {
    throw badInput(field, `${definition.key} takes a date-time such as 2015/5/12 17:17:18`, row);
  }
  return text;
}

export async function defineAttribute(prisma: Db, input: z.input<typeof definitionInput>): Promise<AttributeDefinition> {
  const data = parseInput(definitionInput, input);
  if ((profileFields as string[]).includes(data.key)) {
    throw badInput('key', `"${data.key}" is a system attribute of every customer`);
  }
  try {
    return await prisma.attributeDefinition.create({ data });
  } catch (error) {
    if (uniqueViolation(error)) {
      throw new DomainError('CONFLICT', `attribute "${data.key}" is already defined`, [{ field: 'key', message: 'already defined' }]);
    }
    throw error;
  }
}

/** The definition for `key`, created as a single text attribute when it is new (seed 001 attrKey). */
export async function definitionForKey(db: Db, key: string, name?: string): Promise<AttributeDefinition> {
  const parsed = attributeKey.safeParse(key);
  if (!parsed.success) throw badInput('attrKey', parsed.error.issues[0].message);
  if ((profileFields as string[]).includes(parsed.data)) {
    throw badInput('attrKey', `"${parsed.data}" is a system attribute; set it with isExtendAttr=false`);
  }
  const existing = await db.attributeDefinition.findUnique({ where: { key: parsed.data } });
  if (existing) return existing;
  // Another request may define it at the same moment: ON CONFLICT keeps one definition.
  await db.$executeRaw`INSERT INTO "AttributeDefinition" ("key", "name") VALUES (${parsed.data}, ${name?.trim() || parsed.data}) ON CONFLICT ("key") DO NOTHING`;
  return db.attributeDefinition.findUniqueOrThrow({ where: { key: parsed.data } });
}

/** Replaces a customer's values of one attribute (an empty list or null clears it). */
export async function replaceValues(db: Db, customerId: number, definition: AttributeDefinition, values: string[]): Promise<void> {
  if (!definition.multiple && values.length > 1) {
    throw badInput('values', `${definition.key} holds one value; ${values.length} were given`);
  }
  if (values.length > MAX_VALUES) throw badInput('values', `at most ${MAX_VALUES} values`);
  await db.attributeValue.deleteMany({ where: { customerId, definitionId: definition.id } });
  if (values.length > 0) {
    await db.attributeValue.createMany({
      data: values.map((value, position) => ({ customerId, definitionId: definition.id, position, value })),
    });
  }
}

/** Sets one extended attribute by key, defining it when new. Must run in a transaction. */
export async function setExtendedValue(
  tx: Prisma.TransactionClient,
  customerId: number,
  input: { key: string; name?: string; value: string | null },
): Promise<void> {
  const definition = await definitionForKey(tx, input.key, input.name);
  const values = input.value === null || input.value === '' ? [] : [checkValue(definition, input.value, 'attrValue')];
  await replaceValues(tx, customerId, definition, values);
}

export interface AttributeView {
  attrKey: string;
  attrName: string;
  attrValue: string | null;
  values: string[];
}

/** Groups a customer's value rows (ordered by position) into one view per attribute. */
export function groupValues(
  rows: { position: number; value: string; definition: Pick<AttributeDefinition, 'key' | 'name'> }[],
): AttributeView[] {
  const byKey = new Map<string, AttributeView>();
  for (const row of [...rows].sort((a, b) => a.position - b.position)) {
    let view = byKey.get(row.definition.key);
    if (!view) {
      view = { attrKey: row.definition.key, attrName: row.definition.name, attrValue: null, values: [] };
      byKey.set(row.definition.key, view);
    }
    view.values.push(row.value);
    view.attrValue = view.values.join(',');
  }
  return [...byKey.values()];
}

/** The most attribute keys one read asks for (seed 001 queryAttrValuesByCustomerId attrKeyList). */
export const MAX_ATTRIBUTE_KEYS = 100;

export interface AttributeValueView extends AttributeView {
  /** false for a profile field (系统属性), true for an extended attribute (扩展属性). */
  extended: boolean;
}

/**
 * A customer's values for the given keys, in the order asked, each key once: a profile
 * field by its name, else an extended attribute by its key. A key that is neither set nor
 * defined answers with a null value (extended attributes are defined on first write, so an
 * unknown key is one nobody has written yet), named after itself.
 */
export function attributeValuesByKey(
  customer: Record<string, unknown>,
  keys: string[],
  definitions: { key: string; name: string; values: { position: number; value: string }[] }[],
): AttributeValueView[] {
  if (keys.length > MAX_ATTRIBUTE_KEYS) throw badInput('keys', `at most ${MAX_ATTRIBUTE_KEYS} keys`);
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  return [...new Set(keys.map((k) => k.trim()))].map((key): AttributeValueView => {
    if ((profileFields as string[]).includes(key)) {
      const field = key as ProfileField;
      const raw = customer[field];
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- profile columns are scalars
      const values = field === 'deptCodeList' ? deptCodes(raw as string | null) : raw === null || raw === undefined ? [] : [String(raw)];
      return { attrKey: key, attrName: profileLabels[field], attrValue: values.length ? values.join(',') : null, values, extended: false };
    }
    const definition = byKey.get(key);
    const values = [...(definition?.values ?? [])].sort((a, b) => a.position - b.position).map((v) => v.value);
    return { attrKey: key, attrName: definition?.name ?? key, attrValue: values.length ? values.join(',') : null, values, extended: true };
  });
}
