/**
 * `RawValue`, `RawArray`, `Value`, `Array` (exported also as `SharedArray`) and `copy`: Python's
 * `multiprocessing.sharedctypes`, over SharedArrayBuffers. With a lock (the default for `Value` and
 * `Array`, an `RLock` as in Python), the lock's words sit in the same buffer just before the data,
 * so sharing the value with a worker shares its lock too.
 *
 * @module
 */
import { rangeError, typeError } from '../errors.js';
import { layout } from '../layout/compute.js';
import { RLock } from '../sync/rlock.js';
import { resolveSchema } from '../types/builtins.js';
import { char } from '../types/char.js';
import type { ArrayView, CharView, Input, ViewOf } from '../types/infer.js';
import type { ResolveSchema, Schema, SchemaLike } from '../types/schema.js';
import { ArraySchema } from '../types/schema.js';
import { create, view } from '../views/attach.js';
import { type AnyLock, isSynchronized, objOf, type SynchronizedOf, synchronized } from './synchronized.js';

/** Options of {@link Value} and {@link SharedArray}. */
export interface LockOptions {
  /**
   * `true` (default): a new `RLock` stored in the same buffer; `false`: no lock, a raw view; or the
   * `Lock`/`RLock` to use.
   */
  readonly lock?: boolean | AnyLock;
}

const RLOCK_BYTES = 12;

/** Allocates [RLock | padding | data of `schema`] in one SharedArrayBuffer; returns the data view and the lock. */
function withEmbeddedLock(schema: Schema, init: unknown): { obj: unknown; lock: RLock } {
  const l = layout(schema);
  const dataOffset = Math.ceil(RLOCK_BYTES / l.align) * l.align;
  const buffer = new SharedArrayBuffer(dataOffset + l.size);
  const obj = view(schema, buffer, dataOffset) as unknown as { $$assign(v: unknown): void };
  if (init !== undefined) obj.$$assign(init);
  return { obj, lock: new RLock({ buffer, byteOffset: 0 }) };
}

function wrap(schema: Schema, init: unknown, options: LockOptions, what: string): unknown {
  const lock = options.lock ?? true;
  if (lock === false) return create(schema, init as never);
  if (lock === true) {
    const { obj, lock: l } = withEmbeddedLock(schema, init);
    return synchronized(obj, l);
  }
  if (typeof lock !== 'object' || lock === null)
    throw typeError('invalid_argument', what, `lock must be true, false, a Lock or an RLock (got ${String(lock)})`);
  return synchronized(create(schema, init as never), lock);
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
  return { schema: new ArraySchema<Schema, number>(el, n), init };
}

/**
 * A shared value without a lock, like Python's `RawValue`: a view of a fresh SharedArrayBuffer.
 *
 * @example
 * ```ts
 * import { RawValue, struct, f64 } from 'sharedctypes';
 * const n = RawValue('i', 7);          // n.value === 7
 * const p = RawValue(struct({ x: f64, y: f64 }), { x: 1 });
 * ```
 */
export function RawValue<S extends SchemaLike>(type: S, init?: Input<ResolveSchema<S>>): ViewOf<ResolveSchema<S>> {
  return create(resolveSchema(type, 'RawValue', 'type'), init as never) as ViewOf<ResolveSchema<S>>;
}

/**
 * A shared array without a lock, like Python's `RawArray`: `RawArray('d', 10)` or
 * `RawArray('i', [1, 2, 3])`. An array of `'c'` is a string (`.value`, `.raw`).
 *
 * @example
 * ```ts
 * import { RawArray } from 'sharedctypes';
 * const a = RawArray('d', [1.5, 2.5]);   // a.get(1) === 2.5, a.length === 2
 * const s = RawArray('c', 'hello');      // s.value === 'hello'
 * ```
 */
