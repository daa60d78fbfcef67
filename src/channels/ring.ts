/**
 * What the two ring algorithms (SPSC, MPMC) offer the channel: claim a slot to write or read
 * without waiting, then commit it, which publishes it to the other side and wakes the other side
 * if it sleeps. Claims never spin and never wait: a slot that is not free (full ring, or a slot a
 * lagging peer still holds) is a failed claim (−1), and the channel decides whether to wait.
 *
 * @module
 */
import { SyncError } from '../errors.js';
import { wake } from '../sync/futex.js';
import { W } from './format.js';
import { CLOSED_MARK, oneLapOf, POS_MASK, sizeOf } from './positions.js';

/** Header words used on hot paths, as module constants (see mpmc.ts). */
const { head: HEAD, tail: TAIL, consumersWaiting: CONSUMERS_WAITING, producersWaiting: PRODUCERS_WAITING, notEmpty: NOT_EMPTY, notFull: NOT_FULL } = W;

/** Shared parts of both rings: the header words, the capacity, and waking sleepers. */
export abstract class Ring {
  readonly a: Int32Array;
  readonly capacity: number;
  readonly oneLap: number;
  /** `oneLap − 1`: a position's slot index is `position & mask`. */
  readonly mask: number;
  /** The slot index of the first slot of the last successful run claim. */
  runIndex = 0;
  /** How many looks a blocking consumer (producer) through this object takes before it sleeps (waiting.ts adapts them). */
  spinConsumer = 64;
  spinProducer = 64;
  /**
   * How long (idle steps, waiting.ts) a blocking consumer (producer) through this object lets the
   * other side work before it looks again, when items (free slots) come as a stream: 0 = look at
   * once. Only rings that can count what a look finds ({@link countReady}) set it.
   */
  gatherConsumer = 0;
  gatherProducer = 0;

  constructor(a: Int32Array, capacity: number) {
    this.a = a;
    this.capacity = capacity;
    this.oneLap = oneLapOf(capacity);
    this.mask = this.oneLap - 1;
  }

  /**
   * The slot index of `pos`, a position just read from the channel's `which` word (`word`, the
   * word as read, with any mark bits: what an error shows). Every index a
   * claim hands out comes from here or from positions derived from one that did: a word that
   * other code overwrote with a position of no slot (index ≥ capacity) is refused, so that no
   * read or write lands outside the ring.
   */
  protected slotOf(pos: number, which: 'head' | 'tail', word = pos): number {
    const index = pos & this.mask;
    if (index >= this.capacity) corruptPosition(which, word, index, this.capacity);
    return index;
  }

  /** Claims the next slot to write: its index, or −1 when no slot is free now or the tail has the closed mark. */
  abstract claimWrite(): number;
  /** Publishes the slot claimed by {@link claimWrite}; false when the channel was closed meanwhile (nothing published). */
  abstract commitWrite(): boolean;
  /** Claims the next slot to read: its index, or −1 when no item is ready now. */
  abstract claimRead(): number;
  /** Frees the slot claimed by {@link claimRead}. */
  abstract commitRead(): void;
  /** Claims up to `max` consecutive slots to write (from {@link runIndex}); returns how many (0: none free, or closed). */
  abstract claimWriteRun(max: number): number;
  /** Publishes the `n` slots of the last run claim; false when the channel was closed meanwhile (nothing published). */
  abstract commitWriteRun(n: number): boolean;
  /** Claims up to `max` consecutive items to read (from {@link runIndex}); returns how many. */
  abstract claimReadRun(max: number): number;
  /** Frees the `n` slots of the last run claim. */
  abstract commitReadRun(n: number): void;
  /** Whether an item is ready at the read position (a consumer about to sleep re-checks this). */
  abstract readable(): boolean;
  /** Whether the slot at the write position is free (a producer about to sleep re-checks this). */
  abstract writable(): boolean;

