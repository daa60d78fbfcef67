/**
 * Async waits across processes: how soon a process waiting asynchronously for a lock
 * (`acquireAsync` on a mutex in a SharedMemory segment) runs again after another process releases
 * it, and how much CPU it spends while it waits. Three variants of the waiting process, side by
 * side in one run, rounds interleaved:
 *
 * - waiter thread: `acquireAsync`, its waiter thread asleep in futex_waitv (src/memory/async-wait.ts);
 * - poll: `acquireAsync` with SHAREDCTYPES_ASYNC_WAIT=poll, the poll with a growing delay (0.25 →
 *   4 ms) that async waits on segment words were before;
 * - blocking: `acquire`, the main thread asleep in FUTEX_WAIT: the floor.
 *
 *   npm run build && node bench/async-wait.mjs
 *
 * Each variant runs in a process of its own on every runtime found (this Node: koffi on Node
 * 20–24; Node 26: node:ffi; Bun: bun:ffi; Deno: Deno.dlopen; the others are fetched by
 * `node test/setup/runtimes.mjs`, and skipped when missing), each with a segment of its own.
 *
 * Wake-up latency: this process holds the lock, lets the waiter start waiting, sees it wait (the
 * lock word marked; for the waiter thread also a thread of it in futex_waitv), holds the lock
 * 10–30 ms more (a random hold, so that the poll's phase is random too), then releases it and
 * waits (blocking) until the waiter says it has the lock (a semaphore it releases): the clock runs
 * from the release to that. The way back (a FUTEX_WAKE to this blocked thread) is in every
 * variant; the blocking variant shows it.
 *
 * CPU while waiting: the same, holding the lock 1 s while the waiter waits; the waiting process's
 * CPU time (sum over its threads of /proc/<pid>/task/<tid>/schedstat, nanoseconds on a CPU) and
 * its voluntary context switches (/proc/<pid>/task/<tid>/status: each one a sleep, so a wake-up)
 * over that second.
 *
 * Options (environment): BENCH_QUICK=1 (fewer rounds: smoke test, *.tmp results);
 * BENCH_RUNTIMES=node,node26,bun,deno (which waiting runtimes).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memorySupport, SharedMemory } from '../dist/index.js';
import { runtimeBinary } from '../test/setup/runtimes.mjs';
import { Bench } from './async-wait-schema.mjs';
import { machineInfo, median, writeResults } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 8 : 60;
const CPU_ROUNDS = QUICK ? 1 : 3;
const CPU_MS = 1000;
const PEER = join(here, 'async-wait-peer.mjs');

/** The waiting runtimes: how to start a script on each. */
const RUNTIMES = {
  node: () => ({ label: `Node ${process.versions.node} (${memorySupport().via})`, argv: [process.execPath] }),
  node26: () => ({ label: 'Node 26.12.1 (node:ffi)', argv: [runtimeBinary('node26'), '--no-warnings'] }),
  bun: () => ({ label: 'Bun 1.4.5 (bun:ffi)', argv: [runtimeBinary('bun')] }),
  deno: () => ({ label: 'Deno 2.9.6 (Deno.dlopen)', argv: [runtimeBinary('deno'), 'run', '--quiet', '--allow-read', '--allow-env', '--allow-ffi'] }),
};
const wanted = (process.env.BENCH_RUNTIMES ?? 'node,node26,bun,deno').split(',');

const VARIANTS = [
  { key: 'thread', label: 'acquireAsync, waiter thread (futex_waitv)', how: 'async', env: {} },
  { key: 'poll', label: 'acquireAsync, poll (SHAREDCTYPES_ASYNC_WAIT=poll)', how: 'async', env: { SHAREDCTYPES_ASYNC_WAIT: 'poll' } },
  { key: 'blocking', label: 'acquire, blocking (FUTEX_WAIT): the floor', how: 'blocking', env: {} },
];

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms) => Atomics.wait(pause, 0, 0, ms);
const now = () => Number(process.hrtime.bigint()) / 1e6;

let seed = 0x2545f491;
function random() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}

/** Sum over the threads of `pid`: [ns on a CPU, voluntary context switches]. */
function cpuOf(pid) {
  let ns = 0;
  let switches = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      switches += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // the thread ended
    }
  }
  return [ns, switches];
}

/** Whether a thread of `pid` sleeps in futex_waitv. */
function inWaitv(pid) {
  return readdirSync(`/proc/${pid}/task`).some((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'utf8').startsWith('449 ');
    } catch {
      return false;
    }
  });
}

function until(cond, what) {
  const end = performance.now() + 20_000;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`bench/async-wait: timed out waiting for ${what}`);
    sleep(0.05);
  }
}

