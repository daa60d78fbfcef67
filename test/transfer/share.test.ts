// Hand-off: share() → structured-cloneable handle → attach() in another thread, typed and checked.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  array,
  attach,
  attachAll,
  Barrier,
  barrier,
  char,
  Condition,
  Event,
  f32,
  f64,
  fingerprint,
  LayoutMismatchError,
  Lock,
  mutex,
  RLock,
  rmutex,
  Semaphore,
  semaphore,
  share,
  shareAll,
  struct,
  synchronized,
  u8,
  u16,
  u32,
  Value,
} from '../../src/index.js';
import { codeOf } from '../support/errors.js';
import { run, start } from '../workers/spawn.js';

const Particle = struct({ x: f64, y: f64, z: f64, vx: f32, vy: f32, vz: f32, id: u32, alive: u8 }, { name: 'Particle' });

describe('share / attach in one thread', () => {
  it('round-trips views, synchronized values and every synchronization object', () => {
    const ps = array(Particle, 3).create();
    ps.get(1).id = 5;
    const again = attach(structuredClone(share(ps)), array(Particle, 3));
    expect(again.get(1).id).toBe(5);
    again.get(2).id = 6; // the clone shares the memory
    expect(ps.get(2).id).toBe(6);
    const untyped = attach(share(ps));
    expect(fingerprint(untyped.$schema)).toBe(fingerprint(ps.$schema));
    const v = attach(share(Value('i', 3)));
    expect(v.value).toBe(3);
    const lock = new Lock();
    lock.acquire();
    expect(attach(share(lock)).locked()).toBe(true);
    expect(attach(share(new Semaphore(4))).value).toBe(4);
    expect(attach(share(new Barrier(3))).parties).toBe(3);
    expect(attach(share(new Condition())).lock.constructor.name).toBe('RLock');
    expect(attach(share(new Event())).isSet()).toBe(false);
  });
  it('keeps the byte order a nested struct inherited', () => {
    const Inner = struct({ v: u16 });
    const Outer = struct({ a: Inner }, { endian: 'big' });
    const o = Outer.create({ a: { v: 0x0102 } });
    const inner = attach(share(o.a));
    expect(inner.v).toBe(0x0102);
  });
  it('refuses a handle attached with another layout, showing both', () => {
    const h = share(array(Particle, 2).create());
    const Other = struct({ x: f64, id: u32 }, { name: 'Particle' });
    expect(() => attach(h, array(Other, 2))).toThrow(LayoutMismatchError);
    expect(() => attach(h, array(Other, 2))).toThrow(/differs from the schema given here/);
    expect(() => attach({} as never)).toThrow(TypeError);
    expect(() => share(array(u8, 2).view(new ArrayBuffer(2)))).toThrow('the view is over an ArrayBuffer, which postMessage would copy');
  });
  it('a handle whose fingerprint is not its own descriptor’s says so, instead of showing two equal layouts', () => {
    const h = { ...share(array(Particle, 2).create()), fingerprint: 'sct2:0000000000000000' };
    expect(() => attach(h, array(Particle, 2))).toThrow(LayoutMismatchError);
    expect(() => attach(h, array(Particle, 2))).toThrow(
      /^attach: the handle's fingerprint \(sct2:0000000000000000\) is not its descriptor's \(sct2:[0-9a-f]{16}\), whose layout is the schema given here: the handle was altered/,
    );
  });
});

describe('attach options', () => {
  it('a second argument that is neither a schema nor known options is refused (a struct written without struct() must not skip the layout check)', () => {
    const h = share(struct({ a: u16, b: u16 }).create({ a: 1, b: 2 }));
    for (const bad of [{ a: u16 }, { chekced: true }, null, 42, { checked: 'yes' }, { timeout: '5' }]) {
      let error: unknown;
      try {
        attach(h, bad as never);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(bad)).toBeInstanceOf(TypeError);
      expect((error as { code?: string }).code).toBe('invalid_argument');
    }
    expect(() => attach(h, struct({ a: u16, b: u16 }), { a: 1 } as never)).toThrow(TypeError);
    // Known options, alone or after a schema, still work.
    expect(attach(h, { checked: true }).toObject()).toEqual({ a: 1, b: 2 });
    expect(attach(h, struct({ a: u16, b: u16 }), { checked: true }).b).toBe(2);
    expect(attach(h, undefined).a).toBe(1);
  });
  it('a handle whose byteOffset is not a whole number ≥ 0 is refused with the value in the message', () => {
    const h = share(struct({ a: u16 }).create());
    const shown: [unknown, string][] = [
      [-8, 'is -8,'],
      [1.5, 'is 1.5,'],
      [Number.NaN, 'is NaN,'],
      ['8', 'is string "8",'],
      [undefined, 'is undefined,'],
    ];
    for (const [byteOffset, text] of shown) {
      expect(() => attach({ ...h, byteOffset } as never)).toThrow(`the handle's byteOffset ${text} not a whole number`);
      expect(codeOf(() => attach({ ...h, byteOffset } as never))).toBe('invalid_argument');
    }
  });
});

