// fromC, construct by construct: what it reads (and the schema it makes), what it refuses (the code,
// the line and column, the words), and its options. Layouts of these constructs are checked against
// gcc in gcc.test.ts; here the expected numbers are the ones gcc gives.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  alignof,
  anonymous,
  array,
  bits,
  bool,
  type CHeader,
  CSourceError,
  char,
  describe as describeLayout,
  EnumSchema,
  errorCode,
  f16,
  f64,
  fingerprint,
  fromC,
  i8,
  i16,
  i32,
  i64,
  layoutOf,
  offsetof,
  SchemaError,
  type Schema,
  sizeof,
  struct,
  type TargetName,
  target,
  TARGETS,
  toC,
  u8,
  u16,
  u32,
  u64,
  union,
  unnamed,
} from '../../src/index.js';
import { clang } from '../setup/requirements.js';

/** The one type named `name`. */
function type(h: CHeader, name: string): Schema {
  const t = h.types[name];
  if (t === undefined) throw new Error(`no type ${name} in ${Object.keys(h.types).join(', ')}`);
  return t;
}

/** The error fromC throws for `source`. */
function refusal(source: string, options: Parameters<typeof fromC>[1] = {}): CSourceError {
  try {
    fromC(source, { file: 't.h', ...options });
  } catch (e) {
    if (e instanceof CSourceError) return e;
    throw e;
  }
  throw new Error(`fromC accepted:\n${source}`);
}

