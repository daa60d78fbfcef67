/**
 * View classes: one per (canonical layout, mode), compiled once, for every buffer. A view is an
 * instance holding its byte offset and its buffer's DataView; the classes of nested members sit on
 * the prototype (`$$C<k>`), where optimised code treats them as constants.
 *
 * One class for all buffers means that a call site sees one object shape per schema however many
 * buffers flow through it (a buffer per job, a simulation that reallocates); and since layouts are
 * canonical, equal schemas built separately share the class too, with its optimised code.
 *
 * @module
 */
import type { Layout } from '../layout/types.js';
import type { ViewCtor, ViewInternals } from './access.js';
import { codegenActive } from './evaluate.js';
import { generate } from './generate.js';
import { interpret } from './interpret.js';
import { installCommonMembers } from './view-methods.js';

/** How a view class is built. */
export interface CompileMode {
  /** Generated code (`true`) or interpreted closures (`false`). */
  readonly codegen: boolean;
  /** Checked stores (see `ViewOptions.checked`). */
  readonly checked: boolean;
}

/** The view classes of each canonical layout, by mode: `[generated unchecked, generated checked, interpreted unchecked, interpreted checked]`. */
const classes = new WeakMap<Layout, (ViewCtor | undefined)[]>();

/** The current default mode. */
export function defaultMode(checked = false): CompileMode {
  return { codegen: codegenActive(), checked };
}

/** The class index of a mode in {@link classes}. */
function slot(mode: CompileMode): number {
  return (mode.codegen ? 0 : 2) + (mode.checked ? 1 : 0);
}

/**
 * The view class of `layout` in `mode`: `new (viewClass(l, mode))(byteOffset, dataView)` is a
 * view. Compiled on first use (nested members' classes first), then shared by every view of that
 * structure in this thread.
 */
export function viewClass(layout: Layout, mode: CompileMode): ViewCtor {
  let byMode = classes.get(layout);
  if (byMode === undefined) {
    byMode = [undefined, undefined, undefined, undefined];
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
