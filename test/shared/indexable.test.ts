import { describe, expect, expectTypeOf, it } from 'vitest';
import { array, Condition, Event, f64, indexable, RawArray, SharedArray, struct, u32 } from '../../src/index.js';

describe('indexable()', () => {
  it('gives Python-style a[i], a[-1] and a[i] = v over an array view', () => {
    const a = indexable(RawArray('d', [1, 2, 3]));
    a[0] = 10;
    expect([a[0], a[1], a[-1], a.length]).toEqual([10, 2, 3, 3]);
    expect(0 in a && !(3 in a)).toBe(true);
    expect([...a]).toEqual([10, 2, 3]);
    expect(a.toArray()).toEqual([10, 2, 3]);
    expect(() => a[3]).toThrow(RangeError);
    expectTypeOf(a[0]).toEqualTypeOf<number>();
  });
  it('works with synchronized arrays (each access locked) and arrays of structs', () => {
    const h = indexable(SharedArray('i', 4));
    h[2] = 7;
    expect(h.toArray()).toEqual([0, 0, 7, 0]);
    expect(h.getLock().locked()).toBe(false);
    const ps = indexable(array(struct({ x: f64, id: u32 }), 2).create());
    ps[1]!.id = 5; // (noUncheckedIndexedAccess: index signatures may be undefined)
    expect(ps[-1]?.id).toBe(5);
  });
  it('refuses what is not an array', () => {
    expect(() => indexable({} as never)).toThrow(TypeError);
  });
});

describe('Python spellings', () => {
  it('notify_all, wait_for, is_set, n_waiting', () => {
    const c = new Condition();
    c.acquire();
    c.notify_all();
    expect(c.wait_for(() => 1)).toBe(1);
    c.release();
    expect(new Event().is_set()).toBe(false);
  });
});
