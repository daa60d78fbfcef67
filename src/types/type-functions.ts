/**
 * The package's functions that take a type — `view`, `create`, `sizeof`, `alignof`, `layoutOf`,
 * `describe`, `fingerprint`, `toC`, `toCtypes` — where the type is a schema or a Python typecode
 * (`'i'`, `'d'` …). Each resolves a typecode to its schema object here, where the schema objects
 * are made, and calls the layer that does the work; the layers below (src/layout, src/views) work on
 * schema objects only and never import this one.
 *
 * @module
 */
import { describeValue, typeError } from '../errors.js';
import { checkOptions } from '../options.js';
import { describeLayout, type DescribeOptions } from '../layout/describe.js';
import { cSourceOf } from '../layout/emit-c.js';
import { ctypesSourceOf } from '../layout/emit-ctypes.js';
import { fingerprintOfLayout } from '../layout/fingerprint.js';
import { layout } from '../layout/compute.js';
import { type FieldInfo, layoutOfSchema } from '../layout/queries.js';
import { createOfSchema, makeViewFunction } from '../views/attach.js';
import type { BufferSource } from '../views/region.js';
import { resolveSchema } from './builtins.js';
import type { InitOf, ViewOf, ViewOptions } from './infer.js';
import type { Schema, SchemaLike } from './schema.js';

/**
 * A live view of `type` over `source` at `byteOffset` (relative to `source`). Throws `RangeError`
 * when the region is not inside `source` or not aligned for the type.
 *
 * In a hot loop that makes views of **several types** in turn (a header and its records, nodes of
 * two kinds), call each type's own `T.view(…)` instead: on Node 22 and later `view()` then serves
 * them from one function for every type, and the engine allocates every view it makes (15–30× a
 * typed-array read per view against ~2×; docs/performance.md, "Where the targets are not met").
 * The binding `view` is itself the function that serves the type and buffer it was last asked for
 * first (on Node 20: served last, or the two served last), so it changes as a program views other
 * types: a `view` taken earlier (`const { view } = sc`) still makes every view, those it was made
 * for fastest.
 *
 * @example
 * ```ts
 * import { view, struct, u32, f32 } from 'sharedctypes';
 * const Hit = struct({ id: u32, dist: f32 });     // id @0, dist @4; sizeof 8
 * const sab = new SharedArrayBuffer(64);
 * const h = view(Hit, sab, 8);                    // the same as Hit.view(sab, 8)
 * h.id = 7;
 * new Uint32Array(sab)[2];                        // 7
 * ```
 */
export let view: <S extends SchemaLike>(type: S, source: BufferSource, byteOffset?: number, options?: ViewOptions) => ViewOf<S> = makeViewFunction(
  resolveView,
  // The function that serves the pair remembered (Node 20: served) last (src/views/attach.ts `serve`).
  (f) => {
    view = f as never;
  },
) as never;
Object.defineProperty(view, 'name', { value: 'view' }); // whichever form makeViewFunction made

/** A typecode given to {@link view}, as its schema. */
function resolveView(type: string): Schema {
  return resolveSchema(type, 'view', '');
}

/**
 * Allocates a zeroed `SharedArrayBuffer` of exactly `sizeof(type)` bytes (an `ArrayBuffer` where
 * `SharedArrayBuffer` is unavailable) and returns a view of it, written from `init` if given.
 *
 * @example
 * ```ts
 * import { create, struct, f64 } from 'sharedctypes';
 * const Vec2 = struct({ x: f64, y: f64 });
 * const v = create(Vec2, { x: 1, y: 2 }); // the same as Vec2.create({ x: 1, y: 2 })
 * v.toObject();                          // { x: 1, y: 2 }
 * ```
 */
export function create<S extends SchemaLike>(type: S, init?: InitOf<S>, options?: ViewOptions): ViewOf<S> {
  return createOfSchema(typeof type === 'string' ? resolveSchema(type, 'create', '') : type, init, options) as ViewOf<S>;
}

