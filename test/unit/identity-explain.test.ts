// explainPlan: the dry run's reasons are built from a plan after the decision, without a
// database; the same plan always reads the same way, and nothing in it changes the decision.
import { describe, expect, it } from 'vitest';
import { explainPlan, type ExplainedRequest } from '../../src/domain/identity/explain.ts';
import type { Holder } from '../../src/domain/identity/resolve.ts';
import { planResolution, type RankedGiven, type TypeRule } from '../../src/domain/identity/rules.ts';

const phone: TypeRule = { name: 'phone', unique: true, priority: 30 };
const email: TypeRule = { name: 'email', unique: true, priority: 40 };
const rules = new Map([
  [phone.name, phone],
  [email.name, email],
]);

// identityList [email e1, phone p1], system order: phone p1 (free), email e1 (customer 10, which holds phone p0).
const ordered: RankedGiven[] = [
  { listIndex: 1, rank: 0, type: phone, value: 'p1' },
  { listIndex: 0, rank: 1, type: email, value: 'e1' },
];
const holders = new Map<number, Holder>([[1, { identityId: 5, holderId: 10, customerId: 10 }]]);
const held = new Map([
  [
    10,
    [
      { type: 'email', value: 'e1' },
      { type: 'phone', value: 'p0' },
    ],
  ],
]);
const request = (targetStrategy: 'identityFirst' | 'customerFirst'): ExplainedRequest => ({
  ordered,
  duplicates: [],
  priorityStrategy: 'system',
  targetStrategy,
  autoMerge: true,
  profileFields: ['name'],
  extendAttrKeys: [],
  groupId: null,
  userIds: [],
});
const plan = (targetStrategy: 'identityFirst' | 'customerFirst') =>
  planResolution({
    ordered,
    targetStrategy,
    autoMerge: true,
    rules,
    customerOf: (i) => holders.get(i)?.customerId ?? null,
    heldBy: (c) => held.get(c)!,
  });

describe('explainPlan', () => {
  it('identityFirst: the passed-over customer, the new target, the attachment and the refused merge, each with its reason', () => {
    const explanation = explainPlan(request('identityFirst'), holders, plan('identityFirst'));
    expect(explanation).toMatchObject({ targetCustomerId: null, wouldCreate: true });
    expect(explanation.candidates).toEqual([
      {
        customerId: 10,
        foundByListIndex: 0,
        chosen: false,
        reason: 'identityFirst: customer 10 (found by email "e1") is passed over: it holds phone "p0", not phone "p1" of higher priority.',
      },
    ]);
    expect(explanation.conflicts.map((c) => c.stage)).toEqual(['TARGET', 'MERGE']);
    expect(explanation.attachments.map((a) => a.attach)).toEqual([true, false]);
    expect(explanation.steps).toEqual([
      'Identities ordered by system priority (configured, lower first): phone "p1", email "e1".',
      'Lookup phone "p1": belongs to no customer.',
      'Lookup email "e1": belongs to customer 10.',
      'identityFirst: customer 10 (found by email "e1") is passed over: it holds phone "p0", not phone "p1" of higher priority.',
      'Every customer found conflicts with an identity of higher priority than the one it was found by: a new customer is created as the target.',
      'phone "p1": belongs to no customer and does not conflict with the target: attached.',
      'email "e1": belongs to customer 10, not to the target.',
      'customer 10 is not merged: it holds phone "p0" and the target holds phone "p1".',
      'Written onto the target: profile fields name.',
    ]);
  });

  it('customerFirst: the first customer found is the target; the conflicting phone is not attached', () => {
    const explanation = explainPlan(request('customerFirst'), holders, plan('customerFirst'));
    expect(explanation).toMatchObject({
      targetCustomerId: 10,
      wouldCreate: false,
      targetReason: 'customerFirst: customer 10 is the first customer found (by email "e1").',
    });
    expect(explanation.attachments).toEqual([
      {
        listIndex: 1,
        identityType: 'phone',
        identityValue: 'p1',
        attach: false,
        reason: 'not attached: the target (customer 10) holds phone "p0"',
      },
      { listIndex: 0, identityType: 'email', identityValue: 'e1', attach: false, reason: 'already belongs to the target' },
    ]);
    expect(explanation.conflicts).toEqual([
      {
        stage: 'ATTACH',
        customerId: 10,
        identityType: 'phone',
        givenValue: 'p1',
        heldValue: 'p0',
        reason: 'not attached: the target (customer 10) holds phone "p0"',
      },
    ]);
  });
});
