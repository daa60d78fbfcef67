/**
 * The C targets `fromC` reads headers for, and what it claims to be on each: the compiler (gcc 12
 * for the Linux targets, clang 14 for wasm32 and for x86-64 Windows, whose MSVC layout is the
 * ground truth of the `'msvc'` rules), its predefined macros, the schema each C type becomes there
 * (`long` is 8 bytes on x86-64 Linux, 4 under MSVC and on wasm32), the layout rules of its records,
 * and the few things those compilers do differently (where `#pragma pack` is read, whether
 * `scalar_storage_order` and `_Float16` exist, MSVC's `__declspec` and enums).
 *
 * @module
 */
import { bool, f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64 } from '../types/builtins.js';
import type { IntegerName } from '../kinds/primitives.js';
import type { LayoutRules, PrimitiveSchema } from '../types/schema.js';
import { type TargetName, target } from '../types/target.js';
import { PREDEFINED } from './predefined.js';

/** The members of `target(name)` that are C types whose size depends on the target. */
export type TargetTypeKey = 'long' | 'ulong' | 'size_t' | 'ssize_t' | 'ptrdiff_t' | 'intptr_t' | 'uintptr_t' | 'pointer' | 'plainChar' | 'wchar_t';

/** What a C type becomes. */
export type CTypeMapping =
  /** A primitive. `target`: the member of `target(name)` it is (`long`, `size_t`, …), or `null` for a type of fixed size. */
  | { readonly kind: 'scalar'; readonly schema: PrimitiveSchema; readonly target: TargetTypeKey | null }
  /** Plain `char`: a byte of text; `char name[N]` becomes `char(N)`, a lone `char` `char(1)`, a `char` bitfield the target's plain char (`i8`, or `u8` on aarch64). */
  | { readonly kind: 'char'; readonly bitfield: PrimitiveSchema<'i8' | 'u8'> }
  /** A type with no schema, and why. */
  | { readonly kind: 'refused'; readonly why: string };

/**
 * Every C type name `fromC` knows: the arithmetic types by their canonical spelling (`unsigned
 * long long`, `signed char`), `pointer` for every pointer (to data or to a function), and the
 * typedefs of `<stdint.h>`, `<stddef.h>`, `<stdbool.h>`, `<uchar.h>`, `<wchar.h>` and
 * `<sys/types.h>`, which are known whether or not the header includes them (on the targets whose
 * C library declares them).
 */
export const C_TYPE_NAMES = [
  // arithmetic types (C11 6.7.2), canonical spellings
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
  // <stdint.h>
  'int8_t',
  'uint8_t',
  'int16_t',
  'uint16_t',
  'int32_t',
  'uint32_t',
  'int64_t',
  'uint64_t',
  'int_least8_t',
  'uint_least8_t',
  'int_least16_t',
  'uint_least16_t',
  'int_least32_t',
  'uint_least32_t',
  'int_least64_t',
  'uint_least64_t',
  'int_fast8_t',
  'uint_fast8_t',
  'int_fast16_t',
  'uint_fast16_t',
  'int_fast32_t',
  'uint_fast32_t',
  'int_fast64_t',
  'uint_fast64_t',
  'intmax_t',
  'uintmax_t',
  'intptr_t',
  'uintptr_t',
  // <stddef.h>, <stdbool.h>, <uchar.h>, <wchar.h>
  'size_t',
  'ptrdiff_t',
  'wchar_t',
  'wint_t',
  'char16_t',
  'char32_t',
  'bool',
  'max_align_t',
  // <sys/types.h>, <time.h>
  'ssize_t',
  'off_t',
  'off64_t',
  'time_t',
  'pid_t',
  'uid_t',
  'gid_t',
  'mode_t',
  // <stdarg.h>
  'va_list',
  '__builtin_va_list',
] as const;

/** A name of {@link C_TYPE_NAMES}. */
export type CTypeName = (typeof C_TYPE_NAMES)[number];

/** What each C type becomes on a target (`null`: the target's C library does not declare it). */
export type CTypeTable = { readonly [K in CTypeName]: CTypeMapping | null };

/** Spellings of {@link C_TYPE_NAMES} made of keywords (everything up to `_Complex`, and `pointer`). */
const KEYWORD_SPELLINGS: ReadonlySet<string> = new Set(C_TYPE_NAMES.slice(0, C_TYPE_NAMES.indexOf('pointer') + 1));

/** The typedef names of {@link C_TYPE_NAMES} (those that are identifiers, not keyword spellings). */
export function isKnownTypedef(name: string): name is CTypeName {
  return (C_TYPE_NAMES as readonly string[]).includes(name) && !KEYWORD_SPELLINGS.has(name);
}

