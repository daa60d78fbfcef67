// A holder that dies: the ThreadRegistry (membership, liveness, generations), the recovery rules
// within one thread (a holder made "dead" by leaving the registry), and real workers terminated
// inside their critical sections while others wait, blocking or async. Atomics handshakes and
// polling of shared state; no sleeps.
import { inspect } from 'node:util';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { Condition, errorCode, Event, Lock, OwnerDeadError, RLock, RwLock, Semaphore, SyncError, ThreadRegistry } from '../../src/index.js';
import { until } from '../support/until.js';
import { run, start } from '../workers/spawn.js';

const REGISTERED = 0x08000000;
const INCONSISTENT = 0x10000000;
const WAITERS = 0x80000000 | 0;
const READERS_WAITING = 0x40000000;

/** Registries this thread joined in a test: left afterwards, so that later tests (same thread) start unregistered. */
const joined: ThreadRegistry[] = [];
function join(r: ThreadRegistry, tag: number): number {
  joined.push(r);
  return r.join(tag);
}
afterEach(() => {
  for (const r of joined.splice(0)) r.leave();
});

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('ThreadRegistry', () => {
  it('members join with a tag and get an identity; leave and markDead end membership; a slot reused gets a new identity', () => {
    const r = new ThreadRegistry(2);
    expect(r.size).toBe(0);
    const id = join(r, 7);
    expect(id & REGISTERED).toBe(REGISTERED);
    expect(join(r, 7)).toBe(id); // again: the same
    expect(r.isAlive(7)).toBe(true);
    expect(r.size).toBe(1);
    expect(inspect(r)).toBe('ThreadRegistry { capacity: 2, alive: 1 }');
    const other = new ThreadRegistry(2);
    expect(errorCode(caught(() => other.join(1)))).toBe('invalid_argument'); // one registry per thread
    expect(errorCode(caught(() => r.join(8)))).toBe('invalid_argument'); // one tag per thread
    r.leave();
    expect(r.isAlive(7)).toBe(false);
    const again = join(r, 7);
    expect(again & REGISTERED).toBe(REGISTERED);
    expect(again).not.toBe(id); // the next generation: the old identity stays dead
    expect(r.markDead(7)).toBe(true);
    expect(r.markDead(7)).toBe(false);
    expect(r.isAlive(7)).toBe(false);
    r.leave();
    expect(r.size).toBe(0);
  });

  it('lives in shared memory: another object over its place sees the same members; bad input is refused', () => {
    const r = new ThreadRegistry(3);
    join(r, 42);
    const view = new ThreadRegistry(3, r.place);
    expect(view.isAlive(42)).toBe(true);
    expect(view.size).toBe(1);
    for (const bad of [-1, 1.5, 2 ** 31, Number.NaN]) expect(errorCode(caught(() => r.markDead(bad)))).toBe('invalid_argument');
    for (const bad of [0, 65537, 2.5]) expect(errorCode(caught(() => new ThreadRegistry(bad)))).toBe('out_of_range');
    expect(() => new ThreadRegistry(3, { buffer: new SharedArrayBuffer(16) })).toThrow(RangeError); // 24 bytes needed
  });

  it('a full registry refuses to join; a live tag cannot be taken twice; watch() marks a worker dead when it exits', async () => {
    const r = new ThreadRegistry(1);
    const w = start<number>('registryMember', { registry: r.place, capacity: 1 });
    r.watch(w.worker);
    const workerTag = w.worker.threadId;
    const id = await w.result;
    expect(id & REGISTERED).toBe(REGISTERED);
    await until(() => !r.isAlive(workerTag), 'the exit event');
    const unwatched = await run<number>('registryMember', { registry: r.place, capacity: 1 }); // exits, but nobody marks it dead
    expect(unwatched).not.toBe(id);
    expect(r.size).toBe(1);
    expect(errorCode(caught(() => r.join(threadId)))).toBe('out_of_range'); // full: the unwatched worker still counts
    const r2 = new ThreadRegistry(2);
    const m = start<number>('registryMember', { registry: r2.place, capacity: 2 });
    const taken = m.worker.threadId;
    await m.result;
    expect(errorCode(caught(() => r2.join(taken)))).toBe('invalid_argument'); // its (unwatched) member still has that tag
    expect(r2.markDead(taken)).toBe(true);
    expect(join(r2, taken) & REGISTERED).toBe(REGISTERED);
  });
  // Deno's node:worker_threads keeps an exited worker's threadId (and emits no second 'exit'): there
  // is nothing to tell an exited worker by.
  it.skipIf('Deno' in globalThis)(
    'watch() of a worker that has already exited says so (Node has forgotten its threadId) instead of blaming the tag -1',
    async () => {
      const r = new ThreadRegistry(2);
      const w = start<number>('registryMember', { registry: r.place, capacity: 2 });
      const tag = w.worker.threadId;
      await w.result;
      await new Promise((done) => (w.worker.threadId === -1 ? done(undefined) : w.worker.once('exit', done)));
      expect(() => r.watch(w.worker)).toThrow('the worker has already exited');
      expect(errorCode(caught(() => r.watch(w.worker)))).toBe('invalid_argument');
      expect(r.markDead(tag)).toBe(true); // what the message says to do instead
    },
  );
});

