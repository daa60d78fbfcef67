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
 * 3. Node → Python, 1M Particle structs (48 bytes): this process has them in a segment; a running
 *    Python process is told the name, attaches, and reads every field with numpy (checksum
 *    compared); clock from the command to the reply. Against Python's own way between processes:
 *    1M Particle tuples sent through a multiprocessing.Pipe as one pickled list, until the receiver
 *    has read every field (bench/python_processes.py pickle). Both are reported twice: until
 *    Python holds all of them (any value readable: the segment attached and viewed, the list
 *    unpickled), and until it has read every field (numpy sums over the segment, a loop over the
 *    tuples: each side's natural way).
 *
 * Options (environment): BENCH_QUICK=1 (fewer samples and increments: smoke test, *.tmp results);
 * BENCH_PYTHON=<interpreter> (default python3).
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { array, barrier, f32, f64, memorySupport, mutex, SharedMemory, struct, u32, u8 } from '../dist/index.js';
import { machineInfo, median, writeResults } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const PYTHON = process.env.BENCH_PYTHON || 'python3';
const N = QUICK ? 200_000 : 1_000_000; // increments per peer
const SAMPLES = QUICK ? 3 : 7;
const PARTICLES = 1_000_000;

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

const role = process.argv[2];
if (!isMainThread) {
  const { name, sab, rounds, n } = workerData;
  const shm = name === undefined ? null : new SharedMemory(name);
  peer(shm === null ? sab : shm.buf, rounds, n);
  shm?.close();
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
  let expected = 0;
  for (let i = 0; i < PARTICLES; i++) {
    const p = view.get(i);
    p.x = i * 0.5;
    p.y = -i;
    p.z = i * 0.25;
    p.vx = 1;
    p.vy = 2;
    p.vz = 3;
    p.id = i;
    p.alive = i & 1;
    expected += i * 0.5 - i + i * 0.25 + 6 + i + (i & 1);
  }
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
  await next(); // ready
  const shmMs = [];
  const shmHaveMs = [];
  for (let s = 0; s <= SAMPLES; s++) {
    const a = performance.now();
    server.stdin.write(`read ${ps.name} ${PARTICLES}\n`);
    const reply = await next();
    const ms = performance.now() - a;
    if (Math.abs(reply.checksum - expected) > 1e-6 * Math.abs(expected)) throw new Error(`Python read a checksum of ${reply.checksum}, expected ${expected}`);
    if (s > 0) {
      shmMs.push(ms);
      shmHaveMs.push(ms - (reply.readMs - reply.haveMs)); // the same round trip, without the reading pass
    }
  }
  server.stdin.end();
  await exited(server);
  ps.close();
  ps.unlink();
  const pickle = JSON.parse(
    spawnSync(PYTHON, [join(here, 'python_processes.py'), 'pickle', String(PARTICLES), String(QUICK ? 1 : 3)], { encoding: 'utf8' }).stdout,
  );
  results.handoff = {
    particles: PARTICLES,
    'segment, until Python holds them all (attached, numpy view)': { medianMs: median(shmHaveMs) },
    'pickled pipe, until Python holds them all (recv() returned)': { medianMs: pickle.haveMs },
    'segment, until Python has read every field (numpy sums)': { medianMs: median(shmMs) },
    'pickled pipe, until Python has read every field (loop over tuples)': { medianMs: pickle.medianMs },
  };

  // ---- ratios against the targets ----
  const c = results.contended;
  const proc = c['2 processes, one segment (futex backend)'].medianMs;
  results.ratios = {
    'Python mp.Lock / ours across processes (target ≥ 20)': c['Python multiprocessing.Lock, 2 processes'].medianMs / proc,
    'ours across processes / ours between threads over a SharedArrayBuffer (target ≤ 2)': proc / c['2 threads, SharedArrayBuffer (Atomics backend)'].medianMs,
    'attach by name, ms (target ≤ 1)': results.attach.msPerAttach,
    'pickled pipe / segment, 1M particles, until Python holds them (target ≥ 100)': pickle.haveMs / median(shmHaveMs),
    'pickled pipe / segment, 1M particles, until Python has read every field (target ≥ 100)': pickle.medianMs / median(shmMs),
  };
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
