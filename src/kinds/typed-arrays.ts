/**
 * The typed array of each numeric primitive: the class whose elements convert exactly as a view's
 * field of that type does (not `bool`, which reads as a boolean; `f16` only where the runtime has
 * `Float16Array`), and the byte order typed arrays use on this machine.
 *
 * @module
 */
import type { PrimitiveName } from './primitives.js';

/** `Float16Array` (ES2025) as far as this library's types use it: where the runtime has one. */
export interface Float16ArrayLike extends ArrayLike<number> {
  [index: number]: number;
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly BYTES_PER_ELEMENT: number;
}

/** The typed array type of each primitive (`never` for `bool`). */
export interface TypedArrayByName {
  bool: never;
  i8: Int8Array;
  u8: Uint8Array;
  i16: Int16Array;
  u16: Uint16Array;
  i32: Int32Array;
  u32: Uint32Array;
  i64: BigInt64Array;
  u64: BigUint64Array;
  f16: Float16ArrayLike;
  f32: Float32Array;
  f64: Float64Array;
}

/** The primitives with a typed array on every runtime. */
export type TypedName = Exclude<PrimitiveName, 'bool' | 'f16'>;

/** A typed array of one of {@link TypedName}. */
export type AnyTyped = TypedArrayByName[TypedName];

/** A typed array class: `new T(buffer, byteOffset, length)`. */
export interface TypedArrayClass {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): AnyTyped | Float16ArrayLike;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/** The classes, one per {@link TypedName}. */
export const TYPED_ARRAYS = {
  i8: Int8Array,
  u8: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
  i64: BigInt64Array,
  u64: BigUint64Array,
} as const satisfies Record<TypedName, TypedArrayClass>;

/** `Float16Array` where this runtime has one (Node ≥ 24, recent browsers), else `undefined`. */
export const FLOAT16_ARRAY: TypedArrayClass | undefined = (globalThis as { Float16Array?: TypedArrayClass }).Float16Array;

/** The byte order typed arrays read on this machine. */
export const HOST_ENDIAN: 'little' | 'big' = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'little' : 'big';