describe('what fromC returns', () => {
  it('types by name in declaration order, declarations with their C spelling and place, constants, notes, the target', () => {
    const h = fromC('typedef unsigned int DWORD;\nstruct point { int x, y; };\ntypedef struct point point_t;\nenum { A = 3 };\n#define LEN (A * 2)\n', {
      file: 'p.h',
    });
    expect(Object.keys(h.types)).toEqual(['DWORD', 'point', 'point_t']);
    expect(h.types['point_t']).toBe(h.types['point']);
    expect(h.declarations.map((d) => [d.name, d.c, d.kind, d.file, d.line, d.column])).toEqual([
      ['DWORD', 'DWORD', 'typedef', 'p.h', 1, 22],
      ['point', 'struct point', 'struct', 'p.h', 2, 8],
      ['point_t', 'point_t', 'typedef', 'p.h', 3, 22],
    ]);
    expect(h.constants).toEqual({ A: 3, LEN: 6 });
    expect(h.notes).toEqual([]);
    expect(h.target).toBe('x86_64-linux-gnu');
    expect(h.compiler).toBe('gcc 12 for x86-64 Linux (System V, LP64)');
    expect(Object.isFrozen(h) && Object.isFrozen(h.types) && Object.isFrozen(h.declarations) && Object.isFrozen(h.constants)).toBe(true);
  });

  it('keys are plain own properties, even names such as __proto__ and constructor', () => {
    const h = fromC('struct __proto__ { int a; }; struct constructor { char b; }; typedef int toString;');
    expect(Object.keys(h.types)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(sizeof(type(h, '__proto__'))).toBe(4);
    expect(Object.getPrototypeOf(h.types)).toBe(null);
  });

  it('a tag and a typedef of another type with the same name: the typedef keeps the name, the tag is "struct x"', () => {
    const h = fromC('struct x { double d; }; typedef int x;');
    expect(Object.keys(h.types)).toEqual(['struct x', 'x']);
    expect(sizeof(type(h, 'x'))).toBe(4);
    expect(sizeof(type(h, 'struct x'))).toBe(8);
  });

  it('names the schema after the tag, or the typedef of an untagged struct; a __name has none', () => {
    const h = fromC('struct tagged { int a; }; typedef struct { int b; } Untagged; struct __reserved { int c; };');
    expect(type(h, 'tagged')).toMatchObject({ options: { name: 'tagged' } });
    expect(type(h, 'Untagged')).toMatchObject({ options: { name: 'Untagged' } });
    expect((type(h, '__reserved') as { options: object }).options).toEqual({});
  });
});

describe('types', () => {
  it('maps every spelling of the arithmetic types (x86-64: long is 8 bytes) and the <stdint.h> names', () => {
    const h = fromC(`struct s {
      signed char a; unsigned char b; short c; unsigned short int d; int e; unsigned f; long g; unsigned long h;
      long long i; unsigned long long int j; float k; double l; _Bool m; bool n;
      int8_t o; uint8_t p; int16_t q; uint16_t r; int32_t s; uint32_t t; int64_t u; uint64_t v;
      size_t w; ssize_t x; ptrdiff_t y; intptr_t z; uintptr_t aa; wchar_t bb; char16_t cc; char32_t dd;
    };`);
    const types = layoutOf(type(h, 's')).map((f) => f.type);
    expect(types).toEqual('i8 u8 i16 u16 i32 u32 i64 u64 i64 u64 f32 f64 bool bool i8 u8 i16 u16 i32 u32 i64 u64 u64 i64 i64 i64 u64 i32 u16 u32'.split(' '));
  });

  it('char[N] is char(N), char[M][N] is array(char(N), M), a lone char is char(1), a char bitfield i8', () => {
    const h = fromC('#define N 8\nstruct s { char name[N]; char names[3][N + 2]; char c; char bf : 4; unsigned char raw[4]; };');
    const expected = struct({ name: char(8), names: array(char(10), 3), c: char(1), bf: bits(i8, 4), raw: array(u8, 4) });
    expect(fingerprint(type(h, 's'))).toBe(fingerprint(expected));
  });

  it('pointers of every kind are 8-byte addresses (u64), also to types with no schema', () => {
    const h = fromC('struct s { void *p; int (*f)(int); struct undefined_t *q; long double *ld; char (*a)[4]; const char *const *argv; };');
    expect(layoutOf(type(h, 's')).map((f) => f.type)).toEqual(['u64', 'u64', 'u64', 'u64', 'u64', 'u64']);
    expect(sizeof(type(h, 's'))).toBe(48);
  });

  it('arrays: multi-dimensional, of structs, of pointers, sized by constant expressions', () => {
    const h = fromC(`#define ROWS 2
      enum { COLS = ROWS + 1 };
      struct p { short x, y; };
      struct s { int m[ROWS][COLS]; struct p pts[COLS * 2]; int *ptrs[2]; double d[sizeof(struct p)]; char by_cast[(unsigned char)257]; };`);
    const s = type(h, 's');
    expect(layoutOf(s, { maxEntries: 1000 }).find((f) => f.path === 'm')?.type).toBe('i32[2][3]');
    expect(offsetof(s, 'pts[5].y')).toBe(24 + 5 * 4 + 2);
    expect(offsetof(s, 'ptrs')).toBe(48);
    expect(offsetof(s, 'd')).toBe(64);
    expect(offsetof(s, 'by_cast')).toBe(96);
  });

  it('enums: unsigned int, int, 64-bit or (packed) the smallest type; constants; bitfields of enum type', () => {
    const h = fromC(`enum u { A, B = 7 }; enum s { N = -1 }; enum w { W = 0x100000000 };
      enum __attribute__((packed)) pk { P = 200 }; enum pks { Q = -3 } __attribute__((packed));
      enum fixed : uint16_t { F = 1 };
      struct e { enum u a; enum s b; enum w c; enum pk d; enum pks e; enum fixed f; enum u g : 3; enum s h : 2; };`);
    expect(['u', 's', 'w', 'pk', 'pks', 'fixed'].map((n) => (type(h, n) as { name: string }).name)).toEqual(['u32', 'i32', 'u64', 'u8', 'i8', 'u16']);
    expect(h.constants).toEqual({ A: 0, B: 7, N: -1, W: 0x100000000, P: 200, Q: -3, F: 1 });
    const e = layoutOf(type(h, 'e'));
    expect(e.map((f) => f.type)).toEqual(['u32', 'i32', 'u64', 'u8', 'i8', 'u16', 'u32', 'i32']);
    expect(sizeof(type(h, 'e'))).toBe(24); // g and h share one unit at 20
  });

  it('integer constants beyond 2^53 are bigints', () => {
    expect(fromC('#define BIG 0xFFFFFFFFFFFFFFFFull\n#define SMALL (1u << 31)').constants).toEqual({ BIG: 0xffffffffffffffffn, SMALL: 2 ** 31 });
  });

  it('nested and untagged records, unions; a tag defined inside a struct is a type of its own', () => {
    const h = fromC('struct outer { struct inner { int a; } in; struct { double x, y; } pos; union { int i; float f; } u; struct inner more[2]; };');
    expect(Object.keys(h.types)).toEqual(['inner', 'outer']);
    const outer = type(h, 'outer');
    expect(offsetof(outer, 'pos.y')).toBe(16);
    expect(offsetof(outer, 'more[1].a')).toBe(32);
    expect(sizeof(outer)).toBe(40);
  });

  it('a typedef of an incomplete struct becomes the struct once it is defined; an opaque one is left out', () => {
    const h = fromC('typedef struct node node_t; typedef struct opaque opaque_t; struct node { int v; node_t *next; opaque_t *o; };');
    expect(Object.keys(h.types)).toEqual(['node_t', 'node']);
    expect(type(h, 'node_t')).toBe(type(h, 'node'));
  });

  it('a typedef of an aligned scalar aligns the members of that type, and has no schema of its own (a note says so)', () => {
    const h = fromC('typedef int a8 __attribute__((aligned(8)));\nstruct s { char c; a8 x; };');
    expect(offsetof(type(h, 's'), 'x')).toBe(8);
    expect(Object.keys(h.types)).toEqual(['s']);
    expect(h.notes.map((n) => [n.line, n.message])).toEqual([[1, 'typedef a8 (int aligned to 8) has no schema of its own; members of that type are aligned']]);
  });
});

describe('layout: pack, packed, aligned, _Alignas, byte order, bitfields', () => {
  it('#pragma pack in every form gcc reads (the value at each member is what counts)', () => {
    const h = fromC(`#pragma pack(push, 1)
      struct a { char c; int i; };
      #pragma pack(pop)
      #pragma pack(2)
      struct b { char c; int i; };
      #pragma pack()
      struct c { char c; int i; };
      #pragma pack(push, lbl, 4)
      #pragma pack(push, 1)
      #pragma pack(pop, lbl)
      struct d { char c; double x; };
      _Pragma("pack(push, 1)") struct e { char c; int i; }; _Pragma("pack(pop)")`);
    expect(['a', 'b', 'c', 'd', 'e'].map((n) => offsetof(type(h, n), n === 'd' ? 'x' : 'i'))).toEqual([1, 2, 4, 8, 1]);
  });

  it('__attribute__((packed)) before the tag, after the brace, in a typedef; aligned(n) and aligned; _Alignas(n) and _Alignas(type)', () => {
    const h = fromC(`struct __attribute__((packed)) a { char c; int i; };
      struct b { char c; int i; } __attribute__((__packed__));
      typedef struct { char c; short s; } __attribute__((packed)) c;
      struct __attribute__((aligned(16))) d { char c; };
      struct e { char c; int i __attribute__((aligned(8))); _Alignas(16) char j; _Alignas(double) short k; int __attribute__((aligned)) l; };`);
    expect(sizeof(type(h, 'a'))).toBe(5);
    expect(sizeof(type(h, 'b'))).toBe(5);
    expect(sizeof(type(h, 'c'))).toBe(3);
    expect([sizeof(type(h, 'd')), alignof(type(h, 'd'))]).toEqual([16, 16]);
    const e = type(h, 'e');
    expect(['i', 'j', 'k', 'l'].map((m) => offsetof(e, m))).toEqual([8, 16, 24, 32]);
  });

  it('packed on a typedef name is ignored, as gcc does', () => {
    expect(sizeof(type(fromC('typedef struct { char c; int i; } t __attribute__((packed));'), 't'))).toBe(8);
  });

  it('scalar_storage_order: the attribute and the pragma; a little-endian record inside a big-endian one stays little (explicitly)', () => {
    const h = fromC(`struct in { uint16_t x; };
      struct __attribute__((scalar_storage_order("big-endian"))) be { uint16_t a; struct in ref; struct def { uint16_t y; } d; };
      #pragma scalar_storage_order big-endian
      struct p { uint32_t v; };
      #pragma scalar_storage_order default
      struct q { uint32_t v; };`);
    const be = type(h, 'be') as { options: { endian?: string }; fields: readonly { name: string | null; type: Schema }[] };
    expect(be.options.endian).toBe('big');
    expect((be.fields[1]!.type as { options: object }).options).toEqual({ name: 'in', endian: 'little' });
    expect((type(h, 'p') as { options: object }).options).toEqual({ name: 'p', endian: 'big' });
    expect((type(h, 'q') as { options: object }).options).toEqual({ name: 'q' });
  });

  it('bitfields: named, unnamed, :0, of every integer type, bool and enums', () => {
    const h = fromC('struct s { unsigned a : 1, b : 3; int : 0; unsigned short c : 9; unsigned char : 3; _Bool f : 1; long long w : 40; };');
    const expected = struct({ a: bits(u32, 1), b: bits(u32, 3), _0: unnamed(i32, 0), c: bits(u16, 9), _1: unnamed(u8, 3), f: bits(bool, 1), w: bits(i64, 40) });
    expect(fingerprint(type(h, 's'))).toBe(fingerprint(expected));
  });

  it('_Static_assert (and C23 static_assert) are checked against the layout', () => {
    expect(() =>
      fromC('struct s { char c; double d; }; _Static_assert(sizeof(struct s) == 16, "s"); static_assert(offsetof(struct s, d) == 8);'),
    ).not.toThrow();
    const e = refusal('struct s { char c; double d; };\n_Static_assert(_Alignof(struct s) == 4, "s is 4-aligned");');
    expect([e.code, e.line, e.column, e.message]).toEqual(['c_syntax', 2, 16, 't.h:2:16: static assertion failed: "s is 4-aligned"']);
  });
});

describe('the preprocessor', () => {
  it('object-like and function-like macros, # and ##, variadic arguments, nested expansion, recursion stopped', () => {
    const h = fromC(`#define N 4
      #define TWICE(x) (2 * (x))
      #define CAT(a, b) a ## b
      #define DECL(t, ...) t __VA_ARGS__;
      #define SELF SELF
      #define F(x) x
      enum { SELF = 1 };
      struct s { char CAT(na, me)[TWICE(N)]; DECL(int, a, b) char last[F(F(N))]; int self[SELF]; };`);
    expect(layoutOf(type(h, 's')).map((f) => `${f.path}:${f.type}`)).toEqual(['name:char[8]', 'a:i32', 'b:i32', 'last:char[4]', 'self:i32[1]', 'self[0]:i32']);
  });

  it('#if, #ifdef, #elif, #else with defined, arithmetic, __has_attribute and __has_include; skipped text need not be C', () => {
    const h = fromC(`#if defined(__x86_64__) && __SIZEOF_LONG__ == 8 && __has_attribute(packed) && __has_include(<stdint.h>)
      struct yes { int a; };
      #elif 1
      #error no
      #endif
      #ifdef NOPE
      this is ' not C at all
      #elif !defined NOPE
      struct also { int b; };
      #endif
      #if __has_attribute(vector_size) || __has_include("nowhere.h")
      #error no
      #endif`);
    expect(Object.keys(h.types)).toEqual(['yes', 'also']);
  });

  it('reads an identifier that is not a macro as 0 in #if, with a note', () => {
    const h = fromC('#if UNDEFINED_THING\nstruct no { int a; };\n#else\nstruct yes { int a; };\n#endif', { file: 'n.h' });
    expect(Object.keys(h.types)).toEqual(['yes']);
    expect(h.notes).toEqual([{ file: 'n.h', line: 1, column: 5, message: "'UNDEFINED_THING' in #if is not a macro: read as 0, as C does" }]);
  });

  it('options.defines are -D definitions', () => {
    const src = '#ifndef LEN\n#define LEN 1\n#endif\nstruct s { char c[LEN]; };';
    expect(sizeof(type(fromC(src), 's'))).toBe(1);
    expect(sizeof(type(fromC(src, { defines: { LEN: 12 } }), 's'))).toBe(12);
    expect(sizeof(type(fromC(src, { defines: { LEN: '3 * 3' } }), 's'))).toBe(9);
  });

  it('#include: the standard headers are built in; others through options.include (relative to the includer), once with #pragma once', () => {
    const files: Record<string, string> = {
      'inc/a.h': '#pragma once\n#include "b.h"\nstruct a { b_t b; };',
      'inc/b.h': '#include <stdint.h>\ntypedef uint16_t b_t;\n#define B_MAX UINT16_MAX',
    };
    const asked: string[] = [];
    const h = fromC('#include "inc/a.h"\n#include "inc/a.h"\n#include <sys/socket.h>\nstruct top { struct a a; char pad[B_MAX / 65535]; };', {
      file: 'top.h',
      include: (name, { system, from }) => {
        asked.push(`${name} ${system} ${from}`);
        const path = from.includes('/') ? `${from.slice(0, from.lastIndexOf('/') + 1)}${name}` : name;
        const source = files[path];
        return source === undefined ? undefined : { file: path, source };
      },
    });
    expect(Object.keys(h.types)).toEqual(['b_t', 'a', 'top']);
    expect(asked).toEqual(['inc/a.h false top.h', 'b.h false inc/a.h', 'inc/a.h false top.h', 'sys/socket.h true top.h']);
    expect(h.notes.map((n) => `${n.file}:${n.line}: ${n.message}`)).toEqual([
      'top.h:3: #include <sys/socket.h> was not read (not found): the types and macros it declares are unknown',
    ]);
    expect(h.declarations.find((d) => d.name === 'b_t')?.file).toBe('inc/b.h');
  });

  it('line splices and comments anywhere; #warning and unknown pragmas are notes', () => {
    const h = fromC('#define LONG_NAME \\\n  /* a comment */ 5\n#warning careful\n#pragma weird thing\nstruct s { char c[LONG_NAME]; // five\n};', {
      file: 'w.h',
    });
    expect(sizeof(type(h, 's'))).toBe(5);
    expect(h.notes.map((n) => `${n.line}:${n.column} ${n.message}`)).toEqual(['3:1 #warning careful', '4:1 #pragma weird thing is ignored']);
  });

  it('skips functions, their bodies, variables and initializers, extern "C" blocks and asm', () => {
    const h = fromC(`#ifdef __cplusplus
      extern "C" {
      #endif
      extern "C" { int f(int (*cb)(struct q *)); }
      static inline int g(int x) { struct local { int y; } l = { x }; return l.y + (x ? 1 : 2); }
      static const int table[] = { 1, 2, [5] = 3 }, other = 4;
      struct s { int a; } global = { 1 }, *gp;
      __asm__("nop");
      int h(void) __attribute__((noreturn)) __asm__("h_impl");`);
    expect(Object.keys(h.types)).toEqual(['s']);
  });
});

describe('what fromC refuses, and where it says the problem is', () => {
  const cases: [string, string, 'c_syntax' | 'c_unsupported' | 'invalid_bitfield' | 'invalid_name' | 'invalid_type' | 'invalid_length' | 'too_deep', string][] =
    [
      [
        'flexible array member',
        'struct m {\n  int n;\n  char data[];\n};',
        'c_unsupported',
        "3:8: member 'data' of struct m is a flexible array member (char[]): it has no size",
      ],
      ['zero-length array', 'struct m { int n; char data[0]; };', 'c_unsupported', "1:24: member 'data' of struct m is a zero-length array"],
      ['long double member', 'struct m { long double x; };', 'c_unsupported', "1:24: member 'x' of struct m has type long double: long double is x87"],
      ['__int128', 'struct m { unsigned __int128 x; };', 'c_unsupported', "1:30: member 'x' of struct m has type unsigned __int128"],
      ['_Complex', 'struct m { double _Complex z; };', 'c_unsupported', "1:28: member 'z' of struct m has type _Complex"],
      [
        'anonymous member whose name clashes',
        'struct m {\n  int a;\n  union { int a; float f; };\n};',
        'invalid_name',
        "3:3: struct m: field 'a' is declared twice (once in an anonymous member)",
      ],
      [
        '_Alignas on an anonymous member',
        'struct m { char c; _Alignas(8) struct { int a; }; };',
        'c_unsupported',
        '1:20: _Alignas on the anonymous struct member of struct m: align the struct itself',
      ],
      [
        'an attribute on the declaration of an anonymous member',
        'struct m { char c; __attribute__((aligned(8))) union { int a; }; };',
        'c_unsupported',
        "1:35: attribute 'aligned' on the anonymous union member of struct m: put it on the union itself",
      ],
      [
        'anonymous member of another byte order',
        'struct __attribute__((scalar_storage_order("big-endian"))) m {\n  int a;\n  struct { short s; };\n};',
        'c_unsupported',
        '3:3: the anonymous struct member of struct m is little-endian inside a big-endian struct (gcc does not pass scalar_storage_order on to it)',
      ],
      ['_Atomic struct', 'struct a { int x; }; struct m { _Atomic struct a x; };', 'c_unsupported', '1:33: _Atomic struct a: an atomic struct'],
      ['layout attribute no schema has', 'struct m { int x __attribute__((mode(DI))); };', 'c_unsupported', "1:33: attribute 'mode' changes the layout"],
      ['unknown attribute', 'struct m { int x; } __attribute__((frobnicate));', 'c_unsupported', "1:36: attribute 'frobnicate' is not known to fromC"],
      [
        'aligned member in a packed struct',
        'struct __attribute__((packed)) m { char c; int x __attribute__((aligned(8))); };',
        'c_unsupported',
        "1:48: member 'x' of struct m is aligned inside a packed struct",
      ],
      [
        'one packed member',
        'struct m { char c; int x __attribute__((packed)); };',
        'c_unsupported',
        "1:24: member 'x' of struct m is packed inside a struct that is not",
      ],
      [
        'one packed bitfield (gcc: it starts at the next bit, straddling its storage unit)',
        'struct m { char c; int b : 30 __attribute__((packed)); };',
        'c_unsupported',
        "1:24: member 'b' of struct m is a packed bitfield inside a struct that is not packed",
      ],

      [
        'one packed char bitfield (gcc: bits 7-9, across the byte)',
        'struct m { char a : 7; char b : 3 __attribute__((packed)); };',
        'c_unsupported',
        "1:29: member 'b' of struct m is a packed bitfield inside a struct that is not packed",
      ],
      [
        'pack changing inside a struct',
        'struct m { char c;\n#pragma pack(1)\n int x; };\n#pragma pack()',
        'c_unsupported',
        "3:9: #pragma pack changes inside struct m (none at its '{', pack(1) at its '}'): gcc applies the value at the '}', clang the one at the '{'",
      ],
      [
        'pack changing around a member',
        'struct m { char c;\n#pragma pack(push, 1)\n int x;\n#pragma pack(pop)\n};',
        'c_unsupported',
        "3:6: member 'x' of struct m is declared under #pragma pack(1), the struct under none: compilers apply one pack per struct",
      ],
      [
        'typedef lowering alignment',
        'typedef int i2 __attribute__((aligned(2)));',
        'c_unsupported',
        '1:31: typedef i2 has aligned(2) and its type (int) has alignment 4',
      ],
      ['aligned bitfield', 'struct m { _Alignas(8) int b : 3; };', 'c_unsupported', "1:28: member 'b' of struct m is an aligned bitfield"],
      [
        '__declspec outside MSVC',
        'struct __declspec(align(8)) m { int a; };',
        'c_unsupported',
        "1:8: __declspec is Microsoft C, which gcc 12 for x86-64 Linux (System V, LP64) does not read; read the header with { target: 'x86_64-windows-msvc' }",
      ],
      ['__ptr32', 'struct m { int * __ptr32 p; };', 'c_unsupported', '1:18: __ptr32 (a 32-bit pointer in 64-bit MSVC code) has no schema'],
      ['typeof', 'struct m { typeof(int) a; };', 'c_unsupported', '1:12: typeof(…) is not supported'],
      ['float bitfield', 'struct m { float f : 3; };', 'c_syntax', "1:18: member 'f' of struct m is a bitfield of type float"],
      [
        'bitfield wider than its type',
        'struct m { unsigned char c : 9; };',
        'invalid_bitfield',
        "1:26: struct m: field 'c' (u8) has bits: 9, more than its 8-bit type holds",
      ],
      ['named zero-width bitfield', 'struct m { int z : 0; };', 'invalid_bitfield', "1:16: struct m: field 'z' (i32) is a named zero-width bitfield"],
      ['negative bitfield width', 'struct m { int z : -1; };', 'c_syntax', '1:16: bitfield z has a negative width (-1)'],
      ['duplicate member', 'struct m { int a; char a; };', 'invalid_name', "1:24: struct m: field 'a' is declared twice"],
      ['member name views reserve', 'struct m { int set; };', 'invalid_name', "1:16: struct m: field 'set' has a reserved name"],
      ['no named member', 'struct m { int : 3; };', 'invalid_type', '1:1: struct m has no named fields'],
      [
        'array too long',
        'struct m { char c[0x80000000]; };',
        'invalid_length',
        '1:17: char(2147483648) has length 2147483648; use a whole number from 1 to 2147483647',
      ],
      [
        'array longer than 2^32 (named as written, not cut to 2^32 - 1)',
        'struct m { int a[1ULL << 40]; };',
        'invalid_length',
        '1:16: array(i32, [1099511627776]) has length 1099511627776',
      ],
      ['incomplete member', 'struct a; struct m { struct a x; };', 'c_syntax', "1:31: member 'x' of struct m has incomplete type struct a"],
      [
        'struct containing itself',
        'struct m { int a; struct m self; };',
        'c_syntax',
        "1:28: member 'self' of struct m has incomplete type struct m (a struct cannot contain itself",
      ],
      [
        'unknown type name',
        '#include "types.h"\nstruct m { u24 x; };',
        'c_syntax',
        '2:12: unknown type name \'u24\' (it may be declared in "types.h", which fromC did not read)',
      ],
      ['unknown constant', 'struct m { char c[LEN]; };', 'c_syntax', "1:19: 'LEN' is not a constant (no #define or enum constant of that name)"],
      ['a type as a value', 'typedef int T; struct m { char c[T]; };', 'c_syntax', "1:34: 'T' is a type, not a value"],
      ['division by zero', 'struct m { char c[4 / (2 - 2)]; };', 'c_syntax', '1:21: division by zero'],
      ['shift out of range', 'struct m { char c[1 << 40]; };', 'c_syntax', '1:21: shift count 40 is out of range for int (32 bits)'],
      ['floating constant', 'struct m { char c[2.5]; };', 'c_syntax', "1:19: floating constant '2.5' in an integer constant expression"],
      ['negative length', 'struct m { char c[-1]; };', 'c_syntax', '1:19: array length -1 is negative'],
      ['sizeof an expression', 'struct m { char c[sizeof 1]; };', 'c_unsupported', '1:19: sizeof of an expression is not supported'],
      ['VLA', 'struct m { int n; char c[*]; };', 'c_unsupported', '1:26: a variable-length array [*] has no size'],
      ['redefinition', 'struct m { int a; };\nstruct m { int b; };', 'c_syntax', '2:8: redefinition of struct m (first defined at line 1)'],
      ['tag of another kind', 'struct m { int a; }; union m x;', 'c_syntax', "1:28: 'm' is already declared as a struct"],
      ['conflicting typedef', 'typedef int t; typedef long t;', 'c_syntax', "1:29: 't' is already declared (as a typedef of int)"],
      ['missing semicolon', 'struct m { int a }', 'c_syntax', "1:18: expected ';' after member 'a', found '}'"],
      ['unclosed struct', 'struct m { int a;', 'c_syntax', "1:8: struct m is never closed with '}'"],
      ['unclosed brace in a function', 'void f(void) { if (1) {', 'c_syntax', "1:14: '{' is never closed"],
      ['stray character', 'struct m { int a; } @', 'c_syntax', "1:21: stray '@' in the program"],
      ['unterminated string', 'char *s = "abc\n;', 'c_syntax', '1:11: an unterminated literal in the program'],
      ['unterminated comment', 'struct m { /* int a; };', 'c_syntax', '1:12: unterminated /* comment'],
      ['#error', '#if 1\n#error "not for this target"\n#endif', 'c_syntax', '2:1: #error "not for this target"'],
      ['#if without #endif', '#ifdef X\nstruct m { int a; };', 'c_syntax', '1:2: #if without #endif'],
      ['#endif without #if', '#endif', 'c_syntax', '1:2: #endif without #if'],
      ['#else after #else', '#if 1\n#else\n#else\n#endif', 'c_syntax', '3:2: #else after #else'],
      ['unknown directive', '#frobnicate', 'c_syntax', '1:2: unknown preprocessing directive #frobnicate'],
      ['bad pack value', '#pragma pack(3)', 'c_syntax', '1:14: #pragma pack(3): the value is 1, 2, 4, 8 or 16'],
      ['wrong macro argument count', '#define F(a, b) a\nstruct m { char c[F(1)]; };', 'c_syntax', '2:19: macro F takes 2 arguments, 1 given'],
      ['bad paste', '#define P(a, b) a ## b\nstruct m { char c[P(1, +)]; };', 'c_syntax', "2:19: pasting '1' and '+' (in macro P) does not give one token"],
      ['__VA_OPT__', '#define V(...) __VA_OPT__(x)\nint V(1);', 'c_unsupported', '2:5: __VA_OPT__ (in macro V) is not supported'],
      ['static assertion', '_Static_assert(sizeof(long) == 4, "ILP32");', 'c_syntax', '1:16: static assertion failed: "ILP32"'],
      ['function member', 'struct m { int f(void); };', 'c_syntax', "1:16: member 'f' of struct m is a function"],
      ['void member', 'struct m { void v; };', 'c_syntax', "1:17: member 'v' of struct m has type void"],
      ['two types', 'struct m { int float x; };', 'c_syntax', '1:12: invalid combination of type specifiers'],
      ['implicit int', 'struct m { const x; };', 'c_syntax', "1:18: expected a type, found 'x'"],
    ];
  it.each(cases)('%s', (_, source, code, message) => {
    const e = refusal(source);
    expect(e).toBeInstanceOf(SchemaError);
    expect(errorCode(e)).toBe(code);
    expect(e.message).toContain(`t.h:${message}`);
    const [line, column] = message.split(':').map(Number);
    expect([e.file, e.line, e.column]).toEqual(['t.h', line, column]);
  });

  it('a packed bitfield under #pragma pack: as without the attribute for gcc and clang (pack 1, 2, 4 checked with gcc), refused under MSVC rules (clang-msvc packs it)', () => {
    for (const n of [1, 2, 4]) {
      const h = fromC(`#pragma pack(${n})\nstruct m { char c; int b : 30 __attribute__((packed)); char d; };\nstruct m2 { char c; int b : 30; char d; };`, {
        file: 't.h',
      });
      const [m, m2] = [h.types['m'] as Schema, h.types['m2'] as Schema];
      expect([sizeof(m), offsetof(m, 'd' as never)]).toEqual([sizeof(m2), offsetof(m2, 'd' as never)]);
    }
    const e = refusal('#pragma pack(2)\nstruct m { char c; int b : 30 __attribute__((packed)); };', { target: 'x86_64-windows-msvc' });
    expect(e.code).toBe('c_unsupported');
    expect(e.message).toContain("member 'b' of struct m is a packed bitfield");
  });

  it('nesting deeper than 64 structs is too_deep, at the struct that is too deep', () => {
    const src = `${'struct {\n'.repeat(70)}int x;${' } m;'.repeat(70)}`;
    const e = refusal(`struct top { ${src} };`);
    expect([e.code, e.line]).toEqual(['too_deep', 64]); // the 65th level (the top struct is level 1, on line 1 with level 2)
    expect(e.message).toMatch(/structs and unions nest deeper than 64 levels/);
  });

  it('64 nested structs are accepted, as the DSL and fromJSON accept them (a member declarator is not a level)', () => {
    const depth = (n: number) =>
      `${Array.from({ length: n }, (_, i) => `struct s${i} { int a${i}; `).join('')}int z;${Array.from({ length: n - 1 }, (_, i) => ` } m${n - 1 - i};`).join('')} };`;
    const h = fromC(depth(64));
    expect(sizeof(h.types['s0'] as Schema)).toBe(4 * 65); // a0 … a63 and z
    expect(refusal(depth(65)).code).toBe('too_deep');
  });
});

describe('options', () => {
  it('refuses a source that is not a string and options it does not know, as TypeError invalid_argument', () => {
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(TypeError);
        return errorCode(e);
      }
      return 'no error';
    };
    expect(codeOf(() => fromC(42 as never))).toBe('invalid_argument');
    expect(codeOf(() => fromC('', { includes: [] } as never))).toBe('invalid_argument');
    expect(codeOf(() => fromC('', { file: 7 } as never))).toBe('invalid_argument');
    expect(codeOf(() => fromC('', { defines: { 'not a name': '1' } }))).toBe('invalid_argument');
    expect(codeOf(() => fromC('', { defines: { X: 'a\nb' } }))).toBe('invalid_argument');
    expect(codeOf(() => fromC('', { defines: { X: {} as never } }))).toBe('invalid_argument');
    expect(codeOf(() => fromC('', { include: 'dir' as never }))).toBe('invalid_argument');
    expect(codeOf(() => fromC('', { target: 'x86_64-apple-darwin' as never }))).toBe('invalid_argument');
    expect(codeOf(() => fromC('', { target: null as never }))).toBe('invalid_argument');
  });

  it('an include reader that returns something else than { file, source } or undefined is an error at the #include', () => {
    const e = refusal('#include "x.h"', { include: () => 'text' as never });
    expect([e.code, e.line]).toEqual(['invalid_argument', 1]);
  });

  it('the schemas are ordinary schemas: views, describe and the rest work', () => {
    const h = fromC('#include <stdint.h>\nstruct rgb { uint8_t r, g, b; };\nunion word { uint32_t u; float f; uint8_t bytes[4]; };');
    const word = type(h, 'word');
    expect(fingerprint(word)).toBe(fingerprint(union({ u: u32, f: 'f', bytes: array(u8, 4) }, { name: 'word' })));
    expect(describeLayout(type(h, 'rgb'))).toContain('struct rgb');
    expect(fingerprint(type(h, 'rgb'))).toBe(fingerprint(struct({ r: u8, g: u8, b: u8 })));
    expect([i8, i16, u64, f64].every((p) => p.kind === 'primitive')).toBe(true);
  });
});

