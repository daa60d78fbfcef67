// Channels between real OS processes: channels, queues and pipes placed in a SharedMemory segment,
// handed to child processes of the runtime running the suite (Node, or Bun and Deno under
// tools/runtimes/test-on.mjs) as JSON handles, and used there with every form (blocking, async,
// zero-copy, batches, iteration). Waiting goes through the futex system call (blocking forms) or
// polls (async forms). Handshakes are the channels themselves and words of the segment; no sleeps.
// Peers load the library in this project's accessor mode (test/workers/library.mjs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Channel, ChannelClosedError, errorCode, JoinableQueue, Pipe, Queue, SharedMemory, share, toCtypes, u32, Value } from '../../src/index.js';
import { python3 } from '../setup/requirements.js';
import { W } from '../../src/channels/format.js';
import { RUNNER } from '../setup/runtimes.js';
import { commandLine, type Running, runJson, sleepsOnFutex, uniqueName, until } from '../memory/peers.js';
import { Particle } from '../memory/schema.js'; // process-peer.mjs builds the same from schema.mjs (the attach checks the fingerprint)
const PEER = fileURLToPath(new URL('./process-peer.mjs', import.meta.url));
const PY_PEER = fileURLToPath(new URL('./process-peer.py', import.meta.url));
const JS = { node: 'Node', bun: 'Bun', deno: 'Deno' }[RUNNER.runtime];

/** Peers still running: killed after each test, so that a failed test leaves no process blocked on its segment. */
const running = new Set<number>();

/** Runs process-peer.mjs with `job` in a new process of this runtime (killed, and failing, after 45 s: before the test's own limit). */
function peer<T = Record<string, unknown>>(job: Record<string, unknown>): Running<T> {
  const [command, args] = commandLine('node', PEER, [JSON.stringify(job)]);
  const p = runJson<T>(command, args, 45_000);
  running.add(p.pid);
  const forget = () => running.delete(p.pid);
  p.then(forget, forget);
  return p;
}

/** How long this thread may block in one call (a failing peer must fail the test, not hang this thread). */
const BLOCK_MS = 30_000;

/** Runs process-peer.py with `job` (python/sharedctypes.py's Channel). */
function pyPeer<T = Record<string, unknown>>(job: Record<string, unknown>): Running<T> {
  const p = runJson<T>('python3', [PY_PEER, JSON.stringify(job)], 45_000);
  running.add(p.pid);
  const forget = () => running.delete(p.pid);
  p.then(forget, forget);
  return p;
}

/** A handle as another process receives it: through JSON. */
const json = (x: unknown) => JSON.parse(JSON.stringify(share(x)));

const made: string[] = [];
function segment(tag: string, size: number): SharedMemory {
  const shm = new SharedMemory({ name: uniqueName(`ch-${tag}`), create: true, size });
  made.push(shm.name);
  return shm;
}
afterEach(() => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // it ended meanwhile
    }
  }
  running.clear();
  for (const name of made.splice(0)) {
    try {
      new SharedMemory(name).unlink();
    } catch {
      // unlinked by the test
    }
  }
});

/** The sum 0 + 1 + … + (n − 1). */
const triangle = (n: number) => (n * (n - 1)) / 2;

