/**
 * Members every view class gets besides its accessors: `$buffer`, `$byteOffset`, `$byteLength`,
 * `$schema`; `toObject`/`set` on records; `length`, `set`, `at`, `typed`, `column`, iteration and cursors on arrays;
 * `raw` on strings. Written once, shared by compiled and interpreted classes.
 *
 * @module
 */
import { keepShape } from '../shapes.js';
import type { ArrayLayout, Layout } from '../layout/types.js';
import { typeLabel } from '../kinds/labels.js';
import { describeValue, typeError } from '../errors.js';
import { SHORT_ARRAY, type ViewCtor, type ViewInternals } from './access.js';
import { RUNTIME as R } from './runtime.js';
import { typedArrayMaker } from './typed-array.js';
import { type ColumnMaker, columnMaker } from './column.js';
import { installDisplay } from './view-display.js';
import { cached } from '../memo.js';
import { V8_BEFORE_12 } from '../engine.js';

interface ArrayInternals extends ViewInternals {
  get(i: number): unknown;
  $$setAt(i: number, v: unknown): void;
  $$setMany(a: ArrayLike<unknown>, off: number, n: number): void;
}

interface CursorInternals extends ViewInternals {
  $$base: number;
}

function define(proto: object, name: string | symbol, descriptor: PropertyDescriptor): void {
  Object.defineProperty(proto, name, { configurable: true, enumerable: false, ...descriptor });
}

/** Installs the members shared by all views, and those of the layout's kind. */
export function installCommonMembers(ctor: { prototype: ViewInternals }, layout: Layout, classOf: (l: Layout) => ViewCtor): void {
  const P = ctor.prototype as object;
  define(P, '$buffer', {
    get(this: ViewInternals) {
      return this.$$d.buffer;
    },
  });
  define(P, '$byteOffset', {
    get(this: ViewInternals) {
      return this.$$o;
    },
  });
  define(P, '$byteLength', { value: layout.size });
  define(P, '$schema', { value: layout.schema });
  define(P, '$$layout', { value: layout });
  define(P, Symbol.toStringTag, { value: typeLabel(layout.schema) });
  installDisplay(P, layout);
  switch (layout.kind) {
    case 'struct':
    case 'union':
      define(P, 'toObject', { value: (P as ViewInternals).$$plain, writable: true });
      define(P, 'set', { value: (P as ViewInternals).$$assign, writable: true });
      break;
    case 'array':
      installArrayMethods(ctor, layout, classOf);
      break;
    case 'char': {
      const n = layout.length;
      const label = typeLabel(layout.schema);
      define(P, 'raw', {
        get(this: ViewInternals) {
          return R.readRaw(this.$$d, this.$$o, n);
        },
        set(this: ViewInternals, v: ArrayLike<number>) {
          R.writeChar(this.$$d, this.$$o, n, v instanceof Uint8Array ? v : rawBytes(v, label), label);
        },
        enumerable: true,
      });
      break;
    }
    case 'primitive':
      break;
  }
}

/**
 * The bytes assigned to a `char[n]`'s `raw`: an array-like of whole numbers 0 … 255 (ctypes
 * `.raw` takes bytes; a string or a number is refused, not written as zeros).
 */
function rawBytes(v: unknown, label: string): Uint8Array {
  const length = (v as { length?: unknown } | null)?.length;
  if (v === null || typeof v !== 'object' || typeof length !== 'number') {
    throw typeError(
      'invalid_value',
      `${label}.raw`,
      `takes bytes, a Uint8Array or an array of numbers 0 … 255 (got ${describeValue(v)})`,
      'assign text to .value',
    );
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const b = (v as ArrayLike<unknown>)[i];
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) {
      throw typeError('invalid_value', `${label}.raw`, `byte ${i} is ${describeValue(b)}, not a whole number 0 … 255`);
    }
    out[i] = b;
  }
  return out;
}

