/**
 * The hand-written twin of an MPMC channel of f64 (bench/channels.mjs's MPMC ceiling row): what a
 * per-item blocking hand-off between several producers and several consumers costs in plain
 * JavaScript with the library's protocol and none of its generality. `push(v)` blocks while full,
 * `pop()` blocks while empty and gives `undefined` once closed and drained; `close()` ends it.
 *
 * Same protocol as the library (src/channels/mpmc.ts, waiting.ts): Vyukov's bounded queue, a stamp
 * per slot, one compare-and-swap of the tail (head) per item; a push checks `closed` first; after a
 * publish, one load of the other side's waiter count, and one of this side's (to pass a wake on
 * when a slot or item is ready); a waiter spins (the same adaptive budget), then announces itself,
 * looks once more and sleeps on a sequence word; the waker takes those it woke off the count.
 * Simpler than the library only where the bench allows it: a power-of-two capacity, one element
 * type, stamps stored as positions (the library stores them minus the slot index, so that zeroed
 * memory is a valid ring), no timeouts, no zero-copy, no batches, no argument checks.
 */

import { CLOSED, CONSUMERS_WAITING, HEAD, NOT_EMPTY, NOT_FULL, PRODUCERS_WAITING, TAIL, wake } from './hand-words.mjs';

const STAMPS = 128; // words
const SPIN_MIN = 16;
const SPIN_MAX = 256;

/** A buffer for a twin of `capacity` (a power of two) slots, its stamps set (slot i free for position i). */
export function handMpmcBuffer(capacity) {
  if ((capacity & (capacity - 1)) !== 0) throw new RangeError('capacity must be a power of two');
  const sab = new SharedArrayBuffer(STAMPS * 4 + capacity * 4 + capacity * 8 + 8);
  const a = new Int32Array(sab, 0, STAMPS + capacity);
  for (let i = 0; i < capacity; i++) a[STAMPS + i] = i;
  return sab;
}

export class HandMpmc {
  constructor(sab) {
    this.cap = (sab.byteLength - 8 - STAMPS * 4) / 12; // 4 + 8 bytes per slot (handMpmcBuffer)
    const words = STAMPS + this.cap;
    this.a = new Int32Array(sab, 0, words);
    this.d = new Float64Array(sab, Math.ceil((words * 4) / 8) * 8, this.cap);
    this.mask = this.cap - 1;
    this.spinC = 64;
    this.spinP = 64;
  }

  push(v) {
    const a = this.a;
    if (Atomics.load(a, CLOSED) !== 0) throw new Error('closed');
    for (;;) {
      let t = Atomics.load(a, TAIL);
      for (;;) {
        const i = t & this.mask;
        if (Atomics.load(a, STAMPS + i) === t) {
          const seen = Atomics.compareExchange(a, TAIL, t, (t + 1) | 0);
          if (seen === t) {
            this.d[i] = v;
            Atomics.store(a, STAMPS + i, (t + 1) | 0);
            if (Atomics.load(a, CONSUMERS_WAITING) !== 0) wake(a, CONSUMERS_WAITING, NOT_EMPTY, 1);
            if (Atomics.load(a, PRODUCERS_WAITING) !== 0 && this.#writable()) wake(a, PRODUCERS_WAITING, NOT_FULL, 1);
            return;
          }
          t = seen;
          continue;
        }
        const again = Atomics.load(a, TAIL);
        if (again === t) break;
        t = again;
      }
      this.#wait(false);
      if (Atomics.load(a, CLOSED) !== 0) throw new Error('closed');
    }
  }

  pop() {
    const a = this.a;
    for (;;) {
      let h = Atomics.load(a, HEAD);
      for (;;) {
        const i = h & this.mask;
        if (Atomics.load(a, STAMPS + i) === ((h + 1) | 0)) {
          const seen = Atomics.compareExchange(a, HEAD, h, (h + 1) | 0);
          if (seen === h) {
            const v = this.d[i];
            Atomics.store(a, STAMPS + i, (h + this.cap) | 0);
            if (Atomics.load(a, PRODUCERS_WAITING) !== 0) wake(a, PRODUCERS_WAITING, NOT_FULL, 1);
            if (Atomics.load(a, CONSUMERS_WAITING) !== 0 && this.#readable()) wake(a, CONSUMERS_WAITING, NOT_EMPTY, 1);
            return v;
          }
          h = seen;
          continue;
        }
        const again = Atomics.load(a, HEAD);
        if (again === h) break;
        h = again;
      }
      if (Atomics.load(a, CLOSED) !== 0 && Atomics.load(a, HEAD) === Atomics.load(a, TAIL)) return undefined;
      this.#wait(true);
    }
  }

  close() {
    Atomics.store(this.a, CLOSED, 1);
    wake(this.a, CONSUMERS_WAITING, NOT_EMPTY, Number.POSITIVE_INFINITY);
    wake(this.a, PRODUCERS_WAITING, NOT_FULL, Number.POSITIVE_INFINITY);
  }

  #readable() {
    const h = Atomics.load(this.a, HEAD);
    return Atomics.load(this.a, STAMPS + (h & this.mask)) === ((h + 1) | 0);
  }

  #writable() {
    const t = Atomics.load(this.a, TAIL);
    return Atomics.load(this.a, STAMPS + (t & this.mask)) === t;
  }

  #mayGo(consumer) {
    const a = this.a;
    if (consumer) return this.#readable() || (Atomics.load(a, CLOSED) !== 0 && Atomics.load(a, HEAD) === Atomics.load(a, TAIL));
    return this.#writable() || Atomics.load(a, CLOSED) !== 0;
  }

  #wait(consumer) {
    const budget = consumer ? this.spinC : this.spinP;
    for (let k = 0; k < budget; k++) {
      if (this.#mayGo(consumer)) {
        if (consumer) this.spinC = Math.min(SPIN_MAX, budget * 2);
        else this.spinP = Math.min(SPIN_MAX, budget * 2);
        return;
      }
    }
    if (consumer) this.spinC = Math.max(SPIN_MIN, budget >> 1);
    else this.spinP = Math.max(SPIN_MIN, budget >> 1);
    const a = this.a;
    const count = consumer ? CONSUMERS_WAITING : PRODUCERS_WAITING;
    const word = consumer ? NOT_EMPTY : NOT_FULL;
    Atomics.add(a, count, 1);
    const seq = Atomics.load(a, word);
    if (!this.#mayGo(consumer) && Atomics.wait(a, word, seq) === 'ok') return;
    Atomics.sub(a, count, 1);
  }
}
