/**
 * What the hand-written channel twins (hand-spsc.mjs, hand-mpmc.mjs) share with each other and
 * with the library's channels: the Int32 header words (src/channels/format.ts) and the waker's
 * side of the sleep protocol (src/channels/ring.ts, wakeWaiters).
 */

export const CLOSED = 7;
export const CONSUMERS_WAITING = 8;
export const PRODUCERS_WAITING = 9;
export const NOT_EMPTY = 10;
export const NOT_FULL = 11;
export const TAIL = 32;
export const HEAD = 64;

/** Bumps futex word `word`, wakes up to `n` sleepers on it and takes those it woke off their count word `count`. */
export function wake(a, count, word, n = 1) {
  Atomics.add(a, word, 1);
  const woken = Atomics.notify(a, word, n);
  if (woken > 0) Atomics.sub(a, count, woken);
}
