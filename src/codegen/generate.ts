/**
 * Generated view classes: source text built from access plans (numbers, booleans and fixed text
 * only; names reach the code as `N[i]`, never as text) and turned into a class by `evaluate`.
 *
 * @module
 */
import { V8_BEFORE_12 } from '../engine.js';
import { internalError, listed } from '../errors.js';
import type { Layout, RecordLayout } from '../layout/types.js';
import { isIdentifier } from '../kinds/names.js';
import { typeLabel } from '../kinds/labels.js';
import {
  type EmitRefs,
  emitElementOffset,
  emitIndexCheck,
  emitRead,
  emitReadPlain,
  emitTypedStore,
  emitTypedStoreAt,
  emitWrite,
  NUM_HELPER,
  type ViewCtor,
} from './access.js';
import type { CompileMode } from './classes.js';
import { evaluate } from './evaluate.js';
import { type Access, accessOf, type MemberPlan, membersOf } from './plan.js';
import { RUNTIME as R } from './runtime.js';
import { type AccessorMaker, SHARED_PLUS, SHARED_REFS, sharedAccessorMaker } from './shared-accessors.js';
import { ARRAY_ELEMENT_STORES } from './store-arrays.js';

/**
 * Records with more members than this dispatch `set({...})` through a table of setters by name
 * (constant time per key) instead of a `switch` over the names (fastest for a few members, but
 * linear in their number per key).
 */
export const SWITCH_MAX_MEMBERS = 32;

/** Whether arrays index from their masked base ({@link emitIndexed}): on V8 before 12, where it is faster. */
export const NEAR_BASE_FORM = V8_BEFORE_12;

function assertIdentifier(name: string): string {
  if (!isIdentifier(name)) throw internalError(`refusing to generate code for field name ${JSON.stringify(name)}`);
  return name;
}

