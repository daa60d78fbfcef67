// Laws of ring positions (any capacity, counters wrapping at 2^30: bit 31 of the tail word is the
// closed mark, bit 30 of the tail and bit 31 of the head SPSC's asleep bits) and of whole channels
// against a model queue, started at positions chosen to cross the 2^29 and 2^30 wrap-arounds of
// the counters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { W } from '../../src/channels/format.js';
import { advance, indexOf, isFull, MAX_CAPACITY, nextPos, oneLapOf, POS_MASK, sizeOf } from '../../src/channels/positions.js';

/** Where the position counters wrap (2^30). */
const WRAP = POS_MASK + 1;
import { array, attach, Channel, type ChannelMode, char, f32, f64, i64, share, struct, u16, u32 } from '../../src/index.js';

/** A capacity: small ones often (wrap-around every few items), up to the largest. */
const capacity = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: MAX_CAPACITY }));

/** A valid position of a ring of capacity `c`: any lap (30 bits: the two top bits are marks), an index below `c`; often near the wrap of the counter. */
function position(c: number): fc.Arbitrary<number> {
  const oneLap = oneLapOf(c);
  const laps = WRAP / oneLap;
  const lap = fc.oneof(fc.integer({ min: 0, max: laps - 1 }), fc.constantFrom(0, laps - 1, laps / 2 - 1, laps / 2));
  return fc.tuple(lap, fc.integer({ min: 0, max: c - 1 })).map(([l, i]) => (l * oneLap + i) | 0);
}

const ringAt = capacity.chain((c) => fc.tuple(fc.constant(c), position(c)));

/** The position `n` items after `pos`, step by step. */
function stepped(pos: number, n: number, c: number): number {
  let p = pos;
  for (let k = 0; k < n; k++) p = nextPos(p, c, oneLapOf(c));
  return p;
}

describe('ring positions', () => {
  it('oneLap is the smallest power of two above the capacity', () => {
    fc.assert(
      fc.property(capacity, (c) => {
        const lap = oneLapOf(c);
        expect(lap > c && lap / 2 <= c && (lap & (lap - 1)) === 0).toBe(true);
      }),
    );
  });

  it('the next position has the next index (mod capacity) and stays a valid Int32 position', () => {
    fc.assert(
      fc.property(ringAt, ([c, pos]) => {
        const oneLap = oneLapOf(c);
        const next = nextPos(pos, c, oneLap);
        expect(next).toBe(next | 0);
        expect(indexOf(next, oneLap)).toBe((indexOf(pos, oneLap) + 1) % c);
        // A lap later (c steps), the same index: and after 2^30 / oneLap laps, the same position.
        expect(indexOf(advance(pos, c, c, oneLap), oneLap)).toBe(indexOf(pos, oneLap));
      }),
    );
  });

  it('advance(pos, n) is n steps, sizeOf counts them back and isFull is n = capacity, across 2^30', () => {
    fc.assert(
      fc.property(
        ringAt.chain(([c, pos]) => fc.tuple(fc.constant(c), fc.constant(pos), fc.integer({ min: 0, max: Math.min(c, 3000) }))),
        ([c, pos, n]) => {
          const oneLap = oneLapOf(c);
          const end = advance(pos, n, c, oneLap);
          if (n <= 3000) expect(end).toBe(stepped(pos, n, c));
          expect(sizeOf(pos, end, c, oneLap)).toBe(n);
          expect(isFull(pos, end, oneLap)).toBe(n === c);
        },
      ),
    );
  });

  it('large capacities: a full lap from any head is full, one less is not', () => {
    fc.assert(
      fc.property(ringAt, ([c, head]) => {
        const oneLap = oneLapOf(c);
        expect(sizeOf(head, advance(head, c, c, oneLap), c, oneLap)).toBe(c);
        expect(isFull(head, advance(head, c, c, oneLap), oneLap)).toBe(true);
        if (c > 1) expect(isFull(head, advance(head, c - 1, c, oneLap), oneLap)).toBe(false);
      }),
    );
  });

  it('the counter wraps at 2^30 without a jump in the slot index (capacity 3, not a power of two)', () => {
    // oneLap 4: the last lap before the wrap starts at 2^30 − 4.
    const top = WRAP;
    expect(top).toBe(2 ** 30);
    const last = [top - 4, top - 3, top - 2];
    expect(last.map((p) => indexOf(p, 4))).toEqual([0, 1, 2]);
    expect(nextPos(top - 2, 3, 4)).toBe(0); // index 2 of the last lap → index 0 of lap 0
    expect(advance(top - 3, 2, 3, 4)).toBe(0);
    expect(sizeOf(top - 3, 0, 3, 4)).toBe(2);
    expect(isFull(top - 4, 0, 4)).toBe(true);
    // No position has bit 30 or 31 (the marks): every result of the arithmetic is below 2^30.
    for (const p of last) expect(nextPos(p, 3, 4)).toBeLessThan(top);
    for (const p of last) expect(nextPos(p, 3, 4)).toBeGreaterThanOrEqual(0);
    // Counting items modulo the capacity instead would jump: 2^30 mod 3 = 1.
    expect(2 ** 30 % 3).toBe(1);
  });
});

