/**
 * `RawValue`, `RawArray`, `Value`, `Array` (exported also as `SharedArray`) and `copy`: Python's
 * `multiprocessing.sharedctypes`. Each allocates a SharedArrayBuffer of its own, or is placed at a
 * byte offset of memory the caller gives (`{ memory, byteOffset }`): a SharedArrayBuffer, or a
 * `SharedMemory` segment that other processes map. With a lock (the default for `Value` and
 * `Array`, an `RLock` as in Python), the lock's words sit just before the data, in the same memory:
 * the value occupies `struct { rmutex lock; T value; }` ({@link synchronizedSchema}), so sharing
 * the value shares its lock, with threads or with processes.
 *
 * @module
 */
import { rangeError, shownNumber, typeError } from '../errors.js';
import { checkShared, newSharedBuffer } from '../memory/buffers.js';
import { placementMemory } from '../memory/place.js';
import type { SharedMemory } from '../memory/shared-memory.js';
import { layout } from '../layout/compute.js';
import { checkOptions } from '../options.js';
import { forEachSyncMember } from '../layout/queries.js';
import type { RecordLayout } from '../layout/types.js';
import { RLock } from '../sync/rlock.js';
import { resolveSchema } from '../types/builtins.js';
import { array } from '../types/array.js';
import { char } from '../types/char.js';
import type { ArrayView, CharView, Input, ViewOf } from '../types/infer.js';
import { struct } from '../types/record.js';
import type { ResolveSchema, Schema, SchemaLike, StructSchema, SyncSchema } from '../types/schema.js';
import { typeLabel } from '../kinds/labels.js';
import { rmutex } from '../types/sync.js';
import { view } from '../types/type-functions.js';
import { createOfSchema } from '../views/attach.js';
import { type AnyLock, checkLockReaches, isSynchronized, objOf, type SynchronizedOf, synchronized } from './synchronized.js';

/**
 * Where to put a shared value, instead of a new SharedArrayBuffer of its own. The memory is the
 * caller's: nothing is allocated, freed or cleared there (see {@link Value}).
 */
export interface PlaceOptions {
  /**
   * A `SharedMemory` (or its `buf`), to share the value with other processes; or a
   * SharedArrayBuffer. Default: a new SharedArrayBuffer holding this value alone.
   */
  readonly memory?: SharedMemory | ArrayBufferLike;
  /**
   * Byte offset of the value in `memory` (default 0): a multiple of its alignment, the value's
   * bytes inside the memory. A `Value` with its own lock occupies
   * `sizeof(synchronizedSchema(type))` bytes from there.
   */
  readonly byteOffset?: number;
}

/** Options of {@link Value} and {@link SharedArray}: the lock, and where to place them. */
export interface ValueOptions extends PlaceOptions {
  /**
   * `true` (default): a new `RLock` stored just before the data, in the same memory; `false`: no
   * lock, a raw view; or the `Lock`/`RLock` to use (in process-shared memory when the value is).
   */
  readonly lock?: boolean | AnyLock;
}

/** The struct a value with its own lock occupies, per value type. */
const lockedFootprints = new WeakMap<Schema, StructSchema<{ lock: SyncSchema<'rmutex', null>; value: Schema }>>();

/**
 * The bytes a `Value` or `Array` with its own lock occupies: `struct { rmutex lock; T value; }`
 * (the `RLock`'s three words at 0, the data at the first multiple of its alignment from byte 12).
 * Use it to lay out a segment (`sizeof`, `offsetof`, a field of a struct of your own), and give
 * other languages the same bytes (`toCtypes`, `toC`): Python finds the value and its lock there.
 *
 * @example
 * ```ts
 * import { array, f64, offsetof, SharedMemory, sizeof, struct, synchronizedSchema, SharedArray, Value } from 'sharedctypes';
 * // A segment holding a counter and ten temperatures, each with its own lock:
 * const Segment = struct({
 *   hits: synchronizedSchema('i'),               // @0:  lock @0 (12 bytes), value @12; 16 bytes
 *   temps: synchronizedSchema(array(f64, 10)),   // @16: lock @16, value @32 (8-aligned); 96 bytes
 * });                                            // sizeof 112
 * const shm = new SharedMemory({ name: 'synchronized-schema-demo', create: true, size: sizeof(Segment) });
 * const hits = Value('i', 0, { memory: shm, byteOffset: offsetof(Segment, 'hits') });
 * const temps = SharedArray('d', 10, { memory: shm, byteOffset: offsetof(Segment, 'temps') });
 * hits.update((n) => n + 1);
 * temps.set(0, 21.5);
 * shm.close();
 * shm.unlink();
 * ```
 */
