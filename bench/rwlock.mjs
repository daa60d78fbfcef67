/**
 * RwLock benchmark: sharedctypes' RwLock against its Lock, uncontended (one thread) and contended
 * (2 worker_threads) on read-only, read-mostly and write-heavy mixes of critical sections.
 *
 *   npm run bench            (builds dist/, runs every benchmark)
 *   node bench/rwlock.mjs    (after `npx tsc -p tsconfig.build.json`)
 *
 * Options (environment): BENCH_QUICK=1 runs fewer iterations and samples (smoke test only; not for
 * reporting); BENCH_PARTS=<regex> (uncontended|contended) restricts the run; BENCH_GC=0 turns off
 * the forced GC before every sample; BENCH_BASELINE_DIST=<dir> adds the Lock of another build
 * (e.g. the main branch's dist/) to part 1, to compare a Lock before and after a change in one run.
 * Quick, filtered and no-GC runs write *.tmp results (git-ignored).
 *
 * Methodology (as bench/sync.mjs)
 * - One process; the workers are worker_threads of this same file, started once and long-lived.
 * - Every variant is its own function literal (own feedback / optimised code).
 * - Warm-up rounds (untimed) of every variant, then timed rounds in a rotated order, so that the
 *   variants are interleaved under the same conditions; the figure is the median of the samples.
 *   A forced GC precedes every sample, untimed.
 * - Every sample is checked: part 1 sums what its critical sections read (the sum must be exact);
 *   in part 2 a write adds 1 to each of 8 words and a read checks that it sees the 8 words equal
 *   (a torn read is an error), and the words must end at the number of writes.
 * - Contended runs start both workers together through an Atomics handshake (ready counter,
 *   start flag, done counter; no sleeps): the clock runs from the start signal to the second
 *   worker's done signal.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { getPriority, loadavg } from 'node:os';
import sc from './library.mjs';
import { contendedTurn, futexLock, futexUnlock, gc, machineInfo, median, resetRound, runRound, writeResults } from './common.mjs';

const { Lock, RwLock, share, attach } = sc;

const QUICK = process.env.BENCH_QUICK === '1';
const ONLY_PARTS = process.env.BENCH_PARTS ? new RegExp(process.env.BENCH_PARTS) : null;
const BASELINE = process.env.BENCH_BASELINE_DIST;

const UNCONTENDED_N = QUICK ? 1_000_000 : 2_000_000; // lock+unlock pairs per sample (short samples, many of them: see part 1)
const CONTENDED_N = QUICK ? 100_000 : 500_000; // critical sections per worker (2 workers)
const WORDS = 8; // the data a short critical section reads or writes
const LONG_WORDS = 512; // … and a long one

// ---- worker -------------------------------------------------------------------------------------

/** A read section: sums the words; they must all be equal (else a writer was inside). */
function readSection(d) {
  const v = d[0];
  let s = 0;
  for (let j = 0; j < d.length; j++) s += d[j];
  return s === v * d.length ? 0 : 1;
}
/** A write section: adds 1 to each word. */
function writeSection(d) {
  for (let j = 0; j < d.length; j++) d[j] += 1;
}

async function workerMain() {
  const ctl = new Int32Array(workerData.ctl);
  const base = workerData.baseline ? await import(pathToFileURL(join(resolve(workerData.baseline), 'index.js')).href) : null;
  const loops = {
    'sc-lock'(n, writeEvery, { lock, d }) {
      let torn = 0;
      for (let k = 0; k < n; k++) {
        lock.acquire();
        if (writeEvery !== 0 && k % writeEvery === 0) writeSection(d);
        else torn += readSection(d);
        lock.release();
      }
      return torn;
    },
    'sc-rwlock'(n, writeEvery, { rw, d }) {
      const r = rw.read;
      const w = rw.write;
      let torn = 0;
      for (let k = 0; k < n; k++) {
        if (writeEvery !== 0 && k % writeEvery === 0) {
          w.acquire();
          writeSection(d);
          w.release();
        } else {
          r.acquire();
          torn += readSection(d);
          r.release();
        }
      }
      return torn;
    },
  };
  loops['baseline-lock'] = loops['sc-lock'];
  parentPort.on('message', (m) => {
    const lock = m.variant === 'baseline-lock' ? new base.Lock(m.basePlace) : attach(m.lock);
    const state = { lock, rw: attach(m.rw), d: new Int32Array(m.data) };
    const torn = contendedTurn(ctl, () => loops[m.variant](m.n, m.writeEvery, state));
    parentPort.postMessage({ torn });
  });
}