/** The generated view class of `layout`; `nestedIndex` numbers the classes of nested members (`this.$$C<k>`). */
export function generate(layout: Layout, mode: CompileMode, nestedIndex: (l: Layout) => number): ViewCtor {
  const labels: string[] = [];
  const labelIndex = new Map<string, number>();
  const refs: EmitRefs & { labelIndex(label: string): number } = {
    classRef: (l) => `this.$$C${nestedIndex(l)}`,
    labelIndex(label) {
      let k = labelIndex.get(label);
      if (k === undefined) {
        k = labels.push(label) - 1;
        labelIndex.set(label, k);
      }
      return k;
    },
    labelRef: (label) => `L[${refs.labelIndex(label)}]`,
    numLabel: (label) => String(refs.labelIndex(label)),
  };
  const self = refs.labelRef(typeLabel(layout.schema));
  const shared: AccessorMaker[] = []; // the makers of shared accessors the source calls, as S[k]
  const lines = ['class V{constructor(o,d){this.$$o=o;this.$$d=d}}', 'var P=V.prototype;', NUM_HELPER];
  let setters = false;
  switch (layout.kind) {
    case 'struct':
    case 'union':
      setters = layout.fields.length > SWITCH_MAX_MEMBERS;
      lines.push(...emitRecord(layout, mode, refs, self, shared));
      break;
    case 'array': {
      const n = layout.length;
      const stride = layout.element.size;
      const el = accessOf(layout.element);
      const at = `this.$$o+i*${stride}`;
      const elLabel = `${typeLabel(layout.schema)} element`;
      const store = storeOf(el, mode, refs, elLabel, layout.align);
      lines.push(
        ...emitIndexed(el, n, stride, at, refs, self, store, mode.near === true),
        `P.$$setMany=function(a,off,n){var d=this.$$d;for(var j=0;j<n;j++){var v=a[j];var i=off+j;${store(at)}}};`,
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
    case 'sync':
      throw internalError('a synchronization member has no view class');
  }
  lines.push('return V;');
  const names = layout.kind === 'struct' || layout.kind === 'union' ? layout.fields.map((f) => f.name) : [];
  // The table of setters by name for large records (filled below, from the accessors just made).
  const W: Record<string, (v: unknown) => void> = Object.create(null) as Record<string, (v: unknown) => void>;
  const V = evaluate<ViewCtor>(['R', 'L', 'N', 'W', 'S'], lines.join('\n'), [R, labels, names, W, shared]);
  if (setters) {
    for (const name of names) {
      const set = Object.getOwnPropertyDescriptor(V.prototype, name)?.set;
      if (set !== undefined) W[name] = set;
    }
  }
  return V;
}

/**
 * An array class's `get(i)` and `$$setAt(i, v)` (`at`: element `i`'s offset from the bare base).
 * Their catch (see `emitIndexCheck`) calls a helper
 * of the class, `F` or `G`/`H`, which knows the array's length and label: `get(i)` is 18–21 bytes
 * of bytecode shorter than with the runtime call written out (`R.indexFailed(e,i,n,L[k])`; 127 →
 * 106 bytes, 155 → 137 with the masked base, for Particle; the index mask of `emitElementOffset`
 * and the base test as a number have since made them 120 and 161), and V8 counts a catch's
 * bytecode against its inlining budget although it never runs.
 *
 * On V8 before 12 (Node 20) the index check covers the array's base too: the element offset is
 * then computed from the masked base, without overflow checks; an array based past 1 GiB fails that
 * check, and the catch (`G`, `H`: `R.farIndex`) throws for a bad index or takes the long way
 * through `$$farGet`/`$$farSetAt`, the offset computed from the bare base. A class for near memory
 * (`nearMemory`: views of buffers of at most 1 GiB only, see `CompileMode.near`) leaves the base
 * test out, every base being at most `NEAR_BASE`: random access through `get(i)` on Node 20,
 * 1.66–1.69× → 1.44–1.49× an unchecked `DataView` loop (the test and mask cost ~3 ms per 1M).
 */
function emitIndexed(el: Access, n: number, stride: number, at: string, refs: EmitRefs, self: string, store: Store, nearMemory: boolean): string[] {
  if (!NEAR_BASE_FORM || nearMemory) {
    // Without the base test: on V8 12 and later, from the bare base; in a class for near memory
    // (every base at most NEAR_BASE, `CompileMode.near`), from the masked base, which is the base.
    const check = emitIndexCheck('i', n, 'd', null, 'F(e,i)');
    const offset = emitElementOffset('this.$$o', 'i', n, stride, nearMemory);
    return [
      `var F=function(e,i){R.indexFailed(e,i,${n},${self})};`,
      `P.get=function(i){var d=this.$$d;${check}return ${emitRead(el, offset, refs)}};`,
      `P.$$setAt=function(i,v){var d=this.$$d;${check}${store(offset)}};`,
    ];
  }
  const near = emitElementOffset('o', 'i', n, stride, true);
  const head = 'var d=this.$$d,o=this.$$o;';
  return [
    `var G=function(a,e,i){R.farIndex(e,i,${n},${self},a.$$o);return a.$$farGet(i)};`,
    `var H=function(a,e,i,v){R.farIndex(e,i,${n},${self},a.$$o);a.$$farSetAt(i,v)};`,
    `P.get=function(i){${head}${emitIndexCheck('i', n, 'd', 'o', 'return G(this,e,i)')}return ${emitRead(el, near, refs)}};`,
    `P.$$farGet=function(i){var d=this.$$d;return ${emitRead(el, at, refs)}};`,
    `P.$$setAt=function(i,v){${head}${emitIndexCheck('i', n, 'd', 'o', 'H(this,e,i,v);return')}${store(near)}};`,
    `P.$$farSetAt=function(i,v){var d=this.$$d;${store(at)}};`,
  ];
}

/** Source text of a statement storing `v` (in scope, as is the view's `DataView` as `d`) at a byte offset expression. */
type Store = (at: string) => string;

/**
 * How a number array stores its elements (`set(i, v)`, `$$setMany`): through the `DataView`
 * (`emitWrite`), or, in a class for views over a fixed-length SharedArrayBuffer on V8 12 and later,
 * through its typed arrays where the element can be (`emitTypedStoreAt`: every offset such a view
 * stores at is its base, a multiple of the layout's alignment, plus a multiple of the element's
 * size), with the `DataView` store's guard. An `array(f32, 1M)` updated through `get(i)`/`set(i, v)`,
 * warm: 2.00 → 1.67× a `Float32Array` loop on Node 22 and 24, 2.40 → 2.00× on Node 26; on Node 20
 * 2.23 → 2.49×, so not there (bench/typed.mjs, docs/performance.md "Results: arrays of numbers").
 */
function storeOf(a: Access, mode: CompileMode, refs: EmitRefs, label: string, align: number): Store {
  const typed = mode.stores === true && !mode.checked && ARRAY_ELEMENT_STORES;
  return (at) => (typed ? emitTypedStoreAt(a, at, 0, align, 'd', 'v', label, refs) : null) ?? emitWrite(a, at, 'v', mode.checked, label, refs);
}

/**
 * The bodies of a record member's getter and setter, with `plus` the source that adds the member's
 * offset to the view's (`+24`, none for 0, or a shared accessor's `+K`).
 */
function accessorBodies(m: MemberPlan, plus: string, align: number, mode: CompileMode, refs: EmitRefs): { get: string; set: string } {
  // The setter's store carries the guard `o>=0` (see emitWrite): what keeps loops unpeeled. A
  // store that names its DataView once takes it from `this` without a local (3 bytes of bytecode less of
  // V8's inlining budget per setter, which a loop shares with everything it inlines: see
  // test/channels/inlining.test.ts).
  const oneStore = m.access.op === 'number' || m.access.op === 'bool';
  const store = emitWrite(m.access, `o${plus}`, 'v', mode.checked, m.label, refs, 'o>=0', oneStore ? 'this.$$d' : 'd');
  // In a class for views over a fixed-length SharedArrayBuffer, a number stores through a typed array where it can (emitTypedStore).
  const typed = mode.stores === true ? emitTypedStore(m.access, m.offset, plus, align, 'v', m.label, refs, V8_BEFORE_12) : null;
  return {
    get: `var d=this.$$d;return ${emitRead(m.access, `this.$$o${plus}`, refs)}`,
    set: typed ?? (oneStore ? `var o=this.$$o;${store}` : `var d=this.$$d,o=this.$$o;${store}`),
  };
}

/**
 * A record's accessors, `$$plain` and `$$assign`. Number and bool members get shared accessors
 * (src/codegen/shared-accessors.ts): the source calls the maker `S[k]` with the member's offset and
 * label, and `shared` collects the makers.
 */
function emitRecord(layout: RecordLayout, mode: CompileMode, refs: EmitRefs, self: string, shared: AccessorMaker[]): string[] {
  const members = membersOf(layout);
  const lines: string[] = [];
  const plain: string[] = [];
  const cases: string[] = [];
  members.forEach((m, index) => {
    const plus = m.offset === 0 ? '' : `+${m.offset}`; // the member's offset from the view's (none at 0)
    const at = `this.$$o${plus}`;
    const write = emitWrite(m.access, at, 'v', mode.checked, m.label, refs);
    if (m.access.op === 'number' || m.access.op === 'bool') {
      const body = accessorBodies(m, SHARED_PLUS, layout.align, mode, SHARED_REFS);
      const k = shared.push(sharedAccessorMaker(body.get, body.set)) - 1;
      lines.push(`Object.defineProperty(P,N[${index}],S[${k}](${m.offset},${refs.labelRef(m.label)}));`);
    } else {
      const body = accessorBodies(m, plus, layout.align, mode, refs);
      lines.push(`Object.defineProperty(P,N[${index}],{get:function(){${body.get}},set:function(v){${body.set}},enumerable:true,configurable:true});`);
    }
    const key = JSON.stringify(assertIdentifier(m.name));
    if (m.access.op !== 'sync') plain.push(`${key}:${emitReadPlain(m.access, at, refs)}`); // locks are not data
    cases.push(`case ${key}:${write}break;`);
  });
  const names = refs.labelRef(listed(members.map((m) => m.name)));
  const head = `P.$$assign=function(o){if(o===null||typeof o!=='object')R.notObject(${self},o);if(typeof o.$$plain==='function')o=o.$$plain();var d=this.$$d;for(var k in o){if(!R.own.call(o,k))continue;var v=o[k];if(v===undefined)continue;`;
  const dispatch =
    members.length > SWITCH_MAX_MEMBERS
      ? `var w=W[k];if(w===undefined)R.unknownField(${self},k,${names});w.call(this,v)`
      : `switch(k){${cases.join('')}default:R.unknownField(${self},k,${names})}`;
  lines.push(`P.$$plain=function(){var d=this.$$d;return {${plain.join(',')}}};`, `${head}${dispatch}}return this};`);
  return lines;
}
