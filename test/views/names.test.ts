// Field names against the views' own members: any C identifier either works as a field everywhere
// (read, write, set(), toObject(), JSON, cursors, share/attach) or is refused when the schema is
// made. The names checked are every member the view classes actually have, collected from them, so
// that a member added later is checked too.
import { describe, expect, it } from 'vitest';
import { array, attach, SchemaError, share, struct, u8, u32 } from '../../src/index.js';

const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every string-named member along an object's prototype chain (Object.prototype's included). */
function membersOf(obj: object): Set<string> {
  const names = new Set<string>();
  for (let p: object | null = obj; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    for (const n of Object.getOwnPropertyNames(p)) if (C_IDENTIFIER.test(n)) names.add(n);
  }
  return names;
}

const Sample = struct({ a: u8, b: u32 }, { name: 'Sample' });
const samples = [Sample.create(), array(Sample, 2).create(), array(Sample, 2).create().cursor(), array(u8, 2).create(), array(u8, 2).create().cursor()];
const NAMES = [...new Set(samples.flatMap((s) => [...membersOf(s)]))].filter((n) => n !== 'a' && n !== 'b').sort();

describe('field names that views also use', () => {
  it(`checks ${NAMES.length} member names of record, array and cursor views`, () => {
    expect(NAMES).toEqual(expect.arrayContaining(['toObject', 'set', 'seek', 'index', 'get', 'length', 'cursor', 'toJSON', 'constructor', 'valueOf']));
  });

  for (const name of NAMES) {
    it(`a field named '${name}' works everywhere or is refused when the schema is made`, () => {
      let S: ReturnType<typeof struct>;
      try {
        S = struct({ [name]: u32, other: u8 }, { name: 'S' });
      } catch (e) {
        expect(e).toBeInstanceOf(SchemaError);
        expect((e as SchemaError).message).toContain(`field '${name}'`);
        return;
      }
      const v = S.create() as unknown as Record<string, unknown> & { set(o: object): void; toObject(): Record<string, unknown> };
      v[name] = 7;
      expect(v[name]).toBe(7);
      v.set({ [name]: 9, other: 1 });
      expect(v.toObject()).toEqual({ [name]: 9, other: 1 });
      expect(JSON.parse(JSON.stringify(v))).toEqual({ [name]: 9, other: 1 });
      const list = array(S, 3).create();
      list.get(2).set({ [name]: 11 } as never);
      const c = list.cursor() as unknown as Record<string, unknown> & { $seek(i: number): unknown; $index: number };
      c.$seek(2);
      expect(c.$index).toBe(2);
      expect(c[name]).toBe(11); // the field, even where a cursor has a member of that name
      c[name] = 12;
      expect((list.get(2) as unknown as Record<string, unknown>)[name]).toBe(12);
      const back = attach(share(list), array(S, 3)).get(2) as unknown as Record<string, unknown>;
      expect(back[name]).toBe(12);
    });
  }

  it('cursors over elements without such fields keep seek and index', () => {
    const c = array(Sample, 4).create().cursor();
    expect(c.seek(3).index).toBe(3);
    expect(c.$seek(1).$index).toBe(1);
  });
});
