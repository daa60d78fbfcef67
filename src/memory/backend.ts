/**
 * How a thread waits for, and wakes, other threads or processes on an Int32 word, chosen by the
 * memory the word lives in:
 *
 * - a `SharedArrayBuffer`: `Atomics.wait`/`Atomics.notify` (threads of one process);
 * - the memory of a `SharedMemory` segment (an `ArrayBuffer` over a `MAP_SHARED` mapping, on
 *   which `Atomics.wait` throws and `Atomics.notify` wakes nobody): the Linux `futex` system call
 *   on the word's address, without `FUTEX_PRIVATE_FLAG`, so that the kernel keys the wait by the
 *   physical page and any process (or thread) that maps the segment is woken, at whatever address
 *   it mapped it.
 *
 * The registry here is all that `src/sync` loads; the futex backend and the FFI behind it come
 * with `SharedMemory` (futex-backend.ts), and with `share`/`attach` (segments.ts), so a program that
 * uses neither never loads them.
 *
 * Both backends use the same words with the same meaning: a lock is the same lock whichever
 * backend its waiters sleep through. Read-modify-write operations are `Atomics` in both cases
 * (they work on non-shared typed arrays too, and are the same instructions C and Python use).
 *
 * @module
 */

/** Outcome of a wait (the same strings as `Atomics.wait`). */
export type WaitOutcome = 'ok' | 'not-equal' | 'timed-out';

/** Waiting and waking on the words of one kind of memory. */
export interface WaitBackend {
  /** Which backend: `'atomics'` or `'futex'`. */
  readonly kind: 'atomics' | 'futex';
  /** Blocks while `a[i] === expected`, at most `timeoutMs` (`Infinity`: no limit). */
  wait(a: Int32Array, i: number, expected: number, timeoutMs: number): WaitOutcome;
  /** Wakes up to `count` waiters on `a[i]`; returns how many were woken (as far as known). */
  wake(a: Int32Array, i: number, count: number): number;
  /**
   * Waits without blocking the thread while `a[i] === expected`, until woken or `deadline`
   * (`performance.now()` time, `Infinity`: none), where the backend has a way; `undefined` (now
   * or as the promise's value): the caller polls instead.
   */
  waitAsync?(a: Int32Array, i: number, expected: number, deadline: number): Promise<WaitOutcome | undefined> | undefined;
}

/** The process-shared mapping behind a buffer: where it is mapped in this process. */
export interface Mapping {
  /** Address of byte 0 of the buffer in this process. */
  readonly address: bigint;
  /** Bytes mapped. */
  readonly size: number;
  /** The segment's name (for messages and handles). */
  readonly name: string;
  /**
   * Which segment this is, whatever its name now: `st_dev:st_ino` of the POSIX shm object. A
   * name can be unlinked and given to a new segment; the identity cannot.
   */
  readonly identity: string;
  /** How waiters on its words sleep and wake (the futex backend). */
  readonly backend: WaitBackend;
}

const mappings = new WeakMap<ArrayBufferLike, Mapping>();

/** Records that `buffer` is the memory of a process-shared mapping (called by `SharedMemory`). */
export function registerMapping(buffer: ArrayBuffer, mapping: Mapping): void {
  mappings.set(buffer, mapping);
}

/** Segment memories whose `SharedMemory` was closed (where the runtime could not detach them). */
const closedMappings = new WeakSet<ArrayBufferLike>();

/** Records that `buffer`'s `SharedMemory` was closed: async waits on it end with `segment_closed`. */
export function markClosed(buffer: ArrayBufferLike): void {
  closedMappings.add(buffer);
}

/** Whether `buffer` is the memory of a `SharedMemory` that was closed. */
export function isClosedMapping(buffer: ArrayBufferLike): boolean {
  return closedMappings.has(buffer);
}

/** The mapping behind `buffer`, when it is the memory of a `SharedMemory` segment. */
export function mappingOf(buffer: ArrayBufferLike): Mapping | undefined {
  return mappings.get(buffer);
}

const hasSab = typeof SharedArrayBuffer === 'function';

/**
 * Whether synchronization words may live in `buffer`: a `SharedArrayBuffer`, or the memory of a
 * `SharedMemory` segment. (A plain `ArrayBuffer` belongs to one thread: a lock in it could never
 * be contended, and a copy made by `postMessage` would be another lock.)
 */
export function isSharedMemory(buffer: unknown): buffer is ArrayBufferLike {
  return (hasSab && buffer instanceof SharedArrayBuffer) || (buffer instanceof ArrayBuffer && mappings.has(buffer));
}

/** `Atomics.wait`/`notify`: threads sharing a `SharedArrayBuffer`. */
export const ATOMICS_BACKEND: WaitBackend = {
  kind: 'atomics',
  wait: (a, i, expected, timeoutMs) => Atomics.wait(a, i, expected, timeoutMs),
  wake: (a, i, count) => Atomics.notify(a, i, count),
};

/** The backend for words in `buffer`: futex for a `SharedMemory` segment's memory, Atomics otherwise. */
export function backendOf(buffer: ArrayBufferLike): WaitBackend {
  if (hasSab && buffer instanceof SharedArrayBuffer) return ATOMICS_BACKEND;
  return mappings.get(buffer)?.backend ?? ATOMICS_BACKEND;
}