/**
 * A lock whose holder is "dead": this thread takes it as one member, leaves the registry (its locks
 * then count as held by a dead thread) and joins again under another tag, which is how the next
 * acquirer sees it.
 */
function orphaned<L>(make: () => L, take: (l: L) => void): { lock: L; registry: ThreadRegistry } {
  const registry = new ThreadRegistry(4);
  const lock = make();
  join(registry, 1);
  take(lock);
  registry.leave();
  join(registry, 2);
  return { lock, registry };
}

describe('recovering a lock whose holder died (one thread)', () => {
  it('Lock: plain acquisitions are refused with an OwnerDeadError (the lock left free and marked) until someone repairs', () => {
    const { lock } = orphaned(
      () => new Lock(),
      (l) => l.acquire(),
    );
    expect(lock.locked()).toBe(true); // nobody has looked yet
    const e = caught(() => lock.acquire(false));
    expect(e).toBeInstanceOf(OwnerDeadError);
    expect(errorCode(e)).toBe('owner_dead');
    expect((e as OwnerDeadError).lock).toBe(lock);
    expect((e as OwnerDeadError).held).toBe(false);
    expect((e as Error).message).toMatch(/^Lock.acquire: a holder of the lock died inside its critical section/);
    expect(lock.locked()).toBe(false);
    expect(lock.isConsistent()).toBe(false);
    expect(Atomics.load(new Int32Array(lock.place.buffer), 0)).toBe(INCONSISTENT); // free, marked
    expect(inspect(lock)).toBe('Lock { locked: false, consistent: false }');
    expect(() => lock.acquire()).toThrow(OwnerDeadError); // blocking too, at once
    let ran = false;
    expect(() => lock.withLock(() => (ran = true))).toThrow(OwnerDeadError);
    expect(ran).toBe(false);
    expect(() => lock.hold()).toThrow(OwnerDeadError);
    expect(lock.locked()).toBe(false);
    // Taking it to repair, then releasing without marking: still marked for the next one.
    expect(lock.acquireForRepair()).toBe('inconsistent');
    expect(lock.locked()).toBe(true);
    lock.release();
    expect(() => lock.acquire()).toThrow(OwnerDeadError);
    // withLock(fn, repair): repair first (once), then fn; then the lock is like new.
    const log: string[] = [];
    expect(
      lock.withLock(
        () => log.push('fn'),
        () => {
          log.push(`repair (held: ${lock.locked()})`);
        },
      ),
    ).toBe(2);
    expect(log).toEqual(['repair (held: true)', 'fn']);
    expect(lock.isConsistent()).toBe(true);
    lock.withLock(
      () => log.push('fn'),
      () => log.push('repair'),
    );
    expect(log).toEqual(['repair (held: true)', 'fn', 'fn']);
    expect(lock.acquire(false)).toBe(true);
    lock.release();
  });

  it('a repair that throws leaves the lock free and still marked', async () => {
    const { lock } = orphaned(
      () => new Lock(),
      (l) => l.acquire(),
    );
    expect(() =>
      lock.withLock(
        () => 'fn',
        () => {
          throw new Error('cannot repair');
        },
      ),
    ).toThrow('cannot repair');
    expect(lock.locked()).toBe(false);
    expect(lock.isConsistent()).toBe(false);
    await expect(
      lock.withLockAsync(
        () => 'fn',
        async () => {
          throw new Error('cannot repair either');
        },
      ),
    ).rejects.toThrow('cannot repair either');
    expect(lock.locked()).toBe(false);
    expect(
      await lock.withLockAsync(
        async () => 'fn',
        async () => {},
      ),
    ).toBe('fn');
    expect(lock.isConsistent()).toBe(true);
  });

  it('RLock held twice by the dead thread: taken for repair at depth 1, by this thread only', () => {
    const { lock } = orphaned(
      () => new RLock(),
      (r) => {
        r.acquire();
        r.acquire();
      },
    );
    const depth = new Int32Array(lock.place.buffer, lock.place.byteOffset, 3);
    expect(() => lock.acquire()).toThrow(OwnerDeadError);
    expect(lock.acquireForRepair()).toBe('inconsistent');
    expect(lock.isOwned()).toBe(true);
    expect(Atomics.load(depth, 1)).toBe(1);
    expect(lock.acquire()).toBe(true); // re-entering a lock taken for repair is fine
    lock.release();
    lock.markConsistent();
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(lock.isConsistent()).toBe(true);
    expect(() => lock.markConsistent()).toThrow(SyncError);
  });

  it('RwLock whose writer died: readers are refused too, and a reader with a repair function repairs under the write lock', async () => {
    const { lock: rw } = orphaned(
      () => new RwLock(),
      (l) => l.write.acquire(),
    );
    const e = caught(() => rw.read.acquire());
    expect(e).toBeInstanceOf(OwnerDeadError);
    expect((e as OwnerDeadError).lock).toBe(rw);
    expect(rw.locked()).toBe(false);
    expect(rw.isConsistent()).toBe(false);
    expect(inspect(rw)).toBe('RwLock { readers: 0, writeLocked: false, consistent: false }');
    expect(rw.read.acquireForRepair()).toBe('inconsistent'); // reading it anyway is the caller's choice
    expect(() => rw.markConsistent()).toThrow(SyncError); // repairing needs the write lock
    rw.read.release();
    const log: string[] = [];
    const got = rw.read.withLock(
      () => `read (readers: ${rw.readers()})`,
      () => {
        log.push(`repair (writer: ${rw.write.isOwned()})`);
      },
    );
    expect(log).toEqual(['repair (writer: true)']);
    expect(got).toBe('read (readers: 1)');
    expect(rw.isConsistent()).toBe(true);
    expect(await rw.write.withLockAsync(async () => 'written')).toBe('written');
  });

  it('RwLock: write.hold(repair) with using; async read with an async repair', async () => {
    const { lock: rw, registry } = orphaned(
      () => new RwLock(),
      (l) => l.write.acquire(),
    );
    let repairs = 0;
    {
      using _w = rw.write.hold(() => repairs++);
      expect(rw.write.isOwned()).toBe(true);
    }
    expect(repairs).toBe(1);
    expect(rw.locked()).toBe(false);
    registry.leave();
    const again = orphaned(
      () => new RwLock(),
      (l) => l.write.acquire(),
    ).lock;
    expect(
      await again.read.withLockAsync(
        async () => again.readers(),
        async () => {
          await Promise.resolve();
          repairs++;
        },
      ),
    ).toBe(1);
    expect(repairs).toBe(2);
    expect(again.isConsistent()).toBe(true);
  });

  it('nothing is known dead without a registry: an unregistered holder, or a thread that joined none, waits as before', () => {
    const lock = new Lock();
    new Int32Array(lock.place.buffer)[0] = 1; // held by a thread that joined no registry (identity 1)
    expect(lock.acquire(true, 20)).toBe(false);
    const { lock: orphan, registry } = orphaned(
      () => new Lock(),
      (l) => l.acquire(),
    );
    registry.leave(); // this thread has no registry to ask now
    expect(orphan.acquire(false)).toBe(false);
    expect(orphan.locked()).toBe(true);
  });

  it('the lock word records the owner: 1 for a thread in no registry, its registry identity otherwise', () => {
    const lock = new Lock();
    const w = new Int32Array(lock.place.buffer);
    lock.acquire();
    expect(w[0]).toBe(1);
    lock.release();
    const id = join(new ThreadRegistry(2), 3);
    lock.acquire();
    expect(w[0]).toBe(id);
    lock.release();
    expect(w[0]).toBe(0);
  });
});

