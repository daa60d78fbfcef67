// Laws of gathering (src/channels/waiting.ts): a waiting side of an SPSC ring that idles before it
// looks again does so only while items (free slots) come as a stream, within fixed bounds, and
// stops when they do not. Whether it pays is measured in bench/channels.mjs, not here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { W } from '../../src/channels/format.js';
import { MpmcRing } from '../../src/channels/mpmc.js';
import { oneLapOf } from '../../src/channels/positions.js';
import { SpscRing } from '../../src/channels/spsc.js';
import { GATHER_MAX, GATHER_MIN, GATHER_MORE, gatherAfter, pause, pauseAsync } from '../../src/channels/waiting.js';

/** Every gathering time a side can hold: off, or the minimum doubled up to the maximum. */
const held = fc.constantFrom(0, ...Array.from({ length: Math.log2(GATHER_MAX / GATHER_MIN) + 1 }, (_, k) => GATHER_MIN * 2 ** k));
const active = held.filter((g) => g > 0);

describe('gathering', () => {
  it('stays off or within [GATHER_MIN, GATHER_MAX], whatever a look finds', () => {
    fc.assert(
      fc.property(active, fc.integer({ min: -1, max: 2 ** 30 }), (g, found) => {
        const next = gatherAfter(g, found);
        expect(next === 0 || (next >= GATHER_MIN && next <= GATHER_MAX)).toBe(true);
      }),
    );
  });

  it('stops at once when a wait found nothing (the other side is not running), or when it cannot count (MPMC: −1)', () => {
    fc.assert(
      fc.property(active, fc.constantFrom(0, -1), (g, found) => {
        expect(gatherAfter(g, found)).toBe(0);
      }),
    );
  });

  it('an exchange of single items (ping-pong, capacity 1) turns it off: it shrinks after every wait and is off within log2(max/min) + 1 waits', () => {
    fc.assert(
      fc.property(active, fc.array(fc.integer({ min: 0, max: Math.min(1, GATHER_MORE - 1) }), { minLength: 8, maxLength: 8 }), (g, founds) => {
        let x = g;
        let waits = 0;
        for (const found of founds) {
          if (x === 0) break;
          const next = gatherAfter(x, found);
          expect(next).toBeLessThan(x);
          x = next;
          waits++;
        }
        expect(x).toBe(0);
        expect(waits).toBeLessThanOrEqual(Math.log2(GATHER_MAX / GATHER_MIN) + 1);
      }),
    );
  });

  it('a stream (GATHER_MORE or more found after each wait) grows it to GATHER_MAX and keeps it there', () => {
    fc.assert(
      fc.property(active, fc.array(fc.integer({ min: GATHER_MORE, max: 1 << 20 }), { minLength: 4, maxLength: 12 }), (g, founds) => {
        let x = g;
        for (const found of founds) {
          const next = gatherAfter(x, found);
          expect(next).toBe(Math.min(GATHER_MAX, x * 2));
          x = next;
        }
        if (founds.length >= Math.log2(GATHER_MAX / GATHER_MIN)) expect(x).toBe(GATHER_MAX);
      }),
    );
  });

  it('few items after a wait (a producer slower than the wait) halve it', () => {
    expect(gatherAfter(GATHER_MAX, GATHER_MORE - 1)).toBe(GATHER_MAX / 2);
    expect(gatherAfter(GATHER_MIN * 2, 1)).toBe(GATHER_MIN);
    expect(gatherAfter(GATHER_MIN, 1)).toBe(0);
  });

  it('what a look counts: items ready for the consumer, free slots for the producer, for any capacity and across the 2^30 wrap of the positions', () => {
    const ringAt = fc
      .integer({ min: 1, max: 300 })
      .chain((c) =>
        fc.tuple(
          fc.constant(c),
          fc.oneof(fc.integer({ min: 0, max: 2 ** 30 / oneLapOf(c) - 1 }), fc.constant(2 ** 30 / oneLapOf(c) - 1)),
          fc.integer({ min: 0, max: c - 1 }),
          fc.integer({ min: 0, max: c }),
          fc.integer({ min: 0, max: c }),
        ),
      );
    fc.assert(
      fc.property(ringAt, ([c, lap, index, pushes, pops]) => {
        const a = new Int32Array(new SharedArrayBuffer(W.stamps * 4));
        const start = (lap * oneLapOf(c) + index) | 0;
        a[W.tail] = start;
        a[W.head] = start;
        const ring = new SpscRing(a, c);
        for (let k = 0; k < pushes; k++) {
          expect(ring.claimWrite()).toBeGreaterThanOrEqual(0);
          ring.commitWrite();
        }
        const taken = Math.min(pops, pushes);
        for (let k = 0; k < taken; k++) {
          expect(ring.claimRead()).toBeGreaterThanOrEqual(0);
          ring.commitRead();
        }
        expect(ring.countReady(true)).toBe(pushes - taken);
        expect(ring.countReady(false)).toBe(c - pushes + taken);
      }),
    );
  });

  it('an MPMC ring cannot count without claiming, so it never gathers (−1)', () => {
    const a = new Int32Array(new SharedArrayBuffer((W.stamps + 8) * 4));
    const ring = new MpmcRing(a, 8);
    expect(ring.countReady(true)).toBe(-1);
    expect(ring.countReady(false)).toBe(-1);
  });
});

