/**
 * Views of a schema over memory: what `view()`/`create()` and `T.view()`/`T.create()` do (src/types).
 *
 * Both have a fast path for the patterns that make many views (a view per byte offset over an
 * offset table or WebAssembly pointers, a small `create()` per call): every schema remembers the
 * last two sources it was used with, with its class, DataView and extent over each (typecodes share
 * one record), so that a view costs a few comparisons, the region check and the `new`. The fast path is kept small
 * enough for the engine to inline it into the caller's loop (where it can often remove the view
 * object too); everything else, labels for messages included, happens out of line.
 *
 * @module
 */
import type { ViewCtor } from '../codegen/access.js';
import { defaultMode, viewClass } from '../codegen/classes.js';
import { codegenActive, codegenEpoch, evaluate, whenConfigured } from '../codegen/evaluate.js';
import { V8_BEFORE_12 } from '../engine.js';
import { internalError } from '../errors.js';
import { accessOf } from '../codegen/plan.js';
import { syncAt } from '../codegen/runtime.js';
import { layout } from '../layout/compute.js';
import type { Layout } from '../layout/types.js';
import { checkSchemaLike, isSchema } from '../kinds/brand.js';
import { allocationError } from '../memory/buffers.js';
import { checkBooleanOption, checkOptions, type Subject } from '../options.js';
import type { ViewOptions } from '../types/infer.js';
import type { Schema } from '../types/schema.js';
import { duoViewSource, PAIR_VIEW_PARAMS, pairViewSource, STRUCTURE_VIEW_PARAMS, structureViewSource } from './structure-view.js';
import {
  badRegion,
  type BufferSource,
  dataViewOf,
  dataViewOfNew,
  fits,
  type Memory,
  memoryOf,
  nearOver,
  storesOver,
  storesReady,
  subjectOf,
} from './region.js';

/**
 * A view of an already computed layout (which may carry a byte order inherited from a containing
 * struct) at an absolute offset of `buffer`. The caller has checked the region.
 */
export function viewOfLayout(l: Layout, buffer: ArrayBufferLike, offset: number, options: ViewOptions): unknown {
  if (l.kind === 'sync') return syncMember(l, dataViewOf(buffer), offset);
  const d = dataViewOf(buffer);
  const checked = options.checked === true;
  const stores = !checked && storesOver(buffer);
  const mode = defaultMode(checked);
  const C = viewClass(l, { ...mode, stores, near: nearOver(buffer) });
  return new C(offset, stores ? storesReady(d, l, mode.codegen) : d);
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

/**
 * The layout of a type and its unchecked classes in the current codegen mode, each made when first
 * needed ({@link classOf}), by `(stores ? 1 : 0) + (near ? 2 : 0)`: for views over memory that
 * does or does not store through typed arrays (`CompileMode.stores`), and over near memory or not
 * (`CompileMode.near`; the same classes where those make no difference).
 */
interface Made {
  readonly layout: Layout;
  readonly codegen: boolean;
  readonly classes: (ViewCtor | undefined)[];
}

/** The unchecked class of `m` for views over memory that does or does not store through typed arrays, or is near. */
function classOf(m: Made, stores: boolean, near: boolean): ViewCtor {
  const k = (stores ? 1 : 0) + (near ? 2 : 0);
  const C = m.classes[k] ?? viewClass(m.layout, { codegen: m.codegen, checked: false, stores, near });
  m.classes[k] = C;
  return C;
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
  }
  if (!isSchema(type)) {
    checkSchemaLike(type, what, '');
    throw internalError(`${what}: a typecode reached the views layer unresolved`);
  }
  const cache = madeByType.get(type);
  if (cache !== undefined) return cache;
  const l = layout(type);
  const m: Made = { layout: l, codegen: codegenActive(), classes: [undefined, undefined, undefined, undefined] };
  madeByType.set(type, m);
  return m;
}

/**
 * Whether the fast paths below test without a branch: everywhere but V8 before 12 (Node 20), which
 * removes the view either way and runs the branching form 10–20% faster.
 */
const BRANCHLESS = !V8_BEFORE_12;

/**
 * A remembered (type, source) pair and what a view over it needs: {@link last}, {@link prior}, and
 * the one every schema carries for itself ({@link VIEWED}).
 */
