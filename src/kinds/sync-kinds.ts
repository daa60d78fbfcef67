/**
 * The kinds of synchronization member (`mutex()`, `rmutex()`, `rwlock()`, `semaphore(n)`,
 * `boundedSemaphore(n)`, `event()`, `condition()`, `barrier(n)`): one table, checked complete by the
 * compiler, of what every layer needs to know of each — its size in Int32 words, the object it reads
 * as and its kind in a `share()` handle. The schema constructors are in src/types/sync.ts.
 *
 * @module
 */
import { Barrier } from '../sync/barrier.js';
import { Condition } from '../sync/condition.js';
import { Event } from '../sync/event.js';
import { Lock } from '../sync/lock.js';
import type { SharedPlace } from '../sync/memory.js';
import { RLock } from '../sync/rlock.js';
import { RwLock } from '../sync/rwlock.js';
import { BoundedSemaphore, Semaphore } from '../sync/semaphore.js';
import type { SyncObjects } from '../types/infer.js';
import type { SyncKind, SyncSchema } from '../types/schema.js';

/** Int32 words a synchronization member occupies: {@link SYNC_WORDS}, but 1 for a condition over a lock member. */
export function syncWords(schema: SyncSchema): number {
  return schema.sync === 'condition' && schema.lock !== null ? 1 : SYNC_KIND_TABLE[schema.sync].words;
}

/** The objects synchronization members read as. */
type SyncObject = SyncObjects[SyncKind];

/** What the library knows about one kind of synchronization member. */
export interface SyncKindInfo<O extends SyncObject = SyncObject> {
  /** Int32 words it occupies (a condition over a lock member: 1, see {@link syncWords}). */
  readonly words: number;
  /** Its kind in a `share()` handle. */
  readonly handle: string;
  /** The class its objects are made of (`share()` recognises them by it). */
  readonly cls: abstract new (
    ...args: never[]
  ) => O;
  /**
   * The object over the words at `place`, with `param` (a semaphore's initial value, a barrier's
   * parties). A condition takes its lock: given, `place` is its sequence word; absent, `place` is
   * the member's own RLock (three words) followed by the sequence word.
   */
  make(place: SharedPlace, param: number, lock?: Lock | RLock): O;
  /** What a handle records of an object besides its place (its `param`). */
  param(x: O): number;
  /** A condition's lock, which its handle carries as a handle of its own. */
  lock?(x: O): Lock | RLock;
}

/**
 * Every kind of synchronization member, in one table checked complete by the compiler: its size,
 * the object it reads as, and its kind in a handle. The order gives the numeric
 * codes generated code uses.
 */
export const SYNC_KIND_TABLE = {
  mutex: { words: 1, handle: 'lock', cls: Lock, make: (place) => new Lock(place), param: () => 0 },
  rmutex: { words: 3, handle: 'rlock', cls: RLock, make: (place) => new RLock(place), param: () => 0 },
  semaphore: {
    words: 1,
    handle: 'semaphore',
    cls: Semaphore,
    make: (place, n) => new Semaphore(n, place),
    param: (x) => x.initial,
  },
  boundedSemaphore: {
    words: 1,
    handle: 'boundedSemaphore',
    cls: BoundedSemaphore,
    make: (place, n) => new BoundedSemaphore(n, place),
    param: (x) => x.initial,
  },
  event: { words: 1, handle: 'event', cls: Event, make: (place) => new Event(place), param: () => 0 },
  condition: {
    words: 4, // its own RLock (3 words) and a sequence word
    handle: 'condition',
    cls: Condition,
    make: (place, _n, lock) =>
      lock !== undefined ? new Condition(lock, place) : new Condition(new RLock(place), { buffer: place.buffer, byteOffset: (place.byteOffset ?? 0) + 12 }),
    param: () => 0,
    lock: (x) => x.lock,
  },
  barrier: {
    words: 3,
    handle: 'barrier',
    cls: Barrier,
    make: (place, n) => new Barrier(n, { place }),
    param: (x) => x.parties,
  },
  rwlock: { words: 3, handle: 'rwlock', cls: RwLock, make: (place) => new RwLock(place), param: () => 0 },
} as const satisfies { readonly [K in SyncKind]: SyncKindInfo<SyncObjects[K]> };

/**
 * Int32 words each primitive occupies (its size is 4 × words, its alignment 4). A condition over a
 * lock member, `condition('lock')`, takes only its sequence word: 1.
 *
 * @example
 * ```ts
 * import { SYNC_WORDS, sizeof, condition } from 'sharedctypes';
 * sizeof(condition()) === SYNC_WORDS.condition * 4; // true: 16 bytes
 * sizeof(condition('lock')); // 4: the lock is another member
 * ```
 */
export const SYNC_WORDS = Object.freeze(Object.fromEntries(Object.entries(SYNC_KIND_TABLE).map(([k, info]) => [k, info.words]))) as {
  readonly [K in SyncKind]: (typeof SYNC_KIND_TABLE)[K]['words'];
};

/** The sync kinds, in the table's order. */
export const SYNC_KINDS = Object.keys(SYNC_KIND_TABLE) as readonly SyncKind[];

/** The kinds ordered so that a subclass comes before its superclass (`BoundedSemaphore` before `Semaphore`), for `instanceof` tests. */
export const SYNC_KINDS_BY_CLASS: readonly SyncKind[] = [...SYNC_KINDS].sort((a, b) => {
  const ca = SYNC_KIND_TABLE[a].cls.prototype;
  const cb = SYNC_KIND_TABLE[b].cls.prototype;
  return ca instanceof SYNC_KIND_TABLE[b].cls ? -1 : cb instanceof SYNC_KIND_TABLE[a].cls ? 1 : 0;
});

/** The kinds of sync objects in a handle (`'lock'` for a mutex …). */
export type SyncHandleKind = (typeof SYNC_KIND_TABLE)[SyncKind]['handle'];

/** The sync kind of each handle kind. */
export const SYNC_KIND_OF_HANDLE: ReadonlyMap<string, SyncKind> = new Map(SYNC_KINDS.map((k) => [SYNC_KIND_TABLE[k].handle, k]));

/** The kind of a synchronization object made by this library, or `undefined`. */
export function syncKindOf(x: unknown): SyncKind | undefined {
  return SYNC_KINDS_BY_CLASS.find((k) => x instanceof SYNC_KIND_TABLE[k].cls);
}
