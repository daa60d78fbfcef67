/**
 * Synchronization primitives as members of a struct: `mutex()`, `rmutex()`, `rwlock()`,
 * `semaphore(n)`, `boundedSemaphore(n)`, `event()`, `condition()` (or `condition('lock')`, over a
 * lock member), `barrier(n)`. The lock then lives in the same memory as the data it guards and travels with it
 * to every thread. Zeroed memory is each primitive's initial state, so nothing needs initialising.
 *
 * @module
 */
import { schemaError } from '../errors.js';
import { checkFieldName } from '../kinds/names.js';
import { SyncSchema, type SyncKind } from './schema.js';

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

/**
 * Each kind of member in a JSON descriptor: whether it takes a `value` (a semaphore's initial
 * value, a barrier's parties), which `toJSON` then always writes, and its schema from that value,
 * through the constructors above and their checks. A condition over a lock member is built apart
 * (it names the lock).
 */
export const SYNC_SCHEMAS = {
  mutex: { takesValue: false, make: () => mutex() },
  rmutex: { takesValue: false, make: () => rmutex() },
  semaphore: { takesValue: true, make: (v) => semaphore(v) },
  boundedSemaphore: { takesValue: true, make: (v) => boundedSemaphore(v) },
  event: { takesValue: false, make: () => event() },
  condition: { takesValue: false, make: () => condition() },
  barrier: { takesValue: true, make: (v) => barrier(v as number) },
  rwlock: { takesValue: false, make: () => rwlock() },
} as const satisfies { readonly [K in SyncKind]: { readonly takesValue: boolean; make(value: number | undefined): SyncSchema<K> } };
