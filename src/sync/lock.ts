/**
 * `Lock`: a mutex in one Int32 word of shared memory, Drepper's futex mutex with the owner
 * recorded (see robust.ts):
 *
 * - 0 free;
 * - a holder in no `ThreadRegistry` (a thread, or a process with the Python module): 1 held, 2 held
 *   with sleepers, exactly Drepper's three states, which python/sharedctypes.py also speaks;
 * - a registered holder: its identity (bit 27 set), with `WAITERS` (bit 31) while some thread may
 *   sleep on it;
 * - `INCONSISTENT` (bit 28) added while a dead holder's data is not repaired, also while free.
 *
 * Python `threading.Lock` semantics: any thread may release it.
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import { SyncError } from '../errors.js';
import { checkTimeout, deadlineOf, remaining, wait, waitAsync, wake } from './futex.js';
import { Acquirable } from './acquirable.js';
import { type SharedPlace, wordsAt } from './memory.js';
import { ANONYMOUS, ID_MASK, INCONSISTENT, sleepUntil, thisThread } from './owner.js';
import { claim, clearMark, type RepairAcquired, repairWith, repairWithAsync, WAITERS } from './robust.js';
import { spinAcquire } from './spin.js';
import { showState } from './display.js';

/** What the contended path reports: not acquired, acquired, acquired marked inconsistent. */
const FAILED = 0;
const ACQUIRED = 1;
const INCONSISTENT_ACQUIRED = 2;
type Outcome = typeof FAILED | typeof ACQUIRED | typeof INCONSISTENT_ACQUIRED;

/** An anonymous holder with sleepers (Drepper's state 2). */
const ANONYMOUS_WAITED = 2;

/** What a thread that takes the lock writes: its owner, marked as having sleepers behind it when `waited`. */
function taking(owner: number, waited: boolean): number {
  if (!waited) return owner;
  return owner === ANONYMOUS ? ANONYMOUS_WAITED : owner | WAITERS;
}

function outcome(taken: true | 'inconsistent'): Outcome {
  return taken === true ? ACQUIRED : INCONSISTENT_ACQUIRED;
}

function repairAcquired(o: Outcome): RepairAcquired {
  return o === INCONSISTENT_ACQUIRED ? 'inconsistent' : o === ACQUIRED;
}

