/**
 * The short, bounded spin a contended `Lock`/`RLock` acquisition does before it sleeps on the
 * futex: a few rounds of exponential back-off, each a busy wait that touches no shared memory
 * followed by one look at the lock word.
 *
 * Why back off instead of polling the word: with a short critical section, a waiter that keeps
 * loading (or compare-and-swapping) the lock word pulls its cache line away from the holder on
 * every poll, so every acquisition by either thread pays a core-to-core transfer. Waiting between
 * looks lets the holder finish, release and re-acquire with the line still in its cache, many
 * times in a row. Measured (2 and 4 workers × 1M locked increments, variants interleaved in one
 * run): polling the word 64 times gave 31–43 ns per increment; backing off from ~10 ns gave about
 * the same; backing off from ~0.7 µs gave 20–25 ns, for `Lock` and for `Value.update` (RLock),
 * with far less spread between runs.
 *
 * @module
 */

/** Looks at the lock word this many times (after as many back-off waits) before sleeping. */
export const SPIN_ROUNDS = 6;

/**
 * Shortest and longest single wait, in loop iterations (~0.3–0.4 ns each on a current x86 core:
 * ~0.7 µs and ~3 µs).
 */
const MIN_PAUSE = 2048;
const MAX_PAUSE = 8192;

/** Keeps the wait loops observable, so that no compiler removes them. */
let sink = 0;

/**
 * Busy-waits before spin round `round` (0-based): 2048, 4096, then {@link MAX_PAUSE} iterations,
 * about 39,000 in all over {@link SPIN_ROUNDS} rounds, i.e. about 13 µs at most: less than one
 * futex sleep and wake-up.
 */
export function backOff(round: number): void {
  const n = Math.min(MIN_PAUSE << round, MAX_PAUSE);
  let s = sink;
  for (let j = 0; j < n; j++) s = (s + j) | 0;
  sink = s;
}

/**
 * The spin of a contended acquisition: backs off and looks at the lock word `a[i]`
 * {@link SPIN_ROUNDS} times, taking it (0 → `value`) if it is free; true when it did.
 */
export function spinAcquire(a: Int32Array, i: number, value: number): boolean {
  for (let k = 0; k < SPIN_ROUNDS; k++) {
    backOff(k);
    if (Atomics.load(a, i) === 0 && Atomics.compareExchange(a, i, 0, value) === 0) return true;
  }
  return false;
}
