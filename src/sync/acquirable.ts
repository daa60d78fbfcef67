/// <reference lib="esnext.disposable" />
/**
 * What every lock-like primitive offers on top of `acquire`/`release`: `withLock`,
 * `withLockAsync` and `hold()` for `using`. Written once for Lock, RLock, Semaphore and Condition.
 *
 * @module
 */
import { disposeSymbol } from './memory.js';

/** Something held that `using` releases. */
export interface Held extends Disposable {
  /** Releases (the same as leaving the `using` block). */
  release(): void;
}

/** A `Held` that releases `lock` once. */
export function held(lock: { release(): void }): Held {
  let done = false;
  const release = (): void => {
    if (done) return;
    done = true;
    lock.release();
  };
  return { release, [disposeSymbol]: release } as Held;
}

/**
 * Base of the lock-like primitives (`Lock`, `RLock`, `Semaphore`, `Condition`): they all offer
 * `withLock`, `withLockAsync` and `hold()`.
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
  /** Acquires, waiting up to `timeout` ms (negative: forever) when `blocking`; returns whether it did. */
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

  /** Runs `fn` holding the lock and releases it afterwards, also when `fn` throws. */
  withLock<T>(fn: () => T): T {
    this.acquire();
    try {
      return fn();
    } finally {
      this.release();
    }
  }

  /**
   * Async form of {@link withLock}: acquires without blocking the thread, awaits `fn`, releases.
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
  async withLockAsync<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquireAsync();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** Acquires and returns a handle that `using` releases at the end of the block. */
  hold(): Held {
    this.acquire();
    return held(this);
  }
}
