/**
 * `fromC(source)`: the struct, union, enum and typedef declarations of a C header as schemas.
 *
 * @module
 */
import { CSourceError, describeValue, type SourceLocation, typeError } from '../errors.js';
import { checkOptions as checkSharedOptions } from '../options.js';
import { layout } from '../layout/compute.js';
import { isIdentifier } from '../kinds/names.js';
import type { Schema } from '../types/schema.js';
import { TARGETS, type TargetName } from '../types/target.js';
import { evaluate } from './expression.js';
import { excerpt } from './lexer.js';
import { DECLARATION_TARGETS, located, schemaOf, spell, targetKeyOf } from './model.js';
import { parse } from './parse.js';
import { type CNote, type IncludeReader, listCursor, preprocess } from './preprocess.js';
import { cTarget, DEFAULT_TARGET } from './target.js';

export type { CNote, IncludedFile, IncludeReader } from './preprocess.js';

/** Options of {@link fromC}. */
export interface FromCOptions {
  /**
   * The name of the source in messages and notes (`wav.h:12:5: …`).
   * @defaultValue `'<source>'`
   */
  readonly file?: string;
  /**
   * The target to read the header for, as its compiler would: its predefined macros (`#if
   * defined(_MSC_VER)`, `__SIZEOF_LONG__`), the size of `long`, `size_t`, `wchar_t` and pointers,
   * the signedness of `char`, its enums, and the layout rules of its records (`layout: 'msvc'` for
   * `'x86_64-windows-msvc'`, `'aarch64'` for `'aarch64-linux-gnu'`). See docs/from-c.md for the
   * compiler `fromC` reads C as on each.
   * @defaultValue `'x86_64-linux-gnu'`
   */
  readonly target?: TargetName;
  /** Macros defined before the source is read (after the target's predefined ones), like `-D` on a compiler's command line: name → replacement text (`{ N: 16, DEBUG: '' }`). */
  readonly defines?: { readonly [name: string]: string | number };
  /**
   * Reads the file of an `#include` other than the standard headers `fromC` knows (`<stdint.h>`,
   * `<stddef.h>`, `<stdbool.h>`, …): return its text (and the name to report it under), or
   * `undefined` when there is no such file. Without a reader (or when it returns `undefined`),
   * the `#include` is skipped with a note, and a type it would have declared is an unknown type.
   */
  readonly include?: IncludeReader;
}

/** A named type of the header: a struct, union or enum tag, or a typedef name. */
export interface CDeclaration extends SourceLocation {
  /** Its key in {@link CHeader.types}: the C name (`wav_header`), or `struct wav_header` where a typedef of another type has the same name. */
  readonly name: string;
  /** How C names it: `struct wav_header`, `enum color`, `DWORD`. */
  readonly c: string;
  readonly kind: 'struct' | 'union' | 'enum' | 'typedef';
  readonly schema: Schema;
}

/** What {@link fromC} read. */
export interface CHeader {
  /**
   * Every named type, by name, in the order the header declares them: struct, union and enum
   * tags and typedef names (a typedef of a struct and its tag are the same schema). An enum is an
   * `EnumSchema` of the integer the compiler picks, with its constants; a pointer an unsigned
   * integer of the target's address size.
   */
  readonly types: { readonly [name: string]: Schema };
  /** The same types as a list, with their C spelling and where they are declared. */
  readonly declarations: readonly CDeclaration[];
  /** Enum constants and the `#define`d macros whose value is an integer constant expression, in order. */
  readonly constants: { readonly [name: string]: number | bigint };
  /** What `fromC` read but did not honour: `#include`s it could not read, ignored pragmas, `#warning`s, identifiers read as 0 in `#if`, typedefs with no schema. */
  readonly notes: readonly CNote[];
  /** The target the header was read for (`options.target`). */
  readonly target: TargetName;
  /** The compiler `fromC` read the header as: `'gcc 12 for x86-64 Linux (System V, LP64)'`, …. */
  readonly compiler: string;
}

/** The most notes kept (the last one says how many more there were). */
const MAX_NOTES = 200;

