/// <reference lib="esnext.disposable" />
/**
 * Where a synchronization object's Int32 words live: a place in shared memory (a
 * SharedArrayBuffer, or the memory of a `SharedMemory` segment), checked, or a fresh buffer of its
 * own.
 *
 * @module
 */
import { rangeError, typeError } from '../errors.js';
import { checkOptions } from '../options.js';
import { isSharedMemory } from '../memory/backend.js';
import { elementsAt, newSharedBuffer } from '../memory/buffers.js';

/**
 * A place in shared memory: a buffer and a byte offset (a multiple of 4). The buffer is a
 * SharedArrayBuffer, or the `buf` of a `SharedMemory` segment (an ArrayBuffer over shared memory;
 * any other ArrayBuffer is refused with a `TypeError`).
 */
export interface SharedPlace {
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  readonly byteOffset?: number;
}

const PLACE_KEYS = Object.keys({ buffer: true, byteOffset: true } satisfies Record<keyof SharedPlace, true>);

/**
 * Resolves a place (or allocates one) for `words` Int32 words; returns an array and the index of
 * the first word in it. The place's byte offset is `a.byteOffset + i * 4` (the array need not
 * start at the buffer's first byte).
 */
export function wordsAt(what: string, words: number, place: SharedPlace | undefined): { a: Int32Array; i: number } {
  if (place === undefined) return { a: new Int32Array(newSharedBuffer(what, words * 4)), i: 0 };
  checkOptions(what, place, PLACE_KEYS);
  const { buffer, byteOffset = 0 } = place;
  if (!isSharedMemory(buffer)) {
    throw typeError('not_shared', what, 'needs a SharedArrayBuffer or the memory of a SharedMemory segment (locks live in shared memory)');
  }
  if (!Number.isInteger(byteOffset) || byteOffset < 0)
    throw rangeError(
      'invalid_argument',
      what,
      `byteOffset ${typeof byteOffset === 'number' ? byteOffset : `of type ${typeof byteOffset}`} is not a whole number ≥ 0`,
    );
  if (byteOffset % 4 !== 0) throw rangeError('misaligned', what, `byteOffset ${String(byteOffset)} is not a multiple of 4`, 'place it at a 4-byte boundary');
  if (byteOffset + words * 4 > buffer.byteLength) {
    throw rangeError('out_of_bounds', what, `needs ${words * 4} bytes at byteOffset ${byteOffset}, but the buffer has ${buffer.byteLength} bytes`);
  }
  return elementsAt(Int32Array, buffer, byteOffset, words);
}

/** `Symbol.dispose`, or its registered stand-in on engines that lack it. */
export const disposeSymbol: typeof Symbol.dispose =
  (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);
