/**
 * Asynchronous waits on the words of `SharedMemory` segments, without polling: no runtime offers
 * an asynchronous futex wait, so each thread that waits asynchronously on segment words gets one
 * waiter thread (waiter-thread.ts) that sleeps in the kernel (`futex_waitv`, Linux ≥ 5.16) on
 * behalf of all of that thread's pending waits, and completes them through a SharedArrayBuffer
 * word this thread waits on with `Atomics.waitAsync`.
 *
 * Same outcomes as the poll it replaces: `'ok'` when woken (spurious wake-ups allowed),
 * `'not-equal'` when the word no longer holds the expected value, `'timed-out'` at the deadline.
 * A wait woken as its deadline passes ends `'ok'`, as a futex wait does, never both: its waker
 * counted it woken (see cancel()).
 * Nothing here keeps a process alive: the waiter thread is unref'd, `Atomics.waitAsync` is not
 * counted as work, the deadline timers are unref'd. Whether a pending wait keeps the process alive
 * is sync/futex.ts's policy (it does, with a timer of its own).
 *
 * Where it cannot work, a wait resolves to `undefined` and the caller polls (sync/futex.ts): no
 * `futex_waitv` (Linux < 5.16, or a seccomp filter that refuses it), no threads (Node's permission
 * model without `--allow-worker`), no `Atomics.waitAsync`, more than 127 waits pending in one
 * thread (the rest poll), a worker thread whose FFI is koffi (Node 20–24: see below), or
 * `SHAREDCTYPES_ASYNC_WAIT=poll` in the environment. `memorySupport()` reports which, through
 * {@link asyncWaitState}.
 *
 * The waiter thread makes no FFI call once its owner's thread has begun to end (waiter-thread.ts,
 * "No FFI call once the owner's thread ends"): the owner closes the waiter's gate in its `'exit'`
 * listener, which comes before Node terminates the waiter. A worker that is terminated gets no
 * `'exit'`; through koffi, a waiter thread terminated while it binds koffi aborts the process, so
 * worker threads on koffi poll. node:ffi, Bun and Deno bind and call without Node-API: a
 * terminated worker's waiter ends there without harm (test/memory/async-wait-exit.test.ts).
 *
 * @module
 */
import type { WaitOutcome } from './backend.js';
import { mappingOf } from './backend.js';
import { hostOf } from './host.js';
import { type Libc, libc } from './libc.js';
import {
  CANCELLED,
  CANCELLING,
  CLOSED,
  CLOSING,
  CONTROL_BYTES,
  DONE,
  FREE,
  INSIDE,
  KERNEL,
  NOT_EQUAL,
  OK,
  OPEN,
  PENDING,
  SLOT,
  type WaiterData,
  WORDS,
  waiterSource,
} from './waiter-thread.js';

/** How this thread makes async waits on segment words: `'thread'` (a waiter thread) or `'poll'`, and why it polls. */
export interface AsyncWaitState {
  readonly mode: 'thread' | 'poll';
  /** Why not a waiter thread (when `mode` is `'poll'`). */
  readonly reason?: string;
}

/**
 * How many async waits on segment words this thread handed to its waiter thread, and how many of
 * them a futex wake completed (`'ok'`). Tests read them to tell how a wait went; nothing else
 * depends on them.
 */
export const asyncWaitCounts = { handed: 0, woken: 0 };

const FUTEX_WAKE = 1;
const EINVAL = 22;
/**
 * How long a thread that ends waits for its waiter thread to leave the FFI (it leaves
 * `futex_waitv` at the doorbell in microseconds; while it binds the FFI, up to its start-up time,
 * 10 ms to 0.5 s). Past it the thread ends anyway: only a waiter stuck in its start-up for longer
 * could then still be in the FFI.
 */
const CLOSE_GATE_MS = 10_000;
/** Longest kernel sleep of a worker's waiter: how long terminating that worker may wait for it (nothing can wake it first). */
const WORKER_MAX_SLEEP_MS = 100;

interface Request {
  readonly a: Int32Array;
  readonly i: number;
  readonly expected: number;
  readonly deadline: number;
  readonly resolve: (outcome: WaitOutcome | undefined) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The poll that also watches the word until the waiter thread is ready (it takes 20 ms to 0.5 s to start). */
  poll: ReturnType<typeof setTimeout> | undefined;
  /** Given up on (timed out, or the poll saw the word change): the outcome unless the waiter took a wake-up for it (see cancel()). */
  given: { readonly outcome: WaitOutcome | undefined } | undefined;
}

