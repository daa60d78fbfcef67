// fromC on a file from anywhere: large inputs finish (every walk is linear: sizes are chosen so that
// quadratic work would run for minutes and hit the test timeout), deep nesting of every kind stops
// at a bound with too_deep, expansion bombs and oversized sources stop with too_large, and messages
// quoting the source stay short.
import { describe, expect, it } from 'vitest';
import { headerToTypeScript } from '../../src/c/emit-ts.js';
import { CSourceError, errorCode, fromC, sizeof } from '../../src/index.js';

function codeOf(source: string, options: Parameters<typeof fromC>[1] = {}): string | undefined {
  try {
    fromC(source, options);
  } catch (e) {
    expect(e).toBeInstanceOf(CSourceError);
    expect((e as Error).message.length).toBeLessThanOrEqual(1000);
    return errorCode(e);
  }
  return 'accepted';
}

const lines = (n: number, line: (i: number) => string): string => Array.from({ length: n }, (_, i) => line(i)).join('\n');

describe('large inputs are read in linear time', () => {
  it('20 000 structs, typedefs and #defines (about 2 MB)', () => {
    const src = lines(
      20_000,
      (i) => `#define LEN_${i} (${i % 7} + 1)\ntypedef struct s${i} { int a; char name[LEN_${i}]; double d; struct s${i} *next; } t${i};`,
    );
    const h = fromC(src);
    expect(Object.keys(h.types).length).toBe(40_000);
    expect(Object.keys(h.constants).length).toBe(20_000);
    expect(sizeof(h.types['t19999'] as never)).toBe(24);
    // and the TypeScript of it
    expect(headerToTypeScript(h).length).toBeGreaterThan(2_000_000);
  });

  it('65 535 members in one struct; one more is too_many_members', () => {
    const fields = (n: number): string => lines(n, (i) => `  unsigned char m${i};`);
    expect(sizeof(fromC(`struct big {\n${fields(65_535)}\n};`).types['big'] as never)).toBe(65_535);
    expect(codeOf(`struct big {\n${fields(65_536)}\n};`)).toBe('too_many_members');
  });

  it('a macro with 100 000 parameters, used once; 100 000 enum constants; 100 000 #pragma packs', () => {
    const params = Array.from({ length: 100_000 }, (_, i) => `p${i}`);
    expect(codeOf(`#define M(${params.join(',')}) (${params.join('+')})\nenum { E = M(${params.map(() => '1').join(',')}) };`)).toBe('accepted');
    expect(Object.keys(fromC(`enum { ${lines(100_000, (i) => `E${i},`)} };`).constants).length).toBe(100_000);
    expect(codeOf(lines(100_000, (i) => `#pragma pack(${i % 2 === 0 ? '1' : ''})`))).toBe('accepted');
  });

  it("100 000 __declspecs on one struct (MSVC), 100 000 constants of a typedef'd enum, 30 000 anonymous members", () => {
    const windows = { target: 'x86_64-windows-msvc' } as const;
    expect(codeOf(`struct __declspec(${lines(100_000, () => 'dllimport')}) s { int a; };`, windows)).toBe('accepted');
    const h = fromC(`typedef enum { ${lines(100_000, (i) => `E${i},`)} } big_t;`);
    expect(Object.keys((h.types['big_t'] as unknown as { values: object }).values).length).toBe(100_000);
    const anon = fromC(`struct s { ${lines(30_000, (i) => `union { int a${i}; float f${i}; };`)} };`);
    expect(sizeof(anon.types['s'] as never)).toBe(120_000);
  });

  it('200 000 unknown pragmas: 200 notes are kept, then a count', () => {
    const h = fromC(lines(200_000, () => '#pragma unknown'));
    expect(h.notes.length).toBe(201);
    expect(h.notes[200]?.message).toBe('… and 199800 more notes');
  });

  it('names that collide with imports and with each other, in the TypeScript', () => {
    const src = `${lines(20_000, (i) => `typedef unsigned char u8${'_'.repeat(i % 50)}${i < 50 ? '' : i};`)}\n${lines(20_000, (i) => `#define u8${'_'.repeat(i % 50)}${i < 50 ? '' : i} 1`)}`;
    const ts = headerToTypeScript(fromC(src));
    expect(ts).toContain('u8 as u8_');
  });

  it('untagged structs shared at every level of a deep nest are hoisted, not repeated (2^20 copies otherwise)', () => {
    let src = 'int x;';
    for (let i = 0; i < 20; i++) src = `struct { ${src} } a${i}, b${i};`;
    const ts = headerToTypeScript(fromC(`struct top { ${src} };`));
    expect(ts.length).toBeLessThan(20_000);
  });
});

