// Worker-side halves of the channel tests (run by test/workers/runner.mjs against the library
// under test). Items are Particles whose every field derives from (id, gen), so a consumer checks
// each item it gets in full: a torn, stale or repeated item is seen. Every wait has a timeout;
// threads coordinate through the channels and shared words, never by sleeping.
import { threadId } from 'node:worker_threads';

const T = 20_000; // ms: a blocking call that waits this long is a failed test, not a hang

/** The 48-byte Particle of the benchmarks, with the producer's number in `gen`. */
export function particleSchema(sc) {
  return sc.struct({ x: sc.f64, y: sc.f64, z: sc.f64, vx: sc.f32, vy: sc.f32, vz: sc.f32, id: sc.u32, gen: sc.u8 }, { name: 'Particle' });
}

/** Item `id` of producer `gen`: every field exact in its type. */
export function expected(id, gen) {
  return { x: id * 0.5, y: -id, z: id + 0.25, vx: (id % 100) + 0.5, vy: -(id % 7), vz: 1.5, id, gen };
}

/**
 * A polling loop's pause after a failed try: the first tries spin; then each waits 50 µs in the
 * kernel, so that a test polling a channel does not take the core its partner thread needs (2
 * cores, other test files running). The library's non-blocking calls are what is tested; the wait
 * is the test's own, between them.
 */
const idle = new Int32Array(new SharedArrayBuffer(4));
function backoff(tries) {
  if (tries > 64) Atomics.wait(idle, 0, 0, 0.05);
  return tries + 1;
}

function write(v, id, gen) {
  v.x = id * 0.5;
  v.y = -id;
  v.z = id + 0.25;
  v.vx = (id % 100) + 0.5;
  v.vy = -(id % 7);
  v.vz = 1.5;
  v.id = id;
  v.gen = gen;
}

/** Whether view or object `p` is exactly item (p.id, p.gen). */
function intact(p) {
  const id = p.id;
  return p.x === id * 0.5 && p.y === -id && p.z === id + 0.25 && p.vx === (id % 100) + 0.5 && p.vy === -(id % 7) && p.vz === 1.5;
}

const macrotask = () => new Promise((resolve) => setImmediate(resolve));

/** Pushes items from … from + count − 1 of producer `gen` in the given form. */
async function produce(sc, { handle, from, count, form, gen, close, started }) {
  const Particle = particleSchema(sc);
  const ch = sc.attach(handle, Particle);
  if (started) {
    Atomics.store(new Int32Array(started), 0, 1);
    Atomics.notify(new Int32Array(started), 0);
  }
  const end = from + count;
  switch (form) {
    case 'push':
      for (let id = from; id < end; id++) if (!ch.push(expected(id, gen), T)) throw new Error('push timed out');
      break;
    case 'try':
      for (let id = from; id < end; id++) {
        const v = expected(id, gen);
        for (let t = 0; !ch.tryPush(v); ) t = backoff(t);
      }
      break;
    case 'reserve':
      for (let id = from; id < end; id++) {
        const v = ch.reserve(T);
        if (v === null) throw new Error('reserve timed out');
        write(v, id, gen);
        ch.commit();
      }
      break;
    case 'tryReserve':
      for (let id = from; id < end; id++) {
        let v = ch.tryReserve();
        for (let t = 0; v === null; v = ch.tryReserve()) t = backoff(t);
        write(v, id, gen);
        ch.commit();
      }
      break;
    case 'batch': {
      for (let id = from; id < end; ) {
        const n = Math.min(61, end - id);
        const items = Array.from({ length: n }, (_, k) => expected(id + k, gen));
        if (ch.pushMany(items, T) !== n) throw new Error('pushMany timed out');
        id += n;
      }
      break;
    }
    case 'batchView': {
      const chunk = sc.array(Particle, 64).create();
      for (let id = from; id < end; ) {
        const n = Math.min(64, end - id);
        for (let k = 0; k < n; k++) write(chunk.get(k), id + k, gen);
        let done = 0;
        for (let t = 0; done < n; ) {
          const pushed = ch.tryPushMany(chunk, done, n - done);
          done += pushed;
          t = pushed > 0 ? 0 : backoff(t);
        }
        id += n;
      }
      break;
    }
    case 'async':
      for (let id = from; id < end; id++) {
        if (!(await ch.pushAsync(expected(id, gen), T))) throw new Error('pushAsync timed out');
        if (id % 1000 === 0) await macrotask();
      }
      break;
    case 'asyncReserve':
      for (let id = from; id < end; id++) {
        const v = await ch.reserveAsync(T);
        if (v === null) throw new Error('reserveAsync timed out');
        write(v, id, gen);
        ch.commit();
      }
      break;
    default:
      throw new Error(`no producer form ${form}`);
  }
  if (close) ch.close();
  return 'done';
}

