/**
 * The multi-producer multi-consumer ring: Dmitry Vyukov's bounded queue, in the form of
 * crossbeam's `ArrayQueue` (positions of positions.ts, so any capacity). Each slot has a stamp:
 * the position for which it is free to write, or that position + 1 once the item is written.
 * A producer claims position `t` when the slot's stamp equals `t` by moving the tail from `t` to
 * the next position (compare-and-swap), writes the element, and stores the stamp `t + 1`; a
 * consumer claims position `h` when the stamp equals `h + 1` by moving the head, reads, and
 * stores `h + oneLap` (the slot is free for the same index of the next lap). No lock: threads
 * contend only on the tail (producers) or the head (consumers), one compare-and-swap per item.
 *
 * Stamps are stored minus the slot index, so zeroed memory is the initial state (slot i free
 * for position i).
 *
 * A claim never waits: where crossbeam spins (a slot still being written or read by a thread of
 * the previous lap), the claim fails and the channel decides whether to sleep, so that `try…`
 * forms return at once and blocking forms sleep on the futex instead of spinning.
 *
 * @module
 */
import { W } from './format.js';
import { advance, nextPos, POS_MASK } from './positions.js';
import { Ring } from './ring.js';

/**
 * The header words this ring uses, as module constants (as in spsc.ts): `TAIL` in a hot path is
 * a load of an imported binding and a property load, bytecode that counts against the engine's
 * budget for inlining a push or a pop into the caller's loop.
 */
const { tail: TAIL, head: HEAD, stamps: STAMPS, consumersWaiting: CONSUMERS_WAITING, producersWaiting: PRODUCERS_WAITING } = W;

export class MpmcRing extends Ring {
  /** The claimed write and read positions. */
  #w = 0;
  #r = 0;

  constructor(a: Int32Array, capacity: number) {
    super(a, capacity);
    // Both positions as they are now, checked as SPSC checks them: a channel over a position of
    // no slot is refused when it is made or attached, not at its first push or pop.
    this.slotOf(Atomics.load(a, TAIL) & POS_MASK, 'tail');
    this.slotOf(Atomics.load(a, HEAD), 'head');
  }

  claimWrite(): number {
    const a = this.a;
    let tail = Atomics.load(a, TAIL);
    for (;;) {
      // The closed mark: the compare-and-swap below can no longer succeed (positions.ts).
      if (tail < 0) return -1;
      const index = this.slotOf(tail, 'tail');
      const stamp = (Atomics.load(a, STAMPS + index) + index) & POS_MASK;
      if (stamp === tail) {
        const seen = Atomics.compareExchange(a, TAIL, tail, nextPos(tail, this.capacity, this.oneLap));
        if (seen === tail) {
          this.#w = tail;
          return index;
        }
        tail = seen; // another producer took it: try the next position
        continue;
      }
      // The slot holds an item of the previous lap (full), or a thread of the previous lap is still
      // writing or reading it; unless the tail moved meanwhile (then this position is taken).
      const again = Atomics.load(a, TAIL);
      if (again === tail) return -1;
      tail = again;
    }
  }

  // A claim succeeded before any close (its compare-and-swap moved the unmarked tail), so the item
  // is published whatever happened since: consumers wait for it before they see the end.
  commitWrite(): boolean {
    const w = this.#w;
    const index = w & this.mask;
    Atomics.store(this.a, STAMPS + index, (w + 1 - index) | 0);
    this.#afterWrite(1);
    return true;
  }

