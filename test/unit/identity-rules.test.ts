// The identity rules of seed 001 (根据身份列表创建客户) and seed 004 (identityType), without a
// database: every strategy combination (identityPriorityStrategy × targetCustomerStrategy ×
// autoMerge) over a table of situations.
import { describe, expect, it } from 'vitest';
import {
  chooseTarget,
  conflictingValue,
  dedupeIdentities,
  IDENTITY_PRIORITY_STRATEGIES,
  matchToAppend,
  orderByPriority,
  planResolution,
  TARGET_CUSTOMER_STRATEGIES,
  uniqueConflict,
  type HeldIdentity,
  type IdentityPriorityStrategy,
  type TargetCustomerStrategy,
  type TypeRule,
} from '../../src/domain/identity/rules.ts';

const types: Record<string, TypeRule> = {
  phone: { name: 'phone', unique: true, priority: 1 },
  email: { name: 'email', unique: true, priority: 2 },
  openid: { name: 'openid', unique: false, priority: 3 },
};
const rules = new Map(Object.entries(types));
const given = (type: string, value: string) => ({ type: types[type], value });

interface Situation {
  name: string;
  /** What each existing customer holds. */
  held: Record<number, [string, string][]>;
  /** identityList, in the order given. */
  list: [string, string][];
  /** The expected outcome per `${priority}/${target}`: the target (null: created) and the values attached. */
  expect: Record<`${IdentityPriorityStrategy}/${TargetCustomerStrategy}`, { target: number | null; attached: string[] }>;
  /** The customers merged into the target with autoMerge true (none with false), per `${priority}/${target}`. */
  merged: Record<`${IdentityPriorityStrategy}/${TargetCustomerStrategy}`, number[]>;
}

