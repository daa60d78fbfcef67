// A worker thread of shared-memory.test.ts: maps the segment by name itself and increments `n`
// under the struct's lock, racing the main thread.
import { workerData } from 'node:worker_threads';
import { sc } from '../workers/library.mjs';
import { SHARED } from './schema.mjs';

const shm = new sc.SharedMemory(workerData.name);
const s = SHARED(sc).view(shm.buf);
s.started = 1;
for (let k = 0; k < workerData.times; k++) s.lock.withLock(() => (s.n = s.n + 1));
shm.close();