export function synchronizedSchema<S extends SchemaLike>(type: S): StructSchema<{ lock: SyncSchema<'rmutex', null>; value: ResolveSchema<S> }> {
  const schema = resolveSchema(type, 'synchronizedSchema', 'type');
  if (schema.kind === 'sync') throw typeError('invalid_argument', 'synchronizedSchema', `${typeLabel(schema)} is a synchronization primitive already`);
  let s = lockedFootprints.get(schema);
  if (s === undefined) {
    s = struct({ lock: rmutex(), value: schema });
    lockedFootprints.set(schema, s);
  }
  return s as StructSchema<{ lock: SyncSchema<'rmutex', null>; value: ResolveSchema<S> }>;
}

/** A checked place: memory that can be shared, and an offset where `footprint` fits, aligned. */
interface Place {
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
}

/**
 * The place the options ask for, checked for the bytes `footprint` occupies (the value's type, or
 * the value with its lock), or `undefined` for a buffer of its own.
 */
function placeOf(what: string, type: Schema, footprint: Schema, options: PlaceOptions): Place | undefined {
  const { memory, byteOffset } = options;
  if (memory === undefined) {
    if (byteOffset !== undefined)
      throw typeError('invalid_argument', what, `byteOffset ${String(byteOffset)} without memory`, 'give the memory to place it in');
    return undefined;
  }
  const buffer = placementMemory(what, memory, 'a plain ArrayBuffer belongs to one thread; view() reads one as it is');
  const at = byteOffset ?? 0;
  const l = layout(footprint);
  const subject = `${what}(${typeLabel(type)})`;
  const bytes = footprint === type ? `${l.size} bytes` : `${l.size} bytes with its lock (synchronizedSchema)`;
  if (typeof at !== 'number' || !Number.isInteger(at) || at < 0)
    throw rangeError('invalid_argument', subject, `byteOffset ${shownNumber(at)} is not a whole number ≥ 0`);
  if (at + l.size > buffer.byteLength) {
    throw rangeError('out_of_bounds', subject, `needs ${bytes} at byteOffset ${at}, but the memory has ${buffer.byteLength} bytes`);
  }
  if (at % l.align !== 0) {
    throw rangeError(
      'misaligned',
      subject,
      `byteOffset ${at} is not a multiple of ${l.align}, the alignment of its ${bytes}`,
      `place it at a multiple of ${l.align}`,
    );
  }
  return { buffer, byteOffset: at };
}

/** A view of `schema` at `place` (or in a new SharedArrayBuffer), `init` written when given. */
function rawAt(schema: Schema, init: unknown, place: Place | undefined, what: string): unknown {
  if (place === undefined) {
    checkShared(what); // shared memory is the point (create() is the one that falls back to an ArrayBuffer)
    return createOfSchema(schema, init, undefined, what);
  }
  const obj = view(schema, place.buffer, place.byteOffset) as unknown as { $$assign(v: unknown): void };
  if (init !== undefined) obj.$$assign(init);
  return obj;
}

/** The options of `RawValue`, `RawArray` and `copy`. */
const PLACE_OPTIONS = Object.keys({ memory: true, byteOffset: true } satisfies Record<keyof PlaceOptions, true>);
/** The options of `Value` and `Array`. */
const VALUE_OPTIONS = Object.keys({ lock: true, memory: true, byteOffset: true } satisfies Record<keyof ValueOptions, true>);

