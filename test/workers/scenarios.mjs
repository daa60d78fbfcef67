// Worker-side halves of the concurrency tests. Each receives the library under test (library.mjs:
// src/ in the project's accessor mode) and its workerData; every wait has a timeout, and threads
// coordinate through shared memory, never by sleeping.
import { lockScenarios } from './lock-scenarios.mjs';

/** The bounded buffer of test/sync/fields.test.ts: one lock, two conditions over it. */
function boundedBuffer(sc) {
  return sc.struct(
    {
      lock: sc.mutex(),
      notEmpty: sc.condition('lock'),
      notFull: sc.condition('lock'),
      head: sc.u32,
      tail: sc.u32,
      count: sc.u32,
      items: sc.array(sc.u32, 8),
    },
    { name: 'BoundedBuffer' },
  );
}

/** Resolves after the event loop has run other tasks (a macrotask later). */
const macrotask = () => new Promise((resolve) => setImmediate(resolve));

function make(sc, kind, place, extra = {}) {
  switch (kind) {
    case 'Lock':
      return new sc.Lock(place);
    case 'RLock':
      return new sc.RLock(place);
    case 'Semaphore':
      return new sc.Semaphore(extra.value ?? 1, place);
    case 'BoundedSemaphore':
      return new sc.BoundedSemaphore(extra.value ?? 1, place);
    default:
      throw new Error(kind);
  }
}

