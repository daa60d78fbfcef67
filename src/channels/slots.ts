/**
 * The elements of a channel: `T[capacity]` at the data offset of its buffer, read and written
 * through the schema's view class (the same compiled or interpreted accessors as any view), with
 * a typed-array fast path for numeric elements.
 *
 * @module
 */
import type { ViewCtor, ViewInternals } from '../codegen/access.js';
import { internalError } from '../errors.js';
import { defaultMode, viewClass } from '../codegen/classes.js';
import type { Layout } from '../layout/types.js';
import { dataViewOf } from '../views/region.js';

/** Typed arrays of the numeric primitives whose typed-array conversions equal the views' (not `bool`, which reads as a boolean, nor `f16`: Float16Array is not on every runtime). */
const TYPED_ARRAYS = {
  i8: Int8Array,
  u8: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
  i64: BigInt64Array,
  u64: BigUint64Array,
} as const;

type Typed = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A view of an array whose elements have layout `element` (what batch forms copy bytes from or to). */
function isArrayViewOf(x: unknown, element: Layout): x is ViewInternals {
  const l = (x as { $$layout?: Layout } | null)?.$$layout;
  return l !== undefined && l.kind === 'array' && l.element === element;
}

/** A view of an array of any element type. */
function isArrayView(x: unknown): x is { get(i: number): unknown; $$layout: Layout } {
  const l = (x as { $$layout?: Layout } | null)?.$$layout;
  return l !== undefined && l.kind === 'array';
}

/**
 * Reads and writes the slots of one channel in this thread. Two element views over the buffer
 * are made once and moved (by their byte offset) to the slot at hand, so copying an element in
 * or out allocates nothing but the plain value read: `io` for the copying forms, `view` for the
 * zero-copy ones, which hand it to the caller and then park it past the end of the buffer, where
 * any access throws a `RangeError` instead of touching a slot that now belongs to another thread.
 */
export class Slots {
  readonly layout: Layout;
  readonly size: number;
  /** Byte offset of slot 0 in the buffer. */
  readonly base: number;
  /** Where the zero-copy view waits when no slot is lent (past the end of the buffer). */
  readonly parked: number;
  /** The user-facing views of a reserved slot (producer) and of a front slot (consumer). */
  readonly #writeView: ViewInternals;
  readonly #readView: ViewInternals;
  /** Numeric elements in host order: the elements as a typed array (`null` otherwise). */
  readonly typed: Typed | null;
  /** 1: `typed` holds numbers, 2: bigints, 0: no typed array. */
  readonly typedKind: 0 | 1 | 2;
  readonly #io: ViewInternals;
  readonly #bytes: Uint8Array;
  /** A private element-sized buffer where MPMC converts a value before claiming a slot, and its view. */
  readonly #stage: ViewInternals;
  readonly #stageBytes: Uint8Array;
  /** Whether a copied-in value may leave bytes unwritten (structs, unions, arrays): the slot is zeroed first. */
  readonly #zero: boolean;

  constructor(buffer: SharedArrayBuffer, base: number, capacity: number, element: Layout, checked: boolean) {
    const C: ViewCtor = viewClass(element, defaultMode(checked));
    const d = dataViewOf(buffer);
    this.layout = element;
    this.size = element.size;
    this.base = base;
    this.parked = buffer.byteLength;
    this.#writeView = new C(this.parked, d);
    this.#readView = new C(this.parked, d);
    this.#io = new C(base, d);
    this.#bytes = new Uint8Array(buffer);
    const stage = new ArrayBuffer(element.size);
    this.#stage = new C(0, new DataView(stage));
    this.#stageBytes = new Uint8Array(stage);
    this.#zero = element.kind === 'struct' || element.kind === 'union' || element.kind === 'array';
    let typed: Typed | null = null;
    let typedKind: 0 | 1 | 2 = 0;
    if (!checked && littleEndianHost && element.kind === 'primitive' && element.endian === 'little' && element.name !== 'bool' && element.name !== 'f16') {
      const T = TYPED_ARRAYS[element.name];
      typed = new T(buffer as unknown as ArrayBuffer, base, capacity);
      typedKind = element.name === 'i64' || element.name === 'u64' ? 2 : 1;
    }
    this.typed = typed;
    this.typedKind = typedKind;
  }

