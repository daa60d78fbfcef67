// The test page: ?mode=auto (the default) lets the library probe for eval; ?mode=off configures the
// interpreted accessors first. The result lands in window.__result (or window.__error).
import {
  Barrier,
  canBlock,
  Channel,
  codegenActive,
  configure,
  Event,
  f64,
  fingerprint,
  memorySupport,
  offsetof,
  SharedMemory,
  share,
  sizeof,
  Value,
  view,
} from '../dist/sharedctypes.js';
import {
  BoundedBuffer,
  CHANNEL_ITEMS,
  COUNT,
  Counter,
  FULL,
  Msg,
  Pair,
  TITLE,
  WORKERS,
  World,
  checksum,
  expected,
  macrotask,
  toJSONText,
  watch,
} from './workload.js';

const log = watch(window);
const mode = new URLSearchParams(location.search).get('mode') ?? 'auto';

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The page's two module workers, started once and given every scenario in turn (as a pool of an
 * application's would be): starting a module worker loads the library's module graph again, which
 * cost more than the scenarios themselves.
 */
const pool = Array.from({ length: WORKERS }, () => {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const replies = [];
  const fail = (error) => {
    for (const reply of replies.splice(0)) reply.reject(error);
  };
  worker.onmessage = ({ data }) => {
    const reply = replies.shift();
    if (reply) data.ok ? reply.resolve(data) : reply.reject(new Error(`worker: ${data.error}`));
  };
  worker.onerror = (e) => fail(new Error(`worker error: ${e.message ?? 'failed to load'}`));
  worker.onmessageerror = () => fail(new Error('worker: message could not be deserialized'));
  return { worker, replies };
});

/** Gives worker `w` of the pool one scenario; resolves with its answer. */
function runWorker(w, message) {
  const { worker, replies } = pool[w];
  const done = new Promise((resolve, reject) => replies.push({ resolve, reject }));
  worker.postMessage(message);
  return withTimeout(done, 20_000, `worker ${w}`);
}

function textDecoderOnShared() {
  try {
    new TextDecoder().decode(new Uint8Array(new SharedArrayBuffer(4)));
    return 'accepted';
  } catch (e) {
    return `rejected (${e.name}: ${e.message})`;
  }
}

/**
 * Locks across threads with a main thread that may not block: two workers take a lock member of a
 * shared struct with blocking acquire(), while the main thread takes the same lock with
 * acquireAsync(). Every increment must count.
 */
async function lockScenario() {
  const K = 2000;
  const counter = Counter.create();
  const guard = counter.guard;
  const workers = Array.from({ length: WORKERS }, (_, w) => runWorker(w, { lockTest: true, buffer: counter.$buffer, k: K, mode }));
  let mainIncrements = 0;
  for (let k = 0; k < K; k++) {
    if (!(await guard.acquireAsync(10_000))) throw new Error('acquireAsync timed out');
    counter.n = counter.n + 1;
    mainIncrements++;
    guard.release();
  }
  await Promise.all(workers);
  let blockingWait;
  try {
    new Event().wait(60_000); // throws before waiting; a short timeout could expire first on a loaded machine and return false
    blockingWait = 'returned';
  } catch (e) {
    blockingWait = `${e.name}: ${e.message}`;
  }
  return { canBlock: canBlock(), count: counter.n, expected: K * (WORKERS + 1), mainIncrements, blockingWait, locked: guard.locked() };
}

/**
 * The async forms on a main thread that may not block, against workers that block: (1) two async
 * tasks that await inside Value.withLockAsync (its RLock) while the workers update() the value;
 * (2) the page consumes a bounded buffer (one lock, two condition('lock') members) that the
 * workers fill, with acquireAsync and waitForAsync; (3) barrier rounds, the page with waitAsync.
 */
