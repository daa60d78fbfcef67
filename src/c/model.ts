/**
 * The C types `fromC` reads, before they become schemas: what a declaration declares (a scalar, a
 * struct/union/enum tag, a pointer, an array, …), the tags and typedefs it knows, and the one
 * function that turns a C type into a schema ({@link schemaOf}).
 *
 * @module
 */
import { CSourceError, type ErrorCode, SchemaError, type SourceLocation } from '../errors.js';
import { layout } from '../layout/compute.js';
import { array } from '../types/array.js';
import { char } from '../types/char.js';
import { type IntegerName, isBitfieldCapable } from '../kinds/primitives.js';
import { makeRecord } from '../types/record.js';
import type { PrimitiveSchema, RecordOptions, RecordSchema, Schema } from '../types/schema.js';
import type { TargetTypeKey } from './target.js';

/** A C type as declared. */
export type CType =
  /** An arithmetic type or a standard typedef (`unsigned int`, `uint8_t`); `target`: the member of `target(name)` it is (`long`, `size_t`), if any. */
  | { readonly k: 'scalar'; readonly schema: PrimitiveSchema; readonly spelled: string; readonly target: TargetTypeKey | null }
  /** Plain `char`: a byte of text; as a bitfield, the target's plain char integer. */
  | { readonly k: 'char'; readonly bitfield: PrimitiveSchema<'i8' | 'u8'> }
  | { readonly k: 'record'; readonly rec: RecordEntry }
  | { readonly k: 'enum'; readonly en: EnumEntry }
  /** Any pointer: an address, an unsigned integer of the target's pointer size. */
  | { readonly k: 'pointer'; readonly schema: PrimitiveSchema<'u32' | 'u64'> }
  /** `T[length]`; `length` is `null` for `T[]`. */
  | { readonly k: 'array'; readonly of: CType; readonly length: number | null }
  /** A typedef with `__attribute__((aligned(n)))`: its objects are aligned to `align`. */
  | { readonly k: 'aligned'; readonly of: CType; readonly align: number; readonly name: string }
  | { readonly k: 'function' }
  | { readonly k: 'void' }
  /** A type with no schema (`long double`, `__int128`, …), and why; fine behind a pointer. */
  | { readonly k: 'refused'; readonly spelled: string; readonly why: string };

/** A struct or union tag (or an untagged struct or union). */
export interface RecordEntry {
  readonly kind: 'struct' | 'union';
  readonly tag: string | null;
  /** The schema's name: the tag, or the first typedef name given to an untagged record. */
  name: string | null;
  /** Where it was first declared (then: where it was defined). */
  at: SourceLocation;
  /** Whether a body was read (or is being read). */
  defined: boolean;
  /** The schema, once the definition is complete. */
  schema: RecordSchema | null;
  /** An explicitly little-endian copy, for members of big-endian records (made when first needed). */
  little: RecordSchema | null;
  /** Its scalar storage order. */
  order: 'big' | 'little';
}

/** An enum tag (or an untagged enum). */
export interface EnumEntry {
  readonly tag: string | null;
  at: SourceLocation;
  /** The integer type of its objects, once known (the definition is complete, or the type is fixed). */
  underlying: PrimitiveSchema<IntegerName> | null;
  /** Its schema once defined: an `EnumSchema` of that integer with the constants, or the integer itself when the constants cannot be schema constants. */
  schema: PrimitiveSchema<IntegerName> | null;
  /** The schema's name: the tag, or the first typedef name given to an untagged enum. */
  name: string | null;
  /** Its constants and their values, once defined. */
  constants: readonly (readonly [string, bigint])[];
}

/** Throws a {@link CSourceError}. */
export function fail(message: string, at: SourceLocation, code: ErrorCode = 'c_syntax'): never {
  throw new CSourceError(message, at, code);
}

/**
 * Runs `build` (which uses the schema DSL), turning a `SchemaError` it throws into a
 * {@link CSourceError} at `at` (or at `where(path)` when the error names a member).
 */
export function located<T>(build: () => T, at: SourceLocation, where: (path: string) => SourceLocation | undefined = () => undefined): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof SchemaError && !(e instanceof CSourceError)) throw new CSourceError(e.message, where(e.path) ?? at, e.code, e.path);
    throw e;
  }
}

/** How a C type is written in messages: `unsigned int`, `struct wav_header`, `char[4]`, `pointer`. */
export function spell(t: CType): string {
  switch (t.k) {
    case 'scalar':
      return t.spelled;
    case 'char':
      return 'char';
    case 'record':
      return `${t.rec.kind} ${t.rec.tag ?? '(anonymous)'}`;
    case 'enum':
      return `enum ${t.en.tag ?? '(anonymous)'}`;
    case 'pointer':
      return 'pointer';
    case 'array':
      return `${spell(t.of)}[${t.length ?? ''}]`;
    case 'aligned':
      return t.name;
    case 'function':
      return 'function';
    case 'void':
      return 'void';
    case 'refused':
      return t.spelled;
  }
}

