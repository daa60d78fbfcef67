// Channels, queues and pipes placed at { memory, byteOffset } (a SharedMemory segment or a
// SharedArrayBuffer), in one process: footprints (Channel.byteLength), nothing written outside
// them, reuse of memory that held anything, errors naming the option, and share()/attach() of
// placed channels with hostile handles refused. processes.test.ts takes them across processes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  array,
  attach,
  Channel,
  type ChannelMode,
  f32,
  f64,
  type Handle,
  JoinableQueue,
  LayoutMismatchError,
  Pipe,
  Queue,
  type Schema,
  SharedMemory,
  share,
  sizeof,
  struct,
  u8,
  u32,
} from '../../src/index.js';
import { MAGIC, W } from '../../src/channels/format.js';
import { segmentsOfEachTest } from '../memory/segments.js';
import { schema as randomSchema } from '../support/arbitraries.js';
import { codeOf } from '../support/errors.js';

const Particle = struct({ x: f64, y: f64, id: u32, alive: u8 }, { name: 'Particle' });

const segments = segmentsOfEachTest();
const segment = (tag: string, size: number): SharedMemory => segments.create(`chp-${tag}`, size);

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

const CANARY = 0xa5;

/** Whether every byte of `bytes` outside [from, to) is the canary. */
function untouchedOutside(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = 0; i < bytes.length; i++) if ((i < from || i >= to) && bytes[i] !== CANARY) return false;
  return true;
}

