// Channels against a model of their positions, with slots left lent across operations: several
// channel objects over one channel in one thread (MPMC: two producers and two consumers; SPSC: one
// of each), each of which may hold a reserved slot or a lent item while any operation runs on any
// object, and close() at any point. The model follows each position from its claim to its release:
// reserved by an object, committed with a value, lent to a consumer, done. A producer's claim needs
// the slot's previous lap done; a consumer's claim needs the next position committed (a slot still
// reserved holds the consumers behind it). Every outcome must match: values, "no room" and
// "nothing now", and the errors (ChannelClosedError; SyncError 'slot_state' for a second lend, a
// commit or release with nothing lent, and a copying form on an object that holds a lent slot).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attach, Channel, ChannelClosedError, type ChannelMode, errorCode, share, struct, SyncError, u32 } from '../../src/index.js';

const Item = struct({ v: u32 }, { name: 'Item' });
type Ch = Channel<typeof Item>;

type Op =
  | { op: 'tryPush' | 'push' | 'tryReserve'; who: number }
  | { op: 'tryPushMany'; who: number; n: number }
  | { op: 'commit' | 'tryPop' | 'pop' | 'tryFront' | 'release'; who: number }
  | { op: 'tryPopMany'; who: number; n: number }
  | { op: 'close' };

const who = fc.integer({ min: 0, max: 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('tryPush' as const, 'push' as const, 'tryReserve' as const), who }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tryPushMany' as const), who, n: fc.integer({ min: 0, max: 5 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constantFrom('commit' as const, 'tryPop' as const, 'pop' as const, 'tryFront' as const, 'release' as const), who }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tryPopMany' as const), who, n: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const) }) },
);

type Slot = { state: 'reserved'; by: number; v: number } | { state: 'committed'; v: number } | { state: 'lent'; by: number } | { state: 'done' };

/** The model: every position claimed so far, from 0. */
class Model {
  readonly slots: Slot[] = [];
  head = 0;
  closed = false;
  readonly reserved: (number | null)[] = [null, null]; // position reserved by each producer object
  readonly lent: (number | null)[] = [null, null]; // position lent to each consumer object
  constructor(readonly capacity: number) {}

  /** Whether the next producer position's slot is free (its previous lap is done). */
  room(): boolean {
    const t = this.slots.length;
    return t < this.capacity || this.slots[t - this.capacity]?.state === 'done';
  }

  /** The value at the head if it is committed (a consumer can claim it now). */
  ready(): number | undefined {
    const s = this.slots[this.head];
    return s?.state === 'committed' ? s.v : undefined;
  }
}

/** The outcome of `f`: its value, or the kind of error it threw. */
function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (e instanceof ChannelClosedError) return 'closed';
    if (e instanceof SyncError && errorCode(e) === 'slot_state') return 'slot_state';
    throw e;
  }
}

