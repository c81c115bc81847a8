// A user following a customer (seed 003 user_customer): follow, edit, unfollow, and list
// with the seed's [["key","op","value"]] conditions, turned into Prisma filters through an
// allow-list of keys and operators (never into SQL text).
import { z } from 'zod';
import type { Prisma, PrismaClient, UserCustomer } from '../generated/prisma/client.ts';
import { uniqueViolation } from '../db/errors.ts';
import { requireCustomerId, requireUnmergedCustomerId, requireUnmergedCustomerIds } from './customers.ts';
import { badInput, DomainError } from './errors.ts';
import { parseLegacyDateTime } from './legacy-dates.ts';
import { isInt32, parseInput } from './validation.ts';
import { reportChanges } from './changes.ts';

export const CONDITION_FIELDS = [
  'user_id',
  'customer_id',
  'template',
  'script',
  'reference',
  'is_available',
  'boss_sync',
  'created',
] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];
export const CONDITION_OPS = ['=', '!=', '>', '>=', '<', '<=', 'like', 'in'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

/** The most conditions one list takes (GraphQL and seed 003's condition alike). */
export const MAX_CONDITIONS = 20;

export interface Condition {
  field: ConditionField;
  op: ConditionOp;
  /** One value, or several for `in`. */
  values: string[];
}

const columnOf: Record<ConditionField, { column: keyof Prisma.UserCustomerWhereInput; type: 'string' | 'int' | 'datetime' }> = {
  user_id: { column: 'userId', type: 'string' },
  customer_id: { column: 'customerId', type: 'int' },
  template: { column: 'template', type: 'string' },
  script: { column: 'script', type: 'string' },
  reference: { column: 'reference', type: 'string' },
  is_available: { column: 'isAvailable', type: 'int' },
  boss_sync: { column: 'bossSync', type: 'int' },
  created: { column: 'createdAt', type: 'datetime' },
};

const opKey: Record<Exclude<ConditionOp, 'like' | 'in'>, string> = {
  '=': 'equals',
  '!=': 'not',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
};

function typed(value: string, type: 'string' | 'int' | 'datetime', field: string): string | number | Date {
  if (type === 'int') {
    if (!/^-?\d{1,10}$/.test(value.trim()) || !isInt32(Number(value.trim()))) throw badInput(field, `"${value}" is not an integer`);
    return Number(value.trim());
  }
  if (type === 'datetime') return parseLegacyDateTime(value, field);
  return value;
}

/** One Prisma filter from the conditions (ANDed); `field` prefixes error names. */
export function conditionsWhere(conditions: Condition[], field = 'condition'): Prisma.UserCustomerWhereInput {
  if (conditions.length > MAX_CONDITIONS) throw badInput(field, `at most ${MAX_CONDITIONS} conditions`);
  return {
    AND: conditions.map((condition, i) => {
      const name = `${field}[${i}]`;
      const target = columnOf[condition.field];
      if (!target) throw badInput(name, `unknown key "${condition.field}"; known: ${CONDITION_FIELDS.join(', ')}`);
      if (condition.op === 'in') {
        if (condition.values.length === 0) throw badInput(name, '"in" needs at least one value');
        return { [target.column]: { in: condition.values.map((v) => typed(v, target.type, name)) } };
      }
      if (condition.values.length !== 1) throw badInput(name, `"${condition.op}" takes exactly one value`);
      const value = condition.values[0];
      if (condition.op === 'like') {
        if (target.type !== 'string') throw badInput(name, `"like" works on text keys only, not ${condition.field}`);
        // SQL LIKE wildcards in the value are honoured as the legacy API did: % and _.
        return likeFilter(target.column, value);
      }
      const key = opKey[condition.op];
      if (!key) throw badInput(name, `unknown operator "${condition.op}"; known: ${CONDITION_OPS.join(', ')}`);
      return { [target.column]: { [key]: typed(value, target.type, name) } };
    }),
  };
}

function likeFilter(column: string, pattern: string): Prisma.UserCustomerWhereInput {
  const core = pattern.replace(/^%+|%+$/g, '');
  if (/[%_]/.test(core)) {
    // An inner wildcard cannot be expressed by Prisma's text filters: match the literal parts.
    return {
      AND: core
        .split(/[%_]+/)
        .filter(Boolean)
        .map((part) => ({ [column]: { contains: part } })),
    };
  }
  const starts = !pattern.startsWith('%');
  const ends = !pattern.endsWith('%');
  if (starts && ends) return { [column]: { contains: core } };
  if (starts) return { [column]: { startsWith: core } };
  if (ends) return { [column]: { endsWith: core } };
  return { [column]: { contains: core } };
}

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

export const followInput = z.object({
  userId: z.string().trim().min(1, 'is required').max(64),
  customerId: z.number().int().positive(),
  template: text(20_000).nullish(),
  script: text(20_000).nullish(),
  reference: text(255).nullish(),
});

export async function follow(prisma: PrismaClient, input: z.input<typeof followInput>): Promise<UserCustomer> {
  const data = parseInput(followInput, input);
  const customerId = await requireCustomerId(prisma, data.customerId, 'customerId');
  try {
    const link = await prisma.userCustomer.create({
      data: {
        userId: data.userId,
        customerId,
        template: data.template ?? null,
        script: data.script ?? null,
        reference: data.reference ?? '',
      },
    });
    await reportChanges(prisma, { updated: [customerId] });
    return link;
  } catch (error) {
    if (uniqueViolation(error)) {
      throw new DomainError('CONFLICT', `customerId: user ${data.userId} already follows customer ${customerId}`, [
        { field: 'customerId', message: 'already followed by this user' },
      ]);
    }
    throw error;
  }
}

const flag = z.number().int().min(0, 'must be 0 or 1').max(1, 'must be 0 or 1');
export const editInput = followInput.extend({ isAvailable: flag.optional(), bossSync: flag.optional() });

export async function editFollow(prisma: PrismaClient, input: z.input<typeof editInput>): Promise<UserCustomer> {
  const data = parseInput(editInput, input);
  const customerId = await requireUnmergedCustomerId(prisma, data.customerId, 'customerId');
  const existing = await prisma.userCustomer.findUnique({ where: { userId_customerId: { userId: data.userId, customerId } } });
  if (!existing)
    throw new DomainError('NOT_FOUND', `customerId: user ${data.userId} does not follow customer ${customerId}`, [
      { field: 'customerId', message: 'not followed by this user' },
    ]);
  const link = await prisma.userCustomer.update({
    where: { id: existing.id },
    data: {
      template: data.template,
      script: data.script,
      reference: data.reference ?? undefined,
      isAvailable: data.isAvailable,
      bossSync: data.bossSync,
    },
  });
  await reportChanges(prisma, { updated: [customerId] });
  return link;
}

/** Removes the user's links to each customer; all-or-nothing: an unknown link fails the call. */
export async function unfollow(prisma: PrismaClient, userId: string, customerIds: number[]): Promise<number> {
  if (!userId.trim()) throw badInput('userId', 'is required');
  if (customerIds.length === 0) throw badInput('customerIds', 'at least one customer id is required');
  return prisma.$transaction(async (tx) => {
    const live = await requireUnmergedCustomerIds(tx, customerIds, 'customerIds');
    const existing = await tx.userCustomer.findMany({ where: { userId, customerId: { in: live } }, select: { customerId: true } });
    const followed = new Set(existing.map((e) => e.customerId));
    live.forEach((id, i) => {
      if (!followed.has(id)) {
        throw new DomainError('NOT_FOUND', `customerIds[${i}]: user ${userId} does not follow customer ${customerIds[i]}`, [
          { field: `customerIds[${i}]`, message: 'not followed by this user' },
        ]);
      }
    });
    const { count } = await tx.userCustomer.deleteMany({ where: { userId, customerId: { in: live } } });
    await reportChanges(tx, { updated: live });
    return count;
  });
}
