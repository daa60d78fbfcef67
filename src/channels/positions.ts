/**
 * Ring positions: where the next write and the next read are, as free-running 31-bit counters
 * that wrap at 2³¹ for any capacity (not only powers of two).
 *
 * A position packs a lap number and a slot index, as in crossbeam's `ArrayQueue` (itself after
 * Dmitry Vyukov's bounded MPMC queue): with `oneLap` the smallest power of two greater than the
 * capacity, a position is `lap + index` where `lap` is a multiple of `oneLap` and
 * `0 ≤ index < capacity`. The position after `index = capacity − 1` is index 0 of the next lap.
 * Positions are 31-bit counters (0 … 2³¹ − 1) that wrap at 2³¹; since `oneLap` divides 2³¹, they
 * keep their meaning when the counter wraps: the slot index is always `position & (oneLap − 1)`,
 * and positions are only ever compared for equality, never ordered. (Counters taken modulo the
 * capacity would jump at the wrap unless the capacity were a power of two; counters that count
 * items would need a division per operation.)
 *
 * Bit 31 of the tail word is not a position bit: it is the channel's closed mark
 * ({@link CLOSED_MARK}), which `close()` sets with one atomic OR. A producer publishes (SPSC) or
 * claims (MPMC) with a compare-and-swap on the tail word, which fails once the mark is there, so
 * that a push either lands before the close, and every consumer sees it, or fails as closed:
 * never both accepted and lost. Readers of the tail take the position with {@link POS_MASK}.
 *
 * All positions are Int32 values (what an `Int32Array` word holds); arithmetic wraps with
 * `& POS_MASK`.
 *
 * @module
 */

/** The largest capacity a channel may have (positions need `oneLap ≤ 2³⁰`). */
export const MAX_CAPACITY = 2 ** 30 - 1;

/** The position bits of a tail or head word (positions wrap at 2³¹). */
export const POS_MASK = 0x7fffffff;

/** Bit 31 of the tail word: set once, by `close()`; never part of a position. */
export const CLOSED_MARK = 0x80000000 | 0;

/** The smallest power of two greater than `capacity`: the distance between two laps. */
export function oneLapOf(capacity: number): number {
  let lap = 1;
  while (lap <= capacity) lap *= 2;
  return lap;
}

/** The slot index of a position. */
export function indexOf(pos: number, oneLap: number): number {
  return pos & (oneLap - 1);
}

/** The position after `pos`: the next index, or index 0 of the next lap. */
export function nextPos(pos: number, capacity: number, oneLap: number): number {
  return (pos & (oneLap - 1)) + 1 < capacity ? (pos + 1) & POS_MASK : ((pos & -oneLap) + oneLap) & POS_MASK;
}

/** The position `n` items after `pos` (0 ≤ n ≤ capacity). */
export function advance(pos: number, n: number, capacity: number, oneLap: number): number {
  const index = (pos & (oneLap - 1)) + n;
  return index < capacity ? (pos + n) & POS_MASK : ((pos & -oneLap) + oneLap + index - capacity) & POS_MASK;
}

/**
 * How many items lie between a read position `head` and a write position `tail` that is at most
 * one lap ahead of it (0 … capacity; also for positions of no slot, which words overwritten by
 * other code can hold: the claims refuse those, and a size stays a size).
 */
export function sizeOf(head: number, tail: number, capacity: number, oneLap: number): number {
  const mask = oneLap - 1;
  const h = head & mask;
  const t = tail & mask;
  if (h < t) return Math.min(t - h, capacity);
  if (h > t) return Math.max(0, Math.min(capacity - h + t, capacity));
  return head === tail ? 0 : capacity;
}

/** Whether a ring with read position `head` and write position `tail` is full. */
export function isFull(head: number, tail: number, oneLap: number): boolean {
  return tail === ((head + oneLap) & POS_MASK);
}
