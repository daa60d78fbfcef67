/**
 * Views of a schema over memory: what `view()`/`create()` and `T.view()`/`T.create()` do (src/types).
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
import { checkSchemaLike, isSchema } from '../kinds/brand.js';
import type { ViewOptions } from '../types/infer.js';
import type { Schema } from '../types/schema.js';
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

let madeByType = new WeakMap<Schema, Made>();
let madeEpoch = -1;

/**
 * The layout and class of `type`, which the caller has resolved (a typecode is resolved to its
 * schema above this layer, in src/types); anything else that is not a schema is refused here.
 */
function made(type: unknown, what: string): Made {
  if (madeEpoch !== codegenEpoch()) {
    // configure() was called: classes are chosen afresh from now on.
    madeByType = new WeakMap();
    madeEpoch = codegenEpoch();
    last.type = null;
  }
  if (!isSchema(type)) {
    checkSchemaLike(type, what, '');
    throw internalError(`${what}: a typecode reached the views layer unresolved`);
  }
  const cache = madeByType.get(type);
  if (cache !== undefined) return cache;
  const l = layout(type);
  const m: Made = { layout: l, C: l.kind === 'sync' ? null : viewClass(l, { codegen: codegenActive(), checked: false }) };
  madeByType.set(type, m);
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
 * A live view of the schema `type` over `source` at `byteOffset` (relative to `source`): the public
 * `view()` and `T.view()` (src/types). Throws `RangeError` when the region is not inside `source` or
 * not aligned for the type.
 */
export function viewOfSchema(type: Schema, source: BufferSource, byteOffset = 0, options?: ViewOptions): unknown {
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
    return new c.C(c.base + byteOffset, c.d);
  }
  return viewSlow(type, source, byteOffset, options);
}

/** Everything {@link viewOfSchema} does besides its fast path: other types, other sources, options, errors. */
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

/** Makes (type, source) the pair the fast path of {@link viewOfSchema} serves, when the source's extent is fixed. */
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
 * A view of the schema `type` over a new zeroed `SharedArrayBuffer` of exactly its size (an
 * `ArrayBuffer` where `SharedArrayBuffer` is unavailable), written from `init` if given: the public
 * `create()` and `T.create()` (src/types).
 */
export function createOfSchema(type: Schema, init?: unknown, options?: ViewOptions): unknown {
  const m = made(type, 'create');
  const l = m.layout;
  const buffer = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(l.size) : new ArrayBuffer(l.size);
  const d = dataViewOf(buffer);
  if (m.C === null) return syncMember(l as Layout & { kind: 'sync' }, d, 0);
  const C = options !== undefined && options.checked === true ? viewClass(l, defaultMode(true)) : m.C;
  const v = new C(0, d);
  if (init !== undefined) v.$$assign(init);
  return v;
}