describe(`channels between ${JS} processes (a SharedMemory segment)`, () => {
  // Async waits poll a segment (at least a timer tick per wait): fewer items where they wait often.
  const forms = [
    { produce: 'push', consume: 'pop', capacity: 64, n: 20_000 },
    { produce: 'reserve', consume: 'front', capacity: 7, n: 20_000 },
    { produce: 'batch', consume: 'batch', capacity: 256, n: 20_000 },
    { produce: 'async', consume: 'async', capacity: 64, n: 20_000 },
    { produce: 'push', consume: 'asyncIterate', capacity: 1, n: 5_000 },
    { produce: 'async', consume: 'iterate', capacity: 3, n: 5_000 },
  ];
  it.each(forms)(
    'SPSC Particle, a producer process ($produce) → a consumer process ($consume), capacity $capacity: $n items, in order, intact',
    async ({ produce, consume, capacity, n }) => {
      const shm = segment('spsc', 256 + Channel.byteLength(Particle, capacity, { mode: 'spsc' }));
      const ch = new Channel(Particle, capacity, { mode: 'spsc', memory: shm, byteOffset: 256 });
      const handle = json(ch);
      expect(handle.segment.name).toBe(shm.name);
      expect(handle.byteOffset).toBe(256);
      const consumer = peer<{ count: number; sum: number }>({ op: 'consume', handle, form: consume, order: true });
      const producer = peer({ op: 'produce', handle, form: produce, n, close: true });
      expect(await producer).toEqual({ pushed: n });
      expect(await consumer).toEqual({ count: n, sum: triangle(n) });
      expect(ch.done).toBe(true);
      shm.close();
    },
  );

  it.each(['spsc', 'mpmc'] as const)(
    '%s u32: async pushes and pops whose short timeouts run out as the other process wakes them: every item in order, and both waiter counts end at 0',
    async (mode) => {
      // The waker takes the sleepers it wakes off the count; a wait that is woken and times out
      // anyway takes itself off too, and the count comes out one short: the next sleeper is never
      // woken (with no timeout, both processes asleep for ever; here, a count below 0). Each side
      // works up to 1.5 ms before each item and waits at most 1–2 ms, so that timeouts and
      // wake-ups meet; both sides wait through their waiter thread where they have one.
      const n = 2_000;
      const shm = segment(`timed-${mode}`, Channel.byteLength(u32, 2, { mode }));
      const ch = new Channel(u32, 2, { mode, memory: shm });
      const words = new Int32Array(shm.buf, 0, W.stamps);
      const producer = peer<{ pushed: number; timedOut: number }>({
        op: 'produce',
        schema: 'u32',
        handle: json(ch),
        form: 'asyncTimed',
        n,
        timeout: 1,
        workMs: 1.5,
        close: true,
      });
      let next = 0;
      let timedOut = 0;
      for (let k = 0; ; k++) {
        for (const end = performance.now() + (1.5 * ((k * 6151) % 1000)) / 1000; performance.now() < end; );
        const v = await ch.popAsync(1 + (k % 2));
        if (v !== undefined) {
          if (v !== next) throw new Error(`expected item ${next}, got ${v}`);
          next++;
        } else if (ch.done) break;
        else timedOut++;
      }
      const { pushed, timedOut: producerTimedOut } = await producer;
      expect([next, pushed]).toEqual([n, n]);
      expect(timedOut).toBeGreaterThan(0);
      expect(producerTimedOut).toBeGreaterThan(0);
      expect({ consumersWaiting: Atomics.load(words, W.consumersWaiting), producersWaiting: Atomics.load(words, W.producersWaiting) }).toEqual({
        consumersWaiting: 0,
        producersWaiting: 0,
      });
      shm.close();
    },
  );

  it('MPMC Particle, 2 producer processes × 2 consumer processes: every item exactly once, each producer’s in order', async () => {
    const n = 15_000;
    const capacity = 100;
    const seenAt = 8192;
    const shm = segment('mpmc', seenAt + 2 * n);
    const ch = new Channel(Particle, capacity, { memory: shm, byteOffset: 64 });
    expect(64 + ch.byteLength).toBeLessThanOrEqual(seenAt);
    const handle = json(ch);
    const seen = { name: shm.name, byteOffset: seenAt, length: 2 * n };
    const consumers = [
      peer<{ count: number; sum: number }>({ op: 'consume', handle, form: 'pop', seen, perProducer: n }),
      peer<{ count: number; sum: number }>({ op: 'consume', handle, form: 'front', seen, perProducer: n }),
    ];
    const producers = [peer({ op: 'produce', handle, form: 'push', n, base: 0 }), peer({ op: 'produce', handle, form: 'reserve', n, base: n })];
    await Promise.all(producers);
    ch.close(); // both producers are done: the consumers drain, then end
    const results = await Promise.all(consumers);
    expect(results.reduce((a, r) => a + r.count, 0)).toBe(2 * n);
    expect(results.reduce((a, r) => a + r.sum, 0)).toBe(triangle(2 * n));
    const counts = new Uint8Array(shm.buf, seenAt, 2 * n);
    expect(counts.every((c) => c === 1)).toBe(true);
    expect(ch.done).toBe(true);
    shm.close();
  });

  it('MPMC u32 with async and batch forms in 4 processes: every item exactly once', async () => {
    const n = 20_000;
    const seenAt = 4096;
    const shm = segment('mpmc-async', seenAt + 2 * n);
    const ch = new Channel(u32, 33, { memory: shm, byteOffset: 128 });
    const handle = json(ch);
    const seen = { name: shm.name, byteOffset: seenAt, length: 2 * n };
    const consumers = [
      peer<{ count: number; sum: number }>({ op: 'consume', schema: 'u32', handle, form: 'async', seen, perProducer: n }),
      peer<{ count: number; sum: number }>({ op: 'consume', schema: 'u32', handle, form: 'batch', seen, perProducer: n }),
    ];
    await Promise.all([
      peer({ op: 'produce', schema: 'u32', handle, form: 'async', n, base: 0 }),
      peer({ op: 'produce', schema: 'u32', handle, form: 'batch', n, base: n }),
    ]);
    ch.close();
    const results = await Promise.all(consumers);
    expect(results.reduce((a, r) => a + r.count, 0)).toBe(2 * n);
    expect(new Uint8Array(shm.buf, seenAt, 2 * n).every((c) => c === 1)).toBe(true);
    shm.close();
  });

  it('Queue: a process put()s, this process get()s, another process get()s: every item once', async () => {
    const n = 10_000;
    const shm = segment('queue', Queue.byteLength(u32, 16));
    const q = new Queue(u32, 16, { memory: shm });
    const handle = json(q);
    expect(handle.kind).toBe('queue');
    const other = peer<{ count: number; sum: number }>({ op: 'consume', schema: 'u32', handle, form: 'get' });
    const producer = peer({ op: 'produce', schema: 'u32', handle, form: 'put', n, close: true });
    let count = 0;
    let sum = 0;
    for (;;) {
      let v: number;
      try {
        v = q.get(true, BLOCK_MS); // QueueEmpty (the test fails) if the peers stop
      } catch (e) {
        expect(errorCode(e)).toBe('closed');
        break;
      }
      count++;
      sum += v;
    }
    await producer;
    const r = await other;
    expect(count + r.count).toBe(n);
    expect(sum + r.sum).toBe(triangle(n));
    shm.close();
  });

  it.each([false, true])('JoinableQueue: 2 worker processes (async: %s) task_done() what this process put; join() returns when all are done', async (async) => {
    const jobs = 3_000;
    const totalAt = 0;
    const queueAt = 64;
    const shm = segment('joinable', queueAt + JoinableQueue.byteLength(u32, 8));
    const total = Value('I', 0, { memory: shm, byteOffset: totalAt });
    const q = new JoinableQueue(u32, 8, { memory: shm, byteOffset: queueAt });
    const handle = json(q);
    expect(handle.kind).toBe('joinableQueue');
    const workers = [0, 1].map(() => peer<{ count: number; className: string }>({ op: 'work', handle, total: json(total), async }));
    for (let k = 1; k <= jobs; k++) q.put(k, true, BLOCK_MS);
    expect(q.join(BLOCK_MS)).toBe(true); // sleeps on the futex until the last task_done() of another process
    expect(q.unfinished).toBe(0);
    expect(total.value).toBe(triangle(jobs + 1));
    q.close(); // the workers' get() raises ChannelClosedError: they exit
    const results = await Promise.all(workers);
    expect(results.reduce((a, r) => a + r.count, 0)).toBe(jobs);
    expect(results.map((r) => r.className)).toEqual(['JoinableQueue', 'JoinableQueue']);
    expect(await q.joinAsync(0)).toBe(true);
    shm.close();
  });

  it.each([false, true])('Pipe: two processes, both directions (async: %s); closing one end ends the other’s loop', async (async) => {
    const n = async ? 500 : 2_000; // an async wait polls: at least a timer tick per round trip
    const shm = segment('pipe', Pipe.byteLength(Particle, { capacity: 16 }));
    const [a, b] = Pipe(Particle, { capacity: 16, memory: shm });
    const ping = peer<{ sum: number; className: string }>({ op: 'ping', handle: json(a), n, async });
    const echo = peer<{ count: number }>({ op: 'echo', handle: json(b), async });
    expect(await ping).toEqual({ sum: triangle(n + 1), className: 'Connection' });
    expect(await echo).toEqual({ count: n });
    expect(a.closed && b.closed).toBe(true);
    shm.close();
  });

  it('timeouts: a pop on an empty channel and a push on a full one give up after their time, blocking and async', async () => {
    const shm = segment('timeout', Channel.byteLength(u32, 1));
    const ch = new Channel(u32, 1, { memory: shm });
    const handle = json(ch);
    for (const async of [false, true]) {
      const pop = await peer<{ r: number | null; done: boolean; ms: number }>({ op: 'timed', handle, timeout: 100, async });
      expect(pop.r).toBe(null);
      expect(pop.done).toBe(false);
      expect(pop.ms).toBeGreaterThanOrEqual(90);
    }
    ch.push(1);
    for (const async of [false, true]) {
      const push = await peer<{ r: boolean; ms: number }>({ op: 'timed', handle, timeout: 100, async, push: true });
      expect(push.r).toBe(false);
      expect(push.ms).toBeGreaterThanOrEqual(90);
    }
    expect(ch.size()).toBe(1);
    shm.close();
  });

  it('close: a process asleep in pop (in the kernel) wakes and sees the end; one asleep in push gets ChannelClosedError', async () => {
    const shm = segment('close', 2 * 1024);
    const empty = new Channel(u32, 4, { memory: shm });
    const words = new Int32Array(shm.buf, 0, W.stamps);
    const popper = peer<{ r: number | null; done: boolean }>({ op: 'untilClosed', handle: json(empty) });
    const seq = Atomics.load(words, W.notEmpty);
    await until(() => Atomics.load(words, W.consumersWaiting) === 1 && sleepsOnFutex(popper.pid, seq), 'the peer to sleep in pop');
    empty.close();
    expect(await popper).toEqual({ r: null, done: true });

    const full = new Channel(u32, 1, { mode: 'spsc', memory: shm, byteOffset: 1024 });
    full.push(1);
    const fullWords = new Int32Array(shm.buf, 1024, W.stamps);
    const pusher = peer({ op: 'untilClosed', handle: json(full), push: true });
    const fseq = Atomics.load(fullWords, W.notFull);
    await until(() => Atomics.load(fullWords, W.producersWaiting) === 1 && sleepsOnFutex(pusher.pid, fseq), 'the peer to sleep in push');
    full.close();
    expect(await pusher).toEqual({ code: 'closed', closedError: true });
    expect(full.pop()).toBe(1); // what was in it is still drained
    shm.close();
  });

  it('close: async waits in another process (they poll a segment) see the close too', async () => {
    const shm = segment('close-async', 1024);
    const ch = new Channel(u32, 4, { memory: shm });
    const words = new Int32Array(shm.buf, 0, W.stamps);
    const popper = peer({ op: 'untilClosed', handle: json(ch), async: true });
    await until(() => Atomics.load(words, W.consumersWaiting) === 1, 'the peer to wait in popAsync');
    ch.close();
    expect(await popper).toEqual({ r: null, done: true });
    shm.close();
  });
});