/**
 * Reads the declarations of a C header, as the compiler of `options.target` reads it, and returns
 * its named types as schemas: structs and unions (nested, with bitfields, C11 anonymous members,
 * `#pragma pack`, `__attribute__((packed, aligned(n)))`, `_Alignas`, `scalar_storage_order`,
 * MSVC's `__declspec(align(n))`), enums (as `EnumSchema`s), typedefs, arrays (`char name[N]`
 * becomes `char(N)`), `_Float16`, with `#define`d and enum constants in array sizes. The
 * preprocessor runs as that compiler's would, with its predefined macros (`#if`, macros,
 * `#include` through `options.include`); functions and variables are read and skipped. Type sizes
 * and layout rules are the target's (`long` is 8 bytes on x86-64 Linux, 4 under MSVC; records read
 * for `'x86_64-windows-msvc'` have `layout: 'msvc'`). docs/from-c.md has the table.
 *
 * C that has no schema (a flexible array member, `long double`, `_Float16` where the compiler has
 * none, an attribute that changes the layout in a way a schema does not express…) or is not valid
 * C is a {@link CSourceError} naming the file, line and column and the construct. Hostile input is
 * safe: the work is linear in the input and every nesting is bounded.
 *
 * @example
 * ```ts
 * import { fromC, sizeof, offsetof } from 'sharedctypes';
 * const { types, constants } = fromC(`
 *   #include <stdint.h>
 *   #define NAME_LEN 12
 *   #pragma pack(push, 1)
 *   typedef struct {
 *     uint8_t  kind;            // @0
 *     uint32_t id;              // @1 (packed)
 *     char     name[NAME_LEN];  // @5: char(12)
 *     unsigned flags : 3;       // bits 0..2 of @17
 *   } record_t;
 *   #pragma pack(pop)
 * `);
 * const Record = types.record_t!;
 * sizeof(Record);           // 18
 * offsetof(Record, 'name'); // 5
 * constants.NAME_LEN;       // 12
 *
 * // the same header as clang for Windows reads it: long is 4 bytes, MSVC's layout rules
 * const win = fromC('typedef struct { long size; void *data; } blob_t;', { target: 'x86_64-windows-msvc' });
 * offsetof(win.types.blob_t!, 'data'); // 8: size @0 (4 bytes), 4 bytes of padding
 * win.compiler;                         // 'clang 14 for x86_64-pc-windows-msvc (MSVC layout, LLP64)'
 * ```
 */
