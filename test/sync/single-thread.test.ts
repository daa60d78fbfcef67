// Semantics of the synchronization primitives within one thread (Python's rules).
import { describe, expect, it } from 'vitest';
import { Barrier, BoundedSemaphore, BrokenBarrierError, Condition, Event, errorCode, Lock, RLock, Semaphore, SyncError } from '../../src/index.js';
import { runModule } from '../support/script.js';
import { thrown } from '../support/errors.js';

describe('Lock', () => {
  it('acquire/release/locked, non-blocking and timed acquisition', () => {
    const l = new Lock();
    expect(l.locked()).toBe(false);
    expect(l.acquire()).toBe(true);
    expect(l.locked()).toBe(true);
    expect(l.acquire(false)).toBe(false);
    const t = performance.now();
    expect(l.acquire(true, 30)).toBe(false);
    expect(performance.now() - t).toBeGreaterThanOrEqual(25);
    l.release();
    expect(l.locked()).toBe(false);
  });
  it('releasing a free lock is a SyncError', () => {
    expect(() => new Lock().release()).toThrow(SyncError);
    expect(() => new Lock().release()).toThrow('Lock.release(): the lock is not held');
  });
  it('withLock releases on throw; hold() works with using', () => {
    const l = new Lock();
    expect(() =>
      l.withLock(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(l.locked()).toBe(false);
    {
      using _held = l.hold();
      expect(l.locked()).toBe(true);
    }
    expect(l.locked()).toBe(false);
  });
  it('lives at a place in a shared buffer; two objects on the same place are the same lock', () => {
    const sab = new SharedArrayBuffer(16);
    const a = new Lock({ buffer: sab, byteOffset: 8 });
    const b = new Lock({ buffer: sab, byteOffset: 8 });
    a.acquire();
    expect(b.locked()).toBe(true);
    expect(new Int32Array(sab)[2]).toBe(1);
    b.release();
    expect(a.locked()).toBe(false);
    expect(() => new Lock({ buffer: sab, byteOffset: 6 })).toThrow(RangeError);
    expect(() => new Lock({ buffer: sab, byteOffset: 16 })).toThrow(RangeError);
    expect(() => new Lock({ buffer: new ArrayBuffer(4) })).toThrow(TypeError);
    // the codes Values give for the same offsets: not a whole number ≥ 0, then not a multiple of 4
    const codeOf = (byteOffset: unknown): string | undefined => {
      try {
        new Lock({ buffer: sab, byteOffset: byteOffset as number });
      } catch (e) {
        return errorCode(e);
      }
      return undefined;
    };
    expect([-4, 4.5, Number.NaN, '8', 6, 16].map(codeOf)).toEqual([
      'invalid_argument',
      'invalid_argument',
      'invalid_argument',
      'invalid_argument',
      'misaligned',
      'out_of_bounds',
    ]);
  });
  it('acquireAsync resolves when free, and false on timeout', async () => {
    const l = new Lock();
    expect(await l.acquireAsync()).toBe(true);
    expect(await l.acquireAsync(20)).toBe(false);
    l.release();
  });
});

describe('RLock', () => {
  it('refuses to re-enter beyond what its depth word holds instead of wrapping around (and freeing itself)', () => {
    const sab = new SharedArrayBuffer(12);
    const r = new RLock({ buffer: sab });
    r.acquire();
    new Int32Array(sab)[1] = 2 ** 31 - 1; // the depth word (documented layout), as after 2^31 − 1 acquisitions
    expect(() => r.acquire()).toThrow('RLock.acquire: re-entered 2147483647 times, the most its depth word holds');
    expect(new Int32Array(sab)[1]).toBe(2 ** 31 - 1);
    expect(r.isOwned()).toBe(true);
    new Int32Array(sab)[1] = 1;
    r.release();
    expect(r.locked()).toBe(false);
  });
  it('is re-entrant and counts releases', () => {
    const r = new RLock();
    r.acquire();
    r.acquire();
    r.release();
    expect(r.locked()).toBe(true);
    r.release();
    expect(r.locked()).toBe(false);
    expect(() => r.release()).toThrow(SyncError);
  });
});

describe('Semaphore', () => {
  it('counts, blocks at zero and times out', () => {
    const s = new Semaphore(2);
    expect(s.acquire()).toBe(true);
    expect(s.acquire()).toBe(true);
    expect(s.value).toBe(0);
    expect(s.acquire(false)).toBe(false);
    expect(s.acquire(true, 10)).toBe(false);
    s.release(2);
    expect(s.value).toBe(2);
  });
  it('zeroed memory is a semaphore at its initial value', () => {
    const sab = new SharedArrayBuffer(4);
    expect(new Semaphore(5, { buffer: sab }).value).toBe(5);
  });
  it('release(n) validates n and never lets the word wrap around (Semaphore(0).release(2**31) used to block every acquire)', () => {
    const s = new Semaphore(0);
    expect(() => s.release(2 ** 31)).toThrow(RangeError);
    expect(() => s.release(2 ** 31)).toThrow('Semaphore.release: n = 2147483648 is not a whole number from 1 to 2^31 − 1');
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => s.release(bad)).toThrow(RangeError);
    expect(s.value).toBe(0);
    s.release(2 ** 31 - 1);
    expect(s.value).toBe(2 ** 31 - 1);
    expect(() => s.release()).toThrow('Semaphore.release: would raise the value to 2147483648, above the most a semaphore holds (2^31 − 1)');
    expect(s.value).toBe(2 ** 31 - 1); // unchanged
    expect(s.acquire(false)).toBe(true);
    expect(s.value).toBe(2 ** 31 - 2);
    const five = new Semaphore(5);
    expect(() => five.release(2 ** 31 - 5)).toThrow(RangeError);
    expect(five.value).toBe(5);
    five.release(2 ** 31 - 6);
    expect(five.value).toBe(2 ** 31 - 1);
    expect(() => new BoundedSemaphore(1).release(2 ** 31)).toThrow('BoundedSemaphore.release: n = 2147483648 is not a whole number');
  });
  it('BoundedSemaphore refuses to rise above its bound', () => {
    const b = new BoundedSemaphore(1);
    expect(() => b.release()).toThrow(RangeError);
    b.acquire();
    b.release();
    expect(b.value).toBe(1);
  });
});

describe('Event', () => {
  it('set, clear, wait with timeout', async () => {
    const e = new Event();
    expect(e.wait(10)).toBe(false);
    e.set();
    expect(e.isSet()).toBe(true);
    expect(e.wait()).toBe(true);
    expect(await e.waitAsync()).toBe(true);
    e.clear();
    expect(await e.waitAsync(10)).toBe(false);
  });
});

describe('Event pulses and checked arguments', () => {
  it('a waiter that was waiting when set() ran returns true even if clear() followed at once (Python: set() wakes every waiter)', async () => {
    const ev = new Event();
    const waiting = ev.waitAsync(10_000); // reads the word now, then waits
    ev.set();
    ev.clear();
    expect(await waiting).toBe(true);
    expect(ev.isSet()).toBe(false);
    // A waiter that starts after the pulse waits for the next set().
    expect(ev.wait(0)).toBe(false);
    ev.set();
    ev.set(); // a set event stays set
    expect([ev.isSet(), ev.wait(0)]).toEqual([true, true]);
    ev.clear();
    expect(ev.isSet()).toBe(false);
    // A word written by an older version (1: set) reads as set.
    const old = new Int32Array(new SharedArrayBuffer(4));
    old[0] = 1;
    expect(new Event({ buffer: old.buffer as SharedArrayBuffer, byteOffset: 0 }).isSet()).toBe(true);
  });

  it('Condition.notify(n) takes a whole number ≥ 0 or Infinity; a Condition takes a Lock or an RLock', () => {
    const c = new Condition();
    c.withLock(() => {
      for (const n of [Number.NaN, -1, 1.5, 'all']) expect(errorCode(thrown(() => c.notify(n as number))), String(n)).toBe('invalid_argument');
      c.notify(0);
      c.notify(Infinity);
    });
    for (const lock of [{}, 42, null, new Semaphore(1)]) expect(errorCode(thrown(() => new Condition(lock as never))), String(lock)).toBe('invalid_argument');
    expect(new Condition(new Lock()).lock).toBeInstanceOf(Lock);
  });
});

describe('Condition', () => {
  it('wait and notify need the lock', () => {
    const c = new Condition();
    expect(() => c.wait(1)).toThrow(SyncError);
    expect(() => c.notify()).toThrow('Condition.notify(): the lock is not held; acquire it first');
  });
  it('wait times out and re-acquires; waitFor returns the predicate', () => {
    const c = new Condition(new Lock());
    c.acquire();
    expect(c.wait(10)).toBe(false);
    expect(c.lock.locked()).toBe(true);
    expect(c.waitFor(() => 0, 10)).toBe(0);
    expect(c.waitFor(() => 'yes')).toBe('yes');
    c.release();
  });
  it('with an RLock held twice, wait releases fully and restores the depth', () => {
    const r = new RLock();
    const c = new Condition(r);
    r.acquire();
    r.acquire();
    expect(c.wait(5)).toBe(false);
    r.release();
    expect(r.isOwned()).toBe(true);
    r.release();
    expect(r.locked()).toBe(false);
  });
});

describe('Barrier', () => {
  it('one party passes at once; action runs; abort breaks; reset mends', () => {
    let runs = 0;
    const b = new Barrier(1, { action: () => runs++ });
    expect(b.wait()).toBe(0);
    expect(b.wait()).toBe(0);
    expect(runs).toBe(2);
    b.abort();
    expect(b.broken).toBe(true);
    expect(() => b.wait()).toThrow(BrokenBarrierError);
    b.reset();
    expect(b.wait()).toBe(0);
  });
  it('a timeout breaks it', () => {
    const b = new Barrier(2);
    expect(() => b.wait(10)).toThrow(BrokenBarrierError);
    expect(b.broken).toBe(true);
  });
  it('nWaiting counts the waiters of the round, and is 0 once broken (Python: n_waiting)', async () => {
    const b = new Barrier(3);
    const first = b.waitAsync();
    const second = b.waitAsync();
    expect(b.nWaiting).toBe(2);
    b.abort();
    expect(b.n_waiting).toBe(0);
    await expect(first).rejects.toThrow(BrokenBarrierError);
    await expect(second).rejects.toThrow(BrokenBarrierError);
    b.reset();
    expect(b.nWaiting).toBe(0);
    const again = b.waitAsync();
    expect(b.nWaiting).toBe(1);
    b.abort();
    await expect(again).rejects.toThrow(BrokenBarrierError);
  });
  it('passes rounds across the wrap of its 16-bit generation', () => {
    const sab = new SharedArrayBuffer(12);
    const words = new Int32Array(sab);
    words[0] = 0xffff << 16; // the last generation before the wrap, no arrivals
    const b = new Barrier(1, { place: { buffer: sab } });
    expect(b.wait()).toBe(0);
    expect(words[0]).toBe(0); // generation 0 again
    expect(b.wait()).toBe(0);
    expect(words[0] >>> 16).toBe(1);
  });
  it('a throwing action breaks it and the error reaches the caller', () => {
    const b = new Barrier(1, {
      action: () => {
        throw new Error('action failed');
      },
    });
    expect(() => b.wait()).toThrow('action failed');
    expect(b.broken).toBe(true);
  });
});

describe('async waits keep a Node process alive', () => {
  it('a script whose only pending work is waitAsync() finishes it (Node does not count Atomics.waitAsync as work)', async () => {
    const library = new URL('../workers/library.mjs', import.meta.url).href; // src/ under test, this project's mode
    const script = `const { Event, Lock } = (await import(${JSON.stringify(library)})).sc;
const l = new Lock(); l.acquire();
console.log(await new Event().waitAsync(30), await l.acquireAsync(30));`;
    expect((await runModule(script)).trim()).toBe('false false');
  });
});