export interface Remembered {
  type: unknown;
  source: unknown;
  C: ViewCtor;
  /** Empty until something is remembered: the fast path's probe of it then always fails. */
  d: DataView;
  base: number;
  /** The largest relative offset at which a whole view fits (−1: nothing fits). */
  maxOffset: number;
  /** Alignment − 1. */
  alignMask: number;
  /**
   * A one-byte array over the source when it is an `ArrayBuffer` ({@link Memory.steady}), whose
   * length reads 0 once the buffer is detached; {@link NEVER_DETACHED} for a fixed source. The
   * branchless fast paths and every pair's function do not read it (their own probe of the
   * `DataView` throws for a detached buffer); Node 20's record-reading fast paths, its functions of
   * two pairs where it is not {@link NEVER_DETACHED}, and {@link prior}'s test do.
   */
  probe: Uint8Array;
  /**
   * A schema's second pair (and {@link last}'s): the source the type was used with before the
   * last one, served by the fast path too (one type over two buffers in turn: a buffer read and
   * another written, a double buffer). Null in that second record itself, and in {@link prior}.
   */
  readonly other: Remembered | null;
  /**
   * In a schema's own record: what its `T.view` is ({@link viewGetter}), the view function of its
   * structure once the first call has found it ({@link firstView}). Unused in the other records.
   */
  fn: ViewMethod;
  /**
   * In a schema's own record: the view function of its structure once its first pair made
   * `fn` a function of that pair ({@link servePair}); null until then, and in the other records.
   */
  general: ViewMethod | null;
  /**
   * In a schema's own record while `fn` is a function of its first pair: the same pair's function
   * for `view(T, …)` ({@link mirrorView}); null otherwise.
   */
  form: ViewFunction | null;
  /**
   * Node 20, in a schema's own record: whether `fn` was made a function of its two pairs (at its
   * second pair, {@link servePair}); from the next pair on it is {@link general}'s for good.
   */
  doubled: boolean;
}

/** `T.view(source, byteOffset?, options?)`, called with the schema as `this`. */
export type ViewMethod = (this: unknown, source: BufferSource, byteOffset?: number, options?: ViewOptions) => unknown;

/** A one-byte array no one can reach, never detached: the probe of a pair whose source is fixed. */
const NEVER_DETACHED = new Uint8Array(1);

/** The DataView of a record that remembers nothing: empty, so that no probe of it succeeds. */
const NOTHING = new DataView(new ArrayBuffer(0));

/**
 * A record that remembers nothing (yet, or any more), with its second record when `second`: the
 * fast path's probe of an empty DataView always fails. Every schema gets one of its own when it is
 * made (src/types/schema.ts).
 */
function nothingRemembered(second = true): Remembered {
  const other = second ? nothingRemembered(false) : null;
  return {
    type: null,
    source: null,
    C: null as unknown as ViewCtor,
    d: NOTHING,
    base: 0,
    maxOffset: -1,
    alignMask: 0,
    probe: NEVER_DETACHED,
    other,
    fn: firstView,
    general: null,
    form: null,
    doubled: false,
  };
}

/**
 * The key of a schema's own record: the last two sources `T.view()` or `view(T, …)` made a view of
 * `T` over, with what a view over each needs. Own and read-only on a frozen schema, so that in a
 * loop over a known schema the engine reads the record as a constant. With a record per schema, a
 * loop making views of two types in turn (a header and a record, nodes of two kinds) stays on the
 * fast path of V8 12 and later; with its second pair, one type over two buffers in turn does too.
 * With one pair remembered for all, every such view missed it, an exception each there (2.5–5 µs
 * per view). On Node 20, `view()` and the shared {@link viewMethod} serve a copy of one pair
 * ({@link mirror}); a structure's own view function (src/views/structure-view.ts) serves the record;
 * a schema's first pair is served by functions of that pair ({@link servePair}).
 *
 * Not exported (schemas get their record through {@link giveRecord}): V8 reads an exported
 * module binding through a cell it checks on every read, which kept a loop of views per offset from
 * being peeled, with every test of the fast path in every iteration (one type over one buffer,
 * the builds side by side in one process: Node 22 / 24 / 26 15.5 / 15.1 / 19.4 ns per view and
 * read with the exported key, 7.1 / 6.4 / 3.4 with it private; 4.0 / 3.1 / 3.1 before the records).
 */
const VIEWED: unique symbol = Symbol('sharedctypes.viewed');

/**
 * Gives `schema` its own record of remembered pairs ({@link VIEWED}): own, not enumerable,
 * read-only; called once by every schema's constructor, before the schema freezes itself (and once
 * for the schemas' prototype, whose `view` is then a function that refuses to make a view).
 */
export function giveRecord(schema: object): void {
  Object.defineProperty(schema, VIEWED, { value: nothingRemembered() });
}

/**
 * The getter of `T.view` on every schema (src/types/schema.ts): the function its record holds,
 * {@link firstView} until the first call, then the view function of the schema's structure. At a
 * call site that views one type, the engine records that one function and inlines it, with the
 * feedback of that structure alone (src/views/structure-view.ts says why).
 */
export function viewGetter(this: unknown): ViewMethod {
  return ((this as Keyed)[VIEWED] as Remembered).fn;
}

/**
 * A schema's `T.view` until its first call: finds the view function of the schema's structure
 * ({@link structureView}), keeps it in the record, and calls it.
 */
function firstView(this: unknown, source: BufferSource, byteOffset?: number, options?: ViewOptions): unknown {
  const f = structureView(this);
  if (isSchema(this)) ((this as Keyed)[VIEWED] as Remembered).fn = f;
  return f.call(this, source, byteOffset, options);
}

/** A record that remembers nothing, for ever: what Node 20's view functions read for a `this` that is not a schema. */
const NONE: Remembered = nothingRemembered();

/** The view functions made, by canonical layout (equal structures share theirs, as they share classes). */
const structureViews = new WeakMap<Layout, ViewMethod>();
/** How many view functions were made: each one's source carries its number, so that each has feedback of its own. */
let structureViewsMade = 0;