/** How a compiler of a target reads C, as far as layouts go. */
export interface CTarget {
  readonly name: TargetName;
  /** The compiler `fromC` reads C as on this target, as messages and generated code name it. */
  readonly compiler: string;
  /** `'gcc'` or `'clang'`, for what they do differently: clang has no `scalar_storage_order`. */
  readonly family: 'gcc' | 'clang';
  /** Microsoft C (clang for `x86_64-pc-windows-msvc`): `__declspec`, `__int64`, enums always `int`, `long double` is `double`. */
  readonly msvc: boolean;
  /** The layout rules of its records. */
  readonly rules: LayoutRules;
  /** The schema of each C type. */
  readonly types: CTypeTable;
  /** Bits of `long` (32 under MSVC and on wasm32, 64 on the LP64 targets). */
  readonly longBits: 32 | 64;
  /** Bits of `size_t`, the type of `sizeof` and `offsetof`. */
  readonly sizeBits: 32 | 64;
  /** Whether plain `char` is signed (not on aarch64). */
  readonly charSigned: boolean;
  /** Whether the compiler has `_Float16` (gcc 12 on x86-64 and aarch64; not clang 14 on wasm32 or x86-64). */
  readonly f16: boolean;
  /** Whether the compiler honours `scalar_storage_order` (gcc; clang ignores it). */
  readonly storageOrder: boolean;
  /** `__BIGGEST_ALIGNMENT__`: the alignment of `aligned` without an argument. */
  readonly biggestAlignment: number;
  /** The predefined macros, as `#define` lines (see `src/c/predefined.ts`). */
  readonly predefined: string;
}

/** The target `fromC` reads C for unless told otherwise. */
export const DEFAULT_TARGET: TargetName = 'x86_64-linux-gnu';

const fixed = <S extends PrimitiveSchema>(schema: S) => ({ kind: 'scalar', schema, target: null }) as const;
const refused = (why: string) => ({ kind: 'refused', why }) as const;

/** What differs between the targets beyond `target(name)`'s types: the compiler, and the C library's typedefs. */
interface TargetFacts {
  readonly compiler: string;
  readonly family: 'gcc' | 'clang';
  readonly msvc: boolean;
  readonly f16: boolean;
  readonly longDouble: CTypeMapping;
  /** `int_fast16_t`, `int_fast32_t` (the C library's choice). */
  readonly fast16: PrimitiveSchema<'i16' | 'i32' | 'i64'>;
  readonly fast32: PrimitiveSchema<'i32' | 'i64'>;
  readonly wint: PrimitiveSchema<'u16' | 'u32'>;
  /** `off_t` and `time_t`. */
  readonly off: PrimitiveSchema<'i32' | 'i64'>;
  readonly time: PrimitiveSchema<'i64'>;
  /** Whether the POSIX types (`ssize_t`, `pid_t`, `uid_t`, `gid_t`, `mode_t`, `off64_t`) exist. */
  readonly posix: boolean;
}

const FACTS = {
  'x86_64-linux-gnu': {
    compiler: 'gcc 12 for x86-64 Linux (System V, LP64)',
    family: 'gcc',
    msvc: false,
    f16: true,
    longDouble: refused('long double is x87 extended precision (16 bytes, align 16) on x86-64 Linux, which no schema reads'),
    fast16: i64, // glibc: long
    fast32: i64,
    wint: u32,
    off: i64,
    time: i64,
    posix: true,
  },
  'aarch64-linux-gnu': {
    compiler: 'gcc 12 for aarch64 Linux (LP64)',
    family: 'gcc',
    msvc: false,
    f16: true,
    longDouble: refused('long double is IEEE quadruple precision (16 bytes) on aarch64 Linux, which no schema reads'),
    fast16: i64,
    fast32: i64,
    wint: u32,
    off: i64,
    time: i64,
    posix: true,
  },
  wasm32: {
    compiler: 'clang 14 for wasm32 (ILP32, wasi-libc)',
    family: 'clang',
    msvc: false,
    f16: false,
    longDouble: refused('long double is IEEE quadruple precision (16 bytes) on wasm32, which no schema reads'),
    fast16: i32, // wasi-libc (musl): int32_t
    fast32: i32,
    wint: u32,
    off: i64,
    time: i64,
    posix: true,
  },
  'x86_64-windows-msvc': {
    compiler: 'clang 14 for x86_64-pc-windows-msvc (MSVC layout, LLP64)',
    family: 'clang',
    msvc: true,
    f16: false,
    longDouble: fixed(f64), // MSVC: long double is double
    fast16: i32, // the Windows CRT: int
    fast32: i32,
    wint: u16,
    off: i32, // long
    time: i64, // __time64_t
    posix: false,
  },
} as const satisfies Record<TargetName, TargetFacts>;

