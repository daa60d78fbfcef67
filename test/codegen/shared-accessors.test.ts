// Number and bool members' accessors made by one function per form and shared by every class
// (src/codegen/shared-accessors.ts; on every engine since stop 45, V8 before 12 only until then):
// each member still reads and writes its own bytes and names itself in errors, in every structure
// that shares a form, at every offset; and a form is compiled once, not once per structure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bool, codegenActive, errorCode, f32, f64, i16, i8, offsetof, struct, u16, u32, u8 } from '../../src/index.js';

type Kind = 'f64' | 'f32' | 'u32' | 'u16' | 'i16' | 'u8' | 'i8' | 'bool';
const TYPES = { f64, f32, u32, u16, i16, u8, i8, bool } satisfies Record<Kind, unknown>;
/** How a member's bytes read back through a DataView (little-endian, as the platform's views store). */
const READ = {
  f64: (d, o) => d.getFloat64(o, true),
  f32: (d, o) => d.getFloat32(o, true),
  u32: (d, o) => d.getUint32(o, true),
  u16: (d, o) => d.getUint16(o, true),
  i16: (d, o) => d.getInt16(o, true),
  u8: (d, o) => d.getUint8(o),
  i8: (d, o) => d.getInt8(o),
  bool: (d, o) => d.getUint8(o) !== 0,
} satisfies Record<Kind, (d: DataView, o: number) => unknown>;
/** A value of each kind that it stores exactly, from a whole number. */
const VALUE = {
  f64: (n) => n + 0.25,
  f32: (n) => n + 0.5,
  u32: (n) => n * 7,
  u16: (n) => n % 65536,
  i16: (n) => (n % 30000) - 15000,
  u8: (n) => n % 256,
  i8: (n) => (n % 256) - 128,
  bool: (n) => n % 2 === 1,
} satisfies Record<Kind, (n: number) => unknown>;
const KINDS = Object.keys(TYPES) as Kind[];

type View = Record<string, unknown>;
const accessor = (v: object, name: string): PropertyDescriptor | undefined => Object.getOwnPropertyDescriptor(Object.getPrototypeOf(v) as object, name);

describe('shared accessors of number and bool members', () => {
  it('every member of structures that share forms reads and writes its own bytes, at every view offset', () => {
    const structures = fc.array(fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(structures, fc.nat(64), fc.nat(1_000_000), (shapes, slot, seed) => {
        const made = shapes.map((kinds, s) => {
          const fields = Object.fromEntries(kinds.map((k, i) => [`m${s}_${i}`, TYPES[k]]));
          return { kinds, T: struct(fields, { name: `S${s}` }) };
        });
        const buffer = new SharedArrayBuffer(4096);
        const d = new DataView(buffer);
        made.forEach(({ kinds, T }, s) => {
          const base = 256 * s + 8 * (slot % 24); // every structure here aligns to at most 8
          const v = T.view(buffer, base) as unknown as View;
          kinds.forEach((k, i) => {
            const name = `m${s}_${i}`;
            const value = VALUE[k](seed + 31 * i + s);
            v[name] = value;
            expect(READ[k](d, base + offsetof(T, name as never)), name).toBe(value);
            expect(v[name], name).toBe(value);
          });
        });
      }),
      { numRuns: 60 },
    );
  });

  it('a setter names its own member and structure in errors, unchecked and checked', () => {
    const A = struct({ a: f64, n: u8, ok: bool }, { name: 'A' });
    const B = struct({ pad: u32, b: f64, count: u8 }, { name: 'B' });
    const [a, b] = [A.create() as unknown as View, B.create() as unknown as View];
    const refused = (f: () => void): Error => {
      try {
        f();
      } catch (e) {
        return e as Error;
      }
      throw new Error('not refused');
    };
    for (const [v, name, label] of [
      [a, 'a', "struct A: field 'a'"],
      [b, 'b', "struct B: field 'b'"],
      [a, 'n', "struct A: field 'n'"],
      [b, 'count', "struct B: field 'count'"],
    ] as const) {
      const e = refused(() => {
        v[name] = 'text';
      });
      expect(errorCode(e), name).toBe('invalid_value');
      expect(e.message.startsWith(`${label}: `), e.message).toBe(true);
    }
    const checkedA = A.create({}, { checked: true }) as unknown as View;
    const checkedB = B.create({}, { checked: true }) as unknown as View;
    expect(refused(() => (checkedA.n = 300)).message).toMatch(/^struct A: field 'n': 300 is not a whole number from 0 to 255/);
    expect(refused(() => (checkedB.count = -1)).message).toMatch(/^struct B: field 'count': -1 is not a whole number from 0 to 255/);
    expect(refused(() => (checkedA.ok = 2)).message).toMatch(/^struct A: field 'ok'/);
  });

  it("members of one form share their accessors' source, on every engine", () => {
    const a = struct({ x: f64, y: f64, tag: u16 }, { name: 'One' }).create();
    const b = struct({ w: f64, id: u32, z: u16 }, { name: 'Two' }).create();
    const get = (v: object, name: string): string => String(accessor(v, name)?.get);
    const set = (v: object, name: string): string => String(accessor(v, name)?.set);
    const shared = codegenActive();
    // Members of one form at other offsets: x at 0, y at 8, w at 0 of another structure; tag at 16, z at 12.
    for (const [p, q] of [
      [get(a, 'x'), get(a, 'y')],
      [get(a, 'y'), get(b, 'w')],
      [set(a, 'y'), set(b, 'w')],
      [get(a, 'tag'), get(b, 'z')],
      [set(a, 'tag'), set(b, 'z')],
    ]) {
      if (shared) expect(p).toBe(q);
    }
    expect(accessor(a, 'y')?.get).not.toBe(accessor(b, 'w')?.get); // one function per member all the same
  });

  it.runIf(codegenActive())('a form is compiled once: each structure after the first evaluates its class only', () => {
    const make = (k: number) => struct({ a: f64, [`b${k}`]: u32, c: f32, flag: bool, e: i16, g: f64, h: i8 }, { name: `Once${k}` });
    const first = make(0).create() as unknown as View;
    first.a = 1;
    const real = globalThis.Function;
    let evaluated = 0;
    globalThis.Function = new Proxy(real, {
      construct(target, args: unknown[]) {
        evaluated++;
        return Reflect.construct(target, args) as object;
      },
      apply(target, self, args: unknown[]) {
        evaluated++;
        return Reflect.apply(target, self, args) as unknown;
      },
    });
    try {
      for (let k = 1; k <= 20; k++) {
        const v = make(k).create() as unknown as View;
        v.a = k;
        v[`b${k}`] = k;
        v.g = (v.a as number) + 0.5;
        expect([v.a, v[`b${k}`], v.g]).toEqual([k, k, k + 0.5]);
      }
    } finally {
      globalThis.Function = real;
    }
    expect(evaluated).toBe(20);
  });
});
