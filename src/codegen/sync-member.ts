/**
 * What a synchronization member reads as: the `Lock` (`RLock`, `Semaphore`, …) over its words.
 * Reading one is cheap and, in the steady state, allocates nothing: each thread keeps the objects it
 * made per buffer object and byte offset, so `s.guard === s.guard`, and `s.guard.withLock(fn)` in a
 * hot loop is two map lookups away from the lock itself. (Keyed by the buffer's DataView, of which
 * there is one per buffer object and thread: see views/region.ts.)
 *
 * The cache is bounded: each buffer object keeps the objects of the last {@link CACHE_LIMIT}
 * distinct members read (about 100 bytes each); reading more than that starts the cache over, so a
 * sweep over a million locks costs what it did without a cache (an object per read) and keeps
 * nothing alive. Objects are per buffer *object*: the same memory reached through two
 * SharedArrayBuffer objects gives two objects over the same words, which behave as one lock.
 *
 * @module
 */
import { internalError, typeError } from '../errors.js';
import { isSharedMemory } from '../memory/backend.js';
import type { Lock } from '../sync/lock.js';
import type { RLock } from '../sync/rlock.js';
import { SYNC_KIND_TABLE, SYNC_KINDS, type SyncKindInfo } from '../kinds/sync-kinds.js';

/** Synchronization member kinds, by the code (their index here) that access plans and generated code use for them. */
export { SYNC_KINDS };

/** Distinct members cached per buffer object before the cache starts over. */
export const CACHE_LIMIT = 4096;

/** A cached object and what it was made as (a union may hold members of different kinds at one offset). */
class Entry {
  constructor(
    readonly obj: unknown,
    readonly shape: number,
    readonly lockAt: number,
  ) {}
}

const members = new WeakMap<DataView, Map<number, Entry>>();

/** The cache of `d`'s buffer, created on first use; a plain ArrayBuffer (not a segment's) is refused here, once. */
function cacheOf(d: DataView, code: number): Map<number, Entry> {
  const buffer = d.buffer;
  if (!isSharedMemory(buffer)) {
    throw typeError(
      'not_shared',
      SYNC_KINDS[code] ?? 'sync',
      'lives in a plain ArrayBuffer; locks need a SharedArrayBuffer or the memory of a SharedMemory segment',
      'create the view over a SharedArrayBuffer (create() does) or over a SharedMemory',
    );
  }
  const byOffset = new Map<number, Entry>();
  members.set(d, byOffset);
  return byOffset;
}

/**
 * The synchronization object of kind `code` (with `param`: a semaphore's initial value, a
 * barrier's parties) over the words at byte `o` of `d`'s buffer. For a condition over a lock
 * member, `lockCode` is the lock's kind and `lockAt` its offset relative to `o`; `lockCode` is -1
 * otherwise.
 */
export function syncMember(code: number, param: number, lockCode: number, lockAt: number, d: DataView, o: number): unknown {
  const shape = code + (lockCode + 1) * 8 + param * 64; // param < 2^31: exact in a double
  const hit = members.get(d)?.get(o);
  if (hit !== undefined && hit.shape === shape && hit.lockAt === lockAt) return hit.obj;
  return miss(code, param, lockCode, lockAt, d, o, shape);
}

/** The first read of a member (or one after the cache started over): makes and caches its object. */
function miss(code: number, param: number, lockCode: number, lockAt: number, d: DataView, o: number, shape: number): unknown {
  const byOffset = members.get(d) ?? cacheOf(d, code);
  const obj = make(code, param, lockCode, lockAt, d, o);
  if (byOffset.size >= CACHE_LIMIT) byOffset.clear();
  byOffset.set(o, new Entry(obj, shape, lockAt));
  return obj;
}

function make(code: number, param: number, lockCode: number, lockAt: number, d: DataView, o: number): unknown {
  const kind = SYNC_KINDS[code];
  if (kind === undefined) throw internalError(`unknown synchronization member code ${code}`);
  const place = { buffer: d.buffer as SharedArrayBuffer, byteOffset: o };
  // A condition over a lock member: over the object that member reads as (the same one).
  const lock = lockCode >= 0 ? (syncMember(lockCode, 0, -1, 0, d, o + lockAt) as Lock | RLock) : undefined;
  const info: SyncKindInfo = SYNC_KIND_TABLE[kind];
  return info.make(place, param, lock);
}
