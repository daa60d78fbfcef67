import { describe, expect, it } from 'vitest';
import { bits, bool, i8, i64, struct, u8, u32, u64 } from '../../src/index.js';

const S = struct({ a: i8, b: u32, c: bits(u8, 3), d: u64, e: bool, f: bits(i64, 40) }, { name: 'S' });

describe('checked mode', () => {
  const s = S.create(undefined, { checked: true });
  it('accepts values in range', () => {
    s.set({ a: -128, b: 2 ** 32 - 1, c: 7, d: 2n ** 64n - 1n, e: true, f: -(2n ** 39n) });
    expect(s.toObject()).toEqual({ a: -128, b: 2 ** 32 - 1, c: 7, d: 2n ** 64n - 1n, e: true, f: -(2n ** 39n) });
  });
  it.each([
    ['a', 128, "struct S: field 'a': 128 is not a whole number from -128 to 127; store a value in range, or use an unchecked view to wrap"],
    ['b', -1, "struct S: field 'b': -1 is not a whole number from 0 to 4294967295; store a value in range, or use an unchecked view to wrap"],
    ['b', Number.NaN, "struct S: field 'b': NaN is not a whole number from 0 to 4294967295; store a value in range, or use an unchecked view to wrap"],
    ['b', 1.5, "struct S: field 'b': 1.5 is not a whole number from 0 to 4294967295; store a value in range, or use an unchecked view to wrap"],
    ['c', 8, "struct S: field 'c': 8 is not a whole number from 0 to 7; store a value in range, or use an unchecked view to wrap"],
    ['d', -1n, "struct S: field 'd': -1n is not a whole number from 0 to 18446744073709551615; store a value in range, or use an unchecked view to wrap"],
    ['e', 2, "struct S: field 'e': 2 is not a boolean; store true or false"],
    [
      'f',
      2n ** 39n,
      "struct S: field 'f': 549755813888n is not a whole number from -549755813888 to 549755813887; store a value in range, or use an unchecked view to wrap",
    ],
  ])('rejects %s = %s', (field, value, message) => {
    const before = s.toObject();
    expect(() => s.set({ [field]: value })).toThrow(RangeError);
    expect(() => s.set({ [field]: value })).toThrow(message);
    expect(s.toObject()).toEqual(before); // nothing written
  });
  it('an unchecked view of the same memory still wraps', () => {
    const loose = S.view(s.$buffer);
    loose.c = 9;
    expect(loose.c).toBe(1);
  });
});
