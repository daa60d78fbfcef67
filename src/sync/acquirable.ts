/// <reference lib="esnext.disposable" />
/**
 * What every lock-like primitive offers on top of `acquire`/`release`: `withLock`,
 * `withLockAsync` and `hold()` for `using`, each with an optional `repair` for locks whose holder
 * died. Written once for Lock, RLock, Semaphore, Condition and an RwLock's two sides.
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import { disposeSymbol } from './memory.js';

/** Something held that `using` releases. */
export interface Held extends Disposable {
  /** Releases (the same as leaving the `using` block). */
  release(): void;
}

/** A `Held` that releases `lock` once. */
export function held(lock: { release(): void }): Held {
  return new HeldLock(lock);
}

/** The small `HeldLock` that src/shapes.ts keeps alive (made when the library makes its first). */
const smallHeldLock = (): HeldLock => new HeldLock({ release() {} });
let heldLockKept = false;

/**
 * What `hold()` returns: a class, not an object literal with a closure per call, so that one kept
 * instance keeps its shape (and the optimised code of a job's `using` block) across collections.
 */
class HeldLock implements Held {
  #lock: { release(): void } | null;
  /** Releases once; an own function, as before, so that `const { release } = lock.hold()` works. */
  readonly release = (): void => {
    const lock = this.#lock;
    if (lock === null) return;
    this.#lock = null;
    lock.release();
  };
  constructor(lock: { release(): void }) {
    this.#lock = lock;
    if (!heldLockKept) {
      // A flag, not keepShape's lookup on every call: hold() is made per critical section.
      heldLockKept = true;
      keepShape(HeldLock, smallHeldLock);
    }
  }
  [disposeSymbol](): void {
    this.release();
  }
}

/**
 * Base of the lock-like primitives (`Lock`, `RLock`, `Semaphore`, `Condition`, an `RwLock`'s
 * `read` and `write` sides): they all offer `withLock`, `withLockAsync` and `hold()`.
 *
 * Their optional `repair` argument is for locks whose holder may die inside its critical section
 * (threads that joined a `ThreadRegistry`): when the lock was left marked inconsistent, `repair`
 * runs first, holding the lock, and then the lock is marked consistent again. Without it, such a
 * lock throws an `OwnerDeadError` and is left free and marked. Semaphores have no owners: they
 * never call it.
 *
 * @example
 * ```ts
 * import { Lock, Semaphore, type Acquirable } from 'sharedctypes';
 * function guarded(a: Acquirable, work: () => void): void {
 *   a.withLock(work);
 * }
 * guarded(new Lock(), () => {});
 * guarded(new Semaphore(2), () => {});
 * ```
 */
export abstract class Acquirable {
  /** Acquires, waiting up to `timeout` ms (-1: for ever) when `blocking`; returns whether it did. */
  abstract acquire(blocking?: boolean, timeout?: number): boolean;
  /**
   * Acquires without blocking the thread (it never calls `Atomics.wait` nor spins); resolves to
   * whether it did within `timeout` ms. An async acquisition is never re-entrant: it waits until
   * the lock is free, also when this thread holds it, so async tasks of one thread exclude each
   * other as threads do.
   */
  abstract acquireAsync(timeout?: number): Promise<boolean>;
  /** Releases. */
  abstract release(): void;

  /**
   * Acquires (also a lock a dead holder left inconsistent, then calling `repair` first), for
   * {@link withLock} and {@link hold} with a `repair`. Primitives without owners just acquire.
   */
  protected acquireRepairing(_repair: () => void): void {
    this.acquire();
  }

  /** Async form of {@link acquireRepairing}. */
  protected async acquireRepairingAsync(_repair: () => void | Promise<void>): Promise<void> {
    await this.acquireAsync();
  }

  /**
   * Runs `fn` holding the lock and releases it afterwards, also when `fn` throws. When a holder
   * died inside its critical section (see the class notes), `repair` runs first, holding the lock,
   * and marks the data repaired by returning; without `repair`, an `OwnerDeadError` is thrown
   * instead and `fn` does not run.
   *
   * @example
   * ```ts
   * import { Lock, struct, u32 } from 'sharedctypes';
   * const pair = struct({ a: u32, b: u32 }).create(); // invariant: a === b
   * const lock = new Lock();
   * lock.withLock(
   *   () => { pair.a += 1; pair.b += 1; },
   *   () => { pair.b = pair.a; },                    // only after a holder died half-way
   * );
   * ```
   */
  withLock<T>(fn: () => T, repair?: () => void): T {
    if (repair === undefined) this.acquire();
    else this.acquireRepairing(repair);
    try {
      return fn();
    } finally {
      this.release();
    }
  }

  /**
   * Async form of {@link withLock}: acquires without blocking the thread, awaits `fn`, releases
   * (and awaits `repair` first when a holder died, as `withLock` calls it).
   * The critical section may await: other async tasks of this thread wait for it as other threads
   * do (async acquisitions are not re-entrant, also for an `RLock`). Inside `fn`, do not take the
   * same lock again: a blocking `acquire()` of an `RLock` throws a `SyncError` there, and a nested
   * `withLockAsync` would wait for `fn` itself.
   *
   * @example
   * ```ts
   * import { Lock } from 'sharedctypes';
   * const lock = new Lock();
   * const log: string[] = [];
   * const task = (name: string) =>
   *   lock.withLockAsync(async () => {
   *     log.push(`${name} in`);
   *     await new Promise((r) => setTimeout(r, 1)); // the other task waits meanwhile
   *     log.push(`${name} out`);
   *   });
   * await Promise.all([task('a'), task('b')]);
   * log; // ['a in', 'a out', 'b in', 'b out']
   * ```
   */
  async withLockAsync<T>(fn: () => T | Promise<T>, repair?: () => void | Promise<void>): Promise<T> {
    if (repair === undefined) await this.acquireAsync();
    else await this.acquireRepairingAsync(repair);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /**
   * Acquires and returns a handle that `using` releases at the end of the block (with `repair`,
   * as {@link withLock}).
   */
  hold(repair?: () => void): Held {
    if (repair === undefined) this.acquire();
    else this.acquireRepairing(repair);
    return held(this);
  }
}
