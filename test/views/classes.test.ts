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
});