/**
 * The view function of `type`'s structure, made on first use (src/views/structure-view.ts; ~40 µs,
 * once per structure); the shared {@link viewMethod} for anything that is not a schema (its slow
 * path refuses it by name) or where code is not generated (a Content-Security-Policy without
 * `unsafe-eval`, or `configure({ codegen: 'off' })`). A schema keeps the function it found: one
 * made before a `configure()` stays (it holds no class; the classes it serves are chosen afresh).
 */
function structureView(type: unknown): ViewMethod {
  if (!isSchema(type) || !codegenActive()) return viewMethod;
  const l = made(type, 'view').layout;
  let f = structureViews.get(l);
  if (f === undefined) {
    f = evaluate<ViewMethod>(STRUCTURE_VIEW_PARAMS, structureViewSource(BRANCHLESS, structureViewsMade++), [VIEWED, misses, viewSlow, NONE]);
    structureViews.set(l, f);
  }
  return f;
}

/** The makers of pair functions ({@link pairViewSource}), by canonical layout. */
const pairViews = new WeakMap<Layout, PairViewMaker>();
/** How many makers of pair functions were made (each one's source carries its number). */
let pairViewsMade = 0;

/** Makes a schema's `T.view` and `view(T, …)` for one pair (src/views/structure-view.ts, {@link pairViewSource}). */
type PairViewMaker = (
  type: unknown,
  source: unknown,
  C: ViewCtor,
  base: number,
  d: DataView,
  maxOffset: number,
  alignMask: number,
) => { readonly method: ViewMethod; readonly form: ViewFunction };

/**
 * After the schema's record `c` remembered a pair, what its `T.view` is. The first pair
 * the record ever remembers gets a function of its own ({@link pairViewSource}: the pair in
 * constants of its closure; Node 20 3.1 → 1.75 ns per view and read, Node 22 3.4 → 1.5, Node 26
 * 1.35 → 1.2); on Node 20 the second (another source: a double buffer) a function of both pairs
 * the record then holds ({@link duoViewSource}: one type over two buffers in turn 3.6 → 1.76 ns per
 * step of two views, pattern 4 of bench/real-use.mjs; V8 12 and later serve two pairs from the
 * structure's function, which reads them from the record without a branch); from the third on (a
 * third source, another `this` that found the record through its prototype, the same source after
 * the record forgot it, or after `configure()`), `T.view` is the view function of the
 * schema's structure, which reads the record, for good: a call site that saw one more function
 * would run slower than through the record. Not for a typecode's record, nor where the structure
 * has no function of its own (code not generated).
 */
function servePair(c: Remembered): void {
  // (An object that inherits from a schema finds the schema's record and has its pair remembered
  // there: a second pair for that record.)
  if (c === last || (c.general === null && !Object.hasOwn(c.type as object, VIEWED))) return;
  if (c.general !== null) {
    if (c.form !== null && mirrorView === c.form) serve(viewMirror); // (it would hold the source)
    c.form = null;
    const o = c.other as Remembered;
    if (!BRANCHLESS && !c.doubled && o.type === c.type && o.source !== null && codegenActive()) {
      c.doubled = true;
      const both = twoPairViews(c, o);
      if (both !== null) {
        c.fn = both.method;
        return;
      }
    }
    c.fn = c.general;
    return;
  }
  const general = c.fn === firstView ? structureView(c.type) : c.fn;
  if (general === viewMethod) return;
  const l = made(c.type, 'view').layout;
  let maker = pairViews.get(l);
  if (maker === undefined) {
    maker = evaluate<PairViewMaker>(PAIR_VIEW_PARAMS, pairViewSource(pairViewsMade++), [viewSlow, BRANCHLESS ? viewAfterMiss : viewMirror]);
    pairViews.set(l, maker);
  }
  const pair = maker(c.type, c.source, c.C, c.base, c.d, c.maxOffset, c.alignMask);
  c.general = general;
  c.fn = pair.method;
  c.form = pair.form;
}

/** The record of pairs a typecode (`view('d', …)`) was used with: the only one not a schema's. */
const last: Remembered = nothingRemembered();

/**
 * One more remembered pair, served first thing in the slow path: the pair a schema's record let
 * go of last (a third source). `probe` tells whether an `ArrayBuffer` source was detached since
 * (its length reads 0 then).
 */
const prior: Remembered = nothingRemembered(false);

/**
 * Node 20 (the branching form): the pair the fast path serves, a copy of the one served last,
 * whatever its type; the schemas' records are looked at first thing in the slow path. Serving the
 * schemas' records in the fast path there (as on Node 22 to 26) made the place that makes the view
 * see every type that was viewed, and a loop of views of one type after a view of another (a
 * header, then records) allocated its views: 9.5–17.9 → 24–45 ns per view (the build before
 * against that one, loaded side by side, loops interleaved). With this copy: equal to the build
 * before; two types in turn 37–50 ns (46–94 before, 23–26 served from the records), one type over
 * two buffers in turn 28–57 ns (32–53 before, 5–9): probes, a fresh process per number.
 */
const mirror: Remembered = nothingRemembered(false);

