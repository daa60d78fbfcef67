/**
 * `RLock`: a re-entrant lock in shared memory, in three Int32 words:
 *
 * - word 0, the owner: 0 when free; else the holder's identity (bits 0–29), `ASYNC` (bit 30) when
 *   an async acquisition holds it, and `WAITERS` (bit 31) while some thread may be sleeping on it;
 * - word 1, the depth, written by the holder only;
 * - word 2, the counter that hands out owner identities (see owner.ts).
 *
 * Taking and releasing a free lock is one compare-and-swap each, as for `Lock`.
 *
 * @module
 */
import { rangeError, SyncError } from '../errors.js';
import { Acquirable } from './acquirable.js';
import { deadlineOf, remaining, wait, waitAsync, wake } from './futex.js';
import { type SharedPlace, wordsAt } from './memory.js';
import { identityAt, knownIdentity } from './owner.js';
import { spinAcquire } from './spin.js';
import { showState } from './display.js';

/** Set in the owner word while some thread may be sleeping on it. */
const WAITERS = 0x80000000 | 0;
/** Set in the owner word while an async acquisition holds the lock. */
const ASYNC = 0x40000000;
/** The holder: identity and `ASYNC`. */
const OWNER_MASK = 0x7fffffff;
/** The holder's thread identity. */
const ID_MASK = 0x3fffffff;
/** Written by the holder only (plain stores, published by the owner word's atomic operations). */
const DEPTH = 1;
/** The owner-identity counter. */
const IDS = 2;
/** The deepest re-entry the depth word holds. */
const MAX_DEPTH = 0x7fffffff;

/**
 * A re-entrant lock in shared memory, like Python's `threading.RLock`: the holding thread may
 * acquire it again; it is free after as many releases; only the holder may release it.
 *
 * Async acquisitions ({@link RLock.acquireAsync}, `withLockAsync`, a condition's `waitAsync`) are
 * **not** re-entrant: JavaScript cannot tell which async task is asking, so each async acquisition
 * waits until the lock is free, whoever holds it, and then holds it for its task alone. Two tasks
 * of one thread that await inside their critical sections therefore exclude each other, as they
 * exclude other threads. While an async acquisition holds the lock, a blocking
 * {@link RLock.acquire} in the same thread is a `SyncError` (it would wait for a task that cannot
 * run while the thread waits) and `acquire(false)` returns false; `release()` in that thread
 * releases the async hold.
 *
 * @example
 * ```ts
 * import { RLock } from 'sharedctypes';
 * const r = new RLock();
 * r.withLock(() => r.withLock(() => 'nested is fine'));
 * // Two async tasks of one thread exclude each other, awaits and all:
 * let n = 0;
 * const task = () => r.withLockAsync(async () => {
 *   const seen = n;
 *   await Promise.resolve();
 *   n = seen + 1;
 * });
 * await Promise.all([task(), task()]);
 * n; // 2
 * ```
 */
export class RLock extends Acquirable {
  /** Int32 words an RLock occupies. */
  static readonly WORDS = 3;
  readonly #a: Int32Array;
  readonly #i: number;
  /** This thread's identity at this lock, 0 until it first needs one. */
  #me = 0;

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

  /** This thread's identity at this lock (allocated on first use). */
  #identity(): number {
    const me = identityAt(this.#a, this.#i, this.#i + IDS, 'RLock');
    this.#me = me;
    return me;
  }

  /** This thread's identity if it has one, else 0 (it then holds nothing here). */
  #knownIdentity(): number {
    const me = knownIdentity(this.#a, this.#i);
    this.#me = me;
    return me;
  }

