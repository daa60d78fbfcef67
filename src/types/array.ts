/**
 * `array(T, n)`: fixed-length arrays, and multi-dimensional ones.
 *
 * @module
 */
import { schemaError } from '../errors.js';
import { layout } from '../layout/compute.js';
import { resolveSchema } from './builtins.js';
import { checkLength } from '../kinds/limits.js';
import { ArraySchema, type ResolveSchema, type Schema, type SchemaLike } from './schema.js';
import { typeLabel } from '../kinds/labels.js';

/** The schema of `array(T, [d0, d1, …])`: `T[d0][d1]…`, outermost dimension first. */
export type MultiArray<T extends Schema, D extends readonly number[]> = D extends readonly [infer H extends number, ...infer R extends readonly number[]]
  ? ArraySchema<MultiArray<T, R>, H>
  : D extends readonly []
    ? T
    : ArraySchema<Schema, number>;

/**
 * A fixed-length array, C `T[n]`. Pass several dimensions for a multi-dimensional array in C order:
 * `array(f32, [3, 4])` is `float[3][4]`, three rows of four.
 *
 * @example
 * ```ts
 * import { array, f32, struct } from 'sharedctypes';
 * const Vec3 = array(f32, 3);               // 12 bytes, align 4
 * const Mat4 = array(f32, [4, 4]);          // float[4][4], 64 bytes
 * const Mesh = struct({ verts: array(Vec3, 8) });
 * const m = Mesh.create();
 * m.verts.get(2).set([1, 2, 3]);
 * ```
 */
export function array<T extends SchemaLike, const N extends number>(element: T, length: N): ArraySchema<ResolveSchema<T>, N>;
export function array<T extends SchemaLike, const D extends readonly number[]>(element: T, dims: D): MultiArray<ResolveSchema<T>, D>;
export function array(element: SchemaLike, lengthOrDims: number | readonly number[]): Schema {
  const el = resolveSchema(element, 'array', 'element');
  const dims = typeof lengthOrDims === 'number' ? [lengthOrDims] : lengthOrDims;
  if (!Array.isArray(dims) || dims.length === 0) {
    throw schemaError('invalid_length', 'array', '', 'needs a length or a non-empty list of dimensions', 'write array(T, n) or array(T, [rows, cols])');
  }
  let result: Schema = el;
  const label = `array(${typeLabel(el)}, ${JSON.stringify(lengthOrDims)})`;
  for (let i = dims.length - 1; i >= 0; i--) {
    checkLength(dims[i], dims.length > 1 ? `${label} dimension ${i}` : label);
    result = new ArraySchema<Schema, number>(result, dims[i] as number);
  }
  layout(result); // a size over 2^48 is refused here, not at first use
  return result;
}