describe('C11 anonymous members', () => {
  it("are anonymous(record) members: their fields are the record's, at their offsets", () => {
    const h = fromC(`struct value {
      unsigned char tag;
      union { uint32_t i; float f; struct { uint16_t lo, hi; }; };
      uint16_t after;
    };`);
    const expected = struct({ tag: u8, _: anonymous(union({ i: u32, f: 'f', _: anonymous(struct({ lo: u16, hi: u16 })) })), after: u16 });
    expect(fingerprint(type(h, 'value'))).toBe(fingerprint(expected));
    expect(['i', 'f', 'lo', 'hi', 'after'].map((m) => offsetof(type(h, 'value'), m))).toEqual([4, 4, 4, 6, 8]);
    expect((type(h, 'value').create({ f: 1.5 } as never) as unknown as { i: number }).i.toString(16)).toBe('3fc00000');
  });

  it('have their own pack, alignment and byte order: the #pragma pack at their braces, their attributes', () => {
    const h = fromC(`#pragma pack(push, 1)
      struct p {
        char c;
      #pragma pack(push)
      #pragma pack()
        struct { char d; double x; };
      #pragma pack(pop)
        union __attribute__((aligned(8))) { short s; };
      };
      #pragma pack(pop)
      struct __attribute__((scalar_storage_order("big-endian"))) b { uint16_t a; struct __attribute__((scalar_storage_order("big-endian"))) { uint16_t v; }; };`);
    const p = type(h, 'p');
    expect(fingerprint(p)).toBe(
      fingerprint(struct({ c: char(1), _: anonymous(struct({ d: char(1), x: f64 })), _1: anonymous(union({ s: i16 }, { align: 8, pack: 1 })) }, { pack: 1 })),
    );
    expect([offsetof(p, 'x'), offsetof(p, 's'), sizeof(p)]).toEqual([9, 17, 25]);
    expect(fingerprint(type(h, 'b'))).toBe(fingerprint(struct({ a: u16, _: anonymous(struct({ v: u16 })) }, { endian: 'big' })));
  });

  it('under MSVC a tagged struct defined without a member name is one too (a Microsoft extension); elsewhere it only declares the tag', () => {
    const src = 'struct outer { char c; struct inner { int a; }; int b; };';
    expect(sizeof(type(fromC(src, { target: 'x86_64-windows-msvc' }), 'outer'))).toBe(12);
    expect(offsetof(type(fromC(src, { target: 'x86_64-windows-msvc' }), 'outer'), 'a')).toBe(4);
    expect(sizeof(type(fromC(src), 'outer'))).toBe(8);
    expect(Object.keys(fromC(src).types)).toEqual(['inner', 'outer']);
  });
});