/**
 * Pops until the channel is closed and drained, checking every item in full and the order of
 * each producer's items; counts each (gen, id) in `seen` (one Int32 per item of all producers).
 * With `byGen`, also reports the last id + 1 of each producer (its count, when there are no gaps).
 */
async function consume(sc, { handle, form, seen, perGen, byGen }) {
  const Particle = particleSchema(sc);
  const ch = sc.attach(handle, Particle);
  const counts = seen ? new Int32Array(seen) : null;
  const last = new Map();
  let count = 0;
  let torn = 0;
  let disorder = 0;
  let gaps = 0;
  let first = null;
  const check = (p) => {
    count++;
    if (!intact(p)) {
      torn++;
      first ??= JSON.stringify(p.toObject ? p.toObject() : p);
    }
    const prev = last.get(p.gen) ?? -1;
    if (p.id <= prev) disorder++;
    else if (p.id !== prev + 1) gaps++;
    last.set(p.gen, p.id);
    if (counts) Atomics.add(counts, p.gen * perGen + p.id, 1);
  };
  switch (form) {
    case 'pop':
      for (;;) {
        const p = ch.pop(T);
        if (p === undefined) {
          if (ch.done) break;
          throw new Error('pop timed out');
        }
        check(p);
      }
      break;
    case 'try':
      for (let t = 0; ; ) {
        const p = ch.tryPop();
        if (p !== undefined) {
          check(p);
          t = 0;
        } else if (ch.done) break;
        else t = backoff(t);
      }
      break;
    case 'front':
      for (;;) {
        const p = ch.front(T);
        if (p === null) {
          if (ch.done) break;
          throw new Error('front timed out');
        }
        check(p);
        ch.release();
      }
      break;
    case 'batch': {
      const into = [];
      for (;;) {
        into.length = 37;
        const n = ch.popMany(into, T);
        if (n === 0) {
          if (ch.done) break;
          throw new Error('popMany timed out');
        }
        for (let k = 0; k < n; k++) check(into[k]);
      }
      break;
    }
    case 'batchView': {
      const into = sc.array(Particle, 50).create();
      for (let t = 0; ; ) {
        const n = ch.tryPopMany(into);
        for (let k = 0; k < n; k++) check(into.get(k));
        if (n === 0 && ch.done) break;
        t = n > 0 ? 0 : backoff(t);
      }
      break;
    }
    case 'iter':
      for (const p of ch) check(p);
      break;
    case 'async':
      for await (const p of ch) {
        check(p);
        if (count % 1000 === 0) await macrotask();
      }
      break;
    case 'asyncFront':
      for (;;) {
        const p = await ch.frontAsync(T);
        if (p === null) {
          if (ch.done) break;
          throw new Error('frontAsync timed out');
        }
        check(p);
        ch.release();
      }
      break;
    default:
      throw new Error(`no consumer form ${form}`);
  }
  return { count, torn, disorder, gaps, first, ...(byGen && { byGen: Object.fromEntries([...last].map(([g, id]) => [g, id + 1])) }) };
}