const py = python3();

describe.skipIf(py.skip)(`${py.note}Python processes take items from a channel in a segment (python/sharedctypes.py)`, () => {
  let dir = '';
  let module = '';
  beforeAll(() => {
    py.check();
    dir = mkdtempSync(join(tmpdir(), 'sct-ch-ctypes-'));
    module = join(dir, 'schemas.py');
    writeFileSync(module, `${toCtypes(Particle)}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['push', 'batch'])('SPSC Particle: a %s producer process → a Python consumer process: every item, in order, intact', async (form) => {
    const n = 20_000;
    const shm = segment('py-spsc', 64 + Channel.byteLength(Particle, 32, { mode: 'spsc' }));
    const ch = new Channel(Particle, 32, { mode: 'spsc', memory: shm, byteOffset: 64 });
    const handle = json(ch);
    const consumer = pyPeer<{ count: number; sum: number; mode: string; done: boolean }>({ handle, module, order: true });
    await peer({ op: 'produce', handle, form, n, close: true });
    expect(await consumer).toEqual({ count: n, sum: triangle(n), mode: 'spsc', done: true });
    shm.close();
  });

  it('MPMC Particle: 2 producer processes, a Python consumer and a JavaScript consumer process: every item once, each producer’s in order', async () => {
    const n = 10_000;
    const shm = segment('py-mpmc', Channel.byteLength(Particle, 16));
    const ch = new Channel(Particle, 16, { memory: shm });
    const handle = json(ch);
    const consumers = [
      pyPeer<{ count: number; sum: number }>({ handle, module, perProducer: n }),
      peer<{ count: number; sum: number }>({ op: 'consume', handle, form: 'pop', perProducer: n }),
    ];
    await Promise.all([peer({ op: 'produce', handle, form: 'push', n, base: 0 }), peer({ op: 'produce', handle, form: 'reserve', n, base: n })]);
    ch.close();
    const results = await Promise.all(consumers);
    expect(results.reduce((a, r) => a + r.count, 0)).toBe(2 * n);
    expect(results.reduce((a, r) => a + r.sum, 0)).toBe(triangle(2 * n));
    shm.close();
  });

  it.each(['spsc', 'mpmc'] as const)(
    '%s: a head word overwritten with a position of no slot is refused in Python (ChannelCorruptError), not read outside the ring',
    async (mode) => {
      const shm = segment(`py-corrupt-${mode}`, 64 + Channel.byteLength(u32, 5, { mode }) + 64);
      const ch = new Channel(u32, 5, { mode, memory: shm, byteOffset: 64 });
      for (let k = 0; k < 3; k++) ch.push(k);
      new Int32Array(shm.buf, 64)[W.head] = 7; // slot 7 of a ring of 5
      expect(await pyPeer({ handle: json(ch), schema: 'u32', corrupt: true })).toEqual({
        error: 'ChannelCorruptError',
        message: expect.stringContaining('its head word holds 7, a position of slot 7, but the ring has 5 slots'),
      });
      shm.close();
    },
  );

  it.each(['spsc', 'mpmc'] as const)('%s: a Python process closes the channel: it drains what is there and ends, and pushes here fail', async (mode) => {
    const shm = segment(`py-close-${mode}`, Channel.byteLength(u32, 16, { mode }));
    const ch = new Channel(u32, 16, { mode, memory: shm });
    for (let k = 0; k < 10; k++) ch.push(k);
    expect(await pyPeer({ handle: json(ch), schema: 'u32', closeFirst: true, order: true })).toMatchObject({ count: 10, sum: triangle(10), done: true });
    expect([ch.closed, ch.done]).toEqual([true, true]); // the closed word and the tail's mark, both written by Python
    expect(() => ch.push(10)).toThrow(ChannelClosedError);
    shm.close();
  });

  it('JoinableQueue: a Python process task_done()s what this process put; join() returns when it is done', async () => {
    const jobs = 2_000;
    const shm = segment('py-joinable', JoinableQueue.byteLength(u32, 8));
    const q = new JoinableQueue(u32, 8, { memory: shm });
    const worker = pyPeer<{ count: number; sum: number }>({ handle: json(q), schema: 'u32', taskDone: true });
    for (let k = 0; k < jobs; k++) q.put(k, true, BLOCK_MS);
    expect(q.join(BLOCK_MS)).toBe(true);
    q.close();
    expect(await worker).toMatchObject({ count: jobs, sum: triangle(jobs) });
    shm.close();
  });
});