describe('enums', () => {
  it('are EnumSchemas: the integer the compiler picks, with the constants and the tag (or the typedef name of an untagged enum)', () => {
    const h = fromC('enum color { RED, GREEN = 5 }; typedef enum { NEG = -1, POS } sign_t; enum wide { W = 0x100000000 }; enum small : uint8_t { S = 3 };');
    const color = type(h, 'color');
    expect(color).toBeInstanceOf(EnumSchema);
    expect(color).toMatchObject({ name: 'u32', values: { RED: 0, GREEN: 5 }, enumName: 'color' });
    expect(type(h, 'sign_t')).toMatchObject({ name: 'i32', values: { NEG: -1, POS: 0 }, enumName: 'sign_t' });
    expect(type(h, 'wide')).toMatchObject({ name: 'u64', values: { W: 0x100000000n } });
    expect(type(h, 'small')).toMatchObject({ name: 'u8', values: { S: 3 } });
    const s = fromC('enum color { RED, GREEN = 5 }; struct s { enum color c; enum color bits : 3; };');
    const fields = (type(s, 's') as { fields: readonly { type: Schema }[] }).fields;
    expect(fields.map((f) => f.type)).toEqual([type(s, 'color'), type(s, 'color')]);
  });

  it('an enum whose constant cannot be a schema constant (__reserved) is its integer type, with a note', () => {
    const h = fromC('enum e { __HIDDEN = 1, SHOWN };', { file: 'e.h' });
    expect(type(h, 'e')).toBe(u32);
    expect(h.notes.map((n) => `${n.line}:${n.column} ${n.message}`)).toEqual([
      "1:6 enum e is its integer type (u32) without its constants: '__HIDDEN' cannot name a schema's constant (names starting with __ are reserved)",
    ]);
    expect(h.constants).toEqual({ __HIDDEN: 1, SHOWN: 2 });
  });
});

