/**
 * Owner identities of re-entrant locks. An `RLock` writes its holder's identity into its owner
 * word, so each thread needs an identity that no other thread using the same lock has.
 *
 * JavaScript has no portable, collision-free thread id: Node's `threadId` lives in
 * `node:worker_threads`, which this package may not import (it runs in browsers), and is reachable
 * otherwise only through `process.getBuiltinModule` (Node ≥ 20.16); browsers have nothing of the
 * kind, and random numbers can collide. So every RLock hands out identities itself, from a counter
 * word in its own memory (its third word): the first time a thread needs an identity at a lock, it
 * takes the next number with `Atomics.add`. Identities are therefore unique among all threads that
 * use the lock, on every platform and even across processes sharing the memory. A thread remembers
 * its identity per buffer object and word, so every `RLock` object it makes over the same words
 * gets the same one.
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

/** Identities use the low 30 bits of the owner word (the upper two are flags). */
export const MAX_IDENTITY = 0x3fffffff;

const known = new WeakMap<SharedArrayBuffer, Map<number, number>>();

/** This thread's identity at the lock whose owner word is `a[i]`, or 0 when it has none yet (and so holds nothing there). */
export function knownIdentity(a: Int32Array, i: number): number {
  return known.get(a.buffer as SharedArrayBuffer)?.get(i) ?? 0;
}

/**
 * This thread's identity at the lock whose owner word is `a[i]`: the one it already has, or the
 * next number from the lock's counter word `a[counter]`.
 */
export function identityAt(a: Int32Array, i: number, counter: number, what: string): number {
  const buffer = a.buffer as SharedArrayBuffer;
  let byWord = known.get(buffer);
  if (byWord === undefined) {
    byWord = new Map();
    known.set(buffer, byWord);
  }
  let id = byWord.get(i);
  if (id === undefined) {
    id = Atomics.add(a, counter, 1) + 1;
    if (id < 1 || id > MAX_IDENTITY) {
      Atomics.sub(a, counter, 1);
      throw new SyncError(
        `${what}: its words have handed out ${MAX_IDENTITY} owner identities (one per thread and buffer object using it), or its counter word was overwritten; make a new ${what}`,
        'would_deadlock',
      );
    }
    byWord.set(i, id);
  }
  return id;
}