  /**
   * Re-enters a lock this thread holds synchronously (true); false when another holds it. A hold of
   * one of this thread's async acquisitions is not re-entered: false, or (`blocking`) a
   * `SyncError`, since waiting for it would never end.
   */
  #reenter(cur: number, me: number, blocking: boolean): boolean {
    const a = this.#a;
    const i = this.#i;
    const owner = cur & OWNER_MASK;
    if (owner === me) {
      const depth = a[i + DEPTH] as number;
      if (depth === MAX_DEPTH)
        throw rangeError('out_of_range', 'RLock.acquire', `re-entered ${MAX_DEPTH} times, the most its depth word holds`, 'release before acquiring again');
      a[i + DEPTH] = depth + 1;
      return true;
    }
    if (owner === (me | ASYNC) && blocking) {
      throw new SyncError(
        'RLock.acquire(): an async task of this thread holds the lock (acquireAsync/withLockAsync), and a blocking acquire would wait for it for ever; use acquireAsync(), or inside that critical section use the data without taking the lock again',
        'would_deadlock',
      );
    }
    return false;
  }

  /**
   * One step of a contended acquisition by `owner`: takes the lock (marked as having waiters,
   * since others may still sleep on it) and returns true, or makes sure the waiters bit is set and
   * returns the word to sleep on.
   */
  #takeOrMark(owner: number): true | number {
    const a = this.#a;
    const i = this.#i;
    for (;;) {
      const cur = Atomics.compareExchange(a, i, 0, owner | WAITERS);
      if (cur === 0) {
        a[i + DEPTH] = 1;
        return true;
      }
      if ((cur & WAITERS) !== 0 || Atomics.compareExchange(a, i, cur, cur | WAITERS) === cur) return cur | WAITERS;
    }
  }

  /**
   * Acquires (again, if this thread holds it). Returns whether it was acquired within `timeout` ms.
   * Throws a `SyncError` when an async task of this thread holds it (see the class notes).
   */
  acquire(blocking = true, timeout = -1): boolean {
    const me = this.#me || this.#identity();
    const a = this.#a;
    const i = this.#i;
    const cur = Atomics.compareExchange(a, i, 0, me);
    if (cur !== 0) return this.#contended(cur, me, blocking, timeout);
    a[i + DEPTH] = 1;
    return true;
  }

  /**
   * A held lock: re-enter it if this thread holds it, else spin briefly, then sleep. Kept out of
   * {@link acquire} so that the free-lock path stays small enough to inline (see `Lock`).
   */
  #contended(cur: number, me: number, blocking: boolean, timeout: number): boolean {
    if (this.#reenter(cur, me, blocking)) return true;
    if (!blocking) return false;
    const a = this.#a;
    const i = this.#i;
    if (spinAcquire(a, i, me)) {
      a[i + DEPTH] = 1;
      return true;
    }
    const deadline = deadlineOf(timeout);
    for (;;) {
      const word = this.#takeOrMark(me);
      if (word === true) return true;
      if (remaining(deadline) <= 0) return false;
      wait(a, i, word, deadline);
    }
  }

  /**
   * Acquires without blocking the thread; resolves to whether it did within `timeout` ms. Not
   * re-entrant: it waits until the lock is free, also when this thread holds it (see the class
   * notes), and then holds it for the calling task alone.
   */
  async acquireAsync(timeout = -1): Promise<boolean> {
    const owner = (this.#me || this.#identity()) | ASYNC;
    const a = this.#a;
    const i = this.#i;
    if (Atomics.compareExchange(a, i, 0, owner) === 0) {
      a[i + DEPTH] = 1;
      return true;
    }
    const deadline = deadlineOf(timeout);
    for (;;) {
      const word = this.#takeOrMark(owner);
      if (word === true) return true;
      if (remaining(deadline) <= 0) return false;
      await waitAsync(a, i, word, deadline);
    }
  }

  /** Frees the lock (held by this thread) whatever its depth, waking a sleeper if there may be one. */
  #free(): void {
    if ((Atomics.exchange(this.#a, this.#i, 0) & WAITERS) !== 0) wake(this.#a, this.#i, 1);
  }

  /**
   * Releases once; the lock is free after as many releases as acquisitions. Only a holder in this
   * thread may release: a blocking acquisition, or an async one (any task of the thread may
   * release the async hold).
   */
  release(): void {
    const a = this.#a;
    const i = this.#i;
    const me = this.#me;
    // The common case, a last release without sleepers: one compare-and-swap checks ownership and frees.
    if (me !== 0 && (a[i + DEPTH] as number) === 1 && Atomics.compareExchange(a, i, me, 0) === me) return;
    this.#releaseSlow();
  }

  /** Every other release: nested, with sleepers to wake, of an async hold, or by a non-holder (an error). */
  #releaseSlow(): void {
    const a = this.#a;
    const i = this.#i;
    const me = this.#me || this.#knownIdentity();
    if (me === 0) this.#notHeld();
    // The depth is meaningful only to the holder: checked for ownership before it is used.
    const depth = a[i + DEPTH] as number;
    if (depth > 1) {
      if (((a[i] as number) & ID_MASK) !== me) this.#notHeld();
      a[i + DEPTH] = depth - 1;
      return;
    }
    const cur = Atomics.compareExchange(a, i, me, 0);
    if (cur === me) return;
    if ((cur & ID_MASK) !== me) this.#notHeld();
    this.#free();
  }

  #notHeld(): never {
    throw new SyncError('RLock.release(): this thread does not hold the lock', 'not_held');
  }

  /** Whether the current thread holds the lock (by a blocking or an async acquisition). */
  isOwned(): boolean {
    const me = this.#me || this.#knownIdentity();
    return me !== 0 && (Atomics.load(this.#a, this.#i) & ID_MASK) === me;
  }

  /** Whether any thread holds the lock. */
  locked(): boolean {
    return Atomics.load(this.#a, this.#i) !== 0;
  }

  /**
   * Releases completely, for a condition wait (Python's `_release_save`), and returns what
   * {@link restore} needs to take the lock back as it was: the depth, negated when an async
   * acquisition held it.
   */
  releaseAll(): number {
    if (!this.isOwned()) throw new SyncError('RLock: this thread does not hold the lock', 'not_held');
    const async = (Atomics.load(this.#a, this.#i) & ASYNC) !== 0;
    const depth = this.#a[this.#i + DEPTH] as number;
    this.#free();
    return async ? -depth : depth;
  }

  /** Re-acquires as {@link releaseAll} left it: the same depth, held the same way (Python's `_acquire_restore`). */
  restore(saved: number): void {
    this.acquire();
    this.#restored(saved);
  }

  /** Async form of {@link restore}: waits without blocking the thread. */
  async restoreAsync(saved: number): Promise<void> {
    await this.acquireAsync();
    this.#restored(saved);
  }

  /** After re-acquiring: puts back the saved depth and the kind of hold (blocking or async). */
  #restored(saved: number): void {
    const a = this.#a;
    const i = this.#i;
    a[i + DEPTH] = Math.abs(saved);
    const owner = this.#me | (saved < 0 ? ASYNC : 0);
    for (let cur = Atomics.load(a, i); (cur & OWNER_MASK) !== owner; cur = Atomics.load(a, i)) {
      if (Atomics.compareExchange(a, i, cur, (cur & WAITERS) | owner) === cur) break;
    }
  }
}

showState(RLock, (l) => ({ locked: l.locked(), ownedHere: l.isOwned() }));
