/**
 * The hand-written twin of an SPSC channel of f64 (bench/channels.mjs's ceiling row): what the
 * per-item blocking hand-off costs in plain JavaScript with the same semantics and none of the
 * library's generality. One producer thread, one consumer thread; `push(v)` blocks while full,
 * `pop()` blocks while empty and gives `undefined` once closed and drained; `close()` ends it.
 *
 * Same protocol as the library (src/channels): each side caches the other's position and reads
 * its own plainly; 30-bit positions, with the closed mark in bit 31 of the tail and the asleep
 * bits (bit 30 of the tail: a consumer, bit 31 of the head: a producer) that a side about to sleep
 * sets in the word the other side publishes next; a push publishes with one compare-and-swap of
 * the tail and a pop with one exchange of the head, each of which also finds an asleep bit (then
 * clears it and wakes every counted sleeper); a waiter gathers (idles before it looks, while items or free slots come as a
 * stream: the same policy and constants), spins (the same adaptive budget) and then announces
 * itself (count and bit), looks once more and sleeps on a sequence word; the waker takes those
 * it woke off the count. Simpler than
 * the library only where the bench allows it: a power-of-two capacity (positions masked instead
 * of the lap arithmetic that serves any capacity), one element type, no timeouts, no zero-copy,
 * no batches.
 */

import { CLOSED, CONSUMERS_WAITING, HEAD, NOT_EMPTY, NOT_FULL, PRODUCERS_WAITING, TAIL, wake } from './hand-words.mjs';

const DATA = 512; // bytes
const POS = 0x3fffffff; // position bits
const CLOSED_MARK = 0x80000000 | 0; // tail
const CONSUMER_ASLEEP = 0x40000000; // tail
const PRODUCER_ASLEEP = 0x80000000 | 0; // head

// Gathering (src/channels/waiting.ts): idle steps, and the thresholds that start, grow and stop it.
const GATHER_MIN = 256;
const GATHER_MAX = 4096;
const GATHER_MORE = 2;
const QUICK_LOOKS = 4;
const IDLE_CHUNK = 256;
const IDLE_STEP_BOUND_NS = 2.5;
/** Where the idle loop's result goes, so that the compiler keeps the loop's work. */
// biome-ignore lint/correctness/noUnusedVariables: written, never read: an idle loop whose result went nowhere could be compiled to an empty one
let idleSink = 0;

export function handSpscBuffer(capacity) {
  if ((capacity & (capacity - 1)) !== 0) throw new RangeError('capacity must be a power of two');
  return new SharedArrayBuffer(DATA + capacity * 8);
}

export class HandSpsc {
  /**
   * `spin`: the adaptive spin's bounds in looks (the library's: 16 and 256); `{ min: 0, max: 0 }`
   * sleeps at once; `gather: false` looks at once, as the library did before gathering.
   */
  constructor(sab, spin = { min: 16, max: 256 }) {
    this.a = new Int32Array(sab, 0, DATA / 4);
    this.d = new Float64Array(sab, DATA);
    this.cap = this.d.length;
    this.mask = this.cap - 1;
    this.head = 0; // producer's cache of the consumer's position
    this.tail = 0; // consumer's cache of the producer's position
    this.spinMin = spin.min;
    this.spinMax = spin.max;
    this.spinC = Math.min(64, spin.max);
    this.spinP = this.spinC;
    this.gather = spin.gather ?? true;
    this.gatherC = 0;
    this.gatherP = 0;
  }

  push(v) {
    const a = this.a;
    const word = a[TAIL];
    if (word < 0) throw new Error('closed');
    const t = word & POS;
    if (((t - this.head) & POS) === this.cap) {
      this.head = Atomics.load(a, HEAD) & POS;
      while (((t - this.head) & POS) === this.cap) {
        this.#wait(false);
        if (Atomics.load(a, TAIL) < 0) throw new Error('closed');
        this.head = Atomics.load(a, HEAD) & POS;
      }
    }
    this.d[t & this.mask] = v;
    const next = (t + 1) & POS;
    const seen = Atomics.compareExchange(a, TAIL, t, next);
    if (seen !== t) this.#publishAgain(next, seen);
  }