  /** After `n` items were published: wakes up to `n` waiting consumers, and passes a wake on to a producer. */
  #afterWrite(n: number): void {
    const a = this.a;
    // Closed meanwhile (a slot claimed before the close, published after it): close() woke every
    // consumer, and those that found this slot pending slept again; wake them all, so that each
    // finds this item or the end.
    if (Atomics.load(a, CONSUMERS_WAITING) !== 0) this.wakeConsumers(Atomics.load(a, TAIL) < 0 ? Number.POSITIVE_INFINITY : n);
    // A producer woken for a slot that a lagging consumer still held went back to sleep: if a
    // slot is free now, pass the wake on.
    if (Atomics.load(a, PRODUCERS_WAITING) !== 0 && this.writable()) this.wakeProducers(1);
  }

  claimRead(): number {
    const a = this.a;
    let head = Atomics.load(a, HEAD);
    for (;;) {
      const index = this.slotOf(head, 'head');
      const stamp = (Atomics.load(a, STAMPS + index) + index) & POS_MASK;
      if (stamp === ((head + 1) & POS_MASK)) {
        const seen = Atomics.compareExchange(a, HEAD, head, nextPos(head, this.capacity, this.oneLap));
        if (seen === head) {
          this.#r = head;
          return index;
        }
        head = seen;
        continue;
      }
      // Not written yet (empty, or its producer is still writing), or still held by a consumer of
      // the previous lap; unless the head moved meanwhile.
      const again = Atomics.load(a, HEAD);
      if (again === head) return -1;
      head = again;
    }
  }

  commitRead(): void {
    const r = this.#r;
    const index = r & this.mask;
    Atomics.store(this.a, STAMPS + index, (r + this.oneLap - index) | 0);
    this.#afterRead(1);
  }

  /** After `n` slots were freed: wakes up to `n` waiting producers, and passes a wake on to a consumer. */
  #afterRead(n: number): void {
    const a = this.a;
    if (Atomics.load(a, PRODUCERS_WAITING) !== 0) this.wakeProducers(n);
    // A consumer woken for an item whose slot was still being written went back to sleep: if an
    // item is ready now, pass the wake on; once closed, wake them all (each may now see the end).
    if (Atomics.load(a, CONSUMERS_WAITING) !== 0) {
      if (Atomics.load(a, TAIL) < 0) this.wakeConsumers(Number.POSITIVE_INFINITY);
      else if (this.readable()) this.wakeConsumers(1);
    }
  }

  // Runs: consecutive slots, all free (written) for their positions, claimed by one
  // compare-and-swap that moves the tail (head) past all of them. The stamps are read before the
  // compare-and-swap: a slot free for position p changes only when some producer claims p, which
  // moves the tail past p, so a compare-and-swap that finds the tail still at the run's first
  // position proves that every stamp read is still current (likewise for consumers and the head).
  claimWriteRun(max: number): number {
    if (max <= 0) return 0;
    const a = this.a;
    let tail = Atomics.load(a, TAIL);
    for (;;) {
      if (tail < 0) return 0; // closed
      const index = this.slotOf(tail, 'tail');
      const limit = Math.min(max, this.capacity - index);
      let k = 0;
      while (k < limit && ((Atomics.load(a, STAMPS + index + k) + index) & POS_MASK) === tail) k++;
      if (k > 0) {
        const seen = Atomics.compareExchange(a, TAIL, tail, advance(tail, k, this.capacity, this.oneLap));
        if (seen === tail) {
          this.#w = tail;
          this.runIndex = index;
          return k;
        }
        tail = seen;
        continue;
      }
      const again = Atomics.load(a, TAIL);
      if (again === tail) return 0;
      tail = again;
    }
  }

  commitWriteRun(n: number): boolean {
    if (n === 0) return true;
    const a = this.a;
    const w = this.#w;
    const index = w & this.mask;
    // Position w + j has stamp w + j + 1, stored minus its index (index + j): the same value for all.
    const stamp = (w + 1 - index) | 0;
    for (let j = 0; j < n; j++) Atomics.store(a, STAMPS + index + j, stamp);
    this.#afterWrite(n);
    return true;
  }

  claimReadRun(max: number): number {
    if (max <= 0) return 0;
    const a = this.a;
    let head = Atomics.load(a, HEAD);
    for (;;) {
      const index = this.slotOf(head, 'head');
      const limit = Math.min(max, this.capacity - index);
      const ready = (head + 1) & POS_MASK;
      let k = 0;
      while (k < limit && ((Atomics.load(a, STAMPS + index + k) + index) & POS_MASK) === ready) k++;
      if (k > 0) {
        const seen = Atomics.compareExchange(a, HEAD, head, advance(head, k, this.capacity, this.oneLap));
        if (seen === head) {
          this.#r = head;
          this.runIndex = index;
          return k;
        }
        head = seen;
        continue;
      }
      const again = Atomics.load(a, HEAD);
      if (again === head) return 0;
      head = again;
    }
  }

  commitReadRun(n: number): void {
    if (n === 0) return;
    const a = this.a;
    const r = this.#r;
    const index = r & this.mask;
    const stamp = (r + this.oneLap - index) | 0;
    for (let j = 0; j < n; j++) Atomics.store(a, STAMPS + index + j, stamp);
    this.#afterRead(n);
  }

  readable(): boolean {
    const a = this.a;
    const head = Atomics.load(a, HEAD);
    const index = this.slotOf(head, 'head');
    return ((Atomics.load(a, STAMPS + index) + index) & POS_MASK) === ((head + 1) & POS_MASK);
  }

  writable(): boolean {
    const a = this.a;
    const tail = Atomics.load(a, TAIL);
    if (tail < 0) return true; // closed: the claim that follows refuses it
    const index = this.slotOf(tail, 'tail');
    return ((Atomics.load(a, STAMPS + index) + index) & POS_MASK) === tail;
  }
}
