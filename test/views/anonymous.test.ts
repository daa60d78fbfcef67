// C11 anonymous members: the fields of anonymous(struct/union) are the parent's, in views (both
// accessor modes), toObject/set, offsetof/layoutOf, describe, JSON and fingerprints. The layouts are
// checked against gcc, clang for Windows, wasm32 and aarch64 by the fixtures (anon-* cases).
import { describe, expect, it } from 'vitest';
import {
  anonymous,
  array,
  attach,
  i32,
  share,
  u64,
  bits,
  describe as describeLayout,
  errorCode,
  f32,
  fingerprint,
  fromJSON,
  type Infer,
  layoutOf,
  mutex,
  offsetof,
  sizeof,
  struct,
  target,
  toJSON,
  u8,
  u16,
  u32,
  union,
} from '../../src/index.js';

const Value = struct({ tag: u8, _: anonymous(union({ i: u32, f: f32, b: bits(u8, 3) })), after: u16 }, { name: 'Value' });

function code(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return errorCode(e);
  }
  return 'no error';
}

describe('anonymous members', () => {
  it('their fields are the parent’s, at their offsets', () => {
    expect([sizeof(Value), offsetof(Value, 'i'), offsetof(Value, 'f'), offsetof(Value, 'after')]).toEqual([12, 4, 4, 8]);
    expect(layoutOf(Value).map((f) => `${f.path}@${f.offset}${f.bitWidth === undefined ? '' : `:${f.bitOffset}+${f.bitWidth}`}`)).toEqual([
      'tag@0',
      'i@4',
      'f@4',
      'b@4:0+3',
      'after@8',
    ]);
  });

  it('read and write through views, toObject and set', () => {
    const v = Value.create({ tag: 1, f: 1.5, after: 7 });
    expect(v.i.toString(16)).toBe('3fc00000');
    v.b = 5;
    expect(v.i.toString(16)).toBe('3fc00005');
    const plain: Infer<typeof Value> = v.toObject();
    expect(plain).toEqual({ tag: 1, i: 0x3fc00005, f: new Float32Array(new Uint32Array([0x3fc00005]).buffer)[0], b: 5, after: 7 });
    v.set({ i: 0x12345678 });
    expect(Array.from(new Uint8Array(v.$buffer, 4, 4))).toEqual([0x78, 0x56, 0x34, 0x12]);
  });

  it('nest, and carry bitfields in the parent’s byte order', () => {
    const Inner = struct({ hi: bits(u16, 4), lo: bits(u16, 12) });
    const Outer = struct({ a: u8, _: anonymous(struct({ n: u8, _: anonymous(Inner) })) }, { endian: 'big' });
    const o = Outer.create({ a: 1, n: 2, hi: 0xf, lo: 0x123 });
    // a @0; the anonymous struct (align 2) @2: n @2, Inner @4 (hi: the top 4 bits, big-endian)
    expect(Array.from(new Uint8Array(o.$buffer))).toEqual([1, 0, 2, 0, 0xf1, 0x23]);
    expect(o.toObject()).toEqual({ a: 1, n: 2, hi: 0xf, lo: 0x123 });
  });

  it('round-trip through JSON with the same fingerprint; the fingerprint is that of the same fields at the same offsets', () => {
    const json = toJSON(Value);
    expect(JSON.stringify(json)).toContain('{"type":{"kind":"union","fields":[');
    expect(fingerprint(fromJSON(JSON.stringify(json)))).toBe(fingerprint(Value));
    const Flat = struct({ a: u8, b: u32 });
    expect(fingerprint(struct({ a: u8, _: anonymous(struct({ b: u32 })) }))).toBe(fingerprint(Flat));
    expect(fingerprint(Value)).not.toBe(fingerprint(struct({ tag: u8, i: u32, after: u16 })));
  });

  it('describe lists them in the parent', () => {
    expect(describeLayout(Value)).toContain('  u32 i;');
  });

  it('refuses clashing names, other byte orders, other layout rules, non-records and aligned()', () => {
    expect(code(() => struct({ i: u8, _: anonymous(union({ i: u32 })) }))).toBe('invalid_name');
    expect(code(() => fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', fields: [{ name: 'i', type: 'u8' }, { type: 'u32' }] } }))).toBe(
      'invalid_name',
    );
    expect(code(() => sizeof(struct({ a: u8, _: anonymous(struct({ b: u16 }, { endian: 'big' })) })))).toBe('invalid_option');
    expect(code(() => target('x86_64-windows-msvc').struct({ a: u8, _: anonymous(union({ b: u16 })) }))).toBe('invalid_option');
    expect(target('x86_64-windows-msvc').struct({ a: u8, _: anonymous(target('x86_64-windows-msvc').union({ b: u16 })) })).toBeDefined();
    // not a record: refused where anonymous() is called, as a type error (it used to pass until used in a struct, as invalid_name)
    for (const x of [5, u32, array(u8, 2), null, {}]) expect(code(() => anonymous(x as never))).toBe('invalid_type');
  });

  it('travel in handles: attach() rebuilds an msvc record with an anonymous member and an enum from its descriptor', () => {
    const win = target('x86_64-windows-msvc');
    const Msg = win.struct({ kind: win.enum({ A: 1, B: 2 }), _: anonymous(win.union({ n: win.long, bits: bits(u8, 3) })), len: win.size_t });
    const m = Msg.create({ kind: 2, n: -5, len: 7n });
    const other = attach(structuredClone(share(m)));
    expect(fingerprint(other.$schema)).toBe(fingerprint(Msg));
    expect(other.toObject()).toEqual({ kind: 2, n: -5, bits: 3, len: 7n });
    expect(code(() => attach(share(m), struct({ kind: i32, n: i32, len: u64 })))).toBe('layout_mismatch');
  });

  it('may hold a lock and a condition over it', () => {
    const S = struct({ n: u32, _: anonymous(struct({ lock: mutex() })) });
    const s = S.create();
    expect(s.lock.acquire()).toBe(true);
    s.lock.release();
    expect(offsetof(S, 'lock')).toBe(4);
  });
});
