/**
 * `synchronized(obj, lock?)`: a view wrapped so that every read and write holds a lock, like
 * Python's `multiprocessing.sharedctypes.synchronized`. Single accesses are atomic with respect to
 * each other; a read-modify-write such as `v.value += 1` is two accesses and can lose updates, so
 * the wrappers offer `update(fn)` (and `withLock`) for that.
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import { typeError } from '../errors.js';
import type { Layout } from '../layout/types.js';
import { mappingOf } from '../memory/backend.js';
import { type Held, held } from '../sync/acquirable.js';
import { Lock } from '../sync/lock.js';
import { RLock } from '../sync/rlock.js';
import type { ArrayView, CharView, ElementOf, Infer, Input, NamedKeys, RecordView, ValueView } from '../types/infer.js';
import type { PrimitiveInputs, PrimitiveName, PrimitiveValues } from '../kinds/primitives.js';
import type { FieldsSpec, RecordSchema, Schema } from '../types/schema.js';
import { typeLabel } from '../kinds/labels.js';

/** A lock a synchronized wrapper can use. */
export type AnyLock = Lock | RLock;

interface ViewLike {
  readonly $$layout: Layout;
  readonly $buffer: ArrayBufferLike;
  readonly $byteOffset: number;
}

/** Node's `util.inspect.custom`, by its registered name (no `node:util` import: this runs in browsers too). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Members every synchronized wrapper has (Python's names as aliases). A struct wrapper's fields are
 * properties of it too, and a field named like one of these members shadows it on that wrapper,
 * as in Python; `$lock` and `$obj` (names no field can have) always reach the lock and the view,
 * and the library itself never goes through the shadowable names.
 */
