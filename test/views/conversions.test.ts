// What a store does with every kind of value, in every form a field can take (a plain member, a
// bitfield in 32-bit integer math, a packed bitfield straddling its unit, which takes the general
// path, an array element), checked and unchecked: the same outcome in the compiled and the
// interpreted accessors, and the same across forms. Invalid input included: this is where two
// implementations of one rule drift apart.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { viewClass } from '../../src/codegen/classes.js';
import { checkFloat, checkInt } from '../../src/codegen/runtime.js';
import { array, bits, bool, char, f16, f32, f64, i8, i16, i32, i64, layout, type Schema, struct, u8, u16, u32, u64 } from '../../src/index.js';
import { dataViewOf } from '../../src/views/region.js';

const TYPES = { bool, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64 } as const;
type Name = keyof typeof TYPES;
const WIDTH: Record<Name, number> = { bool: 1, i8: 8, u8: 8, i16: 16, u16: 16, i32: 32, u32: 32, i64: 64, u64: 64, f32: 32, f64: 64 };

const VALUES: readonly unknown[] = [
  0,
  1,
  -1,
  1.5,
  -1.5,
  127,
  128,
  255,
  256,
  -129,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 32 + 3,
  2 ** 53,
  -(2 ** 63),
  1e300,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  3.5e38,
  0n,
  1n,
  -1n,
  255n,
  2n ** 31n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
  2n ** 64n,
  -(2n ** 63n) - 1n,
  true,
  false,
  '',
  '5',
  'abc',
  null,
  {},
  [],
  [1],
  Symbol('s'),
  () => 1,
];

/** The forms a field of type `name` can take, each a schema and the path to the field. */
function forms(name: Name): { form: string; schema: Schema; set(v: object, x: unknown): void; get(v: object): unknown }[] {
  const t = TYPES[name];
  const field = (v: object) => v as Record<string, unknown>;
  const out = [
    {
      form: 'member',
      schema: struct({ pad: u8, v: t }, { name: 'S' }) as Schema,
      set: (v: object, x: unknown) => {
        field(v)['v'] = x;
      },
      get: (v: object) => field(v)['v'],
    },
    {
      form: 'array element',
      schema: array(t, 3) as Schema,
      set: (v: object, x: unknown) => (v as { set(i: number, x: unknown): void }).set(1, x),
      get: (v: object) => (v as { get(i: number): unknown }).get(1),
    },
  ];
  if (name !== 'f32' && name !== 'f64') {
    const b = t as Parameters<typeof bits>[0];
    out.push(
      {
        form: 'bitfield',
        schema: struct({ pad: bits(u8, 3), v: bits(b, WIDTH[name]) }, { name: 'S' }),
        set: (v, x) => {
          field(v)['v'] = x;
        },
        get: (v) => field(v)['v'],
      },
      {
        form: 'packed bitfield',
        schema: struct({ pad: bits(u8, 3), v: bits(b, WIDTH[name]) }, { name: 'S', pack: 1 }),
        set: (v, x) => {
          field(v)['v'] = x;
        },
        get: (v) => field(v)['v'],
      },
    );
  }
  return out;
}

type Outcome = { ok: unknown } | { error: string; message: string };