function wrap(schema: Schema, init: unknown, options: ValueOptions, what: string): unknown {
  checkOptions(what, options, VALUE_OPTIONS);
  const lock = options.lock ?? true;
  if (lock === true) {
    // [RLock | padding | data], in a buffer of its own or at the place given.
    const footprint = synchronizedSchema(schema);
    const l = layout(footprint) as RecordLayout;
    const place = placeOf(what, schema, footprint, options) ?? { buffer: newSharedBuffer(what, l.size), byteOffset: 0 };
    const data = l.fields[1]?.offset ?? 0;
    const obj = rawAt(schema, init, { buffer: place.buffer, byteOffset: place.byteOffset + data }, what);
    return synchronized(obj, new RLock({ buffer: place.buffer as SharedArrayBuffer, byteOffset: place.byteOffset }));
  }
  if (lock === false) return rawAt(schema, init, placeOf(what, schema, schema, options), what);
  if (typeof lock !== 'object' || lock === null)
    throw typeError('invalid_argument', what, `lock must be true, false, a Lock or an RLock (got ${String(lock)})`);
  const obj = rawAt(schema, init, placeOf(what, schema, schema, options), what);
  checkLockReaches(obj, lock, what);
  return synchronized(obj, lock);
}

/** The schema of an array of `type` for `sizeOrInit`; `'c'` arrays are strings (`char[n]`), as in Python. */
function arraySchema(type: SchemaLike, sizeOrInit: number | ArrayLike<unknown> | string, what: string): { schema: Schema; init: unknown } {
  const el = resolveSchema(type, what, 'type');
  const isChar = el.kind === 'char' && el.length === 1;
  let n: number;
  let init: unknown;
  if (typeof sizeOrInit === 'number') {
    if (!Number.isInteger(sizeOrInit) || sizeOrInit < 1) throw rangeError('out_of_range', what, `size ${sizeOrInit} is not a whole number ≥ 1`);
    n = sizeOrInit;
  } else if (typeof sizeOrInit === 'string' || (sizeOrInit !== null && typeof sizeOrInit === 'object' && typeof sizeOrInit.length === 'number')) {
    n = typeof sizeOrInit === 'string' && isChar ? new TextEncoder().encode(sizeOrInit).length : sizeOrInit.length;
    init = sizeOrInit;
  } else throw typeError('invalid_argument', what, 'takes a size or an array of initial values');
  if (isChar) return { schema: char(Math.max(1, n)), init };
  // array() checks the length (1 … 2^31 − 1) and the size, as for any array type: a schema made
  // here must be one that toJSON, fromJSON and attach() take too.
  return { schema: array(el, n), init };
}

/**
 * A shared value without a lock, like Python's `RawValue`: a view of a fresh SharedArrayBuffer,
 * or (`{ memory, byteOffset }`) of those bytes of a SharedArrayBuffer or a `SharedMemory` segment.
 *
 * @example
 * ```ts
 * import { RawValue, struct, f64 } from 'sharedctypes';
 * const n = RawValue('i', 7);          // n.value === 7
 * const p = RawValue(struct({ x: f64, y: f64 }), { x: 1 });
 * const sab = new SharedArrayBuffer(64);
 * const m = RawValue('d', 2.5, { memory: sab, byteOffset: 8 }); // the f64 at bytes 8..15 of sab
 * ```
 */
export function RawValue<S extends SchemaLike>(type: S, init?: Input<ResolveSchema<S>>, options?: PlaceOptions): ViewOf<ResolveSchema<S>> {
  const schema = resolveSchema(type, 'RawValue', 'type');
  if (options === undefined) return rawAt(schema, init, undefined, 'RawValue') as ViewOf<ResolveSchema<S>>;
  checkOptions('RawValue', options, PLACE_OPTIONS);
  return rawAt(schema, init, placeOf('RawValue', schema, schema, options), 'RawValue') as ViewOf<ResolveSchema<S>>;
}

