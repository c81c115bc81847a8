// The openapi family (seed 001_b0c7d8b279f431e3.txt, 客户管理): envelope {code, msg, data}.
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { openapi } from '../families.ts';
import { idField } from '../fields.ts';
import { defineRoute } from '../route.ts';
import { legacyCustomerFragment, toLegacyCustomer, type LegacyCustomerData } from './legacy-customer.ts';

const customerNotFound = (id: string) =>
  new DomainError('NOT_FOUND', `customer ${id} not found`, [{ field: 'customerId', message: 'not found' }]);

export const openapiRoutes = [
  defineRoute({
    family: openapi,
    method: 'GET',
    path: '/openapi/customer/customerInfo',
    summary: '根据客户id查询单个客户信息: one customer by id (a merged id answers with the survivor)',
    seed: '001 根据客户id查询单个客户信息',
    scope: 'customer:read',
    request: z.object({ customerId: idField }),
    operation: `query CustomerInfo($id: ID!) { customer(id: $id) { ...LegacyCustomer } }\n${legacyCustomerFragment}`,
    variables: (req) => ({ id: req.customerId }),
    result: (data: { customer: LegacyCustomerData | null }, req) => {
      if (!data.customer) throw customerNotFound(req.customerId);
      return toLegacyCustomer(data.customer);
    },
    example: { customerId: '1' },
  }),
  defineRoute({
    family: openapi,
    method: 'GET',
    path: '/openapi/customer/singleDelete',
    summary: '删除单个客户: logical delete; the customer’s identities are released',
    seed: '001 删除单个客户',
    scope: 'customer:write',
    request: z.object({ customerId: idField }),
    operation: 'mutation SingleDelete($id: ID!) { deleteCustomer(id: $id) { customerId } }',
    variables: (req) => ({ id: req.customerId }),
    result: () => null,
    example: { customerId: '1' },
  }),
];
