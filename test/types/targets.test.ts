// target(): the target-sized C types, enums and records by a target's rules; the layout option
// (sysv, aarch64, msvc) in JSON, fingerprints and errors; f16 where the runtime has no Float16. The
// layouts themselves are checked against the compilers by the fixtures (target-fixtures.test.ts).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { checkFloat } from '../../src/codegen/runtime.js';
import {
  alignof,
  bits,
  describe as describeLayout,
  errorCode,
  f16,
  fingerprint,
  fromJSON,
  i8,
  i16,
  i32,
  i64,
  type Infer,
  layout,
  sizeof,
  struct,
  target,
  TARGETS,
  toJSON,
  u8,
  u16,
  u32,
  u64,
  union,
  unnamed,
} from '../../src/index.js';
import { HAS_FLOAT16 } from '../support/gcc-case.js';

function code(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return errorCode(e) ?? String(e);
  }
  return 'no error';
}

describe('target()', () => {
  it('gives each target’s C types as the fixed-size schemas they are', () => {
    expect(TARGETS).toEqual(['x86_64-linux-gnu', 'aarch64-linux-gnu', 'wasm32', 'x86_64-windows-msvc']);
    const linux = target('x86_64-linux-gnu');
    expect([linux.long, linux.ulong, linux.size_t, linux.pointer, linux.plainChar, linux.wchar_t]).toEqual([i64, u64, u64, u64, i8, i32]);
    const arm = target('aarch64-linux-gnu');
    expect([arm.plainChar, arm.wchar_t, arm.layout]).toEqual([u8, u32, 'aarch64']);
    const wasm = target('wasm32');
    expect([wasm.long, wasm.size_t, wasm.ssize_t, wasm.intptr_t, wasm.pointer]).toEqual([i32, u32, i32, i32, u32]);
    const win = target('x86_64-windows-msvc');
    expect([win.long, win.ulong, win.size_t, win.pointer, win.wchar_t, win.layout]).toEqual([i32, u32, u64, u64, u16, 'msvc']);
    expect(target('wasm32')).toBe(wasm);
    expect(code(() => target('x86_64-darwin' as never))).toBe('invalid_option');
  });

  it('types a 4-byte long as number and an 8-byte one as bigint', () => {
    const W = target('x86_64-windows-msvc').struct({ n: target('x86_64-windows-msvc').long });
    const L = struct({ n: target('x86_64-linux-gnu').long });
    expectTypeOf<Infer<typeof W>>().toEqualTypeOf<{ n: number }>();
    expectTypeOf<Infer<typeof L>>().toEqualTypeOf<{ n: bigint }>();
    expect([sizeof(W), sizeof(L)]).toEqual([4, 8]);
  });

  it('records take the target’s rules unless their options say otherwise', () => {
    const win = target('x86_64-windows-msvc');
    expect(win.struct({ a: u8 }).options.layout).toBe('msvc');
    expect(win.union({ a: u8 }).options.layout).toBe('msvc');
    expect(win.struct({ a: u8 }, { layout: 'sysv' }).options.layout).toBe('sysv');
    expect(target('wasm32').struct({ a: u8 }).options.layout).toBe('sysv');
  });
});

describe('enums', () => {
  const linux = target('x86_64-linux-gnu');
  const win = target('x86_64-windows-msvc');
  it('take the integer their compiler picks', () => {
    expect(linux.enum({ A: 0, B: 1000 }).name).toBe('u32');
    expect(linux.enum({ A: -1, B: 5 }).name).toBe('i32');
    expect(linux.enum({ A: 0n, B: 2n ** 32n }).name).toBe('u64');
    expect(linux.enum({ A: -1n, B: 2n ** 40n }).name).toBe('i64');
    expect(linux.enum({ A: 0, B: 200 }, { packed: true }).name).toBe('u8');
    expect(linux.enum({ A: -1, B: 200 }, { packed: true }).name).toBe('i16');
    expect(win.enum({ A: 0, B: 1000 }).name).toBe('i32');
    expect(linux.enum({ A: 0, B: 7 }, { type: u8 }).name).toBe('u8');
  });

  it('lay out, serialise and fingerprint as their integer, and keep their constants', () => {
    const Color = linux.enum({ RED: 0, GREEN: 1, BLUE: 2 }, { name: 'Color' });
    expect(Color.values).toEqual({ RED: 0, GREEN: 1, BLUE: 2 });
    expect(Color.enumName).toBe('Color');
    expect(Object.isFrozen(Color) && Object.isFrozen(Color.values)).toBe(true);
    const S = struct({ c: Color, flags: bits(Color, 3) });
    expect(fingerprint(S)).toBe(fingerprint(struct({ c: u32, flags: bits(u32, 3) })));
    expect(toJSON(S).root).toEqual({
      kind: 'struct',
      fields: [
        { name: 'c', type: 'u32' },
        { name: 'flags', type: 'u32', bits: 3 },
      ],
    });
    expectTypeOf<Infer<typeof S>>().toEqualTypeOf<{ c: number; flags: number }>();
    const Big = linux.enum({ A: 1n });
    expectTypeOf<Infer<typeof Big>>().toEqualTypeOf<bigint>();
  });

  it('refuse what their compiler would not take', () => {
    expect(code(() => win.enum({ A: 0n, B: 2n ** 32n }))).toBe('invalid_type'); // MSVC enums are int
    expect(code(() => win.enum({ A: 0 }, { packed: true }))).toBe('invalid_option');
    expect(code(() => linux.enum({ A: 2 ** 32 }))).toBe('invalid_type'); // a number beyond 32 bits: write a bigint
    expect(code(() => linux.enum({ A: 300 }, { type: u8 }))).toBe('invalid_type');
    expect(code(() => linux.enum({ A: 1.5 }))).toBe('invalid_type');
    expect(linux.enum({ A: 1, B: 2n }).name).toBe('u64'); // a bigint value makes it 64-bit
    expect(code(() => linux.enum({}))).toBe('invalid_type');
    expect(code(() => linux.enum({ A: 0 }, { type: f16 as never }))).toBe('invalid_type');
    expect(code(() => linux.enum({ A: 0 }, { size: 2 } as never))).toBe('invalid_option');
    expect(code(() => linux.enum({ '2x': 0 }))).toBe('invalid_name');
  });
});

