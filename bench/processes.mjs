/**
 * Processes benchmark: sharedctypes over named shared memory (SharedMemory, futex backend) against
 * Python's multiprocessing and against the same lock between threads.
 *
 *   npm run build && node bench/processes.mjs                  (FFI through koffi on Node 20–24)
 *   <node ≥ 26.1> bench/processes.mjs                          (node:ffi; the reference run)
 *
 * Parts, all in one run (variants interleaved round by round, medians reported):
 * 1. Contended lock: 2 peers × 1M increments of a plain u32 under one `mutex()` member, the peers
 *    being (a) 2 processes mapping one segment, (b) 2 worker threads over a SharedArrayBuffer
 *    (Atomics backend), (c) 2 worker threads mapping the segment (futex backend, one process);
 *    against Python's multiprocessing.Lock across 2 processes (bench/python_processes.py mplock).
 *    Peers are started once; each round they meet this thread at a Barrier(3) member, run, and
 *    meet it again: the clock runs between the two barriers. Every round's count must be exact.
 * 2. Attach by name: `new SharedMemory(name)` + a view of a struct in it + `close()`, 2000 times.
 * 3. Node → Python, 1M Particle structs (48 bytes): this process writes them into a segment (new
 *    values every transfer); a running Python process reads every field with numpy (checksum
 *    compared), clock from the command to the reply, either attaching per transfer (a fresh
 *    mapping: `read`) or through the mapping it made once at the start (a standing reader, as the
 *    pipe below is opened before its clock starts: `reread`). Against Python's own way between processes:
 *    1M Particle tuples sent through a multiprocessing.Pipe as one pickled list, until the receiver
 *    has read every field (bench/python_processes.py pickle). Both are reported twice: until
 *    Python holds all of them (any value readable: the segment attached and viewed, the list
 *    unpickled), and until it has read every field (numpy sums over the segment, a loop over the
 *    tuples: each side's natural way).
 * 4. Channels between processes: 1 producer → 1 consumer, Particle structs (48 bytes, copied in and
 *    out as objects: push/pop) and f64, through (a) an SPSC channel in a segment between 2
 *    processes (futex backend), (b) the same channel in a SharedArrayBuffer between 2 worker
 *    threads (Atomics backend), (c) the same channel in a segment between 2 threads; against
 *    Node's own IPC, `child_process.fork` + `process.send` (JSON serialisation, the default), per
 *    item and in arrays of 1,000; and Python's multiprocessing.Queue and SimpleQueue, 1 producer
 *    process → 1 consumer process (bench/python_queue.py). Channel peers are started once per
 *    variant and meet this thread at a Barrier(3) in the same memory before and after each round;
 *    the clock runs between the two meetings, and the consumer checks the count and the sum of
 *    ids (and every field of the last item) of each round. IPC: the clock runs from the first
 *    send to the child's reply that it has received (and read) every item.
 *
 * Options (environment): BENCH_QUICK=1 (fewer samples and increments: smoke test, *.tmp results);
 * BENCH_PYTHON=<interpreter> (default python3).
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import sc from './library.mjs';
import { machineInfo, median, writeResults } from './common.mjs';

const { array, attach, barrier, Channel, f32, f64, memorySupport, mutex, SharedMemory, share, struct, u32, u8 } = sc;

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const PYTHON = process.env.BENCH_PYTHON || 'python3';
const N = QUICK ? 200_000 : 1_000_000; // increments per peer
const SAMPLES = QUICK ? 3 : 7;
const PARTICLES = 1_000_000;
const CH_ITEMS = QUICK ? 50_000 : 500_000; // items per channel round
const IPC_ITEMS = QUICK ? 20_000 : 100_000; // items per round through process.send, one per message
const CH_CAPACITY = 1024;
const CH_AT = 64; // the channel's byte offset; a Barrier(3) at 0

const Counter = struct({ lock: mutex(), n: u32, meet: barrier(3) }, { name: 'Counter' }); // 20 bytes
const Particle = struct({ x: f64, y: f64, z: f64, vx: f32, vy: f32, vz: f32, id: u32, alive: u8 }, { name: 'Particle' }); // 48 bytes

/** A peer: meets the main thread, increments `n` N times under the lock, meets it again; `rounds` times. */
function peer(buffer, rounds, n) {
  const c = Counter.view(buffer);
  const lock = c.lock; // the member's Lock object, taken once as a hot loop would
  for (let r = 0; r < rounds; r++) {
    c.meet.wait();
    for (let k = 0; k < n; k++) {
      lock.acquire();
      c.n = c.n + 1;
      lock.release();
    }
    c.meet.wait();
  }
}

