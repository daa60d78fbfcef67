// Synchronization primitives as struct members: the lock lives with the data it guards.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  array,
  barrier,
  Condition,
  condition,
  describe as describeLayout,
  Event,
  event,
  fingerprint,
  layout,
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
  toCtypes,
  toJSON,
  u8,
  u32,
  union,
} from '../../src/index.js';
import { canonicalNode } from '../../src/layout/fingerprint.js';
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

describe('reading a sync member', () => {
  it('gives the same object every time (one per buffer object and offset in a thread), for every kind', () => {
    const s = Shared.create();
    for (const k of ['guard', 'r', 'slots', 'ready', 'cv', 'sync'] as const) expect(s[k]).toBe(s[k]);
    expect(Shared.view(s.$buffer).guard).toBe(s.guard); // another view of the same buffer
    const Striped = struct({ locks: array(mutex(), 4) });
    const st = Striped.create();
    expect(st.locks.get(2)).toBe(st.locks.get(2));
    expect(st.locks.get(2)).not.toBe(st.locks.get(1));
  });

  it('another SharedArrayBuffer object for the same memory gives another object over the same words', () => {
    const s = Shared.create();
    const other = Shared.view(structuredClone(s.$buffer)); // the same memory, a new buffer object
    expect(other.guard).not.toBe(s.guard);
    s.guard.acquire();
    expect(other.guard.locked()).toBe(true);
    other.guard.release();
    expect(s.guard.locked()).toBe(false);
  });

  it('members of different kinds at one offset (a union) each read as their own kind', () => {
    const U = union({ m: mutex(), s: semaphore(2), e: event() });
    const u = U.create();
    for (let k = 0; k < 3; k++) {
      expect(u.m).toBeInstanceOf(Lock);
      expect(u.s).toBeInstanceOf(Semaphore);
      expect(u.s.initial).toBe(2);
      expect(u.e).toBeInstanceOf(Event);
    }
    const V = union({ a: semaphore(1), b: semaphore(3) });
    const v = V.create();
    expect([v.a.initial, v.b.initial, v.a.initial]).toEqual([1, 3, 1]);
  });

  it('a sweep over more locks than the cache keeps still gives working locks', () => {
    const Many = array(struct({ lock: mutex(), n: u32 }), 10_000);
    const m = Many.create();
    for (let i = 0; i < 10_000; i++) {
      const a = m.get(i);
      a.lock.withLock(() => {
        a.n += 1;
      });
    }
    for (let i = 0; i < 10_000; i += 997) expect(m.get(i).n).toBe(1);
    expect(m.get(9_999).lock).toBe(m.get(9_999).lock);
  });
});

