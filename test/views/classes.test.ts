// Which class a view gets: one per structure and mode, whatever the buffer and however the schema
// was built, so that a call site sees one object shape per schema (a buffer per job, a schema
// built per job, many small views).
import { describe, expect, it } from 'vitest';
import { array, attach, char, f32, f64, fromJSON, layout, share, struct, toJSON, u32, u8, union } from '../../src/index.js';

const P = struct({ x: f64, id: u32 }, { name: 'P' });
const protoOf = (v: object): object => Object.getPrototypeOf(v) as object;

describe('view classes', () => {
  it('views of any buffer, small or large, share one class per schema, nested views included', () => {
    const a = P.create({ x: 1 });
    const b = P.view(new SharedArrayBuffer(1 << 20), 4096);
    expect(protoOf(a)).toBe(protoOf(b));
    const arrays = [0, 1, 2, 3].map(() => array(P, 5000).create());
    for (const arr of arrays) {
      expect(protoOf(arr)).toBe(protoOf(arrays[0] as object));
      expect(protoOf(arr.get(3))).toBe(protoOf(a));
      expect(protoOf(arr.cursor(1))).toBe(protoOf(arrays[0]?.cursor(2) as object));
    }
    arrays[2]?.get(7).set({ x: 2.5, id: 9 });
    expect(arrays[2]?.cursor(7).toObject()).toEqual({ x: 2.5, id: 9 });
    expect(arrays[1]?.get(7).toObject()).toEqual({ x: 0, id: 0 });
  });

  it('equal schemas built separately share the layout and the class', () => {
    const make = () => array(struct({ x: f64, id: u32, tag: char(4), u: union({ a: u8, b: f32 }) }, { name: 'P' }), 10);
    const [s1, s2] = [make(), make()];
    expect(s1).not.toBe(s2);
    expect(layout(s2)).toBe(layout(s1));
    const [v1, v2] = [s1.create(), s2.create()];
    expect(protoOf(v2)).toBe(protoOf(v1));
    expect(protoOf(v2.get(0).u)).toBe(protoOf(v1.get(0).u));
    // Rebuilt from JSON and attached per job: still the same class.
    const rebuilt = fromJSON(JSON.parse(JSON.stringify(toJSON(s1))));
    expect(layout(rebuilt)).toBe(layout(s1));
    expect(protoOf(attach(share(v1)))).toBe(protoOf(v1));
    expect(protoOf(attach(share(v1), make()))).toBe(protoOf(v1));
  });

  it('schemas that differ in anything a view shows get different classes', () => {
    const base = struct({ x: f64, id: u32 }, { name: 'Q' });
    const variants = [
      struct({ x: f64, id: u32 }, { name: 'Q2' }), // name (error messages say it)
      struct({ x: f64, id: u32 }, { name: 'Q', pack: 4 }),
      struct({ x: f64, id: u32 }, { name: 'Q', endian: 'big' }),
      struct({ x: f64, ident: u32 }, { name: 'Q' }),
      struct({ x: f32, id: u32 }, { name: 'Q' }),
      union({ x: f64, id: u32 }, { name: 'Q' }),
    ];
    for (const v of variants) {
      // (Identity compared by hand: matchers would read the prototypes' accessors to print them.)
      expect(layout(v) === layout(base)).toBe(false);
      expect(protoOf(v.create()) === protoOf(base.create())).toBe(false);
    }
  });
});
