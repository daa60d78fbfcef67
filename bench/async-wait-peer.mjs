// The waiting process of bench/async-wait.mjs, on any runtime (Node, Bun, Deno): maps the segment
// named in its argument, and for each round the bench starts (`go`) acquires the lock the bench
// holds: asynchronously (`acquireAsync`: the waiter thread, or the poll with
// SHAREDCTYPES_ASYNC_WAIT=poll) or blocking (`acquire`: the floor), then releases it and says so
// (`done`). Its argument: { name, how: 'async' | 'blocking' }.
import { SharedMemory } from '../dist/index.js';
import { Bench } from './async-wait-schema.mjs';

const job = JSON.parse(globalThis.Deno?.args?.[0] ?? process.argv[2] ?? '{}');
const shm = new SharedMemory(job.name);
const s = Bench.view(shm.buf);
s.pid = globalThis.Deno?.pid ?? process.pid;
for (;;) {
  s.go.acquire();
  if (s.quit === 1) break;
  s.waiting = s.waiting + 1;
  if (job.how === 'blocking') s.lock.acquire();
  else await s.lock.acquireAsync();
  s.lock.release();
  s.done.release();
}
shm.close();
