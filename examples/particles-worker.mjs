// A demo worker: attaches a typed view to the shared buffer and simulates its slice.
import { parentPort, workerData } from 'node:worker_threads';
import { fingerprint } from '../dist/index.js';
import { Particles, step } from './particle-schema.mjs';

const { buffer, count, from, to, steps, dt, layout } = workerData;
const Schema = Particles(count);
if (fingerprint(Schema) !== layout) throw new Error(`layout mismatch: main ${layout}, worker ${fingerprint(Schema)}`);
const ps = Schema.view(buffer);
for (let s = 0; s < steps; s++) step(ps, from, to, dt);
parentPort.postMessage({ done: true });
