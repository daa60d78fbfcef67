/**
 * Reading and writing one member, twice: as source text for compiled accessors (`emit*`) and as
 * closures for the interpreted ones (`read*`/`write*` makers). Each rule's two forms sit side by
 * side so that they stay the same; the whole test suite runs in both modes.
 *
 * Generated code sees only: `d` (the DataView), an offset expression, `v` (the value written),
 * `this.$$C<k>` (the view classes of nested members), `R` (the runtime helpers) and `L` (labels),
 * plus numbers and booleans from the plan. No name or text from a schema is ever part of it.
 *
 * @module
 */
import { assertNever, internalError } from '../errors.js';
import type { Layout } from '../layout/types.js';
import type { Access, BigMethod, NumberMethod } from './plan.js';
import { FLOAT_OVERFLOW, NEAR_BASE, RUNTIME as R } from './runtime.js';
import { STORE_ARRAY } from './store-arrays.js';

/**
 * A view as the accessors see it: the instance holds its byte offset `$$o` and its buffer's
 * DataView `$$d`; the classes of nested members (`$$C<k>`) live on the prototype, where the engine
 * treats them as constants.
 */
export interface ViewInternals {
  readonly $$d: DataView;
  $$o: number;
  $$plain(): unknown;
  $$assign(v: unknown): void;
}

/** A view class: instances are made from a byte offset and the buffer's DataView. */
export type ViewCtor = new (o: number, d: DataView) => ViewInternals;

/**
 * Where emitted code finds nested view classes and labels: `this.$$C<k>`, a label (`L[i]` in a
 * class's code), and `numLabel`, the label as the second argument of the `Q` helper in scope (its
 * index `i` in a class's code, see {@link NUM_HELPER}; the label itself in shared accessors,
 * src/codegen/shared-accessors.ts).
 */
export interface EmitRefs {
  classRef(layout: Layout): string;
  labelRef(label: string): string;
  numLabel(label: string): string;
}

/**
 * The helper every generated class defines for number conversions: `Q(v, i)` is
 * `R.toNum(v, L[i])`. A setter calls it on a path that never runs, and the call's bytecode counts
 * against V8's inlining budget all the same: `Q(v,i)` costs 12 bytes fewer than the call it stands
 * for, which took a setter from 73 to 61 bytes and lets a loop read and write 8 fields per element
 * with its handles removed, where 7 did before (Node 20).
 */
export const NUM_HELPER = 'var Q=function(v,k){return R.toNum(v,L[k])};';

/**
 * The class of a nested member, for the interpreted accessors: they capture the class itself (a
 * constant of the closure), so that the engine can inline its construction and remove element
 * handles, as it does for generated code's `this.$$C<k>`.
 */
export type NestedClass = (layout: Layout) => ViewCtor;

/** Reads member at `o` of view `self`. */
export type Reader = (self: ViewInternals, o: number) => unknown;
/** Writes `v` to the member at `o` of view `self`. */
export type Writer = (self: ViewInternals, o: number, v: unknown) => void;

const num = (n: number): string => {
  if (!Number.isFinite(n)) throw internalError(`not a finite number: ${n}`);
  return Object.is(n, -0) ? '0' : String(n);
};
const big = (n: bigint): string => `${n}n`;

/** The width of a float method's type. */
function floatBits(method: NumberMethod): 16 | 32 | 64 {
  return method === 'Float16' ? 16 : method === 'Float32' ? 32 : 64;
}

/**
 * Source text of the value a checked integer store writes: `v` (an identifier) itself when it is a
 * whole number in [min, max], tested here, else `R.checkInt` (a boolean as 1/0, the errors);
 * `labelRef` is the expression of the field's label (`L[k]`). As {@link emitCheckedFloat} does
 * for floats: with `R.checkInt` inlined into each setter, a checked loop writing all eight fields
 * of a Particle (two of them integers) used up TurboFan's inlining budget and kept its handles
 * (Node 26, 400,000 elements per call: 54 collections in 7 calls and 6.4 ms a call with the float
 * test only, none and 3.0 ms with this one too).
 */