  /**
   * How many items are ready to read (`consumer`) or slots free to write, as this side sees them
   * now; −1 when this ring cannot count them without claiming (MPMC: other consumers and
   * producers take slots meanwhile). Called only by the side it counts for.
   */
  countReady(_consumer: boolean): number {
    return -1;
  }

  /**
   * Called by a side about to sleep, after it counted itself in its waiter word and before its
   * last look: a ring whose publishes tell by themselves whether someone sleeps (SPSC, spsc.ts)
   * marks the word the other side publishes next. Other rings (MPMC) need nothing: their publishes
   * read the waiter words.
   */
  announceSleep(_consumer: boolean): void {}

  /**
   * Whether the channel has ended for consumers: closed (the tail word's mark) and drained. Both
   * from one read of the tail word: once the mark is there no push can publish or claim any more
   * (positions.ts), so a consumer that sees the mark and the head at the tail's position has seen
   * every item a push accepted.
   */
  ended(): boolean {
    const t = Atomics.load(this.a, TAIL);
    return t < 0 && (Atomics.load(this.a, HEAD) & POS_MASK) === (t & POS_MASK);
  }

  /**
   * Whether the tail word has the closed mark. A producer whose claim failed asks this, so that a
   * channel whose mark is set is closed for it even if the `closed` word is not (a close cut off
   * between the two, or other code that wrote the word): it throws instead of waiting for room.
   */
  marked(): boolean {
    return Atomics.load(this.a, TAIL) < 0;
  }

  /** Sets the closed mark on the tail word (close()): from now on every publish or claim of a push fails. */
  markClosed(): void {
    Atomics.or(this.a, TAIL, CLOSED_MARK);
  }

  /** Items in the ring, claimed writes included (exact when nobody is pushing or popping). */
  size(): number {
    const a = this.a;
    for (let k = 0; k < 8; k++) {
      const head = Atomics.load(a, HEAD) & POS_MASK;
      const tail = Atomics.load(a, TAIL) & POS_MASK;
      // A consistent pair: head did not move while tail was read, so tail is at most a lap ahead.
      if ((Atomics.load(a, HEAD) & POS_MASK) === head) return sizeOf(head, tail, this.capacity, this.oneLap);
    }
    return sizeOf(Atomics.load(a, HEAD) & POS_MASK, Atomics.load(a, TAIL) & POS_MASK, this.capacity, this.oneLap);
  }

  /** After a write was published and consumers were seen waiting (or their asleep bit): wakes up to `n` of them. */
  wakeConsumers(n: number): void {
    wakeWaiters(this.a, CONSUMERS_WAITING, NOT_EMPTY, n);
  }

  /** After a slot was freed and producers were seen waiting: wakes up to `n` of them. */
  wakeProducers(n: number): void {
    wakeWaiters(this.a, PRODUCERS_WAITING, NOT_FULL, n);
  }
}

/**
 * Bumps futex word `word` and wakes up to `n` of the waiters counted in `count`, taking those it
 * woke off the count (each of them sees `'ok'` and leaves the count alone: waiting.ts).
 */
export function wakeWaiters(a: Int32Array, count: number, word: number, n: number): void {
  Atomics.add(a, word, 1);
  const woken = wake(a, word, n);
  if (woken > 0) Atomics.sub(a, count, woken);
}

/** The error for a position word that holds no position of the ring (see {@link Ring.slotOf}). */
function corruptPosition(which: 'head' | 'tail', word: number, index: number, capacity: number): never {
  throw new SyncError(
    `Channel: its ${which} word holds ${word}, a position of slot ${index}, but the ring has ${capacity} slots: the channel's memory was overwritten by something other than its ends (nothing was read or written outside it)`,
    'corrupt',
  );
}

/** An SPSC publish that found the tail moved by someone else than close(): a second producer. */
export function secondProducer(pos: number, seen: number): never {
  throw new SyncError(
    `Channel: the tail moved from ${pos} to ${seen & POS_MASK} while this producer held a claimed slot: an SPSC channel takes one producer at a time (its item was not published)`,
    'slot_state',
  );
}