const Meet = struct({ meet: barrier(3) }, { name: 'Meet' });

/** The Particle with id `k` (every field a function of k, checked by the consumer). */
const particle = (k) => ({ x: k * 0.5, y: -k, z: k + 0.25, vx: 0.5, vy: -1, vz: 1.5, id: k, alive: k & 1 });

/**
 * A channel peer: meets the main thread, pushes (or pops and checks) `n` items, meets it again;
 * `rounds` times. `memory` holds the Barrier at 0; `handle` is the channel's (at CH_AT).
 */
function channelPeer(memory, handle, role, kind, rounds, n, batched) {
  const meet = Meet.view(memory).meet;
  const ch = attach(handle, kind === 'f64' ? f64 : Particle);
  if (batched) {
    batchPeer(meet, ch, role, kind, rounds, n);
    return;
  }
  for (let r = 0; r < rounds; r++) {
    meet.wait();
    if (role === 'produce') {
      if (kind === 'f64') for (let k = 0; k < n; k++) ch.push(k);
      else for (let k = 0; k < n; k++) ch.push(particle(k));
    } else {
      let sum = 0;
      let last = null;
      if (kind === 'f64') for (let k = 0; k < n; k++) sum += ch.pop();
      else
        for (let k = 0; k < n; k++) {
          last = ch.pop();
          sum += last.id;
        }
      if (sum !== (n * (n - 1)) / 2) throw new Error(`channel consumer: sum of ids ${sum}, expected ${(n * (n - 1)) / 2}`);
      if (last !== null && JSON.stringify(last) !== JSON.stringify(particle(n - 1))) throw new Error(`channel consumer: last item ${JSON.stringify(last)}`);
    }
    meet.wait();
  }
}

/** {@link channelPeer} with pushMany/popMany of 1,000 items: a Float64Array, or an array view of Particles (copied as bytes) filled item by item. */
function batchPeer(meet, ch, role, kind, rounds, n) {
  const B = 1000;
  const batch = kind === 'f64' ? new Float64Array(B) : array(Particle, B).create();
  for (let r = 0; r < rounds; r++) {
    meet.wait();
    if (role === 'produce') {
      for (let k = 0; k < n; k += B) {
        if (kind === 'f64') for (let j = 0; j < B; j++) batch[j] = k + j;
        else for (let j = 0; j < B; j++) batch.set(j, particle(k + j));
        ch.pushMany(batch);
      }
    } else {
      let sum = 0;
      for (let got = 0; got < n; ) {
        const m = ch.popMany(batch);
        if (kind === 'f64') for (let j = 0; j < m; j++) sum += batch[j];
        else for (let j = 0; j < m; j++) sum += batch.get(j).id;
        got += m;
      }
      if (sum !== (n * (n - 1)) / 2) throw new Error(`channel consumer (batches): sum of ids ${sum}, expected ${(n * (n - 1)) / 2}`);
    }
    meet.wait();
  }
}