/** The primitive an integer-like C type becomes as a bitfield, or `undefined` for a type that cannot be one. */
export function bitfieldType(t: CType): PrimitiveSchema | undefined {
  switch (t.k) {
    case 'scalar':
      return isBitfieldCapable(t.schema.name) ? t.schema : undefined;
    case 'char':
      return t.bitfield;
    case 'enum':
      return t.en.schema ?? t.en.underlying ?? undefined;
    default:
      return undefined;
  }
}

/**
 * The schema of an object of C type `t`: `char[N]` becomes `char(N)`, pointers the target's
 * address size, enums their underlying integer. `big`: the object sits in a big-endian record,
 * where a record declared without a storage order is little-endian in C (gcc does not pass the
 * order on to types declared elsewhere) and needs saying so in a schema (which would inherit it).
 * `what` names the object in errors (`member 'data' of struct msg`).
 */
export function schemaOf(t: CType, big: boolean, at: SourceLocation, what: string): Schema {
  switch (t.k) {
    case 'scalar':
      return t.schema;
    case 'char':
      return char(1);
    case 'pointer':
      return t.schema;
    case 'record': {
      const rec = t.rec;
      if (rec.schema === null)
        fail(
          `${what} has incomplete type ${spell(t)}${rec.defined ? ' (a struct cannot contain itself; use a pointer)' : ''}`,
          at,
          rec.defined ? 'c_syntax' : 'c_syntax',
        );
      if (!big || rec.order === 'big' || rec.schema.options.endian === 'little') return rec.schema;
      rec.little ??= remake(rec.schema, { ...rec.schema.options, endian: 'little' });
      return rec.little;
    }
    case 'enum': {
      const s = t.en.schema ?? t.en.underlying;
      if (s === null) fail(`${what} has incomplete type ${spell(t)}`, at);
      return s;
    }
    case 'array': {
      const dims: number[] = [];
      let inner: CType = t;
      while (inner.k === 'array') {
        if (inner.length === null) fail(`${what} is a flexible array member (${spell(inner)}): it has no size, so no schema holds it`, at, 'c_unsupported');
        if (inner.length === 0) fail(`${what} is a zero-length array (${spell(inner)}), a GNU extension with no schema`, at, 'c_unsupported');
        dims.push(inner.length);
        inner = inner.of;
      }
      if (inner.k === 'aligned') {
        const natural = layout(schemaOf(inner.of, big, at, what)).align;
        if (inner.align > natural) fail(`${what} is an array of ${inner.name}, whose alignment (${inner.align}) exceeds its size: C refuses such arrays`, at);
        inner = inner.of;
      }
      if (inner.k === 'char') {
        const last = dims.pop() as number;
        const text = located(() => char(last), at);
        return dims.length === 0 ? text : located(() => array(text, dims), at);
      }
      const element = schemaOf(inner, big, at, what);
      return located(() => array(element, dims), at);
    }
    case 'aligned':
      return schemaOf(t.of, big, at, what);
    case 'function':
      return fail(`${what} is a function, not an object (a function pointer is written (*name)(…))`, at);
    case 'void':
      return fail(`${what} has type void`, at);
    case 'refused':
      return fail(`${what} has type ${t.spelled}: ${t.why}`, at, 'c_unsupported');
  }
}

/**
 * For the TypeScript writer: the member of `target(name)` each field of a record `fromC` built was
 * declared as (`long`, `size_t`, `pointer`, …, through arrays), by field index; `null` for the
 * others. (Those members are the fixed-size schemas, so the schema alone cannot say it.)
 */
export const TARGET_MEMBERS = new WeakMap<RecordSchema, readonly (TargetTypeKey | null)[]>();

/** For the TypeScript writer: the member of `target(name)` a declared type is (`typedef unsigned long DWORD_PTR`: `ulong`), by declaration. */
export const DECLARATION_TARGETS = new WeakMap<object, TargetTypeKey>();

/** The member of `target(name)` a C type is (an array's element type, through arrays), or `null`. */
export function targetKeyOf(t: CType): TargetTypeKey | null {
  while (t.k === 'array' || t.k === 'aligned') t = t.of;
  return t.k === 'scalar' ? t.target : t.k === 'pointer' ? 'pointer' : null;
}

/** The record `s` with other options (a typedef's name, an explicit byte order), keeping what {@link TARGET_MEMBERS} says of it. */
export function remake(s: RecordSchema, options: RecordOptions): RecordSchema {
  const r = makeRecord(s.kind, s.fields, options);
  const members = TARGET_MEMBERS.get(s);
  if (members !== undefined) TARGET_MEMBERS.set(r, members);
  return r;
}