// ---- main thread --------------------------------------------------------------------------------

const hr = () => Number(process.hrtime.bigint()) / 1e6;
const enabled = (part) => ONLY_PARTS === null || ONLY_PARTS.test(part);
let sink = 0;

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { samples: times.length, medianMs: median(times), minMs: sorted[0], maxMs: sorted[sorted.length - 1] };
}

/** Runs `sample(name, warm)` (→ ms) for every variant: warm-up rounds, then rotated timed rounds. */
async function interleave(names, { warmup, samples }, sample) {
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < warmup; r++) for (const name of names) await sample(name, true);
  for (let r = 0; r < samples; r++) {
    const order = names.map((_, j) => names[(j + r) % names.length]);
    for (const name of order) times[name].push(await sample(name, false));
  }
  return times;
}

// ---- part 1: uncontended ------------------------------------------------------------------------

const U_DATA = new Int32Array(new SharedArrayBuffer(4)); // the critical section reads this word (1)
U_DATA[0] = 1;
const uFutex = new Int32Array(new SharedArrayBuffer(4));
const uLock = new Lock();
const uRw = new RwLock();
const baseline = BASELINE ? await import(pathToFileURL(join(resolve(BASELINE), 'index.js')).href) : null;
const uBaseLock = baseline ? new baseline.Lock() : null;
const section = () => U_DATA[0];

const uncontended = {
  'hand-futex'(n) {
    const d = U_DATA;
    const f = uFutex;
    let s = 0;
    for (let k = 0; k < n; k++) {
      futexLock(f, 0);
      s += d[0];
      futexUnlock(f, 0);
    }
    return s;
  },
  'sc Lock acquire/release'(n) {
    const d = U_DATA;
    const lock = uLock;
    let s = 0;
    for (let k = 0; k < n; k++) {
      lock.acquire();
      s += d[0];
      lock.release();
    }
    return s;
  },
  'sc RwLock read acquire/release'(n) {
    const d = U_DATA;
    const r = uRw.read;
    let s = 0;
    for (let k = 0; k < n; k++) {
      r.acquire();
      s += d[0];
      r.release();
    }
    return s;
  },
  'sc RwLock write acquire/release'(n) {
    const d = U_DATA;
    const w = uRw.write;
    let s = 0;
    for (let k = 0; k < n; k++) {
      w.acquire();
      s += d[0];
      w.release();
    }
    return s;
  },
  'sc Lock withLock(fn)'(n) {
    const lock = uLock;
    let s = 0;
    for (let k = 0; k < n; k++) s += lock.withLock(section);
    return s;
  },
  'sc RwLock read.withLock(fn)'(n) {
    const r = uRw.read;
    let s = 0;
    for (let k = 0; k < n; k++) s += r.withLock(section);
    return s;
  },
  ...(uBaseLock && {
    'baseline Lock acquire/release'(n) {
      const d = U_DATA;
      const lock = uBaseLock;
      let s = 0;
      for (let k = 0; k < n; k++) {
        lock.acquire();
        s += d[0];
        lock.release();
      }
      return s;
    },
  }),
};

