/**
 * Interpreted view classes, for pages whose Content-Security-Policy forbids `eval`: the same
 * access plans as the generated classes, turned into closures instead of source text.
 *
 * @module
 */
import { internalError, listed } from '../errors.js';
import type { Layout } from '../layout/types.js';
import { typeLabel } from '../kinds/labels.js';
import { makeRead, makeReadPlain, makeWrite, type NestedClass, notIndex, type ViewCtor, type ViewInternals } from './access.js';
import type { CompileMode } from './classes.js';
import { accessOf, membersOf } from './plan.js';
import { RUNTIME as R } from './runtime.js';

/** The interpreted view class of `layout`; `nestedClass` gives the classes of nested members. */
export function interpret(layout: Layout, mode: CompileMode, nestedClass: NestedClass): ViewCtor {
  // Fields declared, not defined: a defined class field would first be set to undefined by an
  // initializer, which changes its representation and kept V8 from removing element handles.
  const V = class {
    declare $$o: number;
    declare $$d: DataView;
    constructor(o: number, d: DataView) {
      this.$$o = o;
      this.$$d = d;
    }
  } as unknown as ViewCtor;
  const P = V.prototype as ViewInternals & Record<string, unknown>;
  const self = typeLabel(layout.schema);
  switch (layout.kind) {
    case 'struct':
    case 'union': {
      const members = membersOf(layout).map((m) => ({
        name: m.name,
        sync: m.access.op === 'sync',
        read: makeRead(m.access, m.offset, nestedClass),
        plain: makeReadPlain(m.access, m.offset, nestedClass),
        write: makeWrite(m.access, m.offset, mode.checked, m.label, nestedClass),
      }));
      const byName = new Map(members.map((m) => [m.name, m]));
      const names = listed(members.map((m) => m.name));
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
          if (!R.own.call(o as object, k)) continue; // own fields only (RUNTIME.own)
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
      const read = makeRead(el, 0, nestedClass);
      const plain = makeReadPlain(el, 0, nestedClass);
      const write = makeWrite(el, 0, mode.checked, `${self} element`, nestedClass);
      // The index check of generated code (emitIndexCheck), with the same operations, written out in
      // get and $$setAt: called as a closure of its own (2026-12-01 to 12-02), it took an update loop
      // over interpreted handles from 1.6–1.9× to 9–11× the DataView twin (Node 20 and 22; 3.9× on
      // Node 24), and back to 1.8–2.6× once written out here (bench/run.mjs, sc-interp-get).
      const fail = (e: unknown, i: unknown): void => R.indexFailed(e, i, n, self);
      P['get'] = function (this: ViewInternals, i: number) {
        const d = this.$$d;
        try {
          d.getUint8(0 - notIndex(i, n));
        } catch (e) {
          fail(e, i);
        }
        return read(this, this.$$o + i * stride);
      };
      P['$$setAt'] = function (this: ViewInternals, i: number, v: unknown) {
        const d = this.$$d;
        try {
          d.getUint8(0 - notIndex(i, n));
        } catch (e) {
          fail(e, i);
        }
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
    case 'sync':
      throw internalError('a synchronization member has no view class');
    case 'primitive':
    case 'char': {
      const a = accessOf(layout);
      const read = makeRead(a, 0, nestedClass);
      const write = makeWrite(a, 0, mode.checked, self, nestedClass);
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