const situations: Situation[] = [
  {
    name: 'nothing is known: a new customer takes every identity',
    held: {},
    list: [
      ['email', 'e1'],
      ['phone', 'p1'],
    ],
    expect: {
      'system/identityFirst': { target: null, attached: ['p1', 'e1'] },
      'system/customerFirst': { target: null, attached: ['p1', 'e1'] },
      'custom/identityFirst': { target: null, attached: ['e1', 'p1'] },
      'custom/customerFirst': { target: null, attached: ['e1', 'p1'] },
    },
    merged: { 'system/identityFirst': [], 'system/customerFirst': [], 'custom/identityFirst': [], 'custom/customerFirst': [] },
  },
  {
    name: 'the customer found by the lower identity holds another value of the higher one',
    // Customer 10 holds e1 and another phone; p1 belongs to nobody.
    held: {
      10: [
        ['email', 'e1'],
        ['phone', 'p0'],
      ],
    },
    list: [
      ['email', 'e1'],
      ['phone', 'p1'],
    ],
    expect: {
      // system: phone first; 10 is found by the e-mail and conflicts with the phone of higher priority.
      'system/identityFirst': { target: null, attached: ['p1'] },
      'system/customerFirst': { target: 10, attached: [] },
      // custom: the e-mail comes first, so nothing of higher priority conflicts.
      'custom/identityFirst': { target: 10, attached: [] },
      'custom/customerFirst': { target: 10, attached: [] },
    },
    // A new target holding p1 cannot take 10 (two phones).
    merged: { 'system/identityFirst': [], 'system/customerFirst': [], 'custom/identityFirst': [], 'custom/customerFirst': [] },
  },
  {
    name: 'two customers, one by each identity, without conflict: the order picks the target, autoMerge merges the other',
    held: { 10: [['phone', 'p1']], 20: [['email', 'e1']] },
    list: [
      ['email', 'e1'],
      ['phone', 'p1'],
    ],
    expect: {
      'system/identityFirst': { target: 10, attached: [] },
      'system/customerFirst': { target: 10, attached: [] },
      'custom/identityFirst': { target: 20, attached: [] },
      'custom/customerFirst': { target: 20, attached: [] },
    },
    merged: { 'system/identityFirst': [20], 'system/customerFirst': [20], 'custom/identityFirst': [10], 'custom/customerFirst': [10] },
  },
  {
    name: 'two customers that conflict on a unique type are never merged',
    held: {
      10: [['phone', 'p1']],
      20: [
        ['email', 'e1'],
        ['phone', 'p2'],
      ],
    },
    list: [
      ['email', 'e1'],
      ['phone', 'p1'],
    ],
    expect: {
      'system/identityFirst': { target: 10, attached: [] },
      'system/customerFirst': { target: 10, attached: [] },
      // custom: 20 is found first, by the e-mail; nothing ranks above it.
      'custom/identityFirst': { target: 20, attached: [] },
      'custom/customerFirst': { target: 20, attached: [] },
    },
    merged: { 'system/identityFirst': [], 'system/customerFirst': [], 'custom/identityFirst': [], 'custom/customerFirst': [] },
  },
  {
    name: 'a non-unique type never conflicts: another openid is attached beside the held one',
    held: {
      10: [
        ['openid', 'o0'],
        ['phone', 'p1'],
      ],
    },
    list: [
      ['openid', 'o1'],
      ['phone', 'p1'],
    ],
    expect: {
      'system/identityFirst': { target: 10, attached: ['o1'] },
      'system/customerFirst': { target: 10, attached: ['o1'] },
      'custom/identityFirst': { target: 10, attached: ['o1'] },
      'custom/customerFirst': { target: 10, attached: ['o1'] },
    },
    merged: { 'system/identityFirst': [], 'system/customerFirst': [], 'custom/identityFirst': [], 'custom/customerFirst': [] },
  },
  {
    name: 'identityFirst passes over the first customer found and takes the next that fits',
    // e1 belongs to nobody; 30 (found by p1) holds another e-mail; 20 (found by o1) holds nothing unique.
    held: {
      30: [
        ['phone', 'p1'],
        ['email', 'e0'],
      ],
      20: [['openid', 'o1']],
    },
    list: [
      ['email', 'e1'],
      ['phone', 'p1'],
      ['openid', 'o1'],
    ],
    expect: {
      // system: the phone ranks first and finds 30, with nothing above it.
      'system/identityFirst': { target: 30, attached: [] },
      'system/customerFirst': { target: 30, attached: [] },
      // custom: the e-mail ranks first; 30 holds e0, not e1, and is passed over for 20, which takes e1.
      'custom/identityFirst': { target: 20, attached: ['e1'] },
      'custom/customerFirst': { target: 30, attached: [] },
    },
    // 20 merges into 30; 30 cannot merge into 20, which now holds e1.
    merged: { 'system/identityFirst': [20], 'system/customerFirst': [20], 'custom/identityFirst': [], 'custom/customerFirst': [20] },
  },
  {
    name: 'custom order puts the conflicting customer after a free identity: identityFirst creates, customerFirst takes it',
    held: {
      30: [
        ['openid', 'o1'],
        ['phone', 'p9'],
      ],
    },
    list: [
      ['phone', 'p1'],
      ['openid', 'o1'],
    ],
    expect: {
      'system/identityFirst': { target: null, attached: ['p1'] },
      'system/customerFirst': { target: 30, attached: [] },
      'custom/identityFirst': { target: null, attached: ['p1'] },
      'custom/customerFirst': { target: 30, attached: [] },
    },
    merged: { 'system/identityFirst': [], 'system/customerFirst': [], 'custom/identityFirst': [], 'custom/customerFirst': [] },
  },
];