/** The schema of every C type on target `name`. */
function typesOf(name: TargetName): CTypeTable {
  const t = target(name);
  const f = FACTS[name];
  const sized = <K extends TargetTypeKey>(key: K) => ({ kind: 'scalar', schema: t[key], target: key }) as const;
  const posix = <S extends PrimitiveSchema>(schema: S) => (f.posix ? fixed(schema) : null);
  return {
    char: { kind: 'char', bitfield: t.plainChar },
    'signed char': fixed(i8),
    'unsigned char': fixed(u8),
    short: fixed(i16),
    'unsigned short': fixed(u16),
    int: fixed(i32),
    'unsigned int': fixed(u32),
    long: sized('long'),
    'unsigned long': sized('ulong'),
    'long long': fixed(i64),
    'unsigned long long': fixed(u64),
    float: fixed(f32),
    double: fixed(f64),
    _Bool: fixed(bool),
    'long double': f.longDouble,
    _Float16: f.f16 ? fixed(f16) : refused(`_Float16 is not supported by ${f.compiler} (gcc 12 has it on x86-64 and aarch64)`),
    __int128: refused('__int128 has no schema (the widest integers are i64 and u64)'),
    'unsigned __int128': refused('unsigned __int128 has no schema (the widest integers are i64 and u64)'),
    _Complex: refused('complex types have no schema; declare the real and imaginary parts as two members'),
    pointer: sized('pointer'),
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
    int_fast8_t: fixed(i8),
    uint_fast8_t: fixed(u8),
    int_fast16_t: fixed(f.fast16),
    uint_fast16_t: fixed(UNSIGNED[f.fast16.name]),
    int_fast32_t: fixed(f.fast32),
    uint_fast32_t: fixed(UNSIGNED[f.fast32.name]),
    int_fast64_t: fixed(i64),
    uint_fast64_t: fixed(u64),
    intmax_t: fixed(i64),
    uintmax_t: fixed(u64),
    intptr_t: sized('intptr_t'),
    uintptr_t: sized('uintptr_t'),
    size_t: sized('size_t'),
    ptrdiff_t: sized('ptrdiff_t'),
    wchar_t: sized('wchar_t'),
    wint_t: fixed(f.wint),
    char16_t: fixed(u16),
    char32_t: fixed(u32),
    bool: fixed(bool),
    max_align_t: refused('max_align_t holds a long double, which no schema reads'),
    ssize_t: f.posix ? sized('ssize_t') : null,
    off_t: fixed(f.off),
    off64_t: posix(i64),
    time_t: fixed(f.time),
    pid_t: posix(i32),
    uid_t: posix(u32),
    gid_t: posix(u32),
    mode_t: posix(u32),
    va_list: refused('va_list has no schema'),
    __builtin_va_list: refused('va_list has no schema'),
  };
}

const UNSIGNED = { i16: u16, i32: u32, i64: u64 } as const;

const made = new Map<TargetName, CTarget>();

/** The C target `name` as `fromC` reads it. */
export function cTarget(name: TargetName): CTarget {
  let c = made.get(name);
  if (c === undefined) {
    const t = target(name);
    const f = FACTS[name];
    c = Object.freeze({
      name,
      compiler: f.compiler,
      family: f.family,
      msvc: f.msvc,
      rules: t.layout,
      types: Object.freeze(typesOf(name)),
      longBits: t.long === i64 ? 64 : 32,
      sizeBits: t.size_t === u64 ? 64 : 32,
      charSigned: t.plainChar === i8,
      f16: f.f16,
      storageOrder: f.family === 'gcc',
      biggestAlignment: 16,
      predefined: PREDEFINED[name],
    } satisfies CTarget);
    made.set(name, c);
  }
  return c;
}

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
 * The integer type the target's compiler gives an enum whose constants lie in `min … max`: gcc and
 * clang (not for MSVC) `unsigned int` when none is negative and all fit, else `int`, else the
 * 64-bit types, and with `packed` (or `-fshort-enums`) the smallest type that holds them all; MSVC
 * always `int` (`undefined` when nothing holds them).
 */
export function enumUnderlying(t: CTarget, min: bigint, max: bigint, packed: boolean): PrimitiveSchema<IntegerName> | undefined {
  if (t.msvc) return min >= -(2n ** 31n) && max < 2n ** 31n ? i32 : undefined;
  const candidates: readonly PrimitiveSchema<IntegerName>[] = packed
    ? min >= 0n
      ? [u8, u16, u32, u64]
      : [i8, i16, i32, i64]
    : min >= 0n
      ? [u32, u64]
      : [i32, i64];
  for (const s of candidates) {
    const bits = BigInt(s === u8 || s === i8 ? 8 : s === u16 || s === i16 ? 16 : s === u32 || s === i32 ? 32 : 64);
    const signed = s.name.startsWith('i');
    const lo = signed ? -(1n << (bits - 1n)) : 0n;
    const hi = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    if (min >= lo && max <= hi) return s;
  }
  return undefined;
}