// ---- whole channels against a model ----------------------------------------------------------------

/** Moves a fresh channel's counters to `pos` (all slots free), as if 2^30-scale traffic had gone through. */
function startAt(ch: Channel, pos: number): void {
  const a = new Int32Array(ch.buffer);
  const c = ch.capacity;
  const oneLap = oneLapOf(c);
  a[W.head] = pos;
  a[W.tail] = pos;
  if (ch.mode === 'mpmc') {
    // Slot i is free for the first position of index i from `pos` on; stamps are stored minus the index.
    for (let k = 0, q = pos; k < c; k++, q = nextPos(q, c, oneLap)) a[W.stamps + indexOf(q, oneLap)] = (q - indexOf(q, oneLap)) | 0;
  }
}

type Op =
  | { op: 'push'; v: number }
  | { op: 'pop' }
  | { op: 'pushMany'; n: number }
  | { op: 'popMany'; n: number }
  | { op: 'reserve'; v: number }
  | { op: 'front' }
  | { op: 'size' }
  | { op: 'reattach' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('push' as const), v: fc.integer({ min: 0, max: 65535 }) }),
  fc.record({ op: fc.constant('pop' as const) }),
  fc.record({ op: fc.constant('pushMany' as const), n: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ op: fc.constant('popMany' as const), n: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ op: fc.constant('reserve' as const), v: fc.integer({ min: 0, max: 65535 }) }),
  fc.record({ op: fc.constant('front' as const) }),
  fc.record({ op: fc.constant('size' as const) }),
  fc.record({ op: fc.constant('reattach' as const) }),
);

const Item = struct({ v: u32, w: u16, tag: char(3) }, { name: 'Item' });

