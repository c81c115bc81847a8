// The customer object of seed 001 (customerInfo, simpleQuery records, …): every profile field,
// extendAttrList and identityList, plus `id` (CONTRACT §4.2).
import { profileFields } from '../../domain/customer-fields.ts';

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