describe("condition('lock'): conditions over a lock member", () => {
  const BoundedBuffer = struct(
    {
      lock: mutex(),
      notEmpty: condition('lock'),
      notFull: condition('lock'),
      head: u32,
      tail: u32,
      count: u32,
      items: array(u32, 8),
    },
    { name: 'BoundedBuffer' },
  );

  it("takes only its sequence word, and shares the struct's lock", () => {
    expect(sizeof(condition('lock'))).toBe(4);
    expect(offsetof(BoundedBuffer, 'notEmpty')).toBe(4);
    expect(offsetof(BoundedBuffer, 'notFull')).toBe(8);
    expect(offsetof(BoundedBuffer, 'head')).toBe(12);
    expect(sizeof(BoundedBuffer)).toBe(56);
    const b = BoundedBuffer.create();
    expect(b.notEmpty).toBeInstanceOf(Condition);
    expect(b.notEmpty.lock).toBe(b.lock);
    expect(b.notFull.lock).toBe(b.lock);
    expectTypeOf(b.notEmpty).toEqualTypeOf<Condition<Lock>>();
    b.lock.acquire();
    expect(b.notEmpty.wait(1)).toBe(false); // the lock is held: wait is allowed, and re-takes it
    b.notFull.notifyAll();
    b.lock.release();
    expect(() => b.notEmpty.notify()).toThrow('Condition.notify(): the lock is not held');
    const R = struct({ r: rmutex(), cv: condition('r') });
    const rv = R.create();
    expect(rv.cv.lock).toBeInstanceOf(RLock);
    expectTypeOf(rv.cv).toEqualTypeOf<Condition<RLock>>();
    rv.cv.withLock(() => rv.r.withLock(() => rv.cv.notify())); // re-entrant: one RLock
  });

  it('is named in describe(), toC(), toCtypes(), JSON and the fingerprint', () => {
    expect(describeLayout(BoundedBuffer)).toContain("/*       4      4 */  condition('lock') notEmpty;");
    expect(toC(BoundedBuffer)).toContain('  int32_t notEmpty[1];');
    expect(toCtypes(BoundedBuffer)).toContain("('notEmpty', (ctypes.c_int32 * 1)),");
    const json = toJSON(BoundedBuffer);
    expect(JSON.stringify(json)).toContain('{"name":"notEmpty","type":{"kind":"sync","type":"condition","lock":"lock"}}');
    const back = fromJSON(JSON.parse(JSON.stringify(json)));
    expect(fingerprint(back)).toBe(fingerprint(BoundedBuffer));
    // The lock it names is part of the layout's identity.
    const a = struct({ l1: mutex(), l2: mutex(), cv: condition('l1') });
    const b = struct({ l1: mutex(), l2: mutex(), cv: condition('l2') });
    expect(fingerprint(a)).not.toBe(fingerprint(b));
    // A condition with its own lock hashes as before the lock name existed.
    expect(canonicalNode(layout(condition()))).toBe('sync:condition(0)');
    expect(canonicalNode(layout(condition('l2')))).toBe('sync:condition(0,lock=l2)');
  });

  it('is checked when the struct is made: a SchemaError names the field', () => {
    expect(() => struct({ cv: condition('lock'), n: u32 }, { name: 'Q' })).toThrow(
      "struct Q: field 'cv' is condition('lock'), but the struct has no member 'lock'; add a member lock: mutex() (or rmutex())",
    );
    expect(() => struct({ lock: u32, cv: condition('lock') }, { name: 'Q' })).toThrow(
      "struct Q: field 'cv' is condition('lock'), but 'lock' is u32, not a lock; make 'lock' a mutex() or rmutex(), or give the condition a lock of its own: condition()",
    );
    for (const notALock of [semaphore(1), event(), condition(), barrier(2), array(mutex(), 2)]) {
      expect(() => struct({ lock: notALock, cv: condition('lock') })).toThrow(SchemaError);
    }
    expect(() => struct({ cv: condition('cv') })).toThrow(SchemaError);
    expect(() => union({ lock: mutex(), cv: condition('lock') }, { name: 'U' })).toThrow(
      "union U: field 'cv' is condition('lock') in a union, where its word would overlap the lock's",
    );
    expect(() => struct({ lock: mutex(), cvs: array(condition('lock'), 2) }, { name: 'Q' })).toThrow("struct Q: field 'cvs' is an array of condition('lock')");
    expect(() => condition('not a name')).toThrow(SchemaError);
    expect(() => condition(7 as unknown as string)).toThrow(SchemaError);
    // On its own it has no struct to find its lock in.
    expect(() => condition('lock').create()).toThrow(TypeError);
    expect(() => array(condition('lock'), 2).create().get(0)).toThrow("condition('lock'): names a lock member of its struct");
  });

  it('is checked in JSON descriptors too', () => {
    const sync = (t: Record<string, unknown>) => ({
      format: 'sharedctypes/1',
      root: {
        kind: 'struct',
        fields: [
          { name: 'lock', type: 'u32' },
          { name: 'cv', type: { kind: 'sync', ...t } },
        ],
      },
    });
    expect(() => fromJSON(sync({ type: 'condition', lock: 'lock' }))).toThrow("but 'lock' is u32, not a lock");
    expect(() => fromJSON(sync({ type: 'mutex', lock: 'lock' }))).toThrow(
      'root.fields[1].type.lock: is given for a mutex; only a condition names a lock member',
    );
    expect(() => fromJSON(sync({ type: 'condition', lock: 3 }))).toThrow(
      'root.fields[1].type.lock: is number 3; expected the name of a mutex or rmutex member',
    );
    expect(() => fromJSON(sync({ type: 'condition', lock: 'lock', value: 1 }))).toThrow(SchemaError);
  });

  it("Python's bounded buffer: 2 producers and 2 consumers in workers, one lock, two conditions; every item exactly once", async () => {
    const b = BoundedBuffer.create();
    const go = new Event();
    const per = 2000;
    const producers = [0, 1].map((p) => run('bufferProducer', { buffer: b.$buffer, start: go.place, from: p * per + 1, count: per }));
    const consumers = [0, 1].map(() => run<number[]>('bufferConsumer', { buffer: b.$buffer, start: go.place, count: per }));
    go.set();
    const [, , got1, got2] = await Promise.all([...producers, ...consumers]);
    const all = [...(got1 as number[]), ...(got2 as number[])].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 2 * per }, (_, i) => i + 1));
    expect(b.count).toBe(0);
    expect(b.lock.locked()).toBe(false);
  });
});
