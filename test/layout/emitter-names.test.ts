// Schemas accept any C identifier as a field or type name; toC and toCtypes respell the ones C or
// Python/ctypes reserve (a trailing `_`, unique in its scope, with a comment). Checked by the real
// tools: gcc and clang compile toC output whose fields and types use every C keyword and every name
// the included headers and the compilers define (lists from the standard, and from the compilers
// themselves), and each Python found runs toCtypes output named after its keywords, builtins and
// ctypes' own attributes.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { array, bits, bool, char, f64, i16, struct, toC, toCtypes, u8, u16, u32, union, unnamed, aligned, type Schema } from '../../src/index.js';
import { has, pythons, runC, runPython } from './emit-tools.js';
import { clang, gcc, python3 } from '../setup/requirements.js';

// gcc, clang and a Python 3.11+ must be installed; SHAREDCTYPES_SKIP_GCC / _CLANG / _PYTHON=1 skip their tests.
const needGcc = gcc();
const needClang = clang();
const needPython = python3();

/** Whether the library accepts `name` as a type name (C identifiers not starting with __). */
const validType = (name: string): boolean => /^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name) && !name.startsWith('__');
/** Whether the library accepts `name` as a field name (not one the views use, such as `set`). */
function validField(name: string): boolean {
  try {
    struct({ [name]: u8 });
    return true;
  } catch {
    return false;
  }
}
const valid = (name: string): boolean => validType(name) && validField(name);

const C11_KEYWORDS =
  'auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while _Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert _Thread_local';
const C23_KEYWORDS =
  'alignas alignof bool constexpr false nullptr static_assert thread_local true typeof typeof_unqual _BitInt _Decimal32 _Decimal64 _Decimal128';
/** GNU and clang extensions spelled without a leading `__`, and `_Pragma`. */
const EXTENSIONS =
  'asm _Float16 _Float32 _Float64 _Float128 _Float32x _Float64x _Float128x _Pragma _Nonnull _Nullable _Null_unspecified _Nullable_result _ExtInt';
/** What <stdbool.h>, <stddef.h> and <stdint.h> define (C11 … C23), as the standard lists it. */
const HEADERS = [
  'bool true false NULL offsetof size_t ptrdiff_t wchar_t max_align_t nullptr_t unreachable',
  'int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t int_least8_t int_least16_t int_least32_t int_least64_t',
  'uint_least8_t uint_least16_t uint_least32_t uint_least64_t int_fast8_t int_fast16_t int_fast32_t int_fast64_t',
  'uint_fast8_t uint_fast16_t uint_fast32_t uint_fast64_t intptr_t uintptr_t intmax_t uintmax_t',
  'INT8_MIN INT8_MAX UINT8_MAX INT64_MIN INT64_MAX UINT64_MAX INT_LEAST8_MIN INT_FAST16_MAX UINT_FAST64_MAX INTPTR_MIN',
  'UINTPTR_MAX INTMAX_MIN INTMAX_MAX UINTMAX_MAX PTRDIFF_MIN PTRDIFF_MAX SIG_ATOMIC_MIN SIG_ATOMIC_MAX SIZE_MAX WCHAR_MIN',
  'WCHAR_MAX WINT_MIN WINT_MAX INT8_C INT64_C UINT8_C UINT64_C INTMAX_C UINTMAX_C INT8_WIDTH UINT64_WIDTH SIZE_WIDTH',
].join(' ');

