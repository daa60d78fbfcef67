/**
 * Synchronization primitives as members of a struct: `mutex()`, `rmutex()`, `semaphore(n)`,
 * `boundedSemaphore(n)`, `event()`, `condition()`, `barrier(n)`. The lock then lives in the same
 * memory as the data it guards and travels with it to every thread. Zeroed memory is each
 * primitive's initial state, so nothing needs initialising.
 *
 * @module
 */
import { schemaError } from '../errors.js';
import { SyncSchema, type SyncKind } from './schema.js';

/**
 * Int32 words each primitive occupies (its size is 4 × words, its alignment 4).
 *
 * @example
 * ```ts
 * import { SYNC_WORDS, sizeof, condition } from 'sharedctypes';
 * sizeof(condition()) === SYNC_WORDS.condition * 4; // true: 16 bytes
 * ```
 */
export const SYNC_WORDS = {
  mutex: 1,
  rmutex: 3,
  semaphore: 1,
  boundedSemaphore: 1,
  event: 1,
  condition: 4, // its own RLock (3 words) and a sequence word
  barrier: 3,
} as const satisfies Record<SyncKind, number>;

function checkCount(kind: SyncKind, n: unknown, min: number, max: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw schemaError(kind, '', `needs a whole number from ${min} to ${max} (got ${String(n)})`);
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
export function mutex(): SyncSchema<'mutex'> {
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
export function rmutex(): SyncSchema<'rmutex'> {
  return new SyncSchema('rmutex', 0);
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
export function semaphore(value = 1): SyncSchema<'semaphore'> {
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
export function boundedSemaphore(value = 1): SyncSchema<'boundedSemaphore'> {
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
export function event(): SyncSchema<'event'> {
  return new SyncSchema('event', 0);
}

/**
 * A `Condition` with its own `RLock` as a struct member (16 bytes).
 *
 * @example
 * ```ts
 * import { struct, condition, u32 } from 'sharedctypes';
 * const Queue = struct({ changed: condition(), length: u32 });
 * const q = Queue.create();
 * q.changed.withLock(() => {
 *   q.length += 1;
 *   q.changed.notifyAll();
 * });
 * ```
 */
export function condition(): SyncSchema<'condition'> {
  return new SyncSchema('condition', 0);
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
export function barrier(parties: number): SyncSchema<'barrier'> {
  return new SyncSchema('barrier', checkCount('barrier', parties, 1, 0xfffe));
}
