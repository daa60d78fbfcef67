/**
 * Ring positions: where the next write and the next read are, as free-running 30-bit counters
 * that wrap at 2³⁰ for any capacity (not only powers of two).
 *
 * A position packs a lap number and a slot index, as in crossbeam's `ArrayQueue` (itself after
 * Dmitry Vyukov's bounded MPMC queue): with `oneLap` the smallest power of two greater than the
 * capacity, a position is `lap + index` where `lap` is a multiple of `oneLap` and
 * `0 ≤ index < capacity`. The position after `index = capacity − 1` is index 0 of the next lap.
 * Positions are 30-bit counters (0 … 2³⁰ − 1) that wrap at 2³⁰; since `oneLap` divides 2³⁰, they
 * keep their meaning when the counter wraps: the slot index is always `position & (oneLap − 1)`,
 * and positions are only ever compared for equality, never ordered. (Counters taken modulo the
 * capacity would jump at the wrap unless the capacity were a power of two; counters that count
 * items would need a division per operation.)
 *
 * The two top bits of the position words are not position bits:
 * - bit 31 of the tail word is the channel's closed mark ({@link CLOSED_MARK}), which `close()`
 *   sets with one atomic OR. A producer publishes (SPSC) or claims (MPMC) with a compare-and-swap
 *   on the tail word, which fails once the mark is there, so that a push either lands before the
 *   close, and every consumer sees it, or fails as closed: never both accepted and lost;
 * - SPSC only: bit 30 of the tail word ({@link CONSUMER_ASLEEP}) and bit 31 of the head word
 *   ({@link PRODUCER_ASLEEP}) say that the other side may sleep. A side about to sleep sets its
 *   bit in the word the other side writes next; that side's publish (a compare-and-swap on the
 *   tail, an exchange of the head) then sees the bit in the same atomic operation, clears it and
 *   wakes the sleepers. So an SPSC push or pop costs one atomic operation, not a publish and a
 *   load of a waiter count (waiting.ts).
 * Readers of a position word take the position with {@link POS_MASK}.
 *
 * All positions are Int32 values (what an `Int32Array` word holds); arithmetic wraps with
 * `& POS_MASK`.
 *
 * @module
 */

/** The largest capacity a channel may have (positions need two laps: `oneLap ≤ 2²⁹`). */
export const MAX_CAPACITY = 2 ** 29 - 1;

/** The position bits of a tail or head word (positions wrap at 2³⁰). */
export const POS_MASK = 0x3fffffff;

/** Bit 31 of the tail word: set once, by `close()`; never part of a position. */
export const CLOSED_MARK = 0x80000000 | 0;

/** SPSC: bit 30 of the tail word, set by a consumer about to sleep, cleared by the publish that wakes it. */
export const CONSUMER_ASLEEP = 0x40000000;

/** SPSC: bit 31 of the head word, set by a producer about to sleep, cleared by the release that wakes it. */
export const PRODUCER_ASLEEP = 0x80000000 | 0;

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