/** The IPC child: counts and sums the ids of what arrives (objects, numbers, or arrays of them); replies when it has `n`. */
function ipcChild() {
  let count = 0;
  let sum = 0;
  let n = 0;
  const take = (x) => {
    sum += typeof x === 'number' ? x : x.id;
    count++;
  };
  process.on('message', (m) => {
    if (m !== null && typeof m === 'object' && 'round' in m) {
      n = m.round;
      count = 0;
      sum = 0;
      return;
    }
    if (Array.isArray(m)) for (const x of m) take(x);
    else take(m);
    if (count === n) process.send({ count, sum });
  });
}

const role = process.argv[2];
if (!isMainThread) {
  const { name, sab, rounds, n, handle, chRole, kind } = workerData;
  const shm = name === undefined ? null : new SharedMemory(name);
  if (chRole !== undefined) channelPeer(shm === null ? sab : shm.buf, handle, chRole, kind, rounds, n, false);
  else peer(shm === null ? sab : shm.buf, rounds, n);
  shm?.close();
} else if (role === 'ipc') {
  ipcChild();
} else if (role === 'chpeer') {
  const shm = new SharedMemory(process.argv[3]);
  channelPeer(
    shm.buf,
    JSON.parse(process.argv[4]),
    process.argv[5],
    process.argv[6],
    Number(process.argv[7]),
    Number(process.argv[8]),
    process.argv[9] === 'batched',
  );
  shm.close();
} else if (role === 'peer') {
  const shm = new SharedMemory(process.argv[3]);
  peer(shm.buf, Number(process.argv[4]), Number(process.argv[5]));
  shm.close();
} else {
  await main();
}

/** A contended variant: its two peers, started once, and the memory they share. */
function variant(label, buffer, start) {
  const c = Counter.view(buffer);
  const peers = [start(), start()];
  return {
    label,
    /** One round: both peers run N increments; returns ms between the barriers. */
    round() {
      c.n = 0;
      c.meet.wait();
      const t0 = performance.now();
      c.meet.wait();
      const ms = performance.now() - t0;
      if (c.n !== 2 * N) throw new Error(`${label}: lost updates (${c.n} != ${2 * N})`);
      return ms;
    },
    done: Promise.all(peers),
  };
}

function exited(child) {
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`peer exited with ${code}`)))));
}

