// A peer process of async-wait-exit.test.ts: makes `job.n` async waits on a word of a segment of
// its own, each set from a microtask (the waiter thread's code runs hot: the engine compiles it on
// a background thread meanwhile), then starts one more that nothing sets, prints one JSON line and
// calls process.exit(0) with that wait asleep in the kernel.
import { sc } from '../workers/library.mjs';

const job = JSON.parse(process.argv[2] ?? globalThis.Deno?.args?.[0] ?? '{}');
const shm = new sc.SharedMemory({ create: true, size: 64 });
shm.unlink(); // the mapping stays until the process ends
const s = sc.struct({ a: sc.event(), b: sc.event() }).view(shm.buf);
let set = 0;
for (let k = 0; k < job.n; k++) {
  const w = s.a.waitAsync(60_000);
  queueMicrotask(() => s.a.set());
  if (await w) set++;
  s.a.clear();
}
s.b.waitAsync(60_000); // pending when the process ends
await new Promise((resolve) => process.stdout.write(`${JSON.stringify({ set })}\n`, resolve));
process.exit(0);