/** The array members that are the same for every element type. */
export function installArrayMethods(ctor: { prototype: ViewInternals }, layout: ArrayLayout, classOf: (l: Layout) => ViewCtor): void {
  const P = ctor.prototype as object;
  const n = layout.length;
  const stride = layout.element.size;
  const label = typeLabel(layout.schema);
  define(P, 'length', { value: n });
  // `set(i, v)` for an index, `set(values, offset?)` for many. An index goes straight to
  // `$$setAt`; on V8 12 and later through a method chosen by name, with no branch: with a branch
  // whose other arm returns or calls (the many-values path), TurboFan's code for a loop of
  // `a.set(i, a.get(i) * 0.5 + 1)` over an `array(f32, n)` ran at 3.1 ms per 1M elements on Node 22
  // and 24 against 1.6–1.9 ms calling `$$setAt` itself (the twin over a Float32Array: 0.95 ms);
  // chosen by name, 1.6–1.9. Node 20 is faster with the branch (2.8 against 3.1 ms).
  // bench/typed.mjs, docs/performance.md "Results: arrays of numbers".
  const setFrom = function (this: ArrayInternals, a: unknown, b?: unknown): void {
    if (a === null || typeof a !== 'object') R.notObject(label, a, true); // not a string: 'abc' is not three numbers
    if (typeof (a as Partial<ViewInternals>).$$plain === 'function') a = (a as ViewInternals).$$plain(); // copy from another view
    const count = (a as ArrayLike<unknown>).length;
    const off = b === undefined ? 0 : b;
    if (typeof count !== 'number' || typeof off !== 'number' || !(off >>> 0 === off && off + count <= n)) R.tooMany(label, count, off, n);
    this.$$setMany(a as ArrayLike<unknown>, off as number, count);
  };
  define(P, '$$setFrom', { value: setFrom, writable: true });
  define(P, 'set', {
    value: V8_BEFORE_12
      ? function set(this: ArrayInternals, a: unknown, b?: unknown): void {
          if (typeof a === 'number') {
            this.$$setAt(a, b);
            return;
          }
          setFrom.call(this, a, b);
        }
      : function set(this: ArrayInternals & { $$setFrom(a: unknown, b?: unknown): void }, a: unknown, b?: unknown): void {
          this[typeof a === 'number' ? '$$setAt' : '$$setFrom'](a as number, b);
        },
    writable: true,
  });
  define(P, '$$assign', {
    value(this: ArrayInternals & { set(a: unknown): void }, v: unknown): void {
      if (typeof v === 'number') R.notObject(label, v);
      this.set(v);
    },
    writable: true,
  });
  define(P, 'toArray', { value: (P as ViewInternals).$$plain, writable: true });
  define(P, 'at', {
    value(this: ArrayInternals, i: number): unknown {
      if (typeof i === 'number' && i < 0) {
        if (i + n < 0) R.badIndex(i, n, label); // the index given, not the one it counts back to
        return this.get(i + n);
      }
      return this.get(i);
    },
    writable: true,
  });
  define(P, Symbol.iterator, {
    value(this: ArrayInternals): ElementIterator {
      return new ElementIterator(this, n);
    },
    writable: true,
  });
  const typed = typedArrayMaker(layout, label);
  define(P, 'typed', {
    value(this: ArrayInternals): ArrayLike<number | bigint> {
      return typed(this.$$d, this.$$o);
    },
    writable: true,
  });
  // Made at the first column() of the class: most array classes never make one, and the first
  // view of a structure in a thread compiles what it runs (the first struct() and view take ~4.5 ms
  // on Node 20, 3.3 of them compiling the library's own functions).
  let column: ColumnMaker | null = null;
  define(P, 'column', {
    value(this: ArrayInternals, path: unknown): unknown {
      column ??= columnMaker(layout, label);
      return column(this.$$d, this.$$o, path);
    },
    writable: true,
  });
  // The cursor class, found at the first cursor() of the class and kept here: a loop function that
  // makes its cursor and was compiled after earlier calls of cursor() (a read pass through a cursor,
  // then an update pass) had the lookups (cursorClass's caches, classOf) inlined into it, and
  // TurboFan's inlining budget then left one of the update's setters a call: Node 20, update pass
  // through a cursor 4.2 ms per 1M alone, 9.3 ms after a read pass through one (the core
  // benchmark's full run: sc-cursor update 9.35× the typed-array loop, 2.44× since).
  let Cursor: ViewCtor | null = null;
  define(P, 'cursor', {
    value(this: ArrayInternals, index = 0): CursorInternals {
      Cursor ??= cursorClass(classOf(layout.element), n, stride, label);
      return (new Cursor(this.$$o, this.$$d) as unknown as { $seek(i: number): CursorInternals }).$seek(index);
    },
    writable: true,
  });
}

/** The small iterator that src/shapes.ts keeps alive (made when the library makes its first). */
const smallElementIterator = (): ElementIterator => new ElementIterator({} as ArrayInternals, 1);
let elementIteratorKept = false;

/** `%IteratorPrototype%`: what a generator's iterator inherits from (`[Symbol.iterator]`, and the iterator helpers where the platform has them). */
const ITERATOR_PROTOTYPE = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object;