const STDINT = (longBits: 32 | 64) => {
  const l = longBits === 64 ? 'L' : 'LL';
  return `
#define INT8_MIN (-__INT8_MAX__ - 1)
#define INT16_MIN (-__INT16_MAX__ - 1)
#define INT32_MIN (-__INT32_MAX__ - 1)
#define INT64_MIN (-__INT64_MAX__ - 1)
#define INT8_MAX __INT8_MAX__
#define INT16_MAX __INT16_MAX__
#define INT32_MAX __INT32_MAX__
#define INT64_MAX __INT64_MAX__
#define UINT8_MAX __UINT8_MAX__
#define UINT16_MAX __UINT16_MAX__
#define UINT32_MAX __UINT32_MAX__
#define UINT64_MAX __UINT64_MAX__
#define INTPTR_MIN (-__INTPTR_MAX__ - 1)
#define INTPTR_MAX __INTPTR_MAX__
#define UINTPTR_MAX __UINTPTR_MAX__
#define INTMAX_MIN (-__INTMAX_MAX__ - 1)
#define INTMAX_MAX __INTMAX_MAX__
#define UINTMAX_MAX __UINTMAX_MAX__
#define PTRDIFF_MIN (-__PTRDIFF_MAX__ - 1)
#define PTRDIFF_MAX __PTRDIFF_MAX__
#define SIZE_MAX __SIZE_MAX__
#define INT8_C(c) c
#define INT16_C(c) c
#define INT32_C(c) c
#define INT64_C(c) c ## ${l}
#define UINT8_C(c) c
#define UINT16_C(c) c
#define UINT32_C(c) c ## U
#define UINT64_C(c) c ## U${l}
#define INTMAX_C(c) c ## ${l}
#define UINTMAX_C(c) c ## U${l}
`;
};

/** As gcc's own <limits.h>: from the predefined macros. */
const LIMITS = `
#define CHAR_BIT __CHAR_BIT__
#define SCHAR_MAX __SCHAR_MAX__
#define SCHAR_MIN (-SCHAR_MAX - 1)
#define UCHAR_MAX (SCHAR_MAX * 2 + 1)
#ifdef __CHAR_UNSIGNED__
#define CHAR_MIN 0
#define CHAR_MAX UCHAR_MAX
#else
#define CHAR_MIN SCHAR_MIN
#define CHAR_MAX SCHAR_MAX
#endif
#define SHRT_MAX __SHRT_MAX__
#define SHRT_MIN (-SHRT_MAX - 1)
#define USHRT_MAX (SHRT_MAX * 2 + 1)
#define INT_MAX __INT_MAX__
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX (INT_MAX * 2U + 1U)
#define LONG_MAX __LONG_MAX__
#define LONG_MIN (-LONG_MAX - 1L)
#define ULONG_MAX (LONG_MAX * 2UL + 1UL)
#define LLONG_MAX __LONG_LONG_MAX__
#define LLONG_MIN (-LLONG_MAX - 1LL)
#define ULLONG_MAX (LLONG_MAX * 2ULL + 1ULL)
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
 * System headers `fromC` provides itself (their types are in {@link C_TYPE_NAMES}, always known):
 * the macros each defines that headers test or use in sizes. Any other `#include` is read through
 * `options.include`, or skipped with a note.
 */
export function builtinHeaders(t: CTarget): Readonly<Record<string, string>> {
  const stdint = STDINT(t.longBits);
  // the Windows CRT has no <endian.h> or <sys/param.h>, and no byte order macros in <sys/types.h>
  const unix: Record<string, string> = t.msvc ? { 'sys/types.h': '' } : { 'endian.h': ENDIAN, 'sys/types.h': ENDIAN, 'sys/param.h': ENDIAN };
  return {
    ...unix,
    'stdint.h': stdint,
    'inttypes.h': stdint,
    'stddef.h': '\n#define NULL ((void *)0)\n',
    'stdbool.h': '\n#define __bool_true_false_are_defined 1\n#define true 1\n#define false 0\n',
    'limits.h': LIMITS,
    'uchar.h': '',
    'wchar.h': '',
    'stdarg.h': '',
    'stdalign.h': '\n#define __alignas_is_defined 1\n#define __alignof_is_defined 1\n',
    'stdnoreturn.h': '',
    'stdio.h': '',
    'stdlib.h': '',
    'string.h': '',
    'assert.h': '',
    'time.h': '',
  };
}