  /** Copies `v` (a plain value, or a view of the element type) into slot `i`. */
  write(i: number, v: unknown): void {
    const k = this.typedKind;
    if (k !== 0 && typeof v === (k === 1 ? 'number' : 'bigint')) {
      (this.typed as Float64Array)[i] = v as number;
      return;
    }
    const io = this.#io;
    const o = this.base + i * this.size;
    if (this.#zero) this.#bytes.fill(0, o, o + this.size);
    io.$$o = o;
    io.$$assign(v);
  }

  /** A plain copy of slot `i`. */
  read(i: number): unknown {
    if (this.typedKind !== 0) return (this.typed as Float64Array)[i];
    const io = this.#io;
    io.$$o = this.base + i * this.size;
    return io.$$plain();
  }

  /** Converts `v` into the private staging element (zeroed first): throws here for a bad value. */
  stage(v: unknown): void {
    this.#stageBytes.fill(0);
    this.#stage.$$assign(v);
  }

  /** Copies the staged element into slot `i` (bytes: cannot fail). */
  putStaged(i: number): void {
    this.#bytes.set(this.#stageBytes, this.base + i * this.size);
  }

  /** Whether a batch from `src` is copied without conversion (cannot throw half-way). */
  fastBatch(src: unknown): boolean {
    const t = this.typed;
    return (t !== null && ArrayBuffer.isView(src) && src.constructor === t.constructor) || isArrayViewOf(src, this.layout);
  }

  /** Lends the producer's (`write`) or the consumer's zero-copy view at slot `i`. */
  lend(i: number, write: boolean): ViewInternals {
    const v = write ? this.#writeView : this.#readView;
    v.$$o = this.base + i * this.size;
    return v;
  }

  /** Parks a zero-copy view past the end of the buffer. */
  park(write: boolean): void {
    (write ? this.#writeView : this.#readView).$$o = this.parked;
  }

  /**
   * Copies `n` items of `src` from `from` into the consecutive slots from `i`, for a source that
   * {@link fastBatch} accepts (a typed array of the element type, or an array view of the element
   * layout): no conversion, so nothing can throw half-way.
   */
  writeRun(src: ArrayLike<unknown>, from: number, i: number, n: number): void {
    const t = this.typed;
    if (t !== null && ArrayBuffer.isView(src) && src.constructor === t.constructor) {
      const s = src as unknown as Float64Array;
      const d = t as Float64Array;
      for (let j = 0; j < n; j++) d[i + j] = s[from + j] as number;
      return;
    }
    if (!isArrayViewOf(src, this.layout)) throw internalError('writeRun without a fast batch source');
    const at = src.$$o + from * this.size;
    this.#bytes.set(new Uint8Array(src.$$d.buffer, at, n * this.size), this.base + i * this.size);
  }

  /** Copies the `n` consecutive slots from `i` into `dst` from `to`. */
  readRun(dst: unknown[] | ArrayLike<unknown>, to: number, i: number, n: number): void {
    const t = this.typed;
    if (t !== null && ArrayBuffer.isView(dst) && dst.constructor === t.constructor) {
      const s = t as Float64Array;
      const d = dst as unknown as Float64Array;
      for (let j = 0; j < n; j++) d[to + j] = s[i + j] as number;
      return;
    }
    if (isArrayViewOf(dst, this.layout)) {
      const at = dst.$$o + to * this.size;
      new Uint8Array(dst.$$d.buffer, at, n * this.size).set(this.#bytes.subarray(this.base + i * this.size, this.base + (i + n) * this.size));
      return;
    }
    if (isArrayView(dst)) {
      const set = (dst as unknown as { set(index: number, v: unknown): void }).set;
      for (let j = 0; j < n; j++) set.call(dst, to + j, this.read(i + j));
      return;
    }
    const out = dst as unknown[];
    for (let j = 0; j < n; j++) out[to + j] = this.read(i + j);
  }
}