/** An SPSC ring of capacity `c` in a fresh header, with `n` items pushed. */
function spscWith(c: number, n: number): SpscRing {
  const ring = new SpscRing(new Int32Array(new SharedArrayBuffer(W.stamps * 4)), c);
  for (let k = 0; k < n; k++) {
    ring.claimWrite();
    ring.commitWrite();
  }
  return ring;
}

/** Takes `n` items off `ring` (its consumer side). */
function take(ring: SpscRing, n: number): void {
  for (let k = 0; k < n; k++) {
    ring.claimRead();
    ring.commitRead();
  }
}

// One thread plays both sides, so what a look finds is set up beforehand: these are the laws of
// how pause() uses the policy, not of its timing (bench/channels.mjs measures that).
describe('gathering in pause()', () => {
  it('a look that finds an item at once starts it on that side only; a wait that finds two or more doubles it', () => {
    const consumer = spscWith(8, 3);
    expect(pause(consumer, true, Number.POSITIVE_INFINITY, 'pop')).toBe(true);
    expect([consumer.gatherConsumer, consumer.gatherProducer]).toEqual([GATHER_MIN, 0]);
    expect(pause(consumer, true, Number.POSITIVE_INFINITY, 'pop')).toBe(true);
    expect([consumer.gatherConsumer, consumer.gatherProducer]).toEqual([GATHER_MIN * 2, 0]);

    const producer = spscWith(8, 5); // 3 free slots
    producer.gatherConsumer = GATHER_MAX; // the other side's state is not this side's
    expect(pause(producer, false, Number.POSITIVE_INFINITY, 'push')).toBe(true);
    expect([producer.gatherProducer, producer.gatherConsumer]).toEqual([GATHER_MIN, GATHER_MAX]);
  });

  it('a wait that finds one item halves it, and capacity 1 never holds more than the minimum', () => {
    const ring = spscWith(4, 1);
    ring.gatherConsumer = GATHER_MIN * 4;
    pause(ring, true, Number.POSITIVE_INFINITY, 'pop');
    expect(ring.gatherConsumer).toBe(GATHER_MIN * 2);

    const one = spscWith(1, 0);
    for (let k = 0; k < 20; k++) {
      one.claimWrite();
      one.commitWrite();
      expect(pause(one, true, Number.POSITIVE_INFINITY, 'pop')).toBe(true);
      expect([0, GATHER_MIN]).toContain(one.gatherConsumer);
      take(one, 1);
    }
  });

  it('an MPMC ring never starts it', () => {
    const ring = new MpmcRing(new Int32Array(new SharedArrayBuffer((W.stamps + 8) * 4)), 8);
    ring.claimWrite();
    ring.commitWrite();
    expect(pause(ring, true, Number.POSITIVE_INFINITY, 'pop')).toBe(true);
    expect(pause(ring, false, Number.POSITIVE_INFINITY, 'push')).toBe(true);
    expect([ring.gatherConsumer, ring.gatherProducer]).toEqual([0, 0]);
  });

  it('closed and drained while gathering: pause returns at once (the caller sees the end) and gathering stops', () => {
    const ring = spscWith(4, 0);
    ring.gatherConsumer = GATHER_MAX;
    ring.markClosed(); // what close() does first
    Atomics.store(ring.a, W.closed, 1);
    const t0 = performance.now();
    expect(pause(ring, true, performance.now() + 5_000, 'pop')).toBe(true);
    expect(performance.now() - t0).toBeLessThan(2_000); // not the 5 s sleep
    expect(ring.gatherConsumer).toBe(0);
  });

  it('nothing found after gathering: gathering stops and the caller sleeps (here, to its deadline)', () => {
    const ring = spscWith(4, 0);
    ring.gatherConsumer = GATHER_MAX;
    const t0 = performance.now();
    expect(pause(ring, true, performance.now() + 30, 'pop')).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25); // it slept; it did not return after the idle
    expect(ring.gatherConsumer).toBe(0);
  });

  it('the async forms never gather nor change what the blocking forms learned', async () => {
    const ring = spscWith(8, 3);
    ring.gatherConsumer = GATHER_MIN * 2;
    expect(await pauseAsync(ring, true, Number.POSITIVE_INFINITY)).toBe(true);
    expect(await pauseAsync(ring, false, Number.POSITIVE_INFINITY)).toBe(true);
    expect([ring.gatherConsumer, ring.gatherProducer]).toEqual([GATHER_MIN * 2, 0]);
  });
});
