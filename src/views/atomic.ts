/**
 * `atomic(view, field)`: atomic operations on an aligned integer member of a view, through
 * `Atomics` on a typed array over the same memory. Floats, bitfields, big-endian and misaligned
 * members cannot be atomic: rejected by the types where they can tell, and at run time always.
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import { describeValue, rangeError, typeError } from '../errors.js';
import { resolvePath } from '../layout/queries.js';
import type { Layout } from '../layout/types.js';
import type { FieldSchema, NamedKeys } from '../types/infer.js';
import type { IntegerName } from '../kinds/primitives.js';
import type { ArraySchema, PrimitiveSchema, RecordSchema } from '../types/schema.js';
import { typeLabel } from '../kinds/labels.js';
import { TYPED_ARRAYS } from '../kinds/typed-arrays.js';
import { elementsAt, type ArrayClass } from '../memory/buffers.js';
import { backendOf } from '../memory/backend.js';
import { canBlock, cannotBlock, deadlineOf, wait as futexWait, wake as futexWake } from '../sync/futex.js';

type IntArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;
const ARRAYS: Record<IntegerName, ArrayClass<IntArray>> = TYPED_ARRAYS;

/**
 * `Atomics` over any integer array, typed once: TypeScript's overloads take one array type at a
 * time, while an {@link AtomicField} holds whichever its member needs (and, for 64-bit members,
 * bigints). The engine checks the array and value types on every call.
 */
const A = Atomics as unknown as {
  load<V>(a: IntArray, i: number): V;
  store<V>(a: IntArray, i: number, v: V): V;
  add<V>(a: IntArray, i: number, v: V): V;
  sub<V>(a: IntArray, i: number, v: V): V;
  and<V>(a: IntArray, i: number, v: V): V;
  or<V>(a: IntArray, i: number, v: V): V;
  xor<V>(a: IntArray, i: number, v: V): V;
  exchange<V>(a: IntArray, i: number, v: V): V;
  compareExchange<V>(a: IntArray, i: number, expected: V, replacement: V): V;
  wait(a: Int32Array | BigInt64Array, i: number, v: number | bigint, timeout: number): 'ok' | 'not-equal' | 'timed-out';
  notify(a: Int32Array | BigInt64Array, i: number, count: number): number;
};

/** The small AtomicField that src/shapes.ts keeps alive (made when the library makes its first). */
const smallAtomicField = (): AtomicField<number> => new AtomicField(new Int32Array(1), 0);

/**
 * Atomic operations on one integer in shared memory (`bigint` for 64-bit members), made by
 * {@link atomic}.
 *
 * @example
 * ```ts
 * import { atomic, struct, u32 } from 'sharedctypes';
 * const s = struct({ ready: u32 }).create();
 * const ready = atomic(s, 'ready');
 * ready.store(1);
 * ready.notify();            // wakes threads in ready.wait(0)
 * ready.compareExchange(1, 2); // → 1
 * ```
 */
