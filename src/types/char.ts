/**
 * `char(N)`: fixed-size byte strings.
 *
 * @module
 */
import { checkLength } from '../kinds/limits.js';
import { CharSchema } from './schema.js';

/**
 * C `char[N]`: N bytes holding UTF-8 text. Reads as a string up to the first NUL (like ctypes
 * `.value`); writing a string longer than N bytes is a `RangeError`, never a silent cut; the bytes
 * after the text are zeroed.
 *
 * @example
 * ```ts
 * import { struct, char, u32 } from 'sharedctypes';
 * const User = struct({ id: u32, name: char(12) }); // id @0 (4), name @4 (12); size 16
 * const u = User.create({ id: 1, name: 'ada' });
 * u.name; // 'ada'
 * ```
 */
export function char<N extends number>(length: N): CharSchema<N> {
  checkLength(length, `char(${String(length)})`);
  return new CharSchema(length);
}
