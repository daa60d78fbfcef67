/**
 * The single-producer single-consumer ring: ringbuf.js's design (a write position owned by the
 * producer, a read position owned by the consumer, elements between them), typed, with the
 * positions of positions.ts (any capacity, every slot usable) and each side caching the other
 * side's position, so that it reads the other side's cache line only when the ring looks full
 * (producer) or empty (consumer), as in Rigtorp's SPSCQueue. Every operation is wait-free: a
 * plain load, the element copy, one atomic operation (below).
 *
 * A cached position is trusted only while this side's own position is still the one this object
 * last wrote: if another object (in another thread) took over the producer's or the consumer's
 * role in between, the cache is stale and is read again.
 *
 * Each side reads its own position with a plain load, not `Atomics.load` (which V8 11, Node 20,
 * does not inline: about 10 ns a call, against 1 ns): only the thread holding the role writes it,
 * and a role passes from one thread to another only through some synchronisation (the doc's "one
 * thread at a time"), so these reads race with no write and see the latest value. The other
 * side's position, the waiter words and `closed` are read with `Atomics.load`.
 *
 * A side about to sleep says so with a bit in the word the other side writes next (positions.ts):
 * a consumer sets {@link CONSUMER_ASLEEP} in the tail, a producer {@link PRODUCER_ASLEEP} in the
 * head. A publish is then one atomic operation that also tells whether anyone sleeps: the
 * producer's compare-and-swap of the tail fails on the bit, and the consumer's exchange of the head
 * returns it. Whoever finds the bit clears it (with that operation or the next) and wakes every
 * sleeper of the other side; each one that finds nothing sets the bit again before it sleeps. The
 * bits make a side's own word differ from the position it last wrote, so a claim that sees one
 * takes the slow path, which masks it off.
 *
 * @module
 */
import { W } from './format.js';
import { advance, CONSUMER_ASLEEP, nextPos, POS_MASK, PRODUCER_ASLEEP, sizeOf } from './positions.js';
import { Ring, secondProducer } from './ring.js';

/**
 * The header words this ring uses, as module constants: in a hot path, `W.tail` is a load of an
 * imported binding and a property load, bytecode that counts against the engine's budget for
 * inlining a push or a pop into the caller's loop.
 */
const { tail: TAIL, head: HEAD, consumersWaiting: CONSUMERS_WAITING, producersWaiting: PRODUCERS_WAITING } = W;

export class SpscRing extends Ring {
  /** Producer: the consumer's read position as last seen, and the write position as last written. */
  #head = 0;
  #myTail: number;
  /** Producer: the write position at which the ring is full, from `#head` (both set by {@link #sawHead}). */
  #full = 0;
  /** Consumer: the producer's write position as last seen, and the read position as last written. */
  #tail = 0;
  #myHead: number;
  /** The claimed write and read positions. */
  #w = 0;
  #r = 0;

  constructor(a: Int32Array, capacity: number) {
    super(a, capacity);
    // Each side's own position, checked, and the other side's as it is now: positions only move
    // forward, so a cache of the other side's is a safe bound (a claim that finds the ring full or
    // empty through it looks again). Every position the fast paths accept was checked (slotOf).
    // The tail without its closed mark: a marked tail then never equals the cache, so every claim
    // of a closed channel takes the slow path, which refuses it.
    const tail = this.a[TAIL] as number;
    const head = this.a[HEAD] as number;
    this.#myTail = tail & POS_MASK;
    this.#myHead = head & POS_MASK;
    this.slotOf(this.#myTail, 'tail', tail);
    this.slotOf(this.#myHead, 'head', head);
    this.#sawHead(Atomics.load(this.a, HEAD) & POS_MASK);
    this.#tail = Atomics.load(this.a, TAIL) & POS_MASK;
  }

  // The single-item claims and commits are the hot path of push/pop: kept small, so that the
  // engine inlines the whole of a push and a pop into the caller's loop; anything else (a stale
  // cache, waking a sleeper) is a call out.

  claimWrite(): number {
    const t = this.a[TAIL] as number;
    if (t !== this.#myTail || t === this.#full) return this.#claimWriteAgain(t);
    this.#w = t;
    return t & this.mask;
  }

  /**
   * {@link claimWrite} when the cached head says full or is stale, or the tail has the closed mark
   * or a sleeping consumer's bit: reads the head.
   */
  #claimWriteAgain(word: number): number {
    if (word < 0) return -1; // the closed mark: nothing may be published any more
    const t = word & POS_MASK;
    const index = this.slotOf(t, 'tail', word);
    this.#sawHead(Atomics.load(this.a, HEAD) & POS_MASK);
    this.#myTail = t;
    if (t === this.#full) return -1;
    this.#w = t;
    return index;
  }

  /** Caches the consumer's read position `h`, and the write position that finds the ring full from it (what {@link claimWrite} compares, in few bytecodes). */
  #sawHead(h: number): void {
    this.#head = h;
    this.#full = (h + this.oneLap) & POS_MASK;
  }

  /**
   * Publishes with a compare-and-swap from the claimed position, so that a close() in between
   * (its mark on the tail word) makes the publish fail instead of landing after consumers ended,
   * and a consumer about to sleep (its bit on the tail word) makes it take the slow path that
   * wakes it.
   */
  commitWrite(): boolean {
    const w = this.#w;
    const next = nextPos(w, this.capacity, this.oneLap);
    const seen = Atomics.compareExchange(this.a, TAIL, w, next);
    if (seen !== w) return this.#publishAgain(w, next, seen);
    this.#myTail = next;
    return true;
  }

  /**
   * A publish whose compare-and-swap found `seen` instead of the claimed position `w`: false if the
   * channel was closed (nothing published); a second producer if the position moved; else a
   * consumer's asleep bit: publishes `next` over it (clearing it) and wakes every sleeping consumer.
   */
  #publishAgain(w: number, next: number, seen: number): boolean {
    for (;;) {
      if ((seen & POS_MASK) !== w) return secondProducer(w, seen);
      if (seen < 0) return false;
      const again = Atomics.compareExchange(this.a, TAIL, seen, next);
      if (again === seen) break;
      seen = again;
    }
    this.#myTail = next;
    if (Atomics.load(this.a, CONSUMERS_WAITING) !== 0) this.wakeConsumers(Number.POSITIVE_INFINITY);
    return true;
  }

  claimRead(): number {
    const h = this.a[HEAD] as number;
    if (h === this.#tail || h !== this.#myHead) return this.#claimReadAgain(h);
    this.#r = h;
    return h & this.mask;
  }

  /** {@link claimRead} when the cached tail says empty or is stale, or the head has a sleeping producer's bit: reads the tail. */
  #claimReadAgain(word: number): number {
    const h = word & POS_MASK;
    const index = this.slotOf(h, 'head', word);
    this.#tail = Atomics.load(this.a, TAIL) & POS_MASK;
    this.#myHead = h;
    if (h === this.#tail) return -1;
    this.#r = h;
    return index;
  }

  /** Frees the slot with an exchange of the head, which also clears (and returns) a sleeping producer's bit. */
  commitRead(): void {
    const next = nextPos(this.#r, this.capacity, this.oneLap);
    const old = Atomics.exchange(this.a, HEAD, next);
    this.#myHead = next;
    if (old < 0) this.#wakeSleepingProducers();
  }

  /** After clearing a producer's asleep bit: wakes every sleeping producer (each one that finds no room sets the bit again). */
  #wakeSleepingProducers(): void {
    if (Atomics.load(this.a, PRODUCERS_WAITING) !== 0) this.wakeProducers(Number.POSITIVE_INFINITY);
  }

  /** How many slots are free from write position `t`, reading the head again if the cache says fewer than `want`. */
  #free(t: number, want: number): number {
    let free = this.capacity - this.#used(this.#head, t);
    if (free < want || t !== this.#myTail) {
      this.#sawHead(Atomics.load(this.a, HEAD) & POS_MASK);
      this.#myTail = t;
      free = this.capacity - this.#used(this.#head, t);
    }
    return free;
  }

  /** How many items lie between read position `h` and write position `t` (at most a lap apart). */
  #used(h: number, t: number): number {
    const mask = this.mask;
    const hi = h & mask;
    const ti = t & mask;
    if (hi < ti) return ti - hi;
    if (hi > ti) return this.capacity - hi + ti;
    return h === t ? 0 : this.capacity;
  }

