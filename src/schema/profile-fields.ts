// The profile fields (seed 001 names) of the GraphQL inputs, declared one by one so Pothos infers
// each argument's type; `satisfies` fails the build when src/domain/customer-fields.ts gains a field.
import type { ProfileField } from '../domain/customer-fields.ts';
import type { builder } from '../builder.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** Every profile field, optional (null clears it; the domain's profileSchema validates). */
export function profileInputFields(t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>) {
  return {
    name: t.string({ required: false }),
    realName: t.string({ required: false }),
    nickName: t.string({ required: false }),
    mobile: t.string({ required: false }),
    mobileVerified: t.int({ required: false }),
    email: t.string({ required: false }),
    emailVerified: t.int({ required: false }),
    gender: t.int({ required: false }),
    birthday: t.string({ required: false }),
    province: t.string({ required: false }),
    city: t.string({ required: false }),
    district: t.string({ required: false }),
    address: t.string({ required: false }),
    location: t.string({ required: false }),
    company: t.string({ required: false }),
    industry: t.string({ required: false }),
    position: t.string({ required: false }),
    website: t.string({ required: false }),
    annualRevenue: t.int({ required: false }),
    employeeNumber: t.int({ required: false }),
    appId: t.string({ required: false }),
    campaignId: t.int({ required: false }),
    chargeId: t.string({ required: false }),
    createMethod: t.string({ required: false }),
    editable: t.int({ required: false }),
    isEmployee: t.int({ required: false }),
    hobby: t.string({ required: false }),
    img: t.string({ required: false }),
    language: t.string({ required: false }),
    openId: t.string({ required: false }),
    unionId: t.string({ required: false }),
    referrer: t.string({ required: false }),
    referrerName: t.string({ required: false }),
    remark: t.string({ required: false }),
    source: t.string({ required: false }),
    source1: t.string({ required: false }),
    source2: t.string({ required: false }),
    source3: t.string({ required: false }),
    source4: t.string({ required: false }),
    source5: t.string({ required: false }),
    source6: t.string({ required: false }),
    source7: t.string({ required: false }),
    source8: t.string({ required: false }),
    subscribeSource: t.string({ required: false }),
    deptCodeList: t.stringList({ required: false }),
  } satisfies Record<ProfileField, unknown>;
}
