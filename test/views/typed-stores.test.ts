// Typed-array stores (src/codegen/store-arrays.ts): under V8 (Node 20 to 26, Deno), generated setters of views
// over a fixed-length SharedArrayBuffer store numbers through typed arrays hung on the buffer's
// DataView. They must write exactly the bytes the DataView stores write (views over an ArrayBuffer,
// the interpreted accessors), fail the same way, and be used only where they are right: aligned
// fields in the platform's byte order, over a SharedArrayBuffer that cannot be detached or grow.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codegenActive } from '../../src/codegen/evaluate.js';
import { TYPED_STORES, V8_BEFORE_12 } from '../../src/engine.js';
import { dataViewOf } from '../../src/views/region.js';
import { array, bool, f32, f64, i8, i16, i32, RawValue, struct, u8, u16, u32, union, Value, view } from '../../src/index.js';
import type { Schema } from '../../src/index.js';

const S = struct({ a: i8, b: u8, c: i16, d: u16, e: i32, f: u32, g: f32, h: f64, k: bool, n: struct({ x: f64, y: i16 }), arr: array(f32, 3) }, { name: 'S' });
type FieldValue = number | boolean;
const FIELDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'k'] as const;
/** Whether this run's views over a SharedArrayBuffer store through typed arrays. */
const ON = TYPED_STORES && codegenActive();

/** The setter source of field `name` of view `v`'s class. */
function setterOf(v: object, name: string): string {
  return String(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(v), name)?.set);
}

/** Whether a setter's source stores through one of the typed arrays (`this.$$d.$f64[…] = …`). */
function typed(setter: string): boolean {
  return /\.\$(f64|f32|u32|u16|u8)\[/.test(setter);
}

/** Every value a store may get: edge numbers, fractions, out-of-range integers, booleans. */
const anyNumber = fc.oneof(
  fc.double(),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, -(2 ** 31) - 1, 0.5, -0.5, 255.9, 65536, 1e300, 5e-324),
  fc.boolean(),
);

/** Writes `values` to the fields of a fresh view of S over `buffer` (and the nested ones), returns its bytes. */
function written(buffer: ArrayBuffer | SharedArrayBuffer, values: FieldValue[]): number[] {
  const s = view(S, buffer, 8);
  FIELDS.forEach((f, i) => {
    (s as unknown as Record<string, FieldValue>)[f] = values[i] as FieldValue;
  });
  s.n.x = values[0] as number;
  s.n.y = values[1] as number;
  s.arr.set(1, values[2] as number);
  return [...new Uint8Array(buffer)];
}

