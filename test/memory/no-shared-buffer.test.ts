// A context without SharedArrayBuffer (a page that is not cross-origin isolated): everything that
// needs shared memory says so with a coded TypeError (not the engine's ReferenceError), and what
// works within one thread (create() over an ArrayBuffer) still works.
import { afterEach, describe, expect, it } from 'vitest';
import { Barrier, Channel, Condition, Event, Lock, Queue, RawArray, RawValue, RLock, Semaphore, SharedArray, struct, u32, Value } from '../../src/index.js';
import { codeOf } from '../support/errors.js';

const saved = globalThis.SharedArrayBuffer;
function withoutSharedArrayBuffer<T>(f: () => T): T {
  Reflect.deleteProperty(globalThis, 'SharedArrayBuffer');
  try {
    return f();
  } finally {
    globalThis.SharedArrayBuffer = saved;
  }
}
afterEach(() => {
  globalThis.SharedArrayBuffer = saved;
});

describe('without SharedArrayBuffer', () => {
  const needsShared: Record<string, () => unknown> = {
    Value: () => Value('i', 0),
    RawValue: () => RawValue('d', 1),
    RawArray: () => RawArray('i', 4),
    Array: () => SharedArray('i', 4),
    Lock: () => new Lock(),
    RLock: () => new RLock(),
    Event: () => new Event(),
    Semaphore: () => new Semaphore(1),
    Condition: () => new Condition(),
    Barrier: () => new Barrier(2),
    Channel: () => new Channel(u32, 2),
    Queue: () => new Queue(u32, 2),
  };
  for (const [name, make] of Object.entries(needsShared)) {
    it(`${name} throws not_shared, naming what it needs`, () => {
      expect(withoutSharedArrayBuffer(() => codeOf(make))).toBe('not_shared');
      expect(() => withoutSharedArrayBuffer(make)).toThrow(/SharedArrayBuffer/);
    });
  }
  it('create() still works over an ArrayBuffer', () => {
    const v = withoutSharedArrayBuffer(() => struct({ a: u32 }).create({ a: 7 }));
    expect(v.a).toBe(7);
    expect(v.$buffer).toBeInstanceOf(ArrayBuffer);
  });
});
