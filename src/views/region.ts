/**
 * Where a view may live: the region check (inside the buffer, aligned) and the shared DataView of
 * each buffer.
 *
 * @module
 */
import { rangeError, typeError } from '../errors.js';
import { cached } from '../memo.js';

const dataViews = new WeakMap<ArrayBufferLike, DataView>();

/** The DataView over the whole of `buffer` (one per buffer, shared by all its views). */
export function dataViewOf(buffer: ArrayBufferLike): DataView {
  return cached(dataViews, buffer, () => new DataView(buffer));
}

/** A buffer, or a typed array / DataView window of one (WebAssembly memory, a Node Buffer…). */
export type BufferSource = ArrayBufferLike | ArrayBufferView;

function isBuffer(value: unknown): value is ArrayBufferLike {
  return value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer);
}

/**
 * Resolves `source` and a relative `byteOffset` to (buffer, absolute offset), checking that `size`
 * bytes from there lie inside the source and that the offset is a multiple of `align`.
 */
export function checkRegion(subject: string, source: unknown, byteOffset: unknown, size: number, align: number): { buffer: ArrayBufferLike; offset: number } {
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
    throw typeError(subject, `needs an ArrayBuffer, a SharedArrayBuffer or a view of one (got ${source === null ? 'null' : typeof source})`);
  }
  if (typeof byteOffset !== 'number' || !Number.isInteger(byteOffset) || byteOffset < 0) {
    throw rangeError(subject, `byteOffset ${String(byteOffset)} is not a whole number ≥ 0`);
  }
  if (byteOffset + size > limit) {
    throw rangeError(
      subject,
      `needs ${size} bytes at byteOffset ${byteOffset}, but the buffer has ${limit} bytes`,
      `use a buffer of at least ${byteOffset + size} bytes or a smaller offset`,
    );
  }
  const offset = base + byteOffset;
  if (offset % align !== 0) {
    throw rangeError(subject, `byteOffset ${offset} is not a multiple of its alignment ${align}`, `place it at a multiple of ${align}`);
  }
  return { buffer, offset };
}
