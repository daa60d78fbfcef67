/**
 * Buffers as the layers above make and cover them: a new buffer, or the typed error that says the
 * runtime could not make one that large; the typed arrays through which locks and atomics reach
 * their words (one per buffer where one can cover it); and typed arrays too long for the runtime,
 * refused with a typed error.
 *
 * @module
 */
import { rangeError, typeError } from '../errors.js';
import { cached } from '../memo.js';

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

/** A typed array class, as {@link elementsAt} and {@link typedArrayOver} take one. */
export interface ArrayClass<A> {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): A;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/** Per buffer, per class: the one typed array over all of the buffer (see {@link elementsAt}). */
const wholes = new WeakMap<ArrayBufferLike, Map<unknown, unknown>>();

/**
 * `count` elements of class `T` from byte `byteOffset` of `buffer` (a multiple of the element
 * size), as an array and the index of the first of them in it: the one array of `T` over all of
 * the buffer (made once per buffer and class, shared by every object in it), or, where one cannot
 * cover the buffer for good ({@link oneArrayCovers}), an array of just these elements.
 */
export function elementsAt<A>(T: ArrayClass<A>, buffer: ArrayBufferLike, byteOffset: number, count: number): { a: A; i: number } {
  const size = T.BYTES_PER_ELEMENT;
  if (!oneArrayCovers(buffer, size)) return { a: new T(buffer, byteOffset, count), i: 0 };
  const byClass = cached(wholes, buffer, () => new Map<unknown, unknown>());
  const a = cached(byClass, T, () => new T(buffer, 0, Math.floor(buffer.byteLength / size))) as A;
  return { a, i: byteOffset / size };
}

/**
 * `new T(buffer, byteOffset, length)`; where this runtime's typed arrays cannot be that long (Node
 * 20: 2³² elements), a RangeError `out_of_range` naming `subject`, with `fix`.
 */
export function typedArrayOver<A>(T: ArrayClass<A>, buffer: ArrayBufferLike, byteOffset: number, length: number, subject: string, fix: string): A {
  try {
    return new T(buffer, byteOffset, length);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    if (byteOffset + length * T.BYTES_PER_ELEMENT > buffer.byteLength) {
      throw rangeError(
        'out_of_bounds',
        subject,
        `its ${length * T.BYTES_PER_ELEMENT} bytes at ${byteOffset} are past the end of its buffer (${buffer.byteLength} bytes: shrunk or detached)`,
      );
    }
    const what = T.BYTES_PER_ELEMENT === 1 ? 'bytes' : `${T.name} elements`;
    throw rangeError('out_of_range', subject, `its ${length} ${what} are more than one ${T.name} holds on this runtime (Node 20: 2^32 elements)`, fix);
  }
}

/**
 * What to throw for `e`, thrown while allocating `bytes` for `subject`: the `out_of_memory` error
 * for the engine's refusal (a RangeError), `e` itself for anything else. For callers that build
 * `subject` only when it is needed (a hot path: see `createOfSchema`), and for
 * {@link newSharedBuffer}.
 */
export function allocationError(e: unknown, subject: string, bytes: number): unknown {
  if (!(e instanceof RangeError)) return e;
  return rangeError(
    'out_of_memory',
    subject,
    `could not allocate a buffer of ${bytes} bytes (${e.message})`,
    'use a smaller size, or make room: the machine or the JavaScript engine refused that much',
  );
}

/**
 * Throws a TypeError `not_shared` naming `subject` where there is no `SharedArrayBuffer` (a page
 * that is not cross-origin isolated), instead of the engine's ReferenceError.
 */
export function checkShared(subject: string): void {
  if (typeof SharedArrayBuffer !== 'function') {
    throw typeError(
      'not_shared',
      subject,
      'needs a SharedArrayBuffer, and this context has none',
      'serve the page cross-origin isolated (COOP and COEP headers); in a plain page, create() and view() over an ArrayBuffer work within one thread',
    );
  }
}

/**
 * A new zeroed `SharedArrayBuffer` of `bytes`; where the engine refuses it (more memory than the
 * machine or the engine gives: `RangeError: Array buffer allocation failed`), a RangeError
 * `out_of_memory` naming `subject` and the size instead. Where there is no `SharedArrayBuffer` at
 * all (a page that is not cross-origin isolated), a TypeError `not_shared` that says so.
 */
export function newSharedBuffer(subject: string, bytes: number): SharedArrayBuffer {
  checkShared(subject);
  try {
    return new SharedArrayBuffer(bytes);
  } catch (e) {
    throw allocationError(e, subject, bytes);
  }
}
