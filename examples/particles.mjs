// Demo: workers share an array of C structs in one SharedArrayBuffer, with no copy and no
// serialization. Each worker simulates a slice; the result is checked against a single-threaded
// run over a second buffer, and the throughput of both is printed.
//
//   npm run demo        (builds, then runs this file)
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, fingerprint, sizeof } from '../dist/index.js';
import { Particle, Particles, step } from './particle-schema.mjs';

const COUNT = 200_000;
const STEPS = 300;
const DT = 1 / 60;
const WORKERS = Math.max(2, Math.min(4, availableParallelism()));

console.log(describe(Particle));

function init(ps) {
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const p = ps.cursor();
  for (let i = 0; i < ps.length; i++) {
    p.seek(i).set({
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
const shared = Schema.view(new SharedArrayBuffer(sizeof(Schema)));
const reference = Schema.view(new SharedArrayBuffer(sizeof(Schema)));
init(shared);
init(reference);

let t0 = performance.now();
for (let s = 0; s < STEPS; s++) step(reference, 0, COUNT, DT);
const single = performance.now() - t0;

t0 = performance.now();
const slice = Math.ceil(COUNT / WORKERS);
await Promise.all(
  Array.from({ length: WORKERS }, (_, w) => {
    const worker = new Worker(new URL('./particles-worker.mjs', import.meta.url), {
      workerData: {
        buffer: shared.$buffer,
        count: COUNT,
        from: w * slice,
        to: Math.min(COUNT, (w + 1) * slice),
        steps: STEPS,
        dt: DT,
        layout: fingerprint(Schema),
      },
    });
    return new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }).finally(() => worker.terminate());
  }),
);
const parallel = performance.now() - t0;

// Check: the shared buffer, written by the workers, equals the single-threaded result byte for byte.
const a = new Uint8Array(shared.$buffer);
const b = new Uint8Array(reference.$buffer);
let mismatches = 0;
for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) mismatches++;
const updates = COUNT * STEPS;
console.log(`\n${COUNT} particles × ${STEPS} steps, ${WORKERS} workers sharing one ${(a.length / 1e6).toFixed(1)} MB SharedArrayBuffer`);
console.log(`single thread : ${single.toFixed(1)} ms  (${(((updates / single) * 1e3) / 1e6).toFixed(1)} M particle-steps/s)`);
console.log(
  `${WORKERS} workers     : ${parallel.toFixed(1)} ms  (${(((updates / parallel) * 1e3) / 1e6).toFixed(1)} M particle-steps/s, worker start-up included)`,
);
console.log(`sample         : ${JSON.stringify(shared.get(1).toObject())}`);
if (mismatches !== 0) {
  console.error(`FAILED: ${mismatches} bytes differ from the single-threaded run`);
  process.exit(1);
}
console.log('OK: workers and the single-threaded run agree byte for byte');