async function asyncScenario() {
  const K = 500;
  const M = 50;
  const ITEMS = 200;
  const ROUNDS = 20;
  const value = Value('i', 0);
  const b = BoundedBuffer.create();
  const barrier = new Barrier(3, { timeout: 10_000 });
  const workers = Array.from({ length: WORKERS }, (_, w) =>
    runWorker(w, {
      asyncTest: true,
      value: share(value),
      k: K,
      buffer: b.$buffer,
      from: w * ITEMS + 1,
      items: ITEMS,
      barrier: barrier.place,
      rounds: ROUNDS,
      mode,
    }),
  );
  const task = async () => {
    for (let k = 0; k < M; k++) {
      await value.withLockAsync(async (raw) => {
        const n = raw.value;
        await macrotask(); // the other task, and the workers, wait meanwhile
        raw.value = n + 1;
      });
    }
  };
  await Promise.all([task(), task()]);
  const got = [];
  for (let k = 0; k < WORKERS * ITEMS; k++) {
    if (!(await b.lock.acquireAsync(10_000))) throw new Error('acquireAsync timed out');
    try {
      if (!(await b.notEmpty.waitForAsync(() => b.count > 0, 10_000))) throw new Error('consumer timed out');
      got.push(b.items.get(b.head));
      b.head = (b.head + 1) % b.items.length;
      b.count -= 1;
      b.notFull.notify();
    } finally {
      b.lock.release();
    }
  }
  const mainIndices = [];
  for (let r = 0; r < ROUNDS; r++) mainIndices.push(await barrier.waitAsync());
  const results = await Promise.all(workers);
  got.sort((x, y) => x - y);
  const everyItemOnce = got.length === WORKERS * ITEMS && got.every((x, i) => x === i + 1);
  const rounds = mainIndices.every((m, r) => [m, ...results.map((w) => w.indices[r])].sort().join() === '0,1,2');
  return { count: value.value, expected: WORKERS * K + 2 * M, everyItemOnce, rounds, locked: value.getLock().locked() || b.lock.locked() };
}

/**
 * An RwLock member on a main thread that may not block: two workers take its read and write sides
 * with the blocking forms; the page runs a writer task and two reader tasks that await inside
 * their critical sections (read.withLockAsync / write.withLockAsync). Writers keep a === b; no
 * reader may see a torn pair.
 */
async function rwlockScenario() {
  const K = 2000;
  const M = 30;
  const pair = Pair.create();
  const { rw } = pair;
  const workers = Array.from({ length: WORKERS }, (_, w) => runWorker(w, { rwlockTest: true, buffer: pair.$buffer, k: K, mode }));
  let torn = 0;
  let readersTogether = 0;
  let readersInside = 0;
  const writer = async () => {
    for (let k = 0; k < M; k++) {
      await rw.write.withLockAsync(async () => {
        pair.a += 1;
        await macrotask(); // everybody else waits meanwhile
        pair.b += 1;
      });
    }
  };
  const reader = async () => {
    for (let k = 0; k < M; k++) {
      await rw.read.withLockAsync(async () => {
        readersInside++;
        if (readersInside > 1) readersTogether++;
        if (pair.a !== pair.b) torn++;
        await macrotask();
        if (pair.a !== pair.b) torn++;
        readersInside--;
      });
    }
  };
  await Promise.all([writer(), reader(), reader()]);
  await Promise.all(workers);
  return { a: pair.a, b: pair.b, expected: WORKERS * (K / 2) + M, torn: torn + pair.torn, readersTogether: readersTogether > 0, locked: rw.locked() };
}

/**
 * Channels between Web Workers and a page that may not block: two workers push into an MPMC
 * channel (blocking forms), the page drains it with `for await`; the page fills an SPSC channel of
 * f64 with pushManyAsync for a worker that iterates it; a blocking pop on the page is refused.
 */
async function channelScenario() {
  const ch = new Channel(Msg, 7); // small and not a power of two: producers wait for the page
  const samples = new Channel(f64, 64, { mode: 'spsc' });
  const seen = new Uint8Array(WORKERS * CHANNEL_ITEMS);
  let inOrder = true;
  let intact = true;
  const last = [-1, -1];
  const draining = (async () => {
    for await (const m of ch) {
      seen[m.gen * CHANNEL_ITEMS + m.id]++;
      if (m.id <= last[m.gen]) inOrder = false;
      last[m.gen] = m.id;
      if (m.value !== m.id * 0.5) intact = false;
    }
  })();
  const workers = Array.from({ length: WORKERS }, (_, gen) =>
    runWorker(gen, { channelTest: true, handle: share(ch), gen, mode, ...(gen === 1 && { samples: share(samples) }) }),
  );
  const values = Float64Array.from({ length: 1000 }, (_, k) => k + 0.25);
  const pushed = await samples.pushManyAsync(values, 10_000);
  samples.close();
  let blockingPop;
  try {
    new Channel(Msg, 1).pop(10); // empty: it would have to wait
    blockingPop = 'no error';
  } catch (e) {
    blockingPop = e.code;
  }
  const results = await Promise.all(workers);
  ch.close();
  await draining;
  return {
    everyItemOnce: seen.every((n) => n === 1),
    inOrder,
    intact,
    done: ch.done,
    pushed,
    sum: results[1].sum,
    expectedSum: values.reduce((a, b) => a + b, 0),
    blockingPop,
  };
}

