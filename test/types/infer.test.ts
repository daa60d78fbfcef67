// Static types inferred from schemas, pinned. `npm test` type-checks this file (tsc), and
// vitest runs it, so a wrong inference fails the build.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  array,
  bits,
  bool,
  char,
  f32,
  f64,
  i64,
  struct,
  u8,
  u16,
  u64,
  union,
  unnamed,
  type ArrayView,
  type CharView,
  type Infer,
  type Input,
  type ValueView,
} from '../../src/index.js';

const Vec3 = struct({ x: f32, y: f32, z: f32 });
const Body = struct({
  pos: Vec3,
  path: array(Vec3, 4),
  grid: array(u8, [2, 3]),
  mass: f64,
  id: u64,
  name: char(8),
  alive: bool,
  kind: bits(u16, 4),
  _pad: unnamed(u16, 0),
  code: 'i',
  ratio: 'd',
  u: union({ a: i64, b: f64 }),
});

describe('Infer', () => {
  it('gives the plain value type', () => {
    expectTypeOf<Infer<typeof Body>>().toEqualTypeOf<{
      pos: { x: number; y: number; z: number };
      path: { x: number; y: number; z: number }[];
      grid: number[][];
      mass: number;
      id: bigint;
      name: string;
      alive: boolean;
      kind: number;
      code: number;
      ratio: number;
      u: { a: bigint; b: number };
    }>();
    expectTypeOf<Infer<'q'>>().toEqualTypeOf<bigint>();
    expectTypeOf<Infer<typeof u8>>().toEqualTypeOf<number>();
  });

  it('Input accepts numbers for 64-bit fields, ArrayLike for arrays, and partial structs', () => {
    expectTypeOf<Input<typeof Vec3>>().toEqualTypeOf<{ x?: number; y?: number; z?: number }>();
    expectTypeOf<Input<typeof u64>>().toEqualTypeOf<bigint | number>();
    const V3 = array(f32, 3);
    expectTypeOf<Input<typeof V3>>().toEqualTypeOf<ArrayLike<number>>();
  });
});

describe('views', () => {
  const b = Body.create();
  it('scalars are read-write properties; aggregates are views', () => {
    expectTypeOf(b.mass).toEqualTypeOf<number>();
    expectTypeOf(b.id).toEqualTypeOf<bigint>();
    expectTypeOf(b.name).toEqualTypeOf<string>();
    expectTypeOf(b.alive).toEqualTypeOf<boolean>();
    expectTypeOf(b.pos.x).toEqualTypeOf<number>();
    expectTypeOf(b.path).toEqualTypeOf<ArrayView<typeof Vec3>>();
    expectTypeOf(b.path.get(0).y).toEqualTypeOf<number>();
    expectTypeOf(b.grid.get(0).get(1)).toEqualTypeOf<number>();
    expectTypeOf(b.u.a).toEqualTypeOf<bigint>();
    expectTypeOf(b.toObject()).toEqualTypeOf<Infer<typeof Body>>();
    // @ts-expect-error unnamed bitfields are not fields of the view
    void b._pad;
    // @ts-expect-error nested views are read-only properties (assign through set())
    b.pos = Vec3.create();
    expect(() => {
      // @ts-expect-error unknown fields are compile errors in set() (and TypeErrors at run time)
      b.set({ nope: 1 });
    }).toThrow(TypeError);
  });
  it('standalone primitive and char views', () => {
    expectTypeOf(u64.create()).toEqualTypeOf<ValueView<'u64'>>();
    expectTypeOf(char(4).create()).toEqualTypeOf<CharView<4>>();
    expectTypeOf(char(4).create().raw).toEqualTypeOf<Uint8Array>();
  });
  it('cursors have the element members plus seek/index', () => {
    const c = b.path.cursor();
    expectTypeOf(c.seek(1).x).toEqualTypeOf<number>();
    expectTypeOf(c.index).toEqualTypeOf<number>();
  });
});
