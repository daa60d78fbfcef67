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
import type { IntegerName } from '../types/primitives.js';
import { makeRecord } from '../types/record.js';
import type { PrimitiveSchema, RecordSchema, Schema } from '../types/schema.js';
import { C_TYPES } from './target.js';

/** A C type as declared. */
export type CType =
  /** An arithmetic type or a standard typedef (`unsigned int`, `uint8_t`). */
  | { readonly k: 'scalar'; readonly schema: PrimitiveSchema; readonly spelled: string }
  /** Plain `char`: a byte of text. */
  | { readonly k: 'char' }
  | { readonly k: 'record'; readonly rec: RecordEntry }
  | { readonly k: 'enum'; readonly en: EnumEntry }
  /** Any pointer: an address. */
  | { readonly k: 'pointer' }
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
  /** The integer type of its objects, once the definition is complete. */
  underlying: PrimitiveSchema<IntegerName> | null;
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
      return t.schema.name === 'f32' || t.schema.name === 'f64' ? undefined : t.schema;
    case 'char':
      return C_TYPES.char.bitfield;
    case 'enum':
      return t.en.underlying ?? undefined;
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
      return C_TYPES.pointer.schema;
    case 'record': {
      const rec = t.rec;
      if (rec.schema === null)
        fail(
          `${what} has incomplete type ${spell(t)}${rec.defined ? ' (a struct cannot contain itself; use a pointer)' : ''}`,
          at,
          rec.defined ? 'c_syntax' : 'c_syntax',
        );
      if (!big || rec.order === 'big' || rec.schema.options.endian === 'little') return rec.schema;
      rec.little ??= makeRecord(rec.kind, rec.schema.fields, { ...rec.schema.options, endian: 'little' });
      return rec.little;
    }
    case 'enum':
      if (t.en.underlying === null) fail(`${what} has incomplete type ${spell(t)}`, at);
      return t.en.underlying;
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
