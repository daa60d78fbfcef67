/**
 * The C types `fromC` knows and the schema each one becomes: one table, for the default target,
 * x86-64 System V (gcc and clang on Linux and macOS, LP64). Types whose size depends on the target
 * (`long`, `size_t`, pointers, …) are marked `target`; they map to the 64-bit primitives here.
 *
 * @module
 */
import { bool, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64 } from '../types/builtins.js';
import type { IntegerName } from '../types/primitives.js';
import type { PrimitiveSchema } from '../types/schema.js';

/** What a C type becomes. */
export type CTypeMapping =
  /** A primitive. `target`: its size is the target's (8 bytes on x86-64), not fixed by C. */
  | { readonly kind: 'scalar'; readonly schema: PrimitiveSchema; readonly target: boolean }
  /** Plain `char`: a byte of text; `char name[N]` becomes `char(N)`, a lone `char` `char(1)`, a `char` bitfield `i8`. */
  | { readonly kind: 'char'; readonly bitfield: PrimitiveSchema<'i8'> }
  /** A type with no schema (yet), and why. */
  | { readonly kind: 'refused'; readonly why: string };

const fixed = <S extends PrimitiveSchema>(schema: S) => ({ kind: 'scalar', schema, target: false }) as const;
const sized = <S extends PrimitiveSchema>(schema: S) => ({ kind: 'scalar', schema, target: true }) as const;
const refused = (why: string) => ({ kind: 'refused', why }) as const;

/** The name of the default (and, for now, only) target. */
export const TARGET = 'x86-64 System V (LP64: gcc and clang on Linux and macOS)';

/**
 * Every C type name `fromC` knows: the arithmetic types by their canonical spelling (`unsigned
 * long long`, `signed char`), `pointer` for every pointer (to data or to a function), and the
 * typedefs of `<stdint.h>`, `<stddef.h>`, `<stdbool.h>`, `<uchar.h>`, `<wchar.h>` and
 * `<sys/types.h>`, which are known whether or not the header includes them.
 */
export const C_TYPES = {
  // ---- arithmetic types (C11 6.7.2), canonical spellings ----
  char: { kind: 'char', bitfield: i8 }, // signed on x86-64
  'signed char': fixed(i8),
  'unsigned char': fixed(u8),
  short: fixed(i16),
  'unsigned short': fixed(u16),
  int: fixed(i32),
  'unsigned int': fixed(u32),
  long: sized(i64),
  'unsigned long': sized(u64),
  'long long': fixed(i64),
  'unsigned long long': fixed(u64),
  float: fixed(f32),
  double: fixed(f64),
  _Bool: fixed(bool),
  'long double': refused('long double is x87 extended precision (16 bytes, align 16) on x86-64, which no schema reads'),
  _Float16: refused('_Float16 has no schema yet'),
  __int128: refused('__int128 has no schema (the widest integers are i64 and u64)'),
  'unsigned __int128': refused('unsigned __int128 has no schema (the widest integers are i64 and u64)'),
  _Complex: refused('complex types have no schema; declare the real and imaginary parts as two members'),
  // ---- pointers: an address, as an unsigned integer of the target's pointer size ----
  pointer: sized(u64),
  // ---- <stdint.h> ----
  int8_t: fixed(i8),
  uint8_t: fixed(u8),
  int16_t: fixed(i16),
  uint16_t: fixed(u16),
  int32_t: fixed(i32),
  uint32_t: fixed(u32),
  int64_t: fixed(i64),
  uint64_t: fixed(u64),
  int_least8_t: fixed(i8),
  uint_least8_t: fixed(u8),
  int_least16_t: fixed(i16),
  uint_least16_t: fixed(u16),
  int_least32_t: fixed(i32),
  uint_least32_t: fixed(u32),
  int_least64_t: fixed(i64),
  uint_least64_t: fixed(u64),
  int_fast8_t: sized(i8),
  uint_fast8_t: sized(u8),
  int_fast16_t: sized(i64), // glibc: long
  uint_fast16_t: sized(u64),
  int_fast32_t: sized(i64),
  uint_fast32_t: sized(u64),
  int_fast64_t: sized(i64),
  uint_fast64_t: sized(u64),
  intmax_t: sized(i64),
  uintmax_t: sized(u64),
  intptr_t: sized(i64),
  uintptr_t: sized(u64),
  // ---- <stddef.h>, <stdbool.h>, <uchar.h>, <wchar.h> ----
  size_t: sized(u64),
  ptrdiff_t: sized(i64),
  wchar_t: sized(i32),
  wint_t: sized(u32),
  char16_t: fixed(u16),
  char32_t: fixed(u32),
  bool: fixed(bool),
  max_align_t: refused('max_align_t holds a long double, which no schema reads'),
  // ---- <sys/types.h> (glibc, x86-64) ----
  ssize_t: sized(i64),
  off_t: sized(i64),
  off64_t: sized(i64),
  time_t: sized(i64),
  pid_t: sized(i32),
  uid_t: sized(u32),
  gid_t: sized(u32),
  mode_t: sized(u32),
  // ---- <stdarg.h> ----
  va_list: refused('va_list has no schema'),
  __builtin_va_list: refused('va_list has no schema'),
} as const satisfies Record<string, CTypeMapping>;