async function runUncontended() {
  const names = Object.keys(uncontended);
  const n = UNCONTENDED_N;
  const started = performance.now();
  // Many short samples rather than a few long ones: on a shared machine, other work lands in some
  // samples, and the median of many is steadier.
  const times = await interleave(names, { warmup: QUICK ? 1 : 3, samples: QUICK ? 5 : 41 }, (name, warm) => {
    const m = warm ? Math.min(n, 2_000_000) : n;
    gc();
    const t0 = hr();
    const got = uncontended[name](m);
    const t1 = hr();
    if (got !== m) throw new Error(`uncontended/${name}: sum ${got}, expected ${m}`);
    if (uLock.locked() || uRw.locked() || uFutex[0] !== 0 || uBaseLock?.locked()) throw new Error(`uncontended/${name}: a lock was left held`);
    sink += got;
    return t1 - t0;
  });
  const rows = names.map((name) => ({ variant: name, iterations: n, ...stats(times[name]), nsPerOp: (median(times[name]) * 1e6) / n }));
  const lock = rows.find((r) => r.variant === 'sc Lock acquire/release').nsPerOp;
  const fut = rows.find((r) => r.variant === 'hand-futex').nsPerOp;
  for (const r of rows) {
    r.ratioVsLock = r.nsPerOp / lock;
    r.ratioVsHandFutex = r.nsPerOp / fut;
  }
  process.stderr.write(`  1. uncontended: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return { iterations: n, rows };
}

// ---- part 2: contended --------------------------------------------------------------------------

const ctlBuffer = new SharedArrayBuffer(16);
const ctl = new Int32Array(ctlBuffer);
const workers = [];

function startWorker() {
  const w = new Worker(fileURLToPath(import.meta.url), { workerData: { ctl: ctlBuffer, baseline: BASELINE } });
  w.on('error', (e) => {
    process.stderr.write(`worker error: ${e.stack ?? e}\n`);
    process.exit(1);
  });
  return w;
}

const MIXES = [
  { mix: 'read-only', writeEvery: 0, words: WORDS, label: `read-only (no writes), ${WORDS} words` },
  { mix: 'read-mostly', writeEvery: 20, words: WORDS, label: `read-mostly (1 write in 20), ${WORDS} words` },
  { mix: 'write-heavy', writeEvery: 2, words: WORDS, label: `write-heavy (1 write in 2), ${WORDS} words` },
  { mix: 'read-mostly-long', writeEvery: 20, words: LONG_WORDS, label: `read-mostly (1 write in 20), ${LONG_WORDS} words` },
];
const LOCKS = ['sc-lock', 'sc-rwlock', ...(BASELINE ? ['baseline-lock'] : [])];

const LOCK_LABEL = {
  'sc-lock': 'sc Lock (every section exclusive)',
  'sc-rwlock': 'sc RwLock (read / write sides)',
  'baseline-lock': 'baseline Lock (every section exclusive)',
};

async function contendedSample(key, n) {
  const [variant, mix] = key.split('|');
  const { writeEvery, words } = MIXES.find((m) => m.mix === mix);
  const data = new SharedArrayBuffer(4 * words);
  const lock = new Lock();
  const rw = new RwLock();
  const baseLock = baseline ? new baseline.Lock() : null;
  const msg = { variant, n, writeEvery, data, lock: share(lock), rw: share(rw), basePlace: baseLock?.place };
  resetRound(ctl);
  gc();
  const replies = workers.map((w) => new Promise((ok) => w.once('message', ok)));
  for (const w of workers) w.postMessage(msg);
  const [t0, t1] = runRound(ctl, 2, hr);
  const torn = (await Promise.all(replies)).reduce((s, r) => s + r.torn, 0);
  const writes = writeEvery === 0 ? 0 : 2 * Math.ceil(n / writeEvery);
  const d = new Int32Array(data);
  if (torn !== 0) throw new Error(`contended/${key}: ${torn} torn reads`);
  for (let j = 0; j < words; j++) if (d[j] !== writes) throw new Error(`contended/${key}: word ${j} is ${d[j]}, expected ${writes}`);
  if (lock.locked() || rw.locked() || baseLock?.locked()) throw new Error(`contended/${key}: a lock was left held`);
  sink += writes;
  return t1 - t0;
}

async function runContended() {
  const n = CONTENDED_N;
  const started = performance.now();
  workers.push(startWorker(), startWorker());
  const keys = MIXES.flatMap(({ mix }) => LOCKS.map((l) => `${l}|${mix}`));
  let times;
  try {
    // Long sections run a tenth as many times.
    const count = (key) => (key.endsWith('-long') ? n / 10 : n);
    times = await interleave(keys, { warmup: 2, samples: QUICK ? 3 : 15 }, (key, warm) =>
      contendedSample(key, warm ? Math.min(count(key), 100_000) : count(key)),
    );
  } finally {
    for (const w of workers) await w.terminate();
  }
  const rows = keys.map((key) => {
    const [variant, mix] = key.split('|');
    const { words } = MIXES.find((m) => m.mix === mix);
    const perWorker = mix.endsWith('-long') ? n / 10 : n;
    const total = 2 * perWorker;
    const s = stats(times[key]);
    return {
      variant,
      mix,
      words,
      workers: 2,
      sectionsPerWorker: perWorker,
      ...s,
      nsPerSection: (s.medianMs * 1e6) / total,
      mopsPerS: total / s.medianMs / 1e3,
    };
  });
  for (const r of rows) {
    const lock = rows.find((x) => x.mix === r.mix && x.variant === 'sc-lock');
    r.ratioVsLock = r.nsPerSection / lock.nsPerSection;
  }
  process.stderr.write(`  2. contended: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return { workers: 2, sectionsPerWorker: n, rows };
}

// ---- report -------------------------------------------------------------------------------------

const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);