function run(mode: ChannelMode, capacity: number, ops: readonly Op[]): void {
  const ch = new Channel(Item, capacity, { mode });
  const h = share(ch);
  const objects = mode === 'mpmc' ? 2 : 1;
  const producers: Ch[] = [ch, attach(h, Item)];
  const consumers: Ch[] = [attach(h, Item), attach(h, Item)];
  const m = new Model(capacity);
  let next = 1;

  /** A push of `v` by producer `p` in the model: true, false (no room) or an error. */
  const push = (p: number, v: number): unknown => {
    if (m.closed) return 'closed';
    if (m.reserved[p] !== null) return 'slot_state';
    if (!m.room()) return false;
    m.slots.push({ state: 'committed', v });
    return true;
  };
  /** A copying pop by consumer `c` in the model: the value, undefined (nothing now) or an error. */
  const pop = (c: number): unknown => {
    if (m.lent[c] !== null) return 'slot_state';
    const v = m.ready();
    if (v !== undefined) m.slots[m.head++] = { state: 'done' };
    return v === undefined ? undefined : { v };
  };

  for (const o of ops) {
    if (o.op === 'close') {
      ch.close();
      m.closed = true;
      continue;
    }
    const k = o.who % objects;
    const P = producers[k] as Ch;
    const C = consumers[k] as Ch;
    switch (o.op) {
      case 'tryPush':
      case 'push': {
        const v = next++;
        const got = outcome(() => (o.op === 'push' ? P.push({ v }, 0) : P.tryPush({ v })));
        expect(got).toEqual(push(k, v));
        break;
      }
      case 'tryPushMany': {
        const vs = Array.from({ length: o.n }, () => ({ v: next++ }));
        const got = outcome(() => P.tryPushMany(vs));
        let want: unknown = m.closed ? 'closed' : m.reserved[k] !== null ? 'slot_state' : 0;
        if (want === 0) {
          let n = 0;
          while (n < vs.length && push(k, (vs[n] as { v: number }).v) === true) n++;
          want = n;
        }
        expect(got).toEqual(want);
        break;
      }
      case 'tryReserve': {
        const v = next++;
        const got = outcome(() => {
          const s = P.tryReserve();
          if (s !== null) s.v = v;
          return s === null ? null : 'lent';
        });
        let want: unknown;
        if (m.closed) want = 'closed';
        else if (m.reserved[k] !== null) want = 'slot_state';
        else if (!m.room()) want = null;
        else {
          m.reserved[k] = m.slots.length;
          m.slots.push({ state: 'reserved', by: k, v });
          want = 'lent';
        }
        expect(got).toEqual(want);
        break;
      }
      case 'commit': {
        const got = outcome(() => P.commit());
        const at = m.reserved[k];
        if (at === null || at === undefined) expect(got).toBe('slot_state');
        else if (mode === 'spsc' && m.closed) {
          // SPSC publishes at the commit (MPMC at the claim): after close() it fails and nothing
          // is published; the reserved position (the last one: one producer) is given back.
          expect(got).toBe('closed');
          m.slots.splice(at, 1);
          m.reserved[k] = null;
        } else {
          expect(got).toBeUndefined();
          const s = m.slots[at] as Slot & { v: number };
          m.slots[at] = { state: 'committed', v: s.v };
          m.reserved[k] = null;
        }
        break;
      }
      case 'tryPop':
      case 'pop': {
        const got = outcome(() => (o.op === 'pop' ? C.pop(0) : C.tryPop()));
        expect(got).toEqual(pop(k));
        break;
      }
      case 'tryPopMany': {
        const into: unknown[] = new Array(o.n);
        const got = outcome(() => C.tryPopMany(into as never));
        if (m.lent[k] !== null) expect(got).toBe('slot_state');
        else {
          const want: unknown[] = [];
          while (want.length < o.n && m.ready() !== undefined) want.push(pop(k));
          expect(got).toBe(want.length);
          expect(into.slice(0, want.length)).toEqual(want);
        }
        break;
      }
      case 'tryFront': {
        const got = outcome(() => C.tryFront()?.v ?? null);
        let want: unknown;
        if (m.lent[k] !== null) want = 'slot_state';
        else {
          const v = m.ready();
          if (v === undefined) want = null;
          else {
            m.lent[k] = m.head;
            m.slots[m.head++] = { state: 'lent', by: k };
            want = v;
          }
        }
        expect(got).toEqual(want);
        break;
      }
      case 'release': {
        const got = outcome(() => C.release());
        const at = m.lent[k];
        if (at === null || at === undefined) expect(got).toBe('slot_state');
        else {
          expect(got).toBeUndefined();
          m.slots[at] = { state: 'done' };
          m.lent[k] = null;
        }
        break;
      }
    }
  }
  // Give back every lent slot, then close and drain through a fresh object: exactly what the model still holds, in order.
  for (let k = 0; k < objects; k++) {
    const at = m.reserved[k] ?? null;
    if (at !== null && mode === 'spsc' && m.closed) {
      expect(() => (producers[k] as Ch).commit()).toThrow(ChannelClosedError);
      m.slots.splice(at, 1);
    } else if (at !== null) (producers[k] as Ch).commit();
    if (m.lent[k] !== null) (consumers[k] as Ch).release();
  }
  ch.close();
  const rest = m.slots
    .slice(m.head)
    .map((s) => (s.state === 'reserved' || s.state === 'committed' ? { v: s.v } : null))
    .filter((x) => x !== null);
  const reader = attach(h, Item);
  expect([...reader]).toEqual(rest);
  expect(reader.done).toBe(true);
}

describe.each<ChannelMode>(['spsc', 'mpmc'])('%s: objects that keep slots lent across operations agree with the model', (mode) => {
  it('any sequence of lends, copies, commits, releases and close', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 80 }), (capacity, ops) => run(mode, capacity, ops)),
      { numRuns: 400 },
    );
  });
});
