/**
 * Compiles a layout into view classes.
 *
 * - `viewClass(layout, mode)`: the class with all accessors, compiled once per (layout, mode):
 *   generated code through {@link evaluate}, or the interpreted twin built from closures.
 * - `boundClass(layout, mode, dataView)`: a subclass per buffer whose prototype holds the buffer's
 *   DataView (`$$d`) and the bound classes of nested members (`$$C<k>`). Views are instances of
 *   it and hold only their byte offset. Because the DataView sits on a prototype, the engine can
 *   treat it as a constant in optimised code, as it would a DataView in a hand-written loop.
 *
 * @module
 */
import type { Layout, RecordLayout } from '../layout/types.js';
import { isIdentifier } from '../types/names.js';
import { typeLabel } from '../types/schema.js';
import {
  type BoundCtor,
  type EmitRefs,
  emitRead,
  emitIsIndex,
  emitReadPlain,
  emitWrite,
  SHORT_ARRAY,
  makeRead,
  makeReadPlain,
  makeWrite,
  type NestedKey,
  type ViewInternals,
} from './access.js';
import { codegenActive, evaluate } from './evaluate.js';
import { accessOf, membersOf } from './plan.js';
import { RUNTIME as R } from './runtime.js';
import { installCommonMembers } from './view-methods.js';
import { cached } from '../memo.js';

/** How a view class is built. */
export interface CompileMode {
  /** Generated code (`true`) or interpreted closures (`false`). */
  readonly codegen: boolean;
  /** Checked stores (see `ViewOptions.checked`). */
  readonly checked: boolean;
}

/** The compiled (unbound) class of a layout, with the nested layouts its `$$C<k>` refer to. */
interface ViewClass {
  new (o: number): ViewInternals;
  readonly prototype: ViewInternals;
}

interface Compiled {
  readonly ctor: ViewClass;
  readonly nested: readonly Layout[];
  /** Live buffers with a specialised class of this one. */
  specialized: number;
  /** The generic class (DataView on the instance), made on first use. */
  generic?: BoundCtor;
}

const compiled = new WeakMap<Layout, Map<string, Compiled>>();
const bound = new WeakMap<DataView, Map<Compiled, BoundCtor>>();

/** The current default mode. */
export function defaultMode(checked = false): CompileMode {
  return { codegen: codegenActive(), checked };
}

function compile(layout: Layout, mode: CompileMode): Compiled {
  const key = `${mode.codegen ? 'g' : 'i'}${mode.checked ? 'c' : 'u'}`;
  const byMode = cached(compiled, layout, () => new Map<string, Compiled>());
  let c = byMode.get(key);
  if (c === undefined) {
    const nested: Layout[] = [];
    const nestedIndex = (l: Layout): number => {
      let k = nested.indexOf(l);
      if (k < 0) k = nested.push(l) - 1;
      return k;
    };
    const ctor = mode.codegen ? generate(layout, mode, nestedIndex) : interpret(layout, mode, (l) => `$$C${nestedIndex(l)}`);
    installCommonMembers(ctor, layout, (l, d) => boundClass(l, mode, d));
    c = { ctor, nested, specialized: 0 };
    byMode.set(key, c);
  }
  return c;
}

/** Buffers at least this large get view classes of their own (see {@link boundClass}). */
export const SPECIALIZE_MIN_BYTES = 64 * 1024;
/** At most this many live buffers per compiled class get classes of their own. */
export const SPECIALIZE_MAX = 2;

const released = new FinalizationRegistry<Compiled>((c) => {
  c.specialized--;
});