describe('typed-array stores', () => {
  it('are what views over a SharedArrayBuffer use where they can (V8, generated accessors), and nothing else', () => {
    const shared = view(S, new SharedArrayBuffer(4096));
    const plain = view(S, new ArrayBuffer(4096));
    expect(setterOf(shared, 'h').includes('$f64')).toBe(ON);
    expect(setterOf(shared, 'c').includes('$u16')).toBe(ON);
    expect(setterOf(shared.n, 'x').includes('$f64')).toBe(ON);
    // bool keeps its DataView store; an ArrayBuffer (detachable) never stores through typed arrays
    expect(setterOf(shared, 'k').includes('$u8')).toBe(false);
    for (const f of FIELDS) expect(typed(setterOf(plain, f))).toBe(false);
    // any SharedArrayBuffer, a single value's create() too: one class per schema for all of them
    expect(Object.getPrototypeOf(S.create())).toBe(Object.getPrototypeOf(shared));
    expect(FIELDS.filter((f) => typed(setterOf(shared, f)))).toEqual(ON ? ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] : []);
  });

  it('write the bytes the DataView stores write, over a SharedArrayBuffer and an ArrayBuffer alike', () => {
    fc.assert(
      fc.property(fc.array(anyNumber, { minLength: FIELDS.length, maxLength: FIELDS.length }), (values) => {
        const viaShared = written(new SharedArrayBuffer(4096), values);
        const viaPlain = written(new ArrayBuffer(4096), values);
        // NaN's bits are the engine's choice in both stores: compare NaNs as NaNs.
        const sv = view(S, new Uint8Array(viaShared).buffer, 8);
        const pv = view(S, new Uint8Array(viaPlain).buffer, 8);
        expect(sv.toObject()).toEqual(pv.toObject());
        if (!values.some((v) => Number.isNaN(v))) expect(viaShared).toEqual(viaPlain);
      }),
      { numRuns: 300 },
    );
  });

  it('refuse what is not a number with the same error as DataView stores', () => {
    const shared = view(S, new SharedArrayBuffer(4096));
    const plain = view(S, new ArrayBuffer(4096));
    for (const bad of ['1', null, undefined, {}, 1n, Symbol('s')]) {
      for (const f of ['a', 'd', 'f', 'g', 'h'] as const) {
        let want: unknown;
        try {
          (plain as unknown as Record<string, unknown>)[f] = bad;
        } catch (e) {
          want = e;
        }
        expect(want).toBeInstanceOf(TypeError);
        expect(() => {
          (shared as unknown as Record<string, unknown>)[f] = bad;
        }).toThrow((want as Error).message);
      }
    }
  });

  it('are not used for fields a view cannot keep aligned: packed members, other byte orders', () => {
    const Packed = struct({ c: u8, x: f64, y: u32 }, { pack: 1, name: 'Packed' });
    const Outer = struct({ c: u8, inner: struct({ x: f64 }) }, { pack: 1, name: 'Outer' });
    const Big = struct({ x: f64, y: u32 }, { endian: 'big', name: 'Big' });
    const p = view(Packed, new SharedArrayBuffer(4096));
    const o = view(Outer, new SharedArrayBuffer(4096));
    const b = view(Big, new SharedArrayBuffer(4096));
    expect(setterOf(p, 'x').includes('$f64')).toBe(false);
    expect(typed(setterOf(p, 'y'))).toBe(false);
    expect(typed(setterOf(p, 'c'))).toBe(ON); // a byte is always aligned
    expect(setterOf(o.inner, 'x').includes('$f64')).toBe(false);
    expect(setterOf(b, 'x').includes('$f64')).toBe(false);
    p.x = 1.25;
    p.y = 7;
    o.inner.x = -2.5;
    b.x = 3.5;
    expect([p.x, p.y, o.inner.x, b.x]).toEqual([1.25, 7, -2.5, 3.5]);
    expect(new DataView(b.$buffer).getFloat64(0, false)).toBe(3.5);
  });

  it('a union member and an array element store where they are', () => {
    const U = union({ f: f64, w: u32 });
    const A = array(struct({ x: f32, y: f64 }), 300);
    const u = view(U, new SharedArrayBuffer(4096), 8);
    const a = A.create();
    expect(typed(setterOf(a.get(0), 'y'))).toBe(ON);
    expect(typed(setterOf(u, 'w'))).toBe(ON);
    u.w = 0xffffffff;
    a.get(3).y = 9.5;
    a.get(4).x = 0.1;
    expect(u.w).toBe(0xffffffff);
    expect(new DataView(a.$buffer).getFloat64(3 * 16 + 8, true)).toBe(9.5);
    expect(new DataView(a.$buffer).getFloat32(4 * 16, true)).toBe(Math.fround(0.1));
  });

  it('a view over a growable SharedArrayBuffer stores through its DataView, and reaches bytes past the first length', () => {
    const SAB = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer & { grow(n: number): void };
    let g: SharedArrayBuffer & { grow(n: number): void };
    try {
      g = new SAB(16, { maxByteLength: 8192 });
    } catch {
      return; // an engine without growable SharedArrayBuffers
    }
    if ((g as { growable?: boolean }).growable !== true) return;
    g.grow(8192);
    const v = view(struct({ x: f64 }), g, 48);
    expect(setterOf(v, 'x').includes('$f64')).toBe(false);
    v.x = 4.5;
    expect(new DataView(g).getFloat64(48, true)).toBe(4.5);
  });

  it('a view over an ArrayBuffer that was transferred still throws on a store', () => {
    const buffer = new ArrayBuffer(16);
    const v = view(struct({ x: f64, y: u32 }), buffer);
    const transfer = (buffer as { transfer?: () => ArrayBuffer }).transfer;
    if (typeof transfer !== 'function') return; // an engine without ArrayBuffer.prototype.transfer
    transfer.call(buffer);
    expect(() => {
      v.x = 1;
    }).toThrow(TypeError);
  });

  // Arrays of numbers store their elements through typed arrays on V8 12 and later only (Node 20's
  // were slower so: src/codegen/generate.ts, `storeOf`).
  const ARRAY_ON = ON && !V8_BEFORE_12;
  const ELEMENTS = { i8, u8, i16, u16, i32, u32, f32, f64 } as const;

  it('arrays of numbers: set(i, v) and set(values, offset) write the bytes the DataView stores write', () => {
    for (const [name, el] of Object.entries(ELEMENTS)) {
      const A = array(el as Schema, 24);
      const shared = view(A, new SharedArrayBuffer(4096), 64);
      expect(typed(String((shared as unknown as { $$setAt: unknown }).$$setAt)), name).toBe(ARRAY_ON);
      expect(typed(String((view(A, new ArrayBuffer(4096), 64) as unknown as { $$setAt: unknown }).$$setAt)), name).toBe(false);
    }
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(ELEMENTS)),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 23 }), anyNumber), { maxLength: 30 }),
        fc.array(anyNumber, { maxLength: 24 }),
        fc.integer({ min: 0, max: 24 }),
        (name, writes, many, at) => {
          const A = array(ELEMENTS[name as keyof typeof ELEMENTS] as Schema, 24);
          const run = (buffer: ArrayBuffer | SharedArrayBuffer) => {
            const a = view(A, buffer, 64) as unknown as { set(i: unknown, v?: unknown): void };
            for (const [i, v] of writes) a.set(i, v);
            const off = Math.min(at, 24 - many.length);
            a.set(many, off);
            return [...new Uint8Array(buffer)];
          };
          const viaShared = run(new SharedArrayBuffer(4096));
          const viaPlain = run(new ArrayBuffer(4096));
          if (![...writes.map((w) => w[1]), ...many].some((v) => Number.isNaN(v))) expect(viaShared).toEqual(viaPlain);
          else expect(view(A, new Uint8Array(viaShared).buffer, 64).toArray()).toEqual(view(A, new Uint8Array(viaPlain).buffer, 64).toArray());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arrays of numbers: a bad index or value fails as over an ArrayBuffer, and writes nothing', () => {
    const A = array(f64, 8);
    const shared = view(A, new SharedArrayBuffer(256), 64) as unknown as { set(i: unknown, v?: unknown): void };
    const plain = view(A, new ArrayBuffer(256), 64) as unknown as { set(i: unknown, v?: unknown): void };
    for (const [i, v] of [
      [8, 1],
      [-1, 1],
      [1.5, 1],
      [2 ** 32, 1],
      [Number.NaN, 1],
      [0, '1'],
      [0, null],
      [0, 1n],
    ] as const) {
      let want: unknown;
      try {
        plain.set(i, v);
      } catch (e) {
        want = e;
      }
      expect(want).toBeInstanceOf(Error);
      expect(() => shared.set(i, v)).toThrow((want as Error).message);
    }
    expect([...new Uint8Array((shared as unknown as { $buffer: SharedArrayBuffer }).$buffer)].every((b) => b === 0)).toBe(true);
  });

  it('a buffer gets its store arrays with the first view that may store through them, and only then', () => {
    const hasArrays = (b: ArrayBufferLike) => '$f64' in dataViewOf(b);
    // a single number's buffer never does: its `value` stores through the DataView
    const r = RawValue('d', 1.5) as unknown as { $buffer: SharedArrayBuffer; value: number };
    const v = Value('i', 7);
    expect(hasArrays(r.$buffer)).toBe(false);
    expect(hasArrays(v.getObj().$buffer)).toBe(false);
    r.value = 2.5;
    expect(r.value).toBe(2.5);
    // an array of numbers' buffer where its elements store through them (V8 12 and later)
    const a = array(f64, 4).create();
    expect(hasArrays(a.$buffer)).toBe(ARRAY_ON);
    // a struct's, as soon as it is viewed, and then every view of the buffer finds them
    const sab = new SharedArrayBuffer(256);
    const one = view(f64, sab, 0);
    expect(hasArrays(sab)).toBe(false);
    const s = view(S, sab, 8);
    expect(hasArrays(sab)).toBe(ON);
    s.h = 4.25;
    (one as unknown as { value: number }).value = 1;
    expect(s.h).toBe(4.25);
    expect(hasArrays(S.create().$buffer)).toBe(ON);
  });
});