type WaiterResult = {
  outcome: string;
  repairs: number;
  repairedInside?: boolean[];
  sawConsistent?: boolean;
  consistentAfter?: boolean;
  pair?: number[];
  held?: boolean;
  sameLock?: boolean;
  locked?: boolean;
  consistent?: boolean;
  code?: string;
};

interface Case {
  readonly kind: 'Lock' | 'RLock' | 'RwLock';
  readonly side?: 'read' | 'write';
  readonly depth?: number;
  /** The bit a sleeping waiter sets in the state word. */
  readonly waitBit: number;
}

const CASES: [string, Case][] = [
  ['Lock', { kind: 'Lock', waitBit: WAITERS }],
  ['RLock (held twice)', { kind: 'RLock', depth: 2, waitBit: WAITERS }],
  ['RwLock, a writer waiting', { kind: 'RwLock', side: 'write', waitBit: WAITERS }],
  ['RwLock, a reader waiting', { kind: 'RwLock', side: 'read', waitBit: READERS_WAITING }],
];

/** Starts a registered holder of `c` that breaks the pair and stays inside its critical section. */
async function deadHolder(c: Case, registry: ThreadRegistry, lockPlace: object, pair: object) {
  const inside = new Event();
  const holder = start('robustHolder', {
    kind: c.kind,
    side: c.side === undefined ? undefined : 'write',
    place: lockPlace,
    registry: registry.place,
    capacity: registry.capacity,
    pair,
    inside: inside.place,
    depth: c.depth ?? 1,
  });
  registry.watch(holder.worker);
  expect(await inside.waitAsync(20_000)).toBe(true);
  return holder;
}

