// Synchronization primitives as struct members: the lock lives with the data it guards.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  array,
  barrier,
  condition,
  describe as describeLayout,
  Event,
  event,
  fingerprint,
  fromJSON,
  type Infer,
  Lock,
  mutex,
  offsetof,
  RLock,
  rmutex,
  SchemaError,
  semaphore,
  Semaphore,
  sizeof,
  struct,
  toC,
  toJSON,
  u8,
  u32,
} from '../../src/index.js';
import { run } from '../workers/spawn.js';

const Shared = struct(
  { flag: u8, guard: mutex(), count: u32, r: rmutex(), slots: semaphore(3), ready: event(), cv: condition(), sync: barrier(2) },
  { name: 'Shared' },
);

describe('sync members', () => {
  it('are laid out as aligned Int32 words', () => {
    expect(offsetof(Shared, 'guard')).toBe(4);
    expect(offsetof(Shared, 'count')).toBe(8);
    expect(offsetof(Shared, 'r')).toBe(12);
    expect(offsetof(Shared, 'slots')).toBe(24);
    expect(offsetof(Shared, 'ready')).toBe(28);
    expect(offsetof(Shared, 'cv')).toBe(32);
    expect(offsetof(Shared, 'sync')).toBe(48);
    expect(sizeof(Shared)).toBe(60);
    expect(describeLayout(Shared)).toContain('/*       4      4 */  mutex() guard;');
    expect(toC(Shared)).toContain('  int32_t guard[1];');
  });

  it('read as the primitive over those words, already in its initial state', () => {
    const s = Shared.create({ count: 1 });
    expect(s.guard).toBeInstanceOf(Lock);
    expect(s.r).toBeInstanceOf(RLock);
    expect(s.slots).toBeInstanceOf(Semaphore);
    expect(s.slots.value).toBe(3);
    expect(s.ready).toBeInstanceOf(Event);
    s.guard.acquire();
    expect(new Int32Array(s.$buffer)[1]).toBe(1);
    expect(s.guard.locked()).toBe(true); // a second object over the same words
    s.guard.release();
    s.cv.withLock(() => s.cv.notifyAll());
    expect(s.sync.parties).toBe(2);
    expect(s.toObject()).toEqual({ flag: 0, count: 1 }); // locks are not data
    expectTypeOf(s.toObject()).toEqualTypeOf<Infer<typeof Shared>>();
    expectTypeOf<Infer<typeof Shared>>().toEqualTypeOf<{ flag: number; count: number }>();
    expect(() => ((s as unknown as { guard: unknown }).guard = 1)).toThrow("struct Shared: field 'guard': is a synchronization member and cannot be assigned");
  });

  it('arrays of locks: one lock per element', () => {
    const Striped = struct({ locks: array(mutex(), 4), counts: array(u32, 4) });
    const s = Striped.create();
    s.locks.get(2).acquire();
    expect(s.locks.get(2).locked()).toBe(true);
    expect(s.locks.get(1).locked()).toBe(false);
  });

  it('are refused where Atomics cannot work', () => {
    expect(() => sizeof(struct({ a: u8, m: mutex() }, { name: 'P', pack: 2 }))).toThrow(SchemaError);
    expect(() => sizeof(struct({ a: u8, m: mutex() }, { name: 'B', endian: 'big' }))).toThrow(
      "struct B: field 'm' holds a lock or other synchronization member in a big-endian struct",
    );
    expect(() => semaphore(-1)).toThrow(SchemaError);
    expect(() => barrier(0)).toThrow(SchemaError);
    const plain = Shared.view(new ArrayBuffer(64));
    expect(() => plain.guard).toThrow(TypeError);
  });

  it('survive JSON and keep their parameters in the fingerprint', () => {
    const back = fromJSON(JSON.parse(JSON.stringify(toJSON(Shared))));
    expect(fingerprint(back)).toBe(fingerprint(Shared));
    expect(fingerprint(struct({ s: semaphore(2) }))).not.toBe(fingerprint(struct({ s: semaphore(3) })));
  });

  it('guard a counter in the same struct across 4 workers', async () => {
    const s = Shared.create();
    const go = new Event();
    const done = Promise.all(Array.from({ length: 4 }, () => run('structLock', { buffer: s.$buffer, iterations: 10_000, start: go.place })));
    go.set();
    await done;
    expect(s.count).toBe(40_000);
  });
});

describe('a sync schema on its own', () => {
  it('create() and view() give the primitive', () => {
    const l = mutex().create();
    expect(l).toBeInstanceOf(Lock);
    expect(l.acquire()).toBe(true);
    const sab = new SharedArrayBuffer(16);
    expect(semaphore(2).view(sab, 4).value).toBe(2);
    expectTypeOf(semaphore(2).create()).toEqualTypeOf<Semaphore>();
  });
});
