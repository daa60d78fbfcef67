// The channel API in one thread: every element kind, copying and zero-copy forms, batches, close,
// timeouts, async forms, errors, Python names, handles (see workers.test.ts for real concurrency).
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  array,
  attach,
  bool,
  Channel,
  ChannelClosedError,
  type ChannelMode,
  char,
  Connection,
  f32,
  f64,
  i64,
  JoinableQueue,
  LayoutMismatchError,
  mutex,
  Pipe,
  Queue,
  QueueEmpty,
  QueueFull,
  share,
  struct,
  SyncError,
  u8,
  u16,
  u32,
  u64,
  union,
  type BatchPushError,
  type Handle,
  type SchemaLike,
  sizeof,
  view,
} from '../../src/index.js';
import { W } from '../../src/channels/format.js';
import { codeOf } from '../support/errors.js';

const Particle = struct({ x: f64, y: f64, id: u32, alive: bool }, { name: 'Particle' });
const modes: ChannelMode[] = ['spsc', 'mpmc'];

/** Milliseconds `f` took. */
function timed(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

describe.each(modes)('%s', (mode) => {
  it('carries every kind of element: struct, union, array, char, bool, 64-bit, float', () => {
    const U = union({ i: u32, f: f32 }, { name: 'U' });
    const cases: [unknown, unknown][] = [
      [Particle, { x: 1.5, y: -2, id: 7, alive: true }],
      [U, { i: 0x3fc00000, f: 1.5 }],
      [array(u16, 3), [1, 2, 65535]],
      [char(8), 'héllo'],
      [bool, true],
      [u64, 2n ** 64n - 1n],
      [i64, -(2n ** 63n)],
      [f32, 0.25],
      ['d', Math.PI],
      [
        array(Particle, 2),
        [
          { x: 1, y: 2, id: 3, alive: false },
          { x: 4, y: 5, id: 6, alive: true },
        ],
      ],
    ];
    for (const [schema, value] of cases) {
      const ch = new Channel(schema as typeof Particle, 2, { mode });
      expect(ch.tryPush(value as never)).toBe(true);
      expect(ch.push(value as never, 0)).toBe(true);
      expect(ch.tryPush(value as never)).toBe(false);
      expect(ch.tryPop()).toEqual(value);
      expect(ch.pop(0)).toEqual(value);
      expect(ch.tryPop()).toBeUndefined();
    }
  });

  it('a copied-in object replaces the whole slot: fields it leaves out are zero, not the last lap’s', () => {
    const ch = new Channel(Particle, 1, { mode });
    ch.push({ x: 1, y: 2, id: 3, alive: true });
    ch.pop();
    ch.push({ id: 9 });
    expect(ch.pop()).toEqual({ x: 0, y: 0, id: 9, alive: false });
  });

  it('a copied-in object is written over exactly its slot: zeroed first (padding included), its neighbours untouched, and read back whole, at any element size', () => {
    // 3 and 6 bytes: zeroed (and, in MPMC, staged) byte by byte; 16: word by word, 7 bytes of padding; 324: above the word-wise limit.
    const cases: [SchemaLike, Record<string, unknown>][] = [
      [struct({ a: u8, b: u8, c: u8 }), { b: 7 }],
      [struct({ w: array(u16, 3) }), { w: [1, 2, 3] }],
      [struct({ x: f64, tag: u8 }), { x: Math.PI, tag: 9 }],
      [struct({ big: array(u32, 80), tag: u8 }), { tag: 9 }],
    ];
    for (const [S, value] of cases) {
      const size = sizeof(S);
      const ch = new Channel(S, 3, { mode });
      const data = new Uint8Array(ch.buffer, new Int32Array(ch.buffer, 0, 64)[W.dataOffset], 3 * size);
      data.fill(0xab); // canaries in every slot, padding included
      const expected = new Uint8Array(size);
      (view(S, expected.buffer) as { set(v: unknown): void }).set(value); // the value alone, over zeros
      for (let slot = 0; slot < 3; slot++) {
        expect(ch.tryPush(value as never)).toBe(true);
        expect(Array.from(data.subarray(slot * size, (slot + 1) * size))).toEqual(Array.from(expected));
        expect(data.subarray((slot + 1) * size).every((b) => b === 0xab)).toBe(true);
      }
      // And out again, whole (in MPMC through the consumer's staging copy: byte by byte, word by word, or above the limit).
      const plain = (view(S, expected.buffer) as { toObject(): unknown }).toObject();
      const reader = attach(share(ch), S);
      for (let slot = 0; slot < 3; slot++) expect(reader.tryPop()).toEqual(plain);
    }
  });

  it('a bad value throws a typed error and leaves the channel as it was', () => {
    const ch = new Channel(Particle, 3, { mode });
    ch.push({ id: 1 });
    expect(codeOf(() => ch.push({ id: 'x' } as never))).toBe('invalid_value');
    expect(codeOf(() => ch.tryPush({ nope: 1 } as never))).toBe('unknown_field');
    expect(codeOf(() => ch.tryPush(null as never))).toBe('invalid_value');
    expect(codeOf(() => ch.pushMany([{ id: 2 }, { id: 'y' }] as never))).toBe('invalid_value');
    expect(ch.size()).toBe(2); // {id: 1} and, from the batch, {id: 2} (pushed before the bad one)
    expect([ch.pop()?.id, ch.pop()?.id, ch.tryPop()]).toEqual([1, 2, undefined]);
    const n = new Channel(u32, 2, { mode });
    expect(codeOf(() => n.push('3' as never))).toBe('invalid_value');
    expect(n.size()).toBe(0);
    const c = new Channel(char(2), 2, { mode });
    expect(codeOf(() => c.push('abc'))).toBe('too_long');
    expect(c.size()).toBe(0);
  });

  it('checked: integer overflow throws instead of wrapping', () => {
    const ch = new Channel(u8, 4, { mode, checked: true });
    expect(codeOf(() => ch.push(256))).toBe('out_of_range');
    const wrapping = new Channel(u8, 4, { mode });
    wrapping.push(256);
    expect(wrapping.pop()).toBe(0);
  });

  it('zero-copy: reserve/commit writes in place, front/release reads in place; one view object each, parked in between', () => {
    const ch = new Channel(Particle, 3, { mode });
    const w = ch.reserve();
    expect(w).not.toBeNull();
    if (w === null) return;
    w.x = 1;
    w.id = 42;
    expect(ch.size()).toBe(mode === 'mpmc' ? 1 : 0); // MPMC counts a claimed slot; SPSC publishes at commit
    expect(ch.tryPop()).toBeUndefined(); // not visible before commit
    ch.commit();
    expect(() => w.id).toThrow(RangeError); // parked: no access to a published slot
    const w2 = ch.tryReserve();
    expect(w2).toBe(w); // the same object, nothing allocated
    w2?.set({ id: 43 });
    ch.commit();
    const r = ch.front();
    expect(r?.toObject()).toEqual({ x: 1, y: 0, id: 42, alive: false });
    expect(r).not.toBe(w); // the consumer's view is another object than the producer's
    ch.release();
    expect(() => r?.id).toThrow(RangeError);
    expect(ch.tryFront()?.id).toBe(43);
    ch.release();
    expect(ch.tryFront()).toBeNull();
  });

  it('zero-copy misuse is a SyncError (slot_state)', () => {
    const ch = new Channel(u32, 2, { mode });
    expect(codeOf(() => ch.commit())).toBe('slot_state');
    expect(codeOf(() => ch.release())).toBe('slot_state');
    ch.reserve();
    expect(codeOf(() => ch.reserve())).toBe('slot_state');
    expect(codeOf(() => ch.tryReserve())).toBe('slot_state');
    ch.commit();
    ch.front();
    expect(codeOf(() => ch.tryFront())).toBe('slot_state');
    ch.release();
    expect(() => ch.commit()).toThrow(SyncError);
  });

  it('batches: arrays, typed arrays and array views (bytes), with offset and count; only what fits', () => {
    const ch = new Channel(f64, 5, { mode });
    expect(ch.tryPushMany(new Float64Array([1, 2, 3, 4, 5, 6]), 1, 3)).toBe(3);
    expect(ch.tryPushMany([10, 11, 12])).toBe(2);
    const out = new Float64Array(8);
    expect(ch.tryPopMany(out, 2)).toBe(5);
    expect(Array.from(out)).toEqual([0, 0, 2, 3, 4, 10, 11, 0]);
    expect(codeOf(() => ch.tryPushMany([1], 2))).toBe('out_of_bounds');
    expect(codeOf(() => ch.tryPopMany(out, 0, 9))).toBe('out_of_bounds');
    expect(codeOf(() => ch.tryPushMany(42 as never))).toBe('invalid_argument');

    const ps = new Channel(Particle, 4, { mode });
    const src = array(Particle, 3).create([{ id: 1 }, { id: 2, x: 2.5 }, { id: 3, alive: true }]);
    expect(ps.pushMany(src)).toBe(3);
    const dst = array(Particle, 2).create();
    expect(ps.popMany(dst)).toBe(2);
    expect(dst.toArray()).toEqual([
      { x: 0, y: 0, id: 1, alive: false },
      { x: 2.5, y: 0, id: 2, alive: false },
    ]);
    const rest: unknown[] = [undefined];
    expect(ps.popMany(rest as never, 0)).toBe(1);
    expect(rest).toEqual([{ x: 0, y: 0, id: 3, alive: true }]);
    expect(codeOf(() => ps.popMany([] as never, 0))).toBe('out_of_range'); // it could only return 0
    expect(ps.tryPopMany([] as never)).toBe(0);
  });

  it('batch pops into a target that cannot hold the items are refused before anything is taken (invalid_argument)', async () => {
    const Other = struct({ a: u16 }, { name: 'Other' });
    const cases: [SchemaLike, unknown, unknown[]][] = [
      [u32, 7, [new BigInt64Array(4), Object.freeze([0, 0, 0, 0]), array(Other, 4).create()]],
      [i64, 7n, [new Uint32Array(4), new Float64Array(4)]],
      [
        Particle,
        { x: 0, y: 0, id: 7, alive: false },
        [new Float64Array(4), new Uint8Array(4 * sizeof(Particle)), array(Other, 4).create(), Object.freeze([{}, {}, {}, {}])],
      ],
    ];
    for (const [T, v, targets] of cases) {
      const ch = new Channel(T as typeof u32, 4, { mode });
      for (let k = 0; k < 3; k++) ch.push(v as never);
      for (const into of targets) {
        expect(codeOf(() => ch.tryPopMany(into as never))).toBe('invalid_argument');
        expect(codeOf(() => ch.popMany(into as never, 0))).toBe('invalid_argument');
        await expect(ch.popManyAsync(into as never, 0)).rejects.toThrow(TypeError);
        expect(ch.size()).toBe(3);
      }
      for (let k = 0; k < 3; k++) expect(ch.pop(100)).toEqual(v);
      expect(ch.push(v as never, 100)).toBe(true); // still usable: every slot goes round
      expect(ch.pop(100)).toEqual(v);
    }
    // Typed arrays of another numeric type still take numeric items (converted as typed arrays do).
    const ch = new Channel(u32, 4, { mode });
    ch.pushMany([1, 2, 3]);
    const out = new Float64Array(3);
    expect(ch.popMany(out)).toBe(3);
    expect(Array.from(out)).toEqual([1, 2, 3]);
  });

  it('close: producers get ChannelClosedError, consumers drain then see the end (pop undefined, done, iteration stops)', () => {
    const ch = new Channel(u32, 4, { mode });
    ch.push(1);
    ch.push(2);
    ch.close();
    ch.close(); // again: nothing
    expect(ch.closed).toBe(true);
    expect(ch.done).toBe(false);
    for (const f of [() => ch.push(3), () => ch.tryPush(3), () => ch.reserve(), () => ch.tryReserve(), () => ch.pushMany([3]), () => ch.tryPushMany([3])]) {
      expect(f).toThrow(ChannelClosedError);
      expect(codeOf(f)).toBe('closed');
    }
    expect(ch.pop()).toBe(1);
    expect([...ch]).toEqual([2]);
    expect(ch.done).toBe(true);
    expect(ch.pop()).toBeUndefined(); // at once: no timeout needed at the end
    expect(ch.front()).toBeNull();
    expect(ch.popMany(new Uint32Array(2))).toBe(0);
    expect(ch.poll(-1)).toBe(true); // a pop would return at once (the end)
  });

  it('a tail with the closed mark but no closed word (a close cut off halfway, or other code) is closed for producers: they throw, never wait', () => {
    const ch = new Channel(u32, 2, { mode });
    ch.push(1);
    ch.push(2); // full: before, a blocking push then looked for room for ever
    Atomics.or(new Int32Array(ch.buffer), W.tail, 0x80000000 | 0); // what close() does first
    expect(ch.closed).toBe(false);
    for (const f of [() => ch.push(3), () => ch.tryPush(3), () => ch.reserve(), () => ch.tryReserve(), () => ch.pushMany([3]), () => ch.tryPushMany([3])]) {
      expect(codeOf(f)).toBe('closed');
    }
    expect([...ch]).toEqual([1, 2]); // consumers drain what was there, then see the end
    expect(ch.done).toBe(true);
  });

  it('timeouts are honoured: pop, front, push, reserve, pushMany, popMany, poll', () => {
    const ch = new Channel(u32, 1, { mode });
    expect(timed(() => expect(ch.pop(30)).toBeUndefined())).toBeGreaterThanOrEqual(29);
    expect(timed(() => expect(ch.front(30)).toBeNull())).toBeGreaterThanOrEqual(29);
    expect(timed(() => expect(ch.popMany(new Uint32Array(1), 30)).toBe(0))).toBeGreaterThanOrEqual(29);
    expect(timed(() => expect(ch.poll(30)).toBe(false))).toBeGreaterThanOrEqual(29);
    expect(ch.done).toBe(false); // a timeout, not the end
    ch.push(1);
    expect(timed(() => expect(ch.push(2, 30)).toBe(false))).toBeGreaterThanOrEqual(29);
    expect(timed(() => expect(ch.reserve(30)).toBeNull())).toBeGreaterThanOrEqual(29);
    expect(timed(() => expect(ch.pushMany([2, 3], 30)).toBe(0))).toBeGreaterThanOrEqual(29);
    expect(timed(() => expect(ch.push(2, 0)).toBe(false))).toBeLessThan(25); // 0: just look
    expect(codeOf(() => ch.push(2, Number.NaN))).toBe('invalid_argument'); // checked whether or not it waits (test/sync/timeouts.test.ts)
  });

  it('reserve and front check their timeout before they claim: a bad one takes no slot and no item', () => {
    const ch = new Channel(u32, 1, { mode });
    expect(codeOf(() => ch.reserve(Number.NaN))).toBe('invalid_argument'); // a free slot is there
    const slot = ch.tryReserve(); // still free (an MPMC claim could not be undone)
    expect(slot).not.toBeNull();
    (slot as { value: number }).value = 7;
    ch.commit();
    expect(codeOf(() => ch.front(Number.NaN))).toBe('invalid_argument'); // an item is there
    expect(ch.tryFront()?.value).toBe(7);
    ch.release();
  });

  it('async forms: resolve at once when they can, time out, and wake on close', async () => {
    const ch = new Channel(Particle, 1, { mode });
    expect(await ch.pushAsync({ id: 1 })).toBe(true);
    let t0 = performance.now();
    expect(await ch.pushAsync({ id: 2 }, 30)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(29);
    t0 = performance.now();
    expect(await ch.reserveAsync(30)).toBeNull();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(29);
    expect(await ch.popAsync()).toEqual({ x: 0, y: 0, id: 1, alive: false });
    expect(await ch.popAsync(20)).toBeUndefined();
    expect(await ch.frontAsync(20)).toBeNull();
    expect(await ch.pollAsync(20)).toBe(false);
    const v = await ch.reserveAsync();
    if (v) v.id = 5;
    ch.commit();
    const f = await ch.frontAsync();
    expect(f?.id).toBe(5);
    ch.release();
    expect(await ch.pushManyAsync([{ id: 6 }])).toBe(1);
    const into: unknown[] = [undefined, undefined];
    expect(await ch.popManyAsync(into as never)).toBe(1);
    // A waiting popAsync wakes when another task closes the channel.
    const waiting = ch.popAsync();
    setTimeout(() => ch.close(), 5);
    expect(await waiting).toBeUndefined();
    expect(ch.done).toBe(true);
    await expect(ch.pushAsync({ id: 7 })).rejects.toThrow(ChannelClosedError);
    const seen = [];
    for await (const x of ch) seen.push(x);
    expect(seen).toEqual([]);
  });

  it('a waiting pushAsync is woken by a pop from another task, and for await ends at close', async () => {
    const ch = new Channel(u32, 2, { mode });
    const produced = (async () => {
      for (let k = 0; k < 100; k++) if (!(await ch.pushAsync(k, 10_000))) throw new Error('timed out');
      ch.close();
    })();
    const got: number[] = [];
    for await (const x of ch) got.push(x);
    await produced;
    expect(got).toEqual(Array.from({ length: 100 }, (_, k) => k));
  });

  it('reports itself: mode, capacity, size, closed', () => {
    const ch = new Channel(u32, 3, { mode });
    ch.push(1);
    expect(JSON.parse(JSON.stringify(ch))).toEqual({ mode, capacity: 3, size: 1, closed: false });
    expect(ch.mode).toBe(mode);
    expect(ch.schema).toBe(u32);
    expect(ch.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('creation errors', () => {
  it('capacity, mode and element schema are checked', () => {
    expect(codeOf(() => new Channel(u32, 0))).toBe('out_of_range');
    expect(codeOf(() => new Channel(u32, 1.5))).toBe('out_of_range');
    expect(codeOf(() => new Channel(u32, 2 ** 29))).toBe('out_of_range');
    expect(codeOf(() => new Channel(u32, 4, { mode: 'spmc' as never }))).toBe('invalid_argument');
    expect(codeOf(() => new Channel('z' as never, 4))).toBe('invalid_type');
    expect(codeOf(() => new Channel(mutex() as never, 4))).toBe('misplaced_sync');
    // A lock anywhere inside an element: items are copied as values (batches as bytes), and a copied lock would carry its state.
    const Account = struct({ n: u32, lock: mutex() }, { name: 'Account' });
    expect(() => new Channel(Account, 4)).toThrow(/field 'lock' is a synchronization primitive/);
    expect(() => new Channel(struct({ id: u32, accounts: array(Account, 3) }), 4, { mode: 'spsc' })).toThrow(/field 'accounts\[0\]\.lock'/);
    expect(codeOf(() => new Queue(array(Account, 2), 4))).toBe('misplaced_sync');
    expect(codeOf(() => Pipe(Account))).toBe('misplaced_sync');
    expect(() => new Channel(u32, 0)).toThrow(/capacity must be a whole number from 1 to 536870911 \(got 0\)/);
    // Each names what its caller calls it: a queue's maxsize (no unbounded 0: a fixed buffer), a pipe.
    expect(() => new Queue(u32, undefined as never)).toThrow(
      /^Queue: maxsize must be a whole number from 1 to 536870911 \(got undefined\).*no unbounded maxsize=0/,
    );
    expect(() => new JoinableQueue(u32, 0)).toThrow(/^JoinableQueue: maxsize must be/);
    expect(() => Pipe(u32, { capacity: 0 })).toThrow(/^Pipe: capacity must be/);
  });

  it('any capacity, not only powers of two; the buffer holds T[capacity] in C layout after the header', () => {
    const ch = new Channel(Particle, 1000);
    const headerAndStamps = 512 + 4 * 1000;
    expect(ch.buffer.byteLength).toBe(Math.ceil(headerAndStamps / 64) * 64 + 1000 * 24);
    const spsc = new Channel(Particle, 3, { mode: 'spsc' });
    expect(spsc.buffer.byteLength).toBe(512 + 3 * 24);
  });
});

describe('handles', () => {
  it('share/attach a channel: the same ring, typed, fingerprint checked', () => {
    const ch = new Channel(Particle, 8, { mode: 'spsc' });
    const h = share(ch);
    expect(h.kind).toBe('channel');
    const other = attach(h, Particle);
    expectTypeOf(other).toEqualTypeOf<Channel<typeof Particle>>();
    other.push({ id: 5 });
    expect(ch.pop()?.id).toBe(5);
    const untyped = attach(h); // schema rebuilt from the handle's descriptor
    expect(untyped.mode).toBe('spsc');
    expect(untyped.capacity).toBe(8);
    expect(() => attach(h, struct({ x: f64, y: f64, id: u16, alive: bool }))).toThrow(LayoutMismatchError);
  });

  it('queues and pipe ends keep their class', () => {
    const q = attach(share(new JoinableQueue(u32, 4)), u32);
    expectTypeOf(q).toEqualTypeOf<JoinableQueue<typeof u32>>();
    expect(q).toBeInstanceOf(JoinableQueue);
    expect(attach(share(new Queue(u32, 4)))).toBeInstanceOf(Queue);
    const [a, b] = Pipe(f64);
    const b2 = attach(share(b), f64);
    expectTypeOf(b2).toEqualTypeOf<Connection<typeof f64>>();
    a.send(2.5);
    expect(b2.recv()).toBe(2.5);
    const [r, w] = Pipe(f64, { duplex: false });
    const w2 = attach(share(w));
    expect([w2.readable, w2.writable]).toEqual([false, true]);
    w2.send(1);
    expect(r.recv()).toBe(1);
    const typed = share(new Channel(u32, 2)) as Handle<Channel<typeof u32>>;
    expectTypeOf(attach(typed)).toEqualTypeOf<Channel<typeof u32>>();
  });

  it('hostile handles are refused with a typed error, never read out of bounds', () => {
    const ch = new Channel(Particle, 4);
    const h = share(ch);
    const forged = (patch: object) => ({ ...h, ...patch }) as typeof h;
    expect(codeOf(() => attach(forged({ buffer: new SharedArrayBuffer(64) }), Particle))).toBe('out_of_bounds'); // too small for a header
    expect(codeOf(() => attach(forged({ buffer: new SharedArrayBuffer(4096) }), Particle))).toBe('invalid_argument'); // no header
    expect(codeOf(() => attach(forged({ byteOffset: 8 }), Particle))).toBe('invalid_argument');
    // A buffer whose header claims more than it holds.
    const copy = new SharedArrayBuffer(ch.buffer.byteLength);
    new Uint8Array(copy).set(new Uint8Array(ch.buffer));
    new Int32Array(copy)[3] = 1000; // capacity
    expect(codeOf(() => attach(forged({ buffer: copy }), Particle))).toBe('out_of_bounds');
    new Int32Array(copy)[3] = 0;
    expect(codeOf(() => attach(forged({ buffer: copy }), Particle))).toBe('invalid_argument');
    new Int32Array(copy)[3] = 4;
    new Int32Array(copy)[1] = 1; // version 1: 32-bit positions, no closed mark
    expect(() => attach(forged({ buffer: copy }), Particle)).toThrow(/format version 1; this library reads version 3/);
    new Int32Array(copy)[1] = 2; // version 2: 31-bit positions, no asleep bits (a version 3 push would sleep unheard by it)
    expect(() => attach(forged({ buffer: copy }), Particle)).toThrow(/format version 2; this library reads version 3/);
    new Int32Array(copy)[1] = 3;
    new Int32Array(copy)[4] = 16; // element size
    expect(codeOf(() => attach(forged({ buffer: copy }), Particle))).toBe('layout_mismatch');
    expect(codeOf(() => attach(forged({ kind: 'connection', incoming: { bogus: 1 } } as never)))).toBe('invalid_argument');
  });
});

describe('Python names', () => {
  it('Queue: put/get/put_nowait/get_nowait/qsize/empty/full/close', () => {
    const q = new Queue(Particle, 2);
    expect(q.mode).toBe('mpmc');
    expect([q.qsize(), q.empty(), q.full()]).toEqual([0, true, false]);
    q.put({ id: 1 });
    q.put_nowait({ id: 2 });
    expect([q.qsize(), q.empty(), q.full()]).toEqual([2, false, true]);
    expect(() => q.put_nowait({ id: 3 })).toThrow(QueueFull);
    expect(codeOf(() => q.put({ id: 3 }, true, 20))).toBe('full');
    expect(q.get().id).toBe(1);
    expect(q.get_nowait().id).toBe(2);
    expect(() => q.get_nowait()).toThrow(QueueEmpty);
    expect(timed(() => expect(codeOf(() => q.get(true, 30))).toBe('empty'))).toBeGreaterThanOrEqual(29);
    q.put({ id: 4 });
    q.close();
    expect(codeOf(() => q.put({ id: 5 }))).toBe('closed');
    expect(() => q.put_nowait({ id: 5 })).toThrow(/^Queue\.put\(\): the queue is closed$/); // the method called, not the channel's push
    expect(q.get().id).toBe(4); // drains first …
    expect(() => q.get()).toThrow(ChannelClosedError); // … then raises (Python's queue.ShutDown)
    expect(codeOf(() => q.get_nowait())).toBe('closed');
  });

  it('Queue async: putAsync/getAsync', async () => {
    const q = new Queue(u32, 1);
    await q.putAsync(1);
    await expect(q.putAsync(2, 10)).rejects.toThrow(QueueFull);
    expect(await q.getAsync()).toBe(1);
    await expect(q.getAsync(10)).rejects.toThrow(QueueEmpty);
    q.close();
    await expect(q.getAsync()).rejects.toThrow(ChannelClosedError);
    await expect(q.putAsync(3)).rejects.toThrow(/^Queue\.putAsync\(\): the queue is closed$/);
  });

  it('JoinableQueue: every push counts (any method), task_done counts down, join waits for zero', async () => {
    const q = new JoinableQueue(u32, 8);
    q.put(1);
    q.push(2);
    q.pushMany([3, 4]);
    const v = q.reserve();
    if (v) v.value = 5;
    q.commit();
    expect(q.unfinished).toBe(5);
    expect(q.join(10)).toBe(false);
    for (let k = 0; k < 5; k++) {
      q.get();
      q.task_done();
    }
    expect(q.join(0)).toBe(true);
    expect(() => q.task_done()).toThrow(RangeError);
    expect(codeOf(() => q.taskDone())).toBe('out_of_range');
    expect(q.unfinished).toBe(0);
    q.put(6);
    const joined = q.joinAsync(5000);
    setTimeout(() => {
      q.get();
      q.task_done();
    }, 5);
    expect(await joined).toBe(true);
    expect(await q.joinAsync(0)).toBe(true);
  });

  it('Pipe: duplex ends send both ways; close gives EOF (ChannelClosedError) after what was sent', async () => {
    const [a, b] = Pipe(Particle, { capacity: 2 });
    a.send({ id: 1 });
    b.send({ id: 2 });
    expect(b.poll()).toBe(true);
    expect(b.recv().id).toBe(1);
    expect(b.poll(10)).toBe(false);
    expect((await a.recvAsync()).id).toBe(2);
    expect(await a.pollAsync(5)).toBe(false);
    expect(codeOf(() => a.recv(10))).toBe('empty');
    a.send({ id: 3 });
    a.close();
    expect(a.closed && b.closed).toBe(true);
    expect(codeOf(() => b.send({ id: 4 }))).toBe('closed'); // Python: BrokenPipeError
    expect(() => b.send({ id: 4 })).toThrow(/^Connection\.send\(\): the connection is closed$/);
    await expect(b.sendAsync({ id: 4 })).rejects.toThrow(/^Connection\.sendAsync\(\): the connection is closed$/);
    expect(b.recv().id).toBe(3);
    expect(() => b.recv()).toThrow(ChannelClosedError); // Python: EOFError
    await expect(b.recvAsync()).rejects.toThrow(ChannelClosedError);
    expect(b.poll()).toBe(true); // recv would not block: it raises at once
    // The end closed is done, even with items still unread (Python: OSError, handle is closed).
    const [c, d] = Pipe(u32);
    c.send(7);
    d.close();
    for (const f of [() => d.recv(), () => d.poll(), () => d.send(1)]) expect(f).toThrow(/^Connection\.\w+\(\): this end was closed/);
    await expect(d.recvAsync()).rejects.toThrow(ChannelClosedError);
    expect(codeOf(() => c.send(8))).toBe('closed');
    const [r, w] = Pipe(u32, { duplex: false });
    expect(codeOf(() => r.send(1))).toBe('invalid_argument');
    expect(codeOf(() => w.recv())).toBe('invalid_argument');
    expect(await w.sendAsync(1)).toBe(true);
    expect(r.recv()).toBe(1);
    expect(codeOf(() => new Connection(null, null))).toBe('invalid_argument');
    expect(codeOf(() => new Connection(new Channel(u32, 2), null))).toBe('invalid_argument'); // MPMC: not a pipe's channel
  });
});

describe('values that cannot go in, batches cut short, and what a caller gave', () => {
  it.each(modes)('%s: a value that cannot be converted throws at once, also when the channel is full (never a wait, never "no room")', (mode) => {
    const nums = new Channel(u32, 1, { mode });
    nums.push(1);
    const t0 = performance.now();
    // With a timeout, so that a regression shows as a failed expectation, not a hung test.
    expect(() => nums.push('x' as never, 200)).toThrow(TypeError);
    expect(performance.now() - t0).toBeLessThan(150);
    expect(() => nums.tryPush('x' as never)).toThrow(TypeError);
    expect(() => nums.tryPushMany(['x'] as never)).toThrow(TypeError);
    expect(() => nums.pushMany(['x'] as never, 200)).toThrow(TypeError);
    const ps = new Channel(Particle, 1, { mode });
    ps.push({ x: 1, y: 2, id: 3, alive: true });
    expect(() => ps.push({ nope: 1 } as never, 200)).toThrow(/nope/);
    expect(() => ps.tryPush({ nope: 1 } as never)).toThrow(/nope/);
    // Nothing changed: the one item each, then a closed channel still says closed first.
    expect([nums.size(), ps.size()]).toEqual([1, 1]);
    nums.close();
    expect(() => nums.push('x' as never, 0)).toThrow(ChannelClosedError);
    expect(() => nums.tryPush('x' as never)).toThrow(ChannelClosedError);
  });

  it('Pipe.send of a value that cannot be converted on a full pipe throws at once', () => {
    const [a] = Pipe(u32, { capacity: 1 });
    a.send(1);
    expect(() => a.send('x' as never, 200)).toThrow(TypeError); // a timeout: a regression fails rather than hangs
  });

  it.each(modes)('%s: a batch with a bad item publishes those before it and says how many (pushed)', async (mode) => {
    const pushedBy = (f: () => unknown): number | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(TypeError);
        return (e as BatchPushError).pushed;
      }
      return undefined;
    };
    const ch = new Channel(u32, 8, { mode });
    expect(pushedBy(() => ch.pushMany([1, 2, 'x', 4] as never))).toBe(2);
    expect(ch.popMany(new Uint32Array(8), 0)).toBe(2);
    expect(pushedBy(() => ch.tryPushMany([9, 5, 6, 'x', 7] as never, 1))).toBe(2); // counted from the offset
    const out = new Uint32Array(8);
    expect(ch.tryPopMany(out)).toBe(2);
    expect(Array.from(out.subarray(0, 2))).toEqual([5, 6]);
    await expect(ch.pushManyAsync([1, 'x'] as never)).rejects.toMatchObject({ pushed: 1 });
    expect(ch.tryPop()).toBe(1);
    const ps = new Channel(Particle, 8, { mode });
    expect(pushedBy(() => ps.pushMany([{ x: 1, y: 1, id: 1, alive: true }, { id: 'two' }] as never))).toBe(1);
    expect(ps.size()).toBe(1);
    // Cut short by close(): the count is on the ChannelClosedError.
    const small = new Channel(u32, 2, { mode });
    const pending = small.pushManyAsync([1, 2, 3, 4]);
    small.close();
    await expect(pending).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(pending).rejects.toMatchObject({ pushed: 2 });
  });

  it.each(modes)('%s: pushAsync that waits for room pushes the value as it was at the call', async (mode) => {
    const ch = new Channel(Particle, 1, { mode });
    ch.push({ x: 0, y: 0, id: 0, alive: false });
    const v = { x: 2, y: 2, id: 2, alive: true };
    const pending = ch.pushAsync(v);
    v.x = 99;
    v.id = 99;
    expect(ch.pop()).toEqual({ x: 0, y: 0, id: 0, alive: false });
    expect(await pending).toBe(true);
    expect(ch.pop()).toEqual({ x: 2, y: 2, id: 2, alive: true });
  });

  it.each(modes)('%s: a blocking batch pop into a target of length 0 is a RangeError (it could only return 0)', async (mode) => {
    const ch = new Channel(u32, 4, { mode });
    ch.push(1);
    expect(codeOf(() => ch.popMany([]))).toBe('out_of_range');
    expect(codeOf(() => ch.popMany(new Uint32Array(0)))).toBe('out_of_range');
    await expect(ch.popManyAsync([])).rejects.toThrow(/target has length 0/);
    expect(ch.tryPopMany([])).toBe(0);
    expect(ch.pop()).toBe(1);
  });

  it('options a channel does not have are refused, not ignored', () => {
    expect(codeOf(() => new Queue(u32, 2, { mode: 'spsc' } as never))).toBe('invalid_argument');
    expect(() => new Queue(u32, 2, { mode: 'spsc' } as never)).toThrow(/Queue: has no option 'mode'/);
    expect(() => new Channel(u32, 2, { capcity: 3 } as never)).toThrow(/has no option 'capcity'.*the options are memory, byteOffset, mode, checked/);
    expect(codeOf(() => new JoinableQueue(u32, 2, { mod: 'x' } as never))).toBe('invalid_argument');
    expect(codeOf(() => Pipe(u32, { capacty: 2 } as never))).toBe('invalid_argument');
    expect(new JoinableQueue(u32, 2, { checked: true }).capacity).toBe(2);
    expect(new Queue(u32, 2).mode).toBe('mpmc');
    expect(() => new Channel(u32, 2, { checked: 'no' } as never)).toThrow(/checked must be true or false \(got string "no"\)/);
    expect(codeOf(() => Pipe(u32, { checked: 1 } as never))).toBe('invalid_argument');
    // A truthy non-boolean was read as duplex: Pipe(u32, { duplex: 'false' }) gave a duplex pair.
    expect(() => Pipe(u32, { duplex: 'false' } as never)).toThrow(/Pipe: duplex must be true or false \(got string "false"\)/);
    expect(codeOf(() => Pipe(u32, { duplex: 0 } as never))).toBe('invalid_argument');
    expect(codeOf(() => Pipe.byteLength(u32, { duplex: 1 } as never))).toBe('invalid_argument');
    const [r, w] = Pipe(u32, { duplex: false });
    w.send(5);
    expect(r.recv()).toBe(5);
  });
});

describe('a pushed value whose getter uses the same channel object', () => {
  const Pair = struct({ a: u32, b: u32 }, { name: 'Pair' });

  it.each(modes)('%s: a push from inside the conversion throws SyncError (slot_state) and publishes nothing', (mode) => {
    const ch = new Channel(Pair, 4, { mode });
    let inner: unknown = 'not called';
    const value = {
      a: 1,
      get b() {
        try {
          inner = ch.push({ a: 2, b: 2 });
        } catch (e) {
          inner = e;
          throw e;
        }
        return 1;
      },
    };
    expect(codeOf(() => ch.push(value as never))).toBe('slot_state');
    expect(inner).toBeInstanceOf(SyncError);
    expect(ch.size()).toBe(0);
    // The object works on afterwards.
    ch.push({ a: 3, b: 3 });
    expect(ch.pop()).toEqual({ a: 3, b: 3 });
  });

  it.each(modes)(
    '%s: a pop from inside the conversion: MPMC takes the item through its own element; SPSC refuses (the conversion writes through the view a pop reads with)',
    (mode) => {
      const ch = new Channel(Pair, 4, { mode });
      ch.push({ a: 7, b: 7 });
      let popped: unknown = 'not called';
      const value = {
        a: 1,
        get b() {
          popped = ch.pop(0);
          return 1;
        },
      };
      if (mode === 'mpmc') {
        expect(ch.push(value as never)).toBe(true);
        expect(popped).toEqual({ a: 7, b: 7 });
        expect(ch.pop()).toEqual({ a: 1, b: 1 });
      } else {
        expect(codeOf(() => ch.push(value as never))).toBe('slot_state');
        expect(ch.pop()).toEqual({ a: 7, b: 7 }); // still there, intact
        expect(ch.size()).toBe(0);
      }
    },
  );
});
