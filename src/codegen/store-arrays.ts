/**
 * Typed-array stores (bench/results/backend.md, docs/performance.md "Results: accessor backends").
 * A number stored through a typed array lets TurboFan keep what it loaded around the store, where a
 * `DataView` store makes it load the `DataView`'s map, length and data again: the warm update pass
 * of the real-use patterns went from ~1.3–1.5× to ~1.1–1.3× a typed-array loop on Node 22 to 26,
 * and from ~1.45× to ~1.3× on Node 20 (whose setters keep the whole guard: `emitTypedStore`).
 *
 * So the `DataView` that views read through also carries its buffer's typed arrays for stores
 * (`$f64`, `$f32`, `$u32`, `$u16`, `$u8`: an integer's bits are the same signed or not), where the
 * buffer qualifies (`storesOver` in src/views/region.ts): a fixed-length `SharedArrayBuffer` (a
 * typed array over an `ArrayBuffer` that gets detached, transferred or WebAssembly memory that
 * grew, drops a store without a word where the `DataView` throws, and one over a growable buffer
 * would not see it grow), of at most 2 GiB (the generated index is 32-bit arithmetic), whatever
 * its size otherwise: views of every SharedArrayBuffer share one class per schema. Only the classes made for such views store
 * through them (`CompileMode.stores`, src/codegen/classes.ts; chosen in src/views/attach.ts).
 *
 * @module
 */
import { V8_BEFORE_12 } from '../engine.js';
import type { Layout } from '../layout/types.js';
import type { NumberMethod } from './plan.js';

/** The store arrays on a `DataView` (see the module comment). */
export interface StoreArrays {
  readonly $f64: Float64Array;
  readonly $f32: Float32Array;
  readonly $u32: Uint32Array;
  readonly $u16: Uint16Array;
  readonly $u8: Uint8Array;
}

/**
 * Whether the elements of arrays of numbers store through typed arrays too (`storeOf` in
 * src/codegen/generate.ts): on V8 12 and later, not on Node 20, where it was slower
 * (docs/performance.md, "Results: arrays of numbers").
 */
export const ARRAY_ELEMENT_STORES = !V8_BEFORE_12;

/**
 * Whether a view of `layout` in a class for views that store through typed arrays may use them
 * (itself or a member's view, which shares its `DataView`): a struct or union (any of its number
 * fields, at any depth), an array of those, or an array of numbers where
 * {@link ARRAY_ELEMENT_STORES}; not a single number or `char` (`value` stores through the
 * `DataView`). It may say yes where no member turns out to store so (a struct of booleans): it
 * decides only whether the buffer's arrays are made (`storesReady` in src/views/region.ts), and a
 * class that stores through them never meets a `DataView` without them.
 */
export function needsStoreArrays(layout: Layout): boolean {
  switch (layout.kind) {
    case 'struct':
    case 'union':
      return true;
    case 'array':
      return layout.element.kind === 'primitive' || layout.element.kind === 'char' ? ARRAY_ELEMENT_STORES : true;
    case 'primitive':
    case 'char':
    case 'sync':
      return false;
  }
}

/**
 * Hangs the store arrays of `d`'s buffer on `d` (a `DataView` over the whole of a fixed-length
 * `SharedArrayBuffer` under 2 GiB, see `storesOver` in src/views/region.ts), always the same five
 * properties in the same order: one object shape for every such `DataView`. Returns `d`.
 */
export function withStoreArrays(d: DataView): DataView & StoreArrays {
  if (kept === null) kept = hang(new DataView(new SharedArrayBuffer(8)));
  return hang(d);
}

function hang(d: DataView): DataView & StoreArrays {
  const b = d.buffer;
  const n = d.byteLength;
  return Object.assign(d, {
    $f64: new Float64Array(b, 0, n >>> 3),
    $f32: new Float32Array(b, 0, n >>> 2),
    $u32: new Uint32Array(b, 0, n >>> 2),
    $u16: new Uint16Array(b, 0, n >>> 1),
    $u8: new Uint8Array(b, 0, n),
  });
}

/**
 * A small `DataView` with store arrays, kept alive from the first one on: the object shape of a
 * `DataView` with the five properties lives only as long as some `DataView` has it, and code
 * optimised for it would be thrown away at a collection that finds none (between two jobs whose
 * buffers died; see src/shapes.ts, test/shared/kept-shapes.test.ts).
 */
let kept: DataView | null = null;

/** The store array and index shift of each number method a typed store serves, with its size in bytes. */
export const STORE_ARRAY = {
  Float64: { array: '$f64', shift: 3, size: 8 },
  Float32: { array: '$f32', shift: 2, size: 4 },
  Int32: { array: '$u32', shift: 2, size: 4 },
  Uint32: { array: '$u32', shift: 2, size: 4 },
  Int16: { array: '$u16', shift: 1, size: 2 },
  Uint16: { array: '$u16', shift: 1, size: 2 },
  Int8: { array: '$u8', shift: 0, size: 1 },
  Uint8: { array: '$u8', shift: 0, size: 1 },
} as const satisfies Partial<Record<NumberMethod, { readonly array: keyof StoreArrays; readonly shift: number; readonly size: number }>>;