/**
 * The view class of `layout` for the buffer behind `d`: `new (boundClass(…))(byteOffset, d)` is a
 * view. Two kinds:
 *
 * - **specialised**, for large buffers (≥ {@link SPECIALIZE_MIN_BYTES}, at most
 *   {@link SPECIALIZE_MAX} live ones per compiled class): the DataView sits on the class's own
 *   prototype, where optimised code treats it as a constant, as in a hand-written loop over one
 *   buffer. Instances hold only their offset.
 * - **generic**, for every other buffer: one class per compiled class, the DataView an instance
 *   field. Code touching views of many small buffers (many `create()`d values) then sees one object
 *   shape instead of one per buffer, and stays fast.
 *
 * Both are flat copies of the compiled prototype (one prototype hop), and one instance of each is
 * kept alive so that the engine keeps their shapes, and the optimised code built on them, across
 * garbage collections.
 */
export function boundClass(layout: Layout, mode: CompileMode, d: DataView): BoundCtor {
  const c = compile(layout, mode);
  const own = bound.get(d)?.get(c);
  if (own !== undefined) return own;
  if (d.byteLength >= SPECIALIZE_MIN_BYTES && c.specialized < SPECIALIZE_MAX) {
    c.specialized++;
    released.register(d, c);
    const B = flatClass(c, mode, d);
    cached(bound, d, () => new Map<Compiled, BoundCtor>()).set(c, B);
    return B;
  }
  c.generic ??= flatClass(c, mode, undefined);
  return c.generic;
}

const EMPTY = new DataView(new ArrayBuffer(0));

/** A flat class over `c`'s prototype: specialised to `d`, or generic when `d` is undefined. */
function flatClass(c: Compiled, mode: CompileMode, d: DataView | undefined): BoundCtor {
  const Bound = (d === undefined
    ? function (this: { $$o: number; $$d: DataView }, o: number, dv: DataView) {
        this.$$o = o;
        this.$$d = dv;
      }
    : function (this: ViewInternals, o: number) {
        this.$$o = o;
      }) as unknown as BoundCtor;
  const P = Object.create(Object.getPrototypeOf(c.ctor.prototype) as object) as object;
  const members = Object.getOwnPropertyDescriptors(c.ctor.prototype) as Record<string | symbol, PropertyDescriptor>;
  Reflect.deleteProperty(members, 'constructor');
  Object.defineProperties(P, members);
  Object.defineProperty(P, 'constructor', { value: Bound, writable: true, configurable: true });
  if (d !== undefined) Object.defineProperty(P, '$$d', { value: d });
  c.nested.forEach((l, k) => {
    Object.defineProperty(P, `$$C${k}`, { value: d === undefined ? genericClass(l, mode) : boundClass(l, mode, d) });
  });
  Bound.prototype = P as ViewInternals;
  Object.defineProperty(Bound, '$$keep', { value: new Bound(0, d ?? EMPTY) });
  return Bound;
}

function genericClass(layout: Layout, mode: CompileMode): BoundCtor {
  const c = compile(layout, mode);
  c.generic ??= flatClass(c, mode, undefined);
  return c.generic;
}

/** Whether views of `Ctor` hold their DataView themselves (the generic kind). */
export function isGeneric(Ctor: BoundCtor): boolean {
  return !Object.hasOwn(Ctor.prototype, '$$d');
}

// ---- generated ------------------------------------------------------------------------------------

function assertIdentifier(name: string): string {
  if (!isIdentifier(name)) throw new TypeError(`refusing to generate code for field name ${JSON.stringify(name)}`);
  return name;
}

