// How views show themselves: console.log / util.inspect print the type and the data (a bounded
// preview), JSON.stringify gives the data, never the view's internals.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  array,
  Barrier,
  BoundedSemaphore,
  char,
  Condition,
  create,
  Event,
  f64,
  Lock,
  mutex,
  RLock,
  Semaphore,
  struct,
  u8,
  u64,
  Value,
} from '../../src/index.js';

const P = struct({ x: f64, id: u64, name: char(8), tags: array(u8, 3), guard: mutex() }, { name: 'Particle' });

describe('views in console.log and JSON', () => {
  it('a struct view prints its type and fields, not $$o/$$d', () => {
    const p = P.create({ x: 1.5, id: 2n ** 60n, name: 'ada', tags: [1, 2, 3] });
    const text = inspect(p);
    expect(text).toMatch(/^struct Particle \{/);
    expect(text).toContain("name: 'ada'");
    expect(text).toContain('id: 1152921504606846976n');
    expect(text).toContain('tags: [ 1, 2, 3 ]');
    expect(text).not.toContain('$$');
  });

  it('JSON.stringify gives the data, 64-bit integers as decimal strings, locks left out', () => {
    const p = P.create({ x: 1.5, id: 2n ** 60n, name: 'ada', tags: [1, 2, 3] });
    expect(JSON.parse(JSON.stringify(p))).toEqual({ x: 1.5, id: '1152921504606846976', name: 'ada', tags: [1, 2, 3] });
    expect(JSON.stringify(create('Q', 5n))).toBe('"5"');
    expect(JSON.stringify(create(char(4), 'ab'))).toBe('"ab"');
    expect(JSON.stringify({ list: array(u8, 2).create([7, 8]) })).toBe('{"list":[7,8]}');
  });

  it('a large array prints a bounded preview, whatever its length', () => {
    const big = array(P, 100_000).create();
    big.get(1).x = 2;
    const text = inspect(big);
    expect(text).toMatch(/^struct Particle\[100000\] \[/);
    expect(text).toContain('99900 more items');
    expect(text.length).toBeLessThan(20_000);
    expect(inspect(big, { maxArrayLength: 2 })).toContain('99998 more items');
    expect(inspect({ nested: { deeper: { big } } }, { depth: 1 })).toContain('[Object]');
    expect(inspect({ big }, { depth: 0 })).toBe('{ big: [struct Particle[100000]] }');
  });
});

describe('synchronized values and locks in console.log and JSON', () => {
  it('a Value prints and serialises its data', () => {
    const v = Value('i', 5);
    expect(inspect(v)).toBe('Synchronized(i32 5)');
    expect(JSON.stringify(v)).toBe('5');
    const w = Value(struct({ n: u8, big: u64 }, { name: 'C' }), { n: 1, big: 2n });
    expect(inspect(w)).toBe('Synchronized(struct C { n: 1, big: 2n })');
    expect(JSON.stringify(w)).toBe('{"n":1,"big":"2"}');
  });

  it('a Value whose lock another holder has prints without waiting, and says so', () => {
    const v = Value('i', 5, { lock: new Lock() });
    v.$lock.acquire();
    expect(inspect(v)).toBe('Synchronized(i32 5) (lock busy: read as is)');
    v.$lock.release();
  });

  it('locks and the other primitives print their state', () => {
    const l = new Lock();
    l.acquire();
    expect(inspect(l)).toBe('Lock { locked: true }');
    expect(JSON.stringify(l)).toBe('{"locked":true}');
    const r = new RLock();
    r.acquire();
    expect(inspect(r)).toBe('RLock { locked: true, ownedHere: true }');
    expect(inspect(new Semaphore(3))).toBe('Semaphore { value: 3 }');
    expect(inspect(new BoundedSemaphore(2))).toBe('BoundedSemaphore { value: 2 }');
    expect(inspect(new Event())).toBe('Event { set: false }');
    expect(inspect(new Barrier(4))).toBe('Barrier { parties: 4, waiting: 0, broken: false }');
    expect(inspect(new Condition(new Lock()))).toBe('Condition { lock: Lock { locked: false } }');
  });
});
