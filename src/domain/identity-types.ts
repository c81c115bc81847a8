// Identity types and value normalisation (CONTRACT §5). Values are normalised the same way
// when stored and when looked up, so " A@B.com " and "a@b.com" are one e-mail identity.
import { z } from 'zod';
import type { IdentityType, PrismaClient } from '../generated/prisma/client.ts';
import { badInput, DomainError } from './errors.ts';
import { parseInput } from './validation.ts';

export const NORMALIZATIONS = ['NONE', 'TRIM', 'LOWERCASE', 'DIGITS'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

export interface IdentityTypeRule {
  name: string;
  priority: number;
  unique: boolean;
  normalization: Normalization;
}

export interface IdentityRef {
  identityType: string;
  identityValue: string;
}

type Db = Pick<PrismaClient, 'identityType'>;

const CACHE_MILLIS = 10_000;
const cache = new WeakMap<object, { until: number; rules: Promise<Map<string, IdentityTypeRule>> }>();

function toRule(row: IdentityType): IdentityTypeRule {
  return { name: row.name, priority: row.priority, unique: row.unique, normalization: row.normalization as Normalization };
}

/** All identity types by name. Cached briefly per client; configuration changes are rare. */
export function identityTypeRules(prisma: Db): Promise<Map<string, IdentityTypeRule>> {
  const hit = cache.get(prisma);
  if (hit && hit.until > Date.now()) return hit.rules;
  const rules = prisma.identityType.findMany().then((rows) => new Map(rows.map((row) => [row.name, toRule(row)])));
  rules.catch(() => cache.delete(prisma));
  cache.set(prisma, { until: Date.now() + CACHE_MILLIS, rules });
  return rules;
}

export function forgetIdentityTypes(prisma: Db): void {
  cache.delete(prisma);
}

export function normalizeValue(normalization: Normalization, value: string): string {
  switch (normalization) {
    case 'NONE':
      return value;
    case 'TRIM':
      return value.trim();
    case 'LOWERCASE':
      return value.trim().toLowerCase();
    case 'DIGITS':
      return value.replace(/\D/g, '');
  }
}

/**
 * Checks the type exists and normalises the value; `field` names the input in errors
 * (e.g. "identityList[2]").
 */
export function normalizeIdentity(
  rules: Map<string, IdentityTypeRule>,
  ref: IdentityRef,
  field = 'identity',
  row?: number,
): { type: IdentityTypeRule; value: string } {
  const type = rules.get(ref.identityType?.trim?.() ?? '');
  if (!type) {
    throw badInput(`${field}.identityType`, `unknown identity type "${ref.identityType}"; known: ${[...rules.keys()].join(', ')}`, row);
  }
  if (typeof ref.identityValue !== 'string') throw badInput(`${field}.identityValue`, 'must be a string', row);
  const value = normalizeValue(type.normalization, ref.identityValue);
  if (!value) {
    // A phone of letters only normalises to nothing: say so rather than "empty".
    const given = ref.identityValue.trim() !== '';
    throw badInput(`${field}.identityValue`, given ? `is not a valid ${type.name}: it has no digits` : 'must not be empty', row);
  }
  if (value.length > 255) throw badInput(`${field}.identityValue`, 'must be at most 255 characters', row);
  return { type, value };
}

export const identityTypeInput = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be 2-40 lower-case letters, digits or _, starting with a letter'),
  priority: z.number().int().min(0).max(100_000),
  unique: z.boolean(),
  normalization: z.enum(NORMALIZATIONS).default('TRIM'),
  description: z.string().trim().max(255).nullish(),
});

export async function createIdentityType(prisma: PrismaClient, input: z.input<typeof identityTypeInput>): Promise<IdentityType> {
  const data = parseInput(identityTypeInput, input);
  const existing = await prisma.identityType.findUnique({ where: { name: data.name } });
  if (existing)
    throw new DomainError('CONFLICT', `identity type "${data.name}" already exists`, [{ field: 'name', message: 'already exists' }]);
  const created = await prisma.identityType.create({ data: { ...data, builtIn: false } });
  forgetIdentityTypes(prisma);
  return created;
}

export const identityTypeUpdate = z.object({
  name: z.string().trim().min(1),
  priority: z.number().int().min(0).max(100_000).optional(),
  description: z.string().trim().max(255).nullish(),
});

/** Changes a type's priority (and description). Uniqueness and normalisation are fixed once values exist. */
export async function updateIdentityType(prisma: PrismaClient, input: z.input<typeof identityTypeUpdate>): Promise<IdentityType> {
  const data = parseInput(identityTypeUpdate, input);
  const existing = await prisma.identityType.findUnique({ where: { name: data.name } });
  if (!existing) throw new DomainError('NOT_FOUND', `identity type "${data.name}" not found`, [{ field: 'name', message: 'not found' }]);
  const updated = await prisma.identityType.update({
    where: { name: data.name },
    data: { priority: data.priority, description: data.description },
  });
  forgetIdentityTypes(prisma);
  return updated;
}
