// atomic(view, member): Atomics on aligned integer members; everything else is refused.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type AtomicField, array, atomic, bits, f32, f64, i8, i64, SharedArray, struct, u8, u16, u32, u64, Value } from '../../src/index.js';

const S = struct({ a: u8, b: u16, c: u32, d: i64, f: f32, flags: bits(u32, 3), list: array(i8, 4), inner: struct({ n: u32 }) }, { name: 'S' });

describe('atomic()', () => {
  it('operates on every integer width, bigint for 64-bit', () => {
    const s = S.create();
    const c = atomic(s, 'c');
    expectTypeOf(c.load()).toEqualTypeOf<number>();
    expectTypeOf(atomic(s, 'd').load()).toEqualTypeOf<bigint>();
    expect(c.add(5)).toBe(0);
    expect(c.sub(2)).toBe(5);
    expect(c.or(8)).toBe(3);
    expect(c.and(9)).toBe(11);
    expect(c.xor(1)).toBe(9);
    expect(c.exchange(7)).toBe(8);
    expect(c.compareExchange(7, 70)).toBe(7);
    expect(c.load()).toBe(70);
    expect(s.c).toBe(70);
    atomic(s, 'd').add(-3n);
    expect(s.d).toBe(-3n);
    atomic(s, 'a').store(300); // wraps like the field
    expect(s.a).toBe(44);
    atomic(s, 'list[2]').add(-1);
    expect(s.list.get(2)).toBe(-1);
    atomic(s.list, 3).add(2);
    expect(s.list.get(3)).toBe(2);
    atomic(s, 'inner.n').add(9);
    expect(s.inner.n).toBe(9);
    const v = Value('Q', 1n, { lock: false });
    atomic(v).add(1n);
    expect(v.value).toBe(2n);
    expect(atomic(s, 'c').wait(1, 0)).toBe('not-equal');
    expect(atomic(s, 'c').wait(70, 0)).toBe('timed-out');
    expect(atomic(s, 'c').notify()).toBe(0);
    const big = struct({ u: u64 }).create({ u: 2n ** 64n - 1n });
    expect(atomic(big, 'u').wait(2n ** 64n - 1n, 0)).toBe('timed-out'); // compared as the same 64 bits
    expect(() => atomic(s, 'b').wait(0, 0)).toThrow('AtomicField.wait: works on 32- and 64-bit members only (this one has 16 bits)');
  });

  it('refuses floats and bitfields at compile time and at run time', () => {
    const s = S.create();
    // @ts-expect-error floats cannot be atomic
    expect(() => atomic(s, 'f')).toThrow('atomic(struct S, "f"): is f32, not an integer; atomics work on i8 … u64 members');
    // @ts-expect-error bitfields cannot be atomic
    expect(() => atomic(s, 'flags')).toThrow('is a bitfield, which cannot be atomic');
    // @ts-expect-error not a member
    expect(() => atomic(s, 'nope')).toThrow();
  });

  it('refuses big-endian and misaligned members', () => {
    const BE = struct({ n: u32 }, { endian: 'big' });
    expect(() => atomic(BE.create(), 'n')).toThrow('is big-endian, which Atomics cannot operate on');
    const Packed = struct({ a: u8, n: u32 }, { pack: 1 });
    expect(() => atomic(Packed.create(), 'n')).toThrow('is at byte 1, not a multiple of its size 4 (a packed struct?)');
    expect(() => atomic({} as never, 'x' as never)).toThrow(TypeError);
  });

  it('64-bit members take bigint', () => {
    const T = struct({ big: u64 });
    const t = T.create();
    atomic(t, 'big').store(2n ** 64n - 1n);
    expect(t.big).toBe(2n ** 64n - 1n);
  });
});

describe('atomic() on synchronized wrappers', () => {
  it('takes a Value, an Array and a synchronized struct, operating on the memory underneath', () => {
    const counter = Value('i', 0);
    const a = atomic(counter);
    expectTypeOf(a).toEqualTypeOf<AtomicField<number>>();
    a.add(2);
    expect(counter.value).toBe(2);
    const big = Value('Q', 0n);
    atomic(big).add(5n);
    expect(big.value).toBe(5n);
    const hist = SharedArray('I', 4);
    atomic(hist, 3).add(7);
    expect(hist.get(3)).toBe(7);
    const S = struct({ hits: u32, x: f64 });
    const s = Value(S, { hits: 1 });
    atomic(s, 'hits').add(1);
    expect(s.hits).toBe(2);
    // @ts-expect-error floats are not atomic, through a wrapper either
    expect(() => atomic(s, 'x')).toThrow(TypeError);
  });

  it('names what it takes when given something else', () => {
    expect(() => atomic({} as never)).toThrow(
      'atomic: needs a view made by this library, or a Value / Array / synchronized struct; pass create(), view(), RawValue(), Value() … or one of their members',
    );
  });
});