/** What `view()` resolves a typecode with ({@link makeViewFunction}'s argument). */
let resolveTypecode: ResolveType | undefined;

/**
 * Node 20: `view(type, source, byteOffset?, options?)` serving {@link mirror}, the pair served
 * last; what `view()` calls when that pair has no function of its own ({@link mirrorView}). The
 * test is {@link viewMethod}'s Node 20 form with the type as an argument (that one serves `this`
 * and resolves no typecode); each is written out in its function (see {@link makeViewFunction}).
 */
function viewMirror(type: unknown, source: BufferSource, byteOffset?: number, options?: ViewOptions): unknown {
  const c = mirror;
  if (
    type === c.type &&
    source === c.source &&
    options === undefined &&
    typeof byteOffset === 'number' &&
    byteOffset >= 0 &&
    byteOffset <= c.maxOffset &&
    byteOffset === Math.floor(byteOffset) &&
    ((c.base + byteOffset) & c.alignMask) === 0 &&
    c.probe.length !== 0
  )
    return new c.C(c.base + byteOffset, c.d);
  return viewSlow(type, source, byteOffset, options, resolveTypecode);
}

/**
 * The function of the pair served (Node 20) or remembered (V8 12 and later) last when that pair is
 * the first its schema's record remembered ({@link Remembered.form}, its pair in constants of its
 * closure, as `T.view`'s), on Node 20 also a function of the last two, else
 * {@link viewMirror} (no pair's function serves). Node 20's `view()` calls it; on every engine the
 * public `view` is it (or {@link madeView} for `viewMirror`). Set through {@link serve} only.
 */
let mirrorView: ViewFunction = viewMirror;

/**
 * The function `makeViewFunction` made (Node 20: one that calls {@link mirrorView}; V8 12 and
 * later: the fast path that reads the records), and what it was told to call with the function that
 * serves best now: the public `view` binding is that function (src/types/type-functions.ts).
 */
let madeView: ViewFunction = viewMirror;
let publish: ((f: ViewFunction) => void) | undefined;

/**
 * Makes `f` the function Node 20's `view()` calls ({@link mirrorView}), and the public `view`
 * itself (`publish`; {@link madeView} for {@link viewMirror}): `view` is then a function of the
 * pair served last (on Node 20 also of the last two), not a function that calls it. A loop's call
 * site of `view(T, …)` sees the functions it called itself: through the one function, the call
 * inside it had seen every pair's function in the program (a header viewed at startup, a config
 * struct), and a loop of views of one type after views of three other types kept every view (Node
 * 20: 7.8 ns per view and read in a probe, bimodal 9–17 ns in pattern 4; 1.7 with the published
 * function). On V8 12 and later the one function's `new` had seen every type's class (Node 22: one
 * type 4.2 ns, after views of three other types 16.2). A caller that kept `view` from before
 * (`const { view } = sc`) calls the function it took: each of them serves every call, the pair it
 * holds fastest.
 */
function serve(f: ViewFunction): void {
  mirrorView = f;
  publish?.(f === viewMirror ? madeView : f);
}

/**
 * The schemas' records that remember a pair, oldest first, at most {@link HELD_MAX}: each holds its
 * sources (two at most), so a schema used once would otherwise keep a buffer alive as long as
 * itself. The record of the oldest forgets its pairs when one more is remembered (a loop over more
 * types than that in turn takes the slow path).
 */
const held: Remembered[] = [];
const HELD_MAX = 16;

/** The record `view()` remembers `type`'s pairs in: the schema's own, {@link last} for a typecode. */
function recordOf(type: unknown): Remembered {
  return (type != null && (type as Keyed)[VIEWED]) || last; // as the fast paths choose (where they do not throw)
}

/** Makes `c` and its second record forget their pairs (and let go of their sources). */
function forget(c: Remembered): void {
  fill(c, null, null, null as unknown as ViewCtor, NOTHING, 0, -1, 0, NEVER_DETACHED);
  // A function of the pair would go on serving it (and holding its source, and a class of the mode
  // before a configure()).
  if (c.general !== null) c.fn = c.general;
  if (c.form !== null && mirrorView === c.form) serve(viewMirror);
  c.form = null;
  if (c.other !== null) forget(c.other);
}

// After configure(), the fast path serves nothing until the slow path has remembered a pair under
// the new mode (it never asks for the epoch itself: that would be one more test per view).
whenConfigured(() => {
  for (const c of held) forget(c);
  held.length = 0;
  forget(last);
  forget(prior);
  forget(mirror);
  serve(viewMirror);
  mirrorRecord = previousRecord = null;
});

/**
 * Turns a typecode (`'d'`, `'i'`…) into its schema: src/types passes it to
 * {@link makeViewFunction}, the views layer knows no typecodes.
 */
export type ResolveType = (type: string) => Schema;

/** The public `view(type, source, byteOffset?, options?)` (src/types). */
export type ViewFunction = (type: unknown, source: BufferSource, byteOffset?: number, options?: ViewOptions) => unknown;

