// Tokens and secrets are pasted on command lines (`customer-graph token revoke TOKEN`), where a
// leading "-" reads as an option: credential() never begins with one.
import { describe, expect, it } from 'vitest';
import { credential } from '../../src/domain/auth.ts';

/** A random source that hands out the given buffers in turn. */
const draws = (...buffers: Buffer[]) => {
  let next = 0;
  return (size: number) => {
    const buffer = buffers[next++];
    expect(buffer.length).toBe(size);
    return buffer;
  };
};

describe('credential', () => {
  it('draws again when the text would begin with "-"', () => {
    // 0xF8 = 111110 00: the first base64url character is the 62nd, "-".
    const dashFirst = Buffer.from([0xf8, 1, 2]);
    const plain = Buffer.from([0x04, 1, 2]);
    expect(dashFirst.toString('base64url').startsWith('-')).toBe(true);
    expect(credential(3, draws(dashFirst, dashFirst, plain))).toBe(plain.toString('base64url'));
  });

  it('is base64url of the requested number of random bytes', () => {
    const text = credential(32);
    expect(text).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/);
    expect(Buffer.from(text, 'base64url')).toHaveLength(32);
  });
});
