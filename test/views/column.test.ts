// `column(path)` of array views: one number member of every element as a strided typed array over
// the same bytes, or a clear error saying why not. This file runs in both accessor projects
// (generated and interpreted accessors), which must agree on every result and every error.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { array, bits, bool, char, errorCode, f16, f32, f64, i64, mutex, offsetof, sizeof, struct, u8, u16, u32, union } from '../../src/index.js';
import { HOST_ENDIAN, TYPED_ARRAYS, type TypedName } from '../../src/kinds/typed-arrays.js';
import { codeOf } from '../support/errors.js';
import { hasFloat16Array, NUMERIC } from '../support/numbers.js';
import { RUNNER } from '../setup/runtimes.js';

const NAMES = Object.keys(NUMERIC) as TypedName[];

/** `column()` called past the static types. */
const columnOf = (v: unknown, path: unknown): { array: ArrayLike<number | bigint>; start: number; step: number; length: number } =>
  (v as { column(p: unknown): { array: ArrayLike<number | bigint>; start: number; step: number; length: number } }).column(path);

/** A number of `name`'s kind for element `i`, member `k` (exact in every type: small integers). */
const valueFor = (name: TypedName, i: number, k: number): number | bigint => {
  const v = ((i * 7 + k * 13) % 100) - (name.startsWith('u') ? 0 : 50);
  return name === 'i64' || name === 'u64' ? BigInt(v) : v;
};

