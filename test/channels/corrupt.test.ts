// A channel whose shared words other code overwrote (a buggy or hostile thread or process sharing
// the memory): any value in its head, tail, stamps or waiter words, at any moment, makes its
// operations either work or throw SyncError 'corrupt' (or ChannelClosedError for a push, once bit 31
// of the tail word, the closed mark, is set), and never read or write outside the ring.
// The channel sits between two guard regions of a larger buffer (as in a segment holding other
// data): no guard byte may change, and no popped item may carry the guard's bytes (0xa5; guards
// of zeros too, where a stamp read outside the ring would say "free").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attach, Channel, type ChannelMode, errorCode, f64, share, struct, SyncError, u32 } from '../../src/index.js';
import { W } from '../../src/channels/format.js';

const GUARD = 256;
/** What the guards hold: a pattern no test item carries (a popped item with it was read from a guard), or zeros (a slot's stamp there looks free). */
const GUARD_BYTES = [0xa5, 0x00] as const;
const GUARD_U32 = 0xa5a5a5a5;
const Item = struct({ x: f64, id: u32 }, { name: 'Item' });

/** The words a peer could overwrite: positions, the first stamps, waiter counts and sequences. */
const WORDS = [W.tail, W.head, W.stamps, W.stamps + 1, W.stamps + 5, W.consumersWaiting, W.producersWaiting, W.notEmpty, W.notFull];

type Op =
  | { op: 'corrupt'; word: number; value: number }
  | { op: 'push'; id: number }
  | { op: 'pop' }
  | { op: 'reserve'; id: number }
  | { op: 'front' }
  | { op: 'pushMany'; ids: number[] }
  | { op: 'popMany'; n: number }
  | { op: 'pushWait'; id: number }
  | { op: 'popWait' };