// A packed record under #pragma pack(n): gcc and clang place every member packed, but a named
// bitfield (on aarch64 an unnamed one too) still raises the record's alignment to min(n, its
// type's). MSVC's rules do not. The values below are the compilers' (checked here by them too,
// with the same _Static_asserts that fromC checks against its own layout).
describe('#pragma pack with __attribute__((packed)) and bitfields', () => {
  const records = `#pragma pack(2)
struct __attribute__((packed)) A { char c; unsigned int m : 24; };
union __attribute__((packed)) B { char c; unsigned int m : 24; };
struct __attribute__((packed)) C { char c; int m : 8; char d; };
struct __attribute__((packed)) D { char c; int i; };
struct __attribute__((packed)) U { char c; int : 8; char d; };
#pragma pack(4)
struct __attribute__((packed)) E { char c; long long m : 40; };
#pragma pack()
struct G { char x; struct A a[2]; };
`;
  const gnu = { A: [4, 2], B: [4, 2], C: [4, 2], D: [5, 1], U: [3, 1], E: [8, 4], G: [10, 2] };
  const expected: Record<TargetName, Record<string, number[]>> = {
    'x86_64-linux-gnu': gnu,
    wasm32: gnu,
    'aarch64-linux-gnu': { ...gnu, U: [4, 2] },
    'x86_64-windows-msvc': { A: [5, 1], B: [4, 1], C: [6, 1], D: [5, 1], U: [6, 1], E: [9, 1], G: [11, 1] },
  };
  const kind = (tag: string): string => (tag === 'B' ? 'union' : 'struct');
  const header = (t: TargetName): string =>
    records +
    Object.entries(expected[t])
      .map(([tag, [size, align]]) => `_Static_assert(sizeof(${kind(tag)} ${tag}) == ${size} && _Alignof(${kind(tag)} ${tag}) == ${align}, "${tag}");`)
      .join('\n');

  it('fromC lays them out as the compilers do, on every target', () => {
    for (const t of TARGETS) {
      const h = fromC(header(t), { target: t });
      for (const [tag, [size, align]] of Object.entries(expected[t]))
        expect([t, tag, sizeof(type(h, tag)), alignof(type(h, tag))]).toEqual([t, tag, size, align]);
    }
    expect(offsetof(type(fromC(records), 'C'), 'd')).toBe(2);
    expect(offsetof(type(fromC(records), 'G'), 'a')).toBe(2);
  });

  const needClang = clang();
  it.skipIf(needClang.skip)(`${needClang.note}the values are the compilers' (clang for each target checks the same _Static_asserts)`, () => {
    needClang.check();
    const dir = mkdtempSync(join(tmpdir(), 'sct-pack-packed-'));
    const triples: Record<TargetName, string> = {
      'x86_64-linux-gnu': 'x86_64-linux-gnu',
      wasm32: 'wasm32',
      'aarch64-linux-gnu': 'aarch64-linux-gnu',
      'x86_64-windows-msvc': 'x86_64-pc-windows-msvc',
    };
    for (const t of TARGETS) {
      const file = join(dir, `${t}.c`);
      writeFileSync(file, `${header(t)}\n`);
      expect(() => execFileSync('clang', [`--target=${triples[t]}`, '-fsyntax-only', file], { stdio: 'pipe' }), t).not.toThrow();
    }
  });
});