/**
 * A shared array without a lock, like Python's `RawArray`: `RawArray('d', 10)` or
 * `RawArray('i', [1, 2, 3])`. An array of `'c'` is a string (`.value`, `.raw`). Placed with
 * `{ memory, byteOffset }` as {@link RawValue}; a size alone then leaves the bytes as they are.
 *
 * @example
 * ```ts
 * import { RawArray } from 'sharedctypes';
 * const a = RawArray('d', [1.5, 2.5]);   // a.get(1) === 2.5, a.length === 2
 * const s = RawArray('c', 'hello');      // s.value === 'hello'
 * ```
 */
export function RawArray(type: 'c', sizeOrInit: number | string | Uint8Array, options?: PlaceOptions): CharView;
export function RawArray<S extends SchemaLike>(type: S, sizeOrInit: number | ArrayLike<unknown>, options?: PlaceOptions): ArrayView<ResolveSchema<S>>;
export function RawArray(type: SchemaLike, sizeOrInit: number | ArrayLike<unknown> | string, options?: PlaceOptions): unknown {
  const { schema, init } = arraySchema(type, sizeOrInit, 'RawArray');
  if (options === undefined) return rawAt(schema, init, undefined, 'RawArray');
  checkOptions('RawArray', options, PLACE_OPTIONS);
  return rawAt(schema, init, placeOf('RawArray', schema, schema, options), 'RawArray');
}

/** What {@link Value} returns for `type` with the given lock option. */
export type ValueOf<S extends SchemaLike, O extends ValueOptions> = O extends { readonly lock: false }
  ? ViewOf<ResolveSchema<S>>
  : SynchronizedOf<ViewOf<ResolveSchema<S>>>;

/**
 * A shared value guarded by a lock, like Python's `Value`: reads and writes of `.value` (or of the
 * fields, for a struct) hold the lock. For read-modify-write use `update(fn)`: `v.value += 1`
 * is a read and a write, and two threads doing it at once lose updates.
 *
 * By default the value and its `RLock` get a SharedArrayBuffer of their own (threads of this
 * process; hand it over with `share()`). With `{ memory, byteOffset }` they are placed in the
 * memory given instead: a `SharedMemory` segment shares them with other processes (Node, Bun, Deno,
 * and Python through `python/sharedctypes.py`), and the lock, in the segment too, excludes them
 * all (its waiters sleep in the futex system call). Placing never allocates, frees or clears:
 *
 * - the bytes `[byteOffset, byteOffset + sizeof(synchronizedSchema(type)))` are the value's (the
 *   lock's 12 bytes, then the data at its alignment); the memory's owner keeps them for it;
 * - `init`, when given, is written; without it the bytes are used as they are: a new segment
 *   is zero (the value 0 and a free lock, as Python's arena), and a second process that places
 *   the same value at the same offset without `init` uses the first one's value and lock;
 * - `byteOffset` must be a multiple of the footprint's alignment (at least 4, for the lock).
 *
 * @example
 * ```ts
 * import { SharedMemory, Value } from 'sharedctypes';
 * const counter = Value('i', 0);            // an RLock in the same buffer
 * counter.update((n) => n + 1);             // atomic increment
 * counter.getLock();                        // the lock, to share or hold
 * const raw = Value('d', 1.5, { lock: false }); // a plain view
 *
 * // In a segment: another process maps 'value-demo' and places the same Value at byte 0
 * // (without init), or attaches share(hits), and both update one counter under one lock.
 * const shm = new SharedMemory({ name: 'value-demo', create: true, size: 16 });
 * const hits = Value('i', 0, { memory: shm, byteOffset: 0 }); // lock @0..11, value @12
 * hits.update((n) => n + 1);
 * shm.close();
 * shm.unlink();
 * ```
 */