function markdown(r) {
  const out = [];
  out.push('# sharedctypes RwLock benchmark', '');
  out.push(`${r.date} · Node ${r.machine.node} · V8 ${r.machine.v8} · ${r.machine.cpu} (${r.machine.cores} cores) · ${r.machine.platform}`, '');
  out.push(
    `Process priority (nice) ${r.machine.nice}; load average at the start ${r.loadAverage.map(f2).join(', ')} (a machine shared with other work: compare ratios within one run).`,
    '',
  );
  out.push(
    'Medians of timed samples after warm-up, variants interleaved in rotated order; every sample checked (exact sums, no torn reads, exact write counts).',
  );
  out.push(`Forced full GC before every sample (outside the timed region): ${r.machine.forcedGc ? 'yes' : 'no'}.`, '');
  if (r.targets.length > 0) {
    out.push('## Targets', '', '| target | measured | met |', '|---|---:|:---:|');
    for (const t of r.targets) out.push(`| ${t.target} | ${f2(t.measured)}× | ${t.met ? '✓' : '✗'} |`);
    out.push('');
  }
  if (r.uncontended) {
    const u = r.uncontended;
    out.push(`## 1. Uncontended lock + unlock (one thread, ${u.iterations.toLocaleString('en-US')} iterations, critical section: read one shared word)`, '');
    out.push('| variant | median ms | min–max ms | ns/op | vs sc Lock | vs hand-futex |', '|---|---:|---:|---:|---:|---:|');
    for (const x of u.rows)
      out.push(`| ${x.variant} | ${f1(x.medianMs)} | ${f1(x.minMs)}–${f1(x.maxMs)} | ${f2(x.nsPerOp)} | ${f2(x.ratioVsLock)}× | ${f2(x.ratioVsHandFutex)}× |`);
    out.push('');
    out.push(
      'A read hold is a load and a compare-and-swap of the state word to take it, the same to give it back (the count must not be given back below zero, nor into the flag bits); a Lock is one compare-and-swap each way.',
    );
    if (u.rows.some((x) => x.variant.startsWith('baseline'))) out.push('', `"baseline Lock" is the Lock of ${r.baseline}, loaded in the same process.`);
    out.push('');
  }
  if (r.contended) {
    const c = r.contended;
    out.push(
      `## 2. Contended: 2 worker_threads × ${c.sectionsPerWorker.toLocaleString('en-US')} critical sections on one lock (a tenth as many long ones): a read sums the shared words, a write adds 1 to each`,
      '',
    );
    out.push('| mix | lock | median ms | min–max ms | ns/section | Mops/s | vs sc Lock |', '|---|---|---:|---:|---:|---:|---:|');
    for (const x of c.rows) {
      const mix = MIXES.find((m) => m.mix === x.mix).label;
      out.push(
        `| ${mix} | ${LOCK_LABEL[x.variant]} | ${f1(x.medianMs)} | ${f1(x.minMs)}–${f1(x.maxMs)} | ${f1(x.nsPerSection)} | ${f2(x.mopsPerS)} | ${f2(x.ratioVsLock)}× |`,
      );
    }
    out.push('');
    out.push(
      'Time from the start signal to both workers done. With sections of a few words, readers gain little from sharing: every read acquisition and release is a compare-and-swap on the one state word, whose cache line moves between the cores at every section, while a contended Lock lets its holder run many sections in a row (its waiter backs off). Longer read sections, and more readers on more cores, are where an RwLock pays: both threads then read at the same time.',
      '',
    );
  }
  return out.join('\n');
}

async function main() {
  const started = performance.now();
  const result = {
    date: new Date().toISOString(),
    machine: machineInfo({ nice: getPriority() }),
    loadAverage: loadavg(),
    quick: QUICK,
    filtered: ONLY_PARTS !== null || BASELINE !== undefined,
    baseline: BASELINE ?? null,
    targets: [],
  };
  if (enabled('uncontended')) result.uncontended = await runUncontended();
  if (enabled('contended')) result.contended = await runContended();
  if (result.uncontended) {
    const read = result.uncontended.rows.find((x) => x.variant === 'sc RwLock read acquire/release');
    result.targets.push({ target: 'RwLock uncontended read lock+unlock ≤ 1.2× a Lock', measured: read.ratioVsLock, met: read.ratioVsLock <= 1.2 });
  }
  result.totalSeconds = Math.round((performance.now() - started) / 100) / 10;
  writeResults('rwlock', result, markdown(result), sink);
}

if (isMainThread) await main();
else await workerMain();
