// The primitives under real contention: worker_threads, Atomics handshakes, no sleeps, no mocks.
import { describe, expect, it } from 'vitest';
import { threadId } from 'node:worker_threads';
import { Barrier, Event, Lock, RLock, Semaphore, struct, SyncError, u32, i64, u8 } from '../../src/index.js';
import { macrotask, until } from '../support/until.js';
import { run, start } from '../workers/spawn.js';

/** Whether locks in a SharedArrayBuffer take this thread's id + 1 as its identity (Node with process.getBuiltinModule; see src/sync/owner.ts). */
const THREAD_WIDE = typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === 'function' && !('Bun' in globalThis) && !('Deno' in globalThis);

const WORKERS = 4;

function counterCell(): { buffer: SharedArrayBuffer; byteOffset: number } {
  return { buffer: new SharedArrayBuffer(4), byteOffset: 0 };
}

describe.each([
  ['Lock', false],
  ['RLock', false],
  ['RLock', true],
  ['Semaphore', false],
  ['BoundedSemaphore', false],
])('%s (nested: %s) guards a plain counter', (kind, nested) => {
  it(`${WORKERS} workers × 20000 increments: the count is exact`, async () => {
    const place = { buffer: new SharedArrayBuffer(16), byteOffset: 4 };
    const start = new Event();
    const counter = counterCell();
    const done = Promise.all(Array.from({ length: WORKERS }, () => run('counter', { kind, place, start: start.place, counter, iterations: 20_000, nested })));
    start.set();
    await done;
    expect(new Int32Array(counter.buffer)[0]).toBe(WORKERS * 20_000);
  });
});

describe('Semaphore', () => {
  it('never has more holders than its value', async () => {
    const place = { buffer: new SharedArrayBuffer(4) };
    const stats = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
    const go = new Event();
    const done = Promise.all(
      Array.from({ length: WORKERS }, () => run('semaphoreBound', { kind: 'BoundedSemaphore', place, value: 2, start: go.place, stats, iterations: 5000 })),
    );
    go.set();
    await done;
    const s = new Int32Array(stats.buffer);
    expect(s[0]).toBe(0);
    expect(s[1]).toBeGreaterThanOrEqual(1);
    expect(s[1]).toBeLessThanOrEqual(2);
  });
});

describe('Condition', () => {
  it('producer/consumer through a one-slot queue: every item exactly once', async () => {
    const lock = { buffer: new SharedArrayBuffer(12) };
    const cond = { buffer: new SharedArrayBuffer(4) };
    const slot = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
    const count = 2000;
    const [sum] = await Promise.all([run<number>('consumer', { lock, cond, slot, count }), run('producer', { lock, cond, slot, count })]);
    expect(sum).toBe((count * (count + 1)) / 2);
  });
});

describe('Barrier', () => {
  // 10,000 rounds: a party that counts itself without the compare-and-swap (arriving on a stale
  // count, tools/mutants "a barrier counts a party that lost the race") shows only when two
  // arrivals meet in the few instructions between the load and the add: 100 rounds let it pass,
  // 2,000 caught it in 2 runs of 3.
  it('3 parties × 10,000 rounds: nobody passes early, indices are a permutation each round', async () => {
    const parties = 3;
    const rounds = 10_000;
    const place = { buffer: new SharedArrayBuffer(12) };
    const slots = { buffer: new SharedArrayBuffer(4 * parties), byteOffset: 0 };
    const results = await Promise.all(Array.from({ length: parties }, (_, me) => run<number[]>('barrierRounds', { parties, place, rounds, slots, me })));
    for (let r = 0; r < rounds; r++) {
      expect(results.map((ix) => ix[r]).sort()).toEqual([0, 1, 2]);
    }
  });

  it('abort() wakes the waiters with BrokenBarrierError', async () => {
    const parties = 3;
    const barrier = new Barrier(parties);
    const arrived = { buffer: new SharedArrayBuffer(4), byteOffset: 0 };
    const waiters = [
      run<string>('barrierBroken', { parties, place: barrier.place, arrived }),
      run<string>('barrierBroken', { parties, place: barrier.place, arrived }),
    ];
    const count = new Int32Array(arrived.buffer);
    for (let c = Atomics.load(count, 0); c < 2; c = Atomics.load(count, 0)) Atomics.wait(count, 0, c, 1000);
    while (barrier.nWaiting < 2) Atomics.wait(count, 0, 2, 5); // both inside wait()
    barrier.abort();
    expect(await Promise.all(waiters)).toEqual(['BrokenBarrierError', 'BrokenBarrierError']);
  });
});

describe('Event', () => {
  it('wakes a waiting worker', async () => {
    const e = new Event();
    const ready = new Event();
    const waiter = run<boolean>('eventWaiter', { place: e.place, ready: ready.place });
    expect(ready.wait(20_000)).toBe(true);
    e.set();
    expect(await waiter).toBe(true);
  });
});