export function fromC(source: string, options: FromCOptions = {}): CHeader {
  if (typeof source !== 'string') throw typeError('invalid_argument', 'fromC()', `source is ${describeValue(source)}`, 'pass the C source text as a string');
  const { file, defines, include, target: targetName } = checkOptions(options);
  const target = cTarget(targetName);
  const notes: CNote[] = [];
  let dropped = 0;
  const note = (at: SourceLocation, message: string): void => {
    if (notes.length < MAX_NOTES) notes.push({ file: at.file, line: at.line, column: at.column, message });
    else dropped++;
  };
  const unread: string[] = [];
  const pp = preprocess(source, {
    file,
    target,
    defines,
    include,
    note,
    unread: (name) => unread.push(name),
  });
  const parsed = parse(pp.tokens, file, unread, target, note);

  // types: typedef names first claim their names, then tags (as `struct x` where a typedef of another type took `x`)
  const declarations: CDeclaration[] = [];
  const byTypedef = new Map<string, Schema>();
  const schemas: (Schema | null)[] = parsed.declared.map((d) => {
    if (d.type.k === 'function' || d.type.k === 'void') return null;
    if (d.type.k === 'record' && d.type.rec.schema === null) return null; // opaque: declared, never defined
    if (d.type.k === 'enum' && d.type.en.schema === null && d.type.en.underlying === null) return null;
    if (d.type.k === 'aligned') {
      note(d.at, `typedef ${d.name} (${spell(d.type.of)} aligned to ${d.type.align}) has no schema of its own; members of that type are aligned`);
      return null;
    }
    let s: Schema;
    try {
      s = schemaOf(d.type, false, d.at, `typedef ${d.name}`);
    } catch (e) {
      // A type over 2^48 bytes is an error, as it is for the compiler ("size of array is too large"), not a type without a schema.
      if (!(e instanceof CSourceError) || e.code === 'too_large') throw e;
      note(d.at, `typedef ${d.name} has no schema: ${e.message.slice(e.message.indexOf(': ') + 2)}`);
      return null;
    }
    located(() => layout(s), d.at); // every layout rule (sizes up to 2^48, …) checked here, where the source can be named
    if (d.kind === 'typedef') byTypedef.set(d.name, s);
    return s;
  });
  const types: Record<string, Schema> = Object.create(null);
  parsed.declared.forEach((d, i) => {
    const schema = schemas[i];
    if (schema === null || schema === undefined) return;
    const taken = byTypedef.get(d.name);
    const name = d.kind !== 'typedef' && taken !== undefined && taken !== schema ? d.c : d.name;
    if (Object.hasOwn(types, name)) return; // a typedef of a struct of the same name: one entry
    types[name] = schema;
    const declaration: CDeclaration = Object.freeze({ name, c: d.c, kind: d.kind, schema, file: d.at.file, line: d.at.line, column: d.at.column });
    const key = d.kind === 'typedef' ? targetKeyOf(d.type) : null;
    if (key !== null) DECLARATION_TARGETS.set(declaration, key);
    declarations.push(declaration);
  });

  const constants: Record<string, number | bigint> = Object.create(null);
  for (const [name, v] of parsed.enumConstants) constants[name] = asNumber(v.value);
  for (const m of pp.macros.values()) {
    if (!m.user || m.params !== null || m.body.length === 0 || Object.hasOwn(constants, m.name)) continue;
    try {
      const tokens = pp.expandName(m);
      const cursor = listCursor(tokens, m.at);
      const v = evaluate(cursor, parsed.host);
      if (cursor.peek() === undefined) constants[m.name] = asNumber(v.value);
    } catch (e) {
      if (!(e instanceof CSourceError)) throw e; // not an integer constant: a type, an attribute, text…
    }
  }
  if (dropped > 0) notes.push({ ...(notes[notes.length - 1] as CNote), message: `… and ${dropped} more notes` });
  return Object.freeze({
    types: Object.freeze(types),
    declarations: Object.freeze(declarations),
    constants: Object.freeze(constants),
    notes: Object.freeze(notes.map((n) => Object.freeze(n))),
    target: target.name,
    compiler: target.compiler,
  });
}

function asNumber(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const FROM_C_OPTIONS = Object.keys({ file: true, target: true, defines: true, include: true } satisfies Record<keyof FromCOptions, true>);

function checkOptions(options: FromCOptions): { file: string; defines: Record<string, string>; include: IncludeReader | undefined; target: TargetName } {
  const bad = (what: string, fix: string): never => {
    throw typeError('invalid_argument', 'fromC()', what, fix);
  };
  checkSharedOptions('fromC()', options, FROM_C_OPTIONS);
  const file = options.file ?? '<source>';
  if (typeof file !== 'string') bad(`options.file is ${describeValue(file)}`, 'pass the file name as a string');
  const target = options.target === undefined ? DEFAULT_TARGET : options.target;
  if (typeof target !== 'string' || !(TARGETS as readonly string[]).includes(target))
    bad(`options.target is ${describeValue(target)}`, `the targets are ${TARGETS.join(', ')}`);
  const defines: Record<string, string> = {};
  if (options.defines !== undefined) {
    if (options.defines === null || typeof options.defines !== 'object')
      bad(`options.defines is ${describeValue(options.defines)}`, 'pass an object { NAME: value }');
    for (const [name, value] of Object.entries(options.defines)) {
      if (!isIdentifier(name))
        bad(`options.defines has the name ${JSON.stringify(excerpt(name))}, which is not a C identifier`, 'macro names are C identifiers');
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value)))
        bad(`options.defines.${name} is ${describeValue(value)}`, 'a macro is defined as text or a number');
      const text = String(value);
      if (text.includes('\n')) bad(`options.defines.${name} spans lines`, 'a macro is one line');
      defines[name] = text;
    }
  }
  if (options.include !== undefined && typeof options.include !== 'function')
    bad(`options.include is ${describeValue(options.include)}`, 'pass a function (name, { system, from }) => { file, source } | undefined');
  return { file, defines, include: options.include, target };
}