function makeLock(kind: Case['kind']): Lock | RLock | RwLock {
  return kind === 'Lock' ? new Lock() : kind === 'RLock' ? new RLock() : new RwLock();
}

// A writer woken to take a free RwLock (the last holder left with writers waiting) and terminated
// before its compare-and-swap leaves the lock free with the writers-waiting bit set, which it keeps
// across the hand-off so that readers wait behind the woken writer; nobody is left to take the lock
// or to wake the others. Forged here (the instant cannot be hit on purpose): the state word as that
// writer leaves it, the wake-up sequence bumped by the wake-up it got.
describe('an RwLock handed to a writer terminated before it took it', () => {
  function handedToADeadWriter(): { rw: RwLock; state: Int32Array } {
    const rw = new RwLock();
    const state = new Int32Array(rw.place.buffer, rw.place.byteOffset, 2);
    Atomics.store(state, 0, WAITERS);
    Atomics.add(state, 1, 1);
    return { rw, state };
  }

  it.each([false, true])('a registered reader (async: %s) arriving then is not left waiting: it takes the lock', async (async) => {
    const registry = new ThreadRegistry(8);
    const { rw } = handedToADeadWriter();
    const pair = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
    const started = new Event();
    const r = await run<WaiterResult>('robustWaiter', {
      kind: 'RwLock',
      side: 'read',
      place: rw.place,
      registry: registry.place,
      capacity: registry.capacity,
      pair,
      started: started.place,
      mode: 'plain',
      async,
    });
    expect(r).toEqual({ outcome: 'ran', repairs: 0, repairedInside: [], sawConsistent: true, consistentAfter: true, pair: [0, 0] });
    expect(rw.locked()).toBe(false);
  });

  // Async: a waiting writer goes to sleep as soon as it has set the bit (no spinning first), so the
  // hand-off below finds it asleep, as a writer that would otherwise never be woken.
  it('a registered writer (async) asleep behind a reader is not left waiting either: it takes the lock', async () => {
    const registry = new ThreadRegistry(8);
    const rw = new RwLock();
    const state = new Int32Array(rw.place.buffer, rw.place.byteOffset, 2);
    rw.read.acquire(); // the reader whose release hands the lock over
    const pair = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
    const started = new Event();
    const writer = run<WaiterResult>('robustWaiter', {
      kind: 'RwLock',
      side: 'write',
      place: rw.place,
      registry: registry.place,
      capacity: registry.capacity,
      pair,
      started: started.place,
      mode: 'plain',
      async: true,
    });
    expect(await started.waitAsync(20_000)).toBe(true);
    await until(() => (Atomics.load(state, 0) & WAITERS) !== 0, 'the writer waiting');
    // The read hold released and the lock handed to another writer, which died: free, the bit kept.
    expect(Atomics.compareExchange(state, 0, WAITERS | 1, WAITERS)).toBe(WAITERS | 1);
    Atomics.add(state, 1, 1);
    expect(await writer).toEqual({ outcome: 'ran', repairs: 0, repairedInside: [], sawConsistent: true, consistentAfter: true, pair: [1, 1] });
    expect(rw.locked()).toBe(false);
  });
});