/**
 * Makes the public `view()` (src/types; `resolve` turns a typecode into its schema): a live view of
 * the schema `type` over `source` at `byteOffset` (relative to `source`). Throws `RangeError` when
 * the region is not inside `source` or not aligned for the type. {@link viewMethod} is the same for
 * `T.view()`.
 *
 * On V8 12 and later the fast path reads the type's own record ({@link VIEWED}; {@link last} for a
 * typecode), takes its first or its second pair by the source, and tests without a branch: each
 * test is a 0/1 value, and `d.getUint8(0 - miss)` (the remembered DataView, never empty once
 * something is remembered) throws for miss = 1, which sends the call to the slow path. With a
 * branch there, V8 12 to 14 (Node 22 to 26) no longer remove the view in a loop that makes one per
 * offset and reads a field of it (see `emitIndexCheck` in codegen/access.ts): 4–5.5× slower. So the
 * record is read inside the `try` with no test of the type first (guarded, `type !== null && typeof
 * type === 'object'`: 3.0–4.8 → 6.3–6.5 ns per view and read on Node 26), and the pair is taken
 * by index from an array literal, `[c, c.other][Number(source !== c.source)]`, which the engine
 * removes (`source === c.source ? c : c.other` is a branch: ~4 → ~12 ns on Node 22 to 26; an index
 * into an array kept in the record cost one type over one buffer 3–5 ns more on Node 22 and 24:
 * 6.4 → 3.6–4.3 ns on Node 24 with the literal, in-process A/B). The branching form (Node 20)
 * calls {@link mirrorView}: the function of the pair served last where that pair is the first its
 * schema's record remembered (the pair in constants of its closure), else {@link viewMirror},
 * which serves {@link mirror}, a copy of the pair served last, whatever its type (the records are
 * looked at first thing in its slow path).
 *
 * The fast paths have no default parameter value: that is a branch too (the slow path reads a
 * missing `byteOffset` as 0). The fast path is written out in the function itself, not called: through two
 * functions V8 12 to 14 keep the view. On Node 20 a fast path with a default `byteOffset`, called
 * from `view()`, cost 8–11% more per view (pattern 4 of bench/real-use.mjs, four interleaved runs:
 * `view(T, sab, off).x` 3.21–3.59 → 2.91–3.07 ns, `T.view(sab, off).x` 2.93–3.31 → 2.62–2.70 ns);
 * the functions it calls there have none, and the call costs ~0.5 ns against `T.view` (2.64–2.90
 * against 2.15–2.44 ns, pattern 4 on 2026-12-04).
 *
 * This function is one for all types: once its `new` has seen two classes (views of two types
 * in turn, or of another type anywhere before), the engine no longer removes the view (33–53 ns per
 * view and read on Node 20 to 26). `T.view` is a function per structure ({@link viewGetter}).
 * `published` is called with the function that serves best from then on, which the caller makes
 * the public `view` ({@link serve}): on V8 12 and later the function of the pair `view()` last
 * remembered when that pair is its schema's first ({@link remember}), until a pair the records hold
 * is viewed through it ({@link viewAfterMiss}); on Node 20 the function of the pair (or two) served
 * last. Node 22, pattern 4 of bench/real-use.mjs: `view(Particle, sab, off).x` 4.2 → 2.8 ns per
 * view and read, after views of three other types through `view()` 16.2 → 1.8 ns.
 */
export function makeViewFunction(resolve: ResolveType, published?: (f: ViewFunction) => void): ViewFunction {
  resolveTypecode = resolve;
  publish = published;
  if (!BRANCHLESS) {
    madeView = function viewBranching(type: unknown, source: BufferSource, byteOffset?: number, options?: ViewOptions): unknown {
      return mirrorView(type, source, byteOffset, options);
    };
    return madeView;
  }
  madeView = function viewFast(type: unknown, source: BufferSource, byteOffset?: number, options?: ViewOptions): unknown {
    let c: Remembered;
    try {
      c = (type as Keyed)[VIEWED] || last; // (null and undefined throw here, which is a miss too)
      c = [c, c.other as Remembered][Number(source !== c.source)] as Remembered;
      c.d.getUint8(0 - misses(c, type, source, byteOffset as number, options));
    } catch {
      return viewSlow(type, source, byteOffset, options, resolve);
    }
    return new c.C(c.base + (byteOffset as number), c.d);
  };
  return madeView;
}

/**
 * V8 12 and later: where a published pair function of `view()` ({@link Remembered.form}) sends what
 * it does not serve. A pair the records remember is served here and `view` made the function that
 * reads the records again ({@link madeView}): a loop of views of two types in turn through `view()`
 * would otherwise miss the published function every other call, an exception each (2–5 µs). Anything
 * else goes to the slow path, which publishes the function of the pair it remembers when that is
 * its schema's first ({@link remember}; an error publishes nothing: a loop that catches one keeps
 * its function).
 */
function viewAfterMiss(type: unknown, source: BufferSource, byteOffset?: number, options?: ViewOptions): unknown {
  const p = typeof byteOffset === 'number' ? recordPair(type, source, byteOffset, options) : null;
  if (p === null) return viewSlow(type, source, byteOffset, options, resolveTypecode);
  serve(viewMirror);
  return new p.C(p.base + (byteOffset as number), p.d);
}