interface WorkerLike {
  unref(): void;
  on(event: string, listener: (arg: unknown) => void): void;
}

interface Waiter {
  readonly c: Libc;
  readonly sysFutex: number;
  readonly words: Int32Array;
  readonly wide: BigInt64Array;
  /** The pending request of each slot. */
  readonly requests: (Request | undefined)[];
  pending: number;
  /** Whether the waiter thread has started (published the doorbell's address). */
  ready: boolean;
  listening: boolean;
  ringing: boolean;
  cursor: number;
}

let waiter: Waiter | null | undefined;
let whyNot: string | undefined;

/** How this thread's async waits on segment words are made (before the first: how they would be). */
export function asyncWaitState(): AsyncWaitState {
  if (waiter === undefined) whyNot = unavailable();
  return waiter === null || whyNot !== undefined ? { mode: 'poll', reason: whyNot ?? 'the waiter thread failed' } : { mode: 'thread' };
}

/**
 * Waits asynchronously while `a[i] === expected` (a segment's word), until woken or `deadline`
 * (`performance.now()` time; `Infinity`: none). Resolves to `undefined` when the caller must poll
 * instead (see the module's notes); returns `undefined` at once when it knows so already.
 */
export function waitAsyncInKernel(a: Int32Array, i: number, expected: number, deadline: number): Promise<WaitOutcome | undefined> | undefined {
  if (waiter === undefined) waiter = start();
  const w = waiter;
  if (w === null) return undefined;
  const m = mappingOf(a.buffer);
  if (m === undefined) return undefined;
  if (Atomics.load(a, i) !== expected) return Promise.resolve('not-equal');
  const left = deadline === Number.POSITIVE_INFINITY ? deadline : deadline - performance.now();
  if (left <= 0) return Promise.resolve('timed-out');
  const slot = allocate(w);
  if (slot < 0) return undefined;
  const b = WORDS.slots + slot * SLOT.words;
  Atomics.store(w.words, b + SLOT.expected, expected);
  w.wide[(b + SLOT.address) / 2] = m.address + BigInt(a.byteOffset + i * 4);
  Atomics.store(w.words, b + SLOT.state, PENDING);
  asyncWaitCounts.handed++;
  return new Promise((resolve) => {
    const r: Request = { a, i, expected, deadline, resolve, timer: undefined, poll: undefined, given: undefined };
    w.requests[slot] = r;
    w.pending++;
    if (left !== Number.POSITIVE_INFINITY) r.timer = timer(() => expire(w, slot, r), left);
    if (!w.ready) r.poll = timer(() => look(w, slot, r, 0.25), 0.25);
    listen(w);
    if (!w.ringing) {
      w.ringing = true; // one ring for all the waits handed over in this task
      queueMicrotask(() => {
        w.ringing = false;
        ring(w);
      });
    }
  });
}

/** Longest delay a timer takes (Node fires longer ones after 1 ms, with a warning). */
const MAX_DELAY_MS = 0x7fffffff;

/** An unref'd timer (where the runtime has `unref`): it does not keep the process alive. */
function timer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const t = setTimeout(fn, Math.min(ms, MAX_DELAY_MS));
  (t as { unref?: () => void }).unref?.();
  return t;
}

/** Why a waiter thread cannot work here (before trying to start one), or `undefined`. */
function unavailable(): string | undefined {
  let env: string | undefined;
  try {
    // Deno without --allow-env would ask at a terminal: read the variable only where allowed.
    const deno = (globalThis as { Deno?: { permissions: { querySync(d: { name: string; variable: string }): { state: string } } } }).Deno;
    if (deno === undefined || deno.permissions.querySync({ name: 'env', variable: 'SHAREDCTYPES_ASYNC_WAIT' }).state === 'granted')
      env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SHAREDCTYPES_ASYNC_WAIT;
  } catch {
    env = undefined;
  }
  if (env === 'poll') return 'SHAREDCTYPES_ASYNC_WAIT=poll';
  const host = hostOf();
  if (host.sysFutexWaitv === undefined || host.sysFutex === undefined) return `futex_waitv's number on ${host.arch} is not known here`;
  if (typeof (Atomics as { waitAsync?: unknown }).waitAsync !== 'function') return 'this runtime has no Atomics.waitAsync';
  const threads = host.builtin('node:worker_threads') as { Worker?: unknown; isMainThread?: boolean } | undefined;
  if (typeof threads?.Worker !== 'function') return 'this runtime has no node:worker_threads';
  const permission = (globalThis as { process?: { permission?: { has(scope: string): boolean } } }).process?.permission;
  if (permission !== undefined && !permission.has('worker')) return "Node's permission model forbids threads here: add --allow-worker";
  let c: Libc;
  try {
    c = libc();
  } catch (e) {
    return (e as Error).message;
  }
  if (c.via === 'koffi' && threads.isMainThread === false) {
    return 'a worker thread through koffi: a waiter thread terminated with its worker while it binds koffi would abort the process (Node ≥ 26.1 has node:ffi)';
  }
  // futex_waitv of no words: EINVAL where the kernel has it; ENOSYS before Linux 5.16, or what a
  // seccomp filter answers.
  if (c.futex(host.sysFutexWaitv, 0n, 0, 0, null) === -1) {
    const errno = c.errno();
    if (errno !== EINVAL) return `futex_waitv is not available (errno ${errno}: Linux before 5.16, or a seccomp filter refuses it)`;
  }
  return undefined;
}

