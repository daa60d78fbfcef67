// Value, RawValue, RawArray, Array, copy and synchronized placed in memory the caller gives (a
// SharedMemory segment, or a SharedArrayBuffer), and share()/attach() of objects over a segment, in
// one process: footprints, bytes outside them untouched, errors, handles as JSON, the mapping
// attach() uses (reused, or made and checked by identity). processes.test.ts takes the same objects
// across real processes (Node and Python), runtimes.test.ts to Node 26, Bun and Deno.
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alignof,
  array,
  attach,
  char,
  Condition,
  copy,
  errorCode,
  f32,
  f64,
  fingerprint,
  i8,
  i16,
  Lock,
  offsetof,
  RawArray,
  RawValue,
  RLock,
  type Schema,
  TYPECODES,
  type Typecode,
  SharedArray,
  SharedMemory,
  SharedMemoryError,
  type SchemaLike,
  share,
  sizeof,
  struct,
  synchronized,
  synchronizedSchema,
  u8,
  u16,
  u32,
  u64,
  Value,
} from '../../src/index.js';
import { uniqueName, until } from './peers.js';
import { segmentsOfEachTest } from './segments.js';
import { codeOf } from '../support/errors.js';

const segments = segmentsOfEachTest();
const segment = segments.create;

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

const CANARY = 0xa5;

/** The types the laws place: typecodes, and schemas of every alignment (1, 2, 4, 8). */
const TYPES: readonly { type: SchemaLike; init: unknown }[] = [
  { type: 'b', init: -7 },
  { type: 'H', init: 65_000 },
  { type: 'i', init: -123_456 },
  { type: 'I', init: 4_000_000_000 },
  { type: 'q', init: -(2n ** 40n) },
  { type: 'd', init: 2.5 },
  { type: 'f', init: 0.25 },
  { type: '?', init: true },
  { type: u8, init: 200 },
  { type: char(5), init: 'abc' },
  { type: array(i16, 3), init: [1, -2, 3] },
  { type: struct({ a: u8, b: f64 }), init: { a: 9, b: -1.5 } },
  { type: struct({ x: f32, y: u16 }), init: { x: 1.5, y: 7 } },
];

/** Whether every byte of `buffer` outside [start, end) is still the canary. */
function outsideIntact(buffer: ArrayBufferLike, start: number, end: number): boolean {
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i++) if ((i < start || i >= end) && bytes[i] !== CANARY) return false;
  return true;
}

function read(v: unknown): unknown {
  const x = v as { toObject?: () => unknown; toArray?: () => unknown; value?: unknown };
  return typeof x.toObject === 'function' ? x.toObject() : typeof x.toArray === 'function' ? x.toArray() : x.value;
}