function emitCheckedInt(v: string, min: number, max: number, labelRef: string): string {
  return `(typeof ${v}==='number'&&${v}>=${num(min)}&&${v}<=${num(max)}&&Math.floor(${v})===${v}?${v}:R.checkInt(${v},${num(min)},${num(max)},${labelRef}))`;
}

/**
 * Source text of the value a checked float store writes: `v` (an identifier) itself when it is a
 * number the field holds, tested here (not `NaN`, and for `f32`/`f16` of a magnitude below the
 * one that rounds to Infinity, {@link FLOAT_OVERFLOW}), else `R.checkFloat`, which converts a
 * boolean, lets ±Infinity through and throws for the rest. Through `R.checkFloat` for every value,
 * a checked update pass `p.x += p.vx * DT` on Node 26 made a heap number of each value stored
 * (400,000 elements per call, fresh processes: 118 collections in 7 calls and 5.9 ms a call,
 * against none and 2.0 ms with the test here; Node 24 4.3 → 2.4 ms, Node 20 2.0 → 1.7 ms).
 */
function emitCheckedFloat(v: string, bits: 16 | 32 | 64, labelRef: string): string {
  const max = FLOAT_OVERFLOW[bits];
  const holds = max === null ? `${v}===${v}` : `${v}<${num(max)}&&${v}>${num(-max)}`;
  return `(typeof ${v}==='number'&&${holds}?${v}:R.checkFloat(${v},${num(bits)},${labelRef}))`;
}

/** DataView with the ES2025 half-precision methods (present where `HAS_FLOAT16`; the plan checks first). */
type DataView16 = DataView & {
  getFloat16(at: number, le: boolean): number;
  setFloat16(at: number, v: number, le: boolean): void;
};

// ---- array indices -------------------------------------------------------------------------------

/**
 * Up to this length, "is `i` an index" is tested as `typeof i === 'number' && (i >>> 0) < n &&
 * i === (i | 0)`: for an `i` the engine knows to be a 32-bit integer (a loop counter, a typed-array
 * element) the first and last tests fold away and the middle one is a single unsigned comparison;
 * any other value (a fraction, NaN, a negative number, 2³² + 1, a string, a bigint) fails one of
 * the three. Longer arrays use the general form. The cursors' `seek` (view-methods.ts) writes the
 * two forms out inline (called as a function, the test costs loops one more branch); `get(i)` and
 * `set(i, v)` check without a branch ({@link emitIndexCheck}).
 */
export const SHORT_ARRAY = 2 ** 31;

/**
 * Source of the index check of an array's `get(i)`/`set(i, v)`, written without a branch: the
 * test "`v` is not an index, or the array's byte offset `base` is past `NEAR_BASE`" as a 0/1 value
 * `k` (see {@link notIndex}), then `d.getUint8(0 - k)`, which the DataView's own bounds check turns
 * into a RangeError for k = 1 (offset −1) and reads the view's first byte for k = 0. Optimised code
 * keeps that bounds check as a deoptimisation point instead of a branch: with a branch that throws
 * (even one that never runs), V8 12 to 14 (Node 22 to 26) no longer removes the element handle
 * `get(i)` allocates inside a loop, and a 1M-element handle loop runs 2.6–3× slower
 * (bench/results/handles-engines.md). The catch runs `onFail` (statements with `e`, the error, in
 * scope): see generate.ts, `emitIndexed`. `d` must be a non-empty DataView (every array has at least one byte);
 * `n` is at most `MAX_LENGTH` (< 2³¹), so `v | 0` is `v` for every index.
 *
 * With a `base` (the array's byte offset), the test also fails for a base past `NEAR_BASE`, and
 * past the check {@link emitNearOffset} gives the element's offset: the base is known to be at most
 * `NEAR_BASE`, so `base & NEAR_BASE` is the base, and the compiler, which does not know the range of
 * a number read from an object, learns it from the mask: element and field offsets are then plain
 * 32-bit additions, without the overflow check each addition to the bare base costs on V8 before 12
 * (a 7-field read loop 14–16% faster, an update loop 1–4%, Node 20; on Node 22 to 26 the same form
 * was 3–13% slower before the index mask of {@link emitElementOffset} and ran alike after it, so
 * generate.ts uses it on V8 before 12 only). An array based past 1 GiB then takes the long way,
 * through the catch.
 */
