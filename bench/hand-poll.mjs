/**
 * The plainest per-item hand-off between two threads in JavaScript (bench/channels.mjs's "plain
 * polling ring" row): an SPSC ring of f64 with nothing but what passing one item needs. Each side
 * keeps its own position, caches the other's and looks again (`Atomics.load`) only when the ring
 * looks full or empty, and publishes each item with one `Atomics.store`; a side that finds nothing
 * spins (never sleeps); no closing, no timeouts, no wake-ups. Not a usable channel: two threads
 * spinning on two cores, as the ringbuf.js rows do, item by item.
 */

const WORDS = 32; // 128 bytes of positions: the head and the tail on cache lines of their own
const HEAD = 0; // the consumer's position
const TAIL = 16; // the producer's position

/** A buffer for a ring of `capacity` f64 (a power of two). */
export function pollBuffer(capacity) {
  if ((capacity & (capacity - 1)) !== 0) throw new RangeError('capacity must be a power of two');
  return new SharedArrayBuffer(WORDS * 4 + capacity * 8);
}

/** One side of the ring: `push` on the producer's, `pop` on the consumer's. */
export class PollSpsc {
  constructor(sab) {
    this.w = new Int32Array(sab, 0, WORDS);
    this.d = new Float64Array(sab, WORDS * 4);
    this.cap = this.d.length;
    this.mask = this.cap - 1;
    this.pos = 0; // this side's position
    this.other = 0; // the other side's, as last seen
  }

  push(v) {
    const t = this.pos;
    if (t - this.other === this.cap) {
      do this.other = Atomics.load(this.w, HEAD);
      while (t - this.other === this.cap);
    }
    this.d[t & this.mask] = v;
    this.pos = t + 1;
    Atomics.store(this.w, TAIL, t + 1);
  }

  pop() {
    const h = this.pos;
    if (h === this.other) {
      do this.other = Atomics.load(this.w, TAIL);
      while (h === this.other);
    }
    const v = this.d[h & this.mask];
    this.pos = h + 1;
    Atomics.store(this.w, HEAD, h + 1);
    return v;
  }
}
