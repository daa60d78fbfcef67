/**
 * Helpers that compiled and interpreted accessors both call: strings, 64-bit conversion, checked
 * stores, wide or unaligned bitfields, and error throwers. Generated code receives this object as a
 * parameter; it never reaches anything else.
 *
 * @module
 */
import { named, quoted, rangeError, typeError } from '../errors.js';
import { syncMember } from './sync-member.js';

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Reads a `char[n]` as text up to the first NUL. Works on SharedArrayBuffer in every engine. */
export function readChar(d: DataView, o: number, n: number): string {
  let end = 0;
  let ascii = true;
  for (; end < n; end++) {
    const b = d.getUint8(o + end);
    if (b === 0) break;
    if (b >= 0x80) ascii = false;
  }
  if (ascii) {
    let s = '';
    for (let i = 0; i < end; i++) s += String.fromCharCode(d.getUint8(o + i));
    return s;
  }
  // TextDecoder refuses views of a SharedArrayBuffer in browsers: decode a private copy.
  const copy = new Uint8Array(end);
  for (let i = 0; i < end; i++) copy[i] = d.getUint8(o + i);
  return decoder.decode(copy);
}

/** Whether every UTF-16 code unit of `s` is below 0x80 (its UTF-8 is one byte per character). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** A copy of all `n` bytes of a `char[n]` (ctypes `.raw`). */
export function readRaw(d: DataView, o: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = d.getUint8(o + i);
  return out;
}

/**
 * Writes text (UTF-8) or bytes into a `char[n]` and zeroes the rest. More than `n` bytes is a
 * `RangeError`: a string is never silently cut. A string of at most `n` ASCII characters (names,
 * tags, keys: the common case) is written a byte per character without `TextEncoder`, whose
 * `encode` allocates a `Uint8Array` per call: ~500 → ~40 ns per write of a short name (Node 20,
 * 200k writes of `'p' + i` into a `char(16)`, the concatenation included).
 */
export function writeChar(d: DataView, o: number, n: number, v: unknown, label: string): void {
  let bytes: ArrayLike<number>;
  if (typeof v === 'string') {
    if (v.length <= n && isAscii(v)) {
      const len = v.length;
      for (let i = 0; i < len; i++) d.setUint8(o + i, v.charCodeAt(i));
      for (let i = len; i < n; i++) d.setUint8(o + i, 0);
      return;
    }
    bytes = encoder.encode(v);
  } else if (v instanceof Uint8Array || Array.isArray(v)) bytes = v as ArrayLike<number>;
  else throw typeError('invalid_value', label, `takes a string or a Uint8Array (got ${typeof v})`);
  if (bytes.length > n) {
    throw rangeError(
      'too_long',
      label,
      `${typeof v === 'string' ? `a string of ${bytes.length} UTF-8 bytes does` : `${bytes.length} bytes do`} not fit in char[${n}]`,
      `shorten it to at most ${n} byte${n === 1 ? '' : 's'}`,
    );
  }
  for (let i = 0; i < bytes.length; i++) d.setUint8(o + i, bytes[i] as number);
  for (let i = bytes.length; i < n; i++) d.setUint8(o + i, 0);
}

/**
 * What a number-valued field (an integer of up to 32 bits or a float) takes in an unchecked store:
 * a number, stored as the field's C type would convert it (integers wrap, fractions truncate,
 * `NaN` is 0), or a boolean as 1/0. Anything else is a `TypeError`: a string or a bigint into a
 * number field is almost always a bug upstream, and typed arrays would store it as a silent 0.
 */
export function toNum(v: unknown, label: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw typeError(
    'invalid_value',
    label,
    `takes a number (got ${describe(v)})`,
    typeof v === 'bigint' ? 'convert it with Number(v), or give the field a 64-bit type' : undefined,
  );
}