describe.each<ChannelMode>(['spsc', 'mpmc'])('%s channel = a bounded FIFO queue, from any counter position', (mode) => {
  it('every sequence of try… operations agrees with the model', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }).chain((c) => fc.tuple(fc.constant(c), position(c), fc.array(op, { maxLength: 120 }))),
        ([c, pos, ops]) => {
          let ch = new Channel(Item, c, { mode });
          startAt(ch, pos);
          const model: number[] = [];
          let next = 0;
          const item = (v: number) => ({ v, w: v & 0xffff, tag: String(v % 1000) });
          for (const o of ops) {
            switch (o.op) {
              case 'push':
                expect(ch.tryPush(item(o.v))).toBe(model.length < c);
                if (model.length < c) model.push(o.v);
                break;
              case 'pop': {
                const got = ch.tryPop();
                const want = model.shift();
                expect(got).toEqual(want === undefined ? undefined : item(want));
                break;
              }
              case 'pushMany': {
                const vs = Array.from({ length: o.n }, () => next++);
                const k = ch.tryPushMany(vs.map(item));
                expect(k).toBe(Math.min(o.n, c - model.length));
                model.push(...vs.slice(0, k));
                break;
              }
              case 'popMany': {
                const into: unknown[] = new Array(o.n);
                const k = ch.tryPopMany(into as never);
                expect(k).toBe(Math.min(o.n, model.length));
                expect(into.slice(0, k)).toEqual(model.splice(0, k).map(item));
                break;
              }
              case 'reserve': {
                const s = ch.tryReserve();
                expect(s !== null).toBe(model.length < c);
                if (s !== null) {
                  s.set(item(o.v));
                  ch.commit();
                  model.push(o.v);
                }
                break;
              }
              case 'front': {
                const s = ch.tryFront();
                const want = model.shift();
                expect(s === null ? undefined : s.toObject()).toEqual(want === undefined ? undefined : item(want));
                if (s !== null) ch.release();
                break;
              }
              case 'size':
                expect([ch.size(), ch.empty(), ch.full()]).toEqual([model.length, model.length === 0, model.length === c]);
                break;
              case 'reattach': // another object over the same buffer takes over both ends (stale caches must not matter)
                ch = attach(share(ch), Item);
                break;
            }
          }
          // Drain: exactly the model, then nothing.
          ch.close();
          expect([...ch]).toEqual(model.map(item));
          expect(ch.done).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('numeric elements (typed-array fast path) and bigints through batches and single items, across the wrap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }).chain((c) => fc.tuple(fc.constant(c), position(c), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 40 }))),
        ([c, pos, sizes]) => {
          const f = new Channel(f32, c, { mode });
          const b = new Channel(i64, c, { mode });
          startAt(f, pos);
          startAt(b, pos);
          const mf: number[] = [];
          const mb: bigint[] = [];
          let n = 0;
          for (const s of sizes) {
            if (s % 2 === 0) {
              const src = Float32Array.from({ length: s }, () => n++ + 0.5);
              const k = f.tryPushMany(src);
              mf.push(...src.slice(0, k));
              const bsrc = BigInt64Array.from(src.slice(0, k), (x) => BigInt(Math.floor(x)) - 2n ** 62n);
              expect(b.tryPushMany(bsrc)).toBe(k);
              mb.push(...bsrc);
            } else {
              const into = new Float32Array(s);
              const k = f.tryPopMany(into);
              expect(Array.from(into.subarray(0, k))).toEqual(mf.splice(0, k));
              for (let j = 0; j < k; j++) expect(b.tryPop()).toBe(mb.shift());
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('batches of any length, offset and count, from and into typed arrays, array views (bytes) and arrays: the model, canaries untouched', () => {
    // Capacities and batches large enough for multi-slot runs that wrap and for the unrolled copies (16 at a time, then the rest).
    const kind = fc.constantFrom('typed', 'view', 'array');
    const span = fc
      .integer({ min: 0, max: 70 })
      .chain((len) =>
        fc.integer({ min: 0, max: len }).chain((offset) => fc.tuple(fc.constant(len), fc.constant(offset), fc.integer({ min: 0, max: len - offset }))),
      );
    const batchOp = fc.record({ push: fc.boolean(), kind, span });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }).chain((c) => fc.tuple(fc.constant(c), position(c), fc.array(batchOp, { maxLength: 40 }))),
        ([c, pos, ops]) => {
          const ch = new Channel(f64, c, { mode });
          startAt(ch, pos);
          const model: number[] = [];
          let next = 0;
          const SENTINEL = -1;
          for (const op of ops) {
            const [len, offset, count] = op.span;
            const kind = op.kind === 'view' && len === 0 ? 'typed' : op.kind; // no array of length 0
            const push = op.push;
            if (push) {
              const values = Array.from({ length: len }, () => next++ + 0.25);
              const src = kind === 'typed' ? Float64Array.from(values) : kind === 'view' ? array(f64, len).create(values) : values;
              const k = ch.tryPushMany(src as never, offset, count);
              expect(k).toBe(Math.min(count, c - model.length));
              model.push(...values.slice(offset, offset + k));
            } else {
              const dst =
                kind === 'typed'
                  ? new Float64Array(len).fill(SENTINEL)
                  : kind === 'view'
                    ? array(f64, len).create(new Array(len).fill(SENTINEL))
                    : new Array(len).fill(SENTINEL);
              const k = ch.tryPopMany(dst as never, offset, count);
              expect(k).toBe(Math.min(count, model.length));
              const got = kind === 'view' ? (dst as { toArray(): number[] }).toArray() : Array.from(dst as ArrayLike<number>);
              const want = new Array(len).fill(SENTINEL);
              want.splice(offset, k, ...model.splice(0, k));
              expect(got).toEqual(want);
            }
            expect(ch.size()).toBe(model.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
