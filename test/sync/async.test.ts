// The async forms: async tasks of one thread exclude each other (awaits inside critical sections
// included), and no …Async method ever waits synchronously. Real worker_threads, Atomics
// handshakes, no sleeps; "a thread that may not block" is a worker whose Atomics.wait throws, as on
// a browser's main thread (test/workers/runner.mjs, forbidBlocking).
import { describe, expect, it } from 'vitest';
import { Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore, share, SyncError, Value } from '../../src/index.js';
import { macrotask } from '../support/until.js';
import { run } from '../workers/spawn.js';

/** Runs `tasks` async tasks that each do `iterations` read-await-write increments under `withLockAsync`. */
async function racingTasks(
  withLockAsync: (fn: () => Promise<void>) => Promise<void>,
  cell: { value: number },
  tasks: number,
  iterations: number,
): Promise<void> {
  await Promise.all(
    Array.from({ length: tasks }, async () => {
      for (let k = 0; k < iterations; k++) {
        await withLockAsync(async () => {
          const n = cell.value;
          await macrotask();
          cell.value = n + 1;
        });
      }
    }),
  );
}

describe('async tasks of one thread exclude each other', () => {
  it.each([
    ['RLock', () => new RLock()],
    ['Lock', () => new Lock()],
    ['Semaphore(1)', () => new Semaphore(1)],
    ['Condition (its own RLock)', () => new Condition()],
  ])('%s: 2 tasks × 20 increments that await inside withLockAsync lose nothing', async (_, make) => {
    const lock = make();
    const cell = { value: 0 };
    await racingTasks((fn) => lock.withLockAsync(fn), cell, 2, 20);
    expect(cell.value).toBe(40);
    expect((lock as { locked?: () => boolean }).locked?.() ?? false).toBe(false);
  });

  it('Value.withLockAsync (default RLock): 2 tasks × 20 increments that await inside lose nothing', async () => {
    const v = Value('i', 0);
    await Promise.all(
      Array.from({ length: 2 }, async () => {
        for (let k = 0; k < 20; k++) {
          await v.withLockAsync(async (raw) => {
            const n = raw.value;
            await macrotask();
            raw.value = n + 1;
          });
        }
      }),
    );
    expect(v.value).toBe(40);
    expect(v.getLock().locked()).toBe(false);
  });

  it('RLock: acquireAsync waits while this thread holds the lock synchronously, also across an await', async () => {
    const r = new RLock();
    r.acquire();
    let got: boolean | undefined;
    const pending = r.acquireAsync().then((ok) => (got = ok));
    await macrotask();
    expect(got).toBeUndefined(); // not re-entered
    r.release();
    await pending;
    expect(got).toBe(true);
    expect(r.isOwned()).toBe(true); // an async hold is this thread's
    r.release();
    expect(r.locked()).toBe(false);
  });

  it('RLock: while an async task holds it, a blocking acquire() in this thread is a SyncError, acquire(false) is false, release() frees the async hold', async () => {
    const r = new RLock();
    expect(await r.acquireAsync()).toBe(true);
    expect(r.acquire(false)).toBe(false);
    expect(() => r.acquire()).toThrow(SyncError);
    expect(() => r.acquire(true, 10)).toThrow('RLock.acquire(): an async task of this thread holds the lock');
    expect(r.locked()).toBe(true);
    r.release(); // the sync call releases the async holder
    expect(r.locked()).toBe(false);
    expect(() => r.release()).toThrow(SyncError);
    expect(r.acquire()).toBe(true); // a blocking acquisition again, re-entrant as before
    expect(r.acquire()).toBe(true);
    r.release();
    r.release();
    expect(r.locked()).toBe(false);
  });

  it('RLock: a second async acquisition by the same thread is not re-entrant; it times out while the first holds', async () => {
    const r = new RLock();
    expect(await r.acquireAsync()).toBe(true);
    expect(await r.acquireAsync(20)).toBe(false);
    r.release();
    expect(await r.acquireAsync(20)).toBe(true);
    r.release();
  });

  it('Condition.waitAsync gives the lock back as it was held: an async hold stays exclusive among tasks', async () => {
    const c = new Condition();
    let ready = false;
    const log: string[] = [];
    let holding = (): void => {};
    const holds = new Promise<void>((resolve) => (holding = resolve));
    const waiter = (async () => {
      await c.acquireAsync();
      try {
        expect(await c.waitForAsync(() => ready, 20_000)).toBe(true);
        log.push('waiter holds again');
        holding();
        await macrotask(); // the intruder task asks for the lock here, and must wait
        await macrotask();
        log.push('waiter leaves');
      } finally {
        c.release();
      }
    })();
    await macrotask();
    await c.withLockAsync(() => {
      ready = true;
      c.notify();
    });
    await holds;
    expect(c.lock.acquire(false)).toBe(false); // restored as an async hold: no blocking re-entry
    const intruder = c.withLockAsync(() => {
      log.push('intruder');
    });
    await Promise.all([waiter, intruder]);
    expect(log).toEqual(['waiter holds again', 'waiter leaves', 'intruder']);
    expect(c.lock.locked()).toBe(false);
  });

  it('Condition.waitAsync after a blocking acquire restores a blocking (re-entrant) hold with its depth', async () => {
    const r = new RLock();
    const c = new Condition(r);
    r.acquire();
    r.acquire();
    expect(await c.waitAsync(5)).toBe(false);
    expect(r.acquire(false)).toBe(true); // re-entrant again: the hold is a blocking one
    r.release();
    r.release();
    expect(r.isOwned()).toBe(true);
    r.release();
    expect(r.locked()).toBe(false);
  });
});

