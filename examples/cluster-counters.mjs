// Demo: a node:cluster HTTP server whose worker processes count requests per route in one struct
// in named shared memory, with atomics and a lock member; Python (live_counters.py) maps the same
// segment and prints the counters live. Two commands (docs/processes.md):
//
//   node examples/cluster-counters.mjs [port] [workers]     (Node ≥ 26.1, or Node 20–24 with koffi)
//   python3 examples/live_counters.py                        (another terminal)
//
// The primary process creates the segment, the workers attach to it by name, and the segment is
// unlinked when the primary exits (Ctrl-C).
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { SharedMemory, sizeof } from '../dist/sharedctypes.js';
import { Counters, count, ROUTES } from './counters-schema.mjs';

const SEGMENT = process.env.COUNTERS_SEGMENT ?? 'sharedctypes-demo-counters';
const port = Number(process.argv[2] ?? 8080);
const workers = Number(process.argv[3] ?? 2);

if (cluster.isPrimary) {
  try {
    new SharedMemory(SEGMENT).unlink(); // left over from a run that was killed
  } catch {}
  const shm = new SharedMemory({ name: SEGMENT, create: true, size: sizeof(Counters) });
  Counters.view(shm.buf).started = Date.now();
  const cleanUp = () => {
    shm.close();
    shm.unlink();
    process.exit(0);
  };
  process.on('SIGINT', cleanUp);
  process.on('SIGTERM', cleanUp);
  let listening = 0;
  for (let k = 0; k < workers; k++) {
    cluster.fork().on('listening', (address) => {
      if (++listening === workers)
        console.log(`listening on http://127.0.0.1:${address.port} with ${workers} workers; segment '${SEGMENT}' (routes ${ROUTES.join(' ')})`);
    });
  }
} else {
  const shm = new SharedMemory(SEGMENT);
  const c = Counters.view(shm.buf);
  createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = `${path} served by ${process.pid}\n`;
    count(c, path, body.length, process.pid);
    res.end(body);
  }).listen(port, '127.0.0.1');
}
