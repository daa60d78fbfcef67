/**
 * The primitive C types: their names, sizes, alignments and JS value types.
 *
 * @module
 */

/** Names of the primitive types, as they appear in schemas and in the JSON descriptor. */
export type PrimitiveName = 'bool' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'f16' | 'f32' | 'f64';

/** Names of the integer primitives (the ones that may be bitfields, together with `bool`). */
export type IntegerName = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64';

/** The JS type a primitive reads as. */
export interface PrimitiveValues {
  bool: boolean;
  i8: number;
  u8: number;
  i16: number;
  u16: number;
  i32: number;
  u32: number;
  i64: bigint;
  u64: bigint;
  f16: number;
  f32: number;
  f64: number;
}

/** The JS types a primitive accepts on write (64-bit integers also take safe-integer numbers). */
export interface PrimitiveInputs {
  bool: boolean;
  i8: number;
  u8: number;
  i16: number;
  u16: number;
  i32: number;
  u32: number;
  i64: bigint | number;
  u64: bigint | number;
  f16: number;
  f32: number;
  f64: number;
}

/** Facts about one primitive type. */
export interface PrimitiveInfo {
  /** Size in bytes (also its natural alignment on every supported ABI). */
  readonly size: 1 | 2 | 4 | 8;
  /** `int` for integers, `float` for IEEE floats, `bool` for `_Bool`. */
  readonly family: 'int' | 'float' | 'bool';
  /** Whether an integer is signed. */
  readonly signed: boolean;
  /** The C spelling (`<stdint.h>` names). */
  readonly c: string;
  /** The Python ctypes spelling (`f16`: `c_uint16`, ctypes has no half-precision float). */
  readonly ctypes: string;
}

/** The primitive table: one row per type, checked exhaustive by the compiler. */
export const PRIMITIVES = {
  bool: { size: 1, family: 'bool', signed: false, c: '_Bool', ctypes: 'c_bool' },
  i8: { size: 1, family: 'int', signed: true, c: 'int8_t', ctypes: 'c_int8' },
  u8: { size: 1, family: 'int', signed: false, c: 'uint8_t', ctypes: 'c_uint8' },
  i16: { size: 2, family: 'int', signed: true, c: 'int16_t', ctypes: 'c_int16' },
  u16: { size: 2, family: 'int', signed: false, c: 'uint16_t', ctypes: 'c_uint16' },
  i32: { size: 4, family: 'int', signed: true, c: 'int32_t', ctypes: 'c_int32' },
  u32: { size: 4, family: 'int', signed: false, c: 'uint32_t', ctypes: 'c_uint32' },
  i64: { size: 8, family: 'int', signed: true, c: 'int64_t', ctypes: 'c_int64' },
  u64: { size: 8, family: 'int', signed: false, c: 'uint64_t', ctypes: 'c_uint64' },
  f16: { size: 2, family: 'float', signed: true, c: '_Float16', ctypes: 'c_uint16' },
  f32: { size: 4, family: 'float', signed: true, c: 'float', ctypes: 'c_float' },
  f64: { size: 8, family: 'float', signed: true, c: 'double', ctypes: 'c_double' },
} as const satisfies Record<PrimitiveName, PrimitiveInfo>;

/** Whether `name` is one of the primitive type names. */
export function isPrimitiveName(name: unknown): name is PrimitiveName {
  return typeof name === 'string' && Object.hasOwn(PRIMITIVES, name);
}

/** Whether a primitive may be the declared type of a bitfield. */
export function isBitfieldCapable(name: PrimitiveName): name is IntegerName | 'bool' {
  return PRIMITIVES[name].family !== 'float';
}
