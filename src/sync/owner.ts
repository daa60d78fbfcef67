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
 * A thread that joined no registry needs an identity at an `RLock` (or `RwLock`) that no other
 * thread using the lock has:
 *
 * - in a `SharedArrayBuffer` on Node, its `threadId` + 1 with bit 26 set (`node:worker_threads`, reached through
 *   `process.getBuiltinModule`, Node ≥ 20.16): such memory never leaves its process, where thread
 *   ids are unique, so the identity is the thread's whatever buffer object it reaches the lock
 *   through (a handle posted twice gives two) and costs the lock nothing;
 * - anywhere else (a `SharedMemory` segment, shared by processes whose thread ids repeat; browsers,
 *   Bun and Deno, which have no such id or none we trust; random numbers can collide), the next
 *   number from a counter word in the lock's own memory, taken with `Atomics.add` the first time
 *   the thread needs one there. Identities are therefore unique among all threads that use the
 *   lock, also across processes. A segment is mapped once per thread, so it is one buffer object.
 *
 * A thread remembers its identity per buffer object and word, so every lock object it makes over
 * the same words gets the same one, also after it joins a registry. (A lock it holds when it joins
 * one, reached afterwards through a buffer object it had not used for it, sees the registry
 * identity, not the holder: join before taking locks, as the registry's docs say.)
 *
 * The one limit, where the counter is used: the same memory reached through two different
 * `SharedArrayBuffer` objects in one thread (a buffer or handle posted twice, in a browser, Bun or
 * Deno) counts as two owners there, so the thread cannot re-enter through the second what it holds
 * through the first (its acquire then waits like any other thread's would), and each buffer object
 * takes one of the counter's 2^27 − 1 numbers.
 *
 * @module
 */
import { SyncError } from '../errors.js';
import { backendOf } from '../memory/backend.js';
import { hostOf } from '../memory/host.js';

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
/**
 * Set (bit 26) in the thread identities of memory that only this process reaches ({@link
 * threadIdentity}): they never meet a number from a lock's counter, which in such memory stays
 * below it (a thread of this process without a thread id, or with another copy of the library,
 * takes from the counter).
 */
const THREAD_WIDE = 0x04000000;
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

/** {@link threadIdentity}, once known (`undefined`: not looked up yet). */
let threadWide: number | undefined;

/**
 * This thread's identity at every lock in memory that only this process reaches (a
 * `SharedArrayBuffer`): Node's `threadId` + 1 with {@link THREAD_WIDE} set, unique among the process's threads; 0 where there
 * is no such id (browsers, Bun, Deno, Node before 20.16) or it is past 2^26 − 2.
 */
function threadIdentity(): number {
  if (threadWide === undefined) {
    threadWide = 0;
    const host = hostOf();
    if (host.runtime === 'node') {
      const id = (host.builtin('node:worker_threads') as { threadId?: unknown } | undefined)?.threadId;
      if (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < THREAD_WIDE - 1) threadWide = THREAD_WIDE | (id + 1);
    }
  }
  return threadWide;
}

/**
 * This thread's identity at the lock whose owner word is `a[i]` if it has one: the one it took
 * there, else its registry identity, else its thread identity where the memory is this process's
 * alone; 0 when it has none (and so holds nothing there).
 */
export function knownIdentity(a: Int32Array, i: number): number {
  const had = known.get(a.buffer as SharedArrayBuffer)?.get(i);
  if (had !== undefined) return had;
  if (thisThread.registered !== 0) return thisThread.registered;
  return isLocal(a.buffer) ? threadIdentity() : 0;
}

/** Whether `buffer` is memory that only this process reaches (a SharedArrayBuffer, not a segment's mapping). */
function isLocal(buffer: ArrayBufferLike): boolean {
  return backendOf(buffer).kind === 'atomics';
}

/**
 * This thread's identity at the lock whose owner word is `a[i]`: the one it already has there,
 * else its registry identity, else its thread identity where the memory is this process's alone
 * (see the module's comment), else the next number from the lock's counter word `a[counter]`.
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
  const local = isLocal(buffer);
  const wide = local ? threadIdentity() : 0;
  if (wide !== 0) {
    byWord.set(i, wide);
    return wide;
  }
  const id = Atomics.add(a, counter, 1) + 1;
  if (id < 1 || id > (local ? THREAD_WIDE - 1 : MAX_IDENTITY)) {
    Atomics.sub(a, counter, 1);
    throw new SyncError(
      `${what}: its words have handed out every owner identity (${local ? THREAD_WIDE - 1 : MAX_IDENTITY}) (one per thread and buffer object using it), or its counter word was overwritten; make a new ${what}, or join the threads to a ThreadRegistry`,
      'would_deadlock',
    );
  }
  byWord.set(i, id);
  return id;
}