/**
 * The pair of `type`'s record (its first or its second) that serves a view of `type` over `source`
 * at the relative offset `o` with `options`, or null: the fast paths' tests ({@link misses}), and
 * an `ArrayBuffer` source not detached since (its probe).
 */
function recordPair(type: unknown, source: unknown, o: number, options: unknown): Remembered | null {
  const r = recordOf(type);
  if (misses(r, type, source, o, options) === 0 && r.probe.length !== 0) return r;
  const p = r.other as Remembered;
  return misses(p, type, source, o, options) === 0 && p.probe.length !== 0 ? p : null;
}

/** What the fast paths read a schema's own record through (a typecode or anything else has none). */
interface Keyed {
  readonly [VIEWED]?: Remembered;
}

/**
 * `T.view(source, byteOffset?, options?)`: what {@link makeViewFunction}'s `view()` does, with the
 * type as `this` (its fast path written out here too: see there). `this` is a schema but for a
 * detached call (`const v = T.view; v(…)`), which the slow path refuses by name.
 */
export const viewMethod: ViewMethod = BRANCHLESS
  ? function viewMethod(this: unknown, source: BufferSource, byteOffset?: number, options?: ViewOptions): unknown {
      let c: Remembered;
      try {
        c = (this as Keyed)[VIEWED] as Remembered; // (a detached call's `this` throws, or has none: a miss too)
        c = [c, c.other as Remembered][Number(source !== c.source)] as Remembered;
        c.d.getUint8(0 - misses(c, this, source, byteOffset as number, options));
      } catch {
        return viewSlow(this, source, byteOffset, options, undefined);
      }
      return new c.C(c.base + (byteOffset as number), c.d);
    }
  : function viewMethod(this: unknown, source: BufferSource, byteOffset?: number, options?: ViewOptions): unknown {
      const c = mirror;
      if (
        this === c.type &&
        source === c.source &&
        options === undefined &&
        typeof byteOffset === 'number' &&
        byteOffset >= 0 &&
        byteOffset <= c.maxOffset &&
        byteOffset === Math.floor(byteOffset) &&
        ((c.base + byteOffset) & c.alignMask) === 0 &&
        c.probe.length !== 0
      )
        return new c.C(c.base + byteOffset, c.d);
      return viewSlow(this, source, byteOffset, options, undefined);
    };

/**
 * 1 unless (type, source) is the pair `c` remembers, there are no options and a view of the type
 * fits, aligned, at the relative offset `o` (a safe integer); else 0. An `o` that is not a safe
 * integer fails `Number.isSafeInteger` (a bigint or a symbol throws in the later tests, which also
 * sends the call to the slow path; an object's `valueOf` may run there, before the slow path
 * refuses it).
 */
function misses(c: Remembered, type: unknown, source: unknown, o: number, options: unknown): number {
  return (
    Number(type !== c.type) |
    Number(source !== c.source) |
    Number(options !== undefined) |
    Number(!Number.isSafeInteger(o)) |
    Number(o < 0) |
    Number(o > c.maxOffset) |
    Number(((c.base + o) & c.alignMask) !== 0)
  );
}

/** Everything `view()` and {@link viewMethod} do besides their fast path: other types, other sources, options, errors. */
function viewSlow(type: unknown, source: unknown, offset: unknown, options: ViewOptions | undefined, resolve: ResolveType | undefined): unknown {
  if (!BRANCHLESS && typeof offset === 'number') {
    // Node 20: the type's own pairs, made the one the fast path serves.
    const p = recordPair(type, source, offset, options);
    if (p !== null) return mirrored(p, offset);
  }
  const a = prior;
  if (typeof offset === 'number' && a.probe.length !== 0 && misses(a, type, source, offset, options) === 0) {
    // Served here, and made the first pair of the type's record (its second comes here): a loop
    // that went back to one pair is fast again.
    const c = recordOf(type);
    if (c.type === null) hold(c);
    rotate(c);
    if (!BRANCHLESS) serveMirror(c);
    return new c.C(c.base + offset, c.d);
  }
  const byteOffset = offset === undefined ? 0 : offset;
  const m = made(typeof type === 'string' && resolve !== undefined ? resolve(type) : type, 'view');
  const l = m.layout;
  const checked = options !== undefined && checkedOption(() => subjectOf('view', l.schema), options);
  const mem = memoryOf(source, 'view', l.schema);
  if (!fits(mem, byteOffset, l.size, l.align)) badRegion(subjectOf('view', l.schema), mem, byteOffset, l.size, l.align);
  const o = mem.base + byteOffset;
  if (l.kind === 'sync') return syncMember(l, mem.d, o);
  if (checked) return new (viewClass(l, defaultMode(true)))(o, mem.d);
  const C = classOf(m, mem.stores, mem.near);
  if (mem.stores) storesReady(mem.d, l, m.codegen);
  remember(type, source, C, mem, l, resolve !== undefined);
  return new C(o, mem.d);
}