describe('hostile handles and keys', () => {
  it('a handle that holds itself, or nests deeper than share() makes, is refused with a code (it overflowed the stack)', () => {
    const hs = share(synchronized(struct({ x: u32 }).create())) as unknown as Record<string, unknown>;
    const hc = share(new Condition()) as unknown as Record<string, unknown>;
    const selfObj = { ...hs };
    selfObj['obj'] = selfObj;
    const selfLock = { ...hc };
    selfLock['lock'] = selfLock;
    let deep: Record<string, unknown> = hc['lock'] as Record<string, unknown>;
    for (let i = 0; i < 100_000; i++) deep = { ...hc, lock: deep };
    for (const h of [selfObj, selfLock, structuredClone(selfLock), deep]) {
      expect(codeOf(() => attach(h as never))).toBe('invalid_argument');
    }
    expect(attach(hs as never)).toBeDefined(); // what share() makes still attaches
  });
  it('attachAll and shareAll keep every key as a key (__proto__, constructor), and refuse a schema named for no handle', () => {
    const P = struct({ x: f64, y: u32 });
    const h = share(P.create({ x: 1.5, y: 2 }));
    const withProto = structuredClone(Object.defineProperty({}, '__proto__', { value: h, enumerable: true }));
    const r = attachAll(withProto as never) as Record<string, { x: number }>;
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.keys(r)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(r, '__proto__')?.value.x).toBe(1.5);
    const shared = shareAll(Object.defineProperty({}, '__proto__', { value: P.create(), enumerable: true }) as never);
    expect(Object.getPrototypeOf(shared)).toBe(Object.prototype);
    expect(Object.keys(shared)).toEqual(['__proto__']);
    expect((attachAll({ constructor: h } as never, {} as never) as Record<string, { y: number }>)['constructor']?.y).toBe(2);
    expect(() => attachAll({ particles: h }, { particels: P } as never)).toThrow(
      'schemas are given for "particels", which no handle has (the handles are "particles")',
    );
    expect(codeOf(() => attachAll({ particles: h }, { particels: P } as never))).toBe('invalid_argument');
    expect(attachAll({ particles: h }, { particles: P }).particles.y).toBe(2);
    // A schema left undefined for an optional handle is no misspelling; schemas inherited from a
    // common object are used (and checked).
    expect((attachAll({ particles: h }, { particles: P, extra: undefined } as never) as { particles: { y: number } }).particles.y).toBe(2);
    const common = { particles: struct({ other: u8 }) };
    expect(() => attachAll({ particles: h }, Object.create(common) as never)).toThrow(LayoutMismatchError);
  });
});

