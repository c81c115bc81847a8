// The display-name rule (src/domain/display-name.ts): which name a customer is shown and found
// by, and what a write that leaves no name stores, for every combination of the name fields.
import { describe, expect, it } from 'vitest';
import { derivedName, displayName, type NameFields } from '../../src/domain/display-name.ts';

const cases: {
  name: string;
  fields: NameFields;
  shown: string | null;
  stored: string | undefined;
}[] = [
  {
    name: 'its own name wins',
    fields: { name: '张三', realName: '张叁', nickName: '小张' },
    shown: '张三',
    stored: undefined,
  },
  {
    name: 'no name: realName (an import row)',
    fields: { realName: '李雷' },
    shown: '李雷',
    stored: '李雷',
  },
  {
    name: 'no name, null name: realName',
    fields: { name: null, realName: '李雷', nickName: 'lilei' },
    shown: '李雷',
    stored: '李雷',
  },
  {
    name: 'no name, no realName: the nickname',
    fields: { nickName: '小白' },
    shown: '小白',
    stored: '小白',
  },
  {
    name: 'a blank name counts as none',
    fields: { name: '  ', realName: '韩梅梅' },
    shown: '韩梅梅',
    stored: '韩梅梅',
  },
  {
    name: 'a blank realName is skipped',
    fields: { realName: ' ', nickName: 'meimei' },
    shown: 'meimei',
    stored: 'meimei',
  },
  {
    name: 'sources are trimmed',
    fields: { realName: '  Li Lei ' },
    shown: 'Li Lei',
    stored: 'Li Lei',
  },
  {
    name: 'nothing to derive from',
    fields: { mobile: '13800000000' } as NameFields,
    shown: null,
    stored: undefined,
  },
  {
    name: 'all empty',
    fields: { name: null, realName: null, nickName: '' },
    shown: null,
    stored: undefined,
  },
];

describe('display name', () => {
  it.each(cases)('$name', ({ fields, shown, stored }) => {
    expect(displayName(fields)).toBe(shown);
    expect(derivedName(fields)).toBe(stored);
  });
});
