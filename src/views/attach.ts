/**
 * `view()` and `create()`: live views of a schema over memory.
 *
 * Both have a fast path for the patterns that make many views (a view per byte offset, a small
 * `create()` per call): the schema last used is remembered with its layout and class, and the
 * source last used with its DataView and extent, so that a view costs two comparisons, the region
 * check and the `new`. Labels for messages are built only when something is wrong.
 *
 * @module
 */
import { type CompileMode, defaultMode, viewClass } from '../codegen/classes.js';
import type { ViewCtor } from '../codegen/access.js';
import { codegenActive } from '../codegen/evaluate.js';
import { SYNC_KINDS, syncAt } from '../codegen/runtime.js';
import { layout } from '../layout/compute.js';
import type { Layout } from '../layout/types.js';
import { resolveSchema } from '../types/builtins.js';
import type { InitOf, ViewOf, ViewOptions } from '../types/infer.js';
import { installViewBackend, type Schema, type SchemaLike } from '../types/schema.js';
import { badRegion, type BufferSource, dataViewOf, fits, memoryOf, subjectOf } from './region.js';

/**
 * A view of an already computed layout (which may carry a byte order inherited from a containing
 * struct) at an absolute offset of `buffer`. The caller has checked the region.
 */
export function viewOfLayout(l: Layout, buffer: ArrayBufferLike, offset: number, options: ViewOptions): unknown {
  // A synchronization primitive on its own (mutex().create()) is the primitive itself.
  if (l.kind === 'sync') return syncAt(SYNC_KINDS.indexOf(l.sync), l.param, dataViewOf(buffer), offset);
  const d = dataViewOf(buffer);
  const C = viewClass(l, defaultMode(options.checked === true));
  return new C(offset, d);
}

/** What `view`/`create` need of a type, remembered for the type last used. */
interface Made {
  readonly layout: Layout;
  /** The class, or `null` for a synchronization member (which is its object, not a view). */
  readonly C: ViewCtor | null;
}

let lastType: unknown = null;
let lastCodegen = false;
let lastMade: Made = { layout: null as unknown as Layout, C: null };

function made(type: unknown, checked: boolean, what: string): Made {
  const codegen = codegenActive();
  if (type === lastType && !checked && codegen === lastCodegen) return lastMade;
  const l = layout(resolveSchema(type, what, ''));
  const mode: CompileMode = { codegen, checked };
  const m: Made = { layout: l, C: l.kind === 'sync' ? null : viewClass(l, mode) };
  if (!checked) {
    lastType = type;
    lastCodegen = codegen;
    lastMade = m;
  }
  return m;
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
export function view<S extends SchemaLike>(type: S, source: BufferSource, byteOffset: number = 0, options?: ViewOptions): ViewOf<S> {
  const m = made(type, options !== undefined && options.checked === true, 'view');
  const l = m.layout;
  const mem = memoryOf(source, 'view', l.schema);
  if (!fits(mem, byteOffset, l.size, l.align)) badRegion(subjectOf('view', l.schema), mem, byteOffset, l.size, l.align);
  const o = mem.base + byteOffset;
  if (m.C === null) return syncAt(SYNC_KINDS.indexOf((l as Layout & { kind: 'sync' }).sync), (l as Layout & { kind: 'sync' }).param, mem.d, o) as ViewOf<S>;
  return new m.C(o, mem.d) as unknown as ViewOf<S>;
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
export function create<S extends SchemaLike>(type: S, init?: InitOf<S>, options?: ViewOptions): ViewOf<S> {
  const m = made(type, options !== undefined && options.checked === true, 'create');
  const l = m.layout;
  const buffer = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(l.size) : new ArrayBuffer(l.size);
  const d = dataViewOf(buffer);
  if (m.C === null) return syncAt(SYNC_KINDS.indexOf((l as Layout & { kind: 'sync' }).sync), (l as Layout & { kind: 'sync' }).param, d, 0) as ViewOf<S>;
  const v = new m.C(0, d);
  if (init !== undefined) v.$$assign(init);
  return v as unknown as ViewOf<S>;
}

installViewBackend({
  view: (schema: Schema, buffer, byteOffset, options) => view(schema, buffer as BufferSource, byteOffset, options),
  create: (schema: Schema, init, options) => create(schema, init as never, options),
});