/** Starts this thread's waiter thread; `null` (and `whyNot` says why) where it cannot. */
function start(): Waiter | null {
  whyNot = unavailable();
  if (whyNot !== undefined) return null;
  const host = hostOf();
  const threads = host.builtin('node:worker_threads') as { Worker: new (source: string, options: object) => WorkerLike; isMainThread: boolean };
  const c = libc(); // a segment is mapped: the binding is there
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const data: WaiterData = {
    control,
    via: c.via,
    koffiFrom: c.koffiFrom,
    sysWaitv: host.sysFutexWaitv ?? -1,
    sysFutex: host.sysFutex ?? -1,
    maxSleepMs: threads.isMainThread ? Number.POSITIVE_INFINITY : WORKER_MAX_SLEEP_MS,
    words: WORDS,
    slot: SLOT,
  };
  let worker: WorkerLike;
  try {
    worker = new threads.Worker(waiterSource(), { eval: true, workerData: data, name: 'sharedctypes async waiter' });
  } catch (e) {
    whyNot = `a waiter thread could not be started (${(e as Error).message})`;
    return null;
  }
  worker.unref();
  const w: Waiter = {
    c,
    sysFutex: host.sysFutex ?? -1,
    words: new Int32Array(control),
    wide: new BigInt64Array(control),
    requests: new Array<Request | undefined>(WORDS.slotCount).fill(undefined),
    pending: 0,
    ready: false,
    listening: false,
    ringing: false,
    cursor: 0,
  };
  const lost = (why: string) => () => {
    if (Atomics.load(w.words, WORDS.gate) === CLOSED) return;
    if (Atomics.compareExchange(w.words, WORDS.failure, 0, -1) === 0) whyNot = why;
    collect(w);
  };
  worker.on('error', (e) => lost(`the waiter thread failed (${(e as Error)?.message ?? String(e)})`)());
  worker.on('exit', lost('the waiter thread ended'));
  // When a thread ends, Node terminates its workers and joins them: the waiter must be out of the
  // FFI by then (one asleep in futex_waitv would hold the join for ever; through koffi, one that
  // binds or calls it then aborts the process). 'exit' comes before, for process.exit(), an
  // uncaught error or a drained loop.
  (globalThis as { process?: { on?: (event: string, listener: () => void) => void } }).process?.on?.('exit', () => closeGate(w));
  return w;
}

/**
 * Closes the waiter's gate (waiter-thread.ts): once this returns, the waiter thread makes no FFI
 * call any more. Then passes on the wake-ups it took for waits completed but not collected (this
 * thread ends: they would be lost to the other waiters of those words).
 */
function closeGate(w: Waiter): void {
  const end = performance.now() + CLOSE_GATE_MS;
  for (;;) {
    const gate = Atomics.compareExchange(w.words, WORDS.gate, OPEN, CLOSED);
    if (gate === OPEN || gate === CLOSED) break; // outside the FFI, for good
    if (gate === INSIDE) {
      Atomics.compareExchange(w.words, WORDS.gate, INSIDE, CLOSING);
      continue;
    }
    ring(w); // CLOSING: out of futex_waitv; it stores CLOSED as it leaves
    const left = end - performance.now();
    if (left <= 0) return;
    Atomics.wait(w.words, WORDS.gate, CLOSING, Math.min(left, 50));
  }
  for (let s = 0; s < WORDS.slotCount; s++) {
    const b = WORDS.slots + s * SLOT.words;
    if (Atomics.load(w.words, b + SLOT.state) !== DONE || Atomics.load(w.words, b + SLOT.outcome) !== OK) continue;
    const address = w.wide[(b + SLOT.address) / 2] ?? 0n;
    if (address !== 0n) w.c.futex(w.sysFutex, address, FUTEX_WAKE, 1, null);
  }
}