describe('column()', () => {
  it('gives each number member of every element at start + i * step, or misaligned exactly where a packed struct puts it off its size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 7 }),
        fc.constantFrom(undefined, 1, 2, 4),
        fc.integer({ min: 1, max: 12 }),
        (kinds, pack, n) => {
          const spec = Object.fromEntries(kinds.map((k, j) => [`m${j}`, NUMERIC[k]]));
          const S = struct(spec, pack === undefined ? {} : { pack });
          const ps = array(S, n).create();
          const stride = sizeof(S);
          const wrote: Record<string, (number | bigint)[]> = {};
          kinds.forEach((kind, k) => {
            const name = `m${k}`;
            const T = TYPED_ARRAYS[kind];
            const bytes = T.BYTES_PER_ELEMENT;
            const off = offsetof(S, name);
            const expected = stride % bytes !== 0 || off % bytes !== 0 ? 'misaligned' : 'no error';
            expect(codeOf(() => columnOf(ps, name))).toBe(expected);
            if (expected !== 'no error') return;
            const c = columnOf(ps, name);
            expect(c.array).toBeInstanceOf(T);
            expect((c.array as unknown as { buffer: unknown }).buffer).toBe(ps.$buffer);
            expect((c.array as unknown as { byteOffset: number }).byteOffset).toBe(ps.$byteOffset);
            expect(c.array.length).toBe((n * stride) / bytes); // the whole array view, whatever the member
            expect(c.start).toBe(off / bytes);
            expect(c.step).toBe(stride / bytes);
            expect(c.length).toBe(n);
            expect(Object.keys(c)).toEqual(['array', 'start', 'step', 'length']);
            const at = c.array as unknown as (number | bigint)[];
            for (let i = 0; i < n; i++) at[c.start + i * c.step] = valueFor(kind, i, k);
            wrote[name] = Array.from({ length: n }, (_, i) => valueFor(kind, i, k));
          });
          // Read back through the views (after every column was written: no member overwrote another).
          for (const [name, values] of Object.entries(wrote)) {
            for (let i = 0; i < n; i++) expect((ps.get(i) as unknown as Record<string, unknown>)[name]).toBe(values[i]);
          }
          // And the other way: written through the views, read through the columns.
          for (const [name, values] of Object.entries(wrote)) {
            const c = columnOf(ps, name);
            for (let i = 0; i < n; i++) {
              const v = values[i] as number | bigint;
              const again = typeof v === 'bigint' ? v + 1n : v + 1;
              (ps.get(i) as unknown as Record<string, unknown>)[name] = again;
              expect(c.array[c.start + i * c.step]).toBe(again);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('one array serves every member of its type: the columns of one type cover the same bytes', () => {
    const P = struct({ x: f64, y: f64, z: f64, vx: f32, vy: f32, vz: f32, id: u32, alive: u8 }, { name: 'Particle' });
    const ps = array(P, 100).create();
    const [x, y, z] = [ps.column('x'), ps.column('y'), ps.column('z')];
    expect([x.start, y.start, z.start, x.step]).toEqual([0, 1, 2, 6]);
    expect(y.array.byteOffset).toBe(x.array.byteOffset);
    expect(y.array.length).toBe(x.array.length);
    const vx = ps.column('vx');
    expect([vx.start, vx.step, vx.array.length]).toEqual([6, 12, 1200]);
    // the hand-written update pass, through one Float64Array and one Float32Array
    for (let i = 0; i < 100; i++) ps.get(i).vx = i;
    const F64 = x.array;
    const F32 = vx.array;
    for (let i = 0; i < ps.length; i++) F64[y.start + i * x.step] = (F64[y.start + i * x.step] as number) + (F32[vx.start + i * vx.step] as number) * 2;
    expect(ps.get(37).y).toBe(74);
    expect(ps.get(37).x).toBe(0);
  });

  it('follows paths into nested structs, arrays in the element, and arrays of arrays', () => {
    const Vec = struct({ x: f32, y: f32 });
    const Q = struct({ tag: u32, pos: Vec, pts: array(struct({ a: u32, b: f64 }), 2) });
    const qs = array(Q, 5).create();
    qs.get(3).pos.y = 1.5;
    qs.get(4).pts.get(1).b = 7;
    const py = qs.column('pos.y');
    expect(py.array).toBeInstanceOf(Float32Array);
    expect(py.array[py.start + 3 * py.step]).toBe(1.5);
    const b = qs.column('pts[1].b');
    expect(b.array).toBeInstanceOf(Float64Array);
    expect(b.array[b.start + 4 * b.step]).toBe(7);
    expect(b.start).toBe(offsetof(Q, 'pts[1].b') / 8);
    const grid = array(f32, [4, 3]).create();
    grid.get(2).set(1, 9);
    const col1 = grid.column('[1]'); // the second column of a 4×3 matrix
    expect([col1.start, col1.step, col1.length]).toEqual([1, 3, 4]);
    expect(col1.array[col1.start + 2 * col1.step]).toBe(9);
  });

  it('an array inside a struct, and a view at an offset: the array covers that array view only', () => {
    const P = struct({ x: f64, id: u32 });
    const Scene = struct({ frame: u32, ps: array(P, 3) });
    const sab = new SharedArrayBuffer(256);
    const scene = Scene.view(sab, 64);
    scene.ps.get(1).id = 5;
    const id = scene.ps.column('id');
    expect(id.array.byteOffset).toBe(64 + offsetof(Scene, 'ps'));
    expect(id.array.length).toBe((3 * sizeof(P)) / 4);
    expect(id.array[id.start + id.step]).toBe(5);
  });

  it('refuses members no typed array reads as the view does, with the reason and the code', () => {
    const Vec = struct({ x: f32, y: f32 }, { name: 'Vec' });
    const E = struct(
      { v: Vec, flag: bool, name: char(4), lock: mutex(), pts: array(f32, 2), flags: bits(u32, 3), u: union({ a: u32, b: f32 }) },
      { name: 'E' },
    );
    const es = array(E, 2).create();
    const cases: [unknown, string, RegExp][] = [
      ['v', 'unsupported_type', /column\("v"\): is struct Vec, not a number; name one of its members, such as 'v\.x'/],
      ['flag', 'unsupported_type', /column\("flag"\): is bool, which reads as a boolean/],
      ['name', 'unsupported_type', /column\("name"\): is char\[4\], not a number/],
      ['lock', 'unsupported_type', /column\("lock"\): is .*, not a number/],
      ['pts', 'unsupported_type', /column\("pts"\): is f32\[2\], not a number; name one of its elements, such as 'pts\[0\]'/],
      ['flags', 'unsupported_type', /column\("flags"\): is a bitfield/],
      ['u', 'unsupported_type', /column\("u"\): is union .*, not a number/],
      ['nope', 'invalid_path', /E\[2\]\.column: field 'nope' does not exist; the members of struct E are: v, flag/],
      ['v.z', 'invalid_path', /field 'v\.z' does not exist/],
      ['pts[2]', 'out_of_bounds', /index 2 is out of range for length 2/],
      ['v..x', 'invalid_path', /is not a valid field path/],
      [3, 'invalid_argument', /column: takes a member path such as 'x' or 'pos\.x' \(got number 3\)/],
      [null, 'invalid_argument', /takes a member path/],
      [Symbol('x'), 'invalid_argument', /takes a member path/],
    ];
    for (const [path, code, message] of cases) {
      expect(
        codeOf(() => columnOf(es, path)),
        String(path),
      ).toBe(code);
      expect(() => columnOf(es, path)).toThrow(message);
    }
    expect(() => columnOf(es, 'flag')).toThrow(TypeError);
    expect(columnOf(es, 'v.y').array).toBeInstanceOf(Float32Array); // a path to a number in it is fine
    expect(columnOf(es, 'u.a').array).toBeInstanceOf(Uint32Array);
  });

  it('refuses the other byte order (but not single bytes), and misaligned arrays, members and strides', () => {
    const other = HOST_ENDIAN === 'little' ? 'big' : 'little';
    const B = array(struct({ x: u32, tag: u8 }, { endian: other }), 3).create();
    expect(codeOf(() => B.column('x'))).toBe('unsupported_type');
    expect(() => B.column('x')).toThrow(new RegExp(`is ${other}-endian, and typed arrays read this machine's byte order \\(${HOST_ENDIAN}-endian\\)`));
    expect(B.column('tag').array).toBeInstanceOf(Uint8Array); // one byte has no order
    // an array that starts at byte 1 of a packed struct
    const Outer = struct({ tag: u8, ps: array(struct({ x: f32 }), 4) }, { pack: 1 });
    const o = Outer.create();
    expect(codeOf(() => o.ps.column('x'))).toBe('misaligned');
    expect(() => o.ps.column('x')).toThrow(/the array starts at byte 1 of its buffer, and a Float32Array must start at a multiple of 4/);
    // a member at byte 1 of its element, and elements 5 bytes apart
    const Packed = array(struct({ tag: u8, x: u32 }, { pack: 1 }), 4).create();
    expect(() => Packed.column('x')).toThrow(/the elements are 5 bytes apart, not a multiple of the member's 4/);
    const Odd = array(struct({ tag: u16, x: u32, y: u16 }, { pack: 2 }), 4).create(); // 8-byte elements, x at byte 2
    expect(() => Odd.column('x')).toThrow(/the member is at byte 2 of its element, not a multiple of its size 4/);
    expect(Odd.column('y').start).toBe(3);
  });

  it('f16: a Float16Array where the runtime has one, else the reason', () => {
    const make = () => array(struct({ h: f16, x: f32 }), 4).create();
    let hs: ReturnType<typeof make>;
    try {
      hs = make(); // f16 views need DataView.prototype.getFloat16
    } catch (e) {
      expect(errorCode(e)).toBe('unsupported_type');
      return;
    }
    if (hasFloat16Array) {
      const c = hs.column('h');
      c.array[c.start + 2 * c.step] = 1.5;
      expect(hs.get(2).h).toBe(1.5);
    } else {
      expect(codeOf(() => hs.column('h'))).toBe('unsupported_type');
      expect(() => hs.column('h')).toThrow(/no Float16Array/);
    }
  });

  it('a hostile path is refused in time linear in its length, and quoted short in the error', () => {
    const ps = array(struct({ x: f64 }), 4).create();
    const long = `${'a.'.repeat(200_000)}x`;
    const t0 = performance.now();
    expect(codeOf(() => ps.column(long as 'x'))).toBe('invalid_path');
    expect(performance.now() - t0).toBeLessThan(5_000); // a bound on a hang, not a timing
    const deep = `x${'[0]'.repeat(100_000)}`;
    expect(codeOf(() => ps.column(deep as 'x'))).toBe('invalid_path');
    const messageOf = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    for (const path of [long, deep]) expect(messageOf(() => ps.column(path as 'x')).length).toBeLessThan(200);
    // The call quoted in the subject of column()'s own refusals: its first 60 characters.
    const name = 'b'.repeat(200); // a name is at most 255 characters
    const flags = array(struct({ [name]: bool }), 2).create();
    const refused = messageOf(() => flags.column(name as never));
    expect(refused).toContain('is bool');
    expect(refused).toContain('(200 characters)');
    expect(refused.length).toBeLessThan(200);
  });

  // --trace-deopt is V8's (Bun has no such output; Deno takes V8 flags only through --v8-flags).
  // Once, in the codegen project: columns do not depend on how accessors are built. The loop takes
  // the columns as arguments and is optimised on the main thread (--no-concurrent-recompilation),
  // so its code embeds their shape and is in place before each collection: the control shows the
  // deoptimisation at every job on Node 20, 22, 24 and 26, and so does the library's case without
  // the column it keeps (src/codegen/column.ts; tried on all four). An earlier form (one long pass
  // per job, compiled on the stack in the background) showed it only by the compiler's timing, and
  // none in 10 runs of the control on a loaded Node 24.
  it.skipIf(RUNNER.runtime !== 'node' || process.env['SHAREDCTYPES_TEST_CODEGEN'] === 'off')(
    "a job that takes columns keeps its optimised code when the last job's columns are collected",
    () => {
      const child = fileURLToPath(new URL('./column-shape-child.mjs', import.meta.url));
      const thrownAway = (which: string): number => {
        const r = spawnSync(process.execPath, ['--expose-gc', '--trace-deopt', '--no-concurrent-recompilation', child, which], {
          encoding: 'utf8',
          env: process.env,
          timeout: 60_000,
          maxBuffer: 1 << 28,
        });
        expect(r.status, r.stderr).toBe(0);
        return r.stdout.split('\n').filter((line) => /reason: (embedded )?weak objects/.test(line) && line.includes('sweepColumns')).length;
      };
      expect(thrownAway('control'), 'the control shows no deoptimisation: the method cannot see any').toBeGreaterThan(0);
      expect(thrownAway('library')).toBe(0);
    },
  );

  it('has the typed array type of the member, and no column() for members that cannot be one', () => {
    const P = struct({ x: f64, id: u32, big: i64, flag: bool, v: struct({ a: f32 }), flags: bits(u8, 2) });
    const ps = array(P, 4).create();
    expectTypeOf(ps.column('x').array).toEqualTypeOf<Float64Array>();
    expectTypeOf(ps.column('id').array).toEqualTypeOf<Uint32Array>();
    expectTypeOf(ps.column('big').array).toEqualTypeOf<BigInt64Array>();
    expectTypeOf(ps.column('v.a').start).toEqualTypeOf<number>();
    // @ts-expect-error: bool is not a number a typed array reads
    expect(() => ps.column('flag')).toThrow(TypeError);
    // @ts-expect-error: a struct member is not a number
    expect(() => ps.column('v')).toThrow(TypeError);
    // @ts-expect-error: nor a bitfield
    expect(() => ps.column('flags')).toThrow(TypeError);
    // @ts-expect-error: no such member
    expect(() => ps.column('nope')).toThrow();
  });
});
