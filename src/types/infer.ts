/**
 * Static types derived from schemas: `Infer<T>` (what reads give), `Input<T>` (what writes take)
 * and `ViewOf<T>` (the live view). No runtime code.
 *
 * @module
 */
import type { Barrier } from '../sync/barrier.js';
import type { RwLock } from '../sync/rwlock.js';
import type { Condition } from '../sync/condition.js';
import type { Event } from '../sync/event.js';
import type { Lock } from '../sync/lock.js';
import type { RLock } from '../sync/rlock.js';
import type { BoundedSemaphore, Semaphore } from '../sync/semaphore.js';
import type { PrimitiveInputs, PrimitiveName, PrimitiveValues } from '../kinds/primitives.js';
import type { TypedArrayByName } from '../kinds/typed-arrays.js';
import type { Column } from '../codegen/column.js';
import type {
  ArraySchema,
  AlignedSpec,
  AnonymousSpec,
  BitfieldSpec,
  CharSchema,
  FieldsSpec,
  PrimitiveSchema,
  RecordSchema,
  ResolveSchema,
  Schema,
  SyncKind,
  SyncSchema,
  Typecode,
  TypecodeSchemas,
} from './schema.js';

/** The object a synchronization member reads as. */
export interface SyncObjects {
  mutex: Lock;
  rmutex: RLock;
  semaphore: Semaphore;
  boundedSemaphore: BoundedSemaphore;
  event: Event;
  condition: Condition;
  barrier: Barrier;
  rwlock: RwLock;
}

/** The synchronization object type of a sync schema. */
export type SyncObjectOf<S> = S extends SyncSchema<infer K extends SyncKind> ? SyncObjects[K] : never;

/** The lock type of a lock member's schema (`mutex()`: `Lock`, `rmutex()`: `RLock`). */
type LockOf<S> = S extends SyncSchema<'mutex'> ? Lock : S extends SyncSchema<'rmutex'> ? RLock : Lock | RLock;

/** A member's view: a `condition('lock')` member is a `Condition` typed with the lock member it names. */
type MemberViewOf<F, K extends keyof F> =
  FieldSchema<F[K]> extends SyncSchema<'condition', infer L extends string>
    ? L extends keyof F
      ? Condition<LockOf<FieldSchema<F[L]>>>
      : Condition
    : ViewOf<FieldSchema<F[K]>>;

/** Options of `view()` and `create()`. */
export interface ViewOptions {
  /**
   * Checked mode: stores throw `RangeError` on integer overflow, bitfield truncation, and `NaN` or
   * fractions into integers, instead of wrapping like typed arrays and C.
   * @defaultValue false
   */
  readonly checked?: boolean;
}

/** The schema of a field spec: bitfields become their declared type, aligned members and typecodes their schema. */
export type FieldSchema<S> =
  S extends BitfieldSpec<infer T, boolean> ? PrimitiveSchema<T> : S extends AlignedSpec<infer T> ? ResolveSchema<T> : ResolveSchema<S>;

/** The keys of a fields spec that are view fields (unnamed bitfields and anonymous members are not: an anonymous member's fields are). */
export type NamedKeys<F> = {
  [K in keyof F]: F[K] extends { readonly kind: 'bits'; readonly named: false } ? never : F[K] extends { readonly kind: 'anonymous' } ? never : K;
}[keyof F] &
  string;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** What the anonymous members of a fields spec add to the parent's {@link Infer} type (`unknown` when none). */
type AnonymousInfer<F> = UnionToIntersection<{ [K in keyof F]: F[K] extends AnonymousSpec<infer R> ? Infer<R> : never }[keyof F]>;
/** What the anonymous members of a fields spec add to the parent's {@link Input} type. */
type AnonymousInput<F> = UnionToIntersection<{ [K in keyof F]: F[K] extends AnonymousSpec<infer R> ? Input<R> : never }[keyof F]>;
/** What the anonymous members of a fields spec add to the parent's view. */
type AnonymousFields<F> = UnionToIntersection<
  { [K in keyof F]: F[K] extends AnonymousSpec<RecordSchema<'struct' | 'union', infer G extends FieldsSpec>> ? RecordFields<G> : never }[keyof F]
>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The keys of a fields spec that hold data (not locks and other synchronization members). */
export type DataKeys<F> = { [K in NamedKeys<F>]: F[K] extends { readonly kind: 'sync' } ? never : K }[NamedKeys<F>];

