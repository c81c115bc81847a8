// The user_customer family (seed 003_4e5ef05ef938c7d5.txt): JSON or form bodies, envelope
// {code, msg, mix_code, mix_msg, mix_ext, result}.
import { z } from 'zod';
import { userCustomer } from '../families.ts';
import { idField, textField } from '../fields.ts';
import { defineRoute } from '../route.ts';

export const userCustomerFragment = `fragment LegacyUserCustomer on UserCustomer {
  userId customerId template script reference created isAvailable bossSync
}`;

export interface LegacyUserCustomerData {
  userId: string;
  customerId: number;
  template: string | null;
  script: string | null;
  reference: string;
  created: string;
  isAvailable: number;
  bossSync: number;
}

/** "2018-11-28 11:04:18" in UTC+8, as the seed shows dates. */
export function legacyDateTime(iso: string): string {
  const shifted = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
  return shifted.toISOString().slice(0, 19).replace('T', ' ');
}

/** seed 003 shows user_id as a number: numeric ids are answered as numbers. */
export function legacyUserId(userId: string): string | number {
  return /^\d{1,15}$/.test(userId) ? Number(userId) : userId;
}

export function toLegacyUserCustomer(link: LegacyUserCustomerData): Record<string, unknown> {
  return {
    user_id: legacyUserId(link.userId),
    customer_id: link.customerId,
    template: link.template,
    script: link.script,
    reference: link.reference,
    created: legacyDateTime(link.created),
    is_available: link.isAvailable,
    boss_sync: link.bossSync,
  };
}

export const userCustomerRoutes = [
  defineRoute({
    family: userCustomer,
    method: 'POST',
    path: '/api/user_customer/get',
    summary: '查询UserCustomer指定记录: one follow link',
    seed: '003 2.4.1.7.27.2',
    scope: 'customer:read',
    request: z.object({ user_id: z.union([textField, z.number()]).transform(String), customer_id: idField }),
    operation: `query UserCustomerGet($userId: String!, $customerId: ID!) {
      userCustomer(userId: $userId, customerId: $customerId) { ...LegacyUserCustomer }
    }\n${userCustomerFragment}`,
    variables: (req) => ({ userId: req.user_id, customerId: req.customer_id }),
    result: (data: { userCustomer: LegacyUserCustomerData | null }) => (data.userCustomer ? toLegacyUserCustomer(data.userCustomer) : null),
    message: '查询成功',
    example: { user_id: '998', customer_id: '1001' },
  }),
];
