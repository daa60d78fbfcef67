/**
 * `view()` and `create()`: live views of a schema over memory.
 *
 * @module
 */
import { boundClass, defaultMode } from '../codegen/compile.js';
import { accessOf } from '../codegen/plan.js';
import { syncAt } from '../codegen/runtime.js';
import { layout } from '../layout/compute.js';
import type { Layout } from '../layout/types.js';
import type { InitOf, ViewOf, ViewOptions } from '../types/infer.js';
import { installViewBackend, type Schema, type SchemaLike, typeLabel } from '../types/schema.js';
import { resolveSchema } from '../types/builtins.js';
import { checkRegion, dataViewOf, type BufferSource } from './region.js';

function construct(schema: Schema, buffer: ArrayBufferLike, offset: number, options: ViewOptions): unknown {
  return viewOfLayout(layout(schema), buffer, offset, options);
}

/**
 * A view of an already computed layout (which may carry a byte order inherited from a containing
 * struct) at an absolute offset. The caller has checked the region.
 */
export function viewOfLayout(l: Layout, buffer: ArrayBufferLike, offset: number, options: ViewOptions): unknown {
  // A synchronization primitive on its own (mutex().create()) is the primitive itself.
  if (l.kind === 'sync') {
    const a = accessOf(l); // refuses a condition('lock'), whose lock is a member of some struct
    if (a.op === 'sync') return syncAt(a.code, a.param, a.lockCode, a.lockAt, dataViewOf(buffer), offset);
  }
  const d = dataViewOf(buffer);
  const Ctor = boundClass(l, defaultMode(options.checked === true), d);
  return new Ctor(offset, d);
}

/**
 * A live view of `type` over `source` at `byteOffset` (relative to `source`). Throws `RangeError`
 * when the region is not inside `source` or not aligned for the type.
 *
 * @example
 * ```ts
 * import { view, struct, u32, f32 } from 'sharedctypes';
 * const Hit = struct({ id: u32, dist: f32 });     // id @0, dist @4; sizeof 8
 * const sab = new SharedArrayBuffer(64);
 * const h = view(Hit, sab, 8);                    // the same as Hit.view(sab, 8)
 * h.id = 7;
 * new Uint32Array(sab)[2];                        // 7
 * ```
 */
export function view<S extends SchemaLike>(type: S, source: BufferSource, byteOffset = 0, options: ViewOptions = {}): ViewOf<S> {
  const schema = resolveSchema(type, 'view', '');
  const l = layout(schema);
  const { buffer, offset } = checkRegion(`view(${typeLabel(schema)})`, source, byteOffset, l.size, l.align);
  return construct(schema, buffer, offset, options) as ViewOf<S>;
}

/**
 * Allocates a zeroed `SharedArrayBuffer` of exactly `sizeof(type)` bytes (an `ArrayBuffer` where
 * `SharedArrayBuffer` is unavailable) and returns a view of it, written from `init` if given.
 *
 * @example
 * ```ts
 * import { create, struct, f64 } from 'sharedctypes';
 * const Vec2 = struct({ x: f64, y: f64 });
 * const v = create(Vec2, { x: 1, y: 2 }); // the same as Vec2.create({ x: 1, y: 2 })
 * v.toObject();                          // { x: 1, y: 2 }
 * ```
 */
export function create<S extends SchemaLike>(type: S, init?: InitOf<S>, options: ViewOptions = {}): ViewOf<S> {
  const schema = resolveSchema(type, 'create', '');
  const l = layout(schema);
  const buffer = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(l.size) : new ArrayBuffer(l.size);
  const v = construct(schema, buffer, 0, options) as { $$assign(v: unknown): void };
  if (init !== undefined) v.$$assign(init);
  return v as ViewOf<S>;
}

installViewBackend({
  view: (schema, buffer, byteOffset, options) => view(schema, buffer as BufferSource, byteOffset, options),
  create: (schema, init, options) => create(schema, init as never, options),
});