describe('async critical sections that await, racing blocking workers', () => {
  it.each(['Lock', 'RLock'])('%s: 2 blocking workers × 3000 + 2 async tasks × 100 (awaiting inside) on this thread, exact', async (kind) => {
    const lock = kind === 'Lock' ? new Lock() : new RLock();
    const go = new Event();
    const counter = { buffer: new SharedArrayBuffer(4), byteOffset: 0 };
    const c = new Int32Array(counter.buffer);
    const workers = Promise.all(
      Array.from({ length: 2 }, () => run('counter', { kind, place: lock.place, start: go.place, counter, iterations: 3000, nested: false })),
    );
    go.set();
    const cell = {
      get value() {
        return c[0] as number;
      },
      set value(n: number) {
        c[0] = n;
      },
    };
    await racingTasks((fn) => lock.withLockAsync(fn), cell, 2, 100);
    await workers;
    expect(c[0]).toBe(2 * 3000 + 2 * 100);
    expect(lock.locked()).toBe(false);
  });

  it('Value (RLock): 2 blocking workers × 3000 update() + 2 async tasks × 100 withLockAsync on this thread, exact', async () => {
    const v = Value('i', 0);
    const go = new Event();
    const workers = Promise.all(Array.from({ length: 2 }, () => run('valueIncrements', { value: share(v), start: go.place, iterations: 3000 })));
    go.set();
    await Promise.all(
      Array.from({ length: 2 }, async () => {
        for (let k = 0; k < 100; k++) {
          await v.withLockAsync(async (raw) => {
            const n = raw.value;
            await macrotask();
            raw.value = n + 1;
          });
        }
      }),
    );
    await workers;
    expect(v.value).toBe(2 * 3000 + 2 * 100);
  });

  it.each(['Lock', 'RLock', 'Value'])(
    '%s: on a thread that may not block, 3 async tasks × 100 (awaiting inside) race 2 blocking workers, exact',
    async (kind) => {
      const lock = kind === 'Lock' ? new Lock() : new RLock();
      const value = Value('i', 0);
      const go = new Event();
      const counter = { buffer: new SharedArrayBuffer(4), byteOffset: 0 };
      const blocking =
        kind === 'Value'
          ? Array.from({ length: 2 }, () => run('valueIncrements', { value: share(value), start: go.place, iterations: 3000 }))
          : Array.from({ length: 2 }, () => run('counter', { kind, place: lock.place, start: go.place, counter, iterations: 3000, nested: false }));
      const asyncOnly = run('asyncCounter', {
        kind,
        place: lock.place,
        value: share(value),
        start: go.place,
        counter,
        iterations: 100,
        tasks: 3,
        forbidBlocking: true,
      });
      go.set();
      await Promise.all([...blocking, asyncOnly]);
      const total = kind === 'Value' ? value.value : new Int32Array(counter.buffer)[0];
      expect(total).toBe(2 * 3000 + 3 * 100);
    },
  );
});

