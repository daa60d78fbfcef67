/**
 * Buffers as the layers above make and cover them: a new buffer, or the typed error that says the
 * runtime could not make one that large; and whether one typed array can cover all of a buffer.
 *
 * @module
 */
import { rangeError } from '../errors.js';

/**
 * The most elements one typed array may have on every runtime this library supports: V8 before
 * 12 (Node 20) refuses more than 2³² (a `Uint8Array` over more than 4 GiB, an `Int32Array` over
 * more than 16 GiB); later engines allow more.
 */
export const MAX_TYPED_LENGTH = 2 ** 32;

/**
 * Whether one typed array of `bytesPerElement`-byte elements, made now, covers all of `buffer` for
 * good: not if the buffer can grow (a `SharedArrayBuffer` made with `maxByteLength`: an array made
 * now would not reach the bytes it gains, and Node 20 cannot make a length-tracking one of a length
 * that is not a multiple of its element size), nor if it has more elements than one typed array
 * may have. Where it cannot, callers make an array over just the bytes they need. (Element indices
 * are byte offsets divided, never shifted: an offset past 2³¹ is not a 32-bit integer, and `>> 2`
 * would wrap it onto another word.)
 */
export function oneArrayCovers(buffer: ArrayBufferLike, bytesPerElement: number): boolean {
  const b = buffer as { readonly growable?: boolean; readonly resizable?: boolean };
  return b.growable !== true && b.resizable !== true && Math.floor(buffer.byteLength / bytesPerElement) <= MAX_TYPED_LENGTH;
}

/**
 * `make(bytes)`, a new buffer; where the engine refuses it (more memory than the machine or the
 * engine gives: `RangeError: Array buffer allocation failed`), a RangeError `out_of_memory`
 * naming `subject` and the size instead.
 */
export function allocate<B>(subject: string, bytes: number, make: (bytes: number) => B): B {
  try {
    return make(bytes);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw rangeError(
      'out_of_memory',
      subject,
      `could not allocate a buffer of ${bytes} bytes (${e.message})`,
      'use a smaller size, or make room: the machine or the JavaScript engine refused that much',
    );
  }
}

/** A new zeroed `SharedArrayBuffer` of `bytes` for `subject`, through {@link allocate}. */
export function newSharedBuffer(subject: string, bytes: number): SharedArrayBuffer {
  return allocate(subject, bytes, (n) => new SharedArrayBuffer(n));
}