/** A name of {@link C_TYPES}. */
export type CTypeName = keyof typeof C_TYPES;

/** The typedef names of {@link C_TYPES} (those that are identifiers, not keyword spellings). */
export function isKnownTypedef(name: string): name is CTypeName {
  return Object.hasOwn(C_TYPES, name) && !KEYWORD_SPELLINGS.has(name);
}

/** Spellings of {@link C_TYPES} made of keywords (everything up to `_Complex`, and `pointer`). */
const KEYWORD_SPELLINGS: ReadonlySet<string> = new Set([
  'char',
  'signed char',
  'unsigned char',
  'short',
  'unsigned short',
  'int',
  'unsigned int',
  'long',
  'unsigned long',
  'long long',
  'unsigned long long',
  'float',
  'double',
  '_Bool',
  'long double',
  '_Float16',
  '__int128',
  'unsigned __int128',
  '_Complex',
  'pointer',
]);

/** How often each basic type keyword appears in a declaration's specifiers. */
export interface SpecifierCounts {
  void: number;
  char: number;
  short: number;
  int: number;
  long: number;
  float: number;
  double: number;
  signed: number;
  unsigned: number;
  _Bool: number;
  _Complex: number;
  __int128: number;
  _Float16: number;
}

/** Specifier counts of no keyword. */
export function noSpecifiers(): SpecifierCounts {
  return { void: 0, char: 0, short: 0, int: 0, long: 0, float: 0, double: 0, signed: 0, unsigned: 0, _Bool: 0, _Complex: 0, __int128: 0, _Float16: 0 };
}

/**
 * The canonical spelling of a list of type specifier keywords (`long unsigned int long` →
 * `unsigned long long`), `void`, or `undefined` when C allows no such combination.
 */
