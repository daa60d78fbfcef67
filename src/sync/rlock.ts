/**
 * `RLock`: a re-entrant lock in shared memory, in three Int32 words:
 *
 * - word 0, the owner: 0 when free; else the holder's identity (bits 0–27, see owner.ts),
 *   `INCONSISTENT` (bit 28) while a dead holder's data is not repaired (also while free),
 *   `ASYNC` (bit 30) when an async acquisition holds it, and `WAITERS` (bit 31) while some thread
 *   may be sleeping on it (see robust.ts);
 * - word 1, the depth, written by the holder only;
 * - word 2, the counter that hands out owner identities to threads that joined no registry.
 *
 * Taking and releasing a free lock is one compare-and-swap each, as for `Lock`.
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import { rangeError, SyncError } from '../errors.js';
import { Acquirable } from './acquirable.js';
import { checkTimeout, deadlineOf, remaining, wait, waitAsync, wake } from './futex.js';
import { type SharedPlace, wordsAt } from './memory.js';
import { ID_MASK, identityAt, INCONSISTENT, knownIdentity, sleepUntil, thisThread } from './owner.js';
import { claim, clearMark, ownerDead, type RepairAcquired, repairWith, repairWithAsync, WAITERS } from './robust.js';
import { spinAcquire } from './spin.js';
import { showState } from './display.js';

/** Set in the owner word while an async acquisition holds the lock. */
const ASYNC = 0x40000000;
/** The holder: identity and `ASYNC`. */
const OWNER_MASK = ASYNC | ID_MASK;
/** Written by the holder only (plain stores, published by the owner word's atomic operations). */
const DEPTH = 1;
/** The owner-identity counter. */
const IDS = 2;
/** The deepest re-entry the depth word holds. */
const MAX_DEPTH = 0x7fffffff;