function store(schema: Schema, codegen: boolean, checked: boolean, set: (v: object, x: unknown) => void, get: (v: object) => unknown, x: unknown): Outcome {
  const l = layout(schema);
  const buffer = new SharedArrayBuffer(l.size + 16);
  const C = viewClass(l, { codegen, checked });
  const v = new C(8, dataViewOf(buffer));
  try {
    set(v, x);
  } catch (e) {
    const err = e as Error;
    // Labels differ between forms (field 'v', element): compare what follows them.
    return { error: err.name, message: err.message.replace(/^.*?: (?=[^:]*$|takes|is|NaN|-?\d|"|[a-z])/, '') };
  }
  return { ok: get(v) };
}

/** The error the library throws: the message and its stable code. */
const coded = <E extends Error>(e: E, code: string): E => Object.assign(e, { code });

const label = (x: unknown): string =>
  typeof x === 'bigint' ? `${x}n` : typeof x === 'symbol' ? 'Symbol' : typeof x === 'function' ? 'fn' : (JSON.stringify(x) ?? String(x));

/** What storing `v` into `view[field]` gives ({@link outcome}): the value read back, or the error. */
function storedThrough(view: Record<string, unknown>, field: string, v: unknown): unknown {
  return outcome(() => {
    view[field] = v;
    return view[field];
  });
}

/** What `f` gives: its value, or the class and message of what it throws (to compare two ways of storing). */
function outcome(f: () => unknown): unknown {
  try {
    return ['ok', f()];
  } catch (e) {
    return ['error', (e as Error).constructor.name, (e as Error).message];
  }
}

describe('store conversions', () => {
  for (const name of Object.keys(TYPES) as Name[]) {
    for (const checked of [false, true]) {
      it(`${name}${checked ? ', checked' : ''}: the same outcome compiled and interpreted, and in every form`, () => {
        for (const x of VALUES) {
          let reference: unknown;
          let referenceForm = '';
          for (const f of forms(name)) {
            const compiled = store(f.schema, true, checked, f.set, f.get, x);
            const interpreted = store(f.schema, false, checked, f.set, f.get, x);
            expect(interpreted, `${f.form} ← ${label(x)}: compiled vs interpreted`).toEqual(compiled);
            // Across forms: the same value stored, or the same kind of error.
            const comparable = 'ok' in compiled ? compiled : { error: compiled.error };
            if (reference === undefined) {
              reference = comparable;
              referenceForm = f.form;
            } else expect(comparable, `${f.form} vs ${referenceForm} ← ${label(x)}`).toEqual(reference);
          }
        }
      });
    }
  }

  it('unchecked stores convert as documented: numbers wrap and truncate, booleans are 1/0, other types are refused', () => {
    const S = struct({ a: u8, b: i8, c: f32, d: u64, e: bits(u16, 4), f: bool }, { name: 'S' });
    const s = S.create();
    s.set({ a: 256 + 7, b: 200, c: 0.1, d: -1, e: 17, f: 'yes' as never }); // (set() takes numbers for u64)
    expect(s.toObject()).toEqual({ a: 7, b: -56, c: Math.fround(0.1), d: 2n ** 64n - 1n, e: 1, f: true });
    s.a = 3.9;
    expect(s.a).toBe(3);
    s.a = Number.NaN;
    expect(s.a).toBe(0);
    s.a = true as never;
    expect(s.a).toBe(1);
    expect(() => {
      s.a = '5' as never;
    }).toThrow(coded(new TypeError(`struct S: field 'a': takes a number (got "5")`), 'invalid_value'));
    expect(() => {
      s.a = 5n as never;
    }).toThrow(
      coded(new TypeError("struct S: field 'a': takes a number (got 5n); convert it with Number(v), or give the field a 64-bit type"), 'invalid_value'),
    );
    expect(() => {
      s.e = 5n as never;
    }).toThrow(TypeError);
    expect(() => {
      s.d = 1.5 as never;
    }).toThrow(coded(new TypeError("struct S: field 'd': is a 64-bit integer and takes a bigint or a whole number (got 1.5)"), 'invalid_value'));
  });

  it('checked stores: 64-bit bitfields are bounded exactly; NaN, strings and f32 overflow are refused', () => {
    const S = struct({ u: bits(u64, 63), i: bits(i64, 64), w: bits(u64, 54), x: f32, y: f64 }, { name: 'S' });
    const s = S.create(undefined, { checked: true });
    s.u = 2n ** 63n - 1n;
    expect(s.u).toBe(2n ** 63n - 1n);
    expect(() => {
      s.u = 2n ** 63n;
    }).toThrow(RangeError);
    s.i = -(2n ** 63n);
    expect(() => {
      s.i = 2n ** 63n;
    }).toThrow(RangeError);
    s.w = 2n ** 54n - 1n;
    expect(() => {
      s.w = 2n ** 54n;
    }).toThrow(RangeError);
    expect(() => {
      s.w = (2 ** 54) as never;
    }).toThrow(RangeError);
    expect(() => {
      s.x = Number.NaN;
    }).toThrow(
      coded(new RangeError("struct S: field 'x': NaN is not stored in checked mode; store a number, or use an unchecked view to store NaN"), 'out_of_range'),
    );
    expect(() => {
      s.y = 'abc' as never;
    }).toThrow(coded(new TypeError(`struct S: field 'y': takes a number (got "abc")`), 'invalid_value'));
    expect(() => {
      s.x = 1e39;
    }).toThrow(RangeError);
    s.x = Number.POSITIVE_INFINITY;
    expect(s.x).toBe(Number.POSITIVE_INFINITY);
  });

  it('checked float stores take and refuse exactly what R.checkFloat does, at the edges of each width too', () => {
    // Generated setters test the common case themselves (codegen/access.ts `emitCheckedFloat`) and
    // call R.checkFloat for the rest; the interpreted ones call it for every value.
    // (f16 where the runtime has DataView.prototype.getFloat16: Node 24 and later.)
    const half = typeof (DataView.prototype as { getFloat16?: unknown }).getFloat16 === 'function';
    const S = struct(half ? { h: f16, x: f32, y: f64 } : { x: f32, y: f64 }, { name: 'S' });
    const s = S.create(undefined, { checked: true }) as unknown as Record<'h' | 'x' | 'y', unknown>;
    const fields: ['h' | 'x' | 'y', 16 | 32 | 64][] = [...(half ? [['h', 16] as ['h', 16]] : []), ['x', 32], ['y', 64]];
    const F32_OVERFLOW = 2 ** 128 - 2 ** 103;
    const below = (v: number): number => v - 2 ** (Math.floor(Math.log2(v)) - 52);
    const edges = [
      F32_OVERFLOW,
      below(F32_OVERFLOW),
      3.4028234663852886e38,
      65520,
      below(65520),
      65504,
      1e300,
      Number.MAX_VALUE,
      5e-324,
      0,
      -0,
      1.5,
      Infinity,
      Number.NaN,
    ];
    const values = fc.oneof(
      fc.constantFrom(...edges, ...edges.map((v) => -v)),
      fc.double(),
      fc.constantFrom<unknown>(true, false, '1', null, undefined, {}, { valueOf: () => 2 }, 1n),
    );
    fc.assert(
      fc.property(fc.constantFrom(...fields), values, ([field, width], v) => {
        const label = `struct S: field '${field}'`;
        const expected = outcome(() => {
          const n = checkFloat(v, width, label);
          return width === 64 ? n : width === 32 ? Math.fround(n) : (S.create({ [field]: n } as never) as unknown as Record<'h', number>).h;
        });
        expect(storedThrough(s, field, v), `${field} = ${String(v)}`).toEqual(expected);
      }),
      { numRuns: 600 },
    );
  });

  it('checked integer stores take and refuse exactly what R.checkInt does, at the edges of each width too', () => {
    // Generated setters test a whole number in range themselves (codegen/access.ts `emitCheckedInt`).
    const types = { a: u8, b: i8, c: u16, d: i16, e: u32, f: i32 } as const;
    const ranges = { a: [0, 255], b: [-128, 127], c: [0, 65535], d: [-32768, 32767], e: [0, 4294967295], f: [-2147483648, 2147483647] } as const;
    const S = struct(types, { name: 'S' });
    const s = S.create(undefined, { checked: true }) as unknown as Record<keyof typeof types, unknown>;
    const edges = Object.values(ranges).flatMap(([min, max]) => [min, max, min - 1, max + 1, min + 0.5, max - 0.5]);
    const values = fc.oneof(
      fc.constantFrom<unknown>(...edges, 0, -0, Number.NaN, Infinity, -Infinity, 2 ** 53, true, false, '1', null, undefined, {}, { valueOf: () => 2 }, 1n),
      fc.integer({ min: -(2 ** 32), max: 2 ** 32 }),
      fc.double(),
    );
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(types) as (keyof typeof types)[])), values, (field, v) => {
        const [min, max] = ranges[field];
        const expected = outcome(() => checkInt(v, min, max, `struct S: field '${field}'`) + 0);
        expect(storedThrough(s, field, v), `${field} = ${String(v)}`).toEqual(expected);
      }),
      { numRuns: 600 },
    );
  });

  it('an array takes an array of values, not a string', () => {
    const a = array(i32, 4).create();
    expect(() => a.set('abc' as never)).toThrow(coded(new TypeError('i32[4]: takes an array of values or an array view (got "abc")'), 'invalid_value'));
    expect(a.toArray()).toEqual([0, 0, 0, 0]);
  });
});