/**
 * The iterator of an array view (`for…of`, spread, `Array.from`): a plain object rather than a
 * generator, which V8 optimises about 2.5× better in a `for…of` loop. It inherits from
 * `%IteratorPrototype%`, as a generator would, so it is iterable itself and gets the iterator
 * helpers (`map`, `filter`, `take`, …) where the platform has them.
 *
 * `next()` makes one result object and calls `get()` once on every path, also the last: the result
 * that ends the iteration (`done: true`) carries the last element as its value, which `for…of`,
 * spread and `Array.from` ignore. With two result objects (`{ value: undefined, done: true }` at
 * the end), an optimised `for…of` joins them and V8 allocates every result and every element handle:
 * 15–16 young-generation collections in every 400k-element update pass on Node 20 to 26, none once
 * optimised with one (test/views/handles-alloc.test.ts). `value: done ? undefined : handle` in one
 * literal still allocated (Node 20: 125 collections in 12 passes of 1M against 8).
 */
class ElementIterator {
  readonly #view: ArrayInternals;
  /** The last index (every array has at least one element: kinds/limits.ts, `checkLength`). */
  readonly #last: number;
  #i = 0;
  constructor(view: ArrayInternals, n: number) {
    this.#view = view;
    this.#last = n - 1;
    if (!elementIteratorKept) {
      // A flag, not keepShape's lookup on every call: an iterator is made per loop.
      elementIteratorKept = true;
      keepShape(ElementIterator, smallElementIterator);
    }
  }
  next(): IteratorResult<unknown, unknown> {
    const i = this.#i;
    const done = i > this.#last;
    if (!done) this.#i = i + 1;
    return { value: this.#view.get(done ? this.#last : i), done };
  }
}
Object.setPrototypeOf(ElementIterator.prototype, ITERATOR_PROTOTYPE);

const cursors = new WeakMap<ViewCtor, Map<number, ViewCtor>>();

/** The cursor class over `n` elements of class `Element` (cached, with one instance kept alive). */
function cursorClass(Element: ViewCtor, n: number, stride: number, label: string): ViewCtor {
  const byLength = cached(cursors, Element, () => new Map<number, ViewCtor>());
  let C = byLength.get(n);
  if (C === undefined) {
    // Same flat shape as the element class (its members copied, one prototype hop), plus seek/index.
    const Cursor = function (this: CursorInternals, o: number, d: DataView) {
      this.$$o = o;
      this.$$base = o;
      (this as { $$d: DataView }).$$d = d;
    } as unknown as ViewCtor;
    const P = Object.create(Object.getPrototypeOf(Element.prototype) as object) as object;
    const own = Object.getOwnPropertyDescriptors(Element.prototype) as Record<string | symbol, PropertyDescriptor>;
    Reflect.deleteProperty(own, 'constructor');
    Object.defineProperties(P, own);
    // The index test written out (see SHORT_ARRAY): as a call it costs the loop a branch more.
    const seek =
      n <= SHORT_ARRAY
        ? function (this: CursorInternals, i: number): CursorInternals {
            if (!(typeof i === 'number' && i >>> 0 < n && i === (i | 0))) R.badIndex(i, n, `${label} cursor`);
            this.$$o = this.$$base + i * stride;
            return this;
          }
        : function (this: CursorInternals, i: number): CursorInternals {
            if (!(typeof i === 'number' && i >>> 0 === i && i < n)) R.badIndex(i, n, `${label} cursor`);
            this.$$o = this.$$base + i * stride;
            return this;
          };
    const index = {
      get(this: CursorInternals): number {
        return (this.$$o - this.$$base) / stride;
      },
      configurable: true,
    };
    Object.defineProperties(P, {
      constructor: { value: Cursor, writable: true, configurable: true },
      // `$seek`/`$index` always; `seek`/`index` too unless the element has fields of those names,
      // which keep their meaning (a field named `index` reads the field, on a cursor as anywhere).
      $seek: { value: seek, writable: true, configurable: true },
      $index: index,
      ...(!Object.hasOwn(own, 'seek') && { seek: { value: seek, writable: true, configurable: true } }),
      ...(!Object.hasOwn(own, 'index') && { index }),
    });
    (Cursor as { prototype: object }).prototype = P;
    Object.defineProperty(Cursor, '$$keep', { value: new Cursor(0, new DataView(new ArrayBuffer(0))) });
    C = Cursor;
    byLength.set(n, C);
  }
  return C;
}
