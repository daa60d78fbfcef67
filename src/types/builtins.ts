/**
 * The primitive schema objects and the Python typecode table.
 *
 * @module
 */
import { checkSchemaLike, isSchema } from '../kinds/brand.js';
import { TYPECODE_TYPES } from '../kinds/typecodes.js';
import { CharSchema, PrimitiveSchema, type Schema, type Typecode, type TypecodeSchemas } from './schema.js';

/**
 * C `_Bool`: 1 byte, reads as `boolean`.
 *
 * @example
 * ```ts
 * import { struct, bool, sizeof } from 'sharedctypes';
 * const Flag = struct({ on: bool }); // on @0 (1)
 * Flag.create({ on: true }).on;     // true
 * ```
 */
export const bool: PrimitiveSchema<'bool'> = new PrimitiveSchema('bool');
/**
 * C `int8_t`.
 *
 * @example
 * ```ts
 * import { struct, i8, sizeof } from 'sharedctypes';
 * const T = struct({ v: i8 }); // v @0, sizeof(T) === sizeof(i8)
 * T.create({ v: 1 }).v; // 1
 * ```
 */
export const i8: PrimitiveSchema<'i8'> = new PrimitiveSchema('i8');
/**
 * C `uint8_t`.
 *
 * @example
 * ```ts
 * import { struct, u8, sizeof } from 'sharedctypes';
 * const T = struct({ v: u8 }); // v @0, sizeof(T) === sizeof(u8)
 * T.create({ v: 1 }).v; // 1
 * ```
 */
export const u8: PrimitiveSchema<'u8'> = new PrimitiveSchema('u8');
/**
 * C `int16_t`.
 *
 * @example
 * ```ts
 * import { struct, i16, sizeof } from 'sharedctypes';
 * const T = struct({ v: i16 }); // v @0, sizeof(T) === sizeof(i16)
 * T.create({ v: 1 }).v; // 1
 * ```
 */
export const i16: PrimitiveSchema<'i16'> = new PrimitiveSchema('i16');
/**
 * C `uint16_t`.
 *
 * @example
 * ```ts
 * import { struct, u16, sizeof } from 'sharedctypes';
 * const T = struct({ v: u16 }); // v @0, sizeof(T) === sizeof(u16)
 * T.create({ v: 1 }).v; // 1
 * ```
 */
export const u16: PrimitiveSchema<'u16'> = new PrimitiveSchema('u16');
/**
 * C `int32_t`.
 *
 * @example
 * ```ts
 * import { struct, i32, sizeof } from 'sharedctypes';
 * const T = struct({ v: i32 }); // v @0, sizeof(T) === sizeof(i32)
 * T.create({ v: 1 }).v; // 1
 * ```
 */
export const i32: PrimitiveSchema<'i32'> = new PrimitiveSchema('i32');
/**
 * C `uint32_t`.
 *
 * @example
 * ```ts
 * import { struct, u32, sizeof } from 'sharedctypes';
 * const T = struct({ v: u32 }); // v @0, sizeof(T) === sizeof(u32)
 * T.create({ v: 1 }).v; // 1
 * ```
 */
export const u32: PrimitiveSchema<'u32'> = new PrimitiveSchema('u32');
/**
 * C `int64_t`, read as `bigint`.
 *
 * @example
 * ```ts
 * import { struct, i64, sizeof } from 'sharedctypes';
 * const T = struct({ at: i64 });
 * T.create({ at: -1n }).at; // -1n
 * ```
 */
export const i64: PrimitiveSchema<'i64'> = new PrimitiveSchema('i64');
/**
 * C `uint64_t`, read as `bigint`.
 *
 * @example
 * ```ts
 * import { struct, u64, sizeof } from 'sharedctypes';
 * const T = struct({ id: u64 });
 * T.create({ id: 2n ** 64n - 1n }).id; // 18446744073709551615n
 * ```
 */
export const u64: PrimitiveSchema<'u64'> = new PrimitiveSchema('u64');
/**
 * C `_Float16`: IEEE 754 half precision, 2 bytes, align 2, read and written as `number` (rounded to
 * the nearest half). Views over it need `DataView.prototype.getFloat16` (Node 24+, Chromium 135+):
 * elsewhere making a view of a type holding one throws a `TypeError` with code `unsupported_type`. Its
 * layout, JSON and fingerprint work everywhere.
 *
 * @example
 * ```ts
 * import { struct, f16, u16, sizeof } from 'sharedctypes';
 * const Texel = struct({ r: f16, g: f16, b: f16, a: f16 }); // r @0, g @2, b @4, a @6
 * sizeof(Texel); // 8
 * ```
 */
export const f16: PrimitiveSchema<'f16'> = new PrimitiveSchema('f16');
/**
 * C `float`.
 *
 * @example
 * ```ts
 * import { struct, f32, sizeof } from 'sharedctypes';
 * const T = struct({ x: f32 });
 * T.create({ x: 0.1 }).x; // 0.10000000149011612 (rounded to float)
 * ```
 */
export const f32: PrimitiveSchema<'f32'> = new PrimitiveSchema('f32');
/**
 * C `double`.
 *
 * @example
 * ```ts
 * import { struct, f64, sizeof } from 'sharedctypes';
 * const T = struct({ x: f64 });
 * T.create({ x: 0.1 }).x; // 0.1
 * ```
 */
export const f64: PrimitiveSchema<'f64'> = new PrimitiveSchema('f64');

/** The primitive schema objects by name. */
export const PRIMITIVE_SCHEMAS = { bool, i8, u8, i16, u16, i32, u32, i64, u64, f16, f32, f64 } as const;

const char1 = new CharSchema(1);

/**
 * Python typecodes and the schemas they stand for, with Linux x86-64 (LP64) sizes.
 *
 * | code | C | schema |
 * |---|---|---|
 * | `'b'` `'B'` | `signed char` / `unsigned char` | `i8` / `u8` |
 * | `'h'` `'H'` | `short` / `unsigned short` | `i16` / `u16` |
 * | `'i'` `'I'` | `int` / `unsigned int` | `i32` / `u32` |
 * | `'l'` `'L'` | `long` / `unsigned long` (64-bit on Linux) | `i64` / `u64` |
 * | `'q'` `'Q'` | `long long` / `unsigned long long` | `i64` / `u64` |
 * | `'f'` `'d'` | `float` / `double` | `f32` / `f64` |
 * | `'c'` | `char` | `char(1)` |
 * | `'?'` | `_Bool` | `bool` |
 *
 * @example
 * ```ts
 * import { TYPECODES, i64, sizeof } from 'sharedctypes';
 * TYPECODES.l === i64; // true: long is 64-bit on Linux x86-64
 * sizeof('l');         // 8
 * ```
 */
export const TYPECODES: { readonly [C in Typecode]: TypecodeSchemas[C] } = Object.freeze(
  Object.fromEntries(Object.entries(TYPECODE_TYPES).map(([code, type]) => [code, type === 'char' ? char1 : PRIMITIVE_SCHEMAS[type]])),
) as { readonly [C in Typecode]: TypecodeSchemas[C] };

/**
 * Resolves a schema or a typecode to a schema; anything else is a `SchemaError` that names
 * `where` (e.g. `struct Particle: field 'id'`).
 */
export function resolveSchema(value: unknown, typeLabel: string, path: string): Schema {
  if (isSchema(value)) return value;
  checkSchemaLike(value, typeLabel, path);
  return TYPECODES[value as Typecode];
}