describe('objects written into structs', () => {
  it('set() and create(init) write the fields the object has itself, never inherited ones (a polluted Object.prototype stays out of shared memory)', () => {
    const P = struct({ id: u32, x: f64, inner: struct({ a: u8 }) });
    const p = P.create();
    p.set(Object.create({ id: 7, x: 2 }) as never);
    expect(p.toObject()).toEqual({ id: 0, x: 0, inner: { a: 0 } });
    p.set(Object.assign(Object.create({ id: 7 }), { x: 1.5 }) as never);
    expect(p.toObject()).toEqual({ id: 0, x: 1.5, inner: { a: 0 } });
    const polluted = Object.prototype as Record<string, unknown>;
    polluted['id'] = 1234;
    polluted['a'] = 9;
    try {
      expect(P.create({ x: 2 }).toObject()).toEqual({ id: 0, x: 2, inner: { a: 0 } });
      p.set({ inner: {} });
      expect(p.toObject()).toEqual({ id: 0, x: 1.5, inner: { a: 0 } });
    } finally {
      delete polluted['id'];
      delete polluted['a'];
    }
  });
});

describe('char raw bytes', () => {
  it('.raw takes bytes (a Uint8Array or numbers 0 … 255); a string, a number or a bad byte is refused and the field left as it was', () => {
    const c = char(4).create('keep');
    for (const bad of ['xy', 42, null, {}, [1, 256], [1, 'a'], [0.5]]) {
      expect(() => {
        c.raw = bad as never;
      }, JSON.stringify(bad)).toThrow(TypeError);
      expect(c.value).toBe('keep');
    }
    c.raw = [104, 105];
    expect(c.value).toBe('hi');
    c.raw = new Uint8Array([0x61, 0x62, 0x63, 0x64]);
    expect(c.value).toBe('abcd');
  });
});

