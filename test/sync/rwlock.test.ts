// RwLock within one thread: its states and rules, its words, as a struct member and a handle, the
// async forms, writer preference and timeouts. The cross-thread behaviour is in
// rwlock-workers.test.ts.
import { threadId } from 'node:worker_threads';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  attach,
  errorCode,
  f64,
  fingerprint,
  fromJSON,
  type Infer,
  offsetof,
  RwLock,
  rwlock,
  SchemaError,
  share,
  sizeof,
  struct,
  SyncError,
  SYNC_WORDS,
  toC,
  toJSON,
  u32,
} from '../../src/index.js';
import { macrotask } from '../support/until.js';

const WRITERS_WAITING = 0x80000000 | 0;
const READERS_WAITING = 0x40000000;
const WRITE_LOCKED = 0x20000000;

function words(rw: RwLock): Int32Array {
  return new Int32Array(rw.place.buffer, rw.place.byteOffset, RwLock.WORDS);
}

/** The state word (word 0), or another word of the lock. */
function word(rw: RwLock, k = 0): number {
  return Atomics.load(words(rw), k);
}

describe('RwLock: read and write holds', () => {
  it('counts read holds; the write side is exclusive of readers and of other writers', () => {
    const rw = new RwLock();
    expect(rw.locked()).toBe(false);
    expect(rw.read.acquire()).toBe(true);
    expect(rw.read.acquire(false)).toBe(true);
    expect(rw.readers()).toBe(2);
    expect(word(rw)).toBe(2); // the state word holds the number of read holds
    expect(rw.write.acquire(false)).toBe(false);
    const t = performance.now();
    expect(rw.write.acquire(true, 30)).toBe(false);
    expect(performance.now() - t).toBeGreaterThanOrEqual(25);
    rw.read.release();
    rw.read.release();
    expect(rw.locked()).toBe(false);

    expect(rw.write.acquire()).toBe(true);
    expect(rw.writeLocked()).toBe(true);
    expect(rw.write.isOwned()).toBe(true);
    expect(rw.readers()).toBe(0);
    expect(word(rw) & WRITE_LOCKED).toBe(WRITE_LOCKED);
    expect(word(rw) & 0x0fffffff).toBe(word(rw, 2) === 0 ? 0x04000000 | (threadId + 1) : word(rw, 2)); // the writer's identity: from the thread's id on Node, else from the counter word
    expect(rw.read.acquire(false)).toBe(false);
    expect(() => rw.read.acquire(true, 20)).toThrow(SyncError); // it could only time out: as for the write side
    expect(rw.write.acquire(false)).toBe(false); // not re-entrant
    rw.write.release();
    expect(word(rw)).toBe(0);
  });

  it('misuse is a SyncError: releasing what is not held, re-entering the write lock', () => {
    const rw = new RwLock();
    expect(() => rw.read.release()).toThrow('RwLock.read.release(): no read lock is held');
    expect(() => rw.write.release()).toThrow('RwLock.write.release(): this thread does not hold the write lock');
    rw.write.acquire();
    expect(() => rw.read.release()).toThrow(SyncError); // a writer's hold is not a read hold
    let e: unknown;
    try {
      rw.write.acquire();
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(SyncError);
    expect(errorCode(e)).toBe('would_deadlock');
    expect(rw.write.isOwned()).toBe(true); // still held once
    rw.write.release();
    rw.read.acquire();
    expect(() => rw.write.release()).toThrow(SyncError);
    expect(rw.readers()).toBe(1); // untouched
    rw.read.release();
    expect(() => rw.markConsistent()).toThrow('RwLock.markConsistent(): this thread does not hold the write lock');
  });

  it('a blocking read by the write holder is a SyncError (it would wait for itself); a try-read says no; an async read waits for the release', async () => {
    const rw = new RwLock();
    rw.write.acquire();
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(SyncError);
        return errorCode(e);
      }
      return undefined;
    };
    expect(codeOf(() => rw.read.acquire())).toBe('would_deadlock');
    expect(codeOf(() => rw.read.acquire(true, 50))).toBe('would_deadlock');
    expect(codeOf(() => rw.read.withLock(() => 1))).toBe('would_deadlock');
    expect(rw.read.acquire(false)).toBe(false);
    expect(rw.write.isOwned()).toBe(true); // still held, untouched
    const reading = rw.read.acquireAsync(); // another task of this thread: it waits for the write release
    rw.write.release();
    expect(await reading).toBe(true);
    expect(rw.readers()).toBe(1);
    rw.read.release();
    // the same while an async task of this thread holds the write lock (async holds are the thread's)
    expect(await rw.write.acquireAsync()).toBe(true);
    expect(codeOf(() => rw.read.acquire())).toBe('would_deadlock');
    rw.write.release();
  });

  it('withLock, hold() and using release on every path; timeouts are checked', () => {
    const rw = new RwLock();
    expect(rw.read.withLock(() => rw.readers())).toBe(1);
    expect(rw.write.withLock(() => rw.writeLocked())).toBe(true);
    expect(() =>
      rw.write.withLock(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(rw.locked()).toBe(false);
    {
      using _a = rw.read.hold();
      using _b = rw.read.hold();
      expect(rw.readers()).toBe(2);
    }
    {
      using _w = rw.write.hold();
      expect(rw.writeLocked()).toBe(true);
    }
    expect(rw.locked()).toBe(false);
    rw.write.acquire();
    expect(() => rw.read.acquire(true, Number.NaN)).toThrow(TypeError);
    rw.write.release();
  });

  it('lives at a place; zeroed memory is a free lock; two objects over the same words are one lock', () => {
    const sab = new SharedArrayBuffer(32);
    const a = new RwLock({ buffer: sab, byteOffset: 8 });
    const b = new RwLock({ buffer: sab, byteOffset: 8 });
    expect(a.locked()).toBe(false);
    a.write.acquire();
    expect(b.writeLocked()).toBe(true);
    expect(b.read.acquire(false)).toBe(false);
    b.write.release(); // the same thread, through another object
    b.read.acquire();
    expect(a.readers()).toBe(1);
    a.read.release();
    expect(() => new RwLock({ buffer: sab, byteOffset: 6 })).toThrow(RangeError);
    expect(() => new RwLock({ buffer: sab, byteOffset: 24 })).toThrow(RangeError); // 12 bytes do not fit
  });

  it('refuses more read holds than its word counts instead of overflowing into the flags', () => {
    const rw = new RwLock();
    words(rw).fill(0x0fffffff, 0, 1); // as after 2^28 − 1 read holds
    expect(() => rw.read.acquire()).toThrow(RangeError);
    expect(word(rw)).toBe(0x0fffffff);
    rw.read.release();
    expect(rw.read.acquire()).toBe(true);
  });

  it('prints its state', () => {
    const rw = new RwLock();
    rw.read.acquire();
    expect(inspect(rw)).toBe('RwLock { readers: 1, writeLocked: false }');
    expect(JSON.stringify(rw)).toBe('{"readers":1,"writeLocked":false}');
    expect(inspect(rw.read)).toBe('ReadLock { holds: 1 }');
    rw.read.release();
    rw.write.acquire();
    expect(inspect(rw.write)).toBe('WriteLock { ownedHere: true }');
    rw.write.release();
  });
});

describe('RwLock: a law', () => {
  it('any sequence of non-blocking acquisitions and releases in one thread behaves as the model (readers, writer) says, and writes only its own words', () => {
    const ops = fc.array(fc.constantFrom('r+', 'r-', 'w+', 'w-'), { maxLength: 60 });
    fc.assert(
      fc.property(ops, fc.integer({ min: 1, max: 6 }), (seq, slot) => {
        const buffer = new SharedArrayBuffer(40);
        const all = new Int32Array(buffer);
        all.fill(0x5a5a5a5a);
        all.fill(0, slot, slot + RwLock.WORDS);
        const rw = new RwLock({ buffer, byteOffset: slot * 4 });
        let readers = 0;
        let writer = false;
        for (const op of seq) {
          if (op === 'r+') {
            expect(rw.read.acquire(false)).toBe(!writer);
            if (!writer) readers++;
          } else if (op === 'w+') {
            expect(rw.write.acquire(false)).toBe(!writer && readers === 0);
            if (readers === 0) writer = true;
          } else if (op === 'r-') {
            if (readers > 0) {
              rw.read.release();
              readers--;
            } else expect(() => rw.read.release()).toThrow(SyncError);
          } else if (writer) {
            rw.write.release();
            writer = false;
          } else expect(() => rw.write.release()).toThrow(SyncError);
          expect(rw.readers()).toBe(readers);
          expect(rw.writeLocked()).toBe(writer);
          expect(rw.locked()).toBe(writer || readers > 0);
          expect(rw.write.isOwned()).toBe(writer);
        }
        for (; readers > 0; readers--) rw.read.release();
        if (writer) rw.write.release();
        expect(Atomics.load(all, slot)).toBe(0); // free, no waiting bits left behind
        for (let k = 0; k < all.length; k++) if (k < slot || k >= slot + RwLock.WORDS) expect(all[k]).toBe(0x5a5a5a5a);
      }),
      { numRuns: 300 },
    );
  });
});

describe('RwLock: writers first', () => {
  it('a waiting writer stops new readers; the last reader out lets it in', async () => {
    const rw = new RwLock();
    rw.read.acquire();
    let wrote = false;
    const writer = rw.write.withLockAsync(() => {
      wrote = true;
    });
    await macrotask();
    expect(wrote).toBe(false);
    expect(word(rw) & WRITERS_WAITING).toBe(WRITERS_WAITING);
    expect(rw.read.acquire(false)).toBe(false); // a new reader waits behind the writer
    const reader = rw.read.acquireAsync(10_000);
    await macrotask();
    expect(word(rw) & READERS_WAITING).toBe(READERS_WAITING);
    rw.read.release(); // the last reader out: the writer goes first, then the reader
    await writer;
    expect(wrote).toBe(true);
    expect(await reader).toBe(true);
    expect(rw.readers()).toBe(1);
    rw.read.release();
    expect(word(rw)).toBe(0);
  });

  it('a writer that gives up does not keep readers out', async () => {
    const rw = new RwLock();
    rw.read.acquire();
    expect(rw.write.acquire(true, 20)).toBe(false);
    expect(rw.read.acquire(false)).toBe(true); // not blocked by a writer that left
    expect(await rw.write.acquireAsync(20)).toBe(false);
    expect(rw.read.acquire(false)).toBe(true);
    expect(rw.readers()).toBe(3);
    for (let k = 0; k < 3; k++) rw.read.release();
    expect(word(rw)).toBe(0);
  });

  it('async tasks: a writer task excludes the others across awaits; reader tasks share', async () => {
    const rw = new RwLock();
    const cell = { a: 0, b: 0, readersInside: 0, maxReadersInside: 0, torn: 0 };
    const writer = async () => {
      for (let k = 0; k < 20; k++) {
        await rw.write.withLockAsync(async () => {
          cell.a += 1;
          await macrotask(); // everybody else waits meanwhile
          cell.b += 1;
        });
      }
    };
    const reader = async () => {
      for (let k = 0; k < 20; k++) {
        await rw.read.withLockAsync(async () => {
          cell.readersInside++;
          cell.maxReadersInside = Math.max(cell.maxReadersInside, cell.readersInside);
          if (cell.a !== cell.b) cell.torn++;
          await macrotask();
          if (cell.a !== cell.b) cell.torn++;
          cell.readersInside--;
        });
      }
    };
    await Promise.all([writer(), writer(), reader(), reader(), reader()]);
    expect(cell).toMatchObject({ a: 40, b: 40, torn: 0, readersInside: 0 });
    expect(cell.maxReadersInside).toBeGreaterThan(1); // readers were inside together
    expect(rw.locked()).toBe(false);
  });

  it('async acquisitions time out with false and keep the event loop running', async () => {
    const rw = new RwLock();
    rw.write.acquire();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    expect(await rw.read.acquireAsync(30)).toBe(false);
    expect(await rw.write.acquireAsync(30)).toBe(false); // this thread's own hold: an async acquire waits
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    rw.write.release();
    expect(await rw.write.acquireAsync(30)).toBe(true);
    rw.write.release();
  });
});

describe('rwlock() as a struct member', () => {
  const Config = struct({ flag: u32, rw: rwlock(), rate: f64, n: u32 }, { name: 'Config' });

  it('is 3 aligned Int32 words and reads as an RwLock over them (the same object each time)', () => {
    expect(SYNC_WORDS.rwlock).toBe(3);
    expect(sizeof(rwlock())).toBe(12);
    expect(offsetof(Config, 'rw')).toBe(4);
    expect(offsetof(Config, 'rate')).toBe(16);
    expect(sizeof(Config)).toBe(32);
    expect(toC(Config)).toContain('int32_t rw[3];');
    const c = Config.create({ rate: 1.5 });
    expect(c.rw).toBeInstanceOf(RwLock);
    expect(c.rw).toBe(c.rw);
    expect(c.rw.place).toEqual({ buffer: c.$buffer, byteOffset: 4 });
    c.rw.write.withLock(() => {
      c.rate *= 2;
    });
    expect(c.rw.read.withLock(() => c.rate)).toBe(3);
    expect(c.toObject()).toEqual({ flag: 0, rate: 3, n: 0 });
    expectTypeOf<Infer<typeof Config>>().toEqualTypeOf<{ flag: number; rate: number; n: number }>();
    expectTypeOf(c.rw).toEqualTypeOf<RwLock>();
    expect(() => ((c as unknown as { rw: unknown }).rw = 1)).toThrow(TypeError);
  });

  it('survives JSON with its fingerprint, and is refused in a packed struct', () => {
    expect(toJSON(struct({ rw: rwlock() })).root).toEqual({ kind: 'struct', fields: [{ name: 'rw', type: { kind: 'sync', type: 'rwlock' } }] });
    const back = fromJSON(JSON.parse(JSON.stringify(toJSON(Config))));
    expect(fingerprint(back)).toBe(fingerprint(Config));
    expect(fingerprint(struct({ l: rwlock() }))).not.toBe(fingerprint(struct({ l: struct({ a: u32, b: u32, c: u32 }) })));
    expect(() => sizeof(struct({ a: u32, rw: rwlock() }, { pack: 2 }))).toThrow(SchemaError);
  });

  it('travels in a handle, standalone or in its struct', () => {
    const rw = new RwLock();
    const h = share(rw);
    expect(h.kind).toBe('rwlock');
    const back = attach(h);
    expectTypeOf(back).toEqualTypeOf<RwLock>();
    expect(back).toBeInstanceOf(RwLock);
    back.write.acquire();
    expect(rw.writeLocked()).toBe(true);
    rw.write.release(); // the same thread: the same writer
    const c = Config.create();
    const view = attach(share(c), Config);
    view.rw.read.acquire();
    expect(c.rw.readers()).toBe(1);
    c.rw.read.release();
  });
});