/**
 * Size in bytes, C `sizeof`.
 *
 * @example
 * ```ts
 * import { sizeof, struct, u8, f64 } from 'sharedctypes';
 * sizeof(struct({ a: u8, b: f64 })); // 16: a @0, 7 bytes padding, b @8
 * sizeof('d');                       // 8
 * ```
 */
export function sizeof(type: SchemaLike): number {
  return layout(resolveSchema(type, 'sizeof', '')).size;
}

/**
 * Alignment in bytes, C `_Alignof`.
 *
 * @example
 * ```ts
 * import { alignof, struct, u8, u16 } from 'sharedctypes';
 * alignof(struct({ a: u8, b: u16 })); // 2
 * ```
 */
export function alignof(type: SchemaLike): number {
  return layout(resolveSchema(type, 'alignof', '')).align;
}

/**
 * Every member of a type with offset and size, recursing through nested structs, unions and
 * arrays (every element of arrays; `maxEntries` guards against huge arrays), like ctypes 3.14
 * `CField` or `pahole`.
 *
 * @example
 * ```ts
 * import { layoutOf, struct, u8, bits, u16 } from 'sharedctypes';
 * layoutOf(struct({ a: u8, f: bits(u16, 4) }));
 * // [ { path: 'a', type: 'u8', offset: 0, size: 1 },
 * //   { path: 'f', type: 'u16', offset: 0, size: 2, bitOffset: 8, bitWidth: 4 } ]
 * ```
 */
export function layoutOf(type: SchemaLike, options: { readonly maxEntries?: number } = {}): FieldInfo[] {
  checkOptions('layoutOf', options, ['maxEntries']);
  checkLimitOption('layoutOf', 'maxEntries', options.maxEntries);
  return layoutOfSchema(resolveSchema(type, 'layoutOf', ''), options);
}

/**
 * A readable layout report: offsets (with `byte:bit` for bitfields), sizes, holes and padding.
 *
 * @example
 * ```ts
 * import { describe, struct, u8, f64, bits, u16 } from 'sharedctypes';
 * console.log(describe(struct({ tag: u8, x: f64, kind: bits(u16, 4) }, { name: 'Item' })));
 * // struct Item {  /* size 24, align 8 *\/
 * //   /*       0      1 *\/  u8 tag;
 * //                    /* hole: 7 bytes *\/
 * //   /*       8      8 *\/  f64 x;
 * //   /*    16:0      2 *\/  u16 kind : 4;
 * //                    /* tail padding: 6 bytes *\/
 * // };
 * ```
 */
export function describe(type: SchemaLike, options: DescribeOptions = {}): string {
  checkOptions('describe', options, ['maxLines']);
  checkLimitOption('describe', 'maxLines', options.maxLines);
  return describeLayout(layout(resolveSchema(type, 'describe', '')), options);
}

/**
 * A stable fingerprint of the layout, `sct2:` followed by 16 hex digits.
 *
 * @example
 * ```ts
 * import { fingerprint, struct, u32, f32 } from 'sharedctypes';
 * fingerprint(struct({ id: u32, x: f32 })) === fingerprint(struct({ id: u32, x: f32 })); // true
 * fingerprint(struct({ id: u32, x: f32 })) === fingerprint(struct({ x: f32, id: u32 })); // false
 * ```
 */
export function fingerprint(type: SchemaLike): string {
  return fingerprintOfLayout(layout(resolveSchema(type, 'fingerprint', '')));
}