async function main() {
  const support = memorySupport();
  if (!support.available) throw new Error(support.reason);
  const t0 = performance.now();
  const rounds = SAMPLES + 1; // the first is a warm-up
  const results = { machine: machineInfo({ ffi: support.via, runtime: `${support.runtime} ${support.version}` }), quick: QUICK };

  // ---- 1. contended lock ----
  const seg = new SharedMemory({ create: true, size: 64 });
  const seg2 = new SharedMemory({ create: true, size: 64 });
  const sab = new SharedArrayBuffer(64);
  const self = fileURLToPath(import.meta.url);
  const variants = [
    variant('2 processes, one segment (futex backend)', seg.buf, () =>
      exited(spawn(process.execPath, [...process.execArgv, self, 'peer', seg.name, String(rounds), String(N)], { stdio: 'inherit' })),
    ),
    variant('2 threads, SharedArrayBuffer (Atomics backend)', sab, () => exited(new Worker(self, { workerData: { sab, rounds, n: N } }))),
    variant('2 threads, one segment (futex backend)', seg2.buf, () => exited(new Worker(self, { workerData: { name: seg2.name, rounds, n: N } }))),
  ];
  const times = variants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const j = (k + r) % variants.length; // rotate the order
      const ms = variants[j].round();
      if (r > 0) times[j].push(ms);
    }
  }
  await Promise.all(variants.map((v) => v.done));
  const py = JSON.parse(spawnSync(PYTHON, [join(here, 'python_processes.py'), 'mplock', String(N), String(QUICK ? 1 : 3)], { encoding: 'utf8' }).stdout);
  results.contended = {
    increments: 2 * N,
    ...Object.fromEntries(variants.map((v, k) => [v.label, { medianMs: median(times[k]), nsPerIncrement: (median(times[k]) * 1e6) / (2 * N) }])),
    'Python multiprocessing.Lock, 2 processes': { medianMs: py.medianMs, nsPerIncrement: (py.medianMs * 1e6) / (2 * N) },
  };
  seg.close();
  seg.unlink();
  seg2.close();
  seg2.unlink();

  // ---- 2. attach by name ----
  const named = new SharedMemory({ create: true, size: 4096 });
  const attachMs = [];
  for (let s = 0; s < SAMPLES; s++) {
    const k = 2000;
    const a = performance.now();
    for (let i = 0; i < k; i++) {
      const shm = new SharedMemory(named.name);
      Counter.view(shm.buf).n += 1;
      shm.close();
    }
    attachMs.push((performance.now() - a) / k);
  }
  results.attach = { msPerAttach: median(attachMs), includes: 'new SharedMemory(name) + a struct view + one write + close()' };
  named.close();
  named.unlink();

  // ---- 3. Node → Python, 1M particles ----
  const ps = new SharedMemory({ create: true, size: PARTICLES * 48 });
  const view = array(Particle, PARTICLES).view(ps.buf);
  /** Writes round `r`'s particles (x shifted by r, so each round's checksum differs) and returns their checksum. */
  const fill = (r) => {
    let sum = 0;
    for (let i = 0; i < PARTICLES; i++) {
      const p = view.get(i);
      p.x = i * 0.5 + r;
      p.y = -i;
      p.z = i * 0.25;
      p.vx = 1;
      p.vy = 2;
      p.vz = 3;
      p.id = i;
      p.alive = i & 1;
      sum += i * 0.5 + r - i + i * 0.25 + 6 + i + (i & 1);
    }
    return sum;
  };
  const server = spawn(PYTHON, [join(here, 'python_processes.py'), 'serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  let waiting = null;
  let buffered = '';
  server.stdout.on('data', (d) => {
    buffered += d;
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      lines.push(JSON.parse(buffered.slice(0, i)));
      buffered = buffered.slice(i + 1);
      waiting?.();
    }
  });
  const next = () =>
    new Promise((resolve) => {
      if (lines.length) {
        resolve(lines.shift());
        return;
      }
      waiting = () => {
        waiting = null;
        resolve(lines.shift());
      };
    });
  /** Sends `command`, waits for the reply; checks its checksum against `expected`; the reply and the ms. */
  const ask = async (command, expected) => {
    const a = performance.now();
    server.stdin.write(`${command}\n`);
    const reply = await next();
    const ms = performance.now() - a;
    if (expected !== undefined && Math.abs(reply.checksum - expected) > 1e-6 * Math.abs(expected)) {
      throw new Error(`Python read a checksum of ${reply.checksum} for ${command}, expected ${expected}`);
    }
    return { reply, ms };
  };
  await next(); // ready
  await ask(`open ${ps.name} ${PARTICLES}`); // the standing reader: mapped once, as a pipe is opened once
  const shmMs = [];
  const shmHaveMs = [];
  const keptMs = [];
  for (let s = 0; s <= SAMPLES; s++) {
    // Rounds alternate which variant goes first; Node rewrites every particle before each transfer.
    for (const which of s % 2 ? ['fresh', 'kept'] : ['kept', 'fresh']) {
      const expected = fill(s * 2 + (which === 'kept' ? 1 : 0));
      if (which === 'fresh') {
        const { reply, ms } = await ask(`read ${ps.name} ${PARTICLES}`, expected);
        if (s > 0) {
          shmMs.push(ms);
          shmHaveMs.push(ms - (reply.readMs - reply.haveMs)); // the same round trip, without the reading pass
        }
      } else {
        const { ms } = await ask('reread', expected);
        if (s > 0) keptMs.push(ms);
      }
    }
  }
  await ask('drop');
  server.stdin.end();
  await exited(server);
  ps.close();
  ps.unlink();
  const pickle = JSON.parse(
    spawnSync(PYTHON, [join(here, 'python_processes.py'), 'pickle', String(PARTICLES), String(QUICK ? 1 : 3)], { encoding: 'utf8' }).stdout,
  );
  results.handoff = {
    particles: PARTICLES,
    'segment mapped per transfer, until Python holds them all (attached, numpy view)': { medianMs: median(shmHaveMs) },
    'pickled pipe, until Python holds them all (recv() returned)': { medianMs: pickle.haveMs },
    'segment mapped once (a standing reader), until Python has read every field (numpy sums)': { medianMs: median(keptMs) },
    'segment mapped per transfer, until Python has read every field (numpy sums)': { medianMs: median(shmMs) },
    'pickled pipe, until Python has read every field (loop over tuples)': { medianMs: pickle.medianMs },
  };
  const pages = Math.ceil((PARTICLES * 48) / 4096);
  const firstTouchMs = median(shmMs) - median(shmHaveMs) - median(keptMs);
  results.firstTouch = { pages, ms: firstTouchMs, usPerPage: (firstTouchMs * 1000) / pages };

  // ---- 4. channels between processes ----
  results.channels = await channelsPart(self);

  // ---- ratios against the targets ----
  const c = results.contended;
  const proc = c['2 processes, one segment (futex backend)'].medianMs;
  results.ratios = {
    'Python mp.Lock / ours across processes (target ≥ 20)': c['Python multiprocessing.Lock, 2 processes'].medianMs / proc,
    'ours across processes / ours between threads over a SharedArrayBuffer (target ≤ 2)': proc / c['2 threads, SharedArrayBuffer (Atomics backend)'].medianMs,
    'attach by name, ms (target ≤ 1)': results.attach.msPerAttach,
    'pickled pipe / segment mapped per transfer, 1M particles, until Python holds them (target ≥ 100)': pickle.haveMs / median(shmHaveMs),
    'pickled pipe / segment mapped once, 1M particles, until Python has read every field (target ≥ 100)': pickle.medianMs / median(keptMs),
    'pickled pipe / segment mapped per transfer, 1M particles, until Python has read every field': pickle.medianMs / median(shmMs),
  };
  const ch = results.channels;
  for (const kind of ['Particle', 'f64']) {
    const procNs = ch[`${kind}: SPSC channel, 2 processes (segment)`].nsPerItem;
    results.ratios[`${kind}: channel across processes / the same between threads over a SharedArrayBuffer (time per item)`] =
      procNs / ch[`${kind}: SPSC channel, 2 threads (SharedArrayBuffer)`].nsPerItem;
    results.ratios[`${kind}: process.send per item / channel across processes`] = ch[`${kind}: fork + process.send, per item`].nsPerItem / procNs;
    results.ratios[`${kind}: process.send of arrays of 1000 / channel across processes, batches of 1000`] =
      ch[`${kind}: fork + process.send, arrays of 1000`].nsPerItem / ch[`${kind}: SPSC channel, 2 processes (segment), pushMany/popMany ×1000`].nsPerItem;
    const py = ch[`${kind}: Python multiprocessing.Queue, 1 → 1 process`];
    if (py !== undefined) results.ratios[`${kind}: Python multiprocessing.Queue / channel across processes`] = py.nsPerItem / procNs;
  }
  results.totalSeconds = Math.round((performance.now() - t0) / 100) / 10;

  const f = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const md = [
    `# Processes benchmark (${results.machine.runtime}, FFI: ${support.via}${QUICK ? ', QUICK' : ''})`,
    '',
    `${results.machine.cpu}, ${results.machine.cores} cores. Medians of ${SAMPLES} rounds (Python: of ${QUICK ? 1 : 3}).`,
    '',
    `## Contended lock: 2 peers × ${N.toLocaleString('en')} increments under one lock`,
    '',
    '| peers | ms | ns per increment |',
    '|---|---:|---:|',
    ...Object.entries(c)
      .filter(([k]) => k !== 'increments')
      .map(([k, v]) => `| ${k} | ${f(v.medianMs)} | ${f(v.nsPerIncrement)} |`),
    '',
    `## Attach by name: ${f(results.attach.msPerAttach * 1000)} µs (${results.attach.includes})`,
    '',
    `## Node → Python, ${PARTICLES.toLocaleString('en')} Particle structs until Python has read every field`,
    '',
    '| route | ms |',
    '|---|---:|',
    ...Object.entries(results.handoff)
      .filter(([k]) => k !== 'particles')
      .map(([k, v]) => `| ${k} | ${f(v.medianMs)} |`),
    '',
    `A mapping made per transfer costs the reader ${f(results.firstTouch.ms)} ms more than the standing one: the first touch of each of its ${results.firstTouch.pages.toLocaleString('en')} pages (4 KiB) in a new mapping, ${f(results.firstTouch.usPerPage)} µs per page on this machine (the kernel's and the hypervisor's cost, paid by any reader of fresh memory; the pickled route pays it too, for the memory its objects take).`,
    '',
    `## Channels between processes: 1 producer → 1 consumer, ${CH_ITEMS.toLocaleString('en')} items per round (process.send per item: ${IPC_ITEMS.toLocaleString('en')})`,
    '',
    '| route | ns per item | items/s |',
    '|---|---:|---:|',
    ...Object.entries(results.channels).map(([k, v]) => `| ${k} | ${f(v.nsPerItem)} | ${Math.round(1e9 / v.nsPerItem).toLocaleString('en')} |`),
    '',
    '## Ratios',
    '',
    '| measure | value |',
    '|---|---:|',
    ...Object.entries(results.ratios).map(([k, v]) => `| ${k} | ${f(v)} |`),
    '',
  ].join('\n');
  const tag = support.via === 'node:ffi' ? 'processes' : `processes-${support.via.replace(/[^a-z]/gi, '')}`;
  writeResults(tag, results, md, 0);
}