export const scenarios = {
  produce,
  consume,

  /** Pushes items of `gen` for ever (until terminated), counting committed items in `progress`. */
  async produceForever(sc, { handle, gen, form, progress }) {
    const ch = sc.attach(handle, particleSchema(sc));
    const p = new Int32Array(progress);
    for (let id = 0; ; id++) {
      if (form === 'reserve') {
        const v = ch.reserve(T);
        if (v === null) throw new Error('reserve timed out');
        write(v, id, gen);
        ch.commit();
      } else if (!ch.push(expected(id, gen), T)) throw new Error('push timed out');
      Atomics.store(p, 0, id + 1);
    }
  },

  /** Reserves a slot, says so, and waits for ever without committing (the test terminates it). */
  async holdReservation(sc, { handle, holding }) {
    const ch = sc.attach(handle, particleSchema(sc));
    const v = ch.reserve(T);
    if (v === null) throw new Error('reserve timed out');
    write(v, 999, 9);
    new sc.Event(holding).set();
    new sc.Event().wait();
    return 'unreachable';
  },

  /** Blocks in a pop (or push) of a channel that another thread closes; reports what the call gave. */
  async blockedThenClosed(sc, { handle, side, form }) {
    const ch = sc.attach(handle, sc.u32);
    try {
      if (side === 'consumer') {
        if (form === 'iter') {
          const got = [];
          for (const v of ch) got.push(v);
          return { got, done: ch.done };
        }
        if (form === 'async') {
          const got = [];
          for await (const v of ch) got.push(v);
          return { got, done: ch.done };
        }
        const v = form === 'front' ? ch.front(T) : ch.pop(T);
        return { got: v, done: ch.done };
      }
      if (form === 'reserve') ch.reserve(T);
      else if (form === 'async') await ch.pushAsync(7, T);
      else ch.push(7, T);
      return { error: 'none' };
    } catch (e) {
      return { error: e.name, code: e.code };
    }
  },

  /**
   * Round r: a blocking pop that gets r (consumer side), or a blocking push of r into a full
   * channel (producer side); then acknowledges it on `acks` and waits for `go`, so that the test
   * sees this thread asleep in `handle`'s channel once per round. Last, a pop (push) that times out.
   */
  async wakeRounds(sc, { handle, acks, go, rounds, side }) {
    const ch = sc.attach(handle, sc.u32);
    const ack = sc.attach(acks, sc.u32);
    const gate = sc.attach(go, sc.u32);
    for (let r = 0; r < rounds; r++) {
      if (side === 'consumer') {
        const v = ch.pop(T);
        if (v !== r) throw new Error(`round ${r}: popped ${v}`);
      } else if (!ch.push(r, T)) throw new Error(`round ${r}: push timed out`);
      if (!ack.push(r, T)) throw new Error('ack timed out');
      if (gate.pop(T) === undefined) throw new Error('go timed out');
    }
    return { last: side === 'consumer' ? ch.pop(20) : ch.push(99, 20) };
  },

  /**
   * A consumer of a ThreadRegistry (at `registry`): pops one u32 with no timeout (blocking, or
   * async) and returns it. The test lets it fall asleep, then pushes without waking it.
   */
  async registeredPop(sc, { handle, registry, capacity, async }) {
    const reg = new sc.ThreadRegistry(capacity, registry);
    reg.join(threadId);
    try {
      const ch = sc.attach(handle, sc.u32);
      return { got: async ? await ch.popAsync() : ch.pop() };
    } finally {
      reg.leave();
    }
  },

  /** Takes `count` jobs from a JoinableQueue (any worker may take any), summing them and marking each done. */
  async joinableWorker(sc, { handle, stop }) {
    const q = sc.attach(handle, sc.u32);
    let sum = 0;
    let n = 0;
    for (;;) {
      let job;
      try {
        job = q.get(true, T);
      } catch (e) {
        if (e.code === 'closed') break;
        throw e;
      }
      if (job === stop) {
        q.task_done();
        break;
      }
      sum += job;
      n++;
      q.task_done();
    }
    return { sum, n };
  },

  /**
   * Calls task_done() on a JoinableQueue with nothing put, again and again until `ctl[1]` is set
   * (`ctl[0]` says it has started): each call must be refused (out_of_range) without the count
   * ever leaving zero. Returns the number of refusals.
   */
  async extraTaskDone(sc, { handle, ctl }) {
    const q = sc.attach(handle, sc.u32);
    Atomics.store(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    let refused = 0;
    while (Atomics.load(ctl, 1) === 0) {
      try {
        q.task_done();
      } catch (e) {
        if (e.code !== 'out_of_range') throw e;
        refused++;
      }
    }
    return refused;
  },

  /** One end of a duplex pipe: receives numbers and sends back their doubles, until EOF. */
  async pipeEcho(sc, { handle }) {
    const conn = sc.attach(handle, sc.f64);
    let n = 0;
    for (;;) {
      let x;
      try {
        x = conn.recv(T);
      } catch (e) {
        if (e.code === 'closed') break;
        throw e;
      }
      conn.send(x * 2, T);
      n++;
    }
    return n;
  },

  // ---- a push racing close() (docs/channels.md, "Closing") ----------------------------------------
  // Three workers per round: a producer pushing as fast as it can, a consumer popping to the end,
  // and a closer. The closer waits (a handshake) until the consumer reports 2,000 items, then for a
  // random time of up to 1 ms (jitter, so that the close lands at a different moment of each round's
  // stream; the order of events is not decided by it), then closes. Counts go to shared words, one
  // per round.

  /** Pushes into each channel until a push throws ChannelClosedError; `pushed[r]`: the pushes that returned. */
  async racePush(sc, { handles, pushed }) {
    const out = new Int32Array(pushed);
    for (let r = 0; r < handles.length; r++) {
      const ch = sc.attach(handles[r], sc.u32);
      let n = 0;
      try {
        for (;;) {
          if (!ch.push(n, T)) throw new Error('push timed out');
          n++;
        }
      } catch (e) {
        if (sc.errorCode(e) !== 'closed') throw e;
      }
      out[r] = n;
    }
    return handles.length;
  },

  /** Pops from each channel until the end; `popped[r]`: how many, `progress[r]`: how many so far (every 256). */
  async racePop(sc, { handles, popped, progress }) {
    const out = new Int32Array(popped);
    const p = new Int32Array(progress);
    for (let r = 0; r < handles.length; r++) {
      const ch = sc.attach(handles[r], sc.u32);
      let n = 0;
      for (let v = ch.pop(T); v !== undefined; v = ch.pop(T)) {
        if (v !== n) throw new Error(`round ${r}: got ${v}, expected ${n}`);
        n++;
        if ((n & 255) === 0) {
          Atomics.store(p, r, n);
          Atomics.notify(p, r);
        }
      }
      if (!ch.done) throw new Error(`round ${r}: pop timed out`);
      out[r] = n;
    }
    return handles.length;
  },

  /** Closes each channel once its consumer has reported 2,000 items and a random delay of up to 1 ms has passed. */
  async raceClose(sc, { handles, progress }) {
    const p = new Int32Array(progress);
    const jitter = new Int32Array(new SharedArrayBuffer(4)); // nobody notifies it: a timed wait is a delay
    for (let r = 0; r < handles.length; r++) {
      for (let n = Atomics.load(p, r); n < 2000; n = Atomics.load(p, r)) {
        if (Atomics.wait(p, r, n, T) === 'timed-out') throw new Error(`round ${r}: the consumer made no progress`);
      }
      Atomics.wait(jitter, 0, 0, Math.random());
      sc.attach(handles[r], sc.u32).close();
    }
    return handles.length;
  },
};