export function Value<S extends SchemaLike, const O extends ValueOptions = ValueOptions>(type: S, init?: Input<ResolveSchema<S>>, options?: O): ValueOf<S, O> {
  return wrap(resolveSchema(type, 'Value', 'type'), init, options === undefined ? {} : options, 'Value') as ValueOf<S, O>;
}

/** What {@link SharedArray} returns. */
export type SharedArrayOf<S extends SchemaLike, O extends ValueOptions> = S extends 'c'
  ? O extends { readonly lock: false }
    ? CharView
    : SynchronizedOf<CharView>
  : O extends { readonly lock: false }
    ? ArrayView<ResolveSchema<S>>
    : SynchronizedOf<ArrayView<ResolveSchema<S>>>;

/**
 * A shared array guarded by a lock, like Python's `Array` (exported as `Array` too, for Python
 * parity, and as `SharedArray` so as not to shadow the global `Array`). Placed with
 * `{ memory, byteOffset }` as {@link Value} is: `sizeof(synchronizedSchema(array(type, n)))`
 * bytes (`char(n)` for `'c'`), and a size alone leaves them as they are.
 *
 * @example
 * ```ts
 * import { SharedArray } from 'sharedctypes';
 * const hist = SharedArray('i', 10);           // ten i32, zeroed, with an RLock
 * hist.update(3, (n) => n + 1);                // locked read-modify-write of element 3
 * hist.toArray();                              // a consistent snapshot
 * ```
 */
export function SharedArray<S extends SchemaLike, const O extends ValueOptions = ValueOptions>(
  type: S,
  sizeOrInit: number | ArrayLike<Input<ResolveSchema<S>>> | (S extends 'c' ? string : never),
  options?: O,
): SharedArrayOf<S, O> {
  const { schema, init } = arraySchema(type, sizeOrInit as number, 'Array');
  return wrap(schema, init, options === undefined ? {} : options, 'Array') as SharedArrayOf<S, O>;
}

/**
 * A new unsynchronized copy of a view (or of a synchronized wrapper's view), like Python's `copy`:
 * in a fresh SharedArrayBuffer, or at `{ memory, byteOffset }` (which it overwrites). The data is
 * copied, not the state of synchronization members: a lock, semaphore or event inside the copy is
 * a new one, as when made (free, at its initial count, clear).
 *
 * @example
 * ```ts
 * import { copy, RawArray } from 'sharedctypes';
 * const a = RawArray('i', [1, 2, 3]);
 * const b = copy(a);       // b.toArray() → [1, 2, 3]; writing b leaves a alone
 * ```
 */
export function copy<V>(obj: V, options?: PlaceOptions): V extends { readonly $obj: infer O } ? O : V {
  const source = (isSynchronized(obj) ? objOf(obj) : obj) as {
    $schema?: Schema;
    $buffer: ArrayBufferLike;
    $byteOffset: number;
    $byteLength: number;
  } | null;
  if (source?.$schema === undefined) throw typeError('invalid_argument', 'copy', 'needs a view made by this library');
  let target: { $buffer: ArrayBufferLike; $byteOffset: number };
  if (options === undefined) target = createOfSchema(source.$schema, undefined, undefined, 'copy') as unknown as typeof target;
  else {
    checkOptions('copy', options, PLACE_OPTIONS);
    target = rawAt(source.$schema, undefined, placeOf('copy', source.$schema, source.$schema, options), 'copy') as typeof target;
  }
  const bytes = new Uint8Array(target.$buffer, target.$byteOffset, source.$byteLength);
  bytes.set(new Uint8Array(source.$buffer, source.$byteOffset, source.$byteLength));
  // The data, not the state of its locks: a copy's synchronization members are new, free ones (a
  // lock the original's holder held, or a dead holder marked, would stay so in the copy for ever).
  forEachSyncMember(layout(source.$schema), 0, (o, size) => bytes.fill(0, o, o + size));
  return target as V extends { readonly $obj: infer O } ? O : V;
}