function decide(situation: Situation, priority: IdentityPriorityStrategy, target: TargetCustomerStrategy, autoMerge: boolean) {
  const ordered = orderByPriority(
    situation.list.map(([type, value]) => given(type, value)),
    priority,
  );
  const held = new Map<number, HeldIdentity[]>(
    Object.entries(situation.held).map(([id, pairs]) => [Number(id), pairs.map(([type, value]) => ({ type, value }))]),
  );
  const customerOf = (i: number) =>
    [...held].find(([, identities]) => identities.some((h) => h.type === ordered[i].type.name && h.value === ordered[i].value))?.[0] ??
    null;
  const plan = planResolution({ ordered, targetStrategy: target, autoMerge, rules, customerOf, heldBy: (c) => held.get(c)! });
  return {
    target: plan.choice.target,
    attached: ordered.filter((_, i) => plan.attachments[i].attach).map((g) => g.value),
    merged: plan.merges.filter((m) => m.merge).map((m) => m.customer),
  };
}

describe('createCustomerByIdentity: every strategy combination of seed 001', () => {
  for (const situation of situations) {
    for (const priority of IDENTITY_PRIORITY_STRATEGIES) {
      for (const target of TARGET_CUSTOMER_STRATEGIES) {
        for (const autoMerge of [false, true]) {
          it(`${situation.name} — ${priority} / ${target} / autoMerge ${autoMerge}`, () => {
            const combination = `${priority}/${target}` as const;
            expect(decide(situation, priority, target, autoMerge)).toEqual({
              ...situation.expect[combination],
              merged: autoMerge ? situation.merged[combination] : [],
            });
          });
        }
      }
    }
  }
});

describe('dedupeIdentities', () => {
  const table: { name: string; list: [string, string][]; kept: string[]; repeats: [number, number][]; clashes: [number, number][] }[] = [
    {
      name: 'a repeat counts once',
      list: [
        ['phone', 'p1'],
        ['phone', 'p1'],
      ],
      kept: ['p1'],
      repeats: [[1, 0]],
      clashes: [],
    },
    {
      name: 'a second phone clashes with the first',
      list: [
        ['phone', 'p1'],
        ['email', 'e'],
        ['phone', 'p2'],
      ],
      kept: ['p1', 'e'],
      repeats: [],
      clashes: [[2, 0]],
    },
    {
      name: 'two openids are kept (not unique)',
      list: [
        ['openid', 'o1'],
        ['openid', 'o2'],
        ['openid', 'o1'],
      ],
      kept: ['o1', 'o2'],
      repeats: [[2, 0]],
      clashes: [],
    },
    { name: 'nothing', list: [], kept: [], repeats: [], clashes: [] },
  ];
  for (const row of table) {
    it(row.name, () => {
      const out = dedupeIdentities(row.list.map(([t, v]) => given(t, v)));
      expect(out.kept.map((k) => k.value)).toEqual(row.kept);
      expect(out.repeats.map((r) => [r.index, r.sameAs])).toEqual(row.repeats);
      expect(out.clashes.map((c) => [c.index, c.earlier])).toEqual(row.clashes);
    });
  }

  it('reads the type’s unique flag, whatever its name', () => {
    const openidUnique = { name: 'openid', unique: true, priority: 3 };
    const out = dedupeIdentities([
      { type: openidUnique, value: 'a' },
      { type: openidUnique, value: 'b' },
    ]);
    expect(out.clashes).toEqual([{ index: 1, earlier: 0 }]);
  });
});

describe('orderByPriority', () => {
  const list = [given('openid', 'o'), given('email', 'e'), given('phone', 'p'), given('email', 'e2')];
  it.each([
    ['system', ['p', 'e', 'e2', 'o']],
    ['custom', ['o', 'e', 'p', 'e2']],
  ] as const)('%s', (strategy, values) => {
    expect(orderByPriority(list, strategy).map((g) => g.value)).toEqual(values);
  });
});