export function emitIndexCheck(v: string, n: number, d: string, base: string | null, onFail: string): string {
  // The base test as a 0/1 number, not a boolean: for an array V8 knows to be constant it folds to
  // the constant 0, where a folded `false` costs optimised code (Node 20) a round trip to a slow
  // path for its numeric value on every call.
  const far = base === null ? '' : `|(${base}>${num(NEAR_BASE)}?1:0)`;
  const k = `((${v}>>>0)>=${num(n)}|${v}!==(${v}|0)${far})`;
  return `try{${d}.getUint8(0-${k})}catch(e){${onFail}}`;
}

/**
 * The smallest mask `2ᵏ − 1` that keeps every index of an `n`-element array as it is (`i & mask`
 * is `i` for `0 ≤ i < n`): 0 for one element, 1023 for 1000, 0xfffff for 1M.
 */
export function indexMask(n: number): number {
  return n <= 1 ? 0 : 0xffff_ffff >>> Math.clz32(n - 1);
}

/**
 * Source of the byte offset of element `i` of an `n`-element array at `base`, once
 * {@link emitIndexCheck} has passed: `base + (i & mask) * stride`. The mask (see {@link indexMask})
 * changes no valid index, and tells the compiler the range of `i` that the branchless check does
 * not: the multiplication and each field's addition then need no overflow check (with `near`, where
 * the check covered the base, `base & NEAR_BASE` does the same for the base). Measured on the core
 * benchmark's Particle loops (`sc-get` against the best hand-written loop, old and new code run
 * alternately): the read pass 1.29–1.84× → 1.11–1.23× on Node 20 (seven runs of eight) and
 * 1.33–1.39× → 0.99–1.06× on Node 22, the update pass 1.86–2.45× → 1.51–1.98× on Node 20 and
 * 1.85–1.90× → 1.53–1.83× on Node 22; Node 24 and 26 within the noise of their runs, but for
 * Node 26's read pass (1.27–1.35× → 1.02–1.11×). See docs/performance.md, "Why it is fast".
 */
export function emitElementOffset(base: string, i: string, n: number, stride: number, near: boolean): string {
  const from = near ? `(${base}&${num(NEAR_BASE)})` : base;
  return `${from}+(${i}&${num(indexMask(n))})*${num(stride)}`;
}

/**
 * The interpreted twin of {@link emitIndexCheck}'s test: 1 if `i` is not an index below `n`, else
 * 0, computed with the same operations (so a value with a `valueOf` sees the same calls in both
 * modes).
 */
export function notIndex(i: unknown, n: number): number {
  const v = i as number;
  return Number(v >>> 0 >= n) | Number(v !== (v | 0));
}

// ---- bitfields in 32-bit integer math (span ≤ 4 bytes) ------------------------------------------

function emitRawRead(span: number, le: boolean, at: string): string {
  switch (span) {
    case 1:
      return `d.getUint8(${at})`;
    case 2:
      return `d.getUint16(${at},${le})`;
    case 3:
      return le ? `(d.getUint16(${at},true)|d.getUint8(${at}+2)<<16)` : `(d.getUint16(${at},false)<<8|d.getUint8(${at}+2))`;
    default:
      return `d.getUint32(${at},${le})`;
  }
}
function rawRead(d: DataView, at: number, span: number, le: boolean): number {
  switch (span) {
    case 1:
      return d.getUint8(at);
    case 2:
      return d.getUint16(at, le);
    case 3:
      return le ? d.getUint16(at, true) | (d.getUint8(at + 2) << 16) : (d.getUint16(at, false) << 8) | d.getUint8(at + 2);
    default:
      return d.getUint32(at, le);
  }
}