/**
 * Makes (type, source) the first pair the fast path of `view()` and {@link viewMethod} serves for
 * `type`, when the source's extent is fixed or changes only by a detach (an `ArrayBuffer` that
 * cannot be resized: WebAssembly memory's, a file read into one); the first pair until then becomes
 * the second, the second goes to {@link prior}. On V8 12 and later the public `view` is then the
 * function of that pair when it is its schema's first ({@link Remembered.form}) and `byView`
 * (`view()` asked) or no pair's function is the public `view` (a pair `T.view` remembered first,
 * then viewed through `view()`: its record serves it there, and nothing would be published); a
 * `T.view` of a header elsewhere does not change the function a loop of `view()` calls.
 */
function remember(type: unknown, source: unknown, C: ViewCtor, mem: Memory, l: Layout, byView: boolean): void {
  // An ArrayBuffer's pair is tested for a detach where it is served: without a branch, by the
  // probe `d.getUint8(…)`, which throws once the buffer is detached (not remembered, every view
  // of one cost an exception: Node 22 to 26, 2.3–4.6 µs per view); on Node 20 by `probe`'s length.
  // Node 20 served such pairs from `prior`, in the slow path, until 2026-12-04: a view per offset
  // of WebAssembly memory 16.2 ns, 2.4 from a function of the pair (pattern 4 of bench/real-use.mjs).
  const probe = mem.steady === null ? NEVER_DETACHED : new Uint8Array(mem.steady, 0, Math.min(1, mem.steady.byteLength));
  if (mem.fixed || mem.steady !== null) {
    const c = recordOf(type);
    if (c.type === null) hold(c);
    else rotate(c); // (prior's pair, now the first, is written over)
    fill(c, type, source, C, mem.d, mem.base, mem.limit - l.size, l.align - 1, probe);
    servePair(c);
    if (!BRANCHLESS) serveMirror(c);
    else if (c.form !== null && (byView || mirrorView === viewMirror)) serve(c.form);
  }
}

/**
 * Counts `c`, a record about to remember a pair and remembering none, among those that hold one,
 * making the oldest forget its pair beyond {@link HELD_MAX}.
 */
function hold(c: Remembered): void {
  if (c === last) return;
  held.push(c);
  if (held.length > HELD_MAX) forget(held.shift() as Remembered);
}

/** Makes {@link prior}'s pair the first of the record `c`, its first its second, its second prior's. */
function rotate(c: Remembered): void {
  swap(c.other as Remembered, prior);
  swap(c, c.other as Remembered);
}

/**
 * Node 20: the makers of two-pair functions ({@link duoViewSource}), by the two canonical layouts,
 * four to a pair of layouts: by whether each pair's source is an `ArrayBuffer` (whose probe the
 * function tests, as {@link pairViews}).
 */
const duoViews = new WeakMap<Layout, WeakMap<Layout, (DuoViewMaker | undefined)[]>>();
/** How many makers of two-pair functions were made; past {@link DUO_MAKERS_MAX}, none more. */
let duoViewsMade = 0;
/**
 * At most this many makers of two-pair functions (one `new Function` each, held as long as both
 * layouts): a program that views more pairs of structures in turn than that is served as before,
 * one pair at a time.
 */
const DUO_MAKERS_MAX = 64;

/**
 * Node 20: how many more makers of two-pair functions may be made ({@link DUO_MAKERS_MAX}). For
 * the tests: the files of a test run may share this module, and those that ran first may have
 * made every one.
 */
export function duoMakersLeft(): number {
  return DUO_MAKERS_MAX - duoViewsMade;
}

/** Makes `T.view` and `view(T, …)` functions serving two pairs (src/views/structure-view.ts, {@link duoViewSource}). */
type DuoViewMaker = (...pairs: readonly unknown[]) => { readonly method: ViewMethod; readonly form: ViewFunction };

/**
 * Node 20: the record whose pair {@link mirror} copies, and the one whose pair it copied before
 * (null for none). Records only: the sources are in their pairs, which they let go of when they forget.
 */
let mirrorRecord: Remembered | null = null;
let previousRecord: Remembered | null = null;

/**
 * Node 20: a view at `offset` of the pair `p` (a record's, which the slow path found), which
 * `view()` serves first from now on ({@link mirror}). When `p`'s record is the one served before
 * the pair served now (views of two types in turn through `view()`, or of one type over two
 * buffers) and both are schemas' pairs with code generated: together with that pair, in one function
 * of both ({@link duoViewSource}); else alone ({@link serveMirror}). Two types in turn went to the
 * slow path on every call and made each view: 25 ns per step of two views, 1.8 with the function of
 * both (as through `T.view`; pattern 4 of bench/real-use.mjs). Not for any pair after another: three
 * types in turn would make a function of two pairs on every call, which the loop's code does not
 * keep up with (75 → 230 ns per step in a probe). The function holds its pairs' sources, as
 * {@link mirror} does, until the next pair served replaces it: every path that makes a record
 * forget its pair serves one.
 */
function mirrored(p: Remembered, offset: number): unknown {
  const m = mirror;
  if (p === previousRecord && p !== last && typeof m.type === 'object' && m.type !== null && (m.type !== p.type || m.source !== p.source) && codegenActive()) {
    const both = twoPairViews(m, p);
    if (both !== null) {
      copy(mirror, p);
      previousRecord = mirrorRecord;
      mirrorRecord = p;
      serve(both.form);
      return new p.C(p.base + offset, p.d);
    }
  }
  serveMirror(p);
  return new p.C(p.base + offset, p.d);
}