export function canonicalSpelling(c: SpecifierCounts): CTypeName | 'void' | undefined {
  const total = c.void + c.char + c.short + c.int + c.long + c.float + c.double + c.signed + c.unsigned + c._Bool + c._Complex + c.__int128 + c._Float16;
  if (c.signed + c.unsigned > 1 || c.short > 1 || c.int > 1 || c.long > 2) return undefined;
  if (c._Complex > 0) return c._Complex === 1 && c.float + c.double + c.long === total - 1 ? '_Complex' : undefined;
  const sign = c.unsigned > 0 ? 'unsigned ' : '';
  const only = (n: number): boolean => n === total;
  if (c.void > 0) return only(1) ? 'void' : undefined;
  if (c._Bool > 0) return only(1) ? '_Bool' : undefined;
  if (c._Float16 > 0) return only(1) ? '_Float16' : undefined;
  if (c.float > 0) return only(1) ? 'float' : undefined;
  if (c.double > 0) return only(1) ? 'double' : c.long === 1 && only(2) ? 'long double' : undefined;
  if (c.char > 0) {
    if (c.char > 1 || !only(1 + c.signed + c.unsigned)) return undefined;
    return c.signed > 0 ? 'signed char' : c.unsigned > 0 ? 'unsigned char' : 'char';
  }
  if (c.__int128 > 0) return only(1 + c.signed + c.unsigned) && c.__int128 === 1 ? (c.unsigned > 0 ? 'unsigned __int128' : '__int128') : undefined;
  if (c.short > 0 && c.long > 0) return undefined;
  if (total === 0) return undefined;
  const base = c.short > 0 ? 'short' : c.long === 2 ? 'long long' : c.long === 1 ? 'long' : 'int';
  return `${sign}${base}` as CTypeName;
}

/**
 * The integer type gcc gives an enum whose constants lie in `min … max` (x86-64): `unsigned int`
 * when none is negative and all fit, else `int`, else the 64-bit types; with `packed` (or
 * `-fshort-enums`) the smallest type that holds them all.
 */
export function enumUnderlying(min: bigint, max: bigint, packed: boolean): PrimitiveSchema<IntegerName> | undefined {
  const candidates: readonly PrimitiveSchema<IntegerName>[] = packed
    ? min >= 0n
      ? [u8, u16, u32, u64]
      : [i8, i16, i32, i64]
    : min >= 0n
      ? [u32, u64]
      : [i32, i64];
  for (const t of candidates) {
    const bits = BigInt(t === u8 || t === i8 ? 8 : t === u16 || t === i16 ? 16 : t === u32 || t === i32 ? 32 : 64);
    const signed = t.name.startsWith('i');
    const lo = signed ? -(1n << (bits - 1n)) : 0n;
    const hi = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    if (min >= lo && max <= hi) return t;
  }
  return undefined;
}

/**
 * Macros the compiler predefines (a subset of gcc's on x86-64 Linux), as `#define` lines; read
 * before the source. `__GNUC__` is defined: `fromC` reads GNU attributes.
 */
export const PREDEFINED = `
#define __STDC__ 1
#define __STDC_VERSION__ 201710L
#define __STDC_HOSTED__ 1
#define __GNUC__ 12
#define __GNUC_MINOR__ 2
#define __x86_64__ 1
#define __x86_64 1
#define __amd64__ 1
#define __amd64 1
#define __LP64__ 1
#define _LP64 1
#define __linux__ 1
#define __linux 1
#define __unix__ 1
#define __unix 1
#define __ELF__ 1
#define __CHAR_BIT__ 8
#define __ORDER_LITTLE_ENDIAN__ 1234
#define __ORDER_BIG_ENDIAN__ 4321
#define __ORDER_PDP_ENDIAN__ 3412
#define __BYTE_ORDER__ __ORDER_LITTLE_ENDIAN__
#define __FLOAT_WORD_ORDER__ __ORDER_LITTLE_ENDIAN__
#define __SIZEOF_SHORT__ 2
#define __SIZEOF_INT__ 4
#define __SIZEOF_LONG__ 8
#define __SIZEOF_LONG_LONG__ 8
#define __SIZEOF_POINTER__ 8
#define __SIZEOF_SIZE_T__ 8
#define __SIZEOF_PTRDIFF_T__ 8
#define __SIZEOF_WCHAR_T__ 4
#define __SIZEOF_FLOAT__ 4
#define __SIZEOF_DOUBLE__ 8
#define __SIZEOF_LONG_DOUBLE__ 16
#define __BIGGEST_ALIGNMENT__ 16
#define __SCHAR_MAX__ 0x7f
#define __SHRT_MAX__ 0x7fff
#define __INT_MAX__ 0x7fffffff
#define __LONG_MAX__ 0x7fffffffffffffffL
#define __LONG_LONG_MAX__ 0x7fffffffffffffffLL
`;

