// toC and toCtypes are checked by the real tools: gcc and clang compile the emitted C, whose
// _Static_asserts restate our sizes and offsets and whose <tag>_bits_ok() functions our bit
// positions, and each Python 3.11+ found runs the emitted ctypes classes, whose asserts do the same
// (for the cases ctypes can express). Names: emitter-names.test.ts; bit positions in ctypes:
// emitter-bits.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AARCH64, MSVC, type Program, pythons, runC, runPython, suffixNames } from './emit-tools.js';
import { aarch64, clang, gcc, python3 } from '../setup/requirements.js';

// gcc, clang and a Python 3.11+ must be installed; SHAREDCTYPES_SKIP_GCC / _CLANG / _PYTHON=1 skip their tests.
const needGcc = gcc();
const needClang = clang();
const needPython = python3();
import { array, bits, f32, fromJSON, struct, toC, toCtypes, u8, u16, unnamed, u32, type Schema } from '../../src/index.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/gcc-layouts.json', import.meta.url), 'utf8')) as { cases: { name: string; schema: unknown }[] };
const schemas: [string, Schema][] = fixtures.cases.map((c) => [c.name, fromJSON(c.schema)]);

describe('toC', () => {
  it('writes pack, align, byte order and bitfields', () => {
    const Inner = struct({ q: u32 }, { name: 'Inner' });
    const c = toC(struct({ a: bits(u16, 3), _z: unnamed(u32, 0), in: Inner, m: array(f32, [2, 3]) }, { name: 'Outer', pack: 2, align: 8, endian: 'big' }));
    expect(c).toContain('#pragma pack(push, 2)');
    expect(c).toContain('struct __attribute__((aligned(8), scalar_storage_order("big-endian"))) Outer {');
    expect(c).toContain('  uint16_t a : 3;\n  uint32_t : 0;\n  struct Inner in;\n  float m[2][3];');
    expect(c).toContain('_Static_assert(sizeof(struct Outer) == 32, "sizeof(struct Outer)");');
  });

  // The toC output of every case, its types renamed <name>_c<i> and its root typedef root_c<i> so that
  // the cases can share a translation unit: the _Static_asserts prove sizes and offsets, and the
  // program calls every <tag>_bits_ok() for the bit positions. Two units, so that a unit is not huge.
  const units = (filter: (src: string) => boolean): Program[] => {
    const sources = fixtures.cases.map((c, i) => `/* ${c.name} */\n${toC(fromJSON(suffixNames(c.schema, i)), { name: `root_c${i}` })}`).filter(filter);
    const half = Math.ceil(sources.length / 2);
    return [sources.slice(0, half), sources.slice(half)].map((part, k) => ({ name: `unit${k}`, src: part.join('\n') }));
  };
  // -Wpacked-not-aligned: pack with an aligned member is what some cases ask for; -Wscalar-storage-order:
  // a struct of one byte order nested in the other is too.
  const warnings = ['-Wall', '-Wextra', '-Wno-packed-not-aligned', '-Wno-scalar-storage-order'];

  it.skipIf(needGcc.skip)(
    `${needGcc.note}compiles with gcc, every assert holding and every bit position checked, for all ${schemas.length} fixture schemas`,
    () => {
      needGcc.check();
      const r = runC(
        'gcc',
        ['-std=gnu11', ...warnings],
        units(() => true),
      );
      expect(r.stderr, r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.failed).toEqual({});
      expect(r.checks).toBeGreaterThan(350);
    },
  );

  // clang has no scalar_storage_order: it must refuse the big-endian cases (#error) and compile the others.
  it.skipIf(needClang.skip)(`${needClang.note}compiles with clang, every assert holding and every bit position checked (little-endian cases)`, () => {
    needClang.check();
    // (clang 14 has no _Float16 on x86-64: those cases are refused by their guard, like big-endian ones)
    const little = (src: string): boolean => !src.includes('scalar_storage_order') && !src.includes('_Float16');
    const r = runC('clang', ['-std=gnu11', '-Wall', '-Wextra'], units(little));
    expect(r.stderr, r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.failed).toEqual({});
    expect(r.checks).toBeGreaterThan(250);
    const refused = runC('clang', ['-std=gnu11'], units((src) => src.includes('scalar_storage_order')).slice(0, 1));
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('#error "scalar_storage_order is not supported');
  });
});

describe('toCtypes', () => {
  it('marks what ctypes cannot express', () => {
    const py = toCtypes(struct({ a: bits(u8, 3), _z: unnamed(u8, 0), _p: unnamed(u8, 2), b: u8 }, { name: 'F' }));
    expect(py).toContain('# NOT EXPRESSIBLE: C zero-width bitfield u8 : 0');
    expect(py).toContain("('_unnamed_0', ctypes.c_uint8, 2),  # unnamed in C");
    expect(py).toContain("_layout_ = 'gcc-sysv'");
    // Python 3.14 packs by MSVC rules only, and warns unless that is asked for by name.
    expect(toCtypes(struct({ a: u8, b: u32 }, { pack: 1 }))).toContain(
      "    _layout_ = 'ms'  # Python 3.14+: ctypes packs by MSVC rules only\n    _pack_ = 1\n",
    );
  });

  // Without bitfields ctypes agrees with gcc; what older ctypes lacks: _align_ (3.13) and a union
  // in a big-endian record (3.13). Bitfields: test/layout/emitter-bits.test.ts.
  it.skipIf(needPython.skip)(`${needPython.note}finds a Python 3.11 or later to run the ctypes output`, () => {
    needPython.check();
    expect(pythons().length, 'python3 is older than 3.11').toBeGreaterThan(0);
  });
  for (const py of pythons()) {
    const [, minor] = py.version.split('.').map(Number) as [number, number];
    it(`runs under Python ${py.version} with every assert holding (cases without bitfields${minor < 13 ? ', align or a union in big-endian' : ''})`, () => {
      const programs = fixtures.cases.flatMap((c, i) => {
        const text = JSON.stringify(c.schema);
        if (text.includes('"bits"')) return [];
        const src = toCtypes(schemas[i]?.[1] as Schema);
        if (minor < 13 && (src.includes('_align_ =') || src.includes('older ctypes refuses a union'))) return [];
        return [{ name: c.name, src }];
      });
      expect(programs.length).toBeGreaterThan(minor < 13 ? 40 : 70);
      expect(runPython(py.exe, programs)).toEqual(Object.fromEntries(programs.map((p) => [p.name, 'ok'])));
    });
  }
});

