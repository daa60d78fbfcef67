/**
 * Members every view class gets besides its accessors: `$buffer`, `$byteOffset`, `$byteLength`,
 * `$schema`; `toObject`/`set` on records; `length`, `set`, `at`, iteration and cursors on arrays;
 * `raw` on strings. Written once, shared by compiled and interpreted classes.
 *
 * @module
 */
import type { ArrayLayout, Layout } from '../layout/types.js';
import { typeLabel } from '../types/schema.js';
import type { ViewCtor, ViewInternals } from './access.js';
import type { CompileMode } from './compile.js';
import { RUNTIME as R } from './runtime.js';

interface ArrayInternals extends ViewInternals {
  get(i: number): unknown;
  $$setAt(i: number, v: unknown): void;
  $$setMany(a: ArrayLike<unknown>, off: number, n: number): void;
}

interface CursorInternals extends ViewInternals {
  $$base: number;
  $$i: number;
}

function define(proto: object, name: string | symbol, descriptor: PropertyDescriptor): void {
  Object.defineProperty(proto, name, { configurable: true, enumerable: false, ...descriptor });
}

/** Installs the members shared by all views, and those of the layout's kind. */
export function installCommonMembers(ctor: ViewCtor, layout: Layout, mode: CompileMode, classOf: (l: Layout) => ViewCtor): void {
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
  define(P, Symbol.toStringTag, { value: typeLabel(layout.schema) });
  switch (layout.kind) {
    case 'struct':
    case 'union':
      define(P, 'toObject', { value: (P as ViewInternals).$$plain, writable: true });
      define(P, 'set', { value: (P as ViewInternals).$$assign, writable: true });
      break;
    case 'array':
      installArrayMethods(ctor, layout, mode, classOf);
      break;
    case 'char': {
      const n = layout.length;
      const label = typeLabel(layout.schema);
      define(P, 'raw', {
        get(this: ViewInternals) {
          return R.readRaw(this.$$d, this.$$o, n);
        },
        set(this: ViewInternals, v: ArrayLike<number>) {
          R.writeChar(this.$$d, this.$$o, n, v instanceof Uint8Array ? v : Uint8Array.from(v), label);
        },
        enumerable: true,
      });
      break;
    }
    case 'primitive':
      break;
  }
}

/** The array members that are the same for every element type. */
export function installArrayMethods(ctor: ViewCtor, layout: ArrayLayout, mode: CompileMode, classOf: (l: Layout) => ViewCtor): void {
  const P = ctor.prototype as object;
  const n = layout.length;
  const stride = layout.element.size;
  const label = typeLabel(layout.schema);
  let Cursor: (new (d: DataView, o: number) => CursorInternals) | undefined;
  define(P, 'length', { value: n });
  define(P, 'set', {
    value(this: ArrayInternals, a: unknown, b?: unknown): void {
      if (typeof a === 'number') return this.$$setAt(a, b);
      if (a === null || (typeof a !== 'object' && typeof a !== 'string')) R.notObject(label, a);
      if (typeof (a as Partial<ViewInternals>).$$plain === 'function') a = (a as ViewInternals).$$plain(); // copy from another view
      const count = (a as ArrayLike<unknown>).length;
      const off = b === undefined ? 0 : b;
      if (typeof count !== 'number' || !((off as number) >>> 0 === off && (off as number) + count <= n)) R.tooMany(label, count, off as number, n);
      this.$$setMany(a as ArrayLike<unknown>, off as number, count);
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
      return this.get(typeof i === 'number' && i < 0 ? i + n : i);
    },
    writable: true,
  });
  define(P, Symbol.iterator, {
    *value(this: ArrayInternals): Generator<unknown> {
      for (let i = 0; i < n; i++) yield this.get(i);
    },
    writable: true,
  });
  define(P, 'cursor', {
    value(this: ArrayInternals, index = 0): CursorInternals {
      if (Cursor === undefined) Cursor = cursorClass(classOf(layout.element), n, stride, label);
      const c = new Cursor(this.$$d, this.$$o);
      c.$$base = this.$$o;
      c.$$i = 0;
      return (c as unknown as { seek(i: number): CursorInternals }).seek(index);
    },
    writable: true,
  });
  void mode;
}

function cursorClass(Element: ViewCtor, n: number, stride: number, label: string): new (d: DataView, o: number) => CursorInternals {
  const Base = Element as unknown as new (d: DataView, o: number) => ViewInternals;
  class Cursor extends Base {
    $$base = 0;
    $$i = 0;
    get index(): number {
      return this.$$i;
    }
    seek(i: number): this {
      if (!(i >>> 0 === i && i < n)) R.badIndex(i, n, `${label} cursor`);
      this.$$i = i;
      this.$$o = this.$$base + i * stride;
      return this;
    }
  }
  return Cursor as unknown as new (d: DataView, o: number) => CursorInternals;
}
