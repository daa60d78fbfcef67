/**
 * Recovering a lock whose holder died: the steps `Lock`, `RLock` and `RwLock` share.
 *
 * A `Lock`'s or `RLock`'s owner word is 0 when free; else the holder's identity (bits 0–27, see
 * owner.ts), `INCONSISTENT` (bit 28) from a holder's death until someone repairs the data (also
 * while free), and `WAITERS` (bit 31) while some thread may sleep on it; an `RLock` adds `ASYNC`
 * (bit 30). A thread that finds the word held by a registered owner its registry knows dead
 * releases it on the dead thread's behalf, leaving `INCONSISTENT`, and wakes every waiter. From
 * then on, plain acquisitions refuse the lock with an `OwnerDeadError`, and repairing ones
 * (`withLock(fn, repair)`, `acquireForRepair()`) take it, repair, and call `markConsistent()`.
 *
 * @module
 */
import { OwnerDeadError, type Repairable } from '../errors.js';
import { wake } from './futex.js';
import { ID_MASK, INCONSISTENT, ownerGone } from './owner.js';

/** Set in an owner word while some thread may be sleeping on it. */
export const WAITERS = 0x80000000 | 0;

/** An acquisition that succeeded: `'inconsistent'` when the lock was taken marked, to be repaired. */
export type Taken = true | 'inconsistent';

/** What an acquisition that may repair returns: taken (`true`), taken to repair, or not taken (timed out). */
export type RepairAcquired = boolean | 'inconsistent';

/**
 * The error for a lock found marked inconsistent: `held` when this thread holds it (after a
 * condition wait), else the lock was left free and marked.
 */
export function ownerDead(lock: Repairable, what: string, held: boolean): OwnerDeadError {
  return new OwnerDeadError(
    held
      ? `${what}: a holder of the lock died inside its critical section, so the data it guards may be inconsistent; this thread holds the lock again: repair the data, then call markConsistent()`
      : `${what}: a holder of the lock died inside its critical section, so the data it guards may be inconsistent, and nobody has repaired it since; the lock is free: repair under it with withLock(fn, repair), or acquireForRepair() and markConsistent()`,
    lock,
    held,
  );
}

/**
 * One look at the owner word `a[i]` by a thread that wants it: takes it if it is free, writing
 * `taking` (its owner, and the sign of sleepers when it has slept, since others may sleep behind
 * it) and returns `true`, or `'inconsistent'` when it was marked and `repairing`. A free,
 * marked word refuses plain acquisitions: they wake every waiter (so that each learns it) and
 * throw an `OwnerDeadError`. A word held by an owner the registry knows dead is released on its
 * behalf and looked at again. Otherwise returns the word: held by a live (or unknown) owner.
 */
export function claim(a: Int32Array, i: number, taking: number, repairing: boolean, lock: Repairable, what: string): Taken | number {
  for (;;) {
    const cur = Atomics.load(a, i);
    if ((cur & ID_MASK) === 0) {
      if ((cur & INCONSISTENT) !== 0 && !repairing) {
        wake(a, i);
        throw ownerDead(lock, what, false);
      }
      if (Atomics.compareExchange(a, i, cur, cur | taking) === cur) return (cur & INCONSISTENT) !== 0 ? 'inconsistent' : true;
      continue;
    }
    if (ownerGone(cur & ID_MASK)) {
      // Released for the dead holder: free, marked; every waiter looks again.
      if (Atomics.compareExchange(a, i, cur, INCONSISTENT) === cur) wake(a, i);
      continue;
    }
    return cur;
  }
}

/** Clears `INCONSISTENT` in the owner word `a[i]`, whose holder `isHolder` approves. */
export function clearMark(a: Int32Array, i: number, isHolder: (word: number) => boolean, onNotHeld: () => never): void {
  for (;;) {
    const cur = Atomics.load(a, i);
    if (!isHolder(cur)) onNotHeld();
    if ((cur & INCONSISTENT) === 0 || Atomics.compareExchange(a, i, cur, cur & ~INCONSISTENT) === cur) return;
  }
}

/**
 * After an acquisition that may repair: when it took the lock marked, runs `repair` (still holding
 * it) and marks the lock consistent; if `repair` throws, releases the lock, still marked, and
 * rethrows.
 */
export function repairWith(lock: Repairable & { release(): void }, got: RepairAcquired, repair: () => void): void {
  if (got !== 'inconsistent') return;
  try {
    repair();
  } catch (e) {
    lock.release();
    throw e;
  }
  lock.markConsistent();
}

/** Async form of {@link repairWith}: `repair` may return a promise. */
export async function repairWithAsync(lock: Repairable & { release(): void }, got: RepairAcquired, repair: () => void | Promise<void>): Promise<void> {
  if (got !== 'inconsistent') return;
  try {
    await repair();
  } catch (e) {
    lock.release();
    throw e;
  }
  lock.markConsistent();
}