/**
 * The plain JS value a schema reads as: what `toObject()` / `toArray()` return.
 *
 * @example
 * ```ts
 * import { struct, f64, u64, array, f32, char, type Infer } from 'sharedctypes';
 * const Body = struct({ pos: array(f64, 3), mass: f32, id: u64, name: char(8) });
 * type Body = Infer<typeof Body>;
 * // { pos: number[]; mass: number; id: bigint; name: string }
 * ```
 */
export type Infer<S> = S extends Typecode
  ? Infer<TypecodeSchemas[S]>
  : S extends PrimitiveSchema<infer N>
    ? PrimitiveValues[N]
    : S extends CharSchema
      ? string
      : S extends ArraySchema<infer E, number>
        ? Infer<E>[]
        : S extends RecordSchema<'struct' | 'union', infer F>
          ? Simplify<{ -readonly [K in DataKeys<F>]: Infer<FieldSchema<F[K]>> } & AnonymousInfer<F>>
          : S extends SyncSchema
            ? SyncObjectOf<S>
            : never;

/**
 * What a write accepts: numbers for 64-bit integers too, any `ArrayLike` for arrays, partial objects
 * for structs (absent fields are left as they are).
 */
export type Input<S> = S extends Typecode
  ? Input<TypecodeSchemas[S]>
  : S extends PrimitiveSchema<infer N>
    ? PrimitiveInputs[N]
    : S extends CharSchema
      ? string | Uint8Array
      : S extends ArraySchema<infer E, number>
        ? ArrayLike<Input<E>>
        : S extends RecordSchema<'struct' | 'union', infer F>
          ? Simplify<{ -readonly [K in DataKeys<F>]?: Input<FieldSchema<F[K]>> } & AnonymousInput<F>>
          : never;

/** What `create(init)` accepts: the same as {@link Input}. */
export type InitOf<S> = Input<S>;

/** What reading a field or an array element gives: a value for scalars, a live view for aggregates. */
export type ElementOf<S> = S extends PrimitiveSchema<infer N> ? PrimitiveValues[N] : S extends CharSchema ? string : ViewOf<S>;

/** Members every view has, under `$` names that no field can take. */
export interface ViewBase<S extends Schema> {
  /** The buffer the view reads and writes. */
  readonly $buffer: ArrayBufferLike;
  /** Where the view's region starts in the buffer. */
  readonly $byteOffset: number;
  /** The size of the view's region (`sizeof` its type). */
  readonly $byteLength: number;
  /** The schema of the view. */
  readonly $schema: S;
}

type ScalarKeys<F extends FieldsSpec> = { [K in NamedKeys<F>]: FieldSchema<F[K]> extends PrimitiveSchema | CharSchema ? K : never }[NamedKeys<F>];
type AggregateKeys<F extends FieldsSpec> = Exclude<NamedKeys<F>, ScalarKeys<F>>;

/**
 * A live view of a struct or union: one property per field. Scalars read and write values;
 * nested structs and arrays are views of their own.
 */
export type RecordView<S extends RecordSchema<'struct' | 'union', FieldsSpec>> = (S extends RecordSchema<'struct' | 'union', infer F>
  ? RecordFields<F>
  : never) &
  RecordViewMethods<S>;

/** The fields of a struct or union view (an anonymous member's fields included). */
export type RecordFields<F extends FieldsSpec> = { -readonly [K in ScalarKeys<F>]: ElementOf<FieldSchema<F[K]>> } & {
  readonly [K in AggregateKeys<F>]: MemberViewOf<F, K>;
} & AnonymousFields<F>;

/** Methods of struct and union views. */
export interface RecordViewMethods<S extends Schema> extends ViewBase<S> {
  /** Copies every field into a plain object (nested structs and arrays included). */
  toObject(): Infer<S>;
  /**
   * Writes the fields present in `values`; others are left as they are. Returns the view. Fields
   * are written one by one, in the object's key order: a value that cannot be stored (or a key
   * that is not a field) throws after the fields before it were written. Other threads can see a
   * struct half written in any case; guard multi-field updates with a lock.
   */
  set(values: Input<S>): this;
}

