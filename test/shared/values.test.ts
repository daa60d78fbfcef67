// multiprocessing.sharedctypes parity: RawValue, RawArray, Value, Array, synchronized, copy.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  Array as PyArray,
  array,
  attach,
  copy,
  event,
  mutex,
  semaphore,
  Event,
  f64,
  Lock,
  RawArray,
  RawValue,
  RLock,
  SharedArray,
  share,
  struct,
  synchronized,
  SynchronizedArray,
  SynchronizedValue,
  u32,
  Value,
  type ValueView,
} from '../../src/index.js';
import { codeOf } from '../support/errors.js';
import { run } from '../workers/spawn.js';

describe('RawValue / RawArray', () => {
  it('make unsynchronized views over fresh SharedArrayBuffers', () => {
    const n = RawValue('i', 7);
    expect(n.value).toBe(7);
    expect(n.$buffer).toBeInstanceOf(SharedArrayBuffer);
    expectTypeOf(n).toEqualTypeOf<ValueView<'i32'>>();
    const p = RawValue(struct({ x: f64, y: f64 }), { x: 1 });
    expect(p.toObject()).toEqual({ x: 1, y: 0 });
    const a = RawArray('d', [1.5, 2.5]);
    expect([a.length, a.get(1)]).toEqual([2, 2.5]);
    expect(RawArray('H', 3).toArray()).toEqual([0, 0, 0]);
  });
  it("an array of 'c' is a string, with value and raw, as in Python", () => {
    const s = RawArray('c', 'hello');
    expect(s.value).toBe('hello');
    expect(s.raw).toEqual(new TextEncoder().encode('hello'));
    expect(RawArray('c', 4).raw).toEqual(new Uint8Array(4));
  });
});

describe('RawArray / Array lengths', () => {
  it('a length outside 1 … 2^31 − 1 is refused as array() refuses it (invalid_length), so every array made round-trips through toJSON and attach', () => {
    for (const make of [(n: unknown) => RawArray('B', n as number), (n: unknown) => SharedArray('B', n as number)]) {
      expect(codeOf(() => make(2 ** 31))).toBe('invalid_length');
      expect(codeOf(() => make([]))).toBe('invalid_length');
    }
    const a = RawArray('B', 3);
    expect(attach(share(a)).length).toBe(3);
  });
});

describe('Value', () => {
  it('reads and writes under an RLock that lives in the same buffer', () => {
    const v = Value('i', 5);
    expect(v).toBeInstanceOf(SynchronizedValue);
    expect(v.value).toBe(5);
    v.value = 6;
    expect(v.getLock()).toBeInstanceOf(RLock);
    expect(v.get_lock()).toBe(v.getLock());
    expect(v.getObj().$buffer).toBe(share(v.getLock()).buffer);
    expect(v.update((n) => n * 2)).toBe(12);
    expect(v.getObj().value).toBe(12);
  });
  it('lock: false gives a raw view; a given lock is used', () => {
    expect(Value('d', 1.5, { lock: false }).value).toBe(1.5);
    const lock = new Lock();
    const v = Value('q', 3n, { lock });
    expect(v.getLock()).toBe(lock);
    lock.acquire();
    expect(v.acquire(false)).toBe(false);
    lock.release();
    expect(v.value).toBe(3n);
  });
  it('of a struct: each field access holds the lock', () => {
    const P = struct({ x: f64, id: u32 });
    const v = Value(P, { x: 2 });
    expect(v.x).toBe(2);
    v.id = 4;
    expect(v.toObject()).toEqual({ x: 2, id: 4 });
    v.withLock((p) => {
      p.x += 1; // several steps, one critical section
      p.id += 1;
    });
    expect(v.toObject()).toEqual({ x: 3, id: 5 });
  });
});

describe('Array', () => {
  it('is exported as SharedArray and as Array (Python parity)', () => {
    expect(PyArray).toBe(SharedArray);
    const a = SharedArray('i', [1, 2, 3]);
    expect(a).toBeInstanceOf(SynchronizedArray);
    expect([a.length, a.get(2), a.at(-3)]).toEqual([3, 3, 1]);
    a.set(0, 9);
    expect(a.update(1, (n) => n + 40)).toBe(42);
    expect([...a]).toEqual([9, 42, 3]);
    expect(a.toArray()).toEqual([9, 42, 3]);
  });
  it("of 'c' has value and raw under the lock", () => {
    const s = SharedArray('c', 'abc');
    expect(s.value).toBe('abc');
    s.value = 'xy';
    expect(s.raw).toEqual(new Uint8Array([0x78, 0x79, 0]));
  });
});

describe('synchronized / copy', () => {
  it('synchronized wraps an existing view; copy makes an independent one', () => {
    const raw = RawArray('i', [1, 2]);
    const s = synchronized(raw);
    expect(s.getObj()).toBe(raw);
    const c = copy(s);
    c.set(0, 100);
    expect(raw.get(0)).toBe(1);
    expect(c.toArray()).toEqual([100, 2]);
    expect(() => synchronized({} as never)).toThrow(TypeError);
  });

  it('copy copies the data, not the state of synchronization members: the copy has new ones', () => {
    const Account = struct({ balance: f64, lock: mutex(), slots: semaphore(2), ready: event(), history: array(u32, 3) });
    const Bank = struct({ id: u32, accounts: array(Account, 3) });
    const bank = Bank.create({ id: 7, accounts: [{ balance: 1.5, history: [1, 2, 3] }, { balance: 2.5 }, { balance: 3.5 }] });
    for (const a of [bank.accounts.get(0), bank.accounts.get(2)]) {
      a.lock.acquire(); // held, and the copy's must not be
      a.slots.acquire(); // one of two taken
      a.ready.set();
    }
    const c = copy(bank);
    expect(c.toObject()).toEqual(bank.toObject()); // the data (locks are not data)
    for (let k = 0; k < 3; k++) {
      const a = c.accounts.get(k);
      expect(a.lock.locked()).toBe(false);
      expect(a.lock.acquire(false)).toBe(true);
      expect(a.ready.isSet()).toBe(false);
      expect([a.slots.acquire(false), a.slots.acquire(false), a.slots.acquire(false)]).toEqual([true, true, false]); // its initial count
    }
    expect(bank.accounts.get(0).lock.locked()).toBe(true); // the original is untouched
  });
});

describe('under contention (4 workers)', () => {
  it('Value.update and Array.update lose no increments; v.value += 1 is the documented trap', async () => {
    const counter = Value('i', 0);
    const hist = SharedArray('i', 8);
    const go = new Event();
    const done = Promise.all(
      Array.from({ length: 4 }, () => run('valueUpdates', { counter: share(counter), hist: share(hist), iterations: 5000, start: go.place })),
    );
    go.set();
    expect(await done).toEqual(['RLock', 'RLock', 'RLock', 'RLock']);
    expect(counter.value).toBe(20_000);
    expect(hist.toArray().reduce((s, n) => s + n, 0)).toBe(20_000);
  });
});
