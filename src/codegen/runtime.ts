/**
 * Helpers that compiled and interpreted accessors both call: strings, 64-bit conversion, checked
 * stores, wide or unaligned bitfields, and error throwers. Generated code receives this object as a
 * parameter; it never reaches anything else.
 *
 * @module
 */
import { rangeError, typeError } from '../errors.js';
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

/** A copy of all `n` bytes of a `char[n]` (ctypes `.raw`). */
export function readRaw(d: DataView, o: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = d.getUint8(o + i);
  return out;
}

/**
 * Writes text (UTF-8) or bytes into a `char[n]` and zeroes the rest. More than `n` bytes is a
 * `RangeError`: a string is never silently cut.
 */
export function writeChar(d: DataView, o: number, n: number, v: unknown, label: string): void {
  let bytes: ArrayLike<number>;
  if (typeof v === 'string') bytes = encoder.encode(v);
  else if (v instanceof Uint8Array || Array.isArray(v)) bytes = v as ArrayLike<number>;
  else throw typeError(label, `takes a string or a Uint8Array (got ${typeof v})`);
  if (bytes.length > n) {
    throw rangeError(
      label,
      `${typeof v === 'string' ? `string of ${bytes.length} UTF-8 bytes` : `${bytes.length} bytes`} do not fit in char[${n}]`,
      `shorten it to at most ${n} bytes`,
    );
  }
  for (let i = 0; i < bytes.length; i++) d.setUint8(o + i, bytes[i] as number);
  for (let i = bytes.length; i < n; i++) d.setUint8(o + i, 0);
}

/** Converts a write to a 64-bit field into a bigint: bigints as they are, integral numbers converted. */
export function toBig(v: unknown, label: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  throw typeError(label, `is a 64-bit integer and takes a bigint or a whole number (got ${describe(v)})`);
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v);
}

/** Checked mode: `v` must be a whole number in [min, max]. */
export function checkInt(v: unknown, min: number, max: number, label: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw rangeError(label, `${describe(v)} is not a whole number from ${min} to ${max}`, 'store a value in range, or use an unchecked view to wrap');
}

/** Checked mode: `v` must be an integer (bigint or number) in [min, max]. */
export function checkBig(v: unknown, min: bigint, max: bigint, label: string): bigint {
  const b = toBig(v, label);
  if (b >= min && b <= max) return b;
  throw rangeError(label, `${describe(v)} is not a whole number from ${min} to ${max}`, 'store a value in range, or use an unchecked view to wrap');
}

/** Checked mode: a bool takes `true`, `false`, 0 or 1. */
export function checkBool(v: unknown, label: string): number {
  if (v === true || v === 1) return 1;
  if (v === false || v === 0) return 0;
  throw rangeError(label, `${describe(v)} is not a boolean`, 'store true or false');
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
  throw rangeError(label, `index ${describe(i)} is out of range`, `use a whole number from 0 to ${length - 1}`);
}

/** Throws for a key in `set({...})` that is not a field. */
export function unknownField(label: string, key: string, names: string): never {
  throw typeError(label, `has no field '${key}'`, `its fields are: ${names}`);
}

/** Throws when bulk `set()` gets more values than fit. */
export function tooMany(label: string, count: number, offset: number, length: number): never {
  throw rangeError(label, `${count} values from offset ${offset} do not fit in ${length} elements`, 'pass fewer values or a smaller offset');
}

/** Throws when an aggregate is assigned something that is not an object. */
export function notObject(label: string, v: unknown): never {
  throw typeError(label, `takes an object or an array of values (got ${describe(v)})`);
}

export { SYNC_KINDS } from './sync-member.js';

/**
 * The synchronization object over the words of a member at byte `o` of `d`'s buffer (cached: see
 * sync-member.ts). `lockCode`/`lockAt` locate the lock member of a condition that names one.
 */
export const syncAt: (code: number, param: number, lockCode: number, lockAt: number, d: DataView, o: number) => unknown = syncMember;

/** Throws for an assignment to a synchronization member. */
export function syncAssign(label: string): never {
  throw typeError(label, 'is a synchronization member and cannot be assigned', 'use its methods (acquire, release, set, wait, …)');
}

/** Everything generated code may call, passed in as one parameter. */
export const RUNTIME = {
  readChar,
  readRaw,
  writeChar,
  toBig,
  checkInt,
  checkBig,
  checkBool,
  readBits,
  writeBits,
  badIndex,
  unknownField,
  tooMany,
  notObject,
  syncAt,
  syncAssign,
} as const;

/** The type of {@link RUNTIME}. */
export type Runtime = typeof RUNTIME;