describe('Value, RawValue, RawArray, Array placed in memory', () => {
  it('a Value with its lock occupies synchronizedSchema(type): lock at byteOffset, data at offsetof(…, value); nothing outside is written (law, SharedArrayBuffer and segment)', () => {
    const shm = segment('law', 512);
    fc.assert(
      fc.property(fc.nat(TYPES.length - 1), fc.nat(48), fc.boolean(), fc.boolean(), (k, slot, inSegment, locked) => {
        const { type, init } = TYPES[k] as { type: SchemaLike; init: unknown };
        const footprint: Schema = locked ? synchronizedSchema(type) : typeof type === 'string' ? TYPECODES[type as Typecode] : (type as Schema);
        const align = alignof(footprint);
        const byteOffset = slot * align;
        const memory = inSegment ? shm.buf : new SharedArrayBuffer(512);
        const size = sizeof(footprint);
        if (byteOffset + size > memory.byteLength) return;
        new Uint8Array(memory).fill(CANARY);
        new Uint8Array(memory, byteOffset, size).fill(0); // a fresh value: zero, as a new segment is
        const v = Value(type, init as never, { memory, byteOffset, lock: locked });
        const obj = (locked ? (v as { $obj: unknown }).$obj : v) as { $byteOffset: number; $buffer: ArrayBufferLike };
        expect(obj.$buffer).toBe(memory);
        expect(obj.$byteOffset).toBe(byteOffset + (locked ? offsetof(synchronizedSchema(type), 'value') : 0));
        expect(read(v)).toEqual(read(RawValue(type, init as never)));
        if (locked) {
          const lock = (v as { $lock: RLock }).$lock;
          expect(lock).toBeInstanceOf(RLock);
          expect(lock.place).toEqual({ buffer: memory, byteOffset });
          lock.acquire();
          expect(new Int32Array(memory, byteOffset, 1)[0]).not.toBe(0); // the lock word is there
          lock.release();
        }
        expect(outsideIntact(memory, byteOffset, byteOffset + size)).toBe(true);
      }),
      { numRuns: 300 },
    );
    shm.close();
  });

  it('placing again without init uses the bytes as they are: the same value and the same lock', () => {
    const shm = segment('again', 256);
    const first = Value('i', 41, { memory: shm, byteOffset: 32 });
    first.update((n) => n + 1);
    const second = Value('i', undefined, { memory: shm, byteOffset: 32 });
    expect(second.value).toBe(42);
    first.acquire();
    expect(new Int32Array(shm.buf)[8]).not.toBe(0);
    expect(second.getLock().place).toEqual(first.getLock().place);
    first.release();
    const a = SharedArray('d', 4, { memory: shm, byteOffset: 64 });
    a.set(2, 1.5);
    expect(SharedArray('d', 4, { memory: shm.buf, byteOffset: 64 }).toArray()).toEqual([0, 0, 1.5, 0]); // a size alone leaves the bytes
    expect(RawArray('d', 4, { memory: shm, byteOffset: 64 + 16 }).get(2)).toBe(1.5); // data after the 12-byte lock, aligned to 8
    shm.close();
  });

  it('a char Array in a segment is a string, written by its init', () => {
    const shm = segment('chars', 64);
    const s = SharedArray('c', 'hello', { memory: shm, byteOffset: 8 });
    expect(s.value).toBe('hello');
    expect(sizeof(synchronizedSchema(char(5)))).toBe(20);
    expect(new TextDecoder().decode(new Uint8Array(shm.buf, 8 + 12, 5))).toBe('hello');
    expect(RawArray('c', 5, { memory: shm, byteOffset: 20 }).value).toBe('hello');
    shm.close();
  });

  it('several values in one SharedArrayBuffer laid out by a struct of their footprints', () => {
    const Layout = struct({ hits: synchronizedSchema('i'), temps: synchronizedSchema(array(f64, 3)), flags: u32 });
    const sab = new SharedArrayBuffer(sizeof(Layout));
    const hits = Value('i', 0, { memory: sab, byteOffset: offsetof(Layout, 'hits') });
    const temps = SharedArray('d', [1, 2, 3], { memory: sab, byteOffset: offsetof(Layout, 'temps') });
    const flags = RawValue(u32, 7, { memory: sab, byteOffset: offsetof(Layout, 'flags') });
    hits.update((n) => n + 5);
    const whole = Layout.view(sab);
    expect([whole.hits.value, whole.temps.value.toArray(), whole.flags]).toEqual([5, [1, 2, 3], 7]);
    whole.temps.lock.withLock(() => expect(temps.acquire(false)).toBe(true)); // the same RLock, re-entered by this thread
    temps.release();
    expect(flags.value).toBe(7);
  });

  it('copy() into a place writes exactly the copy there', () => {
    const shm = segment('copy', 128);
    new Uint8Array(shm.buf).fill(CANARY);
    const src = RawArray(u16, [1, 2, 3]);
    const c = copy(src, { memory: shm, byteOffset: 10 });
    expect(c.toArray()).toEqual([1, 2, 3]);
    expect((c as unknown as { $buffer: ArrayBufferLike }).$buffer).toBe(shm.buf);
    expect(outsideIntact(shm.buf, 10, 16)).toBe(true);
    const v = copy(Value('d', 3.5), { memory: shm, byteOffset: 32 });
    expect(v.value).toBe(3.5);
    shm.close();
  });

  it('refuses bad places with typed errors naming the value and the problem', () => {
    const shm = segment('errors', 64);
    expect(codeOf(() => Value('i', 0, { memory: shm, byteOffset: 6 }))).toBe('misaligned');
    expect(messageOf(() => Value('d', 0, { memory: shm, byteOffset: 4 }))).toMatch(/Value\(f64\): byteOffset 4 is not a multiple of 8.*24 bytes with its lock/);
    expect(codeOf(() => Value('i', 0, { memory: shm, byteOffset: 52 }))).toBe('out_of_bounds'); // 16 bytes do not fit
    expect(RawValue('i', 1, { memory: shm, byteOffset: 60 }).value).toBe(1); // 4 bytes do
    expect(codeOf(() => RawArray('d', 9, { memory: shm }))).toBe('out_of_bounds');
    expect(codeOf(() => Value('i', 0, { memory: shm, byteOffset: -4 }))).toBe('invalid_argument');
    expect(codeOf(() => Value('i', 0, { memory: shm, byteOffset: 4.5 }))).toBe('invalid_argument');
    expect(codeOf(() => Value('i', 0, { byteOffset: 8 }))).toBe('invalid_argument'); // an offset without memory
    expect(codeOf(() => Value('i', 0, { memory: new ArrayBuffer(64) }))).toBe('not_shared');
    expect(codeOf(() => RawValue('i', 0, { memory: {} as SharedArrayBuffer }))).toBe('not_shared');
    expect(codeOf(() => Value('i', 0, 5 as never))).toBe('invalid_argument');
    expect(codeOf(() => synchronizedSchema(new Lock() as never))).toBe('invalid_type');
    // A lock that cannot reach the other processes that map the data:
    expect(messageOf(() => Value('i', 0, { memory: shm, lock: new RLock() }))).toMatch(/lives in a SharedArrayBuffer of this process/);
    expect(messageOf(() => synchronized(RawValue('i', 0, { memory: shm, byteOffset: 16 })))).toMatch(/a new RLock would live in this process only/);
    expect(codeOf(() => synchronized(RawValue('i', 0, { memory: shm, byteOffset: 16 }), new Lock()))).toBe('invalid_argument');
    // …and locks that can: in the segment (or another one).
    const lock = new Lock({ buffer: shm.buf, byteOffset: 0 });
    const guarded = Value('i', 3, { memory: shm, byteOffset: 4, lock });
    guarded.update((n) => n * 2);
    expect(guarded.value).toBe(6);
    expect(synchronized(RawValue('i', 0, { memory: shm, byteOffset: 8 }), lock).value).toBe(0);
    // A SharedArrayBuffer lock over SharedArrayBuffer data stays fine.
    expect(Value('i', 1, { memory: new SharedArrayBuffer(8), lock: new Lock() }).value).toBe(1);
    shm.close();
    expect(codeOf(() => Value('i', 0, { memory: shm }))).toBe('segment_closed');
  });
});

