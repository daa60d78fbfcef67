// A peer process of the cross-process tests (processes.test.ts, runtimes.test.ts): runs under
// Node (koffi or node:ffi), Bun or Deno, maps the segment named in its job, does the job, and
// prints one JSON line with its result. The job is the first argument, as JSON.
import { sc } from '../workers/library.mjs';
import { PARTICLE, SHARED } from './schema.mjs';

const job = JSON.parse(process.argv[2] ?? globalThis.Deno?.args?.[0] ?? '{}');
const { SharedMemory, memorySupport, array, fingerprint, attach, atomic } = sc;
const Shared = SHARED(sc);

/** This process's id (the tag it joins a registry with, which its parent's watch() knows). */
function pid() {
  return globalThis.process?.pid ?? globalThis.Deno?.pid;
}

/** Joins the registry the tests put at byte 64 of the segment (capacity 8) with this process's id; returns it. */
function join(shm) {
  const registry = new sc.ThreadRegistry(8, { buffer: shm.buf, byteOffset: 64 });
  registry.join(pid());
  return registry;
}

function report(result) {
  console.log(JSON.stringify(result));
}

const ops = {
  support: () => memorySupport(),
  fingerprint: () => ({ shared: fingerprint(Shared), particle: fingerprint(PARTICLE(sc)) }),
  /**
   * `times` unprotected read-modify-writes of `n`, each under the mutex (exact only if the lock
   * excludes), holding it `holdMs` ms each time (default 0).
   */
  count(shm) {
    const s = Shared.view(shm.buf);
    Atomics.add(new Int32Array(shm.buf), job.startWord ?? 7, 1); // "started"
    const hold = job.holdMs ?? 0;
    for (let k = 0; k < job.times; k++) {
      s.lock.acquire();
      s.n = s.n + 1;
      if (hold > 0) for (const end = performance.now() + hold; performance.now() < end; );
      s.lock.release();
    }
    return { done: job.times };
  },
  /** The same through the RLock, re-entered once per increment. */
  rcount(shm) {
    const s = Shared.view(shm.buf);
    for (let k = 0; k < job.times; k++) {
      s.rlock.withLock(() => s.rlock.withLock(() => (s.rn = s.rn + 1)));
    }
    return { done: job.times };
  },
  /** Marks `flag`, then acquires the mutex (held by the test): returns once the holder's release woke it. */
  blocked(shm) {
    const s = Shared.view(shm.buf);
    s.flag = 1;
    const t = performance.now();
    const got = s.lock.acquire(true, job.timeout ?? -1);
    if (got) s.lock.release();
    return { got, ms: performance.now() - t };
  },
  /** Marks `flag`, then acquires the mutex (held by the test) asynchronously: its waiter thread sleeps in the kernel until the holder's release. */
  async asyncBlocked(shm) {
    const s = Shared.view(shm.buf);
    s.flag = 1;
    const t = performance.now();
    const got = await s.lock.acquireAsync(job.timeout ?? -1);
    if (got) s.lock.release();
    return { got, ms: performance.now() - t };
  },
  /**
   * Waits asynchronously for the mutex (held by the test, never released) and for the event; once
   * the event is set, prints its result and calls process.exit() with the acquisition still
   * pending (its waiter thread asleep in the kernel on the lock word).
   */
  async asyncExit(shm) {
    const s = Shared.view(shm.buf);
    let acquired = false;
    void s.lock.acquireAsync().then((got) => (acquired = got));
    s.flag = 1;
    const set = await s.ready.waitAsync();
    await new Promise((resolve) => process.stdout.write(`${JSON.stringify({ set, acquired })}\n`, resolve));
    process.exit(0);
  },
  /** Waits `timeout` ms for the event (nobody sets it) and ends. */
  async asyncTimeout(shm) {
    const s = Shared.view(shm.buf);
    s.flag = 1;
    return { set: await s.ready.waitAsync(job.timeout) };
  },
  /** Releases the semaphore `times` times, one unit at a time. */
  release(shm) {
    const s = Shared.view(shm.buf);
    for (let k = 0; k < job.times; k++) s.items.release();
    return { released: job.times };
  },
  /** Holds the mutex until the test says so (flag 1: held; the test sets 2), then sets the event. */
  hold(shm) {
    const s = Shared.view(shm.buf);
    const words = new Int32Array(shm.buf);
    s.lock.acquire();
    Atomics.store(words, 6, 1);
    const end = performance.now() + 20_000;
    while (Atomics.load(words, 6) !== 2) if (performance.now() > end) throw new Error('peer.mjs hold: the test never said release');
    s.lock.release();
    s.ready.set();
    return { released: true };
  },
  /**
   * Joins the registry at byteOffset 64 of the segment (tag: its process id), takes the mutex,
   * updates `n` but not `rn` (the pair the test checks), says so (flag 1), and waits inside for an
   * event nobody sets: the test kills it there.
   */
  robustHold(shm) {
    const s = Shared.view(shm.buf);
    join(shm);
    if (job.kind === 'rlock') {
      s.rlock.acquire();
      s.rlock.acquire();
    } else s.lock.acquire();
    s.n = s.n + 1;
    Atomics.store(new Int32Array(shm.buf), 6, 1);
    s.ready.wait();
    return { released: false };
  },
  /**
   * Joins the registry and increments `times` times: n under the mutex, or rn under the RLock
   * re-entered (job.kind 'rlock'); counts the holds whose lock word recorded its registry identity.
   */
  registeredCount(shm) {
    const s = Shared.view(shm.buf);
    const registry = join(shm);
    const me = registry.join(pid()); // already a member: its identity
    const words = new Int32Array(shm.buf);
    let recorded = 0;
    Atomics.add(words, 7, 1); // "started"
    for (let k = 0; k < job.times; k++) {
      if (job.kind === 'rlock')
        s.rlock.withLock(() =>
          s.rlock.withLock(() => {
            s.rn = s.rn + 1;
            if ((Atomics.load(words, 1) & 0x0fffffff) === me) recorded++;
          }),
        );
      else
        s.lock.withLock(() => {
          s.n = s.n + 1;
          if ((Atomics.load(words, 0) & 0x0fffffff) === me) recorded++;
        });
    }
    registry.leave();
    return { identity: me, recorded, done: job.times };
  },
  /**
   * Joins the registry, then waits for the mutex (or the RLock) that another process holds until it
   * is killed: a plain acquire (OwnerDeadError expected), or with job.repair withLock(fn, repair),
   * the repair completing the dead holder's update (rn = n) and fn adding 1 to both.
   */
  deadWaiter(shm) {
    const s = Shared.view(shm.buf);
    const registry = join(shm);
    const lock = job.kind === 'rlock' ? s.rlock : s.lock;
    const out = {};
    if (job.repair) {
      let repairs = 0;
      lock.withLock(
        () => {
          s.n = s.n + 1;
          s.rn = s.rn + 1;
        },
        () => {
          repairs++;
          s.rn = s.n;
        },
      );
      out.repairs = repairs;
    } else {
      try {
        const got = lock.acquire(true, job.timeout ?? -1);
        out.result = got ? 'acquired' : 'timed out';
        if (got) lock.release();
      } catch (e) {
        out.result = e.constructor.name;
      }
    }
    registry.leave();
    return { ...out, locked: lock.locked(), consistent: lock.isConsistent() };
  },
  /** Waits for the event (set by another process). */
  event(shm) {
    const s = Shared.view(shm.buf);
    Atomics.add(new Int32Array(shm.buf), 6, 1); // flag: waiting
    return { set: s.ready.wait(job.timeout ?? -1) };
  },
  /** Takes the semaphore `times` times (released by other processes). */
  semaphore(shm) {
    const s = Shared.view(shm.buf);
    let got = 0;
    for (let k = 0; k < job.times; k++) if (s.items.acquire(true, job.timeout ?? -1)) got++;
    return { got };
  },
  /** Meets the others at the barrier `rounds` times; returns the indices it got. */
  barrier(shm) {
    const s = Shared.view(shm.buf);
    const indices = [];
    for (let k = 0; k < job.rounds; k++) indices.push(s.meet.wait(job.timeout ?? -1));
    return { indices };
  },
  /** Condition: waits (under the mutex) until n reaches `target`. */
  condition(shm) {
    const s = Shared.view(shm.buf);
    s.lock.acquire();
    s.flag = 1;
    let ok = true;
    while (ok && s.n < job.target) ok = s.changed.wait(job.timeout ?? -1);
    const n = s.n;
    s.lock.release();
    return { ok, n };
  },
  /**
   * Attaches the Value of `job.handle` (JSON from share(), naming the segment: this process maps it
   * by name), counts itself in the u32 of `job.started` (another handle), and adds 1 with update()
   * `times` times; returns the handle's kind and what it attached.
   */
  vupdate() {
    const v = attach(JSON.parse(job.handle));
    atomic(attach(JSON.parse(job.started))).add(1);
    for (let k = 0; k < job.times; k++) v.update((n) => n + (typeof n === 'bigint' ? 1n : 1));
    return { done: job.times, lockKind: v.getLock().constructor.name };
  },
  /** The same on a SharedArray of the handle: element `job.index` += 1, `times` times. */
  aupdate() {
    const a = attach(JSON.parse(job.handle));
    atomic(attach(JSON.parse(job.started))).add(1);
    for (let k = 0; k < job.times; k++) a.update(job.index, (x) => x + 1);
    return { done: job.times };
  },
  /**
   * Attaches `job.handle`, reads it, drops it, and collects garbage until the segment's mapping is
   * gone from /proc/self/maps (needs --expose-gc): attach's own mapping is unmapped once nothing
   * attached over it is reachable.
   */
  async unmapped() {
    const { readFileSync } = await import('node:fs');
    const mapped = () => readFileSync('/proc/self/maps', 'utf8').includes(`/dev/shm/${job.name}`);
    let value = attach(JSON.parse(job.handle)).value;
    const before = mapped();
    value = value + 0;
    for (let k = 0; k < 200 && mapped(); k++) {
      globalThis.gc();
      await new Promise((r) => setImmediate(r)); // finalization callbacks run between tasks
    }
    return { value, before, after: mapped() };
  },
  /**
   * Maps segment `name` twice as a SharedMemory of its own: closes one (which unmaps at once where
   * the runtime can detach its ArrayBuffer; koffi on Node < 22 cannot) and never closes the other;
   * drops both, and collects (needs --expose-gc) until /proc/self/maps lists the segment no more.
   * Reports the number of mappings before and after, and after the close.
   */
  async unmappedOwn() {
    const { readFileSync } = await import('node:fs');
    const mappings = () =>
      readFileSync('/proc/self/maps', 'utf8')
        .split('\n')
        .filter((l) => l.endsWith(`/dev/shm/${job.name}`)).length;
    let closed = new SharedMemory(job.name);
    let kept = new SharedMemory(job.name);
    new Uint8Array(closed.buf)[0] = 1;
    new Uint8Array(kept.buf)[1] = 2;
    const before = mappings();
    closed.close();
    const afterClose = mappings();
    closed = kept = null;
    for (let k = 0; k < 200 && mappings() > 0; k++) {
      globalThis.gc();
      await new Promise((r) => setImmediate(r)); // finalization callbacks run between tasks
    }
    return { before, afterClose, after: mappings(), kept };
  },
  /** Creates segment `name` with a Value('d', 2.5) at byte 8, prints its handle, and exits without unlinking. */
  makevalue() {
    const shm = new SharedMemory({ name: job.name, create: true, size: 64 });
    const v = sc.Value('d', 2.5, { memory: shm, byteOffset: 8 });
    return { handle: JSON.stringify(sc.share(v)) };
  },
  /** Writes `count` particles into a new segment (the test reads it from Python), then exits without unlinking. */
  particles() {
    const shm = new SharedMemory({ name: job.name, create: true, size: job.count * 32 });
    const ps = array(PARTICLE(sc), job.count).view(shm.buf);
    for (let i = 0; i < job.count; i++) {
      const p = ps.get(i);
      p.id = i;
      p.x = i * 0.5;
      p.y = -i;
      p.z = i / 3;
      p.alive = i % 3 === 0;
      p.mass = i % 1000;
    }
    shm.close();
    return { written: job.count };
  },
};

const op = ops[job.op];
if (op === undefined) throw new Error(`peer.mjs: unknown op ${job.op}`);
if (['support', 'fingerprint', 'particles', 'vupdate', 'aupdate', 'unmapped', 'unmappedOwn', 'makevalue'].includes(job.op)) report(await op());
else {
  const shm = new SharedMemory({ name: job.name });
  try {
    report(await op(shm));
  } finally {
    shm.close();
  }
}
