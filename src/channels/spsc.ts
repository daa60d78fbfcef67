/**
 * The single-producer single-consumer ring: ringbuf.js's design (a write position owned by the
 * producer, a read position owned by the consumer, elements between them), typed, with the
 * positions of positions.ts (any capacity, every slot usable) and each side caching the other
 * side's position, so that it reads the other side's cache line only when the ring looks full
 * (producer) or empty (consumer), as in Rigtorp's SPSCQueue. Every operation is wait-free: a few
 * loads, the element copy, one store.
 *
 * A cached position is trusted only while this side's own position is still the one this object
 * last wrote: if another object (in another thread) took over the producer's or the consumer's
 * role in between, the cache is stale and is read again.
 *
 * @module
 */
import { W } from './format.js';
import { advance, nextPos } from './positions.js';
import { Ring } from './ring.js';

export class SpscRing extends Ring {
  /** Producer: the consumer's read position as last seen, and the write position as last written. */
  #head = 0;
  #myTail: number;
  /** Consumer: the producer's write position as last seen, and the read position as last written. */
  #tail = 0;
  #myHead: number;
  /** The claimed write and read positions. */
  #w = 0;
  #r = 0;

  constructor(a: Int32Array, capacity: number) {
    super(a, capacity);
    // No position has index `capacity`: the caches start out stale.
    this.#myTail = capacity;
    this.#myHead = capacity;
  }

  /** How many slots are free from write position `t`, reading the head again if the cache says fewer than `want`. */
  #free(t: number, want: number): number {
    let free = this.capacity - this.#used(this.#head, t);
    if (free < want || t !== this.#myTail) {
      this.#head = Atomics.load(this.a, W.head);
      this.#myTail = t;
      free = this.capacity - this.#used(this.#head, t);
    }
    return free;
  }

  /** How many items lie between read position `h` and write position `t` (at most a lap apart). */
  #used(h: number, t: number): number {
    const mask = this.oneLap - 1;
    const hi = h & mask;
    const ti = t & mask;
    if (hi < ti) return ti - hi;
    if (hi > ti) return this.capacity - hi + ti;
    return h === t ? 0 : this.capacity;
  }

  claimWrite(): number {
    const t = Atomics.load(this.a, W.tail);
    if (t === ((this.#head + this.oneLap) | 0) || t !== this.#myTail) {
      this.#head = Atomics.load(this.a, W.head);
      this.#myTail = t;
      if (t === ((this.#head + this.oneLap) | 0)) return -1;
    }
    this.#w = t;
    return t & (this.oneLap - 1);
  }

  commitWrite(): void {
    const next = nextPos(this.#w, this.capacity, this.oneLap);
    Atomics.store(this.a, W.tail, next);
    this.#myTail = next;
    this.wakeConsumers(1);
  }

  claimRead(): number {
    const h = Atomics.load(this.a, W.head);
    if (h === this.#tail || h !== this.#myHead) {
      this.#tail = Atomics.load(this.a, W.tail);
      this.#myHead = h;
      if (h === this.#tail) return -1;
    }
    this.#r = h;
    return h & (this.oneLap - 1);
  }

  commitRead(): void {
    const next = nextPos(this.#r, this.capacity, this.oneLap);
    Atomics.store(this.a, W.head, next);
    this.#myHead = next;
    this.wakeProducers(1);
  }

  claimWriteRun(max: number): number {
    const t = Atomics.load(this.a, W.tail);
    const index = t & (this.oneLap - 1);
    const n = Math.min(max, this.#free(t, max), this.capacity - index);
    this.#w = t;
    this.runIndex = index;
    return n;
  }

  commitWriteRun(n: number): void {
    if (n === 0) return;
    const next = advance(this.#w, n, this.capacity, this.oneLap);
    Atomics.store(this.a, W.tail, next);
    this.#myTail = next;
    this.wakeConsumers(1);
  }

  claimReadRun(max: number): number {
    const h = Atomics.load(this.a, W.head);
    let ready = this.#used(h, this.#tail);
    if (ready < max || h !== this.#myHead) {
      this.#tail = Atomics.load(this.a, W.tail);
      this.#myHead = h;
      ready = this.#used(h, this.#tail);
    }
    const index = h & (this.oneLap - 1);
    this.#r = h;
    this.runIndex = index;
    return Math.min(max, ready, this.capacity - index);
  }

  commitReadRun(n: number): void {
    if (n === 0) return;
    const next = advance(this.#r, n, this.capacity, this.oneLap);
    Atomics.store(this.a, W.head, next);
    this.#myHead = next;
    this.wakeProducers(1);
  }

  readable(): boolean {
    return Atomics.load(this.a, W.head) !== Atomics.load(this.a, W.tail);
  }

  writable(): boolean {
    return Atomics.load(this.a, W.tail) !== ((Atomics.load(this.a, W.head) + this.oneLap) | 0);
  }
}
