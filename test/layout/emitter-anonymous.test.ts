// Anonymous members in emitted C and ctypes: toC writes them inline (C11), and gcc and clang check
// every offset; toCtypes lists them in _anonymous_, and Python checks every offset.
import { describe, expect, it } from 'vitest';
import { anonymous, bits, f32, f64, struct, toC, toCtypes, u8, u16, u32, union } from '../../src/index.js';
import { clang, gcc, python3 } from '../setup/requirements.js';
import { pythons, runC, runPython } from './emit-tools.js';

const Tagged = struct(
  {
    tag: u8,
    _: anonymous(union({ i: u32, f: f32, _: anonymous(struct({ lo: u16, hi: bits(u16, 9) })) })),
    after: u16,
  },
  { name: 'Tagged' },
);
const Packed = struct({ a: u8, _: anonymous(struct({ b: u8, c: u32 }, { pack: 1 })), d: u32 }, { name: 'Packed' });
const Aligned = struct({ a: u8, _: anonymous(union({ x: u32, y: f32 }, { align: 16 })), z: u8 }, { name: 'AlignedAnon' });
// An anonymous member without pack inside a packed record (and one packed otherwise inside it):
// compilers read #pragma pack at every record's braces, so its own pack must be stated.
const Unpacked = struct(
  { a: u8, _: anonymous(struct({ b: u8, x: f64, _: anonymous(struct({ c: u8, y: u32 }, { pack: 2 })) })), z: u8 },
  { name: 'UnpackedAnon', pack: 1 },
);

describe('anonymous members emitted', () => {
  it('toC writes them inline, their members in the parent', () => {
    const c = toC(Packed);
    expect(c).toContain(
      "#pragma pack(push, 1)\n  struct {  /* anonymous: its members are struct Packed's */\n    uint8_t b;\n    uint32_t c;\n  };\n#pragma pack(pop)",
    );
    expect(c).toContain('_Static_assert(offsetof(struct Packed, c) == 2, "offsetof(struct Packed, c)");');
    expect(c).not.toContain('struct anon_');
    const u = toC(Unpacked);
    expect(u).toContain('#pragma pack(push)\n#pragma pack()\n  struct {');
    expect(u).toContain('_Static_assert(offsetof(struct UnpackedAnon, x) == 9, "offsetof(struct UnpackedAnon, x)");');
    expect(u).toContain('_Static_assert(offsetof(struct UnpackedAnon, y) == 19, "offsetof(struct UnpackedAnon, y)");');
  });

  const needGcc = gcc();
  const needClang = clang();
  for (const [cc, need] of [
    ['gcc', needGcc],
    ['clang', needClang],
  ] as const) {
    it.skipIf(need.skip)(`${need.note}${cc} compiles them with every assert and bit position holding`, () => {
      need.check();
      const r = runC(
        cc,
        ['-std=gnu11', '-Wall', '-Wextra'],
        [Tagged, Packed, Aligned, Unpacked].map((s, i) => ({ name: `case${i}`, src: toC(s) })),
      );
      expect(r.stderr, r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.failed).toEqual({});
      expect(r.checks).toBe(1);
    });
  }

  it('toCtypes lists them in _anonymous_', () => {
    const py = toCtypes(Tagged);
    expect(py).toContain("    _anonymous_ = ('_anonymous_0',)");
    expect(py).toContain("assert getattr(Tagged, 'f').offset == 4");
  });

  const needPython = python3();
  it.skipIf(needPython.skip)(`${needPython.note}Python runs the ctypes output with every offset holding`, () => {
    needPython.check();
    const py = pythons()[0];
    if (py === undefined) throw new Error('no Python 3.11+');
    // (_align_ needs Python 3.13: the aligned case runs there only)
    const schemas = Number(py.version.split('.')[1]) >= 13 ? [Packed, Aligned] : [Packed];
    const programs = schemas.map((s, i) => ({ name: `case${i}`, src: toCtypes(s) }));
    expect(runPython(py.exe, programs)).toEqual(Object.fromEntries(programs.map((p) => [p.name, 'ok'])));
  });
});
