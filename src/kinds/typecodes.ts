/**
 * Python's typecodes (`'i'`, `'d'`, … as in `array`, `struct` and `multiprocessing.Value`) and the
 * type each stands for, by name. The schema objects themselves are `TYPECODES` (src/types).
 *
 * @module
 */
import type { Typecode } from '../types/schema.js';
import type { PrimitiveName } from './primitives.js';

/** The type each typecode stands for, with Linux x86-64 (LP64) sizes: a primitive, or `'char'` for `char(1)`. */
export const TYPECODE_TYPES = {
  b: 'i8',
  B: 'u8',
  h: 'i16',
  H: 'u16',
  i: 'i32',
  I: 'u32',
  l: 'i64',
  L: 'u64',
  q: 'i64',
  Q: 'u64',
  f: 'f32',
  d: 'f64',
  c: 'char',
  '?': 'bool',
} as const satisfies { readonly [C in Typecode]: PrimitiveName | 'char' };

/** Whether `value` is one of the typecodes. */
export function isTypecode(value: unknown): value is Typecode {
  return typeof value === 'string' && Object.hasOwn(TYPECODE_TYPES, value);
}