// The other targets' fixtures: toC of every msvc case compiled by clang for Windows (its MSVC record
// layout; the checks run here from retargeted IR), of every aarch64 case by gcc for aarch64 (run
// under qemu), and where a record needs its rules, other compilers refuse it with an #error.
describe('toC for other layout rules', () => {
  const load = (file: string) =>
    (JSON.parse(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')) as { cases: { name: string; schema: unknown }[] }).cases;
  const unitsOf = (cases: { name: string; schema: unknown }[], filter: (src: string) => boolean = () => true): Program[] => {
    const sources = cases.map((c, i) => `/* ${c.name} */\n${toC(fromJSON(suffixNames(c.schema, i)), { name: `root_c${i}` })}`).filter(filter);
    const half = Math.ceil(sources.length / 2);
    return [sources.slice(0, half), sources.slice(half)].map((part, k) => ({ name: `unit${k}`, src: part.join('\n') }));
  };
  const guarded = (src: string): boolean => src.includes('but this compiler lays it out by the sysv rules');
  const msvcCases = load('msvc-layouts.json');
  const aarch64Cases = load('aarch64-layouts.json');
  const needAarch64 = aarch64();

  it.skipIf(needClang.skip)(`${needClang.note}msvc: compiles with clang for Windows, every assert holding and every bit position checked`, () => {
    needClang.check();
    const r = runC('clang', ['-std=gnu11', '-Wall', '-Wextra', '-Wno-pragma-pack'], unitsOf(msvcCases), MSVC);
    expect(r.stderr, r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.failed).toEqual({});
    expect(r.checks).toBeGreaterThan(300);
  });

  it.skipIf(needGcc.skip)(`${needGcc.note}msvc: gcc compiles the records that need no msvc rules and refuses the others`, () => {
    needGcc.check();
    const plain = unitsOf(msvcCases, (src) => !guarded(src));
    const r = runC('gcc', ['-std=gnu11', '-Wno-packed-not-aligned'], plain);
    expect(r.stderr, r.stderr).toBe('');
    expect(r.failed).toEqual({});
    const sources = msvcCases.map((c, i) => toC(fromJSON(suffixNames(c.schema, i)), { name: `root_c${i}` }));
    expect(sources.filter(guarded).length).toBeGreaterThan(100);
    const refused = runC('gcc', ['-std=gnu11'], unitsOf(msvcCases, guarded).slice(0, 1));
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("has layout: 'msvc', but this compiler lays it out by the sysv rules");
  });

  it.skipIf(needAarch64.skip)(
    `${needAarch64.note}aarch64: compiles with gcc for aarch64, every assert holding and every bit position checked under qemu`,
    () => {
      needAarch64.check();
      const r = runC('aarch64-linux-gnu-gcc', ['-std=gnu11', ...warnings()], unitsOf(aarch64Cases), AARCH64);
      expect(r.stderr, r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.failed).toEqual({});
      expect(r.checks).toBeGreaterThan(350);
    },
  );
});

function warnings(): string[] {
  return ['-Wall', '-Wextra', '-Wno-packed-not-aligned', '-Wno-scalar-storage-order'];
}

// toCtypes of the msvc fixtures: ctypes lays out records without bitfields as MSVC does (with
// _layout_ = 'ms' from 3.14, and by default before); with bitfields, 3.11 … 3.13 follow MSVC's rules
// only in part (the emitted bit checks say where), and 3.14 is not on this machine.
describe('toCtypes for msvc records', () => {
  const cases = (JSON.parse(readFileSync(new URL('../fixtures/msvc-layouts.json', import.meta.url), 'utf8')) as { cases: { name: string; schema: unknown }[] })
    .cases;
  for (const py of pythons()) {
    const [, minor] = py.version.split('.').map(Number) as [number, number];
    it(`runs under Python ${py.version} with every assert holding (msvc cases without bitfields${minor < 13 ? ' or _align_' : ''})`, () => {
      const programs = cases.flatMap((c) => {
        if (JSON.stringify(c.schema).includes('"bits"')) return [];
        const src = toCtypes(fromJSON(c.schema));
        if (minor < 13 && src.includes('_align_ =')) return [];
        return [{ name: c.name, src }];
      });
      expect(src(programs)).toContain("_layout_ = 'ms'");
      expect(programs.length).toBeGreaterThan(minor < 13 ? 60 : 90);
      expect(runPython(py.exe, programs)).toEqual(Object.fromEntries(programs.map((p) => [p.name, 'ok'])));
    });
  }
});

function src(programs: readonly Program[]): string {
  return programs.map((p) => p.src).join('\n');
}
