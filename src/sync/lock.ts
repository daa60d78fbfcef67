/**
 * `Lock`: a mutex in one Int32 word of shared memory (Drepper's three-state futex mutex: 0 free,
 * 1 held, 2 held with waiters). Python `threading.Lock` semantics: any thread may release it.
 *
 * @module
 */
import { SyncError } from '../errors.js';
import { deadlineOf, remaining, wait, waitAsync, wake } from './futex.js';
import { Acquirable } from './acquirable.js';
import { type SharedPlace, wordsAt } from './memory.js';
import { spinAcquire } from './spin.js';
import { showState } from './display.js';

/**
 * A lock in shared memory: one Int32 word that any thread holding the buffer can use.
 *
 * @example
 * ```ts
 * import { Lock } from 'sharedctypes';
 * const lock = new Lock();                 // its own 4-byte SharedArrayBuffer
 * let n = 0;
 * lock.acquire();                          // blocks (workers, Node); true when acquired
 * try {
 *   n += 1;
 * } finally {
 *   lock.release();
 * }
 * lock.withLock(() => (n += 1));           // the same, shorter
 * {
 *   using _held = lock.hold();             // released at the end of the block
 *   n += 1;
 * }
 * if (await lock.acquireAsync(100)) lock.release(); // a thread that may not block (browser main thread)
 * ```
 */
export class Lock extends Acquirable {
  /** Int32 words a lock occupies. */
  static readonly WORDS = 1;
  /** The shared words. */
  readonly #a: Int32Array;
  readonly #i: number;

  /** A new lock in its own buffer, or the lock living at `place` (shared with other threads). */
  constructor(place?: SharedPlace) {
    super();
    const { a, i } = wordsAt('Lock', Lock.WORDS, place);
    this.#a = a;
    this.#i = i;
  }

  /** The buffer and offset of the lock's word, to hand to another thread. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#i * 4 };
  }

  /**
   * Acquires the lock, waiting up to `timeout` ms (negative: forever) when `blocking`. Returns
   * whether it was acquired, like Python's `acquire(blocking, timeout)` (but in milliseconds).
   */
  acquire(blocking = true, timeout = -1): boolean {
    return Atomics.compareExchange(this.#a, this.#i, 0, 1) === 0 || this.#contended(blocking, timeout);
  }

  /**
   * A held lock: spin briefly, then sleep. Kept out of {@link acquire}, so that the free-lock path
   * stays small enough for the engine to inline at every call site, also once contention has run
   * this code (measured: up to 1.3× slower contended loops when it was inline).
   */
  #contended(blocking: boolean, timeout: number): boolean {
    const a = this.#a;
    const i = this.#i;
    if (!blocking) return false;
    if (spinAcquire(a, i, 1)) return true;
    const deadline = deadlineOf(timeout);
    while (Atomics.exchange(a, i, 2) !== 0) {
      if (remaining(deadline) <= 0) return false;
      wait(a, i, 2, deadline);
    }
    return true;
  }

  /** Acquires without blocking the thread; resolves to whether it was acquired within `timeout` ms. */
  async acquireAsync(timeout = -1): Promise<boolean> {
    const a = this.#a;
    const i = this.#i;
    if (Atomics.compareExchange(a, i, 0, 1) === 0) return true;
    const deadline = deadlineOf(timeout);
    while (Atomics.exchange(a, i, 2) !== 0) {
      if (remaining(deadline) <= 0) return false;
      await waitAsync(a, i, 2, deadline);
    }
    return true;
  }

  /** Releases the lock (any thread may). Releasing a lock that is not held is a `SyncError`. */
  release(): void {
    const prev = Atomics.exchange(this.#a, this.#i, 0);
    if (prev !== 1) this.#releaseSlow(prev);
  }

  /** A release that finds sleepers to wake (2) or a free lock (0, an error). */
  #releaseSlow(prev: number): void {
    if (prev === 0) throw new SyncError('Lock.release(): the lock is not held', 'not_held');
    wake(this.#a, this.#i, 1);
  }

  /** Whether the lock is held (by any thread). */
  locked(): boolean {
    return Atomics.load(this.#a, this.#i) !== 0;
  }
}

showState(Lock, (l) => ({ locked: l.locked() }));
