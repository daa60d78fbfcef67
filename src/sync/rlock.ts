/**
 * `RLock`: a re-entrant lock in three Int32 words of shared memory: [mutex, owner, depth]. The
 * owner is the thread identity of the holder, so ownership is checked across threads.
 *
 * @module
 */
import { SyncError } from '../errors.js';
import { threadIdentity } from './futex.js';
import { Acquirable } from './acquirable.js';
import { Lock } from './lock.js';
import { type SharedPlace, wordsAt } from './memory.js';

// Only the holder writes OWNER and DEPTH, with plain stores: a thread only ever finds its own id
// there if it wrote it itself (its own writes are visible to it in order), and the mutex's acquire
// and release (full barriers) publish them to the next holder. This halves the cost of a lock and
// unlock against Atomics.store, which is a full barrier on x86-64.
const OWNER = 1;
const DEPTH = 2;

/**
 * A re-entrant lock in shared memory, like Python's `threading.RLock`: the holding thread may
 * acquire it again; it is free after as many releases; only the holder may release it.
 *
 * @example
 * ```ts
 * import { RLock } from 'sharedctypes';
 * const r = new RLock();
 * r.withLock(() => r.withLock(() => 'nested is fine'));
 * ```
 */
export class RLock extends Acquirable {
  /** Int32 words an RLock occupies. */
  static readonly WORDS = 3;
  readonly #a: Int32Array;
  readonly #i: number;
  readonly #mutex: Lock;

  /** A new RLock in its own buffer, or the RLock living at `place`. */
  constructor(place?: SharedPlace) {
    super();
    const { a, i } = wordsAt('RLock', RLock.WORDS, place);
    this.#a = a;
    this.#i = i;
    this.#mutex = new Lock({ buffer: a.buffer as SharedArrayBuffer, byteOffset: i * 4 });
  }

  /** The buffer and offset of the RLock's words, to hand to another thread. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#i * 4 };
  }

  /** Acquires (again, if this thread holds it). Returns whether it was acquired within `timeout` ms. */
  acquire(blocking = true, timeout = -1): boolean {
    const me = threadIdentity();
    if (Atomics.load(this.#a, this.#i + OWNER) === me) {
      this.#a[this.#i + DEPTH] = (this.#a[this.#i + DEPTH] as number) + 1;
      return true;
    }
    if (!this.#mutex.acquire(blocking, timeout)) return false;
    this.#a[this.#i + OWNER] = me;
    this.#a[this.#i + DEPTH] = 1;
    return true;
  }

  /** Acquires without blocking the thread. */
  async acquireAsync(timeout = -1): Promise<boolean> {
    const me = threadIdentity();
    if (Atomics.load(this.#a, this.#i + OWNER) === me) {
      this.#a[this.#i + DEPTH] = (this.#a[this.#i + DEPTH] as number) + 1;
      return true;
    }
    if (!(await this.#mutex.acquireAsync(timeout))) return false;
    this.#a[this.#i + OWNER] = me;
    this.#a[this.#i + DEPTH] = 1;
    return true;
  }

  /** Releases once; the lock is free after as many releases as acquisitions. Only the holder may release. */
  release(): void {
    if (!this.isOwned()) throw new SyncError('RLock.release(): this thread does not hold the lock');
    const depth = (this.#a[this.#i + DEPTH] as number) - 1;
    this.#a[this.#i + DEPTH] = depth;
    if (depth === 0) {
      this.#a[this.#i + OWNER] = 0;
      this.#mutex.release();
    }
  }

  /** Whether the current thread holds the lock. */
  isOwned(): boolean {
    return Atomics.load(this.#a, this.#i + OWNER) === threadIdentity();
  }

  /** Whether any thread holds the lock. */
  locked(): boolean {
    return this.#mutex.locked();
  }

  /** Releases completely and returns the depth, for a condition wait (Python's `_release_save`). */
  releaseAll(): number {
    if (!this.isOwned()) throw new SyncError('RLock: this thread does not hold the lock');
    const depth = this.#a[this.#i + DEPTH] as number;
    this.#a[this.#i + DEPTH] = 0;
    this.#a[this.#i + OWNER] = 0;
    this.#mutex.release();
    return depth;
  }

  /** Re-acquires with a saved depth (Python's `_acquire_restore`). */
  restore(depth: number): void {
    this.#mutex.acquire();
    this.#a[this.#i + OWNER] = threadIdentity();
    this.#a[this.#i + DEPTH] = depth;
  }

  /** Async form of {@link restore}. */
  async restoreAsync(depth: number): Promise<void> {
    await this.#mutex.acquireAsync();
    this.#a[this.#i + OWNER] = threadIdentity();
    this.#a[this.#i + DEPTH] = depth;
  }
}