describe('deep nesting stops at a bound (too_deep)', () => {
  const N = 100_000;
  it.each([
    ['parentheses in an expression', `char c[${'('.repeat(N)}1${')'.repeat(N)}];`],
    ['unary operators', `char c[${'~'.repeat(N)}1];`],
    ['ternaries', `char c[${'1 ? '.repeat(N)}1${' : 0'.repeat(N)}];`],
    ['parenthesised declarators', `int ${'('.repeat(N)}x${')'.repeat(N)};`],
    ['array dimensions', `int x${'[1]'.repeat(N)};`],
    ['structs', `${'struct {'.repeat(N)}`],
    ['anonymous members', `struct s { ${'union { int a; struct { '.repeat(N / 10)}int z;${' }; };'.repeat(N / 10)} };`],
    ['type names in _Atomic()', `${'_Atomic('.repeat(N)}int${')'.repeat(N)} x;`],
    ['sizeof of sizeof', `char c[${'sizeof(char[sizeof(char['.repeat(N / 10)}1${'])])'.repeat(N / 10)}];`],
    ['#if', `${'#if 1\n'.repeat(N)}`],
    ['#pragma pack(push)', '#pragma pack(push, 1)\n'.repeat(N)],
    ['a chain of macros', `${lines(N, (i) => `#define M${i + 1} M${i}`)}\nint x = M${N};`],
    ['macro calls in macro arguments', `#define F(x) x\nint y = ${'F('.repeat(1000)}1${')'.repeat(1000)};`],
  ])('%s', (_, source) => {
    expect(codeOf(source)).toBe('too_deep');
  });

  it('#include, each file including itself', () => {
    expect(codeOf('#include "self.h"', { include: (name) => ({ file: name, source: '#include "self.h"\n' }) })).toBe('too_deep');
  });

  it('typedefs of typedefs, each adding alignment, do not nest', () => {
    const src = `typedef char a0;\n${lines(14, (i) => `typedef a${i} a${i + 1} __attribute__((aligned(${2 ** (i + 1)})));`)}\n${lines(50_000, (i) => `typedef a14 b${i};`)}\nstruct s { char c; b49999 x; };`;
    expect(sizeof(fromC(src).types['s'] as never)).toBe(2 ** 15);
  });
});

describe('expansion bombs and oversized sources stop (too_large)', () => {
  it('a macro doubling its expansion 40 times', () => {
    expect(codeOf(`#define A0 x\n${lines(40, (i) => `#define A${i + 1} A${i} A${i}`)}\nint y = A40;`)).toBe('too_large');
  });

  it('100 000 macro calls nested in arguments (each level copies the rest)', () => {
    expect(codeOf(`#define F(x) x\nint y = ${'F('.repeat(100_000)}1${')'.repeat(100_000)};`)).toBe('too_large');
  });

  // The text # and ## make is new at every level: counted by its characters, not as one token.
  it('# nested 40 levels (the quotes escaped again at each: the text triples) in a 180-byte header', () => {
    expect(codeOf(`#define S(x) #x\n#define T(x) S(x)\nchar c[sizeof(${'T('.repeat(40)}a${')'.repeat(40)})];`)).toBe('too_large');
  });

  it('## pasting an argument to itself 40 levels deep (the name doubles at each)', () => {
    expect(codeOf(`#define CAT(a, b) a##b\n#define X(a) CAT(a, a)\nint ${'X('.repeat(40)}q${')'.repeat(40)};`)).toBe('too_large');
  });

  it('a chain of 150 macros used 100 000 times (hide sets copied at every step)', () => {
    expect(codeOf(`${lines(150, (i) => `#define M${i + 1} M${i}`)}\n#define M0 1\nenum { ${lines(100_000, (i) => `E${i} = M150,`)} };`)).toBe('too_large');
  });

  it('more than 2^21 tokens; more than 2^23 characters in all the files included', () => {
    expect(codeOf(';'.repeat(2 ** 21 + 1))).toBe('too_large');
    const big = `/*${' '.repeat(2 ** 20)}*/`;
    expect(
      codeOf(
        lines(10, () => '#include "big.h"'),
        { include: () => ({ file: 'big.h', source: big }) },
      ),
    ).toBe('too_large');
  });

  it('a 100 000-digit number', () => {
    expect(codeOf(`char c[${'9'.repeat(100_000)}];`)).toBe('c_syntax');
  });

  it('a struct larger than 2^48 bytes, found where it is declared', () => {
    const e = (() => {
      try {
        fromC('\ntypedef char huge[0x7fffffff][0x7fffffff][0x7fffffff];');
      } catch (x) {
        return x as CSourceError;
      }
      throw new Error('accepted');
    })();
    expect([e.code, e.line]).toEqual(['too_large', 2]);
  });
});

describe('messages that quote the source stay short', () => {
  it.each([
    ['a 1 MB identifier as an unknown type', `${'x'.repeat(1 << 20)} y;`],
    ['a 1 MB identifier as a tag redefined', `struct ${'t'.repeat(1 << 20)} { int a; }; struct ${'t'.repeat(1 << 20)} { int a; };`],
    ['a 1 MB #error', `#error ${'e'.repeat(1 << 20)}`],
    ['a 1 MB string in a static assertion', `_Static_assert(0, "${'s'.repeat(1 << 20)}");`],
    ['an unterminated comment after 4 MB', `${' '.repeat(1 << 22)}/* …`],
  ])('%s', (_, source) => {
    expect(codeOf(source)).toMatch(/^c_/);
  });
});
