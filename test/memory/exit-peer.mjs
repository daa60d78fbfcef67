// A peer process of async-wait-exit.test.ts: waits asynchronously on a word of a segment of its
// own (its waiter thread starts), waits until its waiter thread says on the BroadcastChannel
// `job.channel` that it is binding the FFI (the test's koffi stand-in says so from `load()`), and
// then ends while it still binds: by process.exit() with the wait pending (`job.how` 'exit'), or
// by its loop running dry once the wait is over ('natural'). Prints one JSON line before it ends.
import { sc } from '../workers/library.mjs';

const job = JSON.parse(process.argv[2] ?? globalThis.Deno?.args?.[0] ?? '{}');
const shm = new sc.SharedMemory({ create: true, size: 64 });
shm.unlink(); // the mapping stays until the process ends
const s = sc.struct({ ready: sc.event() }).view(shm.buf);
const binding = new BroadcastChannel(job.channel);
const said = new Promise((resolve) => {
  binding.onmessage = resolve;
});
const waiting = s.ready.waitAsync(60_000);
await said;
if (job.how === 'exit') {
  await new Promise((resolve) => process.stdout.write(`${JSON.stringify({ ended: 'exit' })}\n`, resolve));
  process.exit(0);
}
s.ready.set();
const set = await waiting;
binding.close(); // nothing left: the loop runs dry and the process ends
console.log(JSON.stringify({ ended: 'natural', set }));