export function RawArray(type: 'c', sizeOrInit: number | string | Uint8Array): CharView;
export function RawArray<S extends SchemaLike>(type: S, sizeOrInit: number | ArrayLike<unknown>): ArrayView<ResolveSchema<S>>;
export function RawArray(type: SchemaLike, sizeOrInit: number | ArrayLike<unknown> | string): unknown {
  const { schema, init } = arraySchema(type, sizeOrInit, 'RawArray');
  return create(schema, init as never);
}

/** What {@link Value} returns for `type` with the given lock option. */
export type ValueOf<S extends SchemaLike, O extends LockOptions> = O extends { readonly lock: false }
  ? ViewOf<ResolveSchema<S>>
  : SynchronizedOf<ViewOf<ResolveSchema<S>>>;

/**
 * A shared value guarded by a lock, like Python's `Value`: reads and writes of `.value` (or of the
 * fields, for a struct) hold the lock. For read-modify-write use `update(fn)`: `v.value += 1`
 * is a read and a write, and two threads doing it at once lose updates.
 *
 * @example
 * ```ts
 * import { Value } from 'sharedctypes';
 * const counter = Value('i', 0);            // an RLock in the same buffer
 * counter.update((n) => n + 1);             // atomic increment
 * counter.getLock();                        // the lock, to share or hold
 * const raw = Value('d', 1.5, { lock: false }); // a plain view
 * ```
 */
export function Value<S extends SchemaLike, const O extends LockOptions = LockOptions>(type: S, init?: Input<ResolveSchema<S>>, options?: O): ValueOf<S, O> {
  return wrap(resolveSchema(type, 'Value', 'type'), init, options ?? {}, 'Value') as ValueOf<S, O>;
}

/** What {@link SharedArray} returns. */
export type SharedArrayOf<S extends SchemaLike, O extends LockOptions> = S extends 'c'
  ? O extends { readonly lock: false }
    ? CharView
    : SynchronizedOf<CharView>
  : O extends { readonly lock: false }
    ? ArrayView<ResolveSchema<S>>
    : SynchronizedOf<ArrayView<ResolveSchema<S>>>;

/**
 * A shared array guarded by a lock, like Python's `Array` (exported as `Array` too, for Python
 * parity, and as `SharedArray` so as not to shadow the global `Array`).
 *
 * @example
 * ```ts
 * import { SharedArray } from 'sharedctypes';
 * const hist = SharedArray('i', 10);           // ten i32, zeroed, with an RLock
 * hist.update(3, (n) => n + 1);                // locked read-modify-write of element 3
 * hist.toArray();                              // a consistent snapshot
 * ```
 */
export function SharedArray<S extends SchemaLike, const O extends LockOptions = LockOptions>(
  type: S,
  sizeOrInit: number | ArrayLike<Input<ResolveSchema<S>>> | (S extends 'c' ? string : never),
  options?: O,
): SharedArrayOf<S, O> {
  const { schema, init } = arraySchema(type, sizeOrInit as number, 'Array');
  return wrap(schema, init, options ?? {}, 'Array') as SharedArrayOf<S, O>;
}

/**
 * A new unsynchronized copy of a view (or of a synchronized wrapper's view) in a fresh
 * SharedArrayBuffer, like Python's `copy`.
 *
 * @example
 * ```ts
 * import { copy, RawArray } from 'sharedctypes';
 * const a = RawArray('i', [1, 2, 3]);
 * const b = copy(a);       // b.toArray() → [1, 2, 3]; writing b leaves a alone
 * ```
 */
export function copy<V>(obj: V): V extends { readonly $obj: infer O } ? O : V {
  const source = (isSynchronized(obj) ? objOf(obj) : obj) as {
    $schema?: Schema;
    $buffer: ArrayBufferLike;
    $byteOffset: number;
    $byteLength: number;
  };
  if (source?.$schema === undefined) throw typeError('invalid_argument', 'copy', 'needs a view made by this library');
  const target = create(source.$schema) as { $buffer: ArrayBufferLike };
  new Uint8Array(target.$buffer).set(new Uint8Array(source.$buffer, source.$byteOffset, source.$byteLength));
  return target as V extends { readonly $obj: infer O } ? O : V;
}