/** A live view of a fixed-length array. */
export interface ArrayView<E extends Schema> extends ViewBase<ArraySchema<E>>, Iterable<ElementOf<E>> {
  /** Number of elements. */
  readonly length: number;
  /** Element `index` (0 ≤ index < length, else `RangeError`): a value, or a live view for aggregates. */
  get(index: number): ElementOf<E>;
  /** Like `get`, and a negative index counts from the end (`at(-1)` is the last). */
  at(index: number): ElementOf<E>;
  /** Writes element `index`. */
  set(index: number, value: Input<E>): void;
  /**
   * Writes `values` into consecutive elements from `offset` (default 0), like `TypedArray.set`.
   * Elements are written in order: a value that cannot be stored throws after the ones before it
   * were written.
   */
  set(values: ArrayLike<Input<E>>, offset?: number): void;
  /** Copies every element into a plain array. */
  toArray(): Infer<E>[];
  /**
   * The elements in order (`for…of`, spread, `Array.from`), each as `get(i)` gives it. A hot
   * `for…of` runs about as fast as an index loop over `get(i)` once optimised; its first call is
   * slower (one more call per element until the loop is compiled). The result that ends the
   * iteration carries the last element as its value, not `undefined` (what lets the engine remove
   * the results and handles of an optimised loop); `for…of`, spread and `Array.from` ignore it.
   */
  [Symbol.iterator](): IterableIterator<ElementOf<E>>;
  /**
   * The elements as a typed array over the same bytes, no copy: a `Float32Array` for `f32`
   * elements, a `BigInt64Array` for `i64`, … (an array of arrays flattened in C order). Writes
   * through either are seen by the other, and by other threads sharing the buffer; `Atomics`
   * works on the integer ones. The fastest loop over numbers (as fast as a typed array, being
   * one): get it once, outside the loop. Stores through it convert as typed arrays do (integers
   * wrap), also for a checked view, whose range checks apply to its own stores. Throws a
   * `TypeError` (`unsupported_type`) for elements no typed array reads as the view does (structs,
   * `bool`, the other byte order, `f16` where the runtime has no `Float16Array`), and a
   * `RangeError` (`misaligned`) when the array does not start at a multiple of the element size
   * (a member of a packed struct).
   *
   * @example
   * ```ts
   * import { array, f32 } from 'sharedctypes';
   * const samples = array(f32, 128).create();
   * const f = samples.typed(); // Float32Array(128), the same memory
   * for (let i = 0; i < f.length; i++) f[i] = Math.sin(i / 8);
   * samples.get(8); // 0.8414709568023682
   * ```
   */
  typed(this: ArrayView<TypedElement>): TypedArrayOf<E>;
  /**
   * One number member of every element as a strided typed array over the same bytes, no copy
   * (numpy's `a['x']`): `array[start + i * step]` is element `i`'s member; `array` is a
   * `Float64Array` for an `f64` member, a `Uint32Array` for a `u32`, … over the whole array, so
   * the columns of one number type index the same bytes and one of their arrays serves them all
   * (as `F64` does in hand-written code). Writes through either are seen by the other and by
   * other threads. A loop over columns is typed-array code from its first iteration, as fast
   * cold as warm: take the columns once, outside the loop, and put their numbers in locals
   * (docs/performance.md, "Writing fast loops"). A direct member name is type-checked; a path
   * (`'pos.x'`, `'pts[1].y'`) is checked at run time. Throws a `TypeError` (`unsupported_type`)
   * for a member no typed array reads as the view does (a struct, a bitfield, `bool`, the other
   * byte order, `f16` where the runtime has no `Float16Array`), and a `RangeError`
   * (`misaligned`) for a member not at a multiple of its size (a packed struct).
   *
   * @example
   * ```ts
   * import { array, f32, f64, struct } from 'sharedctypes';
   * const Particle = struct({ x: f64, y: f64, vx: f32, vy: f32 });
   * const ps = array(Particle, 1000).create();
   * ps.get(2).vy = 0.5;
   * const { array: F64, start: x, step: s8 } = ps.column('x'); // Float64Array, start 0, step 3
   * const { start: y } = ps.column('y'); // 1: y is in F64 too
   * const { array: F32, start: vx, step: s4 } = ps.column('vx'); // Float32Array, start 4, step 6
   * const { start: vy } = ps.column('vy'); // 5
   * for (let i = 0, n = ps.length; i < n; i++) {
   *   const a = i * s8;
   *   const b = i * s4;
   *   F64[x + a] = F64[x + a]! + F32[vx + b]!; // `!`: indices in range (noUncheckedIndexedAccess)
   *   F64[y + a] = F64[y + a]! + F32[vy + b]!;
   * }
   * ps.get(2).y; // 0.5
   * ```
   */
  column<const K extends ColumnKeys<E>>(member: K): Column<ColumnArrayOf<E, K>>;
  column(path: ColumnPath): Column<TypedArrayByName[Exclude<PrimitiveName, 'bool'>]>;
  /**
   * A reusable element view that `seek(i)` moves over the array without allocating: for a handle
   * kept across calls. In a hot loop `get(i)` is as fast or faster: V8 removes its allocation.
   */
  cursor(index?: number): Cursor<E>;
}