const id = fc.integer({ min: 0, max: 0x7fffffff });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('corrupt' as const),
      word: fc.constantFrom(...WORDS),
      value: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 40 })),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('push' as const), id }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('pop' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reserve' as const), id }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('front' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pushMany' as const), ids: fc.array(id, { maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('popMany' as const), n: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pushWait' as const), id }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('popWait' as const) }) },
);

/** Runs `ops` on a channel of `kind` between guards; returns the outcome of each op. */
function run(kind: 'u32' | 'struct', mode: ChannelMode, capacity: number, ops: readonly Op[], guardByte: number = GUARD_BYTES[0]): string[] {
  const element = kind === 'u32' ? u32 : Item;
  const length = Channel.byteLength(element, capacity, { mode });
  const buffer = new SharedArrayBuffer(GUARD + length + GUARD);
  const bytes = new Uint8Array(buffer);
  const ch = new Channel(element as typeof Item, capacity, { mode, memory: buffer, byteOffset: GUARD });
  bytes.fill(guardByte, 0, GUARD);
  bytes.fill(guardByte, GUARD + length);
  const words = new Int32Array(buffer, GUARD);
  const item = (n: number) => (kind === 'u32' ? n : { x: n / 2, id: n }) as never;
  const idOf = (v: unknown): number => (kind === 'u32' ? (v as number) : (v as { id: number }).id);
  const outcomes: string[] = [];
  for (const o of ops) {
    let outcome = 'ok';
    try {
      switch (o.op) {
        case 'corrupt':
          if (4 * o.word < length) Atomics.store(words, o.word, o.value); // (an SPSC ring has no stamps: its items may start there)
          break;
        case 'push':
          ch.tryPush(item(o.id));
          break;
        case 'pop': {
          const v = ch.tryPop();
          if (v !== undefined) expect(idOf(v)).not.toBe(GUARD_U32);
          break;
        }
        case 'reserve': {
          const slot = ch.tryReserve();
          if (slot !== null) {
            if (kind === 'u32') (slot as unknown as { value: number }).value = o.id;
            else slot.id = o.id;
            ch.commit();
          }
          break;
        }
        case 'front': {
          const slot = ch.tryFront();
          if (slot !== null) {
            expect(kind === 'u32' ? (slot as unknown as { value: number }).value : slot.id).not.toBe(GUARD_U32);
            ch.release();
          }
          break;
        }
        case 'pushMany':
          ch.tryPushMany(o.ids.map(item));
          break;
        case 'popMany': {
          const into: unknown[] = Array.from({ length: o.n }, () => undefined);
          const n = ch.tryPopMany(into as never);
          for (const v of into.slice(0, n)) expect(idOf(v)).not.toBe(GUARD_U32);
          break;
        }
        case 'pushWait':
          ch.push(item(o.id), 0);
          break;
        case 'popWait': {
          const v = ch.pop(0);
          if (v !== undefined) expect(idOf(v)).not.toBe(GUARD_U32);
          break;
        }
      }
    } catch (e) {
      // The only failures allowed: the refusal, typed; or, once bit 31 of the tail word is set
      // (the closed mark: positions.ts), a push that says closed.
      const marked = (Atomics.load(words, W.tail) & 0x80000000) !== 0;
      if (marked && errorCode(e) === 'closed') outcome = 'closed';
      else if (!(e instanceof SyncError) || errorCode(e) !== 'corrupt') throw e;
      else outcome = 'corrupt';
    }
    for (const at of [0, GUARD - 1, GUARD + length, buffer.byteLength - 1]) expect(bytes[at]).toBe(guardByte);
    const size = ch.size();
    expect(size >= 0 && size <= capacity, `size() ${size}`).toBe(true);
    outcomes.push(outcome);
  }
  expect(bytes.subarray(0, GUARD).every((b) => b === guardByte)).toBe(true);
  expect(bytes.subarray(GUARD + length).every((b) => b === guardByte)).toBe(true);
  return outcomes;
}

describe('a channel whose words other code overwrote', () => {
  for (const mode of ['spsc', 'mpmc'] as const) {
    for (const kind of ['u32', 'struct'] as const) {
      it(`${mode}, ${kind} items: every operation works or throws SyncError 'corrupt'; nothing outside the ring is read or written`, () => {
        fc.assert(
          fc.property(fc.integer({ min: 1, max: 9 }), fc.array(op, { maxLength: 60 }), fc.constantFrom(...GUARD_BYTES), (capacity, ops, guard) => {
            run(kind, mode, capacity, ops, guard);
          }),
          { numRuns: 300 },
        );
      });
    }
  }

  it('a position of no slot is refused by name, on both sides, and a channel attached over one too', () => {
    for (const mode of ['spsc', 'mpmc'] as const) {
      expect(
        run('struct', mode, 5, [
          { op: 'corrupt', word: W.tail, value: 7 },
          { op: 'push', id: 1 },
          { op: 'pushMany', ids: [1, 2] },
        ]),
      ).toEqual(['ok', 'corrupt', 'corrupt']);
      expect(run('struct', mode, 5, [{ op: 'push', id: 1 }, { op: 'corrupt', word: W.head, value: 6 }, { op: 'pop' }, { op: 'popMany', n: 3 }])).toEqual([
        'ok',
        'ok',
        'corrupt',
        'corrupt',
      ]);
    }
    for (const mode of ['spsc', 'mpmc'] as const) {
      const ch = new Channel(f64, 5, { mode });
      const words = new Int32Array(ch.buffer);
      words[W.tail] = 5;
      expect(() => ch.tryPush(1)).toThrow(/its tail word holds 5, a position of slot 5, but the ring has 5 slots/);
      // A new end of the channel (another thread attaching it) refuses it at once, in both modes.
      const handle = share(ch);
      expect(() => attach(handle, f64), mode).toThrow(SyncError);
      words[W.tail] = 0;
      words[W.head] = -1; // slot 7 of a ring of 5
      expect(() => attach(handle, f64), mode).toThrow(/its head word holds -1, a position of slot 7, but the ring has 5 slots/);
    }
  });
});

describe('a header overwritten between share() and attach()', () => {
  it.each(['spsc', 'mpmc'] as const)('%s: a larger capacity in the header is refused (its slots would reach past the channel into the next bytes)', (mode) => {
    const len = Channel.byteLength(Item, 5, { mode });
    const memory = new SharedArrayBuffer(len + GUARD);
    const guard = new Uint8Array(memory, len, GUARD).fill(GUARD_BYTES[0]);
    const handle = share(new Channel(Item, 5, { mode, memory, byteOffset: 0 }));
    const words = new Int32Array(memory);
    words[W.capacity] = 16;
    expect(() => attach(handle, Item)).toThrow(SyncError);
    expect(() => attach(handle, Item)).toThrow("the channel's header says 16 slots, but the handle says 5");
    expect(guard.every((b) => b === GUARD_BYTES[0])).toBe(true);
    words[W.capacity] = 5;
    const c = attach(handle, Item);
    for (let i = 0; i < 5; i++) expect(c.tryPush({ x: i, id: i })).toBe(true);
    expect(c.tryPush({ x: 9, id: 9 })).toBe(false);
    expect(guard.every((b) => b === GUARD_BYTES[0])).toBe(true);
  });
  it('a channel handle without its capacity (param) is refused', () => {
    const handle = share(new Channel(Item, 4)) as unknown as Record<string, unknown>;
    for (const param of [undefined, 0, 2.5, '4']) {
      expect(() => attach({ ...handle, param } as never, Item)).toThrow('the channel handle has no capacity');
    }
  });
});
