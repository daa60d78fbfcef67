// Worker-side halves of the RwLock and owner-death tests (test/sync/rwlock-workers.test.ts,
// test/sync/owner-death.test.ts). Every wait has a timeout; threads coordinate through shared
// memory, never by sleeping.
import { threadId } from 'node:worker_threads';

/** Resolves after the event loop has run other tasks (a macrotask later). */
const macrotask = () => new Promise((resolve) => setImmediate(resolve));

const int32 = ({ buffer, byteOffset = 0 }, length) => new Int32Array(buffer, byteOffset, length);

// Words of the `data` block the RwLock scenarios share.
const A = 0; // a and b: writers add 1 to each; readers must always see a === b
const B = 1;
const WRITERS_IN = 2;
const READERS_IN = 3;
const MAX_READERS_IN = 4;
const VIOLATIONS = 5;
const WRITES = 6;
const READS = 7;

function enterRead(d) {
  const inside = Atomics.add(d, READERS_IN, 1) + 1;
  for (let m = Atomics.load(d, MAX_READERS_IN); inside > m; m = Atomics.load(d, MAX_READERS_IN)) Atomics.compareExchange(d, MAX_READERS_IN, m, inside);
  if (Atomics.load(d, WRITERS_IN) !== 0 || Atomics.load(d, A) !== Atomics.load(d, B)) Atomics.add(d, VIOLATIONS, 1);
}

function leaveRead(d) {
  if (Atomics.load(d, WRITERS_IN) !== 0 || Atomics.load(d, A) !== Atomics.load(d, B)) Atomics.add(d, VIOLATIONS, 1);
  Atomics.sub(d, READERS_IN, 1);
  Atomics.add(d, READS, 1);
}

function enterWrite(d) {
  if (Atomics.add(d, WRITERS_IN, 1) !== 0 || Atomics.load(d, READERS_IN) !== 0) Atomics.add(d, VIOLATIONS, 1);
  d[A] += 1; // plain stores: the lock alone keeps a and b equal for readers
}

function leaveWrite(d) {
  d[B] += 1;
  if (Atomics.load(d, READERS_IN) !== 0) Atomics.add(d, VIOLATIONS, 1);
  Atomics.sub(d, WRITERS_IN, 1);
  Atomics.add(d, WRITES, 1);
}

/** The lock a robust scenario uses, by kind ('Lock', 'RLock', 'RwLock'). */
function lockOf(sc, kind, place) {
  switch (kind) {
    case 'Lock':
      return new sc.Lock(place);
    case 'RLock':
      return new sc.RLock(place);
    case 'RwLock':
      return new sc.RwLock(place);
    default:
      throw new Error(kind);
  }
}

/** The side of the lock a robust scenario takes: the lock itself, or an RwLock's read or write side. */
function sideOf(lock, side) {
  return side === 'read' ? lock.read : side === 'write' ? lock.write : lock;
}