/** What `column()` gives (defined where columns are made). */
export type { Column };

/** The members of a struct or union element that `column()` takes by name: numbers other than `bool`, not bitfields. */
export type ColumnKeys<E> =
  E extends RecordSchema<'struct' | 'union', infer F>
    ? {
        [K in NamedKeys<F>]: F[K] extends { readonly kind: 'bits' }
          ? never
          : FieldSchema<F[K]> extends PrimitiveSchema<Exclude<PrimitiveName, 'bool'>>
            ? K
            : never;
      }[NamedKeys<F>]
    : never;

/** The typed array of member `K` of element `E`. */
export type ColumnArrayOf<E, K> =
  E extends RecordSchema<'struct' | 'union', infer F>
    ? K extends keyof F
      ? FieldSchema<F[K]> extends PrimitiveSchema<infer N>
        ? TypedArrayByName[N]
        : never
      : never
    : never;

/** A path into nested members of an element (`'pos.x'`, `'pts[1].y'`, `'[2]'` in an array of arrays): checked at run time. */
export type ColumnPath = `${string}.${string}` | `${string}[${number}]${string}`;

/** Element schemas that have a typed array: numeric primitives, and arrays of them. */
export type TypedElement = PrimitiveSchema<Exclude<PrimitiveName, 'bool'>> | ArraySchema<TypedElement, number>;

/** The typed array `typed()` gives for an array of `E` (nested arrays: their innermost element's). */
export type TypedArrayOf<E> = E extends PrimitiveSchema<infer N> ? TypedArrayByName[N] : E extends ArraySchema<infer F, number> ? TypedArrayOf<F> : never;

/** The field names of a record schema (none for other schemas). */
type FieldNames<E> = E extends RecordSchema<'struct' | 'union', infer F> ? NamedKeys<F> : never;

/** What a cursor adds to an element view: `$seek`/`$index` always, `seek`/`index` unless fields have those names. */
interface CursorMembers<E extends Schema> {
  /** The element index the cursor is at. */
  readonly index: number;
  /** Moves to element `index` and returns the cursor. */
  seek(index: number): Cursor<E>;
  /** The element index the cursor is at (always there, even when the element has a field named `index`). */
  readonly $index: number;
  /** Moves to element `index` and returns the cursor (always there, even when the element has a field named `seek`). */
  $seek(index: number): Cursor<E>;
}

/**
 * A reusable element view over an array; `seek(i)` moves it. An element field named `seek` or
 * `index` keeps its meaning on the cursor (it reads and writes the field); `$seek(i)` and `$index`
 * always move and tell the position.
 */
export type Cursor<E extends Schema> = ViewOf<E> & Omit<CursorMembers<E>, FieldNames<E>>;

/** A live view of a single primitive value (what `RawValue` wraps). */
export interface ValueView<N extends PrimitiveName> extends ViewBase<PrimitiveSchema<N>> {
  /** The value, read from the buffer. */
  get value(): PrimitiveValues[N];
  /** Writes the value (integers wrap, unless the view is checked). */
  set value(v: PrimitiveInputs[N]);
}

/** A live view of a `char[N]`: `.value` as text (up to the first NUL), `.raw` as all N bytes. */
export interface CharView<N extends number = number> extends ViewBase<CharSchema<N>> {
  /** The text up to the first NUL, decoded as UTF-8 (ctypes `.value`). */
  get value(): string;
  /** Writes text (UTF-8) or bytes; longer than N bytes is a `RangeError`; the rest is zeroed. */
  set value(v: string | Uint8Array);
  /** A copy of all N bytes (ctypes `.raw`). */
  get raw(): Uint8Array;
  /** Writes exactly these bytes, zero-filling the rest. */
  set raw(v: ArrayLike<number>);
}

/** The view type of a schema. */
export type ViewOf<S> = S extends Typecode
  ? ViewOf<TypecodeSchemas[S]>
  : S extends PrimitiveSchema<infer N>
    ? ValueView<N>
    : S extends CharSchema<infer N>
      ? CharView<N>
      : S extends ArraySchema<infer E, number>
        ? ArrayView<E>
        : S extends RecordSchema<'struct' | 'union', FieldsSpec>
          ? RecordView<S>
          : S extends SyncSchema
            ? SyncObjectOf<S>
            : never;
