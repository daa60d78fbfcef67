// `typed()` of array views: a typed array over the same bytes, or a clear error saying why not.
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  array,
  type ArrayView,
  bool,
  char,
  errorCode,
  f16,
  f32,
  f64,
  i8,
  i32,
  mutex,
  type PrimitiveName,
  struct,
  u8,
  u32,
  u64,
  union,
} from '../../src/index.js';
import { TYPED_ARRAYS, type TypedName } from '../../src/kinds/typed-arrays.js';
import { codeOf } from '../support/errors.js';
import { hasFloat16Array, NUMERIC } from '../support/numbers.js';

/** `typed()` called past the static types (which have it only on arrays of numbers). */
const typedOf = (v: unknown): unknown => (v as { typed(): unknown }).typed();

describe('typed()', () => {
  it('gives the typed array of each numeric element type over the same bytes, both ways live', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(NUMERIC) as TypedName[])),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 40 }),
        (name, n, before, values) => {
          const schema = NUMERIC[name];
          const T = TYPED_ARRAYS[name];
          // the array as the last member of a struct, after `before` elements of padding-free u64s
          const Outer = struct({ pad: array(u64, before + 1), a: array(schema, n) });
          const a = Outer.create().a;
          const t = a.typed();
          expect(t).toBeInstanceOf(T);
          expect(t.length).toBe(n);
          expect(t.buffer).toBe(a.$buffer);
          expect(t.byteOffset).toBe(a.$byteOffset);
          const big = name === 'i64' || name === 'u64';
          const convert = (v: number): number | bigint => (big ? BigInt(Math.trunc(v)) : v);
          for (let i = 0; i < n; i++) (t as unknown as (number | bigint)[])[i] = convert(values[i % values.length] as number);
          for (let i = 0; i < n; i++) expect(a.get(i)).toBe(t[i]); // written through the typed array, read through the view
          for (let i = 0; i < n; i++) a.set(i, convert((values[(i + 1) % values.length] as number) * 3) as never);
          for (let i = 0; i < n; i++) expect(t[i]).toBe(a.get(i)); // and the other way
        },
      ),
      { numRuns: 300 },
    );
  });

  it('flattens arrays of arrays in C order', () => {
    const grid = array(f32, [3, 4]).create();
    const t = grid.typed();
    expect(t).toBeInstanceOf(Float32Array);
    expect(t.length).toBe(12);
    t[1 * 4 + 2] = 7.5;
    expect(grid.get(1).get(2)).toBe(7.5);
    expect(grid.get(2).typed().byteOffset).toBe(2 * 4 * 4); // a row of it too
  });

  it('is a view of shared memory: Atomics work on it, and another view of the buffer sees its writes', () => {
    const sab = new SharedArrayBuffer(64);
    const counters = array(i32, 16).view(sab);
    const t = counters.typed();
    Atomics.add(t, 3, 5);
    expect(counters.get(3)).toBe(5);
    expect(array(i32, 16).view(sab).typed()[3]).toBe(5);
  });

  it('refuses elements no typed array reads as the view does, with the reason', () => {
    const Particle = struct({ x: f64, id: u32 }, { name: 'Particle' });
    const cases: [string, () => unknown, string][] = [
      ['structs', () => typedOf(array(Particle, 2).create()), 'structs'],
      ['unions', () => typedOf(array(union({ a: u32, b: f32 }), 2).create()), 'unions'],
      ['chars', () => typedOf(array(char(4), 2).create()), 'char arrays'],
      ['bools', () => typedOf(array(bool, 2).create()), 'bool'],
      ['locks', () => typedOf(array(mutex(), 2).create()), 'synchronization'],
      [
        'big-endian',
        () =>
          struct({ a: array(u32, 2) }, { endian: 'big' })
            .create()
            .a.typed(),
        'big-endian',
      ],
    ];
    for (const [, make, words] of cases) {
      expect(codeOf(make)).toBe('unsupported_type');
      expect(make).toThrow(TypeError);
      expect(make).toThrow(new RegExp(`typed\\(\\): .*${words}`));
    }
  });

  it('refuses an array that does not start at a multiple of its element size (a packed struct)', () => {
    const Packed = struct({ tag: u8, samples: array(f32, 2) }, { pack: 1 });
    const p = Packed.create();
    expect(p.samples.$byteOffset).toBe(1);
    expect(codeOf(() => p.samples.typed())).toBe('misaligned');
    expect(() => p.samples.typed()).toThrow(RangeError);
    expect(() => p.samples.typed()).toThrow(/starts at byte 1 .* Float32Array must start at a multiple of 4/);
    const Aligned = struct({ tag: u8, bytes: array(u8, 3) }, { pack: 1 });
    expect(Aligned.create().bytes.typed()).toBeInstanceOf(Uint8Array); // bytes fit anywhere
    const big = struct({ bytes: array(i8, 3) }, { endian: 'big' }); // and have no byte order
    expect(big.create().bytes.typed()).toBeInstanceOf(Int8Array);
  });

  it('f16: a Float16Array where the runtime has one, else the reason', () => {
    let h: ArrayView<typeof f16>;
    try {
      h = array(f16, 4).create(); // f16 views need DataView.prototype.getFloat16
    } catch (e) {
      expect(errorCode(e)).toBe('unsupported_type');
      return;
    }
    if (hasFloat16Array) {
      const t = h.typed();
      t[2] = 1.5;
      expect(h.get(2)).toBe(1.5);
    } else {
      expect(codeOf(() => h.typed())).toBe('unsupported_type');
      expect(() => h.typed()).toThrow(/no Float16Array/);
    }
  });

  it('has the typed array type of its element, and no typed() for other elements', () => {
    expectTypeOf(array(f32, 4).create().typed()).toEqualTypeOf<Float32Array>();
    expectTypeOf(array(u64, 4).create().typed()).toEqualTypeOf<BigUint64Array>();
    expectTypeOf(array(i8, [2, 3]).create().typed()).toEqualTypeOf<Int8Array>();
    const structs = array(struct({ a: u8 }), 2).create();
    const bools = array(bool, 2).create();
    // @ts-expect-error: no typed array of structs
    expect(() => structs.typed()).toThrow(TypeError);
    // @ts-expect-error: nor of booleans
    expect(() => bools.typed()).toThrow(TypeError);
    const names: PrimitiveName[] = Object.keys(NUMERIC) as TypedName[];
    expect(names.length).toBe(10);
  });
});