/**
 * The `T.view` and `view(T, …)` functions of the pairs `a` and `b` hold (a schema's records, or
 * {@link mirror}), from their structures' maker ({@link duoMaker}); null past
 * {@link DUO_MAKERS_MAX}.
 */
function twoPairViews(a: Remembered, b: Remembered): ReturnType<DuoViewMaker> | null {
  const maker = duoMaker(made(a.type, 'view').layout, made(b.type, 'view').layout, a.probe !== NEVER_DETACHED, b.probe !== NEVER_DETACHED);
  if (maker === null) return null;
  return maker(a.type, a.source, a.C, a.base, a.d, a.maxOffset, a.alignMask, a.probe, b.type, b.source, b.C, b.base, b.d, b.maxOffset, b.alignMask, b.probe);
}

/** The maker of two-pair functions for layouts `a` and `b` (their sources probed or not), made on first use; null past {@link DUO_MAKERS_MAX}. */
function duoMaker(a: Layout, b: Layout, probedA: boolean, probedB: boolean): DuoViewMaker | null {
  let byB = duoViews.get(a);
  if (byB === undefined) {
    byB = new WeakMap();
    duoViews.set(a, byB);
  }
  let makers = byB.get(b);
  if (makers === undefined) {
    makers = [];
    byB.set(b, makers);
  }
  const k = Number(probedA) * 2 + Number(probedB);
  let maker = makers[k];
  if (maker === undefined) {
    if (duoViewsMade >= DUO_MAKERS_MAX) return null;
    maker = evaluate<DuoViewMaker>(PAIR_VIEW_PARAMS, duoViewSource(duoViewsMade++, probedA, probedB), [viewSlow, viewMirror]);
    makers[k] = maker;
  }
  return maker;
}

/**
 * Node 20: makes `p`'s pair the one `view()` serves first: {@link mirror}'s, and the function
 * `view()` calls ({@link mirrorView}) the pair's own when `p` has one.
 */
function serveMirror(p: Remembered): void {
  copy(mirror, p);
  previousRecord = mirrorRecord;
  mirrorRecord = p;
  serve(p.form ?? viewMirror);
}

/** Writes the pair of `from` into `to`. */
function copy(to: Remembered, from: Remembered): void {
  fill(to, from.type, from.source, from.C, from.d, from.base, from.maxOffset, from.alignMask, from.probe);
}

/** Exchanges the pairs of `c` and `e`. */
function swap(c: Remembered, e: Remembered): void {
  const { type, source, C, d, base, maxOffset, alignMask, probe } = c;
  fill(c, e.type, e.source, e.C, e.d, e.base, e.maxOffset, e.alignMask, e.probe);
  fill(e, type, source, C, d, base, maxOffset, alignMask, probe);
}

/** Writes a remembered pair into `c`. */
function fill(
  c: Remembered,
  type: unknown,
  source: unknown,
  C: ViewCtor,
  d: DataView,
  base: number,
  maxOffset: number,
  alignMask: number,
  probe: Uint8Array,
): void {
  c.probe = probe;
  c.type = type;
  c.source = source;
  c.C = C;
  c.d = d;
  c.base = base;
  c.maxOffset = maxOffset;
  c.alignMask = alignMask;
}

/** The options of `view()` and `create()`. */
const VIEW_OPTIONS = Object.keys({ checked: true } satisfies Record<keyof ViewOptions, true>);

/** Whether `options` (given: not `undefined`) ask for a checked view; refuses anything but `{ checked?: boolean }`, naming `what` (made only for the message). */
function checkedOption(what: Subject, options: unknown): boolean {
  checkOptions(what, options, VIEW_OPTIONS);
  const { checked } = options as ViewOptions;
  checkBooleanOption(what, 'checked', checked);
  return checked === true;
}

/**
 * A view of the schema `type` over a new zeroed `SharedArrayBuffer` of exactly its size (an
 * `ArrayBuffer` where `SharedArrayBuffer` is unavailable), written from `init` if given: the public
 * `create()` and `T.create()` (src/types), and RawValue, RawArray and copy (src/shared), which
 * pass `what` to be named if the engine cannot allocate the buffer.
 */
export function createOfSchema(type: Schema, init?: unknown, options?: ViewOptions, what?: string): unknown {
  const m = made(type, 'create');
  const l = m.layout;
  let buffer: ArrayBufferLike;
  try {
    buffer = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(l.size) : new ArrayBuffer(l.size);
  } catch (e) {
    throw allocationError(e, what ?? subjectOf('create', l.schema), l.size); // the label only when it is needed
  }
  const d = dataViewOfNew(buffer);
  if (l.kind === 'sync') return syncMember(l, d, 0);
  const checked = options !== undefined && checkedOption(what ?? (() => subjectOf('create', l.schema)), options);
  const stores = !checked && storesOver(buffer);
  const C = checked ? viewClass(l, defaultMode(true)) : classOf(m, stores, nearOver(buffer));
  const v = new C(0, stores ? storesReady(d, l, m.codegen) : d);
  if (init !== undefined) v.$$assign(init);
  return v;
}