function emitRawWrite(span: number, le: boolean, at: string, r: string): string {
  switch (span) {
    case 1:
      return `d.setUint8(${at},${r});`;
    case 2:
      return `d.setUint16(${at},${r},${le});`;
    case 3:
      return le ? `d.setUint16(${at},${r},true);d.setUint8(${at}+2,${r}>>>16);` : `d.setUint16(${at},${r}>>>8,false);d.setUint8(${at}+2,${r});`;
    default:
      return `d.setUint32(${at},${r},${le});`;
  }
}
function rawWrite(d: DataView, at: number, span: number, le: boolean, r: number): void {
  switch (span) {
    case 1:
      d.setUint8(at, r);
      return;
    case 2:
      d.setUint16(at, r, le);
      return;
    case 3:
      if (le) {
        d.setUint16(at, r, true);
        d.setUint8(at + 2, r >>> 16);
      } else {
        d.setUint16(at, r >>> 8, false);
        d.setUint8(at + 2, r);
      }
      return;
    default:
      d.setUint32(at, r, le);
  }
}

type BitsAccess = Extract<Access, { op: 'bits' }>;

/** The values a bitfield of up to 32 bits holds (exact in doubles). */
function bitRange(a: BitsAccess): { min: number; max: number } {
  if (a.value === 'bool') return { min: 0, max: 1 };
  return a.signed ? { min: -(2 ** (a.width - 1)), max: 2 ** (a.width - 1) - 1 } : { min: 0, max: 2 ** a.width - 1 };
}

/** The values a 64-bit-typed bitfield holds, computed in bigint (a double cannot say 2^63 − 1). */
function bigRange(a: BitsAccess): { min: bigint; max: bigint } {
  const w = BigInt(a.width);
  return a.signed ? { min: -(1n << (w - 1n)), max: (1n << (w - 1n)) - 1n } : { min: 0n, max: (1n << w) - 1n };
}

/**
 * The byte order argument of a `DataView` number method: none for one byte (`getUint8`/`setInt8`…
 * take none), which keeps an accessor 2 bytes of bytecode shorter within V8's inlining budget.
 */
function endianArg(a: { readonly method: NumberMethod; readonly le: boolean }): string {
  return a.method === 'Uint8' || a.method === 'Int8' ? '' : `,${a.le}`;
}

/**
 * Source of the number a number-valued field stores: `v` itself when it is one (the common case,
 * folded away by the engine), else converted or refused. With a `guard` (an expression true for
 * every view, see {@link emitWrite}), a number also goes through the conversion when the guard is
 * false, which it never is (`R.toNum` returns a number as it is). `label` is the source of the
 * field's label as `Q`'s second argument (`EmitRefs.numLabel`).
 */
function emitNum(v: string, label: string, guard: string | undefined): string {
  return `(typeof ${v}==='number'${guard === undefined ? '' : `&&${guard}`}?${v}:Q(${v},${label}))`;
}

// ---- reads ---------------------------------------------------------------------------------------

/** Source text of an expression reading member `a` at offset expression `at` (`d` in scope). */
export function emitRead(a: Access, at: string, refs: EmitRefs): string {
  switch (a.op) {
    case 'number':
      return `d.get${a.method}(${at}${endianArg(a)})`;
    case 'bool':
      return `d.getUint8(${at})!==0`;
    case 'bigint':
      return `d.get${a.method}(${at},${a.le})`;
    case 'char':
      return `R.readChar(d,${at},${num(a.length)})`;
    case 'bits': {
      if (!a.fast) return `R.readBits(d,${at},${num(a.span)},${num(a.shift)},${num(a.width)},${a.signed},${a.le},${a.value === 'bigint'})`;
      const raw = emitRawRead(a.span, a.le, at);
      if (a.value === 'bool') return `((${raw}>>>${num(a.shift)}&1)!==0)`;
      if (a.signed) return `(${raw}<<${num(32 - a.shift - a.width)}>>${num(32 - a.width)})`;
      if (a.width === 32) return `(${raw}>>>0)`;
      return `(${raw}>>>${num(a.shift)}&${num(2 ** a.width - 1)})`;
    }
    case 'view':
      return `new ${refs.classRef(a.layout)}(${at},d)`;
    case 'sync':
      return `R.syncAt(${num(a.code)},${num(a.param)},${num(a.lockCode)},${num(a.lockAt)},d,${at})`;
    default:
      return assertNever(a, 'access');
  }
}

