// Demo: typed channels between two OS processes, in a named SharedMemory segment.
//
//   this process ──Particle × N (an SPSC channel)──▶ a child process
//   this process ◀──────{ n, sum } (a Pipe)────────── the child
//
// The parent creates a segment, places a channel and a pipe in it, and starts a child process
// with their handles (plain JSON naming the segment: here on the command line). The child attaches
// them (mapping the segment by name, layout checked), sums what arrives until the channel is
// closed, and sends the result back through the pipe. Waiting is the futex system call; nothing is
// serialised: items are copied in and out of the segment in their C layout.
//
//   npm run build && node examples/channel-processes.mjs [N]
//   (Node ≥ 26.1, Node 20–24 with koffi, Bun, or Deno with --allow-ffi; Linux)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { attach, Channel, f64, Pipe, SharedMemory, share, struct, u32 } from '../dist/sharedctypes.js';

const Particle = struct({ id: u32, x: f64, y: f64 }, { name: 'Particle' });
const Result = struct({ n: u32, sum: f64 }, { name: 'Result' });

if (process.argv[2] === 'child') {
  const { particles, results } = JSON.parse(process.argv[3]);
  const input = attach(particles, Particle); // a Channel<Particle> over the parent's segment
  const output = attach(results, Result); // the child's end of the pipe
  let n = 0;
  let sum = 0;
  for (const p of input) {
    // blocks (in the kernel) while the channel is empty; ends once it is closed and drained
    n++;
    sum += p.x + p.y;
  }
  output.send({ n, sum });
} else {
  const N = Number(process.argv[2] ?? 100_000);
  const CAPACITY = 1024;
  // The segment's layout: the channel at 0, the pipe after it (at a multiple of 64).
  const channelBytes = Channel.byteLength(Particle, CAPACITY, { mode: 'spsc' });
  const pipeAt = Math.ceil(channelBytes / 64) * 64;
  const shm = new SharedMemory({
    name: `channel-demo-${process.pid}`,
    create: true,
    size: pipeAt + Pipe.byteLength(Result, { capacity: 1 }),
  });
  try {
    const particles = new Channel(Particle, CAPACITY, { mode: 'spsc', memory: shm, byteOffset: 0 });
    const [mine, theirs] = Pipe(Result, { capacity: 1, memory: shm, byteOffset: pipeAt });
    const handles = JSON.stringify({ particles: share(particles), results: share(theirs) });
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'child', handles], { stdio: 'inherit' });
    const exited = new Promise((resolve, reject) => {
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the child exited with ${code}`))));
    });
    let expected = 0;
    for (let id = 0; id < N; id++) {
      particles.push({ id, x: id * 0.5, y: 1 }); // blocks while the channel is full
      expected += id * 0.5 + 1;
    }
    particles.close(); // the child drains what is left, then its loop ends
    const { n, sum } = await mine.recvAsync(60_000); // async: this process's event loop runs on (QueueEmpty after a minute)
    await exited;
    console.log(`the child received ${n} particles, sum ${sum} (expected ${N}, ${expected}): ${n === N && sum === expected ? 'ok' : 'WRONG'}`);
    if (n !== N || sum !== expected) process.exitCode = 1;
  } finally {
    shm.close();
    shm.unlink(); // the creator unlinks, once; the child's mapping went with it
  }
}
