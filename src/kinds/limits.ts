/**
 * The limits every schema is held to, whoever builds it (the DSL, `fromJSON`, `fromC`): they bound
 * the work a descriptor from another thread or a file can cause.
 *
 * @module
 */
import { schemaError, shownNumber } from '../errors.js';

/**
 * How deep schemas may nest (an array of structs of arrays… counts one level per array, struct or
 * union), counted through named types that refer to others: generated code and every walk over a
 * layout recurse this deep at most.
 */
export const MAX_DEPTH = 64;

/** The largest explicit alignment accepted by `align`. */
export const MAX_ALIGN = 65536;

/**
 * The most members a struct or union may have: generated accessors grow with the member count, so a
 * descriptor from another thread or a file cannot make a thread compile an unbounded class.
 */
export const MAX_FIELDS = 65535;

/** The largest element count of a `char(N)` or an `array(T, N)`. */
export const MAX_LENGTH = 0x7fff_ffff;

/** Checks an array or string length: a whole number from 1 to {@link MAX_LENGTH}. */
export function checkLength(length: unknown, typeLabel: string): asserts length is number {
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > MAX_LENGTH) {
    throw schemaError('invalid_length', typeLabel, '', `has length ${shownNumber(length)}`, `use a whole number from 1 to ${MAX_LENGTH}`);
  }
}