/** A DataView method by name, as a direct call: one small function per method. */
type Get<T> = (d: DataView, at: number, le: boolean) => T;
type Set<T> = (d: DataView, at: number, v: T, le: boolean) => void;

/**
 * The DataView methods the interpreted accessors call, each in a function of its own that calls it
 * directly (`d.getFloat64(…)`): a call through `DataView.prototype.getFloat64.call(d, …)` is not
 * one V8 turns into a memory access when the DataView comes from the view rather than from a
 * constant, and then it keeps every element handle of a loop allocated.
 */
const GET = {
  Int8: (d, at) => d.getInt8(at),
  Uint8: (d, at) => d.getUint8(at),
  Int16: (d, at, le) => d.getInt16(at, le),
  Uint16: (d, at, le) => d.getUint16(at, le),
  Int32: (d, at, le) => d.getInt32(at, le),
  Uint32: (d, at, le) => d.getUint32(at, le),
  Float16: (d, at, le) => (d as DataView16).getFloat16(at, le),
  Float32: (d, at, le) => d.getFloat32(at, le),
  Float64: (d, at, le) => d.getFloat64(at, le),
} as const satisfies Record<NumberMethod, Get<number>>;
const GET_BIG = {
  BigInt64: (d, at, le) => d.getBigInt64(at, le),
  BigUint64: (d, at, le) => d.getBigUint64(at, le),
} as const satisfies Record<BigMethod, Get<bigint>>;
const SET = {
  Int8: (d, at, v) => d.setInt8(at, v),
  Uint8: (d, at, v) => d.setUint8(at, v),
  Int16: (d, at, v, le) => d.setInt16(at, v, le),
  Uint16: (d, at, v, le) => d.setUint16(at, v, le),
  Int32: (d, at, v, le) => d.setInt32(at, v, le),
  Uint32: (d, at, v, le) => d.setUint32(at, v, le),
  Float16: (d, at, v, le) => (d as DataView16).setFloat16(at, v, le),
  Float32: (d, at, v, le) => d.setFloat32(at, v, le),
  Float64: (d, at, v, le) => d.setFloat64(at, v, le),
} as const satisfies Record<NumberMethod, Set<number>>;
const SET_BIG = {
  BigInt64: (d, at, v, le) => d.setBigInt64(at, v, le),
  BigUint64: (d, at, v, le) => d.setBigUint64(at, v, le),
} as const satisfies Record<BigMethod, Set<bigint>>;

