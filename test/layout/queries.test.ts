import { describe, expect, it } from 'vitest';
import {
  alignof,
  array,
  bits,
  describe as describeLayout,
  f32,
  f64,
  layoutOf,
  offsetof,
  SchemaError,
  sizeof,
  struct,
  u8,
  u16,
  u32,
  union,
} from '../../src/index.js';

const Vertex = struct({ pos: array(f32, 3), id: u32 }, { name: 'Vertex' });
const Mesh = struct({ count: u32, verts: array(Vertex, 4), flags: bits(u16, 3) }, { name: 'Mesh' });

describe('sizeof / alignof / offsetof', () => {
  it('follow paths through structs and arrays', () => {
    expect(sizeof(Mesh)).toBe(4 + 64 + 4);
    expect(alignof(Mesh)).toBe(4);
    expect(offsetof(Mesh, 'verts[2].id')).toBe(4 + 32 + 12);
    expect(offsetof(Mesh, 'verts[3].pos[1]')).toBe(4 + 48 + 4);
    expect(offsetof(array(Vertex, 2), '[1].id')).toBe(28);
    expect(sizeof('q')).toBe(8);
  });
  it('explain bad paths', () => {
    expect(() => offsetof(Mesh, 'verts[4]')).toThrow(RangeError);
    expect(() => offsetof(Mesh, 'vert')).toThrow("struct Mesh: field 'vert' does not exist; the members of struct Mesh are: count, verts, flags");
    expect(() => offsetof(Mesh, 'count.x')).toThrow("struct Mesh: field 'count' is a u32, which has no member 'x'");
    expect(() => offsetof(Mesh, 'flags')).toThrow(
      "struct Mesh: field 'flags' is a bitfield, which has no byte offset; use layoutOf() for its bit offset and width",
    );
    expect(() => offsetof(Mesh, 'a..b')).toThrow(SchemaError);
  });
});

describe('layoutOf', () => {
  it('lists every member with offset, size and bit position', () => {
    const S = struct({ a: u8, f: bits(u16, 4), g: bits(u16, 9) });
    expect(layoutOf(S)).toEqual([
      { path: 'a', type: 'u8', offset: 0, size: 1 },
      { path: 'f', type: 'u16', offset: 0, size: 2, bitOffset: 8, bitWidth: 4 },
      { path: 'g', type: 'u16', offset: 2, size: 2, bitOffset: 0, bitWidth: 9 },
    ]);
  });
  it('guards against huge arrays', () => {
    expect(() => layoutOf(array(u8, 1_000_000))).toThrow(RangeError);
    expect(layoutOf(array(u8, 1_000_000), { maxEntries: 2_000_000 })).toHaveLength(1_000_000);
  });
});

describe('describe', () => {
  it('shows offsets, sizes, bit positions, holes and padding', () => {
    const Item = struct({ tag: u8, x: f64, kind: bits(u16, 4), u: union({ a: u32, b: f32 }, { name: 'U' }) }, { name: 'Item' });
    expect(describeLayout(Item)).toBe(
      [
        'struct Item {  /* size 24, align 8 */',
        '  /*       0      1 */  u8 tag;',
        '                   /* hole: 7 bytes */',
        '  /*       8      8 */  f64 x;',
        '  /*    16:0      2 */  u16 kind : 4;',
        '                   /* hole: 3 bytes */',
        '  /*      20      4 */  u:',
        '    union U {  /* size 4, align 4 */',
        '      /*      20      4 */  u32 a;',
        '      /*      20      4 */  f32 b;',
        '    };',
        '};',
      ].join('\n'),
    );
  });
});
