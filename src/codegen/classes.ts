/**
 * View classes: one per (canonical layout, mode), compiled once, for every buffer. A view is an
 * instance holding its byte offset and its buffer's DataView; the classes of nested members sit on
 * the prototype (`$$C<k>`), where optimised code treats them as constants.
 *
 * One class for all buffers means that a call site sees one object shape per schema however many
 * buffers flow through it (a buffer per job, a simulation that reallocates); and since layouts are
 * canonical, equal schemas built separately share the class too, with its optimised code. Where
 * typed-array stores are on (V8 on a little-endian host, src/codegen/store-arrays.ts), views of a fixed-length
 * SharedArrayBuffer (every one: a job's, a reallocated one, a single value's) have their class
 * (`stores`), and views of an ArrayBuffer or a growable buffer another.
 *
 * @module
 */
import type { Layout } from '../layout/types.js';
import type { ViewCtor, ViewInternals } from './access.js';
import { codegenActive } from './evaluate.js';
import { generate, NEAR_BASE_FORM } from './generate.js';
import { interpret } from './interpret.js';
import { installCommonMembers } from './view-methods.js';

/** How a view class is built. */
export interface CompileMode {
  /** Generated code (`true`) or interpreted closures (`false`). */
  readonly codegen: boolean;
  /** Checked stores (see `ViewOptions.checked`). */
  readonly checked: boolean;
  /**
   * Number fields stored through the typed arrays of the view's `DataView` (src/codegen/store-arrays.ts):
   * only for views over a fixed-length `SharedArrayBuffer`, generated unchecked classes, and
   * layouts whose views all sit at offsets aligned for their fields ({@link storesFit}).
   */
  readonly stores?: boolean;
  /**
   * Views only of memory whose every byte offset is at most `NEAR_BASE` (src/views/region.ts
   * `nearOver`): an array's `get(i)`/`set(i, v)` then leave out the test of its base that generate.ts
   * writes on V8 before 12 (`emitIndexed`). Only array layouts, generated unchecked classes, on V8
   * before 12 have such a class of their own; for anything else it is the class without it.
   */
  readonly near?: boolean;
}

/**
 * The view classes of each canonical layout, by mode: `[generated unchecked, generated checked,
 * interpreted unchecked, interpreted checked, generated unchecked with typed stores]`, then the
 * first and last again for near memory ({@link CompileMode.near}).
 */
const classes = new WeakMap<Layout, (ViewCtor | undefined)[]>();

/** The current default mode. */
export function defaultMode(checked = false): CompileMode {
  return { codegen: codegenActive(), checked };
}

/** The class index of a mode in {@link classes}. */
function slot(mode: CompileMode): number {
  return (mode.stores === true ? 4 : (mode.codegen ? 0 : 2) + (mode.checked ? 1 : 0)) + (mode.near === true ? 5 : 0);
}

/** Layouts whose every nested view sits at an offset aligned for it (see {@link storesFit}), by layout. */
const fitting = new WeakMap<Layout, boolean>();

/**
 * Whether a class of `layout` may store through typed arrays: a view's base is a multiple of its
 * layout's alignment (src/views/region.ts `fits`), and so is every nested view's within it unless a
 * packed or `pack`ed parent places a member off its alignment; such a layout keeps `DataView`
 * stores throughout. (Which fields then store through typed arrays is `generate`'s choice: those
 * whose offset is a multiple of their size, in a layout aligned at least to it.)
 */
export function storesFit(layout: Layout): boolean {
  let fit = fitting.get(layout);
  if (fit === undefined) {
    fit = true;
    if (layout.kind === 'struct' || layout.kind === 'union') {
      for (const f of layout.fields) {
        const l = f.layout;
        if (l.kind !== 'struct' && l.kind !== 'union' && l.kind !== 'array') continue;
        if (f.offset % l.align !== 0 || layout.align < l.align || !storesFit(l)) fit = false;
      }
    } else if (layout.kind === 'array') {
      const e = layout.element;
      if ((e.kind === 'struct' || e.kind === 'union' || e.kind === 'array') && (e.size % e.align !== 0 || layout.align < e.align || !storesFit(e))) fit = false;
    }
    fitting.set(layout, fit);
  }
  return fit;
}

/**
 * The view class of `layout` in `mode`: `new (viewClass(l, mode))(byteOffset, dataView)` is a
 * view. Compiled on first use (nested members' classes first), then shared by every view of that
 * structure in this thread.
 */
export function viewClass(layout: Layout, mode: CompileMode): ViewCtor {
  if (mode.near === true && !(NEAR_BASE_FORM && mode.codegen && !mode.checked && layout.kind === 'array'))
    return viewClass(layout, { codegen: mode.codegen, checked: mode.checked, stores: mode.stores === true });
  if (mode.stores === true && (!mode.codegen || mode.checked || !storesFit(layout)))
    return viewClass(layout, { codegen: mode.codegen, checked: mode.checked, near: mode.near === true });
  let byMode = classes.get(layout);
  if (byMode === undefined) {
    byMode = Array.from({ length: 10 }, () => undefined);
    classes.set(layout, byMode);
  }
  const k = slot(mode);
  let C = byMode[k];
  if (C === undefined) {
    C = build(layout, mode);
    byMode[k] = C;
  }
  return C;
}

function build(layout: Layout, mode: CompileMode): ViewCtor {
  const nested: Layout[] = [];
  const nestedIndex = (l: Layout): number => {
    let k = nested.indexOf(l);
    if (k < 0) k = nested.push(l) - 1;
    return k;
  };
  const C = mode.codegen ? generate(layout, mode, nestedIndex) : interpret(layout, mode, (l) => viewClass(l, mode));
  const P = C.prototype as object;
  nested.forEach((l, k) => {
    Object.defineProperty(P, `$$C${k}`, { value: viewClass(l, mode) });
  });
  installCommonMembers(C, layout, (l) => viewClass(l, mode));
  // One instance kept alive, so that the engine keeps the class's object shape (and the optimised
  // code built on it) across garbage collections even while no view of it exists.
  Object.defineProperty(C, '$$keep', { value: new C(0, EMPTY) });
  return C;
}

const EMPTY = new DataView(new ArrayBuffer(0));

/** The prototype of a view class, as the accessors see it. */
export type ViewPrototype = ViewInternals & Record<string, unknown>;