/** Interpreted twin of {@link emitRead}: a function reading member `a` at `o + off`. */
export function makeRead(a: Access, off: number, nestedClass: NestedClass): Reader {
  switch (a.op) {
    case 'number': {
      const get: Get<number> = GET[a.method];
      const le = a.le;
      return (self, o) => get(self.$$d, o + off, le);
    }
    case 'bool':
      return (self, o) => self.$$d.getUint8(o + off) !== 0;
    case 'bigint': {
      const get: Get<bigint> = GET_BIG[a.method];
      const le = a.le;
      return (self, o) => get(self.$$d, o + off, le);
    }
    case 'char': {
      const n = a.length;
      return (self, o) => R.readChar(self.$$d, o + off, n);
    }
    case 'bits': {
      const { span, shift, width, signed, le } = a;
      if (!a.fast) {
        const asBig = a.value === 'bigint';
        return (self, o) => R.readBits(self.$$d, o + off, span, shift, width, signed, le, asBig);
      }
      if (a.value === 'bool') return (self, o) => ((rawRead(self.$$d, o + off, span, le) >>> shift) & 1) !== 0;
      if (signed) return (self, o) => (rawRead(self.$$d, o + off, span, le) << (32 - shift - width)) >> (32 - width);
      if (width === 32) return (self, o) => rawRead(self.$$d, o + off, span, le) >>> 0;
      const mask = 2 ** width - 1;
      return (self, o) => (rawRead(self.$$d, o + off, span, le) >>> shift) & mask;
    }
    case 'view': {
      const C = nestedClass(a.layout);
      return (self, o) => new C(o + off, self.$$d);
    }
    case 'sync': {
      const { code, param, lockCode, lockAt } = a;
      return (self, o) => R.syncAt(code, param, lockCode, lockAt, self.$$d, o + off);
    }
    default:
      return assertNever(a, 'access');
  }
}

/** Source text of an expression reading member `a` as a plain value (aggregates copied out). */
export function emitReadPlain(a: Access, at: string, refs: EmitRefs): string {
  return a.op === 'view' ? `${emitRead(a, at, refs)}.$$plain()` : emitRead(a, at, refs);
}

/** Interpreted twin of {@link emitReadPlain}. */
export function makeReadPlain(a: Access, off: number, nestedClass: NestedClass): Reader {
  const read = makeRead(a, off, nestedClass);
  return a.op === 'view' ? (self, o) => (read(self, o) as ViewInternals).$$plain() : read;
}

// ---- writes --------------------------------------------------------------------------------------

/**
 * Source text of statements writing `v` (an identifier in scope) to member `a` at `at`. In checked
 * mode integer stores are range-checked instead of wrapping.
 *
 * `guard`, given by the generated field setters (generate.ts), is an expression that is true for
 * every view (`o>=0`: a view's byte offset is never negative) added to the unchecked number test,
 * so that a number goes to `R.toNum` when it is false. That branch never runs; it is there for
 * the engine. A loop that stores through element handles and reads a module-level `const`
 * (`p.x += p.vx * DT`) was otherwise peeled by TurboFan (its first iteration copied in front of
 * the loop), and the `const`'s uninitialised-binding check joined the two copies of the handle:
 * escape analysis then kept every handle, one allocation per element on V8 11 to 14
 * (bench/results/handles-engines.md, `update`). A branch out of inlined code to a call never made
 * is a loop exit TurboFan does not peel across. It costs the setter 9 bytes of bytecode, and V8
 * inlines a loop's calls up to a cumulative bytecode budget (920 bytes on Node 20, the getters'
 * 26–27 counted too): with the conversion called through the class's `Q` helper
 * ({@link NUM_HELPER}; a setter was 61 bytes) a loop that reads and writes 8 fields per element
 * keeps its handles removed on Node 20 to 24, 9 do not (with `R.toNum(v,L[i])` written out, 73
 * bytes, 7 did and 8 did not). Only the setters carry it: read loops need their peeling on
 * V8 12 to 14 to remove the handle. Checked stores need no guard: the slow call of
 * `R.checkFloat`/`R.checkInt` (runtime.ts), never made, is the same kind of exit.
 *
 * `dv` is the expression of the `DataView` for the stores that name it once (numbers, bools): a
 * setter passes `this.$$d` instead of a local `d`, 3 bytes fewer (58 since 2026-12-02; a one-byte
 * field also drops the byte-order argument: 57). One more of a Particle's setters then fits beside
 * a channel's reserve and commit (test/channels/inlining.test.ts).
 */