/** The doorbell's address, once the waiter thread published it (it is ready); 0 before. */
function doorOf(w: Waiter): bigint {
  return Atomics.load(w.wide, WORDS.address / 2);
}

/**
 * Called by `SharedMemory.close()` once `buffer` is detached, before its memory is unmapped: takes
 * back this thread's waits on it (they end as the poll would end them: reading the detached
 * buffer throws), so that the waiter thread does not sleep on the words of an unmapped segment.
 */
export function endWaitsOn(buffer: ArrayBuffer): void {
  const w = waiter;
  if (w === undefined || w === null) return;
  w.requests.forEach((r, slot) => {
    if (r !== undefined && r.a.buffer === buffer) takeBack(w, slot, r);
  });
}

/** A free slot (neither pending, nor cancelled and not yet freed by the waiter), or -1. */
function allocate(w: Waiter): number {
  for (let k = 0; k < WORDS.slotCount; k++) {
    const s = (w.cursor + k) % WORDS.slotCount;
    if (w.requests[s] === undefined && Atomics.load(w.words, WORDS.slots + s * SLOT.words + SLOT.state) === FREE) {
      w.cursor = (s + 1) % WORDS.slotCount;
      return s;
    }
  }
  return -1;
}

/** Tells the waiter to look at the slots again: wakes it from `futex_waitv` or `Atomics.wait`. */
function ring(w: Waiter): void {
  Atomics.add(w.words, WORDS.door, 1);
  Atomics.notify(w.words, WORDS.door);
  if (Atomics.load(w.words, WORDS.state) === KERNEL) {
    const door = doorOf(w);
    if (door !== 0n) w.c.futex(w.sysFutex, door, FUTEX_WAKE, 1, null);
  }
}

/** Waits (asynchronously) for the waiter's next completions, while any wait is pending. */
function listen(w: Waiter): void {
  if (w.listening) return;
  const atomics = Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<unknown> | string } };
  for (;;) {
    if (w.pending === 0) return;
    const seen = Atomics.load(w.words, WORDS.done);
    collect(w); // what the waiter completed before `seen` (after it, `done` differs from `seen`)
    if (w.pending === 0) return;
    const r = atomics.waitAsync(w.words, WORDS.done, seen);
    if (!r.async) continue; // completions meanwhile: look again
    w.listening = true;
    void (r.value as Promise<unknown>).then(() => {
      w.listening = false;
      listen(w);
    });
    return;
  }
}

/** Resolves the completed waits; all pending ones (to be polled) when the waiter cannot go on. */
function collect(w: Waiter): void {
  if (!w.ready && doorOf(w) !== 0n) {
    w.ready = true;
    for (const r of w.requests) {
      if (r?.poll === undefined) continue;
      clearTimeout(r.poll);
      r.poll = undefined;
    }
  }
  const failed = Atomics.load(w.words, WORDS.failure) !== 0;
  if (failed && waiter === w) {
    waiter = null;
    whyNot ??= `futex_waitv failed here (errno ${Atomics.load(w.words, WORDS.failure)})`;
  }
  for (let s = 0; s < WORDS.slotCount; s++) {
    const r = w.requests[s];
    if (r === undefined) continue;
    const b = WORDS.slots + s * SLOT.words;
    const done = Atomics.load(w.words, b + SLOT.state) === DONE;
    if (!done && !failed) continue;
    const outcome = done ? Atomics.load(w.words, b + SLOT.outcome) : 0;
    if (done) Atomics.store(w.words, b + SLOT.state, FREE);
    if (outcome === OK) asyncWaitCounts.woken++;
    // Given up on: 'ok' if the waiter took a wake-up for it, else (UNWOKEN, or the waiter failed) what it was given up with.
    const ended = outcome === OK ? 'ok' : outcome === NOT_EQUAL ? 'not-equal' : undefined; // FAULT, failure: poll
    finish(w, s, r, r.given !== undefined && outcome !== OK ? r.given.outcome : ended);
  }
}

function finish(w: Waiter, slot: number, r: Request, outcome: WaitOutcome | undefined): void {
  w.requests[slot] = undefined;
  w.pending--;
  if (r.timer !== undefined) clearTimeout(r.timer);
  if (r.poll !== undefined) clearTimeout(r.poll);
  r.resolve(outcome);
  // No wait left: release the pending Atomics.waitAsync (a runtime might count it as work).
  if (w.pending === 0 && w.listening) Atomics.notify(w.words, WORDS.done);
}

