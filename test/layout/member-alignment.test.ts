// aligned(type, n): C `T name __attribute__((aligned(n)))`. The expected numbers are gcc's
// (x86-64); the fixtures (member-aligned-* and random cases) check many more against gcc itself.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  aligned,
  alignof,
  array,
  atomic,
  bits,
  char,
  describe as describeLayout,
  f64,
  fingerprint,
  fromJSON,
  i32,
  type Infer,
  type RecordJSON,
  mutex,
  offsetof,
  SchemaError,
  sizeof,
  struct,
  toC,
  toCtypes,
  toJSON,
  u8,
  u16,
  u64,
  union,
} from '../../src/index.js';

describe('aligned(type, n) members', () => {
  it('start at a multiple of n and raise the record alignment; the member keeps its size', () => {
    const A = struct({ c: u8, x: aligned(i32, 16), d: u8 });
    expect([sizeof(A), alignof(A), offsetof(A, 'x'), offsetof(A, 'd')]).toEqual([32, 16, 16, 20]);
    const L = struct({ c: u8, x: aligned(u64, 64), e: aligned(array(u8, 2), 4) });
    expect([sizeof(L), alignof(L), offsetof(L, 'x'), offsetof(L, 'e')]).toEqual([128, 64, 64, 72]);
    const F = struct({ c: u8, arr: aligned(array(u8, 3), 8), d: u8 });
    expect([sizeof(F), alignof(F), offsetof(F, 'arr'), offsetof(F, 'd')]).toEqual([16, 8, 8, 11]);
    const U = union({ c: u8, x: aligned(i32, 32) });
    expect([sizeof(U), alignof(U)]).toEqual([32, 32]);
    const M = struct({ l: L, z: u8 });
    expect([sizeof(M), alignof(M), offsetof(M, 'z')]).toEqual([192, 64, 128]);
  });

  it('an alignment below the type’s own changes nothing, as in C', () => {
    const E = struct({ c: u8, x: aligned(i32, 2), y: aligned(u64, 1) });
    expect([sizeof(E), alignof(E), offsetof(E, 'x'), offsetof(E, 'y')]).toEqual([16, 8, 4, 8]);
  });

  it('pack caps it, as #pragma pack does', () => {
    const B = struct({ c: u8, x: aligned(i32, 16), d: u8 }, { pack: 2 });
    expect([sizeof(B), alignof(B), offsetof(B, 'x'), offsetof(B, 'd')]).toEqual([8, 2, 2, 6]);
    const B1 = struct({ c: u8, x: aligned(i32, 16), d: u8 }, { pack: 1 });
    expect([sizeof(B1), alignof(B1), offsetof(B1, 'd')]).toEqual([6, 1, 5]);
    const G = struct({ c: u8, x: aligned(f64, 16) }, { pack: 4 });
    expect([sizeof(G), alignof(G), offsetof(G, 'x')]).toEqual([12, 4, 4]);
    const K = struct({ c: u8, x: aligned(u8, 64) }, { pack: 8 });
    expect([sizeof(K), alignof(K), offsetof(K, 'x')]).toEqual([16, 8, 8]);
  });

  it('read and write like any member; lock members and atomics work on aligned words', () => {
    const Counters = struct({ guard: aligned(mutex(), 64), produced: aligned(u64, 64), consumed: aligned(u64, 64), tag: char(4) });
    expect([offsetof(Counters, 'produced'), offsetof(Counters, 'consumed'), sizeof(Counters)]).toEqual([64, 128, 192]);
    const c = Counters.create({ produced: 5n, tag: 'ab' });
    atomic(c, 'consumed').add(3n);
    c.guard.withLock(() => {
      c.produced += 1n;
    });
    expect(c.toObject()).toMatchObject({ produced: 6n, consumed: 3n, tag: 'ab' });
    const bytes = new DataView(c.$buffer, c.$byteOffset);
    expect(bytes.getBigUint64(64, true)).toBe(6n);
    expect(bytes.getBigUint64(128, true)).toBe(3n);
  });

  it('infer the member’s own type', () => {
    const S = struct({ a: aligned(u16, 8), b: aligned('d', 16), c: aligned(array(u8, 2), 4) });
    expectTypeOf<Infer<typeof S>>().toEqualTypeOf<{ a: number; b: number; c: number[] }>();
  });

  it('travel through toJSON/fromJSON, and count in the fingerprint', () => {
    const S = struct({ c: u8, x: aligned(i32, 16) }, { name: 'S' });
    const json = toJSON(S);
    expect((json.types?.['S'] as RecordJSON | undefined)?.fields[1]).toEqual({ name: 'x', type: 'i32', align: 16 });
    const back = fromJSON(json);
    expect(sizeof(back)).toBe(32);
    expect(fingerprint(back)).toBe(fingerprint(S));
    expect(fingerprint(struct({ c: u8, x: i32 }, { name: 'S' }))).not.toBe(fingerprint(S));
    const bad = { ...json, types: { S: { kind: 'struct', name: 'S', fields: [{ name: 'x', type: 'i32', align: '16' }] } } };
    expect(() => fromJSON(bad)).toThrow(/fields\[0\]\.align.*expected a number/);
  });

  it('are emitted as __attribute__((aligned(n))) for C, and as padding plus _align_ for ctypes', () => {
    const S = struct({ c: u8, x: aligned(u64, 64), d: u8 }, { name: 'S' });
    expect(toC(S)).toContain('  uint64_t x __attribute__((aligned(64)));');
    const py = toCtypes(S);
    expect(py).toContain('    _align_ = 64  # Python 3.13+');
    expect(py).toContain("        ('_align_pad_0', ctypes.c_char * 63),  # C: aligned(64)\n        ('x', ctypes.c_uint64),");
    expect(describeLayout(S)).toContain('u64 x;  /* aligned(64) */');
  });

  it('reject an alignment that is not a power of two, and aligned bitfields', () => {
    for (const n of [0, 3, 2 ** 17, 1.5, Number.NaN]) {
      expect(() => struct({ x: aligned(u8, n) })).toThrow(SchemaError);
    }
    expect(() => struct({ x: aligned(u8, 3) })).toThrow(
      "struct (anonymous): field 'x' has aligned(…, number 3); the alignment is a power of two from 1 to 65536",
    );
    expect(() => struct({ x: aligned(bits(u8, 3) as never, 4) })).toThrow("struct (anonymous): field 'x' is an aligned bitfield");
  });
});