export function emitWrite(a: Access, at: string, v: string, checked: boolean, label: string, refs: EmitRefs, guard?: string, dv = 'd'): string {
  switch (a.op) {
    case 'number': {
      if (!checked) return `${dv}.set${a.method}(${at},${emitNum(v, refs.numLabel(label), guard)}${endianArg(a)});`;
      const l = refs.labelRef(label);
      let value: string;
      if (a.min !== null && a.max !== null) value = emitCheckedInt(v, a.min, a.max, l);
      else value = emitCheckedFloat(v, floatBits(a.method), l);
      return `${dv}.set${a.method}(${at},${value}${endianArg(a)});`;
    }
    case 'bool':
      return `${dv}.setUint8(${at},${checked ? `R.checkBool(${v},${refs.labelRef(label)})` : `${v}?1:0`});`;
    case 'bigint': {
      const l = refs.labelRef(label);
      const value = checked ? `R.checkBig(${v},${big(a.min)},${big(a.max)},${l})` : `(typeof ${v}==='bigint'?${v}:R.toBig(${v},${l}))`;
      return `d.set${a.method}(${at},${value},${a.le});`;
    }
    case 'char':
      return `R.writeChar(d,${at},${num(a.length)},${v},${refs.labelRef(label)});`;
    case 'bits': {
      const l = refs.labelRef(label);
      let value: string;
      if (a.value === 'bigint') value = checked ? `R.checkBig(${v},${big(bigRange(a).min)},${big(bigRange(a).max)},${l})` : `R.toBig(${v},${l})`;
      else if (a.value === 'bool') value = checked ? `R.checkBool(${v},${l})` : `(${v}?1:0)`;
      else value = checked ? `R.checkInt(${v},${num(bitRange(a).min)},${num(bitRange(a).max)},${l})` : emitNum(v, refs.numLabel(label), guard);
      if (!a.fast) return `R.writeBits(d,${at},${num(a.span)},${num(a.shift)},${num(a.width)},${a.le},${value});`;
      if (a.width === 32) return emitRawWrite(a.span, a.le, at, `(${value})`);
      const mask = 2 ** a.width - 1;
      const keep = ~(mask << a.shift);
      return `var r=${emitRawRead(a.span, a.le, at)}&${num(keep)}|((${value})&${num(mask)})<<${num(a.shift)};${emitRawWrite(a.span, a.le, at, 'r')}`;
    }
    case 'view':
      return `${emitRead(a, at, refs)}.$$assign(${v});`;
    case 'sync':
      return `R.syncAssign(${refs.labelRef(label)});`;
    default:
      return assertNever(a, 'access');
  }
}

/**
 * Source text of a setter body storing `v` to number member `a` at offset `offset` of a view of a
 * layout aligned to `align` (`plus`: the source that adds it to the view's offset, `+24`, none for
 * 0, or the name of a shared accessor's offset, `+K`), through the typed arrays of the view's `DataView`
 * (src/codegen/store-arrays.ts), or `null` when the member cannot be stored so (see
 * {@link emitTypedStoreAt}). On V8 12 and later only the `typeof` test of {@link emitWrite}'s
 * guard: with `o >= 0` beside it V8 12 to 14 keep the handles of a loop that stores this way
 * (bench/results/backend.md, `hand-store`). Before V8 12 (Node 20, `guarded`) the whole guard,
 * `typeof v === 'number' && o >= 0`, on the offset read into a local: that form was faster there
 * than the `DataView` store (update pass 1.46 → 1.30× a typed-array loop in the core benchmark), the
 * `typeof` test alone slower (`hand-store-typeof`).
 */
export function emitTypedStore(
  a: Access,
  offset: number,
  plus: string,
  align: number,
  v: string,
  label: string,
  refs: EmitRefs,
  guarded: boolean,
): string | null {
  const at = `${guarded ? 'o' : 'this.$$o'}${plus}`;
  const store = emitTypedStoreAt(a, at, offset, align, 'this.$$d', v, label, refs, guarded ? 'o>=0' : undefined);
  if (store === null || !guarded) return store;
  return `var o=this.$$o;${store}`;
}