function generate(layout: Layout, mode: CompileMode, nestedIndex: (l: Layout) => number): ViewClass {
  const labels: string[] = [];
  const refs: EmitRefs = {
    classRef: (l) => `this.$$C${nestedIndex(l)}`,
    labelRef(label) {
      labels.push(label);
      return `L[${labels.length - 1}]`;
    },
  };
  const self = refs.labelRef(typeLabel(layout.schema));
  const lines = ['class V{constructor(o){this.$$o=o}}', 'var P=V.prototype;'];
  switch (layout.kind) {
    case 'struct':
    case 'union':
      lines.push(...emitRecord(layout, mode, refs, self));
      break;
    case 'array': {
      const n = layout.length;
      const stride = layout.element.size;
      const el = accessOf(layout.element);
      const check = `if(!${emitIsIndex('i', n)})R.badIndex(i,${n},${self});`;
      const at = `this.$$o+i*${stride}`;
      const elLabel = `${typeLabel(layout.schema)} element`;
      lines.push(
        `P.get=function(i){${check}var d=this.$$d;return ${emitRead(el, at, refs)}};`,
        `P.$$setAt=function(i,v){${check}var d=this.$$d;${emitWrite(el, at, 'v', mode.checked, elLabel, refs)}};`,
        `P.$$setMany=function(a,off,n){var d=this.$$d;for(var j=0;j<n;j++){var v=a[j];var i=off+j;${emitWrite(el, at, 'v', mode.checked, elLabel, refs)}}};`,
        `P.$$plain=function(){var d=this.$$d,a=new Array(${n});for(var i=0;i<${n};i++){a[i]=${emitReadPlain(el, at, refs)}}return a};`,
      );
      break;
    }
    case 'primitive':
    case 'char': {
      const a = accessOf(layout);
      const label = typeLabel(layout.schema);
      lines.push(
        `Object.defineProperty(P,'value',{get:function(){var d=this.$$d;return ${emitRead(a, 'this.$$o', refs)}},set:function(v){var d=this.$$d;${emitWrite(a, 'this.$$o', 'v', mode.checked, label, refs)}},enumerable:true,configurable:true});`,
        `P.$$plain=function(){var d=this.$$d;return ${emitRead(a, 'this.$$o', refs)}};`,
        `P.$$assign=function(v){var d=this.$$d;${emitWrite(a, 'this.$$o', 'v', mode.checked, label, refs)}};`,
      );
      break;
    }
  }
  lines.push('return V;');
  const names = layout.kind === 'struct' || layout.kind === 'union' ? layout.fields.map((f) => f.name) : [];
  return evaluate<ViewClass>(['R', 'L', 'N'], lines.join('\n'), [R, labels, names]);
}

function emitRecord(layout: RecordLayout, mode: CompileMode, refs: EmitRefs, self: string): string[] {
  const members = membersOf(layout);
  const lines: string[] = [];
  const plain: string[] = [];
  const cases: string[] = [];
  members.forEach((m, index) => {
    const at = `this.$$o+${m.offset}`;
    const write = emitWrite(m.access, at, 'v', mode.checked, m.label, refs);
    lines.push(
      `Object.defineProperty(P,N[${index}],{get:function(){var d=this.$$d;return ${emitRead(m.access, at, refs)}},set:function(v){var d=this.$$d;${write}},enumerable:true,configurable:true});`,
    );
    const key = JSON.stringify(assertIdentifier(m.name));
    if (m.access.op !== 'sync') plain.push(`${key}:${emitReadPlain(m.access, at, refs)}`); // locks are not data
    cases.push(`case ${key}:${write}break;`);
  });
  const names = refs.labelRef(members.map((m) => m.name).join(', '));
  lines.push(
    `P.$$plain=function(){var d=this.$$d;return {${plain.join(',')}}};`,
    `P.$$assign=function(o){if(o===null||typeof o!=='object')R.notObject(${self},o);if(typeof o.$$plain==='function')o=o.$$plain();var d=this.$$d;for(var k in o){var v=o[k];if(v===undefined)continue;switch(k){${cases.join('')}default:R.unknownField(${self},k,${names})}}return this};`,
  );
  return lines;
}

// ---- interpreted ------------------------------------------------------------------------------------