/** The deadline of the wait in `slot`: cancels it unless the waiter completed it first. */
function expire(w: Waiter, slot: number, r: Request): void {
  r.timer = undefined;
  const left = r.deadline - performance.now();
  if (left > 0) {
    r.timer = timer(() => expire(w, slot, r), left); // early by a fraction of a ms, or a deadline beyond 24.8 days
    return;
  }
  const changed = lookAt(r);
  cancel(w, slot, r, changed === undefined ? undefined : changed ? 'not-equal' : 'timed-out');
}

/**
 * Whether the word no longer holds the expected value; `undefined` when it cannot be read (its
 * segment was closed: the buffer is detached), which the caller's poll then reports as it did.
 */
function lookAt(r: Request): boolean | undefined {
  try {
    return Atomics.load(r.a, r.i) !== r.expected;
  } catch {
    return undefined;
  }
}

/** A look at the word while the waiter thread starts (the poll's growing delay, at most 4 ms). */
function look(w: Waiter, slot: number, r: Request, delay: number): void {
  r.poll = undefined;
  if (w.ready || w.requests[slot] !== r) return;
  const changed = lookAt(r);
  if (changed !== false) {
    cancel(w, slot, r, changed === true ? 'not-equal' : undefined);
    return;
  }
  const next = Math.min(4, delay * 2);
  r.poll = timer(() => look(w, slot, r, next), next);
}

/**
 * Gives up on the wait in `slot` (its deadline passed, or the start-up poll saw its word change):
 * it ends with `outcome` (`undefined`: the caller polls), unless the waiter completed it first or
 * took a wake-up for it meanwhile: then it ends `'ok'`, as a woken wait.
 *
 * A wait the waiter took a wake-up for must end `'ok'` (waiter-thread.ts, "Wakes are never
 * lost"): its waker counted it as woken, and may have taken it off a count of sleepers (a
 * channel's), which a wait ending otherwise takes itself off too: one sleeper less than there
 * are, and the next one is never woken. Only the waiter can tell, once out of `futex_waitv`: so
 * the slot goes `CANCELLING`, the doorbell gets it out, and the wait ends when its verdict comes
 * (collect()), microseconds later. A waiter that has not published its doorbell yet has read no
 * slot (it publishes before its first look, and this reads after the compare-and-swap): it never
 * slept on this word, and the wait ends at once, unless its first look gave the verdict already.
 */
function cancel(w: Waiter, slot: number, r: Request, outcome: WaitOutcome | undefined): void {
  if (w.requests[slot] !== r || r.given !== undefined) return;
  const b = WORDS.slots + slot * SLOT.words;
  if (Atomics.compareExchange(w.words, b + SLOT.state, PENDING, CANCELLING) !== PENDING) {
    collect(w); // the waiter completed it first
    return;
  }
  r.given = { outcome };
  if (r.timer !== undefined) clearTimeout(r.timer);
  if (r.poll !== undefined) clearTimeout(r.poll);
  r.timer = undefined;
  r.poll = undefined;
  if (doorOf(w) === 0n && Atomics.compareExchange(w.words, b + SLOT.state, CANCELLING, CANCELLED) === CANCELLING) {
    finish(w, slot, r, outcome);
    return;
  }
  ring(w); // out of the waiter's futex_waitv: for the verdict, and not to sit on the word for nobody
  listen(w);
}

/**
 * Takes the wait in `slot` back at once, without the waiter's verdict (its segment is being
 * closed): it ends with `undefined` (the caller's poll reads the detached buffer, and throws). A
 * wake-up the waiter took for it is passed on to the word's other waiters.
 */
function takeBack(w: Waiter, slot: number, r: Request): void {
  if (w.requests[slot] !== r) return;
  const b = WORDS.slots + slot * SLOT.words;
  const state = Atomics.compareExchange(w.words, b + SLOT.state, PENDING, CANCELLED);
  if (state !== PENDING && (state !== CANCELLING || Atomics.compareExchange(w.words, b + SLOT.state, CANCELLING, CANCELLED) !== CANCELLING)) {
    collect(w); // the waiter completed it first
    return;
  }
  ring(w); // out of the waiter's futex_waitv: it must not sit on the word of an unmapped segment
  finish(w, slot, r, undefined);
}