describe('no …Async method waits synchronously', () => {
  it('Barrier.waitAsync arriving while a round completes (its action running) returns its promise at once', async () => {
    const barrier = new Barrier(2);
    const inAction = new Event();
    const extraReturned = new Event();
    const seen = { buffer: new SharedArrayBuffer(4), byteOffset: 0 };
    const data = { place: barrier.place, inAction: inAction.place, extraReturned: extraReturned.place, seen };
    const [p1, p2, extra] = await Promise.all([
      run<number[]>('barrierParty', { ...data, rounds: 2 }),
      run<number[]>('barrierParty', { ...data, rounds: 1 }),
      run<number>('barrierExtraAsync', data),
    ]);
    // 1: the action saw waitAsync return while the round was still completing; 2: it did not.
    expect(new Int32Array(seen.buffer)[0]).toBe(1);
    expect([p1[0], p2[0]].sort()).toEqual([0, 1]); // round 1: the two parties
    expect([p1[1], extra].sort()).toEqual([0, 1]); // round 2: the party and the extra arrival
  });

  it('the same, on a thread that may not block (Atomics.wait throws there)', async () => {
    const barrier = new Barrier(2);
    const inAction = new Event();
    const extraReturned = new Event();
    const seen = { buffer: new SharedArrayBuffer(4), byteOffset: 0 };
    const data = { place: barrier.place, inAction: inAction.place, extraReturned: extraReturned.place, seen };
    const [p1, , extra] = await Promise.all([
      run<number[]>('barrierParty', { ...data, rounds: 2 }),
      run<number[]>('barrierParty', { ...data, rounds: 1 }),
      run<number>('barrierExtraAsync', { ...data, forbidBlocking: true }),
    ]);
    expect(new Int32Array(seen.buffer)[0]).toBe(1);
    expect([p1[1], extra].sort()).toEqual([0, 1]);
  });

  it('Barrier: 2 blocking parties and one that may not block, 100 rounds', async () => {
    const parties = 3;
    const place = { buffer: new SharedArrayBuffer(12) };
    const results = await Promise.all([
      run<number[]>('barrierRoundsMixed', { parties, place, rounds: 100, async: true, forbidBlocking: true }),
      run<number[]>('barrierRoundsMixed', { parties, place, rounds: 100, async: false }),
      run<number[]>('barrierRoundsMixed', { parties, place, rounds: 100, async: false }),
    ]);
    for (let r = 0; r < 100; r++) expect(results.map((ix) => ix[r]).sort()).toEqual([0, 1, 2]);
  });

  it('Condition: a consumer that may not block (acquireAsync, waitForAsync) and a blocking producer, every item once', async () => {
    const lock = { buffer: new SharedArrayBuffer(12) };
    const cond = { buffer: new SharedArrayBuffer(4) };
    const slot = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
    const count = 1000;
    const [sum] = await Promise.all([
      run<number>('asyncConsumer', { lock, cond, slot, count, forbidBlocking: true }),
      run('producer', { lock, cond, slot, count }),
    ]);
    expect(sum).toBe((count * (count + 1)) / 2);
  });

  it.each(['Semaphore', 'BoundedSemaphore'])(
    '%s(2): a holder that may not block (acquireAsync) and 2 blocking ones; never more than 2 inside',
    async (kind) => {
      const place = { buffer: new SharedArrayBuffer(4) };
      const stats = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
      const go = new Event();
      const done = Promise.all([
        run('semaphoreBoundAsync', { kind, place, value: 2, start: go.place, stats, iterations: 300, forbidBlocking: true }),
        run('semaphoreBound', { kind, place, value: 2, start: go.place, stats, iterations: 3000 }),
        run('semaphoreBound', { kind, place, value: 2, start: go.place, stats, iterations: 3000 }),
      ]);
      go.set();
      await done;
      const s = new Int32Array(stats.buffer);
      expect(s[0]).toBe(0);
      expect(s[1]).toBeLessThanOrEqual(2);
      const sem = kind === 'Semaphore' ? new Semaphore(2, place) : new BoundedSemaphore(2, place);
      expect(sem.value).toBe(2);
    },
  );
});