describe('a Condition in a segment', () => {
  it('needs its lock in a segment too: without a lock, or over a lock in a SharedArrayBuffer (this process only), it is refused; over a lock placed there it works', () => {
    const shm = segment('cond', 4096);
    const place = { buffer: shm.buf as unknown as SharedArrayBuffer, byteOffset: 64 };
    expect(codeOf(() => new Condition(undefined, place))).toBe('not_shared');
    expect(codeOf(() => new Condition(new RLock(), place))).toBe('not_shared');
    const c = new Condition(new RLock({ buffer: shm.buf as unknown as SharedArrayBuffer, byteOffset: 0 }), place);
    expect(c.withLock(() => c.wait(0))).toBe(false);
    const handle = JSON.parse(JSON.stringify(share(c))) as { lock: { segment?: unknown } };
    expect(handle.lock.segment).toBeDefined(); // the lock travels by segment too
    // A condition over a SharedArrayBuffer may take a new RLock, as before.
    expect(new Condition(undefined, { buffer: new SharedArrayBuffer(64), byteOffset: 0 }).lock).toBeInstanceOf(RLock);
  });
});

describe('share() and attach() over a segment', () => {
  it('a handle names the segment (name and identity) and is plain JSON; attach() of it uses this thread’s mapping', () => {
    const shm = segment('json', 256);
    const v = Value('i', 5, { memory: shm, byteOffset: 16 });
    const handle = share(v);
    expect(handle.buffer).toBeUndefined();
    expect(handle.segment?.name).toBe(shm.name);
    expect(handle.segment?.identity).toMatch(/^\d+:\d+$/);
    const text = JSON.stringify(handle);
    const w = attach(JSON.parse(text) as typeof handle);
    expect(w.value).toBe(5);
    expect((w.$obj as unknown as { $buffer: ArrayBufferLike }).$buffer).toBe(shm.buf); // no second mapping
    w.update((n) => n + 1);
    expect(v.value).toBe(6);
    // Views, arrays and every synchronization object travel the same way.
    const P = struct({ id: u32, pos: array(f32, 2) });
    const p = P.view(shm.buf, 64);
    p.set({ id: 3, pos: [1, 2] });
    const q = attach(JSON.parse(JSON.stringify(share(p))), P);
    expect(q.toObject()).toEqual({ id: 3, pos: [1, 2] });
    const lock = new Lock({ buffer: shm.buf, byteOffset: 128 });
    const same = attach(JSON.parse(JSON.stringify(share(lock)))) as Lock;
    lock.acquire();
    expect(same.locked()).toBe(true);
    expect(same.acquire(false)).toBe(false);
    lock.release();
    const arr = SharedArray('H', [1, 2], { memory: shm, byteOffset: 160 });
    const arrHandle = share(arr);
    expect(attach(JSON.parse(JSON.stringify(arrHandle)) as typeof arrHandle).toArray()).toEqual([1, 2]);
    shm.close();
  });

  it('attach checks the layout (fingerprint) as it does for SharedArrayBuffers', () => {
    const shm = segment('fingerprint', 64);
    const handle = JSON.parse(JSON.stringify(share(struct({ a: u32, b: u32 }).view(shm.buf))));
    expect(codeOf(() => attach(handle, struct({ a: u32, b: f32 })))).toBe('layout_mismatch');
    expect(codeOf(() => attach({ ...handle, fingerprint: fingerprint(u8) }))).toBe('layout_mismatch');
    expect(codeOf(() => attach({ ...handle, byteOffset: 60 }))).toBe('out_of_bounds'); // 8 bytes at 60 of 64
    shm.close();
  });

  it('attach maps the segment by name when this thread has it closed (or never opened it)', () => {
    const shm = segment('remap', 64);
    const handle = JSON.parse(JSON.stringify(share(Value('i', 9, { memory: shm, byteOffset: 0 }))));
    const buf = shm.buf;
    shm.close(); // this thread has no mapping of it now
    const v = attach(handle) as ReturnType<typeof Value<'i'>>;
    expect(v.value).toBe(9);
    const mine = (v.$obj as unknown as { $buffer: ArrayBufferLike }).$buffer;
    expect(mine).not.toBe(buf);
    expect(mine.byteLength).toBe(64);
    // A second attach reuses the mapping the first one made.
    const again = attach(handle) as typeof v;
    expect((again.$obj as unknown as { $buffer: ArrayBufferLike }).$buffer).toBe(mine);
    again.update((n) => n + 1);
    expect(v.value).toBe(10);
  });

  it('refuses a handle whose segment was unlinked, also when a new segment has its name (segment_not_found)', () => {
    const name = uniqueName('gone');
    segments.track(name);
    const old = new SharedMemory({ name, create: true, size: 64 });
    const handle = JSON.parse(JSON.stringify(share(Value('i', 1, { memory: old }))));
    old.close();
    old.unlink();
    expect(codeOf(() => attach(handle))).toBe('segment_not_found'); // no segment of that name
    const reborn = new SharedMemory({ name, create: true, size: 64 });
    Value('i', 2, { memory: reborn });
    let e: unknown;
    try {
      attach(handle);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(SharedMemoryError);
    expect(errorCode(e)).toBe('segment_not_found');
    expect((e as Error).message).toMatch(/is gone \(it was unlinked, and the segment of that name now is another one\)/);
    // …and a handle of the new one attaches the new one, though the old one is mapped here still.
    const fresh = JSON.parse(JSON.stringify(share(Value('i', undefined, { memory: reborn }))));
    expect((attach(fresh) as { value: number }).value).toBe(2);
    reborn.close();
  });

  it('refuses hostile handles before mapping anything', () => {
    const shm = segment('hostile', 64);
    const good = JSON.parse(JSON.stringify(share(RawValue('i', 0, { memory: shm }))));
    expect(codeOf(() => attach({ ...good, segment: { name: shm.name } }))).toBe('invalid_argument');
    expect(codeOf(() => attach({ ...good, segment: { name: shm.name, identity: '../etc' } }))).toBe('invalid_argument');
    expect(codeOf(() => attach({ ...good, segment: { name: '../passwd', identity: '1:2' } }))).toBe('invalid_argument');
    expect(codeOf(() => attach({ ...good, segment: { name: uniqueName('never'), identity: '1:2' } }))).toBe('segment_not_found');
    expect(codeOf(() => attach({ ...good, buffer: new SharedArrayBuffer(8) }))).toBe('invalid_argument');
    expect(codeOf(() => attach({ ...good, segment: undefined }))).toBe('not_shared');
    expect(codeOf(() => attach({ ...good, byteOffset: -1 }))).toBe('invalid_argument');
    // A SharedArrayBuffer handle sent as JSON lost its buffer: the error says to use a segment.
    expect(messageOf(() => attach(JSON.parse(JSON.stringify(share(RawValue(i8, 1))))))).toMatch(/cannot leave its process/);
    shm.close();
  });

  it('a worker thread attaches posted handles (mapping the segment by name) and update()s the Value with this thread: exact', async () => {
    const shm = segment('worker', 64);
    const started = RawValue('I', 0, { memory: shm, byteOffset: 0 });
    const v = Value('i', 0, { memory: shm, byteOffset: 16 });
    const times = 20_000;
    const worker = new Worker(new URL('./attach-thread.mjs', import.meta.url), { workerData: { value: share(v), started: share(started), times } });
    const reply = new Promise<{ done: number; sameMapping: boolean }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
    });
    await until(() => started.value === 1, 'the worker to attach');
    for (let k = 0; k < times; k++) v.update((n) => n + 1);
    expect(await reply).toEqual({ done: times, sameMapping: true });
    expect(v.value).toBe(2 * times);
    await worker.terminate();
    shm.close();
  });

  it('share() of a view over a plain ArrayBuffer is still refused', () => {
    expect(codeOf(() => share(u64.view(new ArrayBuffer(8))))).toBe('not_shared');
  });
});
