// A peer process of the cross-process channel tests (processes.test.ts): runs under the runtime that
// runs the suite (Node through koffi or node:ffi, Bun, Deno), attaches the channel, queue or pipe end
// of the handle in its job (JSON made by share(), naming a SharedMemory segment: attach maps it by
// name), does the job, and prints one JSON line with its result. The job is the first argument.
import { sc } from '../workers/library.mjs';
import { PARTICLE } from '../memory/schema.mjs';

const job = JSON.parse(process.argv[2] ?? globalThis.Deno?.args?.[0] ?? '{}');
const { attach, array, errorCode, u32, ChannelClosedError } = sc;
const Particle = PARTICLE(sc);

/** The element schema a job names. */
const SCHEMAS = { particle: Particle, u32 };
const schema = SCHEMAS[job.schema ?? 'particle'];

/** Particle `id`: every field is a function of the id, so a consumer checks each item it gets. */
function particle(id) {
  return { id, x: id * 0.5, y: -id, z: (id % 1024) / 4, alive: id % 3 === 0, mass: id % 1000 };
}

/** Writes particle `id` into a view (zero-copy). */
function fill(v, id) {
  v.id = id;
  v.x = id * 0.5;
  v.y = -id;
  v.z = (id % 1024) / 4;
  v.alive = id % 3 === 0;
  v.mass = id % 1000;
}

/** Checks a particle (a plain object or a view) against its id; returns the id. */
function check(p) {
  const id = p.id;
  if (p.x !== id * 0.5 || p.y !== -id || p.z !== (id % 1024) / 4 || p.alive !== (id % 3 === 0) || p.mass !== id % 1000) {
    throw new Error(`process-peer: particle ${id} arrived damaged: ${JSON.stringify({ x: p.x, y: p.y, z: p.z, alive: p.alive, mass: p.mass })}`);
  }
  return id;
}

const item = (id) => (schema === u32 ? id : particle(id));
const idOf = (v) => (schema === u32 ? v : check(v));

/** The ids a producer pushes: `base`, `base + 1`, … (`n` of them). */
async function produce() {
  const ch = attach(job.handle, schema);
  const { n, base = 0 } = job;
  const BATCH = 100;
  let timedOut = 0;
  switch (job.form) {
    case 'push':
      for (let k = 0; k < n; k++) ch.push(item(base + k));
      break;
    case 'put':
      for (let k = 0; k < n; k++) ch.put(item(base + k));
      break;
    case 'reserve':
      for (let k = 0; k < n; k++) {
        const v = ch.reserve();
        fill(v, base + k);
        ch.commit();
      }
      break;
    case 'batch': {
      // Array views of the element schema (copied as bytes), or typed arrays for u32.
      const batch = schema === u32 ? new Uint32Array(BATCH) : array(Particle, BATCH).create();
      for (let k = 0; k < n; k += BATCH) {
        const m = Math.min(BATCH, n - k);
        for (let j = 0; j < m; j++) {
          if (schema === u32) batch[j] = base + k + j;
          else fill(batch.get(j), base + k + j);
        }
        if (ch.pushMany(m === BATCH ? batch : schema === u32 ? batch.subarray(0, m) : Array.from({ length: m }, (_, j) => item(base + k + j))) !== m) {
          throw new Error('pushMany pushed fewer');
        }
      }
      break;
    }
    case 'async':
      for (let k = 0; k < n; k++) if (!(await ch.pushAsync(item(base + k)))) throw new Error('pushAsync timed out');
      break;
    case 'asyncTimed':
      // pushAsync with a short timeout (`timeout` ms), again until it pushes; before each push, up
      // to `workMs` of work (a spin), so that the consumer's timed waits end near its wake-ups.
      for (let k = 0; k < n; k++) {
        for (const end = performance.now() + (job.workMs * ((k * 7919) % 1000)) / 1000; performance.now() < end; );
        while (!(await ch.pushAsync(item(base + k), job.timeout))) timedOut++;
      }
      break;
    default:
      throw new Error(`process-peer: unknown producer form ${job.form}`);
  }
  if (job.close) ch.close();
  return job.form === 'asyncTimed' ? { pushed: n, timedOut } : { pushed: n };
}

/**
 * Takes items until the channel is closed and drained. `order`: ids must come consecutively from
 * `base` (SPSC). `seen`: a u8 array in a segment (name, byteOffset, length), one counter per id (MPMC: the test
 * checks every id was taken exactly once); `perProducer`: ids are `p * perProducer + k`, and each
 * producer's must come in order.
 */
