// The edu family's class roster (seed 000): addEduCustomerBatch. Rules in src/domain/edu.ts.
import { builder } from '../builder.ts';
import { actorOf } from '../context.ts';
import { addEduCustomerBatch, STUDY_FIELDS } from '../domain/edu.ts';

const EduCustomerInput = builder.inputType('EduCustomerInput', {
  description: 'One customer of a class roster, with the seed 000 field names.',
  fields: (t) =>
    ({
      name: t.string({ required: false }),
      tel: t.string({ required: false, description: 'A phone identity (and the mobile field).' }),
      qq: t.string({ required: false, description: 'A qq identity.' }),
      email: t.string({ required: false, description: 'An email identity (and the email field).' }),
      username: t.string({ required: false, description: 'A username identity: the user name in the website system.' }),
      gender: t.string({ required: false, description: 'F or M (also 男/女, 0/1/2).' }),
      province: t.string({ required: false }),
      city: t.string({ required: false }),
      country: t.string({ required: false, description: '县区乡镇: stored as district.' }),
      // The study fields (STUDY_FIELDS, checked below), kept as extended attributes.
      hasStudyVideo: t.int({ required: false }),
      videoTotal: t.int({ required: false }),
      workStatus: t.string({ required: false }),
      xindeStatus: t.string({ required: false }),
      learnStage: t.string({ required: false }),
      loginCount: t.int({ required: false }),
      lastLogin: t.string({ required: false }),
      title: t.string({ required: false }),
      job: t.string({ required: false }),
      subject: t.string({ required: false }),
      userType: t.string({ required: false }),
      workunit: t.string({ required: false }),
    }) satisfies Record<(typeof STUDY_FIELDS)[number], unknown> & Record<string, unknown>,
});

const EduCustomerBatchInput = builder.inputType('EduCustomerBatchInput', {
  fields: (t) => ({
    pname: t.string({ required: false, description: 'Project name.' }),
    spid: t.string({ required: false, description: 'Project id in the website system.' }),
    className: t.string({ required: true }),
    sclassid: t.string({ required: false, description: 'Class id in the website system; empty means the class is known by name.' }),
    customers: t.field({ type: [EduCustomerInput], required: true }),
  }),
});

const EduCustomerBatchPayload = builder
  .objectRef<{ projectGroupId: number | null; classGroupId: number; customerIds: number[] }>('EduCustomerBatchPayload')
  .implement({
    fields: (t) => ({
      projectGroupId: t.exposeInt('projectGroupId', { nullable: true }),
      classGroupId: t.exposeInt('classGroupId'),
      customerIds: t.exposeIntList('customerIds', { description: 'The customer of each roster row, in order.' }),
    }),
  });

builder.mutationField('addEduCustomerBatch', (t) =>
  t.field({
    type: EduCustomerBatchPayload,
    authScopes: { write: true },
    description:
      'Seed 000 批量添加客户: the project and class become groups; each customer is resolved by tel/qq/email/username, created or updated with its study fields, and put in the class. All or nothing; idempotent on re-send.',
    args: { input: t.arg({ type: EduCustomerBatchInput, required: true }) },
    // A roster is at most a few hundred rows: one event each (reported by the domain), unlike bulk imports.
    resolve: (_root, args, ctx) => addEduCustomerBatch(ctx.prisma, args.input, actorOf(ctx)),
  }),
);
