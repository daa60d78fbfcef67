// The struct the cluster demo's processes share (cluster-counters.mjs writes it, live_counters.py
// reads it). `node examples/counters-schema.mjs` prints its layout and the ctypes class that
// live_counters.py carries (test/package/demo-processes.test.ts checks that they agree).
import { array, atomic, char, describe, f64, mutex, struct, toCtypes, u32, u64 } from '../dist/sharedctypes.js';

/** The routes counted; anything else counts as 'other'. */
export const ROUTES = ['/', '/hello', '/api/items', 'other'];

export const Counters = struct(
  {
    started: f64, // ms since the epoch when the server started
    requests: u64, // every request (atomic)
    hits: array(u32, ROUTES.length), // per route, in ROUTES order (atomic)
    lock: mutex(), // guards the three fields below, written together
    lastWorker: u32, // pid of the worker that served the last request
    lastBytes: u32, // its response size
    lastPath: char(64), // its path (truncated)
  },
  { name: 'Counters' },
);

/** Counts one request: atomics for the counters, the lock for the fields written together. */
export function count(c, path, bytes, pid) {
  const route = ROUTES.indexOf(path);
  atomic(c, 'requests').add(1n);
  atomic(c, `hits[${route < 0 ? ROUTES.length - 1 : route}]`).add(1);
  c.lock.withLock(() => {
    c.lastWorker = pid;
    c.lastBytes = bytes;
    c.lastPath = path.slice(0, 63);
  });
}

if (process.argv[1]?.endsWith('counters-schema.mjs')) {
  console.log(describe(Counters));
  console.log(toCtypes(Counters));
}