async function consume() {
  const ch = attach(job.handle, schema);
  // One u8 counter per id at job.seen.byteOffset of the segment (mapped by name here).
  const seen = job.seen === undefined ? null : new Uint8Array(new sc.SharedMemory(job.seen.name).buf, job.seen.byteOffset, job.seen.length);
  const last = new Map();
  let count = 0;
  let sum = 0;
  let next = job.base ?? 0;
  const take = (id) => {
    if (job.order && id !== next) throw new Error(`process-peer: expected item ${next}, got ${id}`);
    next = id + 1;
    if (job.perProducer) {
      const p = Math.floor(id / job.perProducer);
      if ((last.get(p) ?? -1) >= id) throw new Error(`process-peer: producer ${p}'s item ${id} came after ${last.get(p)}`);
      last.set(p, id);
    }
    if (seen) Atomics.add(seen, id, 1);
    count++;
    sum += id;
  };
  switch (job.form) {
    case 'pop':
      for (let v = ch.pop(); v !== undefined; v = ch.pop()) take(idOf(v));
      break;
    case 'get':
      for (;;) {
        try {
          take(idOf(ch.get()));
        } catch (e) {
          if (e instanceof ChannelClosedError) break;
          throw e;
        }
      }
      break;
    case 'front':
      for (let v = ch.front(); v !== null; v = ch.front()) {
        take(idOf(v));
        ch.release();
      }
      break;
    case 'batch': {
      const into = schema === u32 ? new Uint32Array(64) : array(Particle, 64).create();
      for (let m = ch.popMany(into); m > 0; m = ch.popMany(into)) for (let j = 0; j < m; j++) take(idOf(schema === u32 ? into[j] : into.get(j)));
      break;
    }
    case 'iterate':
      for (const v of ch) take(idOf(v));
      break;
    case 'async':
      for (let v = await ch.popAsync(); v !== undefined; v = await ch.popAsync()) take(idOf(v));
      break;
    case 'asyncIterate':
      for await (const v of ch) take(idOf(v));
      break;
    default:
      throw new Error(`process-peer: unknown consumer form ${job.form}`);
  }
  if (!ch.done) throw new Error('process-peer: the loop ended but the channel is not done');
  return { count, sum };
}

const ops = {
  produce,
  consume,
  /** A JoinableQueue's worker: get() jobs until the queue is closed, add each into the u32 total (a Value of the segment), task_done(). */
  async work() {
    const q = attach(job.handle, u32);
    const total = attach(job.total);
    let count = 0;
    for (;;) {
      let n;
      try {
        n = job.async ? await q.getAsync() : q.get();
      } catch (e) {
        if (e instanceof ChannelClosedError) break;
        throw e;
      }
      total.update((t) => t + n);
      count++;
      q.task_done();
    }
    return { count, className: q.constructor.name };
  },
  /** A pipe's end that sends particles 0 … n−1 and receives each reply (the particle with the next id) before sending the next; then closes. */
  async ping() {
    const end = attach(job.handle, Particle);
    let sum = 0;
    for (let k = 0; k < job.n; k++) {
      if (job.async) await end.sendAsync(particle(k));
      else end.send(particle(k));
      const r = job.async ? await end.recvAsync() : end.recv();
      sum += check(r);
      if (r.id !== k + 1) throw new Error(`process-peer: reply ${r.id} to ${k}`);
    }
    end.close();
    return { sum, className: end.constructor.name };
  },
  /** The other end: receives until EOF (ChannelClosedError), answers each particle with the next one. */
  async echo() {
    const end = attach(job.handle, Particle);
    let count = 0;
    for (;;) {
      let p;
      try {
        p = job.async ? await end.recvAsync() : end.recv();
      } catch (e) {
        if (e instanceof ChannelClosedError) break;
        throw e;
      }
      const id = check(p);
      if (job.async) await end.sendAsync(particle(id + 1));
      else end.send(particle(id + 1));
      count++;
    }
    return { count };
  },
  /** One timed pop (or push, `push: true`) on the channel; what it gave and how long it took. */
  async timed() {
    const ch = attach(job.handle, u32);
    const t = performance.now();
    let r;
    if (job.push) r = job.async ? await ch.pushAsync(7, job.timeout) : ch.push(7, job.timeout);
    else r = job.async ? await ch.popAsync(job.timeout) : ch.pop(job.timeout);
    return { r: r ?? null, done: ch.done, ms: performance.now() - t };
  },
  /** A push or pop that waits until the test closes the channel: what it gave, or the error code. */
  async untilClosed() {
    const ch = attach(job.handle, u32);
    try {
      let r;
      if (job.push) r = job.async ? await ch.pushAsync(7) : ch.push(7);
      else r = job.async ? await ch.popAsync() : ch.pop();
      return { r: r ?? null, done: ch.done };
    } catch (e) {
      return { code: errorCode(e) ?? String(e), closedError: e instanceof ChannelClosedError };
    }
  },
};

const op = ops[job.op];
if (op === undefined) throw new Error(`process-peer: unknown op ${job.op}`);
console.log(JSON.stringify(await op()));