  /** The publish found the closed mark (throws) or a sleeping consumer's bit: publishes over it and wakes the sleepers. */
  #publishAgain(next, seen) {
    const a = this.a;
    for (;;) {
      if (seen < 0) throw new Error('closed');
      const again = Atomics.compareExchange(a, TAIL, seen, next);
      if (again === seen) break;
      seen = again;
    }
    if (Atomics.load(a, CONSUMERS_WAITING) !== 0) wake(a, CONSUMERS_WAITING, NOT_EMPTY, Infinity);
  }

  pop() {
    const a = this.a;
    const h = a[HEAD] & POS;
    if (h === this.tail) {
      this.tail = Atomics.load(a, TAIL) & POS;
      while (h === this.tail) {
        if (Atomics.load(a, TAIL) < 0) {
          this.tail = Atomics.load(a, TAIL) & POS;
          if (h === this.tail) return undefined;
          break;
        }
        this.#wait(true);
        this.tail = Atomics.load(a, TAIL) & POS;
      }
    }
    const v = this.d[h & this.mask];
    const old = Atomics.exchange(a, HEAD, (h + 1) & POS);
    if (old < 0 && Atomics.load(a, PRODUCERS_WAITING) !== 0) wake(a, PRODUCERS_WAITING, NOT_FULL, Infinity);
    return v;
  }

  close() {
    Atomics.or(this.a, TAIL, CLOSED_MARK);
    Atomics.store(this.a, CLOSED, 1);
    wake(this.a, CONSUMERS_WAITING, NOT_EMPTY, Infinity);
    wake(this.a, PRODUCERS_WAITING, NOT_FULL, Infinity);
  }

  #ready(consumer) {
    const a = this.a;
    const word = Atomics.load(a, TAIL);
    if (word < 0) return true;
    return consumer ? (word & POS) !== (a[HEAD] & POS) : ((word - Atomics.load(a, HEAD)) & POS) !== this.cap;
  }

  /** Items ready (consumer) or slots free (producer), as this side sees them now. */
  #count(consumer) {
    const a = this.a;
    return consumer ? (Atomics.load(a, TAIL) - a[HEAD]) & POS : this.cap - ((a[TAIL] - Atomics.load(a, HEAD)) & POS);
  }

  #wait(consumer) {
    const gather = consumer ? this.gatherC : this.gatherP;
    if (gather > 0) {
      const end = performance.now() + (gather * IDLE_STEP_BOUND_NS) / 1e6;
      let x = gather;
      for (let done = 0; done < gather; done += IDLE_CHUNK) {
        for (let j = 0; j < IDLE_CHUNK; j++) x = (Math.imul(x, 0x41c64e6d) + 12345) | 0;
        if (performance.now() >= end) break;
      }
      idleSink ^= x;
      const found = this.#count(consumer);
      const next = found <= 0 ? 0 : found >= GATHER_MORE ? Math.min(GATHER_MAX, gather * 2) : gather >= GATHER_MIN * 2 ? gather >> 1 : 0;
      if (consumer) this.gatherC = next;
      else this.gatherP = next;
      if (found > 0) return;
    }
    const budget = consumer ? this.spinC : this.spinP;
    for (let k = 0; k < budget; k++) {
      if (this.#ready(consumer)) {
        if (this.gather && gather === 0 && k < QUICK_LOOKS && this.#count(consumer) > 0) {
          if (consumer) this.gatherC = GATHER_MIN;
          else this.gatherP = GATHER_MIN;
        }
        if (consumer) this.spinC = Math.min(this.spinMax, budget * 2);
        else this.spinP = Math.min(this.spinMax, budget * 2);
        return;
      }
    }
    if (consumer) this.spinC = Math.max(this.spinMin, budget >> 1);
    else this.spinP = Math.max(this.spinMin, budget >> 1);
    const a = this.a;
    const count = consumer ? CONSUMERS_WAITING : PRODUCERS_WAITING;
    const word = consumer ? NOT_EMPTY : NOT_FULL;
    Atomics.add(a, count, 1);
    if (consumer) Atomics.or(a, TAIL, CONSUMER_ASLEEP);
    else Atomics.or(a, HEAD, PRODUCER_ASLEEP);
    const seq = Atomics.load(a, word);
    if (!this.#ready(consumer) && Atomics.wait(a, word, seq) === 'ok') return;
    Atomics.sub(a, count, 1);
  }
}