describe('a Semaphore whose release woke a thread terminated before it took the unit', () => {
  it('a registered waiter still asleep is not left waiting: it takes the unit', async () => {
    const registry = new ThreadRegistry(8);
    const sem = new Semaphore(0);
    const word = new Int32Array(sem.place.buffer, sem.place.byteOffset, 1);
    const started = new Event();
    const waiter = run<{ acquired: boolean; value: number }>('robustSemaphoreWaiter', {
      place: sem.place,
      registry: registry.place,
      capacity: registry.capacity,
      started: started.place,
    });
    expect(await started.waitAsync(20_000)).toBe(true);
    // A release whose one wake-up went to another waiter, which died: the unit is there, nobody woken.
    Atomics.add(word, 0, 1);
    expect(await waiter).toEqual({ acquired: true, value: 0 });
  });
});

describe('a worker terminated inside its critical section', () => {
  describe.each(CASES)('%s', (_, c) => {
    it.each([false, true])('a waiting worker (async: %s) with a repair function repairs, then runs', async (async) => {
      const registry = new ThreadRegistry(8);
      const lock = makeLock(c.kind);
      const state = new Int32Array(lock.place.buffer, lock.place.byteOffset, 1);
      const pair = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
      const holder = await deadHolder(c, registry, lock.place, pair);
      const started = new Event();
      const waiter = run<WaiterResult>('robustWaiter', {
        kind: c.kind,
        side: c.side,
        place: lock.place,
        registry: registry.place,
        capacity: registry.capacity,
        pair,
        started: started.place,
        mode: 'repair',
        async,
      });
      expect(await started.waitAsync(20_000)).toBe(true);
      await until(() => (Atomics.load(state, 0) & c.waitBit) !== 0, 'the waiter asleep on the lock');
      await holder.worker.terminate(); // inside its critical section: the pair is broken
      const r = await waiter;
      const expected = c.side === 'read' ? [1, 1] : [2, 2];
      expect(r).toEqual({ outcome: 'ran', repairs: 1, repairedInside: [true], sawConsistent: true, consistentAfter: true, pair: expected });
      expect(lock.isConsistent()).toBe(true);
      expect(lock.locked()).toBe(false);
    });

    it('a waiting worker without one gets an OwnerDeadError; the lock is left free and marked', async () => {
      const registry = new ThreadRegistry(8);
      const lock = makeLock(c.kind);
      const state = new Int32Array(lock.place.buffer, lock.place.byteOffset, 1);
      const pair = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
      const holder = await deadHolder(c, registry, lock.place, pair);
      const started = new Event();
      const waiter = run<WaiterResult>('robustWaiter', {
        kind: c.kind,
        side: c.side,
        place: lock.place,
        registry: registry.place,
        capacity: registry.capacity,
        pair,
        started: started.place,
        mode: 'plain',
        async: false,
      });
      expect(await started.waitAsync(20_000)).toBe(true);
      await until(() => (Atomics.load(state, 0) & c.waitBit) !== 0, 'the waiter asleep on the lock');
      await holder.worker.terminate();
      expect(await waiter).toEqual({
        outcome: 'OwnerDeadError',
        code: 'owner_dead',
        held: false,
        sameLock: true,
        locked: false,
        consistent: false,
        repairs: 0,
      });
      expect(lock.isConsistent()).toBe(false);
    });
  });

  it.each([
    ['Lock', { kind: 'Lock', waitBit: WAITERS }],
    ['RwLock (writers)', { kind: 'RwLock', side: 'write', waitBit: WAITERS }],
  ] as [string, Case][])(
    'stress, %s: 10 holders die inside their sections while 2 workers keep incrementing; each death repaired exactly once, nothing lost',
    async (_, c) => {
      const ROUNDS = 10;
      const registry = new ThreadRegistry(16);
      const lock = makeLock(c.kind);
      const pair = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
      const counts = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
      const cw = new Int32Array(counts.buffer);
      const common = { kind: c.kind, side: c.side, place: lock.place, registry: registry.place, capacity: registry.capacity, pair };
      const hammers = Array.from({ length: 2 }, () => run<{ increments: number; repairs: number; torn: number }>('robustHammer', { ...common, counts }));
      for (let r = 0; r < ROUNDS; r++) {
        const holder = await deadHolder(c, registry, lock.place, pair);
        await holder.worker.terminate();
        await until(() => Atomics.load(cw, 0) === r + 1, `the repair of death ${r + 1}`);
      }
      Atomics.store(cw, 1, 1);
      const results = await Promise.all(hammers);
      const increments = results.reduce((n, x) => n + x.increments, 0);
      expect(results.reduce((n, x) => n + x.repairs, 0)).toBe(ROUNDS);
      expect(results.reduce((n, x) => n + x.torn, 0)).toBe(0);
      const [a, b] = new Int32Array(pair.buffer);
      expect(a).toBe(increments + ROUNDS); // every increment, and each dead holder's half
      expect(b).toBe(a);
      expect(lock.isConsistent()).toBe(true);
      expect(lock.locked()).toBe(false);
      expect(registry.size).toBe(0);
    },
  );

  it('this thread waiting with acquireAsync learns of the death (its event loop delivers the exit) and repairs', async () => {
    const registry = new ThreadRegistry(8);
    join(registry, threadId);
    const lock = new Lock();
    const pair = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
    const p = new Int32Array(pair.buffer);
    const holder = await deadHolder({ kind: 'Lock', waitBit: WAITERS }, registry, lock.place, pair);
    const waiting = lock.acquireAsync(20_000);
    const outcome = waiting.then(
      () => 'acquired',
      (e: unknown) => e,
    );
    await holder.worker.terminate();
    const e = await outcome;
    expect(e).toBeInstanceOf(OwnerDeadError);
    expect((e as OwnerDeadError).held).toBe(false);
    expect(Array.from(p)).toEqual([1, 0]); // broken half-way
    await lock.withLockAsync(
      () => {
        Atomics.add(p, 0, 1);
        Atomics.add(p, 1, 1);
      },
      () => {
        Atomics.store(p, 1, Atomics.load(p, 0));
      },
    );
    expect(Array.from(p)).toEqual([2, 2]);
    expect(lock.isConsistent()).toBe(true);
  });

  it('two waiters, one repairing and one not: the data is repaired once, and the other either learns of the death or runs after the repair', async () => {
    const registry = new ThreadRegistry(8);
    const lock = new Lock();
    const state = new Int32Array(lock.place.buffer, 0, 1);
    const pair = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
    const holder = await deadHolder({ kind: 'Lock', waitBit: WAITERS }, registry, lock.place, pair);
    const common = { kind: 'Lock', place: lock.place, registry: registry.place, capacity: registry.capacity, pair, async: false };
    const s1 = new Event();
    const s2 = new Event();
    const repairing = run<WaiterResult>('robustWaiter', { ...common, started: s1.place, mode: 'repair' });
    const plain = run<WaiterResult>('robustWaiter', { ...common, started: s2.place, mode: 'plain' });
    expect(await s1.waitAsync(20_000)).toBe(true);
    expect(await s2.waitAsync(20_000)).toBe(true);
    await until(() => (Atomics.load(state, 0) & WAITERS) !== 0, 'the waiters asleep on the lock');
    await holder.worker.terminate();
    const [r, q] = await Promise.all([repairing, plain]);
    expect(r.outcome).toBe('ran');
    expect(r.repairs).toBe(1);
    if (q.outcome === 'ran') expect(q.sawConsistent).toBe(true);
    else expect(q.outcome).toBe('OwnerDeadError');
    const [a, b] = new Int32Array(pair.buffer);
    expect(a).toBe(b);
    expect(lock.isConsistent()).toBe(true);
    expect(lock.locked()).toBe(false);
  });

  it('Condition: a wait whose lock holder dies returns holding the lock, with an OwnerDeadError (held)', async () => {
    const registry = new ThreadRegistry(8);
    const lock = new Lock();
    const cond = new Condition(lock);
    const pair = { buffer: new SharedArrayBuffer(8), byteOffset: 0 };
    const started = new Event();
    const inside = new Event();
    const common = { place: lock.place, cond: cond.place, registry: registry.place, capacity: registry.capacity, pair, started: started.place };
    const waiter = run<Record<string, unknown>>('robustConditionWaiter', common);
    const holder = start('robustConditionHolder', { ...common, inside: inside.place });
    registry.watch(holder.worker);
    expect(await inside.waitAsync(20_000)).toBe(true);
    await until(() => (Atomics.load(new Int32Array(lock.place.buffer), 0) & WAITERS) !== 0, 'the waiter back on the lock');
    await holder.worker.terminate();
    expect(await waiter).toEqual({ outcome: 'OwnerDeadError', held: true, heldNow: true, consistent: true, locked: false, pair: [1, 1] });
  });
});
