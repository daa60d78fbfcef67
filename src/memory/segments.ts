/**
 * Segments named in handles: what `share()` writes for memory of a `SharedMemory` segment (its
 * name and identity, instead of a `SharedArrayBuffer`, which a segment's memory is not and which
 * could not leave the process anyway), and how `attach()` finds that memory again in any thread
 * of any process.
 *
 * @module
 */
import { SharedMemoryError, typeError } from '../errors.js';
import { mappingOf } from './backend.js';
import { openMapping } from './open-segments.js';
import { SharedMemory } from './shared-memory.js';

/**
 * A segment as a handle names it: plain data (JSON, structured clone), valid in any process.
 *
 * @example
 * ```ts
 * import { SharedMemory, share, struct, u32 } from 'sharedctypes';
 * const shm = new SharedMemory({ name: 'segment-ref-demo', create: true, size: 64 });
 * const h = share(struct({ n: u32 }).view(shm.buf, 8));
 * h.segment; // { name: 'segment-ref-demo', identity: '23:1042' } (st_dev:st_ino; yours will differ)
 * shm.close();
 * shm.unlink();
 * ```
 */
export interface SegmentRef {
  /** The segment's name, as `new SharedMemory(name)` takes it. */
  readonly name: string;
  /**
   * Which segment: `st_dev:st_ino` of the POSIX shm object. A name can be unlinked and given to a
   * new segment; `attach` refuses a handle whose segment is gone, instead of using the new one.
   */
  readonly identity: string;
}

const IDENTITY = /^[0-9]{1,20}:[0-9]{1,20}$/;

/** The segment behind `buffer`, when it is the memory of a `SharedMemory`. */
export function segmentOf(buffer: ArrayBufferLike): SegmentRef | undefined {
  const m = mappingOf(buffer);
  return m === undefined ? undefined : { name: m.name, identity: m.identity };
}

/** Whether `x` is a well-formed {@link SegmentRef} (from another process: hostile until checked). */
export function isSegmentRef(x: unknown): x is SegmentRef {
  const r = x as Partial<SegmentRef> | null;
  return r !== null && typeof r === 'object' && typeof r.name === 'string' && typeof r.identity === 'string' && IDENTITY.test(r.identity);
}

/**
 * The memory of the segment `ref` in this thread: the mapping this thread has open already (made by
 * `new SharedMemory(…)` or an earlier attach), or a new one, which stays mapped while anything
 * over it is reachable (it is unmapped when its buffer is garbage collected). Throws
 * `segment_not_found` when no segment has the name, or when the segment of that name is not the
 * one `ref` was made for (unlinked, and a new one created under its name).
 */
export function segmentMemory(ref: SegmentRef, what: string): ArrayBuffer {
  if (!isSegmentRef(ref)) throw typeError('invalid_argument', what, 'the handle names no valid segment (name and identity)');
  const open = openMapping(ref.identity);
  if (open !== undefined) return open;
  const shm = new SharedMemory(ref.name);
  const buffer = shm.buf;
  if (mappingOf(buffer)?.identity !== ref.identity) {
    shm.close();
    throw new SharedMemoryError(
      `${what}: the segment '${ref.name}' the handle was made for is gone (it was unlinked, and the segment of that name now is another one)`,
      'segment_not_found',
    );
  }
  return buffer;
}
