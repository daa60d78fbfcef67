/**
 * Synchronization primitives as members of a struct: `mutex()`, `rmutex()`, `rwlock()`,
 * `semaphore(n)`, `boundedSemaphore(n)`, `event()`, `condition()` (or `condition('lock')`, over a
 * lock member), `barrier(n)`. The lock then lives in the same memory as the data it guards and travels with it
 * to every thread. Zeroed memory is each primitive's initial state, so nothing needs initialising.
 *
 * @module
 */
import { schemaError } from '../errors.js';
import { Barrier } from '../sync/barrier.js';
import { Condition } from '../sync/condition.js';
import { Event } from '../sync/event.js';
import { Lock } from '../sync/lock.js';
import type { SharedPlace } from '../sync/memory.js';
import { RLock } from '../sync/rlock.js';
import { RwLock } from '../sync/rwlock.js';
import { BoundedSemaphore, Semaphore } from '../sync/semaphore.js';
import type { SyncObjects } from './infer.js';
import { checkFieldName } from './names.js';
import { SyncSchema, type SyncKind } from './schema.js';

/** Int32 words a synchronization member occupies: {@link SYNC_WORDS}, but 1 for a condition over a lock member. */
export function syncWords(schema: SyncSchema): number {
  return schema.sync === 'condition' && schema.lock !== null ? 1 : SYNC_KIND_TABLE[schema.sync].words;
}

function checkCount(kind: SyncKind, n: unknown, min: number, max: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw schemaError('invalid_option', kind, '', `needs a whole number from ${min} to ${max} (got ${String(n)})`);
  }
  return n;
}

/**
 * A `Lock` as a struct member (4 bytes): reading the field gives a `Lock` over those bytes.
 *
 * @example
 * ```ts
 * import { struct, mutex, u32 } from 'sharedctypes';
 * const Shared = struct({ guard: mutex(), count: u32 }); // guard @0 (4), count @4; sizeof 8
 * const s = Shared.create();
 * s.guard.withLock(() => { s.count += 1; });
 * ```
 */
export function mutex(): SyncSchema<'mutex', null> {
  return new SyncSchema('mutex', 0);
}

/**
 * An `RLock` as a struct member (12 bytes).
 *
 * @example
 * ```ts
 * import { struct, rmutex, u32 } from 'sharedctypes';
 * const S = struct({ lock: rmutex(), n: u32 });
 * const s = S.create();
 * s.lock.withLock(() => s.lock.withLock(() => { s.n += 1; })); // re-entrant
 * ```
 */
export function rmutex(): SyncSchema<'rmutex', null> {
  return new SyncSchema('rmutex', 0);
}

/**
 * An `RwLock` (readers–writer lock) as a struct member (12 bytes): reading the field gives an
 * `RwLock` over those bytes.
 *
 * @example
 * ```ts
 * import { struct, rwlock, f64 } from 'sharedctypes';
 * const Config = struct({ rw: rwlock(), rate: f64 }); // rw @0 (12), rate @16; sizeof 24
 * const c = Config.create();
 * const rate = c.rw.read.withLock(() => c.rate);       // many readers at once
 * c.rw.write.withLock(() => { c.rate = rate * 2; });  // one writer, alone
 * ```
 */
export function rwlock(): SyncSchema<'rwlock', null> {
  return new SyncSchema('rwlock', 0);
}

/**
 * A `Semaphore` with initial `value` as a struct member (4 bytes).
 *
 * @example
 * ```ts
 * import { struct, semaphore, u32 } from 'sharedctypes';
 * const Pool = struct({ slots: semaphore(4), used: u32 });
 * Pool.create().slots.value; // 4
 * ```
 */
export function semaphore(value = 1): SyncSchema<'semaphore', null> {
  return new SyncSchema('semaphore', checkCount('semaphore', value, 0, 0x3fffffff));
}

/**
 * A `BoundedSemaphore` with initial (and maximum) `value` as a struct member (4 bytes).
 *
 * @example
 * ```ts
 * import { struct, boundedSemaphore, u32 } from 'sharedctypes';
 * const Pool = struct({ slots: boundedSemaphore(2), used: u32 });
 * Pool.create().slots.acquire(); // true
 * ```
 */
export function boundedSemaphore(value = 1): SyncSchema<'boundedSemaphore', null> {
  return new SyncSchema('boundedSemaphore', checkCount('boundedSemaphore', value, 0, 0x3fffffff));
}

/**
 * An `Event` as a struct member (4 bytes).
 *
 * @example
 * ```ts
 * import { struct, event, u32 } from 'sharedctypes';
 * const Job = struct({ done: event(), result: u32 });
 * const j = Job.create();
 * j.done.set(); // a worker waiting in j.done.wait() wakes
 * ```
 */