/** Part 4: channel variants (peers started once, rounds rotated), Node IPC, Python's queues. */
async function channelsPart(self) {
  const rounds = SAMPLES + 1; // the first is a warm-up
  const out = {};
  for (const kind of ['Particle', 'f64']) {
    const schema = kind === 'f64' ? f64 : Particle;
    const bytes = CH_AT + Channel.byteLength(schema, CH_CAPACITY, { mode: 'spsc' });
    const seg = new SharedMemory({ create: true, size: bytes });
    const seg2 = new SharedMemory({ create: true, size: bytes });
    const seg3 = new SharedMemory({ create: true, size: bytes });
    const sab = new SharedArrayBuffer(bytes);
    const place = (memory) => new Channel(schema, CH_CAPACITY, { mode: 'spsc', memory, byteOffset: CH_AT });
    const variants = [
      {
        label: `${kind}: SPSC channel, 2 processes (segment)`,
        memory: seg.buf,
        channel: place(seg),
        start: (role, h) => procPeer(self, seg.name, h, role, kind, rounds),
      },
      {
        label: `${kind}: SPSC channel, 2 threads (SharedArrayBuffer)`,
        memory: sab,
        channel: place(sab),
        start: (role, h) => threadPeer(self, { sab, handle: h, chRole: role, kind, rounds, n: CH_ITEMS }),
      },
      {
        label: `${kind}: SPSC channel, 2 threads (segment, futex backend)`,
        memory: seg2.buf,
        channel: place(seg2),
        start: (role, h) => threadPeer(self, { name: seg2.name, handle: h, chRole: role, kind, rounds, n: CH_ITEMS }),
      },
      {
        label: `${kind}: SPSC channel, 2 processes (segment), pushMany/popMany ×1000`,
        memory: seg3.buf,
        channel: place(seg3),
        start: (role, h) => procPeer(self, seg3.name, h, role, kind, rounds, 'batched'),
      },
    ];
    for (const v of variants) {
      const handle = share(v.channel);
      const h = handle.segment === undefined ? handle : JSON.parse(JSON.stringify(handle));
      v.meet = Meet.view(v.memory).meet;
      v.done = Promise.all([v.start('produce', h), v.start('consume', h)]);
      v.times = [];
    }
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(k + r) % variants.length]; // rotate the order
        v.meet.wait();
        const t = performance.now();
        v.meet.wait();
        if (r > 0) v.times.push(performance.now() - t);
      }
    }
    await Promise.all(variants.map((v) => v.done));
    for (const v of variants) out[v.label] = { medianMs: median(v.times), nsPerItem: (median(v.times) * 1e6) / CH_ITEMS };
    for (const m of [seg, seg2, seg3]) {
      m.close();
      m.unlink();
    }
    // Node's IPC: one fork, rounds rotated between per-item and batched.
    const child = fork(self, ['ipc'], { stdio: 'inherit' });
    const replies = [];
    let wake = null;
    child.on('message', (m) => {
      replies.push(m);
      wake?.();
    });
    const reply = () =>
      new Promise((resolve) => {
        if (replies.length) resolve(replies.shift());
        else
          wake = () => {
            wake = null;
            resolve(replies.shift());
          };
      });
    const item = kind === 'f64' ? (k) => k : particle;
    const ipc = [
      { label: `${kind}: fork + process.send, per item`, n: IPC_ITEMS, batch: 1, times: [] },
      { label: `${kind}: fork + process.send, arrays of 1000`, n: CH_ITEMS, batch: 1000, times: [] },
    ];
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < ipc.length; k++) {
        const v = ipc[(k + r) % ipc.length];
        child.send({ round: v.n });
        const t = performance.now();
        if (v.batch === 1) for (let i = 0; i < v.n; i++) child.send(item(i));
        else
          for (let i = 0; i < v.n; i += v.batch) {
            const a = [];
            for (let j = i; j < Math.min(v.n, i + v.batch); j++) a.push(item(j));
            child.send(a);
          }
        const got = await reply();
        const ms = performance.now() - t;
        if (got.count !== v.n || got.sum !== (v.n * (v.n - 1)) / 2) throw new Error(`${v.label}: the child got ${JSON.stringify(got)}`);
        if (r > 0) v.times.push(ms);
      }
    }
    child.disconnect();
    await exited(child);
    for (const v of ipc) out[v.label] = { medianMs: median(v.times), nsPerItem: (median(v.times) * 1e6) / v.n };
  }
  // Python's queues, 1 producer process → 1 consumer process (bench/python_queue.py).
  const pyItems = QUICK ? 20_000 : 200_000;
  const r = spawnSync(PYTHON, [join(here, 'python_queue.py'), String(pyItems), QUICK ? '1' : '3', '1', '1'], { encoding: 'utf8' });
  if (r.status === 0) {
    const py = JSON.parse(r.stdout);
    for (const [name, v] of Object.entries(py.results)) {
      const [cls, kind] = name.split(' ');
      out[`${kind}: Python multiprocessing.${cls}, 1 → 1 process`] = { medianMs: v.medianS * 1000, nsPerItem: 1e9 / v.itemsPerSecond };
    }
  } else process.stderr.write(`python_queue.py failed (${r.status ?? r.signal}); no Python rows: ${r.stderr.slice(-300)}\n`);
  return out;
}

function procPeer(self, name, handle, role, kind, rounds, batched = '') {
  return exited(
    spawn(process.execPath, [...process.execArgv, self, 'chpeer', name, JSON.stringify(handle), role, kind, String(rounds), String(CH_ITEMS), batched], {
      stdio: 'inherit',
    }),
  );
}

function threadPeer(self, data) {
  return exited(new Worker(self, { workerData: data }));
}
