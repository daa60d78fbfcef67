// Field names against the synchronized wrappers' own members (getLock, release, withLock, …):
// the library never reaches the lock or the view through a name a field can shadow, so a struct
// with such a field works through Value()/synchronized(), share/attach and copy; on that wrapper
// the name means the field (as in Python), and $lock / $obj always reach the lock and the view.
import { describe, expect, it } from 'vitest';
import { attach, copy, SchemaError, share, struct, u8, u32, Value } from '../../src/index.js';

const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function membersOf(obj: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = obj; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const n of Object.getOwnPropertyNames(p)) if (C_IDENTIFIER.test(n)) names.add(n);
  }
  return [...names].sort();
}

const NAMES = membersOf(Value(struct({ a: u8 }), { a: 1 })).filter((n) => n !== 'a');

describe('field names that synchronized wrappers also use', () => {
  it(`checks ${NAMES.length} wrapper member names`, () => {
    expect(NAMES).toEqual(expect.arrayContaining(['getLock', 'getObj', 'get_lock', 'get_obj', 'acquire', 'release', 'withLock', 'withLockAsync', 'hold']));
  });

  for (const name of NAMES) {
    it(`a field named '${name}' works through Value(), share/attach and copy`, () => {
      let S: ReturnType<typeof struct>;
      try {
        S = struct({ [name]: u32, other: u8 }, { name: 'S' });
      } catch (e) {
        expect(e).toBeInstanceOf(SchemaError); // a view member (toObject, set): refused for every view
        return;
      }
      const w = Value(S, { [name]: 5, other: 1 } as never) as unknown as Record<string, unknown> & {
        $lock: { locked(): boolean; withLock<T>(f: () => T): T };
        $obj: Record<string, unknown>;
      };
      expect(w[name]).toBe(5); // the field, read under the lock
      w[name] = 6;
      expect(w.$obj[name]).toBe(6);
      expect(w.$lock.locked()).toBe(false);
      expect(w.$lock.withLock(() => w.$obj[name])).toBe(6);
      const back = attach(share(w as never)) as unknown as Record<string, unknown> & { $lock: unknown };
      expect(back[name]).toBe(6);
      expect(back.$lock).toBeDefined();
      const c = copy(w as never) as unknown as Record<string, unknown>;
      expect(c[name]).toBe(6);
      expect(JSON.parse(JSON.stringify(w))).toEqual({ [name]: 6, other: 1 });
    });
  }
});
