/**
 * The elements of a channel: `T[capacity]` at the data offset of its buffer, read and written
 * through the schema's view class (the same compiled or interpreted accessors as any view), with
 * a typed-array fast path for numeric elements.
 *
 * @module
 */
import type { ViewCtor, ViewInternals } from '../codegen/access.js';
import { internalError, SyncError } from '../errors.js';
import { defaultMode, viewClass } from '../codegen/classes.js';
import type { Layout } from '../layout/types.js';
import { typedArrayOver } from '../memory/buffers.js';
import { dataViewOf } from '../views/region.js';
import { type AnyTyped, HOST_ENDIAN, TYPED_ARRAYS } from '../kinds/typed-arrays.js';
import { typeLabel } from '../kinds/labels.js';

/** How a batch is copied (see `Slots.batchKind`). */
export const BATCH_VALUES = 0;
export const BATCH_TYPED = 1;
export const BATCH_BYTES = 2;
export type BatchKind = typeof BATCH_VALUES | typeof BATCH_TYPED | typeof BATCH_BYTES;

/** Elements up to this many bytes are zeroed and copied word by word (above, `fill` and `set` win). */
const WORD_COPY_MAX = 256;

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
  readonly typed: AnyTyped | null;
  /** 1: `typed` holds numbers, 2: bigints, 0: no typed array. */
  readonly typedKind: 0 | 1 | 2;
  /** The class of `typed`. */
  readonly #Typed: (typeof TYPED_ARRAYS)[keyof typeof TYPED_ARRAYS] | null;
  readonly #io: ViewInternals;
  readonly #bytes: Uint8Array;
  /** A private element-sized buffer where MPMC converts a value before claiming a slot, and its view. */
  readonly #stage: ViewInternals;
  readonly #stageBytes: Uint8Array;
  /** Another, where an MPMC consumer copies a slot before it converts it (not the producers' staging: a pop from inside a push's conversion must not overwrite it). */
  readonly #take: ViewInternals;
  readonly #takeBytes: Uint8Array;
  /** Whether a copied-in value may leave bytes unwritten (structs, unions, arrays): the slot is zeroed first. */
  readonly #zero: boolean;
  /**
   * Small elements whose size is a multiple of 4: the buffer and the staging element as Int32
   * words, and the number of words per element, so that zeroing a slot and copying the staged
   * element are a few word stores instead of a `fill` or `set` call (a builtin call costs
   * 20–40 ns, more than the 12 stores of a 48-byte struct). Integer words, not Float64: a copy
   * through doubles may change the bits of a NaN.
   */
  readonly #words: Int32Array | null;
  readonly #stageWords: Int32Array | null;
  readonly #takeWords: Int32Array | null;
  readonly #wordCount: number;

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
    // The ring's bytes (and words), from its first slot: offsets below are relative to `base`.
    const ringBytes = capacity * element.size;
    const ring = `the ring of Channel<${typeLabel(element.schema)}>`;
    this.#bytes = typedArrayOver(Uint8Array, buffer, base, ringBytes, ring, 'use a smaller capacity');
    const stage = new ArrayBuffer(element.size);
    this.#stage = new C(0, new DataView(stage));
    this.#stageBytes = new Uint8Array(stage);
    const take = new ArrayBuffer(element.size);
    this.#take = new C(0, new DataView(take));
    this.#takeBytes = new Uint8Array(take);
    this.#zero = element.kind === 'struct' || element.kind === 'union' || element.kind === 'array';
    const byWords = element.size % 4 === 0 && element.size <= WORD_COPY_MAX;
    this.#words = byWords ? typedArrayOver(Int32Array, buffer, base, ringBytes / 4, ring, 'use a smaller capacity') : null;
    this.#stageWords = byWords ? new Int32Array(stage) : null;
    this.#takeWords = byWords ? new Int32Array(take) : null;
    this.#wordCount = element.size >> 2;
    let typed: AnyTyped | null = null;
    let typedKind: 0 | 1 | 2 = 0;
    let Typed: (typeof TYPED_ARRAYS)[keyof typeof TYPED_ARRAYS] | null = null;
    if (!checked && element.kind === 'primitive' && element.endian === HOST_ENDIAN && element.name !== 'bool' && element.name !== 'f16') {
      const T = TYPED_ARRAYS[element.name];
      Typed = T;
      typed = new T(buffer as unknown as ArrayBuffer, base, capacity);
      typedKind = element.name === 'i64' || element.name === 'u64' ? 2 : 1;
    }
    this.typed = typed;
    this.typedKind = typedKind;
    this.#Typed = Typed;
  }

  /**
   * Whether a value is being converted, straight into a slot through the element view (SPSC:
   * `#writingSlot`) or into the staging element (`#staging`). A conversion may run the caller's
   * code (a getter, a `valueOf`), and that code must not push or pop through the same channel
   * object in a way that disturbs it: an SPSC push would claim the slot being written, a pop of a
   * struct would move the element view the conversion writes through, a push that converts would
   * overwrite the staging element. Those entries throw ({@link reentered}), always before anything
   * is published (an SPSC claim is this object's alone until its commit; MPMC converts before it
   * claims); pops that take through their own element (`#take`) or a typed array go on.
   */
  #writingSlot = false;
  #staging = false;

  /**
   * Whether `v` goes into a slot as it is, through {@link typed}: a number into a numeric element,
   * a bigint into a 64-bit one. Nothing to convert, so nothing that can throw or run the caller's code.
   */
  takesAsIs(v: unknown): boolean {
    const k = this.typedKind;
    return k === 1 ? typeof v === 'number' : k === 2 && typeof v === 'bigint';
  }

  /** Copies `v` (a plain value, or a view of the element type) into slot `i`. */
  write(i: number, v: unknown): void {
    if (!this.#writingSlot && this.takesAsIs(v)) (this.typed as Float64Array)[i] = v as number;
    else this.#writeValue(i, v);
  }

  /** {@link write} through the element view: a struct, union, array, or a value the typed array would not take. */
  #writeValue(i: number, v: unknown): void {
    if (this.#writingSlot) reentered();
    const io = this.#io;
    const at = i * this.size;
    if (this.#zero) this.#clear(at);
    io.$$o = this.base + at;
    this.#writingSlot = true;
    try {
      io.$$assign(v);
    } finally {
      this.#writingSlot = false;
    }
  }

  /** Zeroes the element at byte `o` of the ring. */
  #clear(o: number): void {
    const w = this.#words;
    if (w === null) {
      this.#bytes.fill(0, o, o + this.size);
      return;
    }
    const at = o / 4;
    const end = at + this.#wordCount;
    for (let j = at; j < end; j++) w[j] = 0;
  }

  /** A plain copy of slot `i`. */
  read(i: number): unknown {
    return this.typedKind !== 0 ? (this.typed as Float64Array)[i] : this.#readValue(i);
  }

  #readValue(i: number): unknown {
    if (this.#writingSlot) reentered();
    const io = this.#io;
    io.$$o = this.base + i * this.size;
    return io.$$plain();
  }

  /** Converts `v` into the private staging element (zeroed first): throws here for a bad value. */
  stage(v: unknown): void {
    if (this.#staging) reentered();
    const w = this.#stageWords;
    if (w === null) this.#stageBytes.fill(0);
    else for (let j = 0; j < w.length; j++) w[j] = 0;
    this.#staging = true;
    try {
      this.#stage.$$assign(v);
    } finally {
      this.#staging = false;
    }
  }

  /** A copy of the staged element's bytes (a value that waits: other tasks stage through the same element meanwhile). */
  stagedCopy(): Uint8Array {
    return this.#stageBytes.slice();
  }

  /** Stages `bytes`, a {@link stagedCopy}, again. */
  restage(bytes: Uint8Array): void {
    if (this.#staging) reentered();
    this.#stageBytes.set(bytes);
  }

  /** Copies the staged element into slot `i` (bytes: cannot fail). */
  putStaged(i: number): void {
    const o = i * this.size; // of the ring
    const w = this.#words;
    const s = this.#stageWords;
    if (w === null || s === null) {
      this.#bytes.set(this.#stageBytes, o);
      return;
    }
    const at = o / 4;
    for (let j = 0; j < s.length; j++) w[at + j] = s[j] as number;
  }

  /**
   * Copies slot `i`'s bytes into the private staging element (a few word copies): an MPMC
   * consumer then frees the slot at once and converts the copy ({@link plainStaged}) after, so
   * that the slot is held for the copy only, not for the conversion and the allocation of the
   * value (which may start a garbage collection) while producers of the next lap wait for it.
   */
  takeStaged(i: number): void {
    const o = i * this.size;
    const w = this.#words;
    const s = this.#takeWords;
    if (w === null || s === null) {
      this.#takeBytes.set(this.#bytes.subarray(o, o + this.size));
      return;
    }
    const at = o / 4;
    for (let j = 0; j < s.length; j++) s[j] = w[at + j] as number;
  }

  /** A plain copy of the element {@link takeStaged} took. */
  plainStaged(): unknown {
    return this.#take.$$plain();
  }

  /**
   * Whether `x` is a typed array of the elements' type (a `Float64Array` for `f64`, …). By
   * `instanceof` the constructor: V8 does not optimise loads of a typed array's `constructor`
   * (about 17 ns each), and `instanceof` a known class is about 5 ns.
   */
  #sameTyped(x: unknown): boolean {
    const T = this.#Typed;
    return T !== null && ArrayBuffer.isView(x) && x instanceof T;
  }

  /**
   * How a batch's items are copied to or from `x`: {@link BATCH_TYPED} (a typed array of the
   * element type: element copies), {@link BATCH_BYTES} (an array view of the element layout: bytes),
   * or {@link BATCH_VALUES} (anything else: one value at a time, converted). Typed and byte batches
   * need no conversion, so nothing can throw half-way.
   */
  batchKind(x: unknown): BatchKind {
    return this.#sameTyped(x) ? BATCH_TYPED : isArrayViewOf(x, this.layout) ? BATCH_BYTES : BATCH_VALUES;
  }

  /**
   * Why `x` cannot take popped items without failing or changing them, or `undefined` when it can:
   * checked before anything is claimed, so that a pop into it never takes items it then cannot
   * store (MPMC could not give them back). A typed array takes numeric elements (a bigint one,
   * 64-bit integers); an array view takes its own element type; a frozen array nothing.
   */
  unfitTarget(x: unknown): string | undefined {
    if (this.batchKind(x) !== BATCH_VALUES) return undefined;
    const items = `${typeLabel(this.layout.schema)} items`;
    if (ArrayBuffer.isView(x)) {
      const l = this.layout;
      const kind = l.kind !== 'primitive' ? 'none' : l.name === 'i64' || l.name === 'u64' ? 'bigint' : 'number';
      const bigints = x instanceof BigInt64Array || x instanceof BigUint64Array;
      if (kind === 'none' || (kind === 'bigint') !== bigints) {
        const typed = kind === 'none' ? '' : kind === 'bigint' ? ', a BigInt64Array or BigUint64Array' : ', a numeric typed array';
        return `a ${x.constructor.name} cannot hold ${items}; pass an array${typed} or an array view of ${typeLabel(l.schema)}`;
      }
      return undefined;
    }
    if (isArrayView(x)) return `an array view of ${typeLabel(x.$$layout.schema)} cannot hold ${items}`;
    if (Array.isArray(x) && Object.isFrozen(x)) return `a frozen array cannot hold ${items}`;
    return undefined;
  }

  // Lending and parking are one method per side, each a few bytecodes: they are inlined into the
  // caller's loop with the view's accessors (see Channel's zero-copy checks).

  /** Lends the producer's zero-copy view at slot `i`. */
  lendWrite(i: number): ViewInternals {
    if (this.#writingSlot) reentered();
    const v = this.#writeView;
    v.$$o = this.base + i * this.size;
    return v;
  }

  /** Lends the consumer's zero-copy view at slot `i`. */
  lendRead(i: number): ViewInternals {
    const v = this.#readView;
    v.$$o = this.base + i * this.size;
    return v;
  }

  /** Parks the producer's zero-copy view past the end of the buffer. */
  parkWrite(): void {
    this.#writeView.$$o = this.parked;
  }

  /** Parks the consumer's zero-copy view past the end of the buffer. */
  parkRead(): void {
    this.#readView.$$o = this.parked;
  }

  /**
   * Copies `n` items of `src` from `from` into the consecutive slots from `i`, for a source whose
   * {@link batchKind} is `kind` (typed or bytes: no conversion, so nothing can throw half-way).
   */
  writeRun(src: ArrayLike<unknown>, from: number, i: number, n: number, kind: BatchKind): void {
    if (this.#writingSlot) reentered();
    if (kind === BATCH_TYPED) {
      const s = src as unknown as Float64Array;
      const d = this.typed as Float64Array;
      // The whole source: one memmove (a builtin call, and no subarray to allocate).
      if (from === 0 && n === s.length && n > 16) d.set(s, i);
      else copyElements(s, from, d, i, n);
      return;
    }
    if (kind !== BATCH_BYTES || !isArrayViewOf(src, this.layout)) throw internalError('writeRun without a typed or byte batch');
    const at = src.$$o + from * this.size;
    this.#bytes.set(new Uint8Array(src.$$d.buffer, at, n * this.size), i * this.size);
  }

  /** Copies the `n` consecutive slots from `i` into `dst` from `to`; `kind` is `dst`'s {@link batchKind}. */
  readRun(dst: unknown[] | ArrayLike<unknown>, to: number, i: number, n: number, kind: BatchKind): void {
    if (kind === BATCH_TYPED) {
      copyElements(this.typed as Float64Array, i, dst as unknown as Float64Array, to, n);
      return;
    }
    if (kind === BATCH_BYTES && isArrayViewOf(dst, this.layout)) {
      const at = dst.$$o + to * this.size;
      new Uint8Array(dst.$$d.buffer, at, n * this.size).set(this.#bytes.subarray(i * this.size, (i + n) * this.size));
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

/** A push or pop through a channel object from inside the conversion of a value it was pushing (see `Slots.#writingSlot`). */
function reentered(): never {
  throw new SyncError(
    'Channel: a push or pop through this channel object ran while it was converting a value being pushed (from a getter or valueOf of that value?); nothing of it was done: push and pop from outside the conversion',
    'slot_state',
  );
}

/**
 * Copies `s[from … from + n)` to `d[to …]`, both typed arrays of one element type, without
 * allocating (`d.set(s.subarray(…))` would allocate the subarray: not on the AudioWorklet path).
 * Unrolled by 16, as ringbuf.js does: V8 keeps the bounds and map checks of every iteration, and
 * a plain loop copies about 3× slower (2.6 against 0.9 ns per f64 on the bench machine).
 */
function copyElements(s: Float64Array, from: number, d: Float64Array, to: number, n: number): void {
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    const a = from + j;
    const b = to + j;
    d[b] = s[a] as number;
    d[b + 1] = s[a + 1] as number;
    d[b + 2] = s[a + 2] as number;
    d[b + 3] = s[a + 3] as number;
    d[b + 4] = s[a + 4] as number;
    d[b + 5] = s[a + 5] as number;
    d[b + 6] = s[a + 6] as number;
    d[b + 7] = s[a + 7] as number;
    d[b + 8] = s[a + 8] as number;
    d[b + 9] = s[a + 9] as number;
    d[b + 10] = s[a + 10] as number;
    d[b + 11] = s[a + 11] as number;
    d[b + 12] = s[a + 12] as number;
    d[b + 13] = s[a + 13] as number;
    d[b + 14] = s[a + 14] as number;
    d[b + 15] = s[a + 15] as number;
  }
  for (; j < n; j++) d[to + j] = s[from + j] as number;
}