/** The small RLock that src/shapes.ts keeps alive (made when the library makes its first). */
const smallRLock = (): RLock => new RLock();

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
  /** This thread's identity at this lock, valid while `thisThread.epoch` is `#epoch`. */
  #me = 0;
  #epoch = -1;

  /** A new RLock in its own buffer, or the RLock living at `place`. */
  constructor(place?: SharedPlace) {
    super();
    const { a, i } = wordsAt('RLock', RLock.WORDS, place);
    this.#a = a;
    this.#i = i;
    if (new.target === RLock) keepShape(RLock, smallRLock);
  }

  /** The buffer and offset of the RLock's words, to hand to another thread. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#a.byteOffset + this.#i * 4 };
  }

  /** This thread's identity at this lock (allocated on first use; again after it joins or leaves a registry). */
  #identity(): number {
    const me = identityAt(this.#a, this.#i, this.#i + IDS, 'RLock');
    this.#me = me;
    this.#epoch = thisThread.epoch;
    return me;
  }

  /** This thread's identity if it has one, else 0 (it then holds nothing here). */
  #knownIdentity(): number {
    return this.#epoch === thisThread.epoch ? this.#me : knownIdentity(this.#a, this.#i);
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
   * One step of a contended acquisition by `owner` (see robust.ts `claim`): takes the lock (marked
   * as having waiters when `mark`, since others may still sleep on it) and returns true or
   * `'inconsistent'`, or makes sure the waiters bit is set and returns the word to sleep on (0: it
   * changed meanwhile, look again).
   */
  #takeOrMark(owner: number, mark: boolean, repairing: boolean, what: string): true | 'inconsistent' | number {
    const a = this.#a;
    const i = this.#i;
    const word = claim(a, i, mark ? owner | WAITERS : owner, repairing, this, what);
    if (typeof word !== 'number') {
      a[i + DEPTH] = 1;
      return word;
    }
    if (!mark || (word & WAITERS) !== 0) return word;
    return Atomics.compareExchange(a, i, word, word | WAITERS) === word ? word | WAITERS : 0;
  }

  /**
   * Acquires (again, if this thread holds it). Returns whether it was acquired within `timeout` ms.
   * Throws a `SyncError` when an async task of this thread holds it (see the class notes), and an
   * `OwnerDeadError` when a holder died inside its critical section and nobody has repaired the
   * data since (see {@link RLock.acquireForRepair}).
   */
  acquire(blocking = true, timeout = -1): boolean {
    checkTimeout(timeout);
    const me = this.#epoch === thisThread.epoch ? this.#me : this.#identity();
    const a = this.#a;
    const i = this.#i;
    const cur = Atomics.compareExchange(a, i, 0, me);
    if (cur !== 0) return this.#contended(cur, me, blocking, timeout, false) !== false;
    a[i + DEPTH] = 1;
    return true;
  }

  /**
   * Acquires like {@link acquire}, but also a lock a dead holder left inconsistent: then returns
   * `'inconsistent'`, and the caller, holding the lock, repairs the data and calls
   * {@link markConsistent} (or releases it still marked). `withLock(fn, repair)` does all this.
   *
   * @example
   * ```ts
   * import { RLock } from 'sharedctypes';
   * const r = new RLock();
   * if (r.acquireForRepair() === 'inconsistent') {
   *   // repair the data, then:
   *   r.markConsistent();
   * }
   * r.release();
   * ```
   */
  acquireForRepair(blocking = true, timeout = -1): RepairAcquired {
    checkTimeout(timeout);
    const me = this.#epoch === thisThread.epoch ? this.#me : this.#identity();
    const a = this.#a;
    const i = this.#i;
    const cur = Atomics.compareExchange(a, i, 0, me);
    if (cur !== 0) return this.#contended(cur, me, blocking, timeout, true);
    a[i + DEPTH] = 1;
    return true;
  }

  /**
   * A held lock: re-enter it if this thread holds it, else spin briefly, then sleep. Kept out of
   * {@link acquire} so that the free-lock path stays small enough to inline (see `Lock`).
   */
  #contended(cur: number, me: number, blocking: boolean, timeout: number, repairing: boolean): RepairAcquired {
    if (this.#reenter(cur, me, blocking)) return true;
    const what = 'RLock.acquire';
    if (!blocking) {
      const word = this.#takeOrMark(me, false, repairing, what);
      return typeof word !== 'number' ? word : false;
    }
    const a = this.#a;
    const i = this.#i;
    if (spinAcquire(a, i, me)) {
      a[i + DEPTH] = 1;
      return true;
    }
    const deadline = deadlineOf(timeout);
    for (;;) {
      const word = this.#takeOrMark(me, true, repairing, what);
      if (typeof word !== 'number') return word;
      if (word === 0) continue;
      if (remaining(deadline) <= 0) return false;
      wait(a, i, word, sleepUntil(deadline, word & ID_MASK), what);
    }
  }

  /**
   * Acquires without blocking the thread; resolves to whether it did within `timeout` ms. Not
   * re-entrant: it waits until the lock is free, also when this thread holds it (see the class
   * notes), and then holds it for the calling task alone.
   */
  async acquireAsync(timeout = -1): Promise<boolean> {
    return (await this.#acquireAsync(timeout, false)) !== false;
  }

  /** Async form of {@link acquireForRepair} (not re-entrant, as {@link acquireAsync}). */
  acquireForRepairAsync(timeout = -1): Promise<RepairAcquired> {
    return this.#acquireAsync(timeout, true);
  }

  async #acquireAsync(timeout: number, repairing: boolean): Promise<RepairAcquired> {
    checkTimeout(timeout);
    const owner = (this.#epoch === thisThread.epoch ? this.#me : this.#identity()) | ASYNC;
    const a = this.#a;
    const i = this.#i;
    if (Atomics.compareExchange(a, i, 0, owner) === 0) {
      a[i + DEPTH] = 1;
      return true;
    }
    const deadline = deadlineOf(timeout);
    for (;;) {
      const word = this.#takeOrMark(owner, true, repairing, 'RLock.acquireAsync');
      if (typeof word !== 'number') return word;
      if (word === 0) continue;
      if (remaining(deadline) <= 0) return false;
      await waitAsync(a, i, word, sleepUntil(deadline, word & ID_MASK));
    }
  }

  protected override acquireRepairing(repair: () => void): void {
    repairWith(this, this.acquireForRepair(), repair);
  }

  protected override async acquireRepairingAsync(repair: () => void | Promise<void>): Promise<void> {
    await repairWithAsync(this, await this.acquireForRepairAsync(), repair);
  }

  /** Frees the lock (held by this thread) whatever its depth, keeping a dead holder's mark, waking a sleeper if there may be one. */
  #free(): void {
    if ((Atomics.and(this.#a, this.#i, INCONSISTENT) & WAITERS) !== 0) wake(this.#a, this.#i, 1);
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

  /** Every other release: nested, with sleepers to wake, of an async hold, of a marked lock, or by a non-holder (an error). */
  #releaseSlow(): void {
    const a = this.#a;
    const i = this.#i;
    const me = this.#knownIdentity();
    if (me === 0) this.#notHeld();
    // The depth is meaningful only to the holder: checked for ownership before it is used.
    if (((a[i] as number) & ID_MASK) !== me) this.#notHeld();
    const depth = a[i + DEPTH] as number;
    if (depth > 1) {
      a[i + DEPTH] = depth - 1;
      return;
    }
    this.#free();
  }

  #notHeld(): never {
    throw new SyncError('RLock.release(): this thread does not hold the lock', 'not_held');
  }

  /** Whether the current thread holds the lock (by a blocking or an async acquisition). */
  isOwned(): boolean {
    const me = this.#knownIdentity();
    return me !== 0 && (Atomics.load(this.#a, this.#i) & ID_MASK) === me;
  }

  /** Whether any thread holds the lock. */
  locked(): boolean {
    return (Atomics.load(this.#a, this.#i) & ID_MASK) !== 0;
  }

  /** Whether the data the lock guards is consistent: false from a holder's death inside its critical section until {@link markConsistent}. */
  isConsistent(): boolean {
    return (Atomics.load(this.#a, this.#i) & INCONSISTENT) === 0;
  }

  /**
   * Declares the data repaired after a holder's death: clears the mark, so that plain acquisitions
   * take the lock again. This thread must hold the lock (a `SyncError` otherwise).
   */
  markConsistent(): void {
    const me = this.#knownIdentity();
    clearMark(
      this.#a,
      this.#i,
      (word) => me !== 0 && (word & ID_MASK) === me,
      () => {
        throw new SyncError('RLock.markConsistent(): this thread does not hold the lock; acquire it (acquireForRepair()) first', 'not_held');
      },
    );
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

  /**
   * Re-acquires as {@link releaseAll} left it: the same depth, held the same way (Python's
   * `_acquire_restore`). Like a condition wait, it always returns holding the lock: when a holder
   * died meanwhile, it takes the lock anyway and then throws an `OwnerDeadError` (`held`).
   */
  restore(saved: number): void {
    this.#restored(saved, this.acquireForRepair());
  }

  /** Async form of {@link restore}: waits without blocking the thread. */
  async restoreAsync(saved: number): Promise<void> {
    this.#restored(saved, await this.acquireForRepairAsync());
  }

  /** After re-acquiring: puts back the saved depth and the kind of hold (blocking or async); throws when the lock was taken marked. */
  #restored(saved: number, got: RepairAcquired): void {
    const a = this.#a;
    const i = this.#i;
    a[i + DEPTH] = Math.abs(saved);
    const owner = this.#me | (saved < 0 ? ASYNC : 0);
    for (let cur = Atomics.load(a, i); (cur & OWNER_MASK) !== owner; cur = Atomics.load(a, i)) {
      if (Atomics.compareExchange(a, i, cur, (cur & (WAITERS | INCONSISTENT)) | owner) === cur) break;
    }
    if (got === 'inconsistent') throw ownerDead(this, 'RLock (a condition wait)', true);
  }
}

showState(RLock, (l) => ({ locked: l.locked(), ownedHere: l.isOwned(), ...(!l.isConsistent() && { consistent: false }) }));
