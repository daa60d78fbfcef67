/**
 * The error catalog. Every error the library throws is built here, so that each message names the
 * type, the field path, the rule that was broken and the fix.
 *
 * @module
 */

/**
 * Thrown when a schema is invalid: it would have no C layout, or a different one than you meant.
 *
 * @example
 * ```ts
 * import { struct, bits, u8, SchemaError } from 'sharedctypes';
 * try {
 *   struct({ id: bits(u8, 9) }, { name: 'Flags' });
 * } catch (e) {
 *   e instanceof SchemaError; // true
 *   // "struct Flags: field 'id' (u8) has bits: 9, more than its 8-bit type holds; use a wider type or fewer bits"
 * }
 * ```
 */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  /** The field path inside the schema where the problem is (`''` for the schema itself). */
  readonly path: string;
  constructor(message: string, path = '') {
    super(message);
    this.path = path;
  }
}

/** Describes where in a schema an error happened: `struct Particle: field 'pos.x'`. */
export function where(typeLabel: string, path: string): string {
  return path === '' ? typeLabel : `${typeLabel}: field '${path}'`;
}

/** Builds a {@link SchemaError} with the standard `<where>: <problem>; <fix>` shape. */
export function schemaError(typeLabel: string, path: string, problem: string, fix?: string): SchemaError {
  return new SchemaError(`${where(typeLabel, path)} ${problem}${fix === undefined ? '' : `; ${fix}`}`, path);
}

/** A `RangeError` for a region, an index or a value that does not fit. */
export function rangeError(subject: string, problem: string, fix?: string): RangeError {
  return new RangeError(`${subject}: ${problem}${fix === undefined ? '' : `; ${fix}`}`);
}

/** A `TypeError` for a value of the wrong kind. */
export function typeError(subject: string, problem: string, fix?: string): TypeError {
  return new TypeError(`${subject}: ${problem}${fix === undefined ? '' : `; ${fix}`}`);
}

/** For exhaustive switches: a compile error when a case is missing, a clear error if reached. */
export function assertNever(value: never, what: string): never {
  throw new TypeError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/**
 * Misuse of a lock or condition, like Python's `RuntimeError` from `threading`: releasing a lock
 * that is not held, or waiting on a condition without holding its lock.
 *
 * @example
 * ```ts
 * import { Lock, SyncError } from 'sharedctypes';
 * try {
 *   new Lock().release();
 * } catch (e) {
 *   e instanceof SyncError; // true: "Lock.release(): the lock is not held"
 * }
 * ```
 */
export class SyncError extends Error {
  override readonly name = 'SyncError';
}

/**
 * A `Barrier` was broken (aborted, reset, timed out, or its action threw), as in Python.
 *
 * @example
 * ```ts
 * import { Barrier, BrokenBarrierError } from 'sharedctypes';
 * const b = new Barrier(2);
 * try {
 *   b.wait(10); // nobody else comes: times out and breaks the barrier
 * } catch (e) {
 *   e instanceof BrokenBarrierError; // true
 * }
 * ```
 */
export class BrokenBarrierError extends Error {
  override readonly name = 'BrokenBarrierError';
}

/**
 * Two threads disagree about a layout: a handle made from one schema was attached with another.
 * The message names both fingerprints and describes both layouts.
 *
 * @example
 * ```ts
 * import { attach, LayoutMismatchError, share, struct, u16, u32 } from 'sharedctypes';
 * const h = share(struct({ id: u32 }).create());
 * try {
 *   attach(h, struct({ id: u16 }));
 * } catch (e) {
 *   e instanceof LayoutMismatchError; // true, with both layouts in the message
 * }
 * ```
 */
export class LayoutMismatchError extends Error {
  override readonly name = 'LayoutMismatchError';
}
