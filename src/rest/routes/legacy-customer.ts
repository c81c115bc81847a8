// The customer object of seed 001 (customerInfo, simpleQuery records, …): every profile field,
// extendAttrList and identityList, plus `id` (CONTRACT §4.2); and its profile fields as requests send them.
import { z } from 'zod';
import { intFields, MAX_DEPT_CODES, profileFields, profileLabels, type ProfileField } from '../../domain/customer-fields.ts';
import { intField, listField, optional, textField, textIdField } from '../fields.ts';

export const legacyCustomerFragment = `fragment LegacyCustomer on Customer {
  customerId
  ${profileFields.join('\n  ')}
  extendedAttributes { attrKey attrName attrValue }
  identities { identityType identityValue }
}`;

export interface LegacyCustomerData {
  customerId: number;
  extendedAttributes: { attrKey: string; attrName: string; attrValue: string | null }[];
  identities: { identityType: string; identityValue: string }[];
  [field: string]: unknown;
}

export function toLegacyCustomer(customer: LegacyCustomerData): Record<string, unknown> {
  const { customerId, extendedAttributes, identities, ...profile } = customer;
  return { id: customerId, ...profile, extendAttrList: extendedAttributes, identityList: identities };
}

export const legacyAttributeSchema = z.object({ attrKey: z.string(), attrName: z.string(), attrValue: z.string().nullable() }).strict();

/** The shape toLegacyCustomer answers, for the OpenAPI document and the tests. */
export const legacyCustomerSchema = z
  .object({
    id: z.number().int().describe('客户id (not in the seed: CONTRACT §4.2)'),
    ...Object.fromEntries(
      profileFields.map((field) => [
        field,
        (field === 'deptCodeList'
          ? z.array(z.string())
          : intFields.has(field)
            ? z.number().int().nullable()
            : z.string().nullable()
        ).describe(profileLabels[field]),
      ]),
    ),
    extendAttrList: z.array(legacyAttributeSchema).describe('扩展属性列表'),
    identityList: z.array(z.object({ identityType: z.string(), identityValue: z.string() }).strict()).describe('身份列表'),
  })
  .strict();

/**
 * A profile field of seed 001 as legacy clients send it: only its wire type (numbers may come
 * as digits); its rule is the domain's profileSchema, checked once behind the operation.
 */
export function profileRequestField(field: ProfileField) {
  if (field === 'deptCodeList') return optional(listField(textIdField, MAX_DEPT_CODES)).describe(profileLabels[field]);
  return optional(intFields.has(field) ? intField : textField).describe(profileLabels[field]);
}
