/**
 * `RLock`: a re-entrant lock in shared memory. Its first Int32 word holds the owner's thread
 * identity (0 when free) and a "waiters" bit; the second, the depth; the third is reserved. Taking
 * and releasing a free lock is one compare-and-swap and one exchange, as for `Lock`.
 *
 * @module
 */
import { SyncError } from '../errors.js';
import { Acquirable } from './acquirable.js';
import { deadlineOf, remaining, threadIdentity, wait, waitAsync, wake } from './futex.js';
import { type SharedPlace, wordsAt } from './memory.js';
import { backOff, SPIN_ROUNDS } from './spin.js';

/** Set in the owner word while some thread may be sleeping on it. */
const WAITERS = 0x80000000 | 0;
const OWNER_MASK = 0x7fffffff;
/** Written by the holder only (plain stores, published by the owner word's atomic operations). */
const DEPTH = 1;

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
  /** This thread's identity (a JS object never leaves the thread that made it). */
  readonly #me = threadIdentity();

  /** A new RLock in its own buffer, or the RLock living at `place`. */
  constructor(place?: SharedPlace) {
    super();
    const { a, i } = wordsAt('RLock', RLock.WORDS, place);
    this.#a = a;
    this.#i = i;
  }

  /** The buffer and offset of the RLock's words, to hand to another thread. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#i * 4 };
  }

  /** Takes a free lock, or re-enters one this thread holds; false when another thread holds it. */
  #tryTake(me: number): boolean {
    const a = this.#a;
    const i = this.#i;
    const cur = Atomics.compareExchange(a, i, 0, me);
    if (cur === 0) {
      a[i + DEPTH] = 1;
      return true;
    }
    if ((cur & OWNER_MASK) === me) {
      a[i + DEPTH] = (a[i + DEPTH] as number) + 1;
      return true;
    }
    return false;
  }

  /**
   * One step of a contended acquisition: takes the lock (marked as having waiters, since others may
   * still sleep on it) and returns true, or makes sure the waiters bit is set and returns the word
   * to sleep on.
   */
  #takeOrMark(me: number): true | number {
    const a = this.#a;
    const i = this.#i;
    for (;;) {
      const cur = Atomics.compareExchange(a, i, 0, me | WAITERS);
      if (cur === 0) {
        a[i + DEPTH] = 1;
        return true;
      }
      if ((cur & WAITERS) !== 0 || Atomics.compareExchange(a, i, cur, cur | WAITERS) === cur) return cur | WAITERS;
    }
  }

  /** Acquires (again, if this thread holds it). Returns whether it was acquired within `timeout` ms. */
  acquire(blocking = true, timeout = -1): boolean {
    const me = this.#me;
    if (this.#tryTake(me)) return true;
    if (!blocking) return false;
    const a = this.#a;
    const i = this.#i;
    for (let k = 0; k < SPIN_ROUNDS; k++) {
      backOff(k);
      if (Atomics.load(a, i) === 0 && this.#tryTake(me)) return true;
    }
    const deadline = deadlineOf(timeout);
    for (;;) {
      const word = this.#takeOrMark(me);
      if (word === true) return true;
      if (remaining(deadline) <= 0) return false;
      wait(a, i, word, deadline);
    }
  }

  /** Acquires without blocking the thread. */
  async acquireAsync(timeout = -1): Promise<boolean> {
    const me = this.#me;
    if (this.#tryTake(me)) return true;
    const deadline = deadlineOf(timeout);
    for (;;) {
      const word = this.#takeOrMark(me);
      if (word === true) return true;
      if (remaining(deadline) <= 0) return false;
      await waitAsync(this.#a, this.#i, word, deadline);
    }
  }

  /** Frees the lock (held by this thread) whatever its depth, waking a sleeper if there may be one. */
  #free(): void {
    if ((Atomics.exchange(this.#a, this.#i, 0) & WAITERS) !== 0) wake(this.#a, this.#i, 1);
  }

  /** Releases once; the lock is free after as many releases as acquisitions. Only the holder may release. */
  release(): void {
    const a = this.#a;
    const i = this.#i;
    const me = this.#me;
    // The depth is meaningful only to the holder: checked for ownership before it is used.
    const depth = a[i + DEPTH] as number;
    if (depth > 1) {
      if (((a[i] as number) & OWNER_MASK) !== me) this.#notHeld();
      a[i + DEPTH] = depth - 1;
      return;
    }
    // Last release: one compare-and-swap both checks ownership and frees a lock without sleepers.
    const cur = Atomics.compareExchange(a, i, me, 0);
    if (cur === me) return;
    if ((cur & OWNER_MASK) !== me) this.#notHeld();
    this.#free();
  }

  #notHeld(): never {
    throw new SyncError('RLock.release(): this thread does not hold the lock');
  }

  /** Whether the current thread holds the lock. */
  isOwned(): boolean {
    return (Atomics.load(this.#a, this.#i) & OWNER_MASK) === this.#me;
  }

  /** Whether any thread holds the lock. */
  locked(): boolean {
    return Atomics.load(this.#a, this.#i) !== 0;
  }

  /** Releases completely and returns the depth, for a condition wait (Python's `_release_save`). */
  releaseAll(): number {
    if (!this.isOwned()) throw new SyncError('RLock: this thread does not hold the lock');
    const depth = this.#a[this.#i + DEPTH] as number;
    this.#free();
    return depth;
  }

  /** Re-acquires with a saved depth (Python's `_acquire_restore`). */
  restore(depth: number): void {
    this.acquire();
    this.#a[this.#i + DEPTH] = depth;
  }

  /** Async form of {@link restore}. */
  async restoreAsync(depth: number): Promise<void> {
    await this.acquireAsync();
    this.#a[this.#i + DEPTH] = depth;
  }
}
