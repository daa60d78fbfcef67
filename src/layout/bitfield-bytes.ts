/**
 * What storing all ones into a bitfield does to the bytes of a zeroed record: the library's bit
 * position written as bytes, which the emitted C and Python compare with what their compiler or
 * ctypes does. It does not depend on how either numbers bits.
 *
 * @module
 */
import type { Endian } from '../types/schema.js';
import type { BitLayout } from './types.js';

/** The bytes a bitfield occupies: from byte `first`, `mask[i]` is byte `first + i` with the field all ones. */
export interface BitfieldBytes {
  readonly first: number;
  readonly mask: readonly number[];
}

/**
 * The bytes of a bitfield at `bits.bitOffset` (from the start of its record) in a record of byte
 * order `endian`: little-endian records count bits from the least significant bit of each byte,
 * big-endian ones from the most significant (see {@link BitLayout}).
 */
export function bitfieldBytes(bits: BitLayout, endian: Endian): BitfieldBytes {
  const first = Math.floor(bits.bitOffset / 8);
  const end = bits.bitOffset + bits.width;
  const mask: number[] = new Array(Math.ceil(end / 8) - first).fill(0);
  for (let k = bits.bitOffset; k < end; k++) {
    const i = (k >> 3) - first;
    mask[i] = (mask[i] as number) | (endian === 'big' ? 0x80 >> (k & 7) : 1 << (k & 7));
  }
  return { first, mask };
}

/** The largest value of an unsigned bitfield of `width` bits (all ones), as a hexadecimal string without prefix. */
export function allOnesHex(width: number): string {
  return ((1n << BigInt(width)) - 1n).toString(16);
}
