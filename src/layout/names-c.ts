/**
 * The names C code emitted by `toC` cannot use as they are: keywords, what the three included
 * headers (`<stdbool.h>`, `<stddef.h>`, `<stdint.h>`) and the compilers define, and the names the C
 * standard reserves for them. The same rule applies to struct tags, members and typedef names.
 *
 * @module
 */
import type { NameRules } from './emitted-names.js';

/** Keywords of C89 … C23 (those not starting with `_` + capital, which {@link RESERVED_PATTERN} covers), and GNU's `asm`/`typeof`. */
const KEYWORDS = [
  'auto break case char const continue default do double else enum extern float for goto if inline int long',
  'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while',
  // C23
  'alignas alignof bool constexpr false nullptr static_assert thread_local true typeof typeof_unqual',
  // GNU C (gnu* modes), clang
  'asm',
];

/**
 * Macros and typedefs of `<stdbool.h>`, `<stddef.h>` and `<stdint.h>` (C11 … C23) that
 * {@link RESERVED_PATTERN} does not cover, and macros gcc or clang predefine in GNU modes
 * (`linux` and `unix` on Linux, `i386` on 32-bit x86, the `WIN*` ones on MinGW).
 */
const HEADER_AND_PREDEFINED = [
  'bool true false',
  'NULL offsetof size_t ptrdiff_t wchar_t max_align_t nullptr_t unreachable',
  'PTRDIFF_MAX PTRDIFF_MIN PTRDIFF_WIDTH SIZE_MAX SIZE_WIDTH SIG_ATOMIC_MAX SIG_ATOMIC_MIN SIG_ATOMIC_WIDTH',
  'WCHAR_MAX WCHAR_MIN WCHAR_WIDTH WINT_MAX WINT_MIN WINT_WIDTH',
  'linux unix i386 WIN32 WIN64 WINNT',
];

/**
 * Whole classes of reserved names: `_` + capital letter (reserved for the compiler and its headers
 * in every scope, C11 7.1.3: `_Bool`, `_Static_assert`, `_Pragma`, `_LP64`, header guards such as
 * `_STDINT_H`), and the `<stdint.h>` type and macro names (`int8_t` … `uintmax_t`,
 * `int_least16_t`, `INT32_MAX`, `UINT64_C`, `INT_FAST8_WIDTH`, … for every width).
 */
const RESERVED_PATTERN =
  /^_[A-Z]|^u?int(?:_least|_fast)?[0-9]+_t$|^u?int(?:ptr|max)_t$|^U?INT(?:_LEAST|_FAST)?[0-9]+_(?:MAX|MIN|WIDTH|C)$|^U?INT(?:PTR|MAX)_(?:MAX|MIN|WIDTH|C)$/;

const RESERVED: ReadonlySet<string> = new Set([...KEYWORDS, ...HEADER_AND_PREDEFINED].join(' ').split(' '));

/** Whether C reserves `name` (as a tag, a member and a typedef name alike). */
export function isReservedInC(name: string): boolean {
  return RESERVED.has(name) || RESERVED_PATTERN.test(name);
}

/** C's naming rules for `toC`. */
export const C_NAMES: NameRules = {
  language: 'C',
  fieldLanguage: 'C',
  reservedType: isReservedInC,
  reservedField: isReservedInC,
  // `_Bool_` would still start with `_` + capital: `_Bool` → `Bool_`.
  respell: (name) => `${/^_[A-Z]/.test(name) ? name.slice(1) : name}_`,
};