function interpret(layout: Layout, mode: CompileMode, nestedKey: NestedKey): ViewClass {
  const V = class {
    $$o: number;
    constructor(o: number) {
      this.$$o = o;
    }
  } as unknown as ViewClass;
  const P = V.prototype as ViewInternals & Record<string, unknown>;
  const self = typeLabel(layout.schema);
  switch (layout.kind) {
    case 'struct':
    case 'union': {
      const members = membersOf(layout).map((m) => ({
        name: m.name,
        sync: m.access.op === 'sync',
        read: makeRead(m.access, m.offset, nestedKey),
        plain: makeReadPlain(m.access, m.offset, nestedKey),
        write: makeWrite(m.access, m.offset, mode.checked, m.label, nestedKey),
      }));
      const byName = new Map(members.map((m) => [m.name, m]));
      const names = members.map((m) => m.name).join(', ');
      for (const m of members) {
        Object.defineProperty(P, m.name, {
          get(this: ViewInternals) {
            return m.read(this, this.$$o);
          },
          set(this: ViewInternals, v: unknown) {
            m.write(this, this.$$o, v);
          },
          enumerable: true,
          configurable: true,
        });
      }
      P.$$plain = function (this: ViewInternals) {
        const out: Record<string, unknown> = {};
        for (const m of members) if (!m.sync) out[m.name] = m.plain(this, this.$$o); // locks are not data
        return out;
      };
      P.$$assign = function (this: ViewInternals, o: unknown) {
        if (o === null || typeof o !== 'object') R.notObject(self, o);
        if (typeof (o as Partial<ViewInternals>).$$plain === 'function') o = (o as ViewInternals).$$plain(); // copy from another view
        for (const k in o as object) {
          const v = (o as Record<string, unknown>)[k];
          if (v === undefined) continue;
          const m = byName.get(k);
          if (m === undefined) R.unknownField(self, k, names);
          else m.write(this, this.$$o, v);
        }
        return this;
      };
      break;
    }
    case 'array': {
      const n = layout.length;
      const stride = layout.element.size;
      const el = accessOf(layout.element);
      const read = makeRead(el, 0, nestedKey);
      const plain = makeReadPlain(el, 0, nestedKey);
      const write = makeWrite(el, 0, mode.checked, `${self} element`, nestedKey);
      // The index test written out (see emitIsIndex), not called: a call costs loops a branch more.
      const check =
        n <= SHORT_ARRAY
          ? (i: unknown): void => {
              if (!(typeof i === 'number' && i >>> 0 < n && i === (i | 0))) R.badIndex(i, n, self);
            }
          : (i: unknown): void => {
              if (!(typeof i === 'number' && i >>> 0 === i && i < n)) R.badIndex(i, n, self);
            };
      P['get'] = function (this: ViewInternals, i: number) {
        check(i);
        return read(this, this.$$o + i * stride);
      };
      P['$$setAt'] = function (this: ViewInternals, i: number, v: unknown) {
        check(i);
        write(this, this.$$o + i * stride, v);
      };
      P['$$setMany'] = function (this: ViewInternals, a: ArrayLike<unknown>, off: number, count: number) {
        for (let j = 0; j < count; j++) write(this, this.$$o + (off + j) * stride, a[j]);
      };
      P.$$plain = function (this: ViewInternals) {
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = plain(this, this.$$o + i * stride);
        return out;
      };
      break;
    }
    case 'primitive':
    case 'char': {
      const a = accessOf(layout);
      const read = makeRead(a, 0, nestedKey);
      const write = makeWrite(a, 0, mode.checked, self, nestedKey);
      Object.defineProperty(P, 'value', {
        get(this: ViewInternals) {
          return read(this, this.$$o);
        },
        set(this: ViewInternals, v: unknown) {
          write(this, this.$$o, v);
        },
        enumerable: true,
        configurable: true,
      });
      P.$$plain = function (this: ViewInternals) {
        return read(this, this.$$o);
      };
      P.$$assign = function (this: ViewInternals, v: unknown) {
        write(this, this.$$o, v);
      };
      break;
    }
  }
  return V;
}
