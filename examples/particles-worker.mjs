// A demo worker: attaches typed views to the shared buffers and simulates its slice.
import { parentPort, workerData } from 'node:worker_threads';
import { attachAll } from '../dist/sharedctypes.js';
import { Particles, record, Stats, step } from './particle-schema.mjs';

const { count, from, to, steps, dt, shared } = workerData;
// attach() checks the layouts: a worker built from a different schema fails here, loudly.
const { particles, stats } = attachAll(shared, { particles: Particles(count), stats: Stats });
let bounces = 0;
for (let s = 0; s < steps; s++) bounces += step(particles, from, to, dt);
record(particles, from, to, stats, bounces);
parentPort.postMessage({ done: true });