/** Every macro name (`-dM`) and typedef name the compiler sees with the three headers, in several language modes. */
function compilerNames(cc: string, stds: readonly string[]): string[] {
  const names = new Set<string>();
  const input = '#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n';
  for (const std of stds) {
    const macros = spawnSync(cc, [`-std=${std}`, '-dM', '-E', '-'], { input, encoding: 'utf8' });
    for (const m of macros.stdout.matchAll(/^#define (\w+)/gm)) names.add(m[1] as string);
    const text = spawnSync(cc, [`-std=${std}`, '-E', '-P', '-'], { input, encoding: 'utf8' }).stdout;
    for (const m of text.matchAll(/\btypedef\b[^;{]*(?:\{[^}]*\}[^;]*)?\b([A-Za-z_]\w*)\s*;/g)) names.add(m[1] as string);
  }
  return [...names];
}

const GCC_STDS = ['c11', 'gnu11', 'gnu17', 'c2x'];
const CLANG_STDS = ['c11', 'gnu11', 'c2x'];

/** The names a C program must survive: the standard's lists, and what the compilers present define. */
function cNames(): string[] {
  const names = new Set(`${C11_KEYWORDS} ${C23_KEYWORDS} ${EXTENSIONS} ${HEADERS} linux unix i386`.split(' '));
  if (has('gcc')) for (const n of compilerNames('gcc', GCC_STDS)) names.add(n);
  if (has('clang')) for (const n of compilerNames('clang', CLANG_STDS)) names.add(n);
  return [...names].filter(valid).sort();
}

/**
 * A schema whose fields and types use every name: one struct with all of them as fields, one with all
 * of them as bitfields, one struct type named after each (with a field and a bitfield of that name),
 * a union, arrays of them, a packed struct and (when `bigEndian`) a big-endian struct.
 */
function everyName(names: readonly string[], bigEndian: boolean): Schema {
  const fields = struct(Object.fromEntries([...names.map((n) => [n, u8]), ['int_', u16], ['Bool_', u8], ['int__', u8]]), { name: 'Fields' });
  const bitfields = struct(Object.fromEntries(names.map((n, i) => [n, bits(i % 2 === 0 ? u8 : i16, 3)])), { name: 'Bits' });
  const types = struct(Object.fromEntries(names.map((n) => [n, struct({ [n]: u8, x: bits(u16, 5), [`${n}_`]: u8 }, { name: n })])), { name: 'Types' });
  const onion = union({ int: u32, float: u8, double: bits(u8, 3), _Bool: bool, union: array(struct({ for: u8 }, { name: 'for' }), 3) }, { name: 'union' });
  const packed = struct({ _Pragma: u8, pack: u32, restrict: bits(u16, 9), NULL: char(3) }, { name: '_Pragma', pack: 1 });
  const members: Record<string, Schema> = {
    Fields: fields,
    Bits: bitfields,
    Types: types,
    union: onion,
    packed,
    arrays: array(types, 2),
    struct: array(onion, [2, 2]),
  };
  if (bigEndian)
    members['big'] = struct({ int: u32, bool: bits(bool, 1), true: bits(u16, 12), inline: onion, size_t: f64 }, { name: 'int32_t', endian: 'big' });
  return struct(members, { name: 'typedef' });
}

describe('toC: names C reserves', () => {
  it('respells a keyword the same way as a field and as a type, with a comment, and asserts on the emitted name', () => {
    const c = toC(struct({ int: u8, other: u8, Item: bits(u8, 2) }, { name: 'int' }));
    expect(c).toContain("struct int_ {  /* renamed: 'int' is reserved in C */");
    expect(c).toContain("  uint8_t int_;  /* renamed: 'int' is reserved in C */\n  uint8_t other;\n  uint8_t Item : 2;\n");
    expect(c).toContain('_Static_assert(offsetof(struct int_, int_) == 0, "offsetof(struct int_, int_)");');
    expect(c).toContain('_Static_assert(offsetof(struct int_, other) == 1, "offsetof(struct int_, other)");');
    expect(c).toContain('static inline int int__bits_ok(void) {');
    expect(c).toContain('  s.Item = 0x3;  /* bits 16..17 */');
  });

  it('keeps the respelled name unique (never taking a name the schema uses) and leaves other names alone', () => {
    const c = toC(struct({ int: u8, int_: u8, int__: u8, _Bool: u8, Bool_: u8, NULL: u8, restrict: u8, value: u8 }, { name: 'S' }));
    for (const line of [
      'uint8_t int___;',
      'uint8_t int_;',
      'uint8_t int__;',
      'uint8_t Bool__;',
      'uint8_t Bool_;',
      'uint8_t NULL_;',
      'uint8_t restrict_;',
      'uint8_t value;',
    ])
      expect(c).toContain(`  ${line}`);
    expect(c).toContain("uint8_t int___;  /* renamed: 'int' is reserved in C */");
    expect(c).toContain("uint8_t Bool__;  /* renamed: '_Bool' is reserved in C */");
    expect(c).not.toMatch(/uint8_t int_;\s+\/\* renamed/);
  });

  it('respells type names that collide with keywords or <stdint.h> names, and keeps namesakes apart', () => {
    const Inner = struct({ x: u8 }, { name: 'uint32_t' });
    const c = toC(
      struct({ a: Inner, b: struct({ y: u8 }, { name: 'uint32_t_' }), c: struct({ x: Inner }, { name: 'struct', endian: 'big' }) }, { name: 'int' }),
    );
    // uint32_t_ is the name of another struct: the respelled uint32_t takes the byte-order suffix.
    expect(c).toContain("struct uint32_t_le {  /* renamed: 'uint32_t' is reserved in C */");
    expect(c).toContain('struct uint32_t_ {\n');
    expect(c).toContain('struct __attribute__((scalar_storage_order("big-endian"))) uint32_t_be {  /* renamed: \'uint32_t\' is reserved in C */');
    expect(c).toContain(
      'struct __attribute__((scalar_storage_order("big-endian"))) struct_ {  /* renamed: \'struct\' is reserved in C */\n  struct uint32_t_be x;',
    );
    expect(c).toContain('  struct uint32_t_le a;\n  struct uint32_t_ b;\n  struct struct_ c;');
    expect(toC(struct({ x: u8 }, { name: 'bool' }))).toContain("struct bool_ {  /* renamed: 'bool' is reserved in C */");
  });

  it('checks options.name: a C identifier (a reserved one is respelled), never text that could break or inject code', () => {
    expect(toC(array(u8, 4), { name: 'bytes4' })).toContain('typedef uint8_t bytes4[4];');
    expect(toC(array(u8, 4), { name: 'int' })).toContain("typedef uint8_t int_[4];  /* renamed: 'int' is reserved in C */");
    expect(toC(array(u8, 4), { name: 'size_t' })).toContain('_Static_assert(sizeof(size_t_) == 4, "sizeof(size_t_)");');
    // the typedef and the check functions share C's ordinary namespace
    const both = toC(array(struct({ a: bits(u8, 2) }, { name: 'S' }), 2), { name: 'S_bits_ok' });
    expect(both).toContain('typedef struct S S_bits_ok[2];');
    expect(both).toContain('static inline int S_bits_ok_(void) {');
    for (const bad of ['', 'a b', '1a', '__x', 'x;\nint main(void) { return 1; }', 'x[2]', 'x/*', 'a'.repeat(256)]) {
      expect(() => toC(array(u8, 4), { name: bad }), JSON.stringify(bad)).toThrow(TypeError);
      expect(() => toCtypes(array(u8, 4), { name: bad }), JSON.stringify(bad)).toThrow(TypeError);
    }
    expect(() => toC(u8, { name: 'x y' })).toThrow('toC(): options.name is string "x y", which is not a C identifier; use letters, digits and _ only');
    expect(() => toC(u8, { name: 42 as unknown as string })).toThrow(TypeError);
    expect(() => toC(u8, null as unknown as object)).toThrow(TypeError);
  });

  const names = cNames();

  it('covers the standard lists and every name the compilers define with the three headers', () => {
    expect(names.length).toBeGreaterThan(200);
    for (const n of [
      'int',
      'struct',
      'bool',
      'true',
      'NULL',
      'restrict',
      '_Bool',
      'inline',
      'offsetof',
      'int32_t',
      'uint8_t',
      'size_t',
      'typeof_unqual',
      '_BitInt',
    ])
      expect(names).toContain(n);
    // every one is respelled, as a member and as a tag
    const c = toC(everyName(names, true));
    for (const n of names) {
      expect(c, n).not.toContain(` ${n};`);
      expect(c, n).not.toContain(`struct ${n} `);
    }
  });

  const compile = (cc: string, std: string, big: boolean): void => {
    const src = toC(everyName(names, big));
    const quiet = cc === 'gcc' ? ['-Wno-scalar-storage-order'] : []; // a struct of one byte order in the other
    const r = runC(cc, [`-std=${std}`, '-Wall', '-Wextra', '-pedantic', ...quiet], [{ name: `every-name-${std}`, src }]);
    expect(r.stderr, r.stderr.slice(0, 4000)).toBe('');
    expect(r.status).toBe(0);
    expect(r.failed).toEqual({});
    expect(r.checks).toBeGreaterThan(names.length);
  };
  for (const std of GCC_STDS) {
    it.skipIf(needGcc.skip)(`${needGcc.note}gcc -std=${std}: compiles a schema named with every one of them, every assert and bit check holding`, () => {
      needGcc.check();
      compile('gcc', std, true);
    });
  }
  for (const std of CLANG_STDS) {
    it.skipIf(needClang.skip)(`${needClang.note}clang -std=${std}: the same (little-endian)`, () => {
      needClang.check();
      compile('clang', std, false);
    });
  }
});

/** Names each Python gives meaning to, asked from the interpreter itself. */
function pythonNames(exe: string): { keywords: string[]; builtins: string[]; ctypes: string[] } {
  const script = `
import builtins, ctypes, json, keyword
cls = [ctypes.Structure, ctypes.Union, ctypes.BigEndianStructure, ctypes.LittleEndianStructure]
cls += [getattr(ctypes, n) for n in ('BigEndianUnion', 'LittleEndianUnion') if hasattr(ctypes, n)]
class S(ctypes.Structure):
    _fields_ = [('x', ctypes.c_int)]
attrs = set(dir(S())) - {'x'}
for c in cls:
    attrs |= set(dir(c)) | set(dir(type(c)))
json.dump({'keywords': keyword.kwlist + keyword.softkwlist, 'builtins': dir(builtins), 'ctypes': sorted(attrs)}, __import__('sys').stdout)
`;
  const r = spawnSync(exe, ['-c', script], { encoding: 'utf8' });
  return JSON.parse(r.stdout) as { keywords: string[]; builtins: string[]; ctypes: string[] };
}

/** What ctypes reads from a Structure/Union subclass, an array or a function type (documented attributes). */
const CTYPES_CLASS_ATTRIBUTES = ['_fields_', '_pack_', '_align_', '_anonymous_', '_layout_', '_swappedbytes_', '_type_', '_length_', '_as_parameter_'];

describe('toCtypes: names Python and ctypes reserve', () => {
  it('respells class names that are keywords, builtins or ctypes, and fields ctypes reads, with a comment', () => {
    const py = toCtypes(struct({ _fields_: u8, _pack_: u8, class: u8, from_buffer: u8, _fields__: u8 }, { name: 'class' }));
    expect(py).toContain("class class_(ctypes.Structure):  # renamed: 'class' is reserved in Python");
    expect(py).toContain("('_fields___', ctypes.c_uint8),  # renamed: '_fields_' is reserved in ctypes");
    expect(py).toContain("('_pack__', ctypes.c_uint8),  # renamed: '_pack_' is reserved in ctypes");
    expect(py).toContain("('class', ctypes.c_uint8),\n"); // a string in _fields_: fine
    expect(py).toContain("('_fields__', ctypes.c_uint8),\n");
    expect(py).toContain("assert getattr(class_, '_fields___').offset == 0");
    expect(toCtypes(struct({ x: u8 }, { name: 'ctypes' }))).toContain('class ctypes_(ctypes.Structure):');
    expect(toCtypes(struct({ x: u8 }, { name: 'bytes' }))).toContain('class bytes_(ctypes.Structure):');
  });

  it('keeps placeholders and the root alias apart from the names the schema uses', () => {
    const py = toCtypes(array(struct({ _unnamed_0: u8, _gap: unnamed(u8, 2), _align_pad_0: u8, y: aligned(u8, 4) }, { name: 'Root' }), 2));
    expect(py).toContain("('_unnamed_1', ctypes.c_uint8, 2),  # unnamed in C");
    expect(py).toContain("('_align_pad_1', ctypes.c_char * 1),  # C: aligned(4)");
    expect(py).toContain("Root_ = (Root * 2)  # renamed: 'Root' is taken by a type of the same name");
    expect(py).toContain('assert ctypes.sizeof(Root_) == 16');
    expect(toCtypes(array(u8, 2), { name: 'class' })).toContain("class_ = (ctypes.c_uint8 * 2)  # renamed: 'class' is reserved in Python");
  });

  const found = pythons();
  for (const py of found) {
    it(`Python ${py.version}: runs classes and fields named after its keywords, builtins and ctypes attributes, every assert holding`, () => {
      const asked = pythonNames(py.exe);
      const globals = [...asked.keywords, ...asked.builtins, 'ctypes', 'check_bits', 'Root'].filter(valid);
      const fieldNames = [...new Set([...asked.ctypes, ...CTYPES_CLASS_ATTRIBUTES, ...asked.keywords, 'ctypes', 'check_bits'])].filter(valid);
      expect(globals).toContain('class');
      expect(fieldNames).toEqual(expect.arrayContaining(['_fields_', '_pack_', '_anonymous_', 'from_buffer', '_b_base_', '_objects']));
      // Bitfields only where ctypes < 3.14 places them as gcc does (u8 after u8).
      const leaf = (n: string): Schema => struct({ [n]: u8, a: bits(u8, 3), b: bits(u8, 5) }, { name: n });
      const programs = [
        { name: 'fields', src: toCtypes(struct(Object.fromEntries(fieldNames.map((n) => [n, u8])), { name: 'Fields' })) },
        { name: 'bitfields', src: toCtypes(struct(Object.fromEntries(fieldNames.map((n) => [n, bits(u8, 4)])), { name: 'Bits' })) },
        { name: 'classes', src: toCtypes(struct(Object.fromEntries(globals.map((n) => [n, leaf(n)])), { name: 'Root' })) },
        { name: 'arrays', src: toCtypes(array(struct({ class: leaf('int'), in: array(leaf('ctypes'), 2) }, { name: 'Root' }), 3)) },
        { name: 'root alias', src: toCtypes(array(leaf('Root'), 2), { name: 'check_bits' }) },
        {
          name: 'union and packed',
          src: toCtypes(
            struct(
              {
                _fields_: union({ _pack_: u32, from_param: u8, in_dll: array(leaf('list'), 2) }, { name: 'type' }),
                _anonymous_: struct({ a: u8, _swappedbytes_: u32 }, { name: 'def', pack: 1 }),
              },
              { name: 'object' },
            ),
          ),
        },
        {
          name: 'big-endian',
          src: toCtypes(struct({ _fields_: bool, _layout_: bits(u8, 3), lambda: u32, _b_base_: leaf('None') }, { name: 'ctypes', endian: 'big' })),
        },
      ];
      const results = runPython(py.exe, programs);
      expect(results).toEqual(Object.fromEntries(programs.map((p) => [p.name, 'ok'])));
    });
  }
  it.skipIf(needPython.skip)(`${needPython.note}finds a Python 3.11 or later for the ctypes runs`, () => {
    needPython.check();
    expect(found.length, 'python3 is older than 3.11').toBeGreaterThan(0);
  });
});