/** Named shared memory in a page: not possible (no FFI); memorySupport() says so, SharedMemory throws it. */
function memoryScenario() {
  let error;
  try {
    new SharedMemory({ name: 'sct-browser', create: true, size: 8 });
    error = 'none';
  } catch (e) {
    error = { name: e.name, code: e.code, message: e.message };
  }
  return { support: memorySupport(), error };
}

async function main() {
  if (mode === 'off') configure({ codegen: 'off' });
  const buffer = new SharedArrayBuffer(sizeof(World));
  const world = view(World, buffer);
  world.set({ title: TITLE, full: FULL, count: COUNT, header: { magic: 0xfeedface, seq: 7, ratio: -0.5, stamp: 2n ** 64n - 1n } });

  // Both workers fill half of the array each; the main thread only waits on promises.
  const print = fingerprint(World);
  const per = Math.ceil(COUNT / WORKERS);
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, (_, w) => runWorker(w, { buffer, from: w * per, to: Math.min(COUNT, (w + 1) * per), fingerprint: print, mode })),
  );

  // Read everything back through views: toObject, field by field with a cursor, and raw bytes.
  const mismatches = [];
  const cursor = world.items.cursor();
  for (let i = 0; i < COUNT; i++) {
    const want = toJSONText(expected(i));
    const got = toJSONText(world.items.get(i).toObject());
    const c = cursor.seek(i);
    const fields = toJSONText({
      x: c.x,
      y: c.y,
      id: c.id,
      small: c.small,
      kind: c.kind,
      hot: c.hot,
      level: c.level,
      big: c.big,
      label: c.label,
      wire: c.wire.toObject(),
    });
    if (got !== want || fields !== want) mismatches.push({ i, want, got, fields });
  }
  const locks = await lockScenario();
  const asyncForms = await asyncScenario();
  const rwlock = await rwlockScenario();
  const channels = await channelScenario();
  const dv = new DataView(buffer);
  const beMagic = dv.getUint32(offsetof(World, 'items[999].wire.magic'), false);
  const leMagic = dv.getUint32(offsetof(World, 'items[999].wire.magic'), true);
  const labelAt = offsetof(World, 'items[3].label');
  const result = {
    data: {
      size: sizeof(World),
      fingerprint: print,
      workerFingerprints: workers.map((w) => w.fingerprint),
      title: world.title,
      full: world.full,
      count: world.count,
      header: JSON.parse(toJSONText(world.header.toObject())),
      workerTitles: workers.map((w) => w.title),
      mismatches: mismatches.length,
      firstMismatches: mismatches.slice(0, 3),
      samples: [0, 1, 499, 500, 998, 999].map((i) => JSON.parse(toJSONText(world.items.get(i).toObject()))),
      bigEndianMagicOk: beMagic === 0xcafe0000 + 999 && leMagic !== beMagic,
      labelBytes: Array.from(new Uint8Array(buffer, labelAt, 16)),
      fullBytes: Array.from(new Uint8Array(buffer, offsetof(World, 'full'), 16)),
      checksum: checksum(buffer),
      locks,
      asyncForms,
      rwlock,
      channels,
      memory: memoryScenario(),
    },
    env: {
      mode,
      crossOriginIsolated: self.crossOriginIsolated,
      codegen: { main: codegenActive(), workers: workers.map((w) => w.codegen) },
      warnings: { main: log.warnings, workers: workers.map((w) => w.warnings) },
      violations: { main: log.violations, workers: workers.map((w) => w.violations) },
      textDecoderOnSharedArrayBuffer: textDecoderOnShared(),
      userAgent: navigator.userAgent,
    },
  };
  // Let a pending securitypolicyviolation event arrive before reporting.
  await new Promise((r) => setTimeout(r, 50));
  for (const { worker } of pool) worker.terminate();
  window.__result = result;
}

main().catch((e) => {
  for (const { worker } of pool) worker.terminate();
  window.__error = String(e?.stack ? e.stack : e);
});