export class AtomicField<T extends number | bigint> {
  readonly #a: IntArray;
  readonly #i: number;
  /** @internal */
  constructor(a: IntArray, i: number) {
    this.#a = a;
    this.#i = i;
    if (new.target === AtomicField) keepShape(AtomicField, smallAtomicField);
  }
  /** Reads the value (sequentially consistent). */
  load(): T {
    return A.load<T>(this.#a, this.#i);
  }
  /** Writes `v`; returns it. */
  store(v: T): T {
    try {
      return A.store(this.#a, this.#i, v);
    } catch (e) {
      throw this.#refused('store', e, v);
    }
  }
  /** Adds `v`; returns the previous value. */
  add(v: T): T {
    try {
      return A.add(this.#a, this.#i, v);
    } catch (e) {
      throw this.#refused('add', e, v);
    }
  }
  /** Subtracts `v`; returns the previous value. */
  sub(v: T): T {
    try {
      return A.sub(this.#a, this.#i, v);
    } catch (e) {
      throw this.#refused('sub', e, v);
    }
  }
  /** Bitwise and; returns the previous value. */
  and(v: T): T {
    try {
      return A.and(this.#a, this.#i, v);
    } catch (e) {
      throw this.#refused('and', e, v);
    }
  }
  /** Bitwise or; returns the previous value. */
  or(v: T): T {
    try {
      return A.or(this.#a, this.#i, v);
    } catch (e) {
      throw this.#refused('or', e, v);
    }
  }
  /** Bitwise xor; returns the previous value. */
  xor(v: T): T {
    try {
      return A.xor(this.#a, this.#i, v);
    } catch (e) {
      throw this.#refused('xor', e, v);
    }
  }
  /** Writes `v`; returns the previous value. */
  exchange(v: T): T {
    try {
      return A.exchange(this.#a, this.#i, v);
    } catch (e) {
      throw this.#refused('exchange', e, v);
    }
  }
  /** Writes `replacement` if the value is `expected`; returns the previous value. */
  compareExchange(expected: T, replacement: T): T {
    try {
      return A.compareExchange(this.#a, this.#i, expected, replacement);
    } catch (e) {
      throw this.#refused('compareExchange', e, typeof expected !== (this.#bigints() ? 'bigint' : 'number') ? expected : replacement);
    }
  }

  /** Whether the member holds bigints (a 64-bit integer). */
  #bigints(): boolean {
    return this.#a instanceof BigInt64Array || this.#a instanceof BigUint64Array;
  }

  /**
   * The error for an operation the engine refused (`e`): a value of the wrong kind (a number for
   * a 64-bit member, a bigint for the others) is a coded TypeError naming it; anything else is
   * `e` itself. Out of line, in the catch, so that the operations stay as fast as `Atomics`.
   */
  #refused(what: string, e: unknown, v: unknown): unknown {
    if (!(e instanceof TypeError)) return e;
    const wants = this.#bigints() ? 'a bigint (a 64-bit member)' : 'a number (use bigints for 64-bit members only)';
    return typeError('invalid_value', `AtomicField.${what}()`, `takes ${wants}, got ${describeValue(v)}`);
  }
  /** The word as `Atomics.wait`/`notify` need it: an Int32Array or BigInt64Array over the same bytes. */
  #waitable(what: string): { a: Int32Array | BigInt64Array; i: number; signed: (v: T) => number | bigint } {
    const a = this.#a;
    const byteOffset = a.byteOffset + this.#i * a.BYTES_PER_ELEMENT;
    const size = a.BYTES_PER_ELEMENT;
    if (size === 4) return { ...elementsAt(Int32Array, a.buffer, byteOffset, 1), signed: (v) => (v as number) | 0 };
    if (size === 8) return { ...elementsAt(BigInt64Array, a.buffer, byteOffset, 1), signed: (v) => BigInt.asIntN(64, v as bigint) };
    throw typeError(
      'invalid_argument',
      `AtomicField.${what}`,
      `works on 32- and 64-bit members only (this one has ${a.BYTES_PER_ELEMENT * 8} bits)`,
      'use a u32/i32/u64/i64 member',
    );
  }
  /**
   * Blocks while the value is `expected`, until notified or `timeout` ms pass (32- and 64-bit
   * members, as with `Atomics.wait`; not on a browser's main thread).
   */
  wait(expected: T, timeout = Infinity): 'ok' | 'not-equal' | 'timed-out' {
    const w = this.#waitable('wait');
    if (!canBlock()) throw cannotBlock('AtomicField.wait', 'wait in a worker, or look at the value with load()');
    if (backendOf(w.a.buffer).kind === 'futex')
      return futexWait(this.#futexWord(w, 'wait'), w.i, w.signed(expected) as number, deadlineOf(timeout), 'AtomicField.wait');
    return A.wait(w.a, w.i, w.signed(expected), timeout);
  }
  /** Wakes up to `count` threads (or processes, in a `SharedMemory`) waiting on this member; returns how many were woken. */
  notify(count = Infinity): number {
    const w = this.#waitable('notify');
    if (backendOf(w.a.buffer).kind === 'futex') return futexWake(this.#futexWord(w, 'notify'), w.i, count);
    return A.notify(w.a, w.i, count);
  }
  /** A segment's word for the futex system call, which waits on 32-bit words only. */
  #futexWord(w: { a: Int32Array | BigInt64Array }, what: string): Int32Array {
    if (w.a instanceof Int32Array) return w.a;
    throw typeError(
      'invalid_argument',
      `AtomicField.${what}`,
      'a 64-bit member in a SharedMemory segment cannot be waited on (the futex system call waits on 32-bit words)',
      'wait on a u32/i32 member',
    );
  }
}

/** Keys of a struct's integer members that are not bitfields. */
export type AtomicKeys<S> =
  S extends RecordSchema<'struct' | 'union', infer F>
    ? {
        [K in NamedKeys<F>]: F[K] extends { readonly kind: 'bits' } ? never : FieldSchema<F[K]> extends PrimitiveSchema<IntegerName> ? K : never;
      }[NamedKeys<F>]
    : never;

/** A path into nested members (`'stats.hits'`, `'counts[3]'`): checked at run time. */
export type MemberPath = `${string}.${string}` | `${string}[${number}]${string}`;

/** The JS type of the atomic member `K` of struct `S`. */
export type AtomicValueAt<S, K> = S extends RecordSchema<'struct' | 'union', infer F> ? (K extends keyof F ? AtomicValueOf<FieldSchema<F[K]>> : never) : never;

/** The JS type of an atomic integer member. */
export type AtomicValueOf<T> = T extends PrimitiveSchema<'i64' | 'u64'> ? bigint : number;

/**
 * What `atomic` takes: a view of schema `S`, or a synchronized wrapper (`Value`, `Array`,
 * `synchronized(view)`) of one.
 */
export type Atomicable<S> = { readonly $schema: S } | { readonly $obj: { readonly $schema: S } };

interface ViewMeta {
  readonly $buffer: ArrayBufferLike;
  readonly $byteOffset: number;
  readonly $$layout?: Layout;
}

/**
 * An {@link AtomicField} for an integer member of `view`: a direct field name (type-checked), a path
 * such as `'stats.hits'` or `'counts[3]'`, an index of an integer array view, or the value of a
 * value view. Create it once and reuse it in loops. `view` may also be a `Value`, an `Array` or a
 * synchronized struct: the atomic operates on the memory underneath and does not take the
 * wrapper's lock (an atomic add needs none; code that reads and writes the value under the lock
 * with `update()` still sees every atomic change).
 *
 * @example
 * ```ts
 * import { atomic, struct, u32, i64, Value } from 'sharedctypes';
 * const Stats = struct({ hits: u32, bytes: i64 });
 * const s = Stats.create();
 * const hits = atomic(s, 'hits');
 * hits.add(1);                      // safe from any number of threads
 * atomic(s, 'bytes').add(512n);     // 64-bit members take bigint
 * // atomic(s, 'nope')              // compile error: not an integer member
 * const counter = Value('i', 0);
 * atomic(counter).add(1);           // lock-free, on the Value's memory
 * counter.value;                    // 1
 * ```
 */
export function atomic<S extends RecordSchema, const K extends AtomicKeys<S>>(view: Atomicable<S>, field: K): AtomicField<AtomicValueAt<S, K>>;
export function atomic<E extends PrimitiveSchema<IntegerName>>(view: Atomicable<ArraySchema<E>>, index: number): AtomicField<AtomicValueOf<E>>;
export function atomic<N extends IntegerName>(view: Atomicable<PrimitiveSchema<N>>): AtomicField<N extends 'i64' | 'u64' ? bigint : number>;
export function atomic(view: Atomicable<RecordSchema>, path: MemberPath): AtomicField<number | bigint>;
export function atomic(view: unknown, where?: string | number): AtomicField<number | bigint> {
  // A synchronized Value / Array / struct: its view (the atomic operation does not take its lock).
  const target = (view as Partial<ViewMeta> | null)?.$$layout === undefined ? (view as { $obj?: unknown } | null)?.$obj : view;
  const meta = target as ViewMeta;
  const root = meta?.$$layout;
  if (root === undefined) {
    throw typeError(
      'invalid_argument',
      'atomic',
      'needs a view made by this library, or a Value / Array / synchronized struct',
      'pass create(), view(), RawValue(), Value() … or one of their members',
    );
  }
  const label = `atomic(${typeLabel(root.schema)}${where === undefined ? '' : `, ${JSON.stringify(where)}`})`;
  let l: Layout = root;
  let offset = 0;
  if (typeof where === 'number') {
    if (root.kind !== 'array') throw typeError('invalid_argument', label, 'an index needs an array view');
    if (!(where >>> 0 === where && where < root.length)) throw rangeError('out_of_bounds', label, `index ${where} is out of range for length ${root.length}`);
    l = root.element;
    offset = where * root.element.size;
  } else if (typeof where === 'string') {
    const r = resolvePath(root, where, typeLabel(root.schema));
    if (r.field?.bits) throw typeError('invalid_argument', label, 'is a bitfield, which cannot be atomic', 'give it a whole integer member of its own');
    l = r.layout;
    offset = r.offset;
  }
  if (l.kind !== 'primitive' || l.name === 'f16' || l.name === 'f32' || l.name === 'f64' || l.name === 'bool') {
    throw typeError('invalid_argument', label, `is ${typeLabel(l.schema)}, not an integer`, 'atomics work on i8 … u64 members');
  }
  if (l.endian === 'big' && l.size > 1)
    throw typeError('invalid_argument', label, 'is big-endian, which Atomics cannot operate on', 'keep atomic members in little-endian structs');
  const at = meta.$byteOffset + offset;
  if (at % l.size !== 0)
    throw rangeError(
      'misaligned',
      label,
      `is at byte ${at}, not a multiple of its size ${l.size} (a packed struct?)`,
      'atomics need naturally aligned members',
    );
  const { a, i } = elementsAt(ARRAYS[l.name], meta.$buffer, at, 1);
  return new AtomicField(a, i);
}
