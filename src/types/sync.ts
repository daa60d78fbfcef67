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

/** Int32 words each primitive occupies (its size is 4 × words, its alignment 4). */
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

/** An `RLock` as a struct member (12 bytes). */
export function rmutex(): SyncSchema<'rmutex'> {
  return new SyncSchema('rmutex', 0);
}

/** A `Semaphore` with initial `value` as a struct member (4 bytes). */
export function semaphore(value = 1): SyncSchema<'semaphore'> {
  return new SyncSchema('semaphore', checkCount('semaphore', value, 0, 0x3fffffff));
}

/** A `BoundedSemaphore` with initial (and maximum) `value` as a struct member (4 bytes). */
export function boundedSemaphore(value = 1): SyncSchema<'boundedSemaphore'> {
  return new SyncSchema('boundedSemaphore', checkCount('boundedSemaphore', value, 0, 0x3fffffff));
}

/** An `Event` as a struct member (4 bytes). */
export function event(): SyncSchema<'event'> {
  return new SyncSchema('event', 0);
}

/** A `Condition` with its own `RLock` as a struct member (16 bytes). */
export function condition(): SyncSchema<'condition'> {
  return new SyncSchema('condition', 0);
}

/** A `Barrier` for `parties` threads as a struct member (12 bytes). */
export function barrier(parties: number): SyncSchema<'barrier'> {
  return new SyncSchema('barrier', checkCount('barrier', parties, 1, 0xfffe));
}