  claimWriteRun(max: number): number {
    const word = this.a[TAIL] as number;
    if (word < 0) return 0; // closed
    const t = word & POS_MASK; // without a sleeping consumer's bit
    const index = this.slotOf(t, 'tail', word); // before #free caches it
    const n = Math.min(max, this.#free(t, max), this.capacity - index);
    this.#w = t;
    this.runIndex = index;
    return n;
  }

  commitWriteRun(n: number): boolean {
    if (n === 0) return true;
    const w = this.#w;
    const next = advance(w, n, this.capacity, this.oneLap);
    const seen = Atomics.compareExchange(this.a, TAIL, w, next);
    if (seen !== w) return this.#publishAgain(w, next, seen);
    this.#myTail = next;
    return true;
  }

  claimReadRun(max: number): number {
    const word = this.a[HEAD] as number;
    const h = word & POS_MASK; // without a sleeping producer's bit
    const index = this.slotOf(h, 'head', word); // before it is cached
    let ready = this.#used(h, this.#tail);
    if (ready < max || h !== this.#myHead) {
      this.#tail = Atomics.load(this.a, TAIL) & POS_MASK;
      this.#myHead = h;
      ready = this.#used(h, this.#tail);
    }
    this.#r = h;
    this.runIndex = index;
    return Math.min(max, ready, this.capacity - index);
  }

  commitReadRun(n: number): void {
    if (n === 0) return;
    const next = advance(this.#r, n, this.capacity, this.oneLap);
    const old = Atomics.exchange(this.a, HEAD, next);
    this.#myHead = next;
    if (old < 0) this.#wakeSleepingProducers();
  }

  override countReady(consumer: boolean): number {
    const a = this.a;
    if (consumer) return sizeOf((a[HEAD] as number) & POS_MASK, Atomics.load(a, TAIL) & POS_MASK, this.capacity, this.oneLap);
    return this.capacity - sizeOf(Atomics.load(a, HEAD) & POS_MASK, (a[TAIL] as number) & POS_MASK, this.capacity, this.oneLap);
  }

  // Called by the consumer (producer) only: its own position is read plainly.
  readable(): boolean {
    return (Atomics.load(this.a, TAIL) & POS_MASK) !== ((this.a[HEAD] as number) & POS_MASK);
  }

  // A marked tail is "writable": the claim that follows refuses it, and the caller sees closed.
  writable(): boolean {
    const t = this.a[TAIL] as number;
    return t < 0 || (t & POS_MASK) !== (((Atomics.load(this.a, HEAD) & POS_MASK) + this.oneLap) & POS_MASK);
  }

  /** A side about to sleep sets its bit in the word the other side publishes next (see the module's text). */
  override announceSleep(consumer: boolean): void {
    if (consumer) Atomics.or(this.a, TAIL, CONSUMER_ASLEEP);
    else Atomics.or(this.a, HEAD, PRODUCER_ASLEEP);
  }
}
