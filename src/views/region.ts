/**
 * Where a view may live: the memory behind a source (a buffer, or a typed array / DataView window
 * of one), the region check (inside the source, aligned), and the shared DataView of each buffer.
 *
 * The last source seen is remembered, so that making many views over one buffer (a view per byte
 * offset: offset tables, WebAssembly pointers) costs a comparison, not a lookup, per view. Only
 * sources whose extent cannot change are remembered (a fixed-length SharedArrayBuffer or a window
 * of one): an ArrayBuffer can be detached or resized, a growable SharedArrayBuffer can grow, so
 * those are looked at afresh every time.
 *
 * @module
 */
import { rangeError, shownNumber, typeError } from '../errors.js';
import { needsStoreArrays, type StoreArrays, withStoreArrays } from '../codegen/store-arrays.js';
import { NEAR_BASE } from '../codegen/runtime.js';
import type { Layout } from '../layout/types.js';
import { TYPED_STORES } from '../engine.js';
import { cached } from '../memo.js';
import type { Schema } from '../types/schema.js';
import { typeLabel } from '../kinds/labels.js';

const dataViews = new WeakMap<ArrayBufferLike, DataView>();

/** Where a buffer the library made keeps its DataView (see {@link dataViewOfNew}). */
const OWN_DATA_VIEW = Symbol('sharedctypes.dataView');

/**
 * The DataView over the whole of `buffer` (one per buffer, shared by all its views). Where
 * {@link storesOver}, {@link storesReady} hangs the buffer's typed arrays for stores on it
 * (src/codegen/store-arrays.ts) before the first view that may store through them.
 */
export function dataViewOf(buffer: ArrayBufferLike): DataView {
  return (buffer as { [OWN_DATA_VIEW]?: DataView })[OWN_DATA_VIEW] ?? cached(dataViews, buffer, () => new DataView(buffer));
}

/**
 * The DataView of a buffer the library has just made (`create()`), kept on the buffer itself as a
 * hidden property (a symbol key, not enumerable) rather than in the WeakMap that {@link dataViewOf}
 * keeps for every other buffer: a WeakMap entry cost ~2.3 µs per buffer, at the collections that
 * find it dead (Node 20, 100k 48-byte buffers made and dropped), more than half of a small
 * struct's `create()` (~4.2 µs). A buffer someone else made is never written to.
 */
export function dataViewOfNew(buffer: ArrayBufferLike): DataView {
  const d = new DataView(buffer);
  Object.defineProperty(buffer, OWN_DATA_VIEW, { value: d });
  return d;
}

/**
 * `d` (the DataView of a buffer where {@link storesOver}) with the buffer's store arrays hung on
 * it, made the first time a view of `layout` in a class that stores through them (generated:
 * `codegen`; interpreted accessors store through the DataView) is made over the buffer
 * (`needsStoreArrays`). The five arrays cost about 0.5 KB and 1 µs a buffer: a buffer with
 * only single numbers in it (`Value('i')`, `RawValue('d')`) or only arrays of numbers on Node 20
 * never gets them (`Value('i', 0)`: 1,246 → 701 bytes each on Node 20).
 */
export function storesReady(d: DataView, layout: Layout, codegen: boolean): DataView {
  if (codegen && (d as Partial<StoreArrays>).$f64 === undefined && needsStoreArrays(layout)) withStoreArrays(d);
  return d;
}

/**
 * Whether views over `buffer` store numbers through typed arrays (src/codegen/store-arrays.ts):
 * where typed stores are on, a fixed-length SharedArrayBuffer of at most {@link STORES_MAX_BYTES}.
 * Whatever its size otherwise, so that views of every SharedArrayBuffer share one class per schema
 * (test/views/classes.test.ts; on V8 before 12 an array type has a second one past 1 GiB, see
 * {@link nearOver}); the five arrays cost a small buffer's `create()` about 1.3 µs on
 * Node 24 (`Particle.create()`: 1.9 → 3.2 µs).
 */
export function storesOver(buffer: ArrayBufferLike): boolean {
  return TYPED_STORES && buffer.byteLength <= STORES_MAX_BYTES && isFixedShared(buffer);
}

/**
 * Whether no byte offset into `buffer` is past `NEAR_BASE` (1 GiB − 1), now or after it grows: its
 * length, or the largest it can grow to, is at most 1 GiB. Views of such memory may use classes
 * whose arrays leave out the test of their base (src/codegen/classes.ts, `CompileMode.near`).
 */
export function nearOver(buffer: ArrayBufferLike): boolean {
  const b = buffer as { growable?: boolean; resizable?: boolean; maxByteLength?: number };
  return (b.growable === true || b.resizable === true ? (b.maxByteLength as number) : buffer.byteLength) <= NEAR_BASE + 1;
}

/** The largest buffer whose views store through typed arrays: every byte offset in it is an int32 (the generated index is `(o + k) >> 3`). */
const STORES_MAX_BYTES = 2 ** 31 - 1;

/** A buffer, or a typed array / DataView window of one (WebAssembly memory, a Node Buffer…). */
export type BufferSource = ArrayBufferLike | ArrayBufferView;

function isBuffer(value: unknown): value is ArrayBufferLike {
  return value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer);
}

function isFixedShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer && (buffer as { growable?: boolean }).growable !== true;
}