abstract class SynchronizedBase<O> {
  readonly #obj: O;
  readonly #lock: AnyLock;
  constructor(obj: O, lock: AnyLock) {
    this.#obj = obj;
    this.#lock = lock;
  }
  /** @internal The lock of `w`, whatever its fields are named. */
  static lockOf(w: SynchronizedBase<unknown>): AnyLock {
    return w.#lock;
  }
  /** @internal The view of `w`, whatever its fields are named. */
  static objOf<O>(w: SynchronizedBase<O>): O {
    return w.#obj;
  }
  /** The lock every access holds (always there, even when a field is named `getLock`). */
  get $lock(): AnyLock {
    return this.#lock;
  }
  /** The unsynchronized view underneath (always there, even when a field is named `getObj`). */
  get $obj(): O {
    return this.#obj;
  }
  /** The lock every access holds. */
  getLock(): AnyLock {
    return this.#lock;
  }
  /** The unsynchronized view underneath. */
  getObj(): O {
    return this.#obj;
  }
  /** Python spelling of {@link getLock}. */
  get_lock(): AnyLock {
    return this.#lock;
  }
  /** Python spelling of {@link getObj}. */
  get_obj(): O {
    return this.#obj;
  }
  /** Acquires the lock (e.g. to make several accesses one atomic step). */
  acquire(blocking = true, timeout = -1): boolean {
    return this.#lock.acquire(blocking, timeout);
  }
  /** Releases the lock. */
  release(): void {
    this.#lock.release();
  }
  /** Runs `fn` with the lock held, passing the unsynchronized view: the way to do several steps atomically. */
  withLock<T>(fn: (obj: O) => T): T {
    this.#lock.acquire();
    try {
      return fn(this.#obj);
    } finally {
      this.#lock.release();
    }
  }
  /**
   * Async form of {@link withLock}, for a thread that may not block: `fn` gets the unsynchronized
   * view and may await; other async tasks of this thread wait for it as other threads do (async
   * acquisitions are not re-entrant, also with the default `RLock`). Use the view `fn` receives,
   * not the wrapper's accessors, inside: those take the lock again, which is a `SyncError` while an
   * async task of this thread holds an `RLock`.
   *
   * @example
   * ```ts
   * import { Value } from 'sharedctypes';
   * const hits = Value('i', 0);
   * const bump = () =>
   *   hits.withLockAsync(async (raw) => {
   *     const n = raw.value;
   *     await Promise.resolve(); // another task's bump waits here
   *     raw.value = n + 1;
   *   });
   * await Promise.all([bump(), bump()]);
   * hits.value; // 2
   * ```
   */
  async withLockAsync<T>(fn: (obj: O) => T | Promise<T>): Promise<T> {
    await this.#lock.acquireAsync();
    try {
      return await fn(this.#obj);
    } finally {
      this.#lock.release();
    }
  }
  /** Acquires the lock and returns a handle that `using` releases. */
  hold(): Held {
    this.#lock.acquire();
    return held(this.#lock);
  }
}

/** @internal The lock of a synchronized wrapper. */
export function lockOf(w: SynchronizedBase<unknown>): AnyLock {
  return SynchronizedBase.lockOf(w);
}

/** @internal The view inside a synchronized wrapper. */
export function objOf<O>(w: SynchronizedBase<O>): O {
  return SynchronizedBase.objOf(w);
}

/** Runs `fn` on the wrapper's view with its lock held, reaching both through private fields only. */
function locked<O, T>(w: SynchronizedBase<O>, fn: (obj: O) => T): T {
  const lock = SynchronizedBase.lockOf(w);
  lock.acquire();
  try {
    return fn(SynchronizedBase.objOf(w));
  } finally {
    lock.release();
  }
}

/**
 * How a wrapper prints: `Synchronized(<the view>)`, read with the lock held when it is free (a
 * printout never waits: when another thread holds the lock, the view is read as it is, and marked).
 */
function inspectWrapper(w: SynchronizedBase<unknown>, depth: number, options: object, inspect: (v: unknown, o: object) => string): string {
  if (depth < 0) return '[Synchronized]';
  const lock = SynchronizedBase.lockOf(w);
  let got = false;
  try {
    got = lock.acquire(false);
  } catch {
    got = false; // e.g. a blocking acquire during this thread's async hold
  }
  try {
    return `Synchronized(${inspect(SynchronizedBase.objOf(w), { ...options, depth: depth })})${got ? '' : ' (lock busy: read as is)'}`;
  } finally {
    if (got) lock.release();
  }
}

Object.defineProperties(SynchronizedBase.prototype, {
  [INSPECT]: {
    value(this: SynchronizedBase<unknown>, depth: number, options: object, inspect: (v: unknown, o: object) => string): string {
      return inspectWrapper(this, depth, options, inspect);
    },
    configurable: true,
    writable: true,
  },
  /** `JSON.stringify(wrapper)`: the view's data, read with the lock held. */
  toJSON: {
    value(this: SynchronizedBase<unknown>): unknown {
      return locked(this, (o) => (o as { toJSON(): unknown }).toJSON());
    },
    configurable: true,
    writable: true,
  },
});

/**
 * A synchronized single value (`Value('i', 0)`): `.value` reads and writes under the lock, and
 * `update(fn)` does a read-modify-write as one locked step.
 *
 * @example
 * ```ts
 * import { Value } from 'sharedctypes';
 * const hits = Value('i', 0);     // a SynchronizedValue
 * hits.update((n) => n + 1);     // not hits.value += 1: that is two locked steps, and races
 * hits.value;                    // 1
 * ```
 */
export class SynchronizedValue<R, W = R, V extends { get value(): R; set value(v: W) } = { value: R }> extends SynchronizedBase<V> {
  /** The value, read under the lock. */
  get value(): R {
    return locked(this, (o) => o.value);
  }
  /** Writes the value under the lock. */
  set value(v: W) {
    locked(this, (o) => {
      o.value = v;
    });
  }
  /**
   * Replaces the value with `fn(value)` while holding the lock, and returns the new value: the
   * race-free form of `v.value = v.value + 1`.
   */
  update(fn: (value: R) => W): R {
    const lock = lockOf(this);
    const o = objOf(this);
    lock.acquire();
    try {
      o.value = fn(o.value);
      return o.value;
    } finally {
      lock.release();
    }
  }
}

/**
 * A synchronized `char[N]` (`Array('c', n)`): `.value` and `.raw` under the lock.
 *
 * @example
 * ```ts
 * import { SharedArray } from 'sharedctypes';
 * const name = SharedArray('c', 8);  // a SynchronizedString
 * name.value = 'ada';
 * name.raw;                          // Uint8Array [97, 100, 97, 0, 0, 0, 0, 0]
 * ```
 */
export class SynchronizedString extends SynchronizedValue<string, string | Uint8Array, CharView> {
  /** All the bytes, read under the lock. */
  get raw(): Uint8Array {
    return locked(this, (o) => o.raw);
  }
  /** Writes the bytes under the lock. */
  set raw(v: ArrayLike<number>) {
    locked(this, (o) => {
      o.raw = v;
    });
  }
}

/**
 * A synchronized array (`Array('d', 10)`): element and bulk access under the lock.
 *
 * @example
 * ```ts
 * import { SharedArray } from 'sharedctypes';
 * const a = SharedArray('d', [1, 2, 3]); // a SynchronizedArray
 * a.set(0, 5);
 * a.update(1, (x) => x * 10);
 * a.toArray();                           // [5, 20, 3], a consistent snapshot
 * ```
 */
export class SynchronizedArray<E extends Schema> extends SynchronizedBase<ArrayView<E>> implements Iterable<ElementOf<E>> {
  /** Number of elements. */
  get length(): number {
    return objOf(this).length;
  }
  /** Element `index`, read under the lock. */
  get(index: number): ElementOf<E> {
    return locked(this, (a) => a.get(index));
  }
  /** Like `get`, negative indices counting from the end. */
  at(index: number): ElementOf<E> {
    return locked(this, (a) => a.at(index));
  }
  /** Writes element `index` (or, given an array, consecutive elements from `offset`) under the lock. */
  set(index: number, value: Input<E>): void;
  set(values: ArrayLike<Input<E>>, offset?: number): void;
  set(a: number | ArrayLike<Input<E>>, b?: unknown): void {
    locked(this, (arr) => (arr.set as (x: unknown, y?: unknown) => void)(a, b));
  }
  /** Replaces element `index` with `fn(element)` under the lock; returns the new element. */
  update(index: number, fn: (value: ElementOf<E>) => Input<E>): ElementOf<E> {
    return locked(this, (arr) => {
      arr.set(index, fn(arr.get(index)));
      return arr.get(index);
    });
  }
  /** A copy of all elements, taken under the lock (a consistent snapshot). */
  toArray(): Infer<E>[] {
    return locked(this, (a) => a.toArray());
  }
  /** Iterates over a snapshot taken under the lock. */
  [Symbol.iterator](): Iterator<ElementOf<E>> {
    return (locked(this, (a) => [...a]) as ElementOf<E>[])[Symbol.iterator]();
  }
}

/** The field names of a record schema. */
type FieldNamesOf<S> = S extends RecordSchema<'struct' | 'union', infer F> ? NamedKeys<F> : never;

/**
 * A synchronized struct or union: every field access and `toObject`/`set` hold the lock. A field
 * named like a wrapper member (`acquire`, `release`, `getLock`, …) is the field on this wrapper;
 * `$lock` and `$obj` always reach the lock and the view.
 */
export type SynchronizedRecord<S extends RecordSchema<'struct' | 'union', FieldsSpec>> = Omit<SynchronizedBase<RecordView<S>>, FieldNamesOf<S>> &
  Omit<RecordView<S>, 'toObject' | 'set' | '$buffer' | '$byteOffset' | '$byteLength' | '$schema'> & {
    toObject(): Infer<S>;
    set(values: Input<S>): void;
  };

class SynchronizedRecordBase<S extends RecordSchema> extends SynchronizedBase<RecordView<S>> {
  toObject(): Infer<S> {
    return locked(this, (o) => o.toObject());
  }
  set(values: Input<S>): void {
    locked(this, (o) => {
      o.set(values);
    });
  }
}

const recordWrappers = new WeakMap<Layout, new (obj: unknown, lock: AnyLock) => object>();

function recordWrapper(l: Layout & { kind: 'struct' | 'union' }): new (obj: unknown, lock: AnyLock) => object {
  let C = recordWrappers.get(l);
  if (C === undefined) {
    const Wrapper = class extends SynchronizedRecordBase<RecordSchema> {};
    for (const f of l.fields) {
      const name = f.name;
      Object.defineProperty(Wrapper.prototype, name, {
        get(this: SynchronizedRecordBase<RecordSchema>) {
          return locked(this, (o) => (o as unknown as Record<string, unknown>)[name]);
        },
        set(this: SynchronizedRecordBase<RecordSchema>, v: unknown) {
          locked(this, (o) => {
            (o as unknown as Record<string, unknown>)[name] = v;
          });
        },
        enumerable: true,
        configurable: true,
      });
    }
    C = Wrapper as unknown as new (obj: unknown, lock: AnyLock) => object;
    recordWrappers.set(l, C);
  }
  return C;
}

/** What `synchronized()` returns for a view of a given kind. */
export type SynchronizedOf<V> =
  V extends ValueView<infer N extends PrimitiveName>
    ? SynchronizedValue<PrimitiveValues[N], PrimitiveInputs[N], ValueView<N>>
    : V extends CharView
      ? SynchronizedString
      : V extends ArrayView<infer E>
        ? SynchronizedArray<E>
        : V extends { readonly $schema: infer S extends RecordSchema }
          ? SynchronizedRecord<S>
          : never;

/**
 * Refuses a lock that cannot exclude everyone who can reach the view: a view in a `SharedMemory`
 * segment (other processes map it) with a lock in a SharedArrayBuffer (this process only).
 */
export function checkLockReaches(obj: unknown, lock: AnyLock, what: string): void {
  const buffer = (obj as Partial<ViewLike> | null)?.$buffer;
  const segment = buffer === undefined ? undefined : mappingOf(buffer);
  if (segment === undefined || mappingOf(lock.place.buffer) !== undefined) return;
  throw typeError(
    'invalid_argument',
    what,
    `the data is in SharedMemory '${segment.name}', which other processes map, but the lock lives in a SharedArrayBuffer of this process and would not exclude them`,
    'place the lock in the segment too (new RLock({ buffer: shm.buf, byteOffset }), an rmutex() member), or let Value/Array place their own',
  );
}

/**
 * Wraps a view so that every access holds `lock` (a new `RLock` when absent), like Python's
 * `synchronized(obj, lock=None)`. A view over a `SharedMemory` segment needs a lock that lives
 * in process-shared memory too (a new `RLock` would be this process's alone): pass one placed in
 * the segment, or use `Value`/`Array` with `{ memory, byteOffset }`, which place their own.
 *
 * @example
 * ```ts
 * import { synchronized, create } from 'sharedctypes';
 * const hits = synchronized(create('i', 0));
 * hits.update((n) => n + 1);    // one locked read-modify-write; `hits.value += 1` would race
 * hits.getLock();               // the RLock
 * ```
 */
export function synchronized<V>(obj: V, lock?: AnyLock): SynchronizedOf<V> {
  const l = (obj as Partial<ViewLike> | null)?.$$layout;
  if (l === undefined) throw typeError('invalid_argument', 'synchronized', 'needs a view made by this library (create(), view(), RawValue, RawArray)');
  if (lock === undefined) {
    const segment = mappingOf((obj as ViewLike).$buffer);
    if (segment !== undefined) {
      throw typeError(
        'invalid_argument',
        'synchronized',
        `the view is in SharedMemory '${segment.name}', which other processes map, and a new RLock would live in this process only`,
        'pass a lock placed in the segment: synchronized(view, new RLock({ buffer: shm.buf, byteOffset })), or use Value/Array with { memory, byteOffset }',
      );
    }
  }
  const theLock = lock ?? new RLock();
  if (!(theLock instanceof Lock || theLock instanceof RLock)) throw typeError('invalid_argument', 'synchronized', 'lock must be a Lock or an RLock');
  checkLockReaches(obj, theLock, 'synchronized');
  switch (l.kind) {
    case 'primitive':
      return wrap(SynchronizedValue<unknown>, obj, theLock) as SynchronizedOf<V>;
    case 'char':
      return wrap(SynchronizedString, obj, theLock) as SynchronizedOf<V>;
    case 'array':
      return wrap(SynchronizedArray, obj, theLock) as SynchronizedOf<V>;
    case 'struct':
    case 'union':
      return wrap(recordWrapper(l), obj, theLock) as SynchronizedOf<V>;
    case 'sync':
      throw typeError('invalid_argument', 'synchronized', `cannot wrap ${typeLabel(l.schema)}: it is a synchronization primitive already`);
  }
}

/**
 * `new W(obj, lock)`, keeping a wrapper of class `W` alive (around an empty object and a lock of
 * its own, not the user's view) so that the engine keeps its shape across collections: shapes.ts.
 */
function wrap<W>(C: new (obj: never, lock: AnyLock) => W, obj: unknown, lock: AnyLock): W {
  keepShape(C, smallWrapper);
  return new C(obj as never, lock);
}

/** The small wrapper of class `C` that src/shapes.ts keeps alive (around an empty object and a lock of its own). */
const smallWrapper = (C: new (obj: never, lock: AnyLock) => unknown): unknown => new C({} as never, new RLock());

/** @internal Whether `x` is a synchronized wrapper. */
export function isSynchronized(x: unknown): x is SynchronizedBase<unknown> {
  return x instanceof SynchronizedBase;
}
