// Worker-side halves of the concurrency tests. Each receives the library under test (library.mjs:
// src/ in the project's accessor mode) and its workerData; every wait has a timeout, and threads
// coordinate through shared memory, never by sleeping.

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

  /** Receives a handle per message, as a pool worker gets a job: the same memory must map to the same buffer object and view class. */
  async attachMany(sc, { port, rounds }) {
    let first;
    let sameBuffer = 0;
    let sameClass = 0;
    for (let r = 0; r < rounds; r++) {
      const msg = await new Promise((resolve) => port.once('message', resolve));
      const v = sc.attach(msg.handle);
      first ??= v;
      if (v.$buffer === first.$buffer) sameBuffer++;
      if (Object.getPrototypeOf(v) === Object.getPrototypeOf(first)) sameClass++;
      v.set(r, r);
      port.postMessage('next');
    }
    return { sameBuffer, sameClass };
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
};