describe('conflicts', () => {
  it.each([
    ['another value of a unique type', [{ type: 'phone', value: 'p0' }], given('phone', 'p1'), 'p0'],
    ['the same value', [{ type: 'phone', value: 'p1' }], given('phone', 'p1'), null],
    ['another value of a non-unique type', [{ type: 'openid', value: 'o0' }], given('openid', 'o1'), null],
    ['nothing held of the type', [{ type: 'email', value: 'e' }], given('phone', 'p1'), null],
  ])('conflictingValue: %s', (_, held, identity, expected) => {
    expect(conflictingValue(held, identity)).toBe(expected);
  });

  it.each([
    ['different phones', [{ type: 'phone', value: 'a' }], [{ type: 'phone', value: 'b' }], 'phone'],
    [
      'the phone before the e-mail (priority)',
      [
        { type: 'email', value: 'x' },
        { type: 'phone', value: 'a' },
      ],
      [
        { type: 'phone', value: 'b' },
        { type: 'email', value: 'y' },
      ],
      'phone',
    ],
    ['openids never', [{ type: 'openid', value: 'a' }], [{ type: 'openid', value: 'b' }], null],
    ['same values', [{ type: 'phone', value: 'a' }], [{ type: 'phone', value: 'a' }], null],
  ])('uniqueConflict: %s', (_, a, b, expected) => {
    expect(uniqueConflict(rules, a, b)).toBe(expected);
  });

  it('chooseTarget reports the identities each passed-over customer conflicts with', () => {
    const ordered = [given('phone', 'p1'), given('email', 'e1')];
    const held = new Map([
      [
        10,
        [
          { type: 'email', value: 'e1' },
          { type: 'phone', value: 'p0' },
        ],
      ],
    ]);
    const choice = chooseTarget(
      ordered,
      'identityFirst',
      (i) => (i === 1 ? 10 : null),
      (c) => held.get(c)!,
    );
    expect(choice).toEqual({
      target: null,
      foundBy: null,
      candidates: [{ customer: 10, foundBy: 1, chosen: false, clashes: [{ index: 0, heldValue: 'p0' }] }],
    });
  });
});

describe('seed 004 identityType: matchToAppend', () => {
  const held = new Map<number, HeldIdentity[]>([
    [10, [{ type: 'phone', value: 'p1' }]],
    [20, [{ type: 'email', value: 'e2' }]],
  ]);
  const owners: Record<string, number> = { p1: 10, e2: 20 };
  const table: { name: string; row: [string, string][]; target: number | null; problems: object[] }[] = [
    {
      name: 'no identity known: a new customer',
      row: [
        ['email', 'e9'],
        ['phone', 'p9'],
      ],
      target: null,
      problems: [],
    },
    {
      name: 'the new identity is appended to the customer the phone finds',
      row: [
        ['email', 'e9'],
        ['phone', 'p1'],
      ],
      target: 10,
      problems: [],
    },
    {
      name: 'the key finds the customer: the free phone is appended',
      row: [
        ['phone', 'p1'],
        ['openid', 'o9'],
      ],
      target: 10,
      problems: [],
    },
    {
      name: 'the new identity belongs to another customer',
      row: [
        ['email', 'e2'],
        ['phone', 'p1'],
      ],
      target: 20,
      problems: [{ index: 1, ownedBy: 10 }],
    },
    {
      name: 'a free phone is appended to the customer the e-mail finds',
      row: [
        ['email', 'e2'],
        ['phone', 'p9'],
      ],
      target: 20,
      problems: [],
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const identities = row.row.map(([t, v]) => given(t, v));
      const match = matchToAppend(
        identities,
        (i) => owners[identities[i].value] ?? null,
        (c) => held.get(c)!,
      );
      expect(match).toEqual({ target: row.target, problems: row.problems });
    });
  }

  it('a different value of a unique type the target holds is a problem', () => {
    const identities = [given('email', 'e9'), given('phone', 'p1')];
    const heldWithEmail = new Map([
      [
        10,
        [
          { type: 'phone', value: 'p1' },
          { type: 'email', value: 'e0' },
        ],
      ],
    ]);
    const match = matchToAppend(
      identities,
      (i) => (i === 1 ? 10 : null),
      (c) => heldWithEmail.get(c)!,
    );
    expect(match).toEqual({ target: 10, problems: [{ index: 0, heldValue: 'e0' }] });
  });
});
