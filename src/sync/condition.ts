/**
 * `Condition`: a condition variable in shared memory: a sequence word that waiters sleep on, and
 * a lock (its own `RLock` by default, or the `Lock`/`RLock` given). The sequence word only ever
 * changes by one and is compared for equality, so its wrap-around at 2^32 notifies is harmless
 * (a waiter would have to sleep through exactly 2^32 notifications between reading it and waiting
 * to miss one).
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import { rangeError, SyncError, typeError } from '../errors.js';
import { mappingOf } from '../memory/backend.js';
import { canBlock, cannotBlock, checkTimeout, deadlineOf, mayWait, remaining, wait, waitAsync, wake } from './futex.js';
import { Acquirable } from './acquirable.js';
import { Lock } from './lock.js';
import { type SharedPlace, wordsAt } from './memory.js';
import { RLock } from './rlock.js';
import { ownerDead, repairWith, repairWithAsync } from './robust.js';
import { showState } from './display.js';

/** The small Condition that src/shapes.ts keeps alive (made when the library makes its first). */
const smallCondition = (): Condition => new Condition();

/**
 * A condition variable, like Python's `threading.Condition`: `wait()` releases the lock, sleeps
 * until notified, and re-acquires it. As in Python, a wait may also return spuriously; loop on your
 * predicate, or use {@link Condition.waitFor}.
 *
 * @example
 * ```ts
 * import { Condition, struct, u32 } from 'sharedctypes';
 * const queue = struct({ length: u32 }).create(); // shared with the other threads
 * const cond = new Condition();
 * // producer:
 * cond.withLock(() => {
 *   queue.length += 1;
 *   cond.notify();
 * });
 * // consumer (waits up to 1 s for an item):
 * cond.withLock(() => cond.waitFor(() => queue.length > 0, 1000));
 * ```
 */
export class Condition<L extends Lock | RLock = Lock | RLock> extends Acquirable {
  /** Int32 words of the sequence word (a condition made without a lock adds an RLock's). */
  static readonly WORDS = 1;
  readonly #a: Int32Array;
  readonly #i: number;
  /** The lock the condition uses (several conditions may share one, e.g. `notEmpty` and `notFull`). */
  readonly lock: L;

  /**
   * A condition over `lock` (a new RLock when absent), its sequence word in its own buffer or at
   * `place`.
   */
  constructor(lock?: L, place?: SharedPlace) {
    super();
    if (lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw typeError(
        'invalid_argument',
        'Condition',
        `takes a Lock or an RLock as its lock (got ${lock === null ? 'null' : typeof lock === 'object' ? 'another object' : typeof lock})`,
        'or no lock: a new RLock',
      );
    }
    const { a, i } = wordsAt('Condition', Condition.WORDS, place);
    // In a segment, the lock must be in a segment too: a lock in a SharedArrayBuffer (a new RLock
    // included) excludes this process's threads only, and other processes cannot attach it.
    if (mappingOf(a.buffer) !== undefined && (lock === undefined || mappingOf(lock.place.buffer) === undefined)) {
      throw typeError(
        'not_shared',
        'Condition',
        lock === undefined ? 'placed in a SharedMemory segment, it needs a lock placed in one too' : 'is placed in a SharedMemory segment and its lock is not',
        'give it a Lock or RLock placed in the segment (new RLock({ buffer: shm.buf, byteOffset })), or use a condition() member of a struct, whose RLock is placed beside it',
      );
    }
    this.#a = a;
    this.#i = i;
    this.lock = lock ?? (new RLock() as L);
    if (new.target === Condition) keepShape(Condition, smallCondition);
  }

  /** The buffer and offset of the sequence word. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#a.byteOffset + this.#i * 4 };
  }

  /** Acquires the underlying lock. */
  acquire(blocking = true, timeout = -1): boolean {
    return this.lock.acquire(blocking, timeout);
  }

  /** Acquires the underlying lock without blocking the thread. */
  acquireAsync(timeout = -1): Promise<boolean> {
    return this.lock.acquireAsync(timeout);
  }

  /** Releases the underlying lock. */
  release(): void {
    this.lock.release();
  }

  protected override acquireRepairing(repair: () => void): void {
    repairWith(this.lock, this.lock.acquireForRepair(), repair);
  }

  protected override async acquireRepairingAsync(repair: () => void | Promise<void>): Promise<void> {
    await repairWithAsync(this.lock, await this.lock.acquireForRepairAsync(), repair);
  }