/**
 * Source text of a statement storing `v` to number member `a` at byte offset expression `at` through
 * the typed arrays of the `DataView` expression `dv` (src/codegen/store-arrays.ts), with the guard
 * of {@link emitWrite}. `at` is a view's base (a multiple of `align`, the alignment of the view's
 * layout) plus `offset` (the member's offset in the layout) plus, for an array's element, a multiple
 * of the element's size. `null` when it cannot be stored so: not a number, `Float16`, a byte order
 * other than the platform's (little-endian, see `TYPED_STORES`), or an `at` that `align` and
 * `offset` do not keep a multiple of the member's size.
 */
export function emitTypedStoreAt(
  a: Access,
  at: string,
  offset: number,
  align: number,
  dv: string,
  v: string,
  label: string,
  refs: EmitRefs,
  guard?: string,
): string | null {
  if (a.op !== 'number' || a.method === 'Float16') return null;
  const t = STORE_ARRAY[a.method];
  if ((!a.le && t.size > 1) || offset % t.size !== 0 || align < t.size) return null;
  const index = t.shift === 0 ? at : `(${at})>>${t.shift}`;
  return `${dv}.${t.array}[${index}]=${emitNum(v, refs.numLabel(label), guard)};`;
}

/** Interpreted twin of {@link emitWrite}. */
export function makeWrite(a: Access, off: number, checked: boolean, label: string, nestedClass: NestedClass): Writer {
  switch (a.op) {
    case 'number': {
      const set: Set<number> = SET[a.method];
      const { le, min, max } = a;
      if (!checked) return (self, o, v) => set(self.$$d, o + off, typeof v === 'number' ? v : R.toNum(v, label), le);
      if (min !== null && max !== null) return (self, o, v) => set(self.$$d, o + off, R.checkInt(v, min, max, label), le);
      const bits = floatBits(a.method);
      return (self, o, v) => set(self.$$d, o + off, R.checkFloat(v, bits, label), le);
    }
    case 'bool':
      if (checked) return (self, o, v) => self.$$d.setUint8(o + off, R.checkBool(v, label));
      return (self, o, v) => self.$$d.setUint8(o + off, v ? 1 : 0);
    case 'bigint': {
      const set: Set<bigint> = SET_BIG[a.method];
      const { le, min, max } = a;
      if (checked) return (self, o, v) => set(self.$$d, o + off, R.checkBig(v, min, max, label), le);
      return (self, o, v) => set(self.$$d, o + off, typeof v === 'bigint' ? v : R.toBig(v, label), le);
    }
    case 'char': {
      const n = a.length;
      return (self, o, v) => R.writeChar(self.$$d, o + off, n, v, label);
    }
    case 'bits': {
      const { span, shift, width, le } = a;
      let convert: (v: unknown) => number | bigint;
      if (a.value === 'bigint') {
        const { min, max } = bigRange(a);
        convert = checked ? (v) => R.checkBig(v, min, max, label) : (v) => R.toBig(v, label);
      } else if (a.value === 'bool') convert = checked ? (v) => R.checkBool(v, label) : (v) => (v ? 1 : 0);
      else {
        const { min, max } = bitRange(a);
        convert = checked ? (v) => R.checkInt(v, min, max, label) : (v) => (typeof v === 'number' ? v : R.toNum(v, label));
      }
      if (!a.fast) return (self, o, v) => R.writeBits(self.$$d, o + off, span, shift, width, le, convert(v));
      if (width === 32) return (self, o, v) => rawWrite(self.$$d, o + off, span, le, convert(v) as number);
      const mask = 2 ** width - 1;
      const keep = ~(mask << shift);
      return (self, o, v) => {
        const d = self.$$d;
        const at = o + off;
        rawWrite(d, at, span, le, (rawRead(d, at, span, le) & keep) | (((convert(v) as number) & mask) << shift));
      };
    }
    case 'view': {
      const C = nestedClass(a.layout);
      return (self, o, v) => new C(o + off, self.$$d).$$assign(v);
    }
    case 'sync':
      return () => R.syncAssign(label);
    default:
      return assertNever(a, 'access');
  }
}
