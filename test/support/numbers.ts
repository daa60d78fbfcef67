// The number schemas that have a typed array on every runtime, by name, and whether this runtime
// has Float16Array: for the tests of typed() and column().
import { f32, f64, i8, i16, i32, i64, u8, u16, u32, u64 } from '../../src/index.js';
import type { TypedName } from '../../src/kinds/typed-arrays.js';

export const NUMERIC = { i8, u8, i16, u16, i32, u32, i64, u64, f32, f64 } as const satisfies Record<TypedName, unknown>;

export const hasFloat16Array = typeof (globalThis as { Float16Array?: unknown }).Float16Array === 'function';