/** What a 64-bit field takes: a bigint (wrapping to 64 bits, or the bitfield's width), a whole number, or a boolean as 1n/0n. */
export function toBig(v: unknown, label: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  throw typeError('invalid_value', label, `is a 64-bit integer and takes a bigint or a whole number (got ${describe(v)})`);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return quoted(v); // at most QUOTED_MAX characters of it
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return v.toString();
  if (v === null) return 'null';
  if (typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object';
  if (typeof v === 'function') return 'a function';
  return String(v);
}

const IN_RANGE_FIX = 'store a value in range, or use an unchecked view to wrap';

/**
 * Checked mode: an integer field takes a whole number in [min, max] (a boolean counts as 1/0).
 * The common case is tested first, in a function small enough for the engine to inline into the
 * setter (see {@link checkFloat}); everything else goes to {@link checkIntSlow}.
 */
export function checkInt(v: unknown, min: number, max: number, label: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  return checkIntSlow(v, min, max, label);
}

/** {@link checkInt} for every value but a whole number in range: a boolean, or the errors. */
function checkIntSlow(v: unknown, min: number, max: number, label: string): number {
  const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  if (typeof n !== 'number') throw typeError('invalid_value', label, `takes a number (got ${describe(v)})`);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  throw rangeError('out_of_range', label, `${describe(v)} is not a whole number from ${min} to ${max}`, IN_RANGE_FIX);
}

/** Checked mode: a 64-bit field (or 64-bit bitfield) takes a whole number or bigint in [min, max]. */
export function checkBig(v: unknown, min: bigint, max: bigint, label: string): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'boolean') b = v ? 1n : 0n;
  else if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw rangeError('out_of_range', label, `${describe(v)} is not a whole number from ${min} to ${max}`, IN_RANGE_FIX);
    b = BigInt(v);
  } else throw typeError('invalid_value', label, `is a 64-bit integer and takes a bigint or a whole number (got ${describe(v)})`);
  if (b >= min && b <= max) return b;
  throw rangeError('out_of_range', label, `${describe(v)} is not a whole number from ${min} to ${max}`, IN_RANGE_FIX);
}

const F32_MAX = 3.4028234663852886e38;
const F16_MAX = 65504;
/** The smallest magnitudes that round to Infinity in half and single precision. */
const F16_OVERFLOW = 65520;
const F32_OVERFLOW = 2 ** 128 - 2 ** 103;

/**
 * By a float field's width: the smallest magnitude that rounds to Infinity there (none for `f64`),
 * for the test of a checked store that generated setters write out (codegen/access.ts).
 */
export const FLOAT_OVERFLOW = { 16: F16_OVERFLOW, 32: F32_OVERFLOW, 64: null } as const satisfies Record<16 | 32 | 64, number | null>;

/**
 * Checked mode: a float field takes a number that is not `NaN` (a NaN stored in checked mode is
 * almost always a bug upstream; an unchecked view stores it) and, for `f32` and `f16` (`bits` 32,
 * 16), whose magnitude the type can hold (a finite value that would round to ±Infinity is
 * refused). A boolean counts as 1/0.
 *
 * A number the type holds returns at once, in a function small enough for the engine to inline
 * into the setter; the rest is {@link checkFloatSlow}. As one function it was not inlined: the
 * value went through a call, and a checked loop `p.x += p.vx * DT` kept every element handle (4
 * collections per 400,000 elements in every call, Node 20). Generated setters test the common
 * case themselves ({@link FLOAT_OVERFLOW}; codegen/access.ts `emitWrite`) and call this only
 * for the rest: through this function, Node 26 still made a heap number of every value stored
 * (16-17 collections per call of that loop).
 * The slow call, never made, is also the loop exit that keeps TurboFan from peeling the loop (see
 * `emitWrite` in access.ts).
 */
export function checkFloat(v: unknown, bits: number, label: string): number {
  if (typeof v === 'number' && !Number.isNaN(v) && (bits === 64 || !Number.isFinite(v) || Math.abs(v) < (bits === 16 ? F16_OVERFLOW : F32_OVERFLOW))) return v;
  return checkFloatSlow(v, bits, label);
}