export function event(): SyncSchema<'event', null> {
  return new SyncSchema('event', 0);
}

/**
 * A `Condition` as a struct member: with its own `RLock` (16 bytes), or, given the name of a
 * `mutex()`/`rmutex()` member of the same struct, over that lock (4 bytes: its sequence word).
 * Several conditions may share one lock member, as in Python's bounded buffer (`not_empty` and
 * `not_full` over one lock). The name is checked when the struct is made: it must name a
 * `mutex()` or `rmutex()` member of the same struct (not of a union, and the condition not inside
 * an array); otherwise a `SchemaError` names the field.
 *
 * @example
 * ```ts
 * import { struct, condition, mutex, array, u32 } from 'sharedctypes';
 * const Queue = struct({ changed: condition(), length: u32 }); // changed @0 (16), length @16
 * const q = Queue.create();
 * q.changed.withLock(() => {
 *   q.length += 1;
 *   q.changed.notifyAll();
 * });
 *
 * const Buffer = struct({
 *   lock: mutex(),                 // @0 (4)
 *   notEmpty: condition('lock'),   // @4 (4): its sequence word; the lock is `lock`
 *   notFull: condition('lock'),    // @8 (4)
 *   head: u32, tail: u32,          // @12, @16
 *   items: array(u32, 8),          // @20
 * });                              // sizeof 52
 * const b = Buffer.create();
 * b.notEmpty.lock === b.lock;      // true: one lock, two conditions
 * ```
 */
export function condition(): SyncSchema<'condition', null>;
export function condition<const L extends string>(lock: L): SyncSchema<'condition', L>;
export function condition(lock?: string): SyncSchema<'condition'> {
  if (lock === undefined) return new SyncSchema('condition', 0, null);
  if (typeof lock !== 'string')
    throw schemaError(
      'misplaced_sync',
      'condition',
      '',
      `takes the name of a lock member (got ${typeof lock})`,
      "write condition('lock') for a member lock: mutex()",
    );
  checkFieldName(lock, `condition('${lock}')`);
  return new SyncSchema('condition', 0, lock);
}

/**
 * A `Barrier` for `parties` threads as a struct member (12 bytes).
 *
 * @example
 * ```ts
 * import { struct, barrier, u32 } from 'sharedctypes';
 * const Sim = struct({ step: barrier(4), tick: u32 });
 * Sim.create().step.parties; // 4
 * ```
 */
export function barrier(parties: number): SyncSchema<'barrier', null> {
  return new SyncSchema('barrier', checkCount('barrier', parties, 1, 0xfffe));
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
  /** The schema of a member, from the parameter a JSON descriptor gives (`value`). */
  schema(value: number | undefined): SyncSchema;
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
 * its JSON schema, the object it reads as, and its kind in a handle. The order gives the numeric
 * codes generated code uses.
 */
export const SYNC_KIND_TABLE = {
  mutex: { words: 1, handle: 'lock', cls: Lock, schema: () => mutex(), make: (place) => new Lock(place), param: () => 0 },
  rmutex: { words: 3, handle: 'rlock', cls: RLock, schema: () => rmutex(), make: (place) => new RLock(place), param: () => 0 },
  semaphore: {
    words: 1,
    handle: 'semaphore',
    cls: Semaphore,
    schema: (v) => semaphore(v),
    make: (place, n) => new Semaphore(n, place),
    param: (x) => x.initial,
  },
  boundedSemaphore: {
    words: 1,
    handle: 'boundedSemaphore',
    cls: BoundedSemaphore,
    schema: (v) => boundedSemaphore(v),
    make: (place, n) => new BoundedSemaphore(n, place),
    param: (x) => x.initial,
  },
  event: { words: 1, handle: 'event', cls: Event, schema: () => event(), make: (place) => new Event(place), param: () => 0 },
  condition: {
    words: 4, // its own RLock (3 words) and a sequence word
    handle: 'condition',
    cls: Condition,
    schema: () => condition(),
    make: (place, _n, lock) =>
      lock !== undefined ? new Condition(lock, place) : new Condition(new RLock(place), { buffer: place.buffer, byteOffset: (place.byteOffset ?? 0) + 12 }),
    param: () => 0,
    lock: (x) => x.lock,
  },
  barrier: {
    words: 3,
    handle: 'barrier',
    cls: Barrier,
    schema: (v) => barrier(v as number),
    make: (place, n) => new Barrier(n, { place }),
    param: (x) => x.parties,
  },
  rwlock: { words: 3, handle: 'rwlock', cls: RwLock, schema: () => rwlock(), make: (place) => new RwLock(place), param: () => 0 },
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
