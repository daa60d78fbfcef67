// Which class a view gets: a class of its own for a large buffer (its DataView a constant on the
// prototype), one shared class for all the small ones, so that code over many small views sees one
// object shape.
import { describe, expect, it } from 'vitest';
import { isGeneric, SPECIALIZE_MAX, SPECIALIZE_MIN_BYTES } from '../../src/codegen/compile.js';
import { array, f64, struct, u32 } from '../../src/index.js';

const P = struct({ x: f64, id: u32 }, { name: 'P' });
const ctorOf = (v: object): Parameters<typeof isGeneric>[0] => Object.getPrototypeOf(v).constructor;

describe('view classes', () => {
  it('small buffers share one class, with the DataView on each view', () => {
    const a = P.create({ x: 1 });
    const b = P.create({ x: 2 });
    expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
    expect(isGeneric(ctorOf(a))).toBe(true);
    expect([a.x, b.x]).toEqual([1, 2]);
  });

  it(`a large buffer gets its own classes (at most ${SPECIALIZE_MAX} live ones per schema), nested views included`, () => {
    const Big = array(P, Math.ceil(SPECIALIZE_MIN_BYTES / 16));
    const big = Big.create();
    expect(isGeneric(ctorOf(big))).toBe(false);
    const el = big.get(3);
    expect(isGeneric(ctorOf(el))).toBe(false);
    el.x = 5;
    expect(big.get(3).x).toBe(5);
    expect(Object.getPrototypeOf(big.get(1))).toBe(Object.getPrototypeOf(el));
    const c = big.cursor();
    expect(c.seek(3).x).toBe(5);
    // Beyond the limit, further large buffers share the generic class: still correct.
    const more = Array.from({ length: SPECIALIZE_MAX + 1 }, () => Big.create());
    expect(more.some((m) => isGeneric(ctorOf(m)))).toBe(true);
    for (const m of more) {
      m.get(7).id = 9;
      expect(m.cursor(7).id).toBe(9);
    }
  });

  it('an array with a class of its own may hold elements of the shared class (the element schema used up its own classes)', () => {
    const Q = struct({ x: f64, id: u32 }, { name: 'Q' });
    const bigs = Array.from({ length: SPECIALIZE_MAX }, () => Q.view(new SharedArrayBuffer(SPECIALIZE_MIN_BYTES)));
    expect(bigs.every((b) => !isGeneric(ctorOf(b)))).toBe(true);
    const list = array(Q, Math.ceil(SPECIALIZE_MIN_BYTES / 16)).create();
    expect(isGeneric(ctorOf(list))).toBe(false);
    expect(isGeneric(ctorOf(list.get(0)))).toBe(true);
    list.get(5).set({ x: 1.5, id: 3 });
    expect(list.cursor(5).toObject()).toEqual({ x: 1.5, id: 3 });
    expect(list.toArray()[5]).toEqual({ x: 1.5, id: 3 });
  });
});
