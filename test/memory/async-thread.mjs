// A worker thread of async-wait.test.ts: maps the segment by name, says it started (`started`),
// and acquires the mutex asynchronously (held by another process): its own waiter thread sleeps in
// the kernel for it (through koffi it polls). Posts whether it got the lock, and how it waited.
import { parentPort, workerData } from 'node:worker_threads';
import { sc } from '../workers/library.mjs';
import { SHARED } from './schema.mjs';

const shm = new sc.SharedMemory(workerData.name);
const s = SHARED(sc).view(shm.buf);
s.started = 1;
const got = await s.lock.acquireAsync(workerData.timeout ?? -1);
if (got) s.lock.release();
parentPort?.postMessage({ got, asyncWaits: sc.memorySupport().asyncWaits });
shm.close();
