// Demo: workers share an array of C structs in one SharedArrayBuffer, with no copy and no
// serialization. Each worker simulates a slice of the particles, then adds its statistics into a
// shared struct: counters with atomics, a max (two fields at once) under a lock that lives in the
// struct itself. The result is checked against a single-threaded run.
//
//   npm run demo        (builds, then runs this file)
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, shareAll } from '../dist/sharedctypes.js';
import { Particles, record, Stats, step } from './particle-schema.mjs';

const COUNT = 200_000;
const STEPS = 300;
const DT = 1 / 60;
const WORKERS = Math.max(2, Math.min(4, availableParallelism()));

console.log(describe(Stats));

function init(ps) {
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < ps.length; i++) {
    ps.get(i).set({
      x: rand() * 100,
      y: rand() * 100,
      z: rand() * 100,
      vx: rand() - 0.5,
      vy: rand() * 2,
      vz: rand() - 0.5,
      id: i,
      alive: i % 17 === 0 ? 0 : 1,
    });
  }
}

const Schema = Particles(COUNT);
const shared = Schema.create();
const sharedStats = Stats.create();
const reference = Schema.create();
const referenceStats = Stats.create();
init(shared);
init(reference);

let t0 = performance.now();
let bounces = 0;
for (let s = 0; s < STEPS; s++) bounces += step(reference, 0, COUNT, DT);
record(reference, 0, COUNT, referenceStats, bounces);
const single = performance.now() - t0;

t0 = performance.now();
const slice = Math.ceil(COUNT / WORKERS);
const handles = shareAll({ particles: shared, stats: sharedStats });
await Promise.all(
  Array.from({ length: WORKERS }, (_, w) => {
    const worker = new Worker(new URL('./particles-worker.mjs', import.meta.url), {
      workerData: { count: COUNT, from: w * slice, to: Math.min(COUNT, (w + 1) * slice), steps: STEPS, dt: DT, shared: handles },
    });
    return new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }).finally(() => worker.terminate());
  }),
);
const parallel = performance.now() - t0;

// Check: the particles written by the workers equal the single-threaded result byte for byte, and
// so do the statistics gathered with atomics and the lock.
const equalBytes = (a, b) => {
  const x = new Uint8Array(a.$buffer, a.$byteOffset, a.$byteLength);
  const y = new Uint8Array(b.$buffer, b.$byteOffset, b.$byteLength);
  let diff = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) diff++;
  return diff;
};
const particleDiff = equalBytes(shared, reference);
const statsDiff = JSON.stringify(sharedStats.toObject()) === JSON.stringify(referenceStats.toObject()) ? 0 : 1;
const updates = COUNT * STEPS;
console.log(`\n${COUNT} particles × ${STEPS} steps, ${WORKERS} workers sharing one ${(shared.$byteLength / 1e6).toFixed(1)} MB SharedArrayBuffer`);
console.log(`single thread : ${single.toFixed(1)} ms  (${(((updates / single) * 1e3) / 1e6).toFixed(1)} M particle-steps/s)`);
console.log(
  `${WORKERS} workers     : ${parallel.toFixed(1)} ms  (${(((updates / parallel) * 1e3) / 1e6).toFixed(1)} M particle-steps/s, worker start-up included)`,
);
console.log(`stats         : ${JSON.stringify(sharedStats.toObject())}`);
if (particleDiff !== 0 || statsDiff !== 0) {
  console.error(`FAILED: ${particleDiff} particle bytes differ; stats ${statsDiff ? 'differ' : 'agree'}`);
  process.exit(1);
}
console.log('OK: workers and the single-threaded run agree byte for byte, statistics included');