  #owned(what: string): void {
    const owned = this.lock instanceof RLock ? this.lock.isOwned() : this.lock.locked();
    if (!owned) throw new SyncError(`Condition.${what}(): the lock is not held; acquire it first`, 'not_held');
  }

  #releaseSave(): number {
    if (this.lock instanceof RLock) return this.lock.releaseAll();
    this.lock.release();
    return 1;
  }

  /**
   * Takes the lock back after a wait, as it was held; also when a holder died meanwhile, and then
   * throws an `OwnerDeadError` saying that this thread holds it.
   */
  #reacquire(saved: number): void {
    if (this.lock instanceof RLock) this.lock.restore(saved);
    else if (this.lock.acquireForRepair() === 'inconsistent') throw ownerDead(this.lock, 'Condition.wait', true);
  }

  async #reacquireAsync(saved: number): Promise<void> {
    if (this.lock instanceof RLock) await this.lock.restoreAsync(saved);
    else if ((await this.lock.acquireForRepairAsync()) === 'inconsistent') throw ownerDead(this.lock, 'Condition.waitAsync', true);
  }

  /**
   * Releases the lock, waits until notified or `timeout` ms pass, re-acquires. Returns false on
   * timeout. It always returns holding the lock: when a holder of the lock died inside its
   * critical section meanwhile, it re-acquires anyway and throws an `OwnerDeadError` (`held`):
   * repair the data and call `lock.markConsistent()`, or let the error leave the critical section.
   */
  wait(timeout = -1): boolean {
    this.#owned('wait');
    checkTimeout(timeout);
    if (!canBlock()) {
      // Before the lock is released: re-taking it could need a wait too.
      if (mayWait(timeout)) throw cannotBlock('Condition.wait');
      return false; // timeout 0 (or a time already up): not notified, and the lock still held
    }
    const deadline = deadlineOf(timeout);
    const seq = Atomics.load(this.#a, this.#i);
    const saved = this.#releaseSave();
    let result: string;
    try {
      result = wait(this.#a, this.#i, seq, deadline, 'Condition.wait');
    } finally {
      this.#reacquire(saved);
    }
    return result !== 'timed-out';
  }

  /** Async form of {@link wait}, for a thread that may not block. */
  async waitAsync(timeout = -1): Promise<boolean> {
    this.#owned('waitAsync');
    const deadline = deadlineOf(timeout);
    const seq = Atomics.load(this.#a, this.#i);
    const saved = this.#releaseSave();
    let result: string;
    try {
      result = await waitAsync(this.#a, this.#i, seq, deadline);
    } finally {
      await this.#reacquireAsync(saved);
    }
    return result !== 'timed-out';
  }

  /** Waits until `predicate()` is true (checked with the lock held) or `timeout` ms pass; returns its last value. */
  waitFor<T>(predicate: () => T, timeout = -1): T {
    const deadline = deadlineOf(timeout);
    let result = predicate();
    while (!result) {
      const left = remaining(deadline);
      if (left <= 0) break;
      this.wait(left === Infinity ? -1 : left);
      result = predicate();
    }
    return result;
  }

  /** Async form of {@link waitFor}. */
  async waitForAsync<T>(predicate: () => T, timeout = -1): Promise<T> {
    const deadline = deadlineOf(timeout);
    let result = predicate();
    while (!result) {
      const left = remaining(deadline);
      if (left <= 0) break;
      await this.waitAsync(left === Infinity ? -1 : left);
      result = predicate();
    }
    return result;
  }

  /** Wakes up to `n` waiters (the lock must be held). */
  notify(n = 1): void {
    if (n !== Infinity && !(Number.isInteger(n) && n >= 0)) {
      throw rangeError(
        'invalid_argument',
        'Condition.notify()',
        `n must be a whole number ≥ 0 or Infinity (got ${typeof n === 'number' ? n : `a ${typeof n}`})`,
        'notifyAll() wakes every waiter',
      );
    }
    this.#owned('notify');
    Atomics.add(this.#a, this.#i, 1);
    wake(this.#a, this.#i, n);
  }

  /** Wakes every waiter (the lock must be held). */
  notifyAll(): void {
    this.notify(Infinity);
  }

  /** Python spelling of {@link notifyAll}. */
  notify_all(): void {
    this.notifyAll();
  }

  /** Python spelling of {@link waitFor}. */
  wait_for<T>(predicate: () => T, timeout = -1): T {
    return this.waitFor(predicate, timeout);
  }
}

showState(Condition, (c) => ({ lock: c.lock }));
