/**
 * The memory a `{ memory, byteOffset }` placement option names (Values, arrays, channels): a
 * `SharedMemory`, its `buf`, or a SharedArrayBuffer.
 *
 * @module
 */
import { typeError } from '../errors.js';
import { isSharedMemory } from './backend.js';
import { memoryOf } from './open-segments.js';

/** The buffer of `memory`, or a `not_shared` TypeError for anything else (`why`: why it must be shared). */
export function placementMemory(what: string, memory: unknown, why: string): ArrayBufferLike {
  const buffer = memoryOf(memory) ?? memory;
  if (!isSharedMemory(buffer)) throw typeError('not_shared', what, 'memory must be a SharedMemory (or its buf) or a SharedArrayBuffer', why);
  return buffer;
}