describe('a release wakes the threads asleep on the word', () => {
  // The waiters take no timeout and join no registry, so nothing but the release's wake-up lets
  // them go on (a lost wake-up fails the workers' timeout). Whether a waiter is asleep yet when the
  // release comes is not observable; it is once it marked the word (locks), and the rounds give it
  // time to get there: code that wakes them passes whatever the timing.
  it.each(['Lock', 'RLock'])('%s: a worker asleep in acquire() while this thread holds it, 8 rounds', async (kind) => {
    const lock = kind === 'Lock' ? new Lock() : new RLock();
    const word = new Int32Array(lock.place.buffer, lock.place.byteOffset, 1);
    for (let round = 0; round < 8; round++) {
      lock.acquire();
      const held = Atomics.load(word, 0);
      const started = new Event();
      const waiter = run('acquireAsleep', { kind, place: lock.place, started: started.place });
      expect(await started.waitAsync(20_000)).toBe(true);
      await until(() => Atomics.load(word, 0) !== held, "the waiter's mark on the word"); // it is going to sleep
      for (let k = 0; k < 20; k++) await macrotask();
      lock.release();
      expect(await waiter).toBe('acquired');
      expect(lock.locked()).toBe(false);
    }
  });

  it('Lock: this thread asleep in acquireAsync() while a worker holds it, 8 rounds', async () => {
    const lock = new Lock();
    for (let round = 0; round < 8; round++) {
      const holding = new Event();
      const holder = run('holdUntilMarked', { kind: 'Lock', place: lock.place, holding: holding.place });
      expect(await holding.waitAsync(20_000)).toBe(true);
      expect(await lock.acquireAsync()).toBe(true);
      lock.release();
      expect(await holder).toBe('released');
    }
  });

  it('Semaphore: release(2) wakes both workers asleep in acquire() at 0, 8 rounds', async () => {
    const sem = new Semaphore(0);
    for (let round = 0; round < 8; round++) {
      const started = [new Event(), new Event()];
      // Each keeps its unit: one given back would wake the other itself.
      const waiters = started.map((s) => run('acquireAsleep', { kind: 'Semaphore', value: 0, place: sem.place, started: s.place, keep: true }));
      for (const s of started) expect(await s.waitAsync(20_000)).toBe(true);
      for (let k = 0; k < 20; k++) await macrotask(); // a semaphore's waiter sleeps at once after a failed take
      sem.release(2);
      expect(await Promise.all(waiters)).toEqual(['acquired', 'acquired']);
      expect(sem.value).toBe(0);
    }
  });
});

describe('async acquisition', () => {
  it('acquireAsync waits without blocking while a worker holds the lock', async () => {
    const lock = new Lock();
    const holding = new Event();
    const w = start('holdForever', { kind: 'Lock', place: lock.place, holding: holding.place });
    expect(await holding.waitAsync(20_000)).toBe(true);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    expect(await lock.acquireAsync(50)).toBe(false); // the event loop kept running meanwhile
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    await w.worker.terminate();
    // The holder died holding the lock; see the next test.
  });
});

describe('blocking workers and an async main thread on one lock', () => {
  it.each(['Lock', 'RLock'])('%s: 2 workers × 10000 blocking + 3000 acquireAsync on this thread, exact', async (kind) => {
    const lock = kind === 'Lock' ? new Lock() : new RLock();
    const go = new Event();
    const counter = counterCell();
    const c = new Int32Array(counter.buffer);
    const done = Promise.all(
      Array.from({ length: 2 }, () => run('counter', { kind, place: lock.place, start: go.place, counter, iterations: 10_000, nested: false })),
    );
    go.set();
    for (let k = 0; k < 3000; k++) {
      expect(await lock.acquireAsync(20_000)).toBe(true);
      c[0] = (c[0] as number) + 1;
      lock.release();
    }
    await done;
    expect(c[0]).toBe(23_000);
    expect(lock.locked()).toBe(false);
  });
});

