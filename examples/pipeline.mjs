// Demo: a pipeline of worker threads connected by typed channels in shared memory.
//
//   producer worker ──frames──▶ N processing workers ──results──▶ consumer (the main thread)
//
// The producer writes audio-like frames (a sequence number and 256 f32 samples) in place into an
// MPMC channel (reserve/commit: no object per frame, no copy); each processing worker takes frames
// in place (front/release), computes their peak and RMS and pushes a small result struct; the main
// thread consumes the results with `for await` (it never blocks) and checks that every frame was
// processed exactly once. Closing flows down the pipeline: the producer closes `frames` when done,
// the workers end their loops, and the main thread closes `results` once every worker has exited.
//
//   npm run example:pipeline    (builds, then runs this file)
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { array, attach, Channel, f32, share, struct, u32 } from '../dist/sharedctypes.js';

const FRAMES = 20_000;
const SAMPLES = 256;
const WORKERS = Math.max(2, Math.min(4, availableParallelism()));

const Frame = struct({ seq: u32, samples: array(f32, SAMPLES) }, { name: 'Frame' });
const Result = struct({ seq: u32, worker: u32, peak: f32, rms: f32 }, { name: 'Result' });

/** Sample k of frame seq: a sine whose amplitude depends on the frame. */
const sample = (seq, k) => Math.fround(((seq % 100) / 100) * Math.sin((2 * Math.PI * k * (1 + (seq % 7))) / SAMPLES));

function producer({ frames }) {
  const out = attach(frames, Frame);
  for (let seq = 0; seq < FRAMES; seq++) {
    const f = out.reserve(); // the next free slot, as a live view
    f.seq = seq;
    const s = f.samples;
    for (let k = 0; k < SAMPLES; k++) s.set(k, sample(seq, k));
    out.commit();
  }
  out.close(); // processing workers drain what is left, then their loops end
}

function processor({ frames, results, id }) {
  const input = attach(frames, Frame);
  const output = attach(results, Result);
  for (let f = input.front(); f !== null; f = input.front()) {
    const s = f.samples;
    let peak = 0;
    let sum = 0;
    for (let k = 0; k < SAMPLES; k++) {
      const v = s.get(k);
      peak = Math.max(peak, Math.abs(v));
      sum += v * v;
    }
    const seq = f.seq;
    input.release(); // done with the frame: its slot goes back to the producer
    output.push({ seq, worker: id, peak, rms: Math.sqrt(sum / SAMPLES) });
  }
}

async function main() {
  const frames = new Channel(Frame, 64); // MPMC: one producer, several consumers
  const results = new Channel(Result, 256); // MPMC: several producers, one consumer
  const handles = { frames: share(frames), results: share(results) };
  const url = new URL(import.meta.url);
  const started = performance.now();
  const exited = (w) => new Promise((resolve, reject) => w.once('exit', resolve).once('error', reject));
  const workers = [new Worker(url, { workerData: { role: 'producer', ...handles } })];
  for (let id = 0; id < WORKERS; id++) workers.push(new Worker(url, { workerData: { role: 'processor', id, ...handles } }));
  void Promise.all(workers.map(exited)).then(() => results.close());

  const seen = new Uint8Array(FRAMES);
  const perWorker = new Array(WORKERS).fill(0);
  let loudest = { seq: -1, peak: 0 };
  for await (const r of results) {
    seen[r.seq]++;
    perWorker[r.worker]++;
    if (r.peak > loudest.peak) loudest = r;
  }
  const ms = performance.now() - started;
  const once = seen.every((n) => n === 1);
  console.log(`${FRAMES} frames of ${SAMPLES} samples through ${WORKERS} processing workers in ${ms.toFixed(0)} ms`);
  console.log(`frames per worker: ${perWorker.join(', ')}`);
  console.log(`loudest frame: #${loudest.seq} (peak ${loudest.peak.toFixed(3)}, rms ${loudest.rms.toFixed(3)})`);
  console.log(once ? 'every frame processed exactly once' : 'ERROR: frames lost or repeated');
  if (!once) process.exitCode = 1;
}

if (isMainThread) await main();
else if (workerData.role === 'producer') producer(workerData);
else processor(workerData);