describe('synchronization handles', () => {
  it('a handle without what share() writes (a semaphore value, a barrier count, a condition lock) or with a lock of another kind is refused at attach', () => {
    const sem = share(new Semaphore(2)) as unknown as Record<string, unknown>;
    expect(codeOf(() => attach({ ...sem, param: undefined } as never))).toBe('invalid_argument');
    expect(codeOf(() => attach({ ...sem, param: -1 } as never))).toBe('invalid_argument');
    const cond = share(new Condition()) as unknown as Record<string, unknown>;
    expect(codeOf(() => attach({ ...cond, lock: undefined } as never))).toBe('invalid_argument');
    expect(codeOf(() => attach({ ...cond, lock: share(new Semaphore(1)) } as never))).toBe('invalid_argument');
    expect((attach(sem as never) as Semaphore).value).toBe(2);
    expect(attach(cond as never)).toBeInstanceOf(Condition);
  });
  it('a schema given with the handle of a synchronization object must be of its kind (it was ignored: a Lock typed as a struct view)', () => {
    const S = struct({ lock: mutex(), n: u32 });
    expect(() => attach(share(new Lock()), S)).toThrow(LayoutMismatchError);
    expect(() => attach(share(new Lock()), S)).toThrow('the handle is of a synchronization object (mutex()), but the schema given here is struct (anonymous)');
    expect(() => attach(share(new RLock()), mutex())).toThrow(LayoutMismatchError);
    expect(() => attach(share(new Barrier(2)), 'i')).toThrow(LayoutMismatchError);
    expect(() => attachAll(shareAll({ a: new Semaphore(2) }), { a: S })).toThrow(LayoutMismatchError);
    expect(attach(share(new Lock()), mutex())).toBeInstanceOf(Lock);
    expect(attach(share(new RLock()), rmutex())).toBeInstanceOf(RLock);
    expect((attach(share(new Semaphore(2)), semaphore(2)) as Semaphore).value).toBe(2);
    // A semaphore's initial value and a barrier's parties are part of the type.
    expect(() => attach(share(new Semaphore(3)), semaphore(5))).toThrow('(semaphore(3)), but the schema given here is semaphore(5)');
    expect(() => attach(share(new Barrier(2)), barrier(7))).toThrow(LayoutMismatchError);
    expect((attach(share(new Barrier(2)), barrier(2)) as Barrier).parties).toBe(2);
  });
});

describe('share / attach across real workers', () => {
  it('workerData: a typed attach with the same schema writes through; another layout is refused', async () => {
    const ps = array(Particle, 100).create();
    for (let i = 0; i < 100; i++) ps.get(i).id = i;
    const handle = share(ps);
    expect(await run('attachTyped', { handle, variant: 'same' })).toBe('ok');
    expect(ps.get(7).id).toBe(14);
    expect(await run('attachTyped', { handle, variant: 'u16-id' })).toMatch(
      /^LayoutMismatchError: attach: the shared view's layout \(sct2:[0-9a-f]{16}\) differs from the schema given here \(sct2:[0-9a-f]{16}\)/,
    );
  });
  it('postMessage: handles survive structured clone; the lock and event are the same objects in memory', async () => {
    const User = struct({ id: u32, name: char(16) });
    const user = User.create();
    const lock = new Lock();
    const event = new Event();
    const { port1, port2 } = new MessageChannel();
    const w = start<string>('viaMessage', { port: port2 }, 30_000);
    port1.postMessage(shareAll({ view: user, lock, event }));
    expect(await event.waitAsync(20_000)).toBe(true);
    expect(user.toObject()).toEqual({ id: 42, name: 'from worker' });
    expect(await w.result).toBe(fingerprint(User));
    port1.close();
  });
  it('a long-lived worker attaching a handle per message, a new buffer each time, keeps one view class', async () => {
    const { port1, port2 } = new MessageChannel();
    const rounds = 20;
    const w = start<{ sameClass: number; sameClassPerJobSchema: number }>('attachMany', { port: port2, rounds });
    const arrays = [];
    for (let r = 0; r < rounds; r++) {
      const a = array(u32, 64).create(); // a new buffer (and a new SharedArrayBuffer object) per job
      arrays.push(a);
      port1.postMessage({ handle: share(a) });
      await new Promise((resolve) => port1.once('message', resolve));
    }
    expect(await w.result).toEqual({ sameClass: rounds, sameClassPerJobSchema: rounds });
    arrays.forEach((a, r) => {
      expect(a.get(r)).toBe(r + 1);
    });
    port1.close();
  });

  it('attach uses the buffer in the handle: another buffer put in a handle is the one read and written', () => {
    const a = array(u32, 4).create();
    const b = array(u32, 4).create();
    a.set(0, 11);
    b.set(0, 22);
    const h = share(a);
    const forged = { ...h, buffer: b.$buffer as SharedArrayBuffer };
    const v = attach(forged, array(u32, 4));
    expect(v.get(0)).toBe(22);
    v.set(1, 5);
    expect(b.get(1)).toBe(5);
    expect(a.get(1)).toBe(0);
    expect(attach(h, array(u32, 4)).get(0)).toBe(11);
  });

  it('attachAll types views by the schemas given', () => {
    const handles = shareAll({ ps: array(Particle, 2).create(), n: Value('d', 1) });
    const { ps, n } = attachAll(handles, { ps: array(Particle, 2) });
    expect(ps.length).toBe(2);
    expect(n.value).toBe(1);
  });
});