describe('RLock owner identity across threads', () => {
  it.each([1, 2])('a worker cannot release an RLock this thread holds at depth %i', async (depth) => {
    const r = new RLock();
    for (let k = 0; k < depth; k++) r.acquire();
    const message = await run<string>('releaseForeign', { kind: 'RLock', place: r.place });
    expect(message).toBe('SyncError: RLock.release(): this thread does not hold the lock');
    expect(r.isOwned()).toBe(true); // untouched: still ours, at the same depth
    for (let k = 0; k < depth; k++) r.release();
    expect(r.locked()).toBe(false);
    expect(() => r.release()).toThrow(SyncError);
  });

  it("identities in a SharedArrayBuffer: the thread's id + 1 on Node (the lock's counter untouched), else the lock's own counter word; distinct per thread either way", async () => {
    const r = new RLock();
    const words = new Int32Array(r.place.buffer, r.place.byteOffset, 3);
    r.acquire();
    const mine = THREAD_WIDE ? 0x04000000 | (threadId + 1) : 1; // bit 26: apart from the counter's numbers
    expect(Array.from(words)).toEqual([mine, 1, THREAD_WIDE ? 0 : 1]); // owner, depth 1, identities handed out by the counter
    r.release();
    const other = await run<{ words: number[]; reentered: boolean; free: boolean }>('rlockWords', { place: r.place, depth: 2 });
    expect(other.reentered).toBe(true);
    expect(other.free).toBe(true);
    expect(other.words[0]).not.toBe(mine);
    expect(other.words.slice(1)).toEqual([2, THREAD_WIDE ? 0 : 2]);
    const again = new RLock(r.place); // another object here: this thread's identity is still its own
    again.acquire();
    expect(words[0]).toBe(mine);
    expect(r.isOwned()).toBe(true);
    r.release();
  });

  it('where the thread id cannot be had (Node 20.0–20.15, no process.getBuiltinModule), the counter hands out distinct identities', async () => {
    const r = new RLock();
    const first = await run<{ words: number[]; reentered: boolean; free: boolean }>('rlockWords', { place: r.place, depth: 2, noGetBuiltinModule: true });
    expect(first).toEqual({ words: [1, 2, 1], reentered: true, free: true });
    const second = await run<{ words: number[] }>('rlockWords', { place: r.place, depth: 1, noGetBuiltinModule: true });
    expect(second.words).toEqual([2, 1, 2]);
  });

  it.runIf(THREAD_WIDE)(
    "a thread that takes its identity from the counter (no thread id: another copy of the library, Node < 20.16) never gets this thread's",
    async () => {
      const r = new RLock();
      r.acquire(); // this thread: an identity from its thread id
      new Int32Array(r.place.buffer, r.place.byteOffset, 3)[2] = threadId; // the counter's next number is then this thread's id + 1
      const other = await run<{ got: boolean; owned: boolean; counter: number }>('rlockTry', { place: r.place, noGetBuiltinModule: true });
      expect(other).toEqual({ got: false, owned: false, counter: threadId + 1 });
      expect(r.isOwned()).toBe(true);
      r.release();
    },
  );

  it.runIf(THREAD_WIDE)(
    'on Node, the same memory through two buffer objects (a handle posted twice) is one owner, and takes no identity from the counter',
    () => {
      const r = new RLock();
      const twice = structuredClone(r.place.buffer); // a new SharedArrayBuffer object over the same memory, as a second postMessage gives
      const r2 = new RLock({ buffer: twice, byteOffset: r.place.byteOffset });
      r.acquire();
      expect(r2.acquire(false)).toBe(true); // re-entered through the other object
      expect(r2.isOwned()).toBe(true);
      r2.release();
      r2.release(); // released through the other object: it is the same owner
      expect(r.locked()).toBe(false);
      for (let k = 0; k < 2000; k++) {
        const copy = new RLock({ buffer: structuredClone(r.place.buffer), byteOffset: r.place.byteOffset });
        copy.acquire();
        copy.release();
      }
      expect(new Int32Array(r.place.buffer, r.place.byteOffset, 3)[2]).toBe(0); // no identity used up per buffer object
    },
  );

  it('a worker can release a Lock this thread holds (Python semantics)', async () => {
    const lock = new Lock();
    lock.acquire();
    expect(await run<string>('releaseForeign', { kind: 'Lock', place: lock.place })).toBe('released');
    expect(lock.locked()).toBe(false);
  });
});

describe('a worker terminated while holding a lock, in no ThreadRegistry (see owner-death.test.ts for members)', () => {
  it.each(['Lock', 'RLock'])('%s stays held: waiters with a timeout give up cleanly instead of hanging', async (kind) => {
    const lock = kind === 'Lock' ? new Lock() : new RLock();
    const holding = new Event();
    const w = start('holdForever', { kind, place: lock.place, holding: holding.place });
    expect(holding.wait(20_000)).toBe(true);
    await w.worker.terminate();
    expect(lock.locked()).toBe(true);
    const t = performance.now();
    expect(lock.acquire(true, 50)).toBe(false);
    expect(performance.now() - t).toBeGreaterThanOrEqual(45);
  });
});

describe('atomic fields', () => {
  it(`${WORKERS} workers × 50000 atomic adds on a struct's u32 and i64 members are exact`, async () => {
    const Counter = struct({ hits: u32, total: i64, flags: u8 });
    const c = Counter.create();
    const go = new Event();
    const done = Promise.all(Array.from({ length: WORKERS }, () => run('atomicAdds', { buffer: c.$buffer, iterations: 50_000, start: go.place })));
    go.set();
    await done;
    expect(c.hits).toBe(WORKERS * 50_000);
    expect(c.total).toBe(BigInt(WORKERS * 50_000 * 2));
  });
});