describe('targets: the header as each compiler reads it', () => {
  it('names the target and the compiler', () => {
    expect(TARGETS.map((t) => [t, fromC('', { target: t }).compiler])).toEqual([
      ['x86_64-linux-gnu', 'gcc 12 for x86-64 Linux (System V, LP64)'],
      ['aarch64-linux-gnu', 'gcc 12 for aarch64 Linux (LP64)'],
      ['wasm32', 'clang 14 for wasm32 (ILP32, wasi-libc)'],
      ['x86_64-windows-msvc', 'clang 14 for x86_64-pc-windows-msvc (MSVC layout, LLP64)'],
    ]);
  });

  it("gives long, size_t, pointers, wchar_t and plain char bitfields the target's sizes, as target(name) has them", () => {
    const src =
      '#include <stddef.h>\nstruct s { long l; unsigned long ul; size_t z; ptrdiff_t d; void *p; int (*fp)(void); wchar_t w; char c : 4; long long ll; };';
    for (const t of TARGETS) {
      const T = target(t);
      const expected = struct(
        { l: T.long, ul: T.ulong, z: T.size_t, d: T.ptrdiff_t, p: T.pointer, fp: T.pointer, w: T.wchar_t, c: bits(T.plainChar, 4), ll: i64 },
        { layout: T.layout },
      );
      expect(fingerprint(type(fromC(src, { target: t }), 's')), t).toBe(fingerprint(expected));
    }
  });

  it("lays records out by the target's rules", () => {
    const src = 'struct s { uint8_t a : 3; uint16_t b : 3; };';
    expect(TARGETS.map((t) => (type(fromC(src, { target: t }), 's') as { options: { layout?: string } }).options.layout)).toEqual([
      undefined,
      'aarch64',
      undefined,
      'msvc',
    ]);
    expect(sizeof(type(fromC(src), 's'))).toBe(2);
    expect(sizeof(type(fromC(src, { target: 'x86_64-windows-msvc' }), 's'))).toBe(4); // msvc: b opens a u16 unit
  });

  it("predefines the compiler's macros: #if sees the target as its compiler does", () => {
    const probe = `#include <stdint.h>
      #if defined(_MSC_VER) && defined(_WIN64) && !defined(__GNUC__) && __SIZEOF_LONG__ == 4
      # define WHO 1
      #elif defined(__wasm32__) && defined(__clang__) && __SIZEOF_POINTER__ == 4 && __SIZEOF_LONG__ == 4
      # define WHO 2
      #elif defined(__aarch64__) && defined(__CHAR_UNSIGNED__) && __GNUC__ == 12 && defined(__FLT16_MAX__)
      # define WHO 3
      #elif defined(__x86_64__) && defined(__linux__) && __GNUC__ == 12 && __SIZEOF_LONG__ == 8 && defined(__FLT16_MAX__)
      # define WHO 4
      #endif
      #define MAX_SIZE SIZE_MAX`;
    expect(TARGETS.map((t) => fromC(probe, { target: t }).constants)).toEqual([
      { WHO: 4, MAX_SIZE: 2n ** 64n - 1n },
      { WHO: 3, MAX_SIZE: 2n ** 64n - 1n },
      { WHO: 2, MAX_SIZE: 2 ** 32 - 1 },
      { WHO: 1, MAX_SIZE: 2n ** 64n - 1n },
    ]);
  });

  it("computes constants with the target's data model: the width of long, of size_t, the signedness of char", () => {
    // 1L is 32 bits under MSVC and on wasm32
    expect(fromC('enum { X = (int)(1L << 40 >> 40) };').constants).toEqual({ X: 1 });
    expect(errorCode(refusal('enum { X = (int)(1L << 40 >> 40) };', { target: 'wasm32' }))).toBe('c_syntax');
    expect(refusal('enum { X = (int)(1L << 40 >> 40) };', { target: 'x86_64-windows-msvc' }).message).toContain(
      'shift count 40 is out of range for int (32 bits)',
    );
    // sizeof is a 32-bit size_t on wasm32: 4 - 5 wraps there
    expect(() => fromC('_Static_assert(sizeof(int) - 5 == 0xFFFFFFFF, "");', { target: 'wasm32' })).not.toThrow();
    expect(errorCode(refusal('_Static_assert(sizeof(int) - 5 == 0xFFFFFFFF, "");'))).toBe('c_syntax');
    // plain char is unsigned on aarch64
    expect(fromC("enum { C = '\\xff' };", { target: 'aarch64-linux-gnu' }).constants).toEqual({ C: 255 });
    expect(fromC("enum { C = '\\xff' };").constants).toEqual({ C: -1 });
  });

  it('_Float16 is f16 where the compiler has it (gcc on x86-64 and aarch64), refused where not', () => {
    for (const t of ['x86_64-linux-gnu', 'aarch64-linux-gnu'] as const)
      expect(fingerprint(type(fromC('struct h { _Float16 x; char c; };', { target: t }), 'h'))).toBe(
        fingerprint(struct({ x: f16, c: char(1) }, { layout: target(t).layout })),
      );
    for (const t of ['wasm32', 'x86_64-windows-msvc'] as const) {
      const e = refusal('struct m { _Float16 h; };', { target: t });
      expect([e.code, e.line, e.column]).toEqual(['c_unsupported', 1, 21]);
      expect(e.message).toMatch(/member 'h' of struct m has type _Float16: _Float16 is not supported by clang 14/);
    }
  });

  it('long double is double under MSVC, refused elsewhere', () => {
    expect(layoutOf(type(fromC('struct m { long double x; };', { target: 'x86_64-windows-msvc' }), 'm')).map((f) => f.type)).toEqual(['f64']);
    expect(refusal('struct m { long double x; };', { target: 'aarch64-linux-gnu' }).message).toContain('IEEE quadruple precision (16 bytes) on aarch64 Linux');
  });

  it('scalar_storage_order: big-endian records on gcc targets; refused where clang would ignore it (attribute and pragma)', () => {
    const be = type(fromC('struct __attribute__((scalar_storage_order("big-endian"))) b { uint32_t v; };', { target: 'aarch64-linux-gnu' }), 'b');
    expect(be).toMatchObject({ options: { endian: 'big', layout: 'aarch64' } });
    for (const t of ['wasm32', 'x86_64-windows-msvc'] as const) {
      expect(refusal('struct __attribute__((scalar_storage_order("big-endian"))) b { uint32_t v; };', { target: t }).message).toMatch(
        /^t\.h:1:23: scalar_storage_order\("big-endian"\): clang 14 .* ignores it, and would lay the record out little-endian/,
      );
      expect(refusal('#pragma scalar_storage_order big-endian\nstruct b { int v; };', { target: t }).code).toBe('c_unsupported');
      expect(fromC('#if __has_attribute(scalar_storage_order)\n#error has it\n#endif', { target: t }).types).toEqual({});
    }
  });

  it("toC's guards: a record whose rules this compiler does not have stops at its #error; read for its own target it reads back", () => {
    const msvcOnly = struct({ a: bits(u8, 3), b: bits(u16, 3) }, { name: 'flags', layout: 'msvc' });
    const e = refusal(toC(msvcOnly));
    expect(e.message).toContain('#error "struct flags has layout: \'msvc\', but this compiler lays it out by the sysv rules (gcc, clang)"');
    expect(fingerprint(type(fromC(toC(msvcOnly), { target: 'x86_64-windows-msvc' }), 'flags'))).toBe(fingerprint(msvcOnly));
    const half = struct({ h: f16 }, { name: 'half' });
    expect(refusal(toC(half), { target: 'wasm32' }).message).toContain('#error "_Float16 is not supported by this compiler or target"');
  });

  it('#pragma pack is read at the braces (gcc at the closing one, clang at the opening one): where they differ it is refused', () => {
    for (const t of TARGETS) {
      const e = refusal('#pragma pack(push, 1)\nstruct m { char c; int x;\n#pragma pack(pop)\n};', { target: t });
      expect([e.code, e.line, e.column]).toEqual(['c_unsupported', 4, 1]);
    }
  });

  const windows = { target: 'x86_64-windows-msvc' } as const;
  it('MSVC: __declspec(align(n)) on records (before or after the keyword, in a typedef) and members; harmless __declspecs are skipped', () => {
    const h = fromC(
      `struct __declspec(align(16)) a { char c; };
      __declspec(align(16)) struct b { char c; };
      typedef __declspec(align(32)) struct { int i; } c;
      struct __declspec(dllimport) m { char x; __declspec(align(8)) int y; int __declspec(align(16)) z; };`,
      windows,
    );
    expect(['a', 'b', 'c'].map((n) => [sizeof(type(h, n)), alignof(type(h, n))])).toEqual([
      [16, 16],
      [16, 16],
      [32, 32],
    ]);
    expect(['y', 'z'].map((m) => offsetof(type(h, 'm'), m))).toEqual([8, 16]);
    expect(refusal('struct __declspec(frobnicate) m { int a; };', windows).message).toContain('__declspec(frobnicate) is not known to fromC');
    expect(fromC('#if __has_declspec_attribute(align)\n#define YES 1\n#endif', windows).constants).toEqual({ YES: 1 });
    expect(fromC('#if __has_declspec_attribute(align)\n#define YES 1\n#endif').constants).toEqual({});
  });

  it('MSVC: __int8 … __int64, calling conventions, MSVC pragmas; POSIX types are unknown there', () => {
    const h = fromC(
      `#pragma warning(disable: 4200)
      #pragma comment(lib, "user32")
      struct m { __int64 a; unsigned __int32 b; __int16 c; int (__cdecl *cb)(int); void (__stdcall *f)(void); };
      int __cdecl handler(struct m *p);`,
      windows,
    );
    expect(layoutOf(type(h, 'm')).map((f) => f.type)).toEqual(['i64', 'u32', 'i16', 'u64', 'u64']);
    expect(h.notes).toEqual([]);
    expect(refusal('struct m { ssize_t n; };', windows).message).toContain("unknown type name 'ssize_t'");
  });

  it('MSVC enums are int: 0xFFFFFFFF is -1, packed is ignored (with a note), values beyond 32 bits are refused; a stated type is kept', () => {
    const h = fromC('enum e { A = 0xFFFFFFFF, B }; enum __attribute__((packed)) p { P = 1 }; enum f : unsigned char { F = 200 };', { ...windows, file: 'w.h' });
    expect(type(h, 'e')).toMatchObject({ name: 'i32', values: { A: -1, B: 0 } });
    expect(type(h, 'p')).toMatchObject({ name: 'i32' });
    expect(type(h, 'f')).toMatchObject({ name: 'u8' });
    expect(h.notes.map((n) => n.message)).toEqual(['packed on enum p is ignored: under MSVC every enum is an int']);
    expect(h.constants).toEqual({ A: -1, B: 0, P: 1, F: 200 });
    const e = refusal('enum big { X = 0x100000000 };', windows);
    expect([e.code, e.message]).toEqual(['c_unsupported', expect.stringContaining('X = 4294967296 does not fit in int, the type of every enum under MSVC')]);
    // clang for wasm32 packs enums as gcc does
    expect(type(fromC('enum __attribute__((packed)) p { P = 200 };', { target: 'wasm32' }), 'p')).toMatchObject({ name: 'u8' });
  });

  it('an attribute after the tag of a reference aligns the member declared; before the tag it is ignored, with a note', () => {
    const h = fromC('struct a { char c; };\nstruct s { char x; struct a __attribute__((aligned(16))) m; struct __attribute__((aligned(16))) a n; };', {
      file: 'r.h',
    });
    expect(['m', 'n'].map((f) => offsetof(type(h, 's'), f))).toEqual([16, 17]);
    expect(h.notes.map((n) => `${n.line}:${n.column} ${n.message}`)).toEqual([
      "2:83 attribute 'aligned' before the tag of struct a, which is not defined here, is ignored (as gcc and clang do)",
    ]);
  });

  it("generated C for one target's records and the header's own checks agree on every target (smoke: every target reads every other's plain C)", () => {
    const src = 'struct p { int32_t x, y; double d; };\n_Static_assert(sizeof(struct p) == 16, "p");';
    for (const t of TARGETS as readonly TargetName[]) expect(sizeof(type(fromC(src, { target: t }), 'p'))).toBe(16);
  });
});
