// Buffers of 2 GiB and more: byte offsets past 2^31 and 2^32 are not 32-bit integers, so no word
// index may be computed with `>> 2` (which wraps them) and no Int32Array over a whole buffer may be
// sized with it. Locks, atomic() and channel slots past those marks must use their own words and
// nothing else: with a wrapped index, the lock of an element past 4 GiB was the lock of the element
// 4 GiB before it, and a channel placed there wrote its items into the buffer's first bytes.
//
// The buffers are allocated lazily by the system (only the pages the tests touch are backed);
// runtimes that cannot make a SharedArrayBuffer this large skip these tests and say so.
import { describe, expect, it } from 'vitest';
import { V8_BEFORE_12 } from '../../src/engine.js';
import {
  array,
  atomic,
  attach,
  Channel,
  codegenActive,
  errorCode,
  f64,
  Lock,
  mutex,
  RawArray,
  share,
  sizeof,
  struct,
  u8,
  u32,
  Value,
  view,
} from '../../src/index.js';

const GiB = 2 ** 30;

/** A SharedArrayBuffer of `bytes`, or null where the runtime refuses one that large. */
function bigBuffer(bytes: number): SharedArrayBuffer | null {
  try {
    return new SharedArrayBuffer(bytes);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

const canAllocate = bigBuffer(4 * GiB + 65536) !== null; // (not kept)
const reason = 'this runtime cannot make a SharedArrayBuffer of 4 GiB';

const Guarded = struct({ lock: mutex(), n: u32, c: u32 }, { name: 'Guarded' }); // 12 bytes, align 4

describe.skipIf(!canAllocate)(`buffers past 2 and 4 GiB (${canAllocate ? 'allocated' : reason})`, () => {
  it('a lock member past 4 GiB is its own word, not the one 4 GiB before it', () => {
    const n = Math.ceil((4 * GiB + 4096) / sizeof(Guarded));
    const rows = array(Guarded, n).create();
    const words = new Int32Array(rows.$buffer);
    const farIndex = n - 1;
    const far = rows.get(farIndex);
    const farByte = far.$byteOffset;
    expect(farByte).toBeGreaterThan(4 * GiB);
    const aliasIndex = (farByte - 4 * GiB) / sizeof(Guarded); // the element 4 GiB before, if it is one
    const near = rows.get(Math.floor(aliasIndex));
    far.lock.acquire();
    expect(words[farByte / 4]).not.toBe(0); // the far lock's word is the one taken
    expect(near.lock.acquire(false)).toBe(true); // the near lock is free
    near.lock.release();
    far.lock.release();
    expect(words[farByte / 4]).toBe(0);
  });

  it('a lock member between 2 and 4 GiB works (its word index is past 2^29)', () => {
    const n = Math.ceil((3 * GiB) / sizeof(Guarded));
    const rows = array(Guarded, n).create();
    const g = rows.get(n - 1);
    expect(g.$byteOffset).toBeGreaterThan(2 * GiB);
    g.lock.acquire();
    g.n += 1;
    expect(g.lock.acquire(false)).toBe(false);
    g.lock.release();
    expect(g.n).toBe(1);
  });

  it('atomic() waits and wakes on the member past 4 GiB', () => {
    const n = Math.ceil((4 * GiB + 4096) / sizeof(Guarded));
    const rows = array(Guarded, n).create();
    const far = rows.get(n - 1);
    const c = atomic(far, 'c');
    c.store(5);
    expect(new Uint32Array(rows.$buffer)[(far.$byteOffset + 8) / 4]).toBe(5);
    // The word holds 5: a wait for 5 sleeps out its timeout; one for 6 returns at once.
    expect(c.wait(5, 1)).toBe('timed-out');
    expect(c.wait(6, 1)).toBe('not-equal');
    expect(c.notify()).toBe(0);
  });

  it('a channel placed past 4 GiB writes its items there and nowhere else', () => {
    const memory = bigBuffer(4 * GiB + 65536) as SharedArrayBuffer;
    const byteOffset = 4 * GiB;
    const P = struct({ x: f64, id: u32 }, { name: 'P' });
    const Rgb = struct({ r: u8, g: u8, b: u8 }, { name: 'Rgb' }); // 3 bytes: copied by bytes, not words
    for (const mode of ['spsc', 'mpmc'] as const) {
      const ch = new Channel(P, 8, { mode, memory, byteOffset });
      for (let i = 0; i < 20; i++) {
        ch.push({ x: i / 2, id: i });
        expect(ch.pop()).toEqual({ x: i / 2, id: i });
      }
      // Batches of an array view of the element type are copied as bytes.
      const batch = array(P, 5).create();
      for (let i = 0; i < 5; i++) batch.set(i, { x: i, id: 100 + i });
      ch.pushMany(batch);
      const out = array(P, 5).create();
      expect(ch.popMany(out)).toBe(5);
      expect(out.toArray()).toEqual(batch.toArray());
      const colours = new Channel(Rgb, 5, { mode, memory, byteOffset: byteOffset + 8192 });
      for (let i = 0; i < 12; i++) {
        colours.push({ r: i, g: i + 1, b: 255 - i });
        expect(colours.pop()).toEqual({ r: i, g: i + 1, b: 255 - i });
      }
    }
    // Nothing below the channel was written.
    const low = new Int32Array(memory, 0, 16384);
    expect(low.every((w) => w === 0)).toBe(true);
  });

  it('typed() of more elements than one typed array holds says so (Node 20), else is that array', () => {
    const rows = array(array(u8, 2 ** 31 - 1), 3).create(); // 6 GiB of u8
    rows.get(2).set(5, 7);
    let whole: Uint8Array | null = null;
    try {
      whole = rows.typed();
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      expect((e as { code?: string }).code).toBe('out_of_range');
      expect(String(e)).toMatch(/6442450941 bytes are more than one Uint8Array holds/);
    }
    if (whole !== null) {
      expect(whole.length).toBe(3 * (2 ** 31 - 1));
      expect(whole[2 * (2 ** 31 - 1) + 5]).toBe(7);
    }
    expect(rows.get(2).typed()[5]).toBe(7); // a row is within every runtime's limit
  });

  it('a channel whose ring is 2 GiB or more is made and used', () => {
    const ch = new Channel(f64, 2 ** 28, { mode: 'spsc' }); // 2 GiB of slots
    const P = struct({ x: f64, id: u32 }, { name: 'P' }); // 16-byte slots: 2 GiB, copied by words
    const wide = new Channel(P, 2 ** 27, { mode: 'spsc' });
    for (let i = 0; i < 10; i++) {
      ch.push(i * 1.5);
      wide.push({ x: i, id: i });
    }
    for (let i = 0; i < 10; i++) {
      expect(ch.pop()).toBe(i * 1.5);
      expect(wide.pop()).toEqual({ x: i, id: i });
    }
  });

  it('arrays based past 1, 2 and 4 GiB reach their own elements: get, set, at, iteration, cursor, bad indices', () => {
    // Generated get(i)/set(i, v) take a fast path for arrays based in the first GiB (on V8 before
    // 12) and the long way past it (src/codegen/generate.ts, emitIndexed): both must land on the
    // same bytes, and refuse the same indices.
    const memory = bigBuffer(4 * GiB + 65536) as SharedArrayBuffer;
    const bytes = new DataView(memory);
    const Item = struct({ x: f64, id: u32 }, { name: 'Item' }); // 16 bytes, align 8
    const outOfBounds = expect.objectContaining({ code: 'out_of_bounds' });
    for (const base of [GiB - 32, GiB - 16, GiB, GiB + 16, 2 * GiB - 16, 2 * GiB, 2 * GiB + 16, 4 * GiB - 16, 4 * GiB + 16]) {
      const items = view(array(Item, 3), memory, base);
      const ids = view(array(u32, 3), memory, base + 48);
      for (let i = 0; i < 3; i++) {
        const it = items.get(i);
        it.x = base + i / 4;
        it.id = i + 1;
        ids.set(i, 7 + i);
      }
      for (let i = 0; i < 3; i++) {
        expect(bytes.getFloat64(base + 16 * i, true), `x of element ${i} at ${base}`).toBe(base + i / 4);
        expect(bytes.getUint32(base + 16 * i + 8, true)).toBe(i + 1);
        expect(bytes.getUint32(base + 48 + 4 * i, true)).toBe(7 + i);
      }
      expect(items.at(-1).id).toBe(3);
      expect([...ids]).toEqual([7, 8, 9]);
      expect(ids.get(2)).toBe(9);
      expect(items.cursor(1).x).toBe(base + 0.25);
      expect(items.toArray()).toEqual([0, 1, 2].map((i) => ({ x: base + i / 4, id: i + 1 })));
      for (const bad of [3, -1, 1.5, '1', Number.NaN]) {
        expect(() => items.get(bad as number), `get(${String(bad)}) at ${base}`).toThrow(outOfBounds);
        if (typeof bad === 'number') expect(() => ids.set(bad, 0)).toThrow(outOfBounds); // set(arrayLike, offset) otherwise
      }
    }
    // One byte either side of the first GiB's end: the last base of the fast path and the first past it.
    for (const base of [GiB - 1, GiB]) {
      const small = view(array(u8, 4), memory, base);
      small.set(3, 200);
      expect(bytes.getUint8(base + 3)).toBe(200);
      expect(small.get(3)).toBe(200);
      expect(() => small.get(4)).toThrow(outOfBounds);
    }
  });

  it('views of one array type over memory of at most 1 GiB and over larger memory each reach their own elements, read by one function', () => {
    // On V8 before 12, views of memory whose every byte offset is below 1 GiB get classes whose
    // get(i)/set(i, v) leave out the test of the array's base (CompileMode.near, generate.ts
    // emitIndexed): such a class must never serve a view based past 1 GiB, which it would read
    // from the masked base, i.e. elsewhere. A buffer that may grow past 1 GiB is not near memory.
    const Item = struct({ x: f64, id: u32 }, { name: 'Item' });
    const Items = array(Item, 3);
    const near = bigBuffer(GiB) as SharedArrayBuffer;
    const far = bigBuffer(GiB + 4096) as SharedArrayBuffer;
    const Growable = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer & { grow(n: number): void };
    const growing = new Growable(4096, { maxByteLength: GiB + 4096 });
    const views = [view(Items, near, GiB - 48), view(Items, far, GiB + 16), view(Items, far, 16)];
    growing.grow(GiB + 4096);
    views.push(view(Items, growing, GiB + 16), view(Items, growing, 16));
    views.forEach((v, k) => {
      for (let i = 0; i < 3; i++) {
        v.get(i).x = k * 10 + i;
        v.set(i, { id: 100 * k + i });
      }
    });
    const read = (v: (typeof views)[number]): number => {
      let s = 0;
      for (let i = 0; i < 3; i++) s += v.get(i).x * 1000 + v.get(i).id;
      return s;
    };
    // Alternately, long enough for the engine to optimise read() on both kinds of class.
    for (let round = 0; round < 20_000; round++) {
      const k = round % views.length;
      expect(read(views[k] as (typeof views)[number])).toBe((k * 30 + 3) * 1000 + 300 * k + 3);
    }
    const bytesOf = [near, far, far, growing, growing].map((b) => new DataView(b));
    const bases = [GiB - 48, GiB + 16, 16, GiB + 16, 16];
    bases.forEach((base, k) => {
      expect((bytesOf[k] as DataView).getFloat64(base + 16 * 2, true), `element 2 of view ${k}`).toBe(k * 10 + 2);
    });
    if (V8_BEFORE_12 && codegenActive()) {
      const protoOf = Object.getPrototypeOf;
      const nearGrowing = new Growable(4096, { maxByteLength: GiB });
      expect(protoOf(views[0]) === protoOf(views[1])).toBe(false); // near memory's class, and the other
      expect(protoOf(views[1]) === protoOf(views[2])).toBe(true); // by memory, not by base
      expect(protoOf(views[3]) === protoOf(views[4])).toBe(true);
      expect(protoOf(views[3]) === protoOf(view(Items, nearGrowing, 16))).toBe(false); // may grow past 1 GiB: not near
    }
  });
});

describe('a buffer past 16 GiB', () => {
  it('a lock placed past 16 GiB takes its own word, and its handle places it there again', (ctx) => {
    const huge = bigBuffer(16 * GiB + 65536);
    if (huge === null) return ctx.skip('this runtime (or machine) cannot make a SharedArrayBuffer of 16 GiB');
    const buffer = huge;
    const byteOffset = 16 * GiB + 4096;
    const lock = new Lock({ buffer, byteOffset });
    lock.acquire();
    const word = new Int32Array(buffer, byteOffset, 1);
    expect(word[0]).not.toBe(0);
    expect(new Int32Array(buffer, 4096, 1)[0]).toBe(0); // not the word 16 GiB before it
    const again = attach(share(lock));
    expect(again.acquire(false)).toBe(false); // the same word: held
    lock.release();
    expect(word[0]).toBe(0);
    expect(again.acquire(false)).toBe(true);
    again.release();
  });
});

describe('buffers the engine cannot allocate', () => {
  // 2^47 bytes: within what a layout may describe (2^48), beyond any machine's memory and any
  // engine's largest buffer, so the allocation always fails; each maker says so with a code.
  const Huge = array(array(u8, 2 ** 30), 2 ** 17);
  const refused = (make: () => unknown, subject: RegExp) => {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect(errorCode(error)).toBe('out_of_memory');
    expect(String(error)).toMatch(subject);
    expect(String(error)).toMatch(/could not allocate a buffer of 1407374883\d{5} bytes/);
  };

  it('create(), RawArray, Value and Channel throw out_of_memory naming what was being made', () => {
    refused(() => Huge.create(), /^RangeError: create\(u8\[131072\]\[1073741824\]\)/);
    refused(() => RawArray(array(u8, 2 ** 30), 2 ** 17), /^RangeError: RawArray/);
    refused(() => Value(Huge, undefined), /^RangeError: Value/);
    refused(() => new Channel(array(u8, 2 ** 30), 2 ** 17, { mode: 'spsc' }), /^RangeError: Channel/);
  });
});