/** {@link checkFloat} for every value but a number the type holds: a boolean, or the errors. */
function checkFloatSlow(v: unknown, bits: number, label: string): number {
  const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  if (typeof n !== 'number') throw typeError('invalid_value', label, `takes a number (got ${describe(v)})`);
  if (Number.isNaN(n)) throw rangeError('out_of_range', label, 'NaN is not stored in checked mode', 'store a number, or use an unchecked view to store NaN');
  if (bits < 64 && Number.isFinite(n) && Math.abs(n) >= (bits === 16 ? F16_OVERFLOW : F32_OVERFLOW)) {
    const max = bits === 16 ? F16_MAX : F32_MAX;
    throw rangeError(
      'out_of_range',
      label,
      `${n} is too large for a ${bits}-bit float`,
      `store a value from -${max} to ${max}, or use ${bits === 16 ? 'f32' : 'f64'}`,
    );
  }
  return n;
}

/** Checked mode: a bool takes `true`, `false`, 0 or 1. */
export function checkBool(v: unknown, label: string): number {
  if (v === true || v === 1) return 1;
  if (v === false || v === 0) return 0;
  if (typeof v !== 'number') throw typeError('invalid_value', label, `takes true or false (got ${describe(v)})`);
  throw rangeError('out_of_range', label, `${describe(v)} is not a boolean`, 'store true or false');
}

/** Reads `span` bytes at `o` as an unsigned bigint in the given byte order. */
function readSpan(d: DataView, o: number, span: number, le: boolean): bigint {
  let r = 0n;
  for (let i = 0; i < span; i++) {
    const b = BigInt(d.getUint8(o + (le ? span - 1 - i : i)));
    r = (r << 8n) | b;
  }
  return r;
}

function writeSpan(d: DataView, o: number, span: number, le: boolean, r: bigint): void {
  for (let i = 0; i < span; i++) {
    d.setUint8(o + (le ? i : span - 1 - i), Number(r & 0xffn));
    r >>= 8n;
  }
}

/**
 * Reads a bitfield the general way (any span, any width): the `span` bytes at `o` as one integer in
 * the record's byte order, shifted right by `shift`, `width` bits kept.
 */
export function readBits(d: DataView, o: number, span: number, shift: number, width: number, signed: boolean, le: boolean, asBig: boolean): number | bigint {
  const raw = readSpan(d, o, span, le) >> BigInt(shift);
  const v = signed ? BigInt.asIntN(width, raw) : BigInt.asUintN(width, raw);
  return asBig ? v : Number(v);
}

/** Writes a bitfield the general way (read-modify-write of its `span` bytes); `v` wraps to `width` bits. */
export function writeBits(d: DataView, o: number, span: number, shift: number, width: number, le: boolean, v: number | bigint): void {
  const mask = ((1n << BigInt(width)) - 1n) << BigInt(shift);
  const n = Number(v);
  const big = typeof v === 'bigint' ? v : Number.isFinite(n) ? BigInt(Math.trunc(n)) : 0n;
  const value = (BigInt.asUintN(width, big) << BigInt(shift)) & mask;
  const raw = readSpan(d, o, span, le);
  writeSpan(d, o, span, le, (raw & ~mask) | value);
}

/** Throws the `RangeError` for an index outside an array. */
export function badIndex(i: unknown, length: number, label: string): never {
  throw rangeError('out_of_bounds', label, `index ${describe(i)} is out of range`, `use a whole number from 0 to ${length - 1}`);
}

/**
 * The catch of an array's index check (access.ts, `emitIndexCheck`): the `RangeError` naming the
 * index when `i` is not one, else `e` again (what the probe read threw for a valid index: a
 * detached or shrunk buffer).
 */
export function indexFailed(e: unknown, i: unknown, length: number, label: string): never {
  if (isIndex(i, length)) throw e;
  return badIndex(i, length, label);
}