const STDINT = `
#define INT8_MIN (-128)
#define INT16_MIN (-32767-1)
#define INT32_MIN (-2147483647-1)
#define INT64_MIN (-9223372036854775807L-1)
#define INT8_MAX (127)
#define INT16_MAX (32767)
#define INT32_MAX (2147483647)
#define INT64_MAX (9223372036854775807L)
#define UINT8_MAX (255)
#define UINT16_MAX (65535)
#define UINT32_MAX (4294967295U)
#define UINT64_MAX (18446744073709551615UL)
#define INTPTR_MIN (-9223372036854775807L-1)
#define INTPTR_MAX (9223372036854775807L)
#define UINTPTR_MAX (18446744073709551615UL)
#define INTMAX_MIN (-9223372036854775807L-1)
#define INTMAX_MAX (9223372036854775807L)
#define UINTMAX_MAX (18446744073709551615UL)
#define PTRDIFF_MIN (-9223372036854775807L-1)
#define PTRDIFF_MAX (9223372036854775807L)
#define SIZE_MAX (18446744073709551615UL)
#define INT8_C(c) c
#define INT16_C(c) c
#define INT32_C(c) c
#define INT64_C(c) c ## L
#define UINT8_C(c) c
#define UINT16_C(c) c
#define UINT32_C(c) c ## U
#define UINT64_C(c) c ## UL
#define INTMAX_C(c) c ## L
#define UINTMAX_C(c) c ## UL
`;

const LIMITS = `
#define CHAR_BIT 8
#define SCHAR_MIN (-128)
#define SCHAR_MAX 127
#define UCHAR_MAX 255
#define CHAR_MIN SCHAR_MIN
#define CHAR_MAX SCHAR_MAX
#define SHRT_MIN (-32768)
#define SHRT_MAX 32767
#define USHRT_MAX 65535
#define INT_MIN (-INT_MAX - 1)
#define INT_MAX 2147483647
#define UINT_MAX 4294967295U
#define LONG_MAX 9223372036854775807L
#define LONG_MIN (-LONG_MAX - 1L)
#define ULONG_MAX 18446744073709551615UL
#define LLONG_MAX 9223372036854775807LL
#define LLONG_MIN (-LLONG_MAX - 1LL)
#define ULLONG_MAX 18446744073709551615ULL
`;

const ENDIAN = `
#define __LITTLE_ENDIAN 1234
#define __BIG_ENDIAN 4321
#define __PDP_ENDIAN 3412
#define __BYTE_ORDER __LITTLE_ENDIAN
#define __FLOAT_WORD_ORDER __BYTE_ORDER
#define LITTLE_ENDIAN __LITTLE_ENDIAN
#define BIG_ENDIAN __BIG_ENDIAN
#define PDP_ENDIAN __PDP_ENDIAN
#define BYTE_ORDER __BYTE_ORDER
`;

/**
 * System headers `fromC` provides itself (their types are in {@link C_TYPES}, always known): the
 * macros each defines that headers test or use in sizes. Any other `#include` is read through
 * `options.include`, or skipped with a note.
 */
export const BUILTIN_HEADERS: Readonly<Record<string, string>> = {
  'stdint.h': STDINT,
  'inttypes.h': STDINT,
  'stddef.h': '\n#define NULL ((void *)0)\n',
  'stdbool.h': '\n#define __bool_true_false_are_defined 1\n#define true 1\n#define false 0\n',
  'limits.h': LIMITS,
  'uchar.h': '',
  'wchar.h': '',
  'stdarg.h': '',
  'stdalign.h': '\n#define __alignas_is_defined 1\n#define __alignof_is_defined 1\n',
  'stdnoreturn.h': '',
  'endian.h': ENDIAN,
  'sys/types.h': ENDIAN,
  'sys/param.h': ENDIAN,
  'stdio.h': '',
  'stdlib.h': '',
  'string.h': '',
  'assert.h': '',
};
