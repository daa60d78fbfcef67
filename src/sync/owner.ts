/**
 * Owner identities. A `Lock`, an `RLock` and the write side of an `RwLock` write their holder's
 * identity into their word, so that re-entry, release by the holder only, and the death of a
 * holder (see registry.ts) can be told. Identities take the low 28 bits of an owner word:
 *
 * - `REGISTERED | n` (bit 27 set): the thread joined a `ThreadRegistry`, which handed it `n` and
 *   keeps a liveness word for it: these owners can be found dead;
 * - 1 … 2^27 − 1 otherwise: an identity of the thread *at that lock*, or, for a `Lock`, which has
 *   no re-entry to tell apart, the anonymous owner 1.
 *
 * JavaScript has no portable, collision-free thread id: Node's `threadId` lives in
 * `node:worker_threads`, which this package may not import (it runs in browsers), and is reachable
 * otherwise only through `process.getBuiltinModule` (Node ≥ 20.16); browsers have nothing of the
 * kind, and random numbers can collide. So a thread that joined no registry gets its identity at
 * an `RLock` (or `RwLock`) from a counter word in the lock's own memory: the first time it needs
 * one there, it takes the next number with `Atomics.add`. Identities are therefore unique among all
 * threads that use the lock, on every platform and even across processes sharing the memory. A
 * thread remembers such an identity per buffer object and word, so every lock object it makes over
 * the same words gets the same one, also after it joins a registry.
 *
 * The one limit: the same memory reached through two different `SharedArrayBuffer` objects in one
 * thread (a buffer posted twice, raw) counts as two owners there, so the thread cannot re-enter
 * through the second what it holds through the first; its acquire then waits like any other
 * thread's would. `share()`/`attach()` give a thread one buffer object per memory, so locks passed
 * as handles never meet this.
 *
 * @module
 */
import { SyncError } from '../errors.js';

/** The owner's identity in an owner word (bits 0–27). */
export const ID_MASK = 0x0fffffff;
/** Set in identities handed out by a `ThreadRegistry` (bit 27). */
export const REGISTERED = 0x08000000;
/**
 * Set in an owner word (bit 28) while the data the lock guards may be inconsistent: a holder died
 * inside its critical section, and nobody has called `markConsistent()` since.
 */
export const INCONSISTENT = 0x10000000;
/** The largest identity a lock's own counter hands out (below {@link REGISTERED}). */
export const MAX_IDENTITY = REGISTERED - 1;
/** The owner a `Lock` records for a thread that joined no registry. */
export const ANONYMOUS = 1;

/**
 * This thread as an owner (set by registry.ts). One constant object whose fields the locks' fast
 * paths read: a field load, which measured cheaper there than an imported `let` binding.
 */
export const thisThread = {
  /** Its registry identity, 0 while it has joined none. */
  registered: 0,
  /** What a `Lock` it takes records as its owner: its registry identity, or {@link ANONYMOUS}. */
  lockOwner: ANONYMOUS,
  /** Changes whenever it joins or leaves a registry: lock objects that cache an identity refresh it. */
  epoch: 0,
};
/** Whether the registered owner `id` is gone, by the registry this thread joined (none: nobody is known dead). */
let gone: ((id: number) => boolean) | undefined;

/** Sets this thread's registry identity and liveness test (`id` 0: it left its registry). */
export function setRegistered(id: number, isGone: ((id: number) => boolean) | undefined): void {
  thisThread.registered = id;
  thisThread.lockOwner = id === 0 ? ANONYMOUS : id;
  thisThread.epoch++;
  gone = isGone;
}

/** Whether `owner` (an identity) is a registered thread that the registry this thread joined knows to be dead. */
export function ownerGone(owner: number): boolean {
  return (owner & REGISTERED) !== 0 && gone !== undefined && gone(owner & ID_MASK);
}

/** How long a waiter sleeps before it looks again whether a registered owner died (ms). */
export const OWNER_CHECK_MS = 20;

/**
 * The deadline of one sleep of a thread waiting for `owner`: `deadline`, or sooner when the owner
 * is a registered thread whose death this thread could see: nobody wakes the waiters of a lock
 * whose holder died (its parent learns of the death, not which locks it held), so they look
 * again every {@link OWNER_CHECK_MS} ms.
 */
export function sleepUntil(deadline: number, owner: number): number {
  return (owner & REGISTERED) !== 0 && gone !== undefined ? Math.min(deadline, performance.now() + OWNER_CHECK_MS) : deadline;
}

/**
 * The deadline of one sleep of a thread waiting while a lock is handed to another waiter (the lock
 * free, that waiter woken to take it): `deadline`, or sooner when this thread joined a registry.
 * The woken thread may be terminated before it takes the lock, and then nobody would wake the
 * others: they look again every {@link OWNER_CHECK_MS} ms.
 */
export function handOffSleepUntil(deadline: number): number {
  return gone !== undefined ? Math.min(deadline, performance.now() + OWNER_CHECK_MS) : deadline;
}

const known = new WeakMap<SharedArrayBuffer, Map<number, number>>();

/**
 * This thread's identity at the lock whose owner word is `a[i]` if it has one: the one the lock's
 * counter gave it, else its registry identity; 0 when it has neither (and so holds nothing there).
 */
export function knownIdentity(a: Int32Array, i: number): number {
  return known.get(a.buffer as SharedArrayBuffer)?.get(i) ?? thisThread.registered;
}

/**
 * This thread's identity at the lock whose owner word is `a[i]`: the one it already has there,
 * else its registry identity, else the next number from the lock's counter word `a[counter]`.
 */
export function identityAt(a: Int32Array, i: number, counter: number, what: string): number {
  const buffer = a.buffer as SharedArrayBuffer;
  let byWord = known.get(buffer);
  const had = byWord?.get(i);
  if (had !== undefined) return had;
  if (thisThread.registered !== 0) return thisThread.registered;
  if (byWord === undefined) {
    byWord = new Map();
    known.set(buffer, byWord);
  }
  const id = Atomics.add(a, counter, 1) + 1;
  if (id < 1 || id > MAX_IDENTITY) {
    Atomics.sub(a, counter, 1);
    throw new SyncError(
      `${what}: its words have handed out ${MAX_IDENTITY} owner identities (one per thread and buffer object using it), or its counter word was overwritten; make a new ${what}, or join the threads to a ThreadRegistry`,
      'would_deadlock',
    );
  }
  byWord.set(i, id);
  return id;
}
