/**
 * `view()` and `create()`: live views of a schema over memory.
 *
 * Both have a fast path for the patterns that make many views (a view per byte offset over an
 * offset table or WebAssembly pointers, a small `create()` per call): the type last used is
 * remembered with its layout and class, and the source last used with its DataView and extent, so
 * that a view costs two comparisons, the region check and the `new`. The fast path is kept small
 * enough for the engine to inline it into the caller's loop (where it can often remove the view
 * object too); everything else, labels for messages included, happens out of line.
 *
 * @module
 */
import type { ViewCtor } from '../codegen/access.js';
import { defaultMode, viewClass } from '../codegen/classes.js';
import { codegenActive, codegenEpoch } from '../codegen/evaluate.js';
import { internalError } from '../errors.js';
import { accessOf } from '../codegen/plan.js';
import { syncAt } from '../codegen/runtime.js';
import { layout } from '../layout/compute.js';
import type { Layout } from '../layout/types.js';
import { resolveSchema } from '../types/builtins.js';
import type { InitOf, ViewOf, ViewOptions } from '../types/infer.js';
import { installViewBackend, type Schema, type SchemaLike } from '../types/schema.js';
import { badRegion, type BufferSource, dataViewOf, fits, type Memory, memoryOf, subjectOf } from './region.js';

/**
 * A view of an already computed layout (which may carry a byte order inherited from a containing
 * struct) at an absolute offset of `buffer`. The caller has checked the region.
 */
export function viewOfLayout(l: Layout, buffer: ArrayBufferLike, offset: number, options: ViewOptions): unknown {
  if (l.kind === 'sync') return syncMember(l, dataViewOf(buffer), offset);
  const d = dataViewOf(buffer);
  const C = viewClass(l, defaultMode(options.checked === true));
  return new C(offset, d);
}

/**
 * A synchronization primitive on its own (`mutex().create()`) is the primitive itself. A
 * `condition('lock')` is refused: its lock is a member of some struct.
 */
function syncMember(l: Layout & { kind: 'sync' }, d: DataView, offset: number): unknown {
  const a = accessOf(l);
  if (a.op !== 'sync') throw internalError('a sync layout without a sync access');
  return syncAt(a.code, a.param, a.lockCode, a.lockAt, d, offset);
}

/** The layout and unchecked class of a type, in the current codegen mode (`null` class for a sync member). */
interface Made {
  readonly layout: Layout;
  readonly C: ViewCtor | null;
}

const madeByType = new WeakMap<object, Made>();
const madeByTypecode = new Map<string, Made>();
let madeEpoch = -1;

function made(type: unknown, what: string): Made {
  if (madeEpoch !== codegenEpoch()) {
    // configure() was called: classes are chosen afresh from now on.
    madeByTypecode.clear();
    madeEpoch = codegenEpoch();
    last.type = null;
  }
  const cache = typeof type === 'string' ? madeByTypecode.get(type) : typeof type === 'object' && type !== null ? madeByType.get(type) : undefined;
  if (cache !== undefined && cache.C !== undefined) return cache;
  const l = layout(resolveSchema(type, what, ''));
  const m: Made = { layout: l, C: l.kind === 'sync' ? null : viewClass(l, { codegen: codegenActive(), checked: false }) };
  if (typeof type === 'string') madeByTypecode.set(type, m);
  else madeByType.set(type as object, m);
  return m;
}

/**
 * The last (type, source) pair `view` was used with, and what a view over it needs. One object
 * (not module variables, which the engine would check for initialisation on every read), its
 * fields always of one type each.
 */
const last: { type: unknown; source: unknown; C: ViewCtor; d: DataView; base: number; maxOffset: number; alignMask: number } = {
  type: null,
  source: null,
  C: null as unknown as ViewCtor,
  d: null as unknown as DataView,
  base: 0,
  /** The largest relative offset at which a whole view fits (−1: nothing fits). */
  maxOffset: -1,
  /** Alignment − 1. */
  alignMask: 0,
};

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
export function view<S extends SchemaLike>(type: S, source: BufferSource, byteOffset = 0, options?: ViewOptions): ViewOf<S> {
  const c = last;
  if (
    type === c.type &&
    source === c.source &&
    options === undefined &&
    typeof byteOffset === 'number' &&
    byteOffset >= 0 &&
    byteOffset <= c.maxOffset &&
    byteOffset === Math.floor(byteOffset) &&
    ((c.base + byteOffset) & c.alignMask) === 0
  ) {
    return new c.C(c.base + byteOffset, c.d) as unknown as ViewOf<S>;
  }
  return viewSlow(type, source, byteOffset, options) as ViewOf<S>;
}

/** Everything {@link view} does besides its fast path: other types, other sources, options, errors. */
function viewSlow(type: unknown, source: unknown, byteOffset: unknown, options: ViewOptions | undefined): unknown {
  const checked = options !== undefined && options.checked === true;
  const m = made(type, 'view');
  const l = m.layout;
  const mem = memoryOf(source, 'view', l.schema);
  if (!fits(mem, byteOffset, l.size, l.align)) badRegion(subjectOf('view', l.schema), mem, byteOffset, l.size, l.align);
  const o = mem.base + byteOffset;
  if (m.C === null) return syncMember(l as Layout & { kind: 'sync' }, mem.d, o);
  if (checked) return new (viewClass(l, defaultMode(true)))(o, mem.d);
  remember(type, source, m.C, mem, l);
  return new m.C(o, mem.d);
}

/** Makes (type, source) the pair the fast path of {@link view} serves, when the source's extent is fixed. */
function remember(type: unknown, source: unknown, C: ViewCtor, mem: Memory, l: Layout): void {
  if (!mem.fixed) return;
  last.type = type;
  last.source = source;
  last.C = C;
  last.d = mem.d;
  last.base = mem.base;
  last.maxOffset = mem.limit - l.size;
  last.alignMask = l.align - 1;
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
  const m = made(type, 'create');
  const l = m.layout;
  const buffer = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(l.size) : new ArrayBuffer(l.size);
  const d = dataViewOf(buffer);
  if (m.C === null) return syncMember(l as Layout & { kind: 'sync' }, d, 0) as ViewOf<S>;
  const C = options !== undefined && options.checked === true ? viewClass(l, defaultMode(true)) : m.C;
  const v = new C(0, d);
  if (init !== undefined) v.$$assign(init);
  return v as unknown as ViewOf<S>;
}

installViewBackend({
  viewMethod(this: Schema, buffer, byteOffset, options) {
    return view(this, buffer, byteOffset, options);
  },
  createMethod(this: Schema, init, options) {
    return create(this, init as never, options);
  },
});