describe('char text', () => {
  // writeChar (codegen/runtime.ts) writes a short ASCII string a byte per character and everything
  // else through TextEncoder: both must give TextEncoder's bytes, zero-padded, and refuse the same.
  const text = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.string({ unit: fc.constantFrom(...'ab\0~\x7f\x80é€😀'.split('')), maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
  );
  it('a string is its UTF-8 bytes, zero-padded; more than n bytes is too_long and the field keeps its bytes', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 16 }), (t, n) => {
        const S = struct({ a: u8, name: char(n), b: u8 });
        const v = S.create({ a: 0xaa, b: 0xbb });
        const bytes = () => new Uint8Array(v.$buffer, v.$byteOffset, n + 2).slice();
        v.name = 'x'.repeat(Math.min(n, 3));
        const before = bytes();
        const utf8 = new TextEncoder().encode(t);
        if (utf8.length > n) {
          expect(() => {
            v.name = t;
          }).toThrow(expect.objectContaining({ code: 'too_long' }));
          expect(bytes()).toEqual(before);
          return;
        }
        v.name = t;
        const expected = new Uint8Array(n);
        expected.set(utf8);
        expect(bytes().subarray(1, 1 + n)).toEqual(expected);
        expect([v.a, v.b]).toEqual([0xaa, 0xbb]);
      }),
      { numRuns: 300 },
    );
  });
});
