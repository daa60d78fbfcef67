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
  type ViewOf,
  attach,
  attachAll,
  share,
  shareAll,
  SynchronizedValue,
  Value,
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
  it('a cursor over elements with fields named seek or index keeps the fields; $seek/$index always move', () => {
    const Entry = struct({ index: u16, seek: f64 });
    const c = array(Entry, 3).create().cursor();
    expectTypeOf(c.index).toEqualTypeOf<number>(); // the field
    expectTypeOf(c.seek).toEqualTypeOf<number>(); // the field
    expectTypeOf(c.$seek(2).$index).toEqualTypeOf<number>();
  });
});

describe('what attach and attachAll give', () => {
  const Particles = array(struct({ x: f32 }), 10);
  it('attachAll over untyped worker data types the views it was given schemas for', () => {
    // biome-ignore lint/suspicious/noExplicitAny: what a worker's workerData is typed as
    const workerData: any = shareAll({ particles: Particles.create(), n: Value('i', 0) });
    const { particles, n } = attachAll(workerData, { particles: Particles });
    expectTypeOf(particles).toEqualTypeOf<ViewOf<typeof Particles>>();
    expectTypeOf(n).toEqualTypeOf<unknown>();
    expect(particles.length).toBe(10);
  });
  it('attach(h, schema) of a shared Value is a synchronized value, as at run time', () => {
    const v = attach(share(Value('i', 0)), 'i');
    expectTypeOf(v).toEqualTypeOf<SynchronizedValue<number, number, ValueView<'i32'>>>();
    expect(v).toBeInstanceOf(SynchronizedValue);
    expect(v.update((x) => x + 1)).toBe(1);
  });
  it('attachAll over typed handles: schema-typed where given, what was shared elsewhere', () => {
    const all = attachAll(shareAll({ p: Particles.create(), n: Value('i', 0) }), { p: Particles });
    expectTypeOf(all.p).toEqualTypeOf<ViewOf<typeof Particles>>();
    expectTypeOf(all.n.update).toBeFunction();
  });
});