describe('layout rules as an option', () => {
  const fields = { a: bits(u8, 3), b: bits(u16, 3) };
  it('lays the same fields out by each rule set, and keeps the layouts apart', () => {
    const sysv = struct(fields);
    const msvc = struct(fields, { layout: 'msvc' });
    expect([sizeof(sysv), sizeof(msvc)]).toEqual([2, 4]);
    expect(layout(msvc)).not.toBe(layout(sysv));
    expect(layout(struct(fields, { layout: 'sysv' }))).toBe(layout(sysv));
    const z = { a: u8, _z: unnamed(u32, 0), b: u8 };
    expect([alignof(struct(z)), alignof(struct(z, { layout: 'aarch64' }))]).toEqual([1, 4]);
  });

  it('goes into JSON and the fingerprint (msvc and aarch64 records are marked even where the layout is the same)', () => {
    const plain = { a: u8, b: u32 };
    const msvc = struct(plain, { layout: 'msvc' });
    expect(toJSON(msvc).root).toEqual({
      kind: 'struct',
      layout: 'msvc',
      fields: [
        { name: 'a', type: 'u8' },
        { name: 'b', type: 'u32' },
      ],
    });
    expect(fingerprint(fromJSON(JSON.stringify(toJSON(msvc))))).toBe(fingerprint(msvc));
    expect(fingerprint(msvc)).not.toBe(fingerprint(struct(plain)));
    expect(fingerprint(struct(plain, { layout: 'aarch64' }))).not.toBe(fingerprint(struct(plain)));
    expect(fingerprint(struct(plain, { layout: 'sysv' }))).toBe(fingerprint(struct(plain)));
    expect(describeLayout(msvc)).toContain('layout msvc');
  });

  it('refuses unknown rules and MSVC records in big-endian', () => {
    expect(code(() => struct({ a: u8 }, { layout: 'gcc' as never }))).toBe('invalid_option');
    expect(code(() => fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', layout: 'ms', fields: [{ name: 'a', type: 'u8' }] } }))).toBe(
      'invalid_option',
    );
    expect(code(() => struct({ a: u8 }, { layout: 'msvc', endian: 'big' }))).toBe('invalid_option');
    const Inner = union({ x: u32 }, { layout: 'msvc' });
    expect(code(() => sizeof(struct({ in: Inner }, { endian: 'big' })))).toBe('invalid_option');
    expect(sizeof(struct({ in: Inner }))).toBe(4);
  });
});

describe('f16', () => {
  it('lays out as 2 bytes, align 2, and is no bitfield type', () => {
    expect([sizeof(f16), alignof(f16), sizeof(struct({ a: u8, h: f16 }))]).toEqual([2, 2, 4]);
    expect(code(() => struct({ h: bits(f16 as never, 3) }))).toBe('invalid_bitfield');
    expect(toJSON(struct({ h: f16 })).root).toEqual({ kind: 'struct', fields: [{ name: 'h', type: 'f16' }] });
  });

  it.skipIf(HAS_FLOAT16)('refuses views where DataView has no getFloat16, saying so', () => {
    const S = struct({ h: f16 });
    expect(code(() => S.create())).toBe('unsupported_type');
    expect(() => S.create()).toThrow('f16: needs DataView.prototype.getFloat16, which this JavaScript runtime does not have');
    expect(struct({ a: i16 }).create({ a: 2 }).a).toBe(2); // other views are unaffected
  });

  it('checked stores refuse what rounds to Infinity in half precision', () => {
    expect(checkFloat(65504, 16, 'h')).toBe(65504);
    expect(checkFloat(65519.99, 16, 'h')).toBe(65519.99); // rounds to 65504
    expect(() => checkFloat(65520, 16, 'h')).toThrow('65520 is too large for a 16-bit float');
    expect(() => checkFloat(-1e6, 16, 'h')).toThrow(RangeError);
    expect(checkFloat(1e6, 32, 'h')).toBe(1e6);
    expect(() => checkFloat(3.5e38, 32, 'h')).toThrow('too large for a 32-bit float');
  });
});
