/**
 * Waiting and waking on an Int32 word of shared memory, and deadlines. How a thread sleeps is
 * chosen by the memory the word lives in (`memory/backend.ts`): `Atomics.wait`/`notify` in a
 * SharedArrayBuffer, the futex system call in a `SharedMemory` segment (other processes). The
 * async form is `Atomics.waitAsync` in a SharedArrayBuffer; in a segment, a waiter thread that
 * sleeps in the kernel for all of this thread's async waits (memory/async-wait.ts: no runtime
 * offers an asynchronous futex wait); a poll with a growing delay where neither can be had
 * (engines without `Atomics.waitAsync`; segments where no waiter thread can work).
 *
 * @module
 */
import { quoted, SharedMemoryError, typeError } from '../errors.js';
import { backendOf, isClosedMapping } from '../memory/backend.js';

/** Outcome of a wait. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

let blockable: boolean | undefined;

/**
 * Whether this thread may block in `Atomics.wait` (false on a browser's main thread; true in
 * workers and in Node).
 *
 * @example
 * ```ts
 * import { canBlock, Lock } from 'sharedctypes';
 * const lock = new Lock();
 * if (canBlock()) lock.acquire();
 * else await lock.acquireAsync();
 * lock.release();
 * ```
 */
export function canBlock(): boolean {
  if (blockable === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blockable = true;
    } catch {
      blockable = false;
    }
  }
  return blockable;
}

/**
 * Checks a timeout argument when it is given, whether or not the call will have to wait: a string
 * or `NaN` that failed only under contention would pass every test of an uncontended program.
 */
export function checkTimeout(timeoutMs: unknown): void {
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) badTimeout(timeoutMs);
}

function badTimeout(timeoutMs: unknown): never {
  throw typeError('invalid_argument', 'timeout', `must be a number of milliseconds (got ${shown(timeoutMs)})`);
}

/** A value in a message: a string quoted (`quoted`: cut at 60 characters), so that "5" does not read as the number 5, and a bigint with its `n`. */
export function shown(v: unknown): string {
  return typeof v === 'string' ? quoted(v) : typeof v === 'bigint' ? `${v}n` : String(v);
}

/**
 * A deadline in `performance.now()` time for a timeout in ms: `-1` or `Infinity` is none (wait for
 * ever); any other negative timeout is a time already up, as 0 (a "time left" that went below zero
 * must not turn into a wait for ever).
 */
export function deadlineOf(timeoutMs: number): number {
  checkTimeout(timeoutMs);
  return timeoutMs === -1 || timeoutMs === Infinity ? Infinity : performance.now() + Math.max(0, timeoutMs);
}

/** Milliseconds left until `deadline` (≥ 0, `Infinity` for none). */
export function remaining(deadline: number): number {
  return deadline === Infinity ? Infinity : Math.max(0, deadline - performance.now());
}

/**
 * The error of a blocking call on a thread that may not block (a browser's main thread): names the
 * call (`what`, e.g. `'Lock.acquire'`) and what to do instead, by default its async form
 * (`Lock.acquireAsync()`).
 */
export function cannotBlock(what: string, fix = `use ${what}Async() and await it`): TypeError {
  return typeError('cannot_block', `${what}()`, 'this thread may not block (a browser main thread)', fix);
}

/** Whether a call with `timeout` (ms, already checked) may wait at all: not with 0 or a time already up. */
export function mayWait(timeout: number): boolean {
  return timeout === -1 || timeout > 0;
}

/** Whether a blocking call with `timeout` (ms, already checked) must be refused if it has to wait: it may wait, and this thread may not block. */
export function mustNotWait(timeout: number): boolean {
  return mayWait(timeout) && !canBlock();
}

/**
 * Blocks while `a[i] === expected`, until woken or `deadline`. On a thread that may not block,
 * throws {@link cannotBlock} naming `what`, the call that waits.
 */
export function wait(a: Int32Array, i: number, expected: number, deadline: number, what: string): WaitResult {
  if (!canBlock()) {
    if (remaining(deadline) <= 0) return 'timed-out'; // no time to wait: nothing blocks
    throw cannotBlock(what);
  }
  return backendOf(a.buffer).wait(a, i, expected, remaining(deadline));
}

/**
 * How many looks the poll of {@link waitAsync} took in this thread (where no `Atomics.waitAsync`
 * or waiter thread could be had): tests read it to tell how a wait went; nothing depends on it.
 */
export const pollCount = { looks: 0 };

type WaitAsync = (a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: WaitResult | Promise<WaitResult> };
const nativeWaitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/**
 * Waits without blocking the thread: resolves when woken, when the value differs, or at `deadline`.
 * While it waits, a timer keeps the event loop alive: Node does not count a pending
 * `Atomics.waitAsync` as work, and would otherwise exit with the wait still pending.
 */
export async function waitAsync(a: Int32Array, i: number, expected: number, deadline: number): Promise<WaitResult> {
  const keepAlive = setInterval(() => {}, 0x7fffffff);
  try {
    return await waitAsyncUnref(a, i, expected, deadline);
  } finally {
    clearInterval(keepAlive);
  }
}

/**
 * The wait itself, holding nothing that keeps a process alive: a pending `Atomics.waitAsync` is
 * not work to Node, and the waiter thread of a segment's word is unref'd (only the poll's timers
 * would count).
 */
async function waitAsyncUnref(a: Int32Array, i: number, expected: number, deadline: number): Promise<WaitResult> {
  const backend = backendOf(a.buffer);
  if (backend.kind === 'atomics') {
    if (nativeWaitAsync !== undefined) {
      const left = remaining(deadline);
      const r = nativeWaitAsync(a, i, expected, left === Infinity ? undefined : left);
      return r.async ? await r.value : (r.value as WaitResult);
    }
  } else {
    checkOpen(a.buffer);
    const inKernel = backend.waitAsync?.(a, i, expected, deadline);
    const outcome = inKernel === undefined ? undefined : await inKernel;
    if (outcome !== undefined) return outcome;
  }
  // No Atomics.waitAsync (older Firefox, Safari), or a segment's word without a waiter thread
  // (see memory/async-wait.ts): poll with a growing delay, at most 4 ms.
  for (let delay = 0.25; ; delay = Math.min(4, delay * 2)) {
    checkOpen(a.buffer);
    pollCount.looks++;
    if (Atomics.load(a, i) !== expected) return 'not-equal';
    const left = remaining(deadline);
    if (left <= 0) return 'timed-out';
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
  }
}

/** Ends an async wait on the memory of a `SharedMemory` that was closed (its waits were taken back). */
function checkOpen(buffer: ArrayBufferLike): void {
  if (isClosedMapping(buffer))
    throw new SharedMemoryError('an async wait on a SharedMemory segment: the segment was closed (close()) in this process', 'segment_closed');
}

/** Wakes up to `count` threads (or processes, for a segment's word) waiting on `a[i]`. */
export function wake(a: Int32Array, i: number, count = Infinity): number {
  return backendOf(a.buffer).wake(a, i, count);
}