/** Whether `i` is an index into `length` elements: a whole number from 0 to `length - 1` (`length` < 2³¹). */
function isIndex(i: unknown, length: number): boolean {
  return typeof i === 'number' && i >>> 0 < length && i === (i | 0);
}

/**
 * The largest base offset of an array whose element offsets generated code computes on its fast
 * path (access.ts, `emitIndexCheck`): below 2³⁰, so the compiler knows that a base plus an offset
 * inside the buffer stays a 32-bit integer.
 */
export const NEAR_BASE = 0x3fff_ffff;

/**
 * The catch of a generated array's index check (through the class's helpers, generate.ts
 * `emitIndexed`): returns, for the caller to take the long way, only for a valid index into an
 * array based past {@link NEAR_BASE}; otherwise throws what {@link indexFailed} throws.
 */
export function farIndex(e: unknown, i: unknown, length: number, label: string, base: unknown): void {
  if ((base as number) > NEAR_BASE && isIndex(i, length)) return;
  indexFailed(e, i, length, label);
}

/** Throws for a key in `set({...})` that is not a field. */
export function unknownField(label: string, key: string, names: string): never {
  throw typeError('unknown_field', label, `has no field ${named(key)}`, `its fields are: ${names}`);
}

/** Throws for a bulk `set()` whose values or offset are not usable: not an array-like, an offset that is no index, or more values than fit. */
export function tooMany(label: string, count: unknown, offset: unknown, length: number): never {
  if (typeof count !== 'number') {
    throw typeError(
      'invalid_value',
      label,
      `takes an array or an array-like of values (got an object ${count === undefined ? 'without a length' : `whose length is ${describe(count)}`})`,
      'spread an iterable first: [...values]',
    );
  }
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw typeError('invalid_argument', label, `the offset ${describe(offset)} is not a whole number ≥ 0`);
  }
  throw rangeError('out_of_bounds', label, `${count} values from offset ${offset} do not fit in ${length} elements`, 'pass fewer values or a smaller offset');
}

/**
 * Throws when an aggregate is assigned something that is not an object: a struct or union takes an
 * object of its fields, an array (`array`) an array-like of values or an array view.
 */
export function notObject(label: string, v: unknown, array = false): never {
  throw typeError('invalid_value', label, `${array ? 'takes an array of values or an array view' : 'takes an object of its fields'} (got ${describe(v)})`);
}

export { SYNC_KINDS } from './sync-member.js';

/**
 * The synchronization object over the words of a member at byte `o` of `d`'s buffer (cached: see
 * sync-member.ts). `lockCode`/`lockAt` locate the lock member of a condition that names one.
 */
export const syncAt: (code: number, param: number, lockCode: number, lockAt: number, d: DataView, o: number) => unknown = syncMember;

/** Throws for an assignment to a synchronization member. */
export function syncAssign(label: string): never {
  throw typeError('invalid_value', label, 'is a synchronization member and cannot be assigned', 'use its methods (acquire, release, set, wait, …)');
}

/**
 * `Object.prototype.hasOwnProperty`: `set()` and `create(init)` write the object's own fields
 * only, never ones it inherits (a polluted `Object.prototype` must not reach shared memory). Called
 * as `own.call(o, k)` inside a for…in, which V8 compiles to nothing more than the loop itself.
 */
export const own: (this: object, key: PropertyKey) => boolean = Object.prototype.hasOwnProperty;

/** Everything generated code may call, passed in as one parameter. */
export const RUNTIME = {
  own,
  readChar,
  readRaw,
  writeChar,
  toNum,
  toBig,
  checkInt,
  checkFloat,
  checkBig,
  checkBool,
  readBits,
  writeBits,
  badIndex,
  indexFailed,
  farIndex,
  unknownField,
  tooMany,
  notObject,
  syncAt,
  syncAssign,
} as const;

/** The type of {@link RUNTIME}. */
export type Runtime = typeof RUNTIME;