export const scenarios = {
  ...lockScenarios,
  /** Which library this worker loaded, in which accessor mode, and what it exports (test/workers/mode.test.ts). */
  async mode(sc) {
    const loaded = await import('./library.mjs');
    const url = sc === loaded.sc ? loaded.library.url : 'not the library that library.mjs loaded';
    return { url, mode: loaded.library.mode, codegenActive: sc.codegenActive(), exports: Object.keys(sc).sort() };
  },

  /** M increments of a plain (non-atomic) counter under a lock; the lock makes them exact. */
  async counter(sc, { kind, place, start, counter, iterations, nested }) {
    const lock = make(sc, kind, place);
    const go = new sc.Event(start);
    if (!go.wait(20_000)) throw new Error('start signal never came');
    const a = new Int32Array(counter.buffer, counter.byteOffset, 1);
    for (let k = 0; k < iterations; k++) {
      if (!lock.acquire(true, 20_000)) throw new Error('acquire timed out');
      if (nested) lock.acquire();
      a[0] = a[0] + 1;
      if (nested) lock.release();
      lock.release();
    }
    return 'done';
  },

  /** Holders of a semaphore count themselves in and out; the maximum seen must not exceed the bound. */
  async semaphoreBound(sc, { kind, place, value, start, stats, iterations }) {
    const sem = make(sc, kind, place, { value });
    new sc.Event(start).wait(20_000);
    const s = new Int32Array(stats.buffer, stats.byteOffset, 2); // [inside, max]
    for (let k = 0; k < iterations; k++) {
      if (!sem.acquire(true, 20_000)) throw new Error('acquire timed out');
      const inside = Atomics.add(s, 0, 1) + 1;
      for (let m = Atomics.load(s, 1); inside > m; m = Atomics.load(s, 1)) Atomics.compareExchange(s, 1, m, inside);
      Atomics.sub(s, 0, 1);
      sem.release();
    }
    return 'done';
  },

  /** Consumer: takes `count` items from a one-slot queue guarded by a condition. */
  async consumer(sc, { lock, cond, slot, count }) {
    const c = new sc.Condition(new sc.RLock(lock), cond);
    const q = new Int32Array(slot.buffer, slot.byteOffset, 2); // [full, value]
    let sum = 0;
    for (let k = 0; k < count; k++) {
      c.acquire();
      if (!c.waitFor(() => q[0] === 1, 20_000)) throw new Error('consumer timed out');
      sum += q[1];
      q[0] = 0;
      c.notifyAll();
      c.release();
    }
    return sum;
  },

  /** Producer: puts 1 … count into the one-slot queue. */
  async producer(sc, { lock, cond, slot, count }) {
    const c = new sc.Condition(new sc.RLock(lock), cond);
    const q = new Int32Array(slot.buffer, slot.byteOffset, 2);
    for (let k = 1; k <= count; k++) {
      c.withLock(() => {
        if (!c.waitFor(() => q[0] === 0, 20_000)) throw new Error('producer timed out');
        q[1] = k;
        q[0] = 1;
        c.notifyAll();
      });
    }
    return 'done';
  },

  /** Rounds through a barrier; each round every party writes its slot, then checks all slots of the round. */
  async barrierRounds(sc, { parties, place, rounds, slots, me }) {
    const b = new sc.Barrier(parties, { place, timeout: 20_000 });
    const s = new Int32Array(slots.buffer, slots.byteOffset, parties);
    const indices = [];
    for (let r = 1; r <= rounds; r++) {
      s[me] = r;
      indices.push(b.wait());
      for (let p = 0; p < parties; p++) if (s[p] < r) throw new Error(`round ${r}: party ${p} has not arrived`);
      b.wait(); // nobody starts round r+1 before everyone checked round r
    }
    return indices;
  },

  /** Waits at a barrier that the main thread will break; reports the error's name. */
  async barrierBroken(sc, { parties, place, arrived }) {
    const b = new sc.Barrier(parties, { place });
    Atomics.add(new Int32Array(arrived.buffer, arrived.byteOffset, 1), 0, 1);
    Atomics.notify(new Int32Array(arrived.buffer, arrived.byteOffset, 1), 0);
    try {
      b.wait(20_000);
      return 'passed';
    } catch (e) {
      return e.name;
    }
  },

  /** Waits for an event, reports how long it took to see it. */
  async eventWaiter(sc, { place, ready }) {
    const e = new sc.Event(place);
    new sc.Event(ready).set();
    return e.wait(20_000);
  },

  /** Acquires a lock, says so, then waits forever: the main thread terminates it while it holds the lock. */
  async holdForever(sc, { kind, place, holding }) {
    const lock = make(sc, kind, place);
    lock.acquire();
    new sc.Event(holding).set();
    new sc.Event().wait(); // never set: blocks until terminated
    return 'unreachable';
  },

  /**
   * Sets `started`, then takes the lock or semaphore at `place` with no timeout: with it held (or at
   * 0) elsewhere, this thread ends up asleep on its word, and only a release's wake-up lets it go
   * on (no registry: nothing looks again). Gives it back unless `keep` (a semaphore's unit given
   * back would wake the next waiter itself) and returns 'acquired'; the test's worker timeout fails
   * a wake-up that never comes.
   */
  async acquireAsleep(sc, { kind, place, value, started, keep = false }) {
    const lock = make(sc, kind, place, { value });
    new sc.Event(started).set();
    lock.acquire();
    if (!keep) lock.release();
    return 'acquired';
  },

  /**
   * Takes the lock at `place`, sets `holding`, and keeps it until its word changes (the main thread's
   * async waiter marked it before going to wait), then a little longer, and releases it.
   */
  async holdUntilMarked(sc, { kind, place, holding }) {
    const lock = make(sc, kind, place);
    lock.acquire();
    const word = new Int32Array(place.buffer, place.byteOffset, 1);
    const held = Atomics.load(word, 0);
    new sc.Event(holding).set();
    while (Atomics.load(word, 0) === held) {} // the waiter's mark
    for (let k = 0; k < 1_000_000 && Atomics.load(word, 0) !== 0; k++) {} // its wait, registered meanwhile
    lock.release();
    return 'released';
  },

  /** Tries to release a lock held by another thread; returns the error message (or 'released'). */
  async releaseForeign(sc, { kind, place }) {
    const lock = make(sc, kind, place);
    try {
      lock.release();
      return 'released';
    } catch (e) {
      return `${e.name}: ${e.message}`;
    }
  },

  /** A struct whose lock member guards its counter member. */
  async structLock(sc, { buffer, iterations, start }) {
    const Shared = sc.struct(
      { flag: sc.u8, guard: sc.mutex(), count: sc.u32, r: sc.rmutex(), slots: sc.semaphore(3), ready: sc.event(), cv: sc.condition(), sync: sc.barrier(2) },
      { name: 'Shared' },
    );
    const s = Shared.view(buffer);
    new sc.Event(start).wait(20_000);
    const guard = s.guard;
    for (let k = 0; k < iterations; k++)
      guard.withLock(() => {
        s.count += 1;
      });
    return 'done';
  },

  /** Increments a synchronized Value (attached from a handle) with update(): exact under contention. */
  async valueUpdates(sc, { counter, hist, iterations, start }) {
    const c = sc.attach(counter);
    const h = sc.attach(hist);
    new sc.Event(start).wait(20_000);
    for (let k = 0; k < iterations; k++) {
      c.update((n) => n + 1);
      h.update(k % h.length, (n) => n + 1);
    }
    return c.getLock().constructor.name;
  },

  /** Attaches a view with the schema it expects; reports a layout mismatch instead of misreading. */
  async attachTyped(sc, { handle, variant }) {
    const Particle = sc.struct(
      variant === 'same'
        ? { x: sc.f64, y: sc.f64, z: sc.f64, vx: sc.f32, vy: sc.f32, vz: sc.f32, id: sc.u32, alive: sc.u8 }
        : { x: sc.f64, y: sc.f64, z: sc.f64, vx: sc.f32, vy: sc.f32, vz: sc.f32, id: sc.u16, alive: sc.u8 },
      { name: 'Particle' },
    );
    try {
      const ps = sc.attach(handle, sc.array(Particle, 100));
      for (let i = 0; i < ps.length; i++) ps.get(i).id = ps.get(i).id * 2;
      return 'ok';
    } catch (e) {
      return `${e.name}: ${e.message.split('\n')[0]}`;
    }
  },

  /** Receives handles by postMessage (not workerData), attaches without schemas, writes, answers. */
  async viaMessage(sc, { port }) {
    const msg = await new Promise((resolve) => port.once('message', resolve));
    const { view, lock, event } = sc.attachAll(msg);
    lock.withLock(() => {
      view.set({ id: 42, name: 'from worker' });
    });
    event.set();
    return sc.fingerprint(view.$schema);
  },

  /**
   * Receives a handle per message, as a pool worker gets a job, and attaches it twice: from the
   * handle alone, and with a schema built for the job. Every view must be of one class.
   */
  async attachMany(sc, { port, rounds }) {
    let first;
    let sameClass = 0;
    let sameClassPerJobSchema = 0;
    for (let r = 0; r < rounds; r++) {
      const msg = await new Promise((resolve) => port.once('message', resolve));
      const v = sc.attach(msg.handle);
      const typed = sc.attach(msg.handle, sc.array(sc.u32, 64)); // a schema built per job
      first ??= v;
      if (Object.getPrototypeOf(v) === Object.getPrototypeOf(first)) sameClass++;
      if (Object.getPrototypeOf(typed) === Object.getPrototypeOf(first)) sameClassPerJobSchema++;
      typed.set(r, r + 1);
      port.postMessage('next');
    }
    return { sameClass, sameClassPerJobSchema };
  },

  /** Atomic field operations on a struct view: exact under contention. */
  async atomicAdds(sc, { buffer, iterations, start }) {
    const Counter = sc.struct({ hits: sc.u32, total: sc.i64, flags: sc.u8 });
    const v = Counter.view(buffer);
    new sc.Event(start).wait(20_000);
    const hits = sc.atomic(v, 'hits');
    const total = sc.atomic(v, 'total');
    for (let k = 0; k < iterations; k++) {
      hits.add(1);
      total.add(2n);
    }
    return 'done';
  },
  /**
   * `tasks` async tasks of this thread, each doing `iterations` increments inside withLockAsync,
   * reading the counter, awaiting a macrotask (the other tasks run meanwhile) and writing it back.
   * Runs with forbidBlocking in the tests: only the async forms may be used here.
   */
  async asyncCounter(sc, { kind, place, value, start, counter, iterations, tasks }) {
    if (!(await new sc.Event(start).waitAsync(20_000))) throw new Error('start signal never came');
    let bump;
    if (kind === 'Value') {
      const v = sc.attach(value);
      bump = () =>
        v.withLockAsync(async (raw) => {
          const n = raw.value;
          await macrotask();
          raw.value = n + 1;
        });
    } else {
      const lock = make(sc, kind, place);
      const a = new Int32Array(counter.buffer, counter.byteOffset, 1);
      bump = () =>
        lock.withLockAsync(async () => {
          const n = a[0];
          await macrotask();
          a[0] = n + 1;
        });
    }
    await Promise.all(
      Array.from({ length: tasks }, async () => {
        for (let k = 0; k < iterations; k++) await bump();
      }),
    );
    return 'done';
  },

  /** Blocking update()s of a synchronized Value attached from a handle. */
  async valueIncrements(sc, { value, start, iterations }) {
    const v = sc.attach(value);
    if (!new sc.Event(start).wait(20_000)) throw new Error('start signal never came');
    for (let k = 0; k < iterations; k++) v.update((n) => n + 1);
    return 'done';
  },

  /**
   * A party of a 2-party barrier whose action (run by whichever party completes round 1) signals
   * `inAction` and then waits up to 5 s for `extraReturned`, recording in `seen` whether it came
   * (1) or not (2). With `rounds: 2`, the party also takes part in round 2.
   */
  async barrierParty(sc, { place, inAction, extraReturned, seen, rounds }) {
    const flag = new Int32Array(seen.buffer, seen.byteOffset, 1);
    const action = () => {
      if (Atomics.load(flag, 0) !== 0) return; // round 2: nothing to check
      new sc.Event(inAction).set();
      Atomics.store(flag, 0, new sc.Event(extraReturned).wait(5000) ? 1 : 2);
    };
    const b = new sc.Barrier(2, { place, action, timeout: 20_000 });
    const indices = [];
    for (let r = 0; r < rounds; r++) indices.push(b.wait());
    return indices;
  },

  /**
   * Arrives with waitAsync() while round 1 is completing (its action is running), i.e. as a third
   * thread at a 2-party barrier: it belongs to round 2. waitAsync must hand back its promise at
   * once; only then does this thread signal `extraReturned`, which the running action waits for.
   */
  async barrierExtraAsync(sc, { place, inAction, extraReturned }) {
    if (!(await new sc.Event(inAction).waitAsync(20_000))) throw new Error('round 1 never reached its action');
    const b = new sc.Barrier(2, { place, timeout: 20_000 });
    const arrived = b.waitAsync();
    new sc.Event(extraReturned).set();
    return await arrived;
  },

  /**
   * Consumer on a thread that may not block: takes `count` items from a bounded buffer guarded by
   * a condition, with the async forms only.
   */
  async asyncConsumer(sc, { lock, cond, slot, count }) {
    const c = new sc.Condition(new sc.RLock(lock), cond);
    const q = new Int32Array(slot.buffer, slot.byteOffset, 2); // [full, value]
    let sum = 0;
    for (let k = 0; k < count; k++) {
      if (!(await c.acquireAsync(20_000))) throw new Error('acquireAsync timed out');
      try {
        if (!(await c.waitForAsync(() => q[0] === 1, 20_000))) throw new Error('consumer timed out');
        sum += q[1];
        q[0] = 0;
        c.notifyAll();
      } finally {
        c.release();
      }
    }
    return sum;
  },

  /** Barrier rounds, with waitAsync (`async`) or wait(); returns the indices. */
  async barrierRoundsMixed(sc, { parties, place, rounds, async }) {
    const b = new sc.Barrier(parties, { place, timeout: 20_000 });
    const indices = [];
    for (let r = 0; r < rounds; r++) indices.push(async ? await b.waitAsync() : b.wait());
    return indices;
  },

  /** Semaphore holders counted in and out with acquireAsync, on a thread that may not block. */
  async semaphoreBoundAsync(sc, { kind, place, value, start, stats, iterations }) {
    const sem = make(sc, kind, place, { value });
    if (!(await new sc.Event(start).waitAsync(20_000))) throw new Error('start signal never came');
    const s = new Int32Array(stats.buffer, stats.byteOffset, 2); // [inside, max]
    for (let k = 0; k < iterations; k++) {
      if (!(await sem.acquireAsync(20_000))) throw new Error('acquireAsync timed out');
      const inside = Atomics.add(s, 0, 1) + 1;
      for (let m = Atomics.load(s, 1); inside > m; m = Atomics.load(s, 1)) Atomics.compareExchange(s, 1, m, inside);
      await macrotask();
      Atomics.sub(s, 0, 1);
      sem.release();
    }
    return 'done';
  },

  /** Reports the words of an RLock while this thread holds it (acquired `depth` times), then releases. */
  /** One try at an RLock that another thread may hold: whether it was taken, and owned. */
  async rlockTry(sc, { place }) {
    const r = new sc.RLock(place);
    const got = r.acquire(false);
    const owned = r.isOwned();
    if (got) r.release();
    return { got, owned, counter: new Int32Array(place.buffer, place.byteOffset ?? 0, 3)[2] };
  },
  async rlockWords(sc, { place, depth }) {
    const r = new sc.RLock(place);
    for (let k = 0; k < depth; k++) r.acquire();
    const words = Array.from(new Int32Array(place.buffer, place.byteOffset ?? 0, 3));
    const again = new sc.RLock(place); // another object over the same words: the same owner
    const reentered = again.acquire(false);
    if (reentered) again.release();
    for (let k = 0; k < depth; k++) r.release();
    return { words, reentered, free: !r.locked() };
  },
  /** Python's bounded buffer (docs of threading.Condition, queue.Queue): the producer side. */
  async bufferProducer(sc, { buffer, start, from, count }) {
    const b = boundedBuffer(sc).view(buffer);
    const { lock, notFull, notEmpty } = b;
    if (!new sc.Event(start).wait(20_000)) throw new Error('start signal never came');
    for (let item = from; item < from + count; item++) {
      lock.withLock(() => {
        if (!notFull.waitFor(() => b.count < b.items.length, 20_000)) throw new Error('producer timed out');
        b.items.set(b.tail, item);
        b.tail = (b.tail + 1) % b.items.length;
        b.count += 1;
        notEmpty.notify();
      });
    }
    return 'done';
  },

  /** The consumer side: takes `count` items, returns them. */
  async bufferConsumer(sc, { buffer, start, count }) {
    const b = boundedBuffer(sc).view(buffer);
    const { lock, notFull, notEmpty } = b;
    if (!new sc.Event(start).wait(20_000)) throw new Error('start signal never came');
    const got = [];
    for (let k = 0; k < count; k++) {
      lock.withLock(() => {
        if (!notEmpty.waitFor(() => b.count > 0, 20_000)) throw new Error('consumer timed out');
        got.push(b.items.get(b.head));
        b.head = (b.head + 1) % b.items.length;
        b.count -= 1;
        notFull.notify();
      });
    }
    return got;
  },
};
