// A worker thread of the WebAssembly end-to-end test: gets the module, its shared memory and a
// handle to the particles (share()), attaches to them with the schema (the fingerprint is
// checked), checks C's values, writes JS's, and lets this thread's instance of the module check them.
import { parentPort, workerData } from 'node:worker_threads';
import { sc } from '../workers/library.mjs';
import { differences, particleSchema, writeAll } from './scenario.mjs';

const { module, memory, handle } = workerData;
const particles = sc.attach(handle, sc.array(particleSchema(sc), handle.schema.root.length));
const instance = await WebAssembly.instantiate(module, { env: { memory } });
const read = differences(particles, 0);
writeAll(particles);
parentPort.postMessage({
  read,
  cBytesDiffer: instance.exports.check(),
  sameBuffer: particles.$buffer === memory.buffer,
  shared: memory.buffer instanceof SharedArrayBuffer,
});