/** The small Lock that src/shapes.ts keeps alive (made when the library makes its first). */
const smallLock = (): Lock => new Lock();

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
    if (new.target === Lock) keepShape(Lock, smallLock);
  }

  /** The buffer and offset of the lock's word, to hand to another thread. */
  get place(): { buffer: SharedArrayBuffer; byteOffset: number } {
    return { buffer: this.#a.buffer as SharedArrayBuffer, byteOffset: this.#a.byteOffset + this.#i * 4 };
  }

  /**
   * Acquires the lock, waiting up to `timeout` ms (-1: for ever) when `blocking`. Returns
   * whether it was acquired, like Python's `acquire(blocking, timeout)` (but in milliseconds).
   * A lock whose holder died inside its critical section is refused with an `OwnerDeadError`
   * until someone repairs it (see {@link Lock.acquireForRepair}).
   */
  acquire(blocking = true, timeout = -1): boolean {
    checkTimeout(timeout);
    return Atomics.compareExchange(this.#a, this.#i, 0, thisThread.lockOwner) === 0 || this.#contended(blocking, timeout, false) !== FAILED;
  }

  /**
   * Acquires like {@link acquire}, but also a lock a dead holder left inconsistent: then returns
   * `'inconsistent'`, and the caller, holding the lock, repairs the data and calls
   * {@link markConsistent} (or releases it still marked). `withLock(fn, repair)` does all this.
   *
   * @example
   * ```ts
   * import { Lock } from 'sharedctypes';
   * const lock = new Lock();
   * const got = lock.acquireForRepair();   // true, 'inconsistent', or false (timed out)
   * if (got === 'inconsistent') {
   *   // repair the data, then:
   *   lock.markConsistent();
   * }
   * lock.release();
   * ```
   */
  acquireForRepair(blocking = true, timeout = -1): RepairAcquired {
    checkTimeout(timeout);
    if (Atomics.compareExchange(this.#a, this.#i, 0, thisThread.lockOwner) === 0) return true;
    return repairAcquired(this.#contended(blocking, timeout, true));
  }

  /**
   * A held (or marked) lock: spin briefly, then sleep. Kept out of {@link acquire}, so that the
   * free-lock path stays small enough for the engine to inline at every call site, also once
   * contention has run this code (measured: up to 1.3× slower contended loops when it was inline).
   */
  #contended(blocking: boolean, timeout: number, repairing: boolean): Outcome {
    const a = this.#a;
    const i = this.#i;
    if (!blocking) {
      const taken = claim(a, i, thisThread.lockOwner, repairing, this, 'Lock.acquire');
      return typeof taken === 'number' ? FAILED : outcome(taken);
    }
    if (spinAcquire(a, i, thisThread.lockOwner)) return ACQUIRED;
    const deadline = deadlineOf(timeout);
    for (;;) {
      const word = this.#mark(claim(a, i, taking(thisThread.lockOwner, true), repairing, this, 'Lock.acquire'));
      if (typeof word !== 'number') return outcome(word);
      if (word === 0) continue;
      if (remaining(deadline) <= 0) return FAILED;
      wait(a, i, word, sleepUntil(deadline, word & ID_MASK), 'Lock.acquire');
    }
  }

  /**
   * A held word: marks it as having a sleeper (an anonymous holder's 1 becomes 2, a registered
   * holder's identity gets `WAITERS`) and returns the word to sleep on (0: it changed meanwhile,
   * look again).
   */
  #mark(word: true | 'inconsistent' | number): true | 'inconsistent' | number {
    if (typeof word !== 'number') return word;
    const id = word & ID_MASK;
    if (id === ANONYMOUS_WAITED || (word & WAITERS) !== 0) return word;
    const marked = id === ANONYMOUS ? word + 1 : word | WAITERS;
    return Atomics.compareExchange(this.#a, this.#i, word, marked) === word ? marked : 0;
  }

  /** Acquires without blocking the thread; resolves to whether it was acquired within `timeout` ms. */
  async acquireAsync(timeout = -1): Promise<boolean> {
    checkTimeout(timeout);
    if (Atomics.compareExchange(this.#a, this.#i, 0, thisThread.lockOwner) === 0) return true;
    return (await this.#contendedAsync(timeout, false)) !== FAILED;
  }

  /** Async form of {@link acquireForRepair}. */
  async acquireForRepairAsync(timeout = -1): Promise<RepairAcquired> {
    checkTimeout(timeout);
    if (Atomics.compareExchange(this.#a, this.#i, 0, thisThread.lockOwner) === 0) return true;
    return repairAcquired(await this.#contendedAsync(timeout, true));
  }

  async #contendedAsync(timeout: number, repairing: boolean): Promise<Outcome> {
    const a = this.#a;
    const i = this.#i;
    const deadline = deadlineOf(timeout);
    for (;;) {
      const word = this.#mark(claim(a, i, taking(thisThread.lockOwner, true), repairing, this, 'Lock.acquireAsync'));
      if (typeof word !== 'number') return outcome(word);
      if (word === 0) continue;
      if (remaining(deadline) <= 0) return FAILED;
      await waitAsync(a, i, word, sleepUntil(deadline, word & ID_MASK));
    }
  }

  protected override acquireRepairing(repair: () => void): void {
    repairWith(this, this.acquireForRepair(), repair);
  }

  protected override async acquireRepairingAsync(repair: () => void | Promise<void>): Promise<void> {
    await repairWithAsync(this, await this.acquireForRepairAsync(), repair);
  }

  /** Releases the lock (any thread may). Releasing a lock that is not held is a `SyncError`. */
  release(): void {
    // A compare-and-swap, not an exchange: a release must keep the mark a dead holder left.
    const me = thisThread.lockOwner;
    if (Atomics.compareExchange(this.#a, this.#i, me, 0) !== me) this.#releaseSlow();
  }

  /** A release that finds sleepers to wake, a mark to keep, another thread's hold, or a free lock (an error). */
  #releaseSlow(): void {
    const prev = Atomics.and(this.#a, this.#i, INCONSISTENT); // free, still marked if it was
    const id = prev & ID_MASK;
    if (id === 0) throw new SyncError('Lock.release(): the lock is not held', 'not_held');
    if ((prev & WAITERS) !== 0 || id === ANONYMOUS_WAITED) wake(this.#a, this.#i, 1);
  }

  /** Whether the lock is held (by any thread). */
  locked(): boolean {
    return (Atomics.load(this.#a, this.#i) & ID_MASK) !== 0;
  }

  /** Whether the data the lock guards is consistent: false from a holder's death inside its critical section until {@link markConsistent}. */
  isConsistent(): boolean {
    return (Atomics.load(this.#a, this.#i) & INCONSISTENT) === 0;
  }

  /**
   * Declares the data repaired after a holder's death: clears the mark, so that plain acquisitions
   * take the lock again. The lock must be held (a `SyncError` otherwise).
   */
  markConsistent(): void {
    clearMark(
      this.#a,
      this.#i,
      (word) => (word & ID_MASK) !== 0,
      () => {
        throw new SyncError('Lock.markConsistent(): the lock is not held; acquire it (acquireForRepair()) first', 'not_held');
      },
    );
  }
}

showState(Lock, (l) => ({ locked: l.locked(), ...(!l.isConsistent() && { consistent: false }) }));