/** The memory behind a source: its buffer's DataView, where the source starts in it, and how many bytes it has. */
export interface Memory {
  readonly d: DataView;
  readonly base: number;
  readonly limit: number;
  /** Whether the extent cannot change (a fixed-length SharedArrayBuffer or a window of one). */
  readonly fixed: boolean;
  /**
   * The source itself when it is an `ArrayBuffer` that cannot be resized (WebAssembly memory's,
   * a file read into one): its extent changes only when it is detached, to 0 bytes, which
   * `view()` tests when it serves one it remembered (src/views/attach.ts; {@link Memory.fixed}
   * sources need no test); else null.
   */
  readonly steady: ArrayBuffer | null;
  /** Whether views here store numbers through typed arrays ({@link storesOver}). */
  readonly stores: boolean;
  /** Whether every byte offset into the buffer is at most `NEAR_BASE`, now and after it grows ({@link nearOver}). */
  readonly near: boolean;
}

let lastSource: unknown = null;
let last: Memory = { d: new DataView(new ArrayBuffer(0)), base: 0, limit: 0, fixed: false, steady: null, stores: false, near: true };

/** `view(struct Particle)`: what a region error names (built only when one is thrown). */
export function subjectOf(what: string, schema: Schema | null): string {
  return schema === null ? what : `${what}(${typeLabel(schema)})`;
}

/**
 * The memory behind `source` (remembered when its extent is fixed). Throws a `TypeError` naming
 * `what` (and `schema`) for anything that is not a buffer or a view of one.
 */
export function memoryOf(source: unknown, what: string, schema: Schema | null): Memory {
  if (source === lastSource) return last;
  let buffer: ArrayBufferLike;
  let base = 0;
  let limit: number;
  if (isBuffer(source)) {
    buffer = source;
    limit = source.byteLength;
  } else if (ArrayBuffer.isView(source)) {
    buffer = source.buffer;
    base = source.byteOffset;
    limit = source.byteLength;
  } else {
    throw typeError(
      'invalid_argument',
      subjectOf(what, schema),
      `needs an ArrayBuffer, a SharedArrayBuffer or a view of one (got ${source === null ? 'null' : typeof source})`,
    );
  }
  let d: DataView;
  try {
    d = dataViewOf(buffer);
    // A DataView made before the buffer was detached reads its length with a TypeError: the same
    // refusal as a new one's, whatever the offset (not invalid_argument for a negative offset
    // where the buffer's DataView was made before, out_of_bounds where it was not).
    if (limit === 0) void d.byteLength;
  } catch {
    // The engine refuses a DataView over a detached buffer (transferred, or a resizable one's
    // memory taken): a new view says so with a code, as for any region that is not there.
    throw rangeError(
      'out_of_bounds',
      subjectOf(what, schema),
      'its buffer is detached (transferred to another thread, or its memory taken)',
      'view the buffer where it now is',
    );
  }
  const steady = source instanceof ArrayBuffer && (source as { resizable?: boolean }).resizable !== true ? source : null;
  const m: Memory = { d, base, limit, fixed: isFixedShared(buffer), steady, stores: storesOver(buffer), near: nearOver(buffer) };
  if (m.fixed) {
    lastSource = source;
    last = m;
  }
  return m;
}

/**
 * Whether `size` bytes of alignment `align` (a power of two) fit at the relative offset
 * `byteOffset` of memory `m`. `byteOffset` is unchecked input: anything but a whole number ≥ 0 fails.
 */
export function fits(m: Memory, byteOffset: unknown, size: number, align: number): byteOffset is number {
  return (
    typeof byteOffset === 'number' &&
    byteOffset >= 0 &&
    byteOffset + size <= m.limit &&
    byteOffset === Math.floor(byteOffset) &&
    ((m.base + byteOffset) & (align - 1)) === 0
  );
}

/** Throws the error that says why {@link fits} failed. */
export function badRegion(subject: string, m: Memory, byteOffset: unknown, size: number, align: number): never {
  if (typeof byteOffset !== 'number' || !Number.isInteger(byteOffset) || byteOffset < 0) {
    throw rangeError('invalid_argument', subject, `byteOffset ${shownNumber(byteOffset)} is not a whole number ≥ 0`);
  }
  if (byteOffset + size > m.limit) {
    throw rangeError(
      'out_of_bounds',
      subject,
      `needs ${size} bytes at byteOffset ${byteOffset}, but the buffer has ${m.limit} bytes`,
      `use a buffer of at least ${byteOffset + size} bytes or a smaller offset`,
    );
  }
  const offset = m.base + byteOffset;
  throw rangeError('misaligned', subject, `byteOffset ${offset} is not a multiple of its alignment ${align}`, `place it at a multiple of ${align}`);
}

/**
 * Resolves `source` and a relative `byteOffset` to (buffer, absolute offset), checking that `size`
 * bytes from there lie inside the source and that the offset is a multiple of `align`.
 */
export function checkRegion(subject: string, source: unknown, byteOffset: unknown, size: number, align: number): { buffer: ArrayBufferLike; offset: number } {
  const m = memoryOf(source, subject, null);
  if (!fits(m, byteOffset, size, align)) badRegion(subject, m, byteOffset, size, align);
  return { buffer: m.d.buffer, offset: m.base + byteOffset };
}