/**
 * C source declaring `type` (structs and unions, with `#pragma pack`, `aligned` and
 * `scalar_storage_order` where needed) and asserting its layout: `_Static_assert`s on every size,
 * alignment and member offset, and for each struct or union with bitfields a function
 * `<tag>_bits_ok()` that stores all ones into each bitfield of a zeroed object and returns 1 if
 * exactly the bytes the library expects change (call it once at startup: bit positions are not
 * constant expressions in C).
 *
 * Names C reserves (keywords such as `int` or `struct`, what `<stdbool.h>`, `<stddef.h>` and
 * `<stdint.h>` define such as `bool`, `NULL` or `uint8_t`, names starting with `_` and a capital
 * such as `_Bool`) are respelled with a trailing `_` (`int_`, `Bool_`), for members and tags alike,
 * unique in their scope, with a comment `renamed: …` on the line. `options.name` names the typedef
 * of a root that is not a struct or union (default `root_t`); it must be a C identifier.
 *
 * @example
 * ```ts
 * import { toC, struct, u8, f64 } from 'sharedctypes';
 * toC(struct({ tag: u8, x: f64 }, { name: 'Item' }));
 * // struct Item {
 * //   uint8_t tag;
 * //   double x;
 * // };
 * // _Static_assert(sizeof(struct Item) == 16, "sizeof(struct Item)");
 * // …
 * toC(struct({ int: u8 }, { name: 'bool' }));
 * // struct bool_ {  /* renamed: 'bool' is reserved in C *\/
 * //   uint8_t int_;  /* renamed: 'int' is reserved in C *\/
 * // };
 * // …
 * ```
 */
export function toC(type: SchemaLike, options: { readonly name?: string } = {}): string {
  return cSourceOf(resolveSchema(type, 'toC', ''), options);
}

/**
 * Python source defining ctypes classes for `type`, ending in `assert`s on every size, alignment
 * and offset, and a check of every bitfield: storing all ones into it in a zeroed object must set
 * exactly the bytes C sets, and reading it back from those bytes, and from every other bit set,
 * must give all ones and 0. That check does not depend on how a ctypes version numbers bits, and
 * fails where ctypes places a bitfield elsewhere than gcc (which Python 3.11 … 3.13 do for some
 * layouts: they follow MSVC's rules; 3.14 follows gcc's with `_layout_ = 'gcc-sysv'`, written for
 * every struct with bitfields).
 *
 * What ctypes cannot express is marked in comments: zero-width bitfields (`T : 0`) have no ctypes
 * form, unnamed bitfields get a placeholder name, `align` needs Python 3.13 (`_align_`), `pack`
 * comes with `_layout_ = 'ms'` (Python 3.14 packs by MSVC rules only), and `bool` in a big-endian
 * record is written `c_uint8` (ctypes has no big-endian `c_bool`), as is every `bool` bitfield
 * (ctypes' `c_bool` bitfields read and write their whole byte: they read 0 or 1).
 *
 * Names Python or ctypes reserve are respelled with a trailing `_`, unique in their scope, with a
 * comment `renamed: …` on the line: class names that are keywords, builtins or `ctypes`; field
 * names that ctypes reads or defines on a class (`_fields_`, `_pack_`, `_align_`, `_anonymous_`,
 * `from_buffer`, …; keywords are fine, fields are strings). `options.name` names the alias of a
 * root that is not a struct or union (default `Root`); it must be a C identifier.
 *
 * @example
 * ```ts
 * import { toCtypes, struct, u8, f64 } from 'sharedctypes';
 * toCtypes(struct({ tag: u8, x: f64 }, { name: 'Item' }));
 * // import ctypes
 * //
 * // class Item(ctypes.Structure):
 * //     _fields_ = [
 * //         ('tag', ctypes.c_uint8),
 * //         ('x', ctypes.c_double),
 * //     ]
 * // …
 * toCtypes(struct({ _fields_: u8, class: u8 }, { name: 'class' }));
 * // class class_(ctypes.Structure):  # renamed: 'class' is reserved in Python
 * //     _fields_ = [
 * //         ('_fields__', ctypes.c_uint8),  # renamed: '_fields_' is reserved in ctypes
 * //         ('class', ctypes.c_uint8),
 * //     ]
 * // …
 * ```
 */
export function toCtypes(type: SchemaLike, options: { readonly name?: string } = {}): string {
  return ctypesSourceOf(resolveSchema(type, 'toCtypes', ''), options);
}

/** A limit option (`maxEntries`, `maxLines`): left out, or a whole number ≥ 0 (or `Infinity`, no limit). */
function checkLimitOption(what: string, key: string, value: unknown): void {
  if (value !== undefined && !(typeof value === 'number' && value >= 0 && (Number.isInteger(value) || value === Infinity)))
    throw typeError('invalid_argument', what, `${key} must be a whole number ≥ 0 or Infinity (got ${describeValue(value)})`);
}