export const lockScenarios = {
  /**
   * `iterations` critical sections on an RwLock: every `writeEvery`-th a write (a += 1 … b += 1),
   * the others reads that check a === b and that no writer is inside. Blocking forms.
   */
  async rwMixed(sc, { place, data, start, iterations, writeEvery }) {
    const rw = new sc.RwLock(place);
    const d = int32(data, 8);
    if (!new sc.Event(start).wait(20_000)) throw new Error('start signal never came');
    for (let k = 0; k < iterations; k++) {
      if (k % writeEvery === 0) {
        if (!rw.write.acquire(true, 20_000)) throw new Error('write acquire timed out');
        enterWrite(d);
        leaveWrite(d);
        rw.write.release();
      } else {
        rw.read.withLock(() => {
          enterRead(d);
          leaveRead(d);
        });
      }
    }
    return 'done';
  },

  /**
   * The same with the async forms, `tasks` tasks in a thread that may not block (forbidBlocking),
   * awaiting inside every critical section.
   */
  async rwMixedAsync(sc, { place, data, start, iterations, writeEvery, tasks }) {
    const rw = new sc.RwLock(place);
    const d = int32(data, 8);
    if (!(await new sc.Event(start).waitAsync(20_000))) throw new Error('start signal never came');
    await Promise.all(
      Array.from({ length: tasks }, async () => {
        for (let k = 0; k < iterations; k++) {
          if (k % writeEvery === 0) {
            await rw.write.withLockAsync(async () => {
              enterWrite(d);
              await macrotask();
              leaveWrite(d);
            });
          } else {
            if (!(await rw.read.acquireAsync(20_000))) throw new Error('read acquireAsync timed out');
            enterRead(d);
            await macrotask();
            leaveRead(d);
            rw.read.release();
          }
        }
      }),
    );
    return 'done';
  },

  /**
   * A reader that, holding its read lock, counts itself in and then waits until `n` readers are
   * in and the main thread says `release`: only possible if read holds are shared.
   */
  async rwReaderTogether(sc, { place, counts, n }) {
    const rw = new sc.RwLock(place);
    const c = int32(counts, 2); // [readers in, release]
    if (!rw.read.acquire(true, 20_000)) throw new Error('read acquire timed out');
    try {
      Atomics.add(c, 0, 1);
      Atomics.notify(c, 0);
      for (let v = Atomics.load(c, 0); v < n; v = Atomics.load(c, 0))
        if (Atomics.wait(c, 0, v, 20_000) === 'timed-out') return 'the other readers never came in';
      while (Atomics.load(c, 1) === 0) if (Atomics.wait(c, 1, 0, 20_000) === 'timed-out') return 'never released';
      return 'together';
    } finally {
      rw.read.release();
    }
  },

  /**
   * One of two readers that keep the lock read-held without a gap: each, holding its read lock,
   * waits until the other has come in after it before it leaves. Once the writer has announced
   * itself (`flags[0]`), a reader waits at most 200 ms for the other (who may be held back behind
   * the writer). Stops when the writer is done, or after `limit` rounds (then counts itself in
   * `flags[2]`: the stream outlasted the writer's wait).
   */
  async rwReaderStream(sc, { place, entries, flags, limit }) {
    const rw = new sc.RwLock(place);
    const state = int32(place, 1); // the lock's state word: bit 31 while a writer waits (rwlock.ts)
    const e = int32(entries, 1);
    const f = int32(flags, 4); // [writer waiting, writer done, readers that ran out of rounds, readers in past a waiting writer]
    let k = 0;
    for (; k < limit && Atomics.load(f, 1) === 0; k++) {
      // A writer waiting before this acquire, still not through after it: this reader went past it.
      const writerWaiting = Atomics.load(state, 0) < 0;
      if (!rw.read.acquire(true, 20_000)) throw new Error('read acquire timed out');
      if (writerWaiting && Atomics.load(f, 1) === 0) Atomics.add(f, 3, 1);
      const mine = Atomics.add(e, 0, 1) + 1;
      Atomics.notify(e, 0);
      for (let cur = Atomics.load(e, 0); cur <= mine && Atomics.load(f, 1) === 0; cur = Atomics.load(e, 0)) {
        if (Atomics.load(f, 0) !== 0) {
          Atomics.wait(e, 0, cur, 200);
          break;
        }
        Atomics.wait(e, 0, cur, 1000);
      }
      rw.read.release();
    }
    if (k === limit) Atomics.add(f, 2, 1);
    return k;
  },

  /** The writer against the reader stream: announces itself once the stream runs, then takes the write lock. */
  async rwStarvedWriter(sc, { place, entries, flags, after }) {
    const rw = new sc.RwLock(place);
    const e = int32(entries, 1);
    const f = int32(flags, 4);
    for (let cur = Atomics.load(e, 0); cur < after; cur = Atomics.load(e, 0)) Atomics.wait(e, 0, cur, 1000);
    // A first call costs this thread up to a millisecond (its identity, compiling the path), in
    // which the readers, not yet held back by anything, enter hundreds of times: pay it before
    // counting, with an attempt that cannot succeed (the readers hold the lock) and marks nothing.
    if (rw.write.acquire(false)) throw new Error('the write lock was free while the readers stream');
    const before = Atomics.load(e, 0);
    Atomics.store(f, 0, 1);
    const acquired = rw.write.acquire(true, 20_000);
    const entriesMeanwhile = Atomics.load(e, 0) - before;
    const exhausted = Atomics.load(f, 2);
    Atomics.store(f, 1, 1);
    Atomics.add(e, 0, 1); // wake readers waiting for an entry
    Atomics.notify(e, 0);
    if (acquired) rw.write.release();
    return { acquired, entriesMeanwhile, exhausted, pastWaitingWriter: Atomics.load(f, 3) };
  },

  /** Holds an RwLock's write (or read) side until told to let go; says when it holds it. */
  async rwHold(sc, { place, side, holding, letGo }) {
    const rw = new sc.RwLock(place);
    const s = side === 'read' ? rw.read : rw.write;
    if (!s.acquire(true, 20_000)) throw new Error('acquire timed out');
    new sc.Event(holding).set();
    const ok = new sc.Event(letGo).wait(20_000);
    s.release();
    return ok;
  },

  // ---- a holder that dies ------------------------------------------------------------------------

  /**
   * Joins the registry, takes the lock (`side` of it; an RLock `depth` times), breaks the invariant
   * pair[0] === pair[1] half-way (pair[0] += 1), says so, and waits for ever: the main thread
   * terminates this worker inside its critical section.
   */
  async robustHolder(sc, { kind, side, place, registry, capacity, pair, inside, depth = 1 }) {
    new sc.ThreadRegistry(capacity, registry).join(threadId);
    const s = sideOf(lockOf(sc, kind, place), side);
    for (let k = 0; k < depth; k++) if (!s.acquire(true, 20_000)) throw new Error('acquire timed out');
    const p = int32(pair, 2);
    p[0] += 1;
    new sc.Event(inside).set();
    new sc.Event().wait(); // never set: blocks until terminated
    return 'unreachable';
  },

  /**
   * Joins the registry and waits for the lock a robustHolder holds (blocking, or with the async
   * forms). `repair` mode: `withLock(fn, repair)`, where repair mends the pair and fn adds 1 to
   * both; `plain` mode: `withLock(fn)`, expecting an OwnerDeadError (or, if another thread
   * repaired first, the lock). Reports what happened.
   */
  async robustWaiter(sc, { kind, side, place, registry, capacity, pair, started, mode, async }) {
    const reg = new sc.ThreadRegistry(capacity, registry);
    reg.join(threadId);
    const lock = lockOf(sc, kind, place);
    const s = sideOf(lock, side);
    const p = int32(pair, 2);
    let repairs = 0;
    const repairedInside = [];
    const repair = () => {
      repairs++;
      if (kind === 'RwLock') repairedInside.push(lock.write.isOwned());
      else repairedInside.push(kind === 'RLock' ? lock.isOwned() : lock.locked());
      p[1] = p[0];
    };
    const fn = () => {
      const consistent = p[0] === p[1];
      if (side !== 'read') {
        p[0] += 1;
        p[1] += 1;
      }
      return consistent;
    };
    new sc.Event(started).set();
    try {
      const sawConsistent =
        mode === 'repair' ? (async ? await s.withLockAsync(fn, repair) : s.withLock(fn, repair)) : async ? await s.withLockAsync(fn) : s.withLock(fn);
      return { outcome: 'ran', repairs, repairedInside, sawConsistent, consistentAfter: lock.isConsistent(), pair: [p[0], p[1]] };
    } catch (e) {
      if (!(e instanceof sc.OwnerDeadError)) throw e;
      return { outcome: e.name, code: e.code, held: e.held, sameLock: e.lock === lock, locked: lock.locked(), consistent: lock.isConsistent(), repairs };
    } finally {
      reg.leave();
    }
  },

  /**
   * A condition wait whose lock's holder dies: this worker waits on `cond` (over a Lock); the
   * holder takes the lock, breaks the pair, notifies and dies. The wait returns holding the lock
   * with an OwnerDeadError (`held`); this worker repairs and marks the lock consistent.
   */
  /**
   * A registered waiter on a Semaphore; reports whether it got a unit. `started` is set once it
   * waits: acquireAsync() runs up to its Atomics.waitAsync before it returns its promise.
   */
  async robustSemaphoreWaiter(sc, { place, registry, capacity, started }) {
    const reg = new sc.ThreadRegistry(capacity, registry);
    reg.join(threadId);
    const sem = new sc.Semaphore(0, place);
    const acquired = sem.acquireAsync();
    new sc.Event(started).set();
    try {
      return { acquired: await acquired, value: sem.value };
    } finally {
      reg.leave();
    }
  },

  async robustConditionWaiter(sc, { place, cond, registry, capacity, pair, started }) {
    const reg = new sc.ThreadRegistry(capacity, registry);
    reg.join(threadId);
    const lock = new sc.Lock(place);
    const c = new sc.Condition(lock, cond);
    const p = int32(pair, 2);
    lock.acquire();
    new sc.Event(started).set(); // the holder waits for this, then for our wait
    try {
      c.wait(20_000);
      lock.release();
      return { outcome: 'returned' };
    } catch (e) {
      if (!(e instanceof sc.OwnerDeadError)) throw e;
      const heldNow = lock.locked();
      p[1] = p[0];
      lock.markConsistent();
      lock.release();
      return { outcome: e.name, held: e.held, heldNow, consistent: lock.isConsistent(), locked: lock.locked(), pair: [p[0], p[1]] };
    } finally {
      reg.leave();
    }
  },

  /** The holder of robustConditionWaiter: takes the lock once the waiter waits, breaks the pair, notifies, dies. */
  async robustConditionHolder(sc, { place, cond, registry, capacity, pair, started, inside }) {
    new sc.ThreadRegistry(capacity, registry).join(threadId);
    const lock = new sc.Lock(place);
    const c = new sc.Condition(lock, cond);
    if (!new sc.Event(started).wait(20_000)) throw new Error('the waiter never started');
    if (!lock.acquire(true, 20_000)) throw new Error('acquire timed out'); // free only once the waiter waits
    int32(pair, 2)[0] += 1;
    c.notify();
    new sc.Event(inside).set();
    new sc.Event().wait();
    return 'unreachable';
  },

  /**
   * Joins the registry and increments the pair under the lock (`side` of it) until told to stop,
   * repairing it whenever a holder died half-way; counts increments and repairs (repairs also in
   * `counts[0]`, for the main thread to wait on).
   */
  async robustHammer(sc, { kind, side, place, registry, capacity, pair, counts }) {
    const reg = new sc.ThreadRegistry(capacity, registry);
    reg.join(threadId);
    const s = sideOf(lockOf(sc, kind, place), side);
    const p = int32(pair, 2);
    const c = int32(counts, 2); // [repairs, stop]
    let increments = 0;
    let repairs = 0;
    let torn = 0;
    while (Atomics.load(c, 1) === 0) {
      s.withLock(
        () => {
          if (p[0] !== p[1]) torn++;
          p[0] += 1;
          p[1] += 1;
          increments++;
        },
        () => {
          p[1] = p[0];
          repairs++;
          Atomics.add(c, 0, 1);
          Atomics.notify(c, 0);
        },
      );
    }
    reg.leave();
    return { increments, repairs, torn };
  },

  /** Joins the registry, reports its identity and returns (exits normally). */
  async registryMember(sc, { registry, capacity }) {
    return new sc.ThreadRegistry(capacity, registry).join(threadId);
  },
};