/** A waiting process: its segment, view and process. */
function startPeer(runtime, variant) {
  const shm = new SharedMemory({ create: true, size: 64 });
  const s = Bench.view(shm.buf);
  const [command, ...args] = runtime.argv;
  const child = spawn(command, [...args, PEER, JSON.stringify({ name: shm.name, how: variant.how })], {
    env: { ...process.env, ...variant.env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return { shm, s, child, variant, words: new Int32Array(shm.buf), latencies: [], cpu: [], switches: [] };
}

/** Lets the peer start waiting for the lock this process holds; returns once it waits (steady). */
function holdAndLetWait(p) {
  p.s.lock.acquire();
  const waiting = p.s.waiting;
  p.s.go.release();
  until(() => p.s.waiting === waiting + 1 && Atomics.load(p.words, 0) === 2, `the ${p.variant.key} peer to wait for the lock`);
  if (p.variant.key === 'thread') until(() => inWaitv(p.child.pid), 'the waiter thread to sleep in the kernel');
}

function latencyRound(p) {
  holdAndLetWait(p);
  sleep(10 + 20 * random());
  const t0 = now();
  p.s.lock.release();
  p.s.done.acquire();
  p.latencies.push(now() - t0);
}

function cpuRound(p) {
  holdAndLetWait(p);
  const [ns0, sw0] = cpuOf(p.child.pid);
  const t0 = now();
  sleep(CPU_MS);
  const [ns1, sw1] = cpuOf(p.child.pid);
  const seconds = (now() - t0) / 1000;
  p.s.lock.release();
  p.s.done.acquire();
  p.cpu.push((ns1 - ns0) / 1e3 / seconds); // µs of CPU per second of waiting
  p.switches.push((sw1 - sw0) / seconds);
}

function shuffled(xs) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(0.9 * (xs.length - 1))];
const fmt = (x, d = 2) => (x >= 100 ? x.toFixed(0) : x.toFixed(d));

const t0 = performance.now();
const results = [];
for (const name of wanted) {
  const make = RUNTIMES[name];
  if (make === undefined) throw new Error(`bench/async-wait: unknown runtime ${name} (node, node26, bun, deno)`);
  const runtime = make();
  if (name !== 'node' && !existsSync(runtime.argv[0])) {
    process.stderr.write(`bench/async-wait: ${name} is not fetched (node test/setup/runtimes.mjs ${name}): skipped\n`);
    continue;
  }
  const peers = VARIANTS.map((v) => startPeer(runtime, v));
  for (const p of peers) until(() => p.s.pid !== 0, `the ${p.variant.key} peer to start`);
  // Warm-up: the first wait of the waiter-thread peer starts its thread.
  for (const p of peers) latencyRound(p);
  for (const p of peers) p.latencies.length = 0;
  for (let r = 0; r < ROUNDS; r++) for (const p of shuffled(peers)) latencyRound(p);
  for (let r = 0; r < CPU_ROUNDS; r++) for (const p of shuffled(peers)) cpuRound(p);
  for (const p of peers) {
    p.s.quit = 1;
    p.s.go.release();
  }
  await Promise.all(peers.map((p) => new Promise((resolve) => (p.child.exitCode !== null ? resolve() : p.child.once('exit', resolve)))));
  for (const p of peers) {
    p.shm.close();
    p.shm.unlink();
  }
  results.push({
    runtime: name,
    label: runtime.label,
    variants: peers.map((p) => ({
      key: p.variant.key,
      label: p.variant.label,
      latencyMs: { median: median(p.latencies), p90: p90(p.latencies), samples: p.latencies.length },
      cpuMicrosPerSecond: median(p.cpu),
      wakeupsPerSecond: median(p.switches),
    })),
  });
}

const totalSeconds = Math.round((performance.now() - t0) / 100) / 10;
const machine = machineInfo({ ffi: memorySupport().via });
let md = `# Async waits across processes (${process.version} drives; the waiting process on each runtime)\n\n`;
md += `${machine.cpu}, ${machine.cores} cores. Wake-up latency: median and 90th percentile of ${ROUNDS} rounds per variant (rounds interleaved, the lock held 10–30 ms while the process waits), from the release in this process to this process woken by the waiter's "got it" (a FUTEX_WAKE back, in every variant). CPU while waiting: median of ${CPU_ROUNDS} seconds of waiting, all threads of the waiting process (schedstat); wake-ups: its voluntary context switches per second.\n\n`;
for (const r of results) {
  const by = Object.fromEntries(r.variants.map((v) => [v.key, v]));
  md += `## ${r.label}\n\n| waiting process | latency median (ms) | p90 (ms) | CPU while waiting (µs/s) | wake-ups/s |\n|---|---:|---:|---:|---:|\n`;
  for (const v of r.variants) {
    md += `| ${v.label} | ${fmt(v.latencyMs.median, 3)} | ${fmt(v.latencyMs.p90, 3)} | ${fmt(v.cpuMicrosPerSecond, 1)} | ${fmt(v.wakeupsPerSecond, 1)} |\n`;
  }
  const poll = by.poll;
  const thread = by.thread;
  if (poll && thread) {
    md += `\nPoll ÷ waiter thread: latency ${fmt(poll.latencyMs.median / thread.latencyMs.median, 1)}× (median), ${fmt(poll.latencyMs.p90 / thread.latencyMs.p90, 1)}× (p90); CPU while waiting ${thread.cpuMicrosPerSecond > 0 ? `${fmt(poll.cpuMicrosPerSecond / thread.cpuMicrosPerSecond, 1)}×` : '∞'}.\n\n`;
  }
}
writeResults(
  'async-wait',
  { quick: QUICK, filtered: process.env.BENCH_RUNTIMES !== undefined, machine, rounds: ROUNDS, cpuRounds: CPU_ROUNDS, results, totalSeconds },
  md,
  0,
);