describe('placement', () => {
  it('a channel placed at any aligned offset of memory full of canaries writes only its Channel.byteLength bytes; items round-trip byte for byte over several laps (law)', () => {
    fc.assert(
      fc.property(
        randomSchema,
        fc.constantFrom<ChannelMode>('spsc', 'mpmc'),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (element: Schema, mode, capacity, slot, seed) => {
          const align = Channel.alignment(element);
          const bytes = Channel.byteLength(element, capacity, { mode });
          const at = slot * align;
          const memory = new SharedArrayBuffer(at + bytes + 64);
          const all = new Uint8Array(memory).fill(CANARY);
          const ch = new Channel(element, capacity, { mode, memory, byteOffset: at });
          expect([ch.byteOffset, ch.byteLength, ch.buffer]).toEqual([at, bytes, memory]);
          // Random bytes in, the same bytes out, 2½ laps, as batches of array views (bytes).
          const size = sizeof(element);
          const n = Math.ceil(capacity * 2.5);
          const src = new SharedArrayBuffer(Math.max(1, n * size));
          const s = new Uint8Array(src);
          let x = seed | 0;
          for (let i = 0; i < s.length; i++) {
            x = (Math.imul(x, 1103515245) + 12345) | 0;
            s[i] = x >>> 16;
          }
          const items = array(element, n).view(src);
          const out = array(element, n).create();
          let pushed = 0;
          let popped = 0;
          while (popped < n) {
            pushed += ch.tryPushMany(items, pushed, Math.min(capacity, n - pushed));
            popped += ch.tryPopMany(out, popped);
          }
          expect(new Uint8Array(out.$buffer, out.$byteOffset, n * size)).toEqual(s.subarray(0, n * size));
          const slotView = ch.tryReserve();
          expect(slotView).not.toBe(null);
          ch.commit();
          expect(ch.tryFront()).not.toBe(null);
          ch.release();
          expect(untouchedOutside(all, at, at + bytes)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('placing a channel over memory that held anything (an old channel, garbage) gives an empty, working channel', () => {
    const memory = new SharedArrayBuffer(64 + Channel.byteLength(u32, 8));
    for (const mode of ['mpmc', 'spsc'] as const) {
      const old = new Channel(u32, 8, { mode, memory, byteOffset: 64 });
      old.pushMany([1, 2, 3, 4, 5]);
      old.pop();
      old.close();
      const ch = new Channel(u32, 8, { mode, memory, byteOffset: 64 });
      expect([ch.size(), ch.closed, ch.done]).toEqual([0, false, false]);
      for (let k = 0; k < 20; k++) {
        expect(ch.tryPush(k)).toBe(true);
        expect(ch.tryPop()).toBe(k);
      }
      new Uint8Array(memory).fill(0xff); // garbage, magic included
      const again = new Channel(u32, 8, { mode, memory, byteOffset: 64 });
      expect([again.size(), again.closed]).toEqual([0, false]);
      again.push(7);
      expect(again.pop()).toBe(7);
    }
  });

  it('in a segment: shm or shm.buf, several channels side by side at their byteLength; the header is at byteOffset', () => {
    const a = Channel.byteLength(Particle, 10, { mode: 'spsc' });
    const shm = segment('side', a + 64 + Queue.byteLength(f32, 5));
    const first = new Channel(Particle, 10, { mode: 'spsc', memory: shm });
    const second = new Queue(f32, 5, { memory: shm.buf, byteOffset: Math.ceil(a / 64) * 64 });
    first.push({ x: 1, y: 2, id: 3, alive: 1 });
    second.put(1.5);
    expect(new Int32Array(shm.buf, second.byteOffset, W.stamps)[W.magic]).toBe(MAGIC);
    expect(first.pop()).toEqual({ x: 1, y: 2, id: 3, alive: 1 });
    expect(second.get()).toBe(1.5);
    shm.close();
  });

  it('a JoinableQueue placed at an offset counts its tasks in its own header', () => {
    const bytes = JoinableQueue.byteLength(u32, 4);
    const memory = new SharedArrayBuffer(256 + bytes);
    const all = new Uint8Array(memory).fill(CANARY);
    const q = new JoinableQueue(u32, 4, { memory, byteOffset: 256 });
    q.put(1);
    expect(new Int32Array(memory, 256)[W.unfinished]).toBe(1);
    expect(q.unfinished).toBe(1);
    expect(untouchedOutside(all, 256, 256 + bytes)).toBe(true);
    q.get();
    q.task_done();
    expect(q.join(0)).toBe(true);
  });

  it('a Pipe placed in memory: Pipe.byteLength bytes, its channels one after the other at a multiple of 64, nothing written outside', () => {
    for (const duplex of [true, false]) {
      const bytes = Pipe.byteLength(Particle, { capacity: 5, duplex });
      const one = Channel.byteLength(Particle, 5, { mode: 'spsc' });
      expect(bytes).toBe(duplex ? Math.ceil(one / 64) * 64 + one : one);
      const memory = new SharedArrayBuffer(64 + bytes + 64);
      const all = new Uint8Array(memory).fill(CANARY);
      const [r, w] = Pipe(Particle, { capacity: 5, duplex, memory, byteOffset: 64 });
      w.send({ id: 9 });
      expect(r.recv().id).toBe(9);
      if (duplex) {
        r.send({ id: 10 });
        expect(w.recv().id).toBe(10);
        expect([r.outgoing?.byteOffset, r.incoming?.byteOffset]).toEqual([64, 64 + Math.ceil(one / 64) * 64]);
      }
      expect(untouchedOutside(all, 64, 64 + bytes)).toBe(true);
    }
  });

  it('refuses bad places with typed errors naming the channel and the option', () => {
    const shm = segment('bad', 4096);
    const bytes = Channel.byteLength(f64, 10);
    expect(codeOf(() => new Channel(f64, 10, { memory: shm, byteOffset: 4 }))).toBe('misaligned');
    expect(messageOf(() => new Channel(f64, 10, { memory: shm, byteOffset: 4 }))).toMatch(/^Channel<f64>: byteOffset 4 is not a multiple of 8/);
    expect(codeOf(() => new Channel(u8, 10, { memory: shm, byteOffset: 2 }))).toBe('misaligned'); // its words: 4
    expect(codeOf(() => new Channel(f64, 10, { memory: shm, byteOffset: 4096 - bytes + 8 }))).toBe('out_of_bounds');
    expect(messageOf(() => new Channel(f64, 10, { memory: shm, byteOffset: 4096 - bytes + 8 }))).toMatch(
      new RegExp(`needs ${bytes} bytes at byteOffset ${4096 - bytes + 8}, but the memory has 4096 bytes`),
    );
    expect(codeOf(() => new Channel(f64, 10, { memory: shm, byteOffset: 4096 - bytes }))).toBe('no error');
    expect(codeOf(() => new Channel(f64, 10, { memory: shm, byteOffset: -8 }))).toBe('invalid_argument');
    expect(codeOf(() => new Channel(f64, 10, { memory: shm, byteOffset: 1.5 }))).toBe('invalid_argument');
    expect(codeOf(() => new Channel(f64, 10, { memory: shm, byteOffset: '8' as never }))).toBe('invalid_argument');
    expect(codeOf(() => new Channel(f64, 10, { byteOffset: 8 }))).toBe('invalid_argument'); // no memory
    expect(codeOf(() => new Channel(f64, 10, { memory: new ArrayBuffer(4096) }))).toBe('not_shared');
    expect(codeOf(() => new Channel(f64, 10, { memory: {} as never }))).toBe('not_shared');
    expect(codeOf(() => new Queue(f64, 1000, { memory: shm }))).toBe('out_of_bounds');
    expect(messageOf(() => new Queue(f64, 1000, { memory: shm }))).toMatch(/^Queue<f64>/);
    expect(codeOf(() => Pipe(f64, { capacity: 1000, memory: shm }))).toBe('out_of_bounds');
    expect(codeOf(() => Channel.byteLength(f64, 0))).toBe('out_of_range');
    expect(codeOf(() => Channel.byteLength(f64, 4, { mode: 'x' as never }))).toBe('invalid_argument');
    shm.close();
    expect(codeOf(() => new Channel(f64, 10, { memory: shm }))).toBe('segment_closed');
  });

  it('Channel.byteLength is the format’s: header and MPMC stamps rounded to 64 (or the element alignment), then T[capacity]', () => {
    expect(Channel.byteLength(Particle, 1000)).toBe(Math.ceil((512 + 4 * 1000) / 64) * 64 + 1000 * 24);
    expect(Channel.byteLength(Particle, 3, { mode: 'spsc' })).toBe(512 + 3 * 24);
    expect(Queue.byteLength(u32, 10)).toBe(Channel.byteLength(u32, 10, { mode: 'mpmc' }));
    expect(new Channel(Particle, 1000).buffer.byteLength).toBe(Channel.byteLength(Particle, 1000));
    expect(Channel.alignment(u8)).toBe(4);
    expect(Channel.alignment(f64)).toBe(8);
    expect(Channel.alignment(struct({ a: u8 }, { align: 128 }))).toBe(128);
  });
});

describe('share() and attach() of placed channels', () => {
  it('a handle of a channel in a SharedArrayBuffer at an offset carries the buffer and the offset', () => {
    const memory = new SharedArrayBuffer(128 + Channel.byteLength(Particle, 4));
    const ch = new Channel(Particle, 4, { memory, byteOffset: 128 });
    const h = share(ch);
    expect([h.buffer, h.byteOffset]).toEqual([memory, 128]);
    attach(h, Particle).push({ id: 4 });
    expect(ch.pop()?.id).toBe(4);
  });

  it('a handle of a channel in a segment is JSON naming the segment and offset; attach uses this thread’s mapping', () => {
    const shm = segment('handle', 64 + Math.max(Channel.byteLength(Particle, 4), Pipe.byteLength(u32, { capacity: 4 })));
    const ch = new Channel(Particle, 4, { memory: shm, byteOffset: 64 });
    const h = share(ch);
    expect(h).toMatchObject({ kind: 'channel', segment: { name: shm.name }, byteOffset: 64 });
    expect(h.buffer).toBeUndefined();
    const text = JSON.stringify(h);
    const other = attach(JSON.parse(text) as typeof h, Particle);
    expect(other.buffer).toBe(shm.buf);
    other.push({ id: 1 });
    expect(ch.pop()?.id).toBe(1);
    const untyped = attach(JSON.parse(text) as typeof h); // the schema rebuilt from the descriptor
    expect([untyped.mode, untyped.capacity, untyped.byteOffset]).toEqual(['mpmc', 4, 64]);
    const [a, b] = Pipe(u32, { capacity: 4, memory: shm, byteOffset: 0 }); // overwrites the channel: memory is the caller's
    const hb: Handle<typeof b> = JSON.parse(JSON.stringify(share(b)));
    expect(hb.segment?.name).toBe(shm.name);
    expect(hb.incoming?.segment?.name).toBe(shm.name);
    const b2 = attach(hb, u32);
    a.send(5);
    expect(b2.recv()).toBe(5);
    b2.send(6);
    expect(a.recv()).toBe(6);
    shm.close();
  });

  it('refuses forged and hostile handles with typed errors: offset, bounds, element type, header, a re-created segment', () => {
    const shm = segment('hostile', 4096);
    const ch = new Channel(Particle, 4, { memory: shm, byteOffset: 1024, mode: 'spsc' });
    const h: Handle<typeof ch> = JSON.parse(JSON.stringify(share(ch)));
    const forged = (patch: object) => ({ ...h, ...patch }) as typeof h;
    // An offset where there is no channel, misaligned, past the end, or too near it for a header.
    expect(codeOf(() => attach(forged({ byteOffset: 0 }), Particle))).toBe('invalid_argument');
    expect(messageOf(() => attach(forged({ byteOffset: 0 }), Particle))).toMatch(/no channel at byteOffset 0/);
    expect(codeOf(() => attach(forged({ byteOffset: 1028 }), Particle))).toBe('misaligned');
    expect(codeOf(() => attach(forged({ byteOffset: 8192 }), Particle))).toBe('out_of_bounds');
    expect(codeOf(() => attach(forged({ byteOffset: 4096 - 256 }), Particle))).toBe('out_of_bounds');
    expect(codeOf(() => attach(forged({ byteOffset: -8 }), Particle))).toBe('invalid_argument');
    // Another element type: by the handle's fingerprint, and (a handle forged to match it) by the header's.
    const Other = struct({ y: f64, x: f64, alive: u8, id: u32 }); // the same size and alignment, another layout
    expect(sizeof(Other)).toBe(sizeof(Particle));
    expect(codeOf(() => attach(h, Other))).toBe('layout_mismatch');
    const otherHandle = JSON.parse(JSON.stringify(share(new Channel(Other, 4))));
    const consistent = { ...h, schema: otherHandle.schema, fingerprint: otherHandle.fingerprint };
    expect(() => attach(consistent, Other)).toThrow(LayoutMismatchError);
    expect(() => attach(consistent)).toThrow(/another layout than the schema's/);
    // The ends of a connection are checked as channels.
    expect(codeOf(() => attach({ ...h, kind: 'connection', incoming: { ...h, byteOffset: 1028 } }))).toBe('misaligned');
    expect(codeOf(() => attach({ ...h, kind: 'connection', outgoing: { ...h, kind: 'queue' } }))).toBe('invalid_argument');
    // A kind that the buffer is not: a Queue is MPMC, a JoinableQueue counts tasks, a Channel does not.
    expect(messageOf(() => attach(forged({ kind: 'queue' }), Particle))).toMatch(
      /the handle says Queue, which needs an MPMC channel, but the buffer holds an SPSC channel/,
    );
    expect(codeOf(() => attach(forged({ kind: 'joinableQueue' }), Particle))).toBe('invalid_argument');
    const jq = share(new JoinableQueue(Particle, 4));
    const q = share(new Queue(Particle, 4));
    expect(codeOf(() => attach({ ...jq, kind: 'queue' } as never, Particle))).toBe('invalid_argument');
    expect(codeOf(() => attach({ ...jq, kind: 'channel' } as never, Particle))).toBe('invalid_argument');
    expect(codeOf(() => attach({ ...q, kind: 'joinableQueue' } as never, Particle))).toBe('invalid_argument');
    expect(attach({ ...q, kind: 'channel' } as never, Particle)).toBeInstanceOf(Channel); // a Queue is an MPMC channel with Python's names
    // A header that claims more than the segment holds.
    const words = new Int32Array(shm.buf, 1024, W.stamps);
    words[W.capacity] = 1_000_000;
    expect(codeOf(() => attach(h, Particle))).toBe('out_of_bounds');
    words[W.capacity] = 4;
    expect(attach(h, Particle).capacity).toBe(4);
    // A name unlinked and given to a new segment: the handle's segment is gone.
    shm.close();
    shm.unlink();
    const again = new SharedMemory({ name: shm.name, create: true, size: 4096 });
    new Channel(Particle, 4, { memory: again, byteOffset: 1024 }); // the same channel at the same place, in another segment
    expect(codeOf(() => attach(h, Particle))).toBe('segment_not_found');
    again.close();
  });
});
