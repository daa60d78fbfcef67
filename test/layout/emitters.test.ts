// toC and toCtypes are checked by the real tools: gcc compiles the emitted C, whose
// _Static_asserts restate our sizes and offsets, and python3 runs the emitted ctypes classes,
// whose asserts do the same (for the cases ctypes can express).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { array, bits, f32, fromJSON, struct, toC, toCtypes, u8, u16, unnamed, u32, type Schema } from '../../src/index.js';
import { gcc, python3 } from '../setup/requirements.js';

// gcc and python3 must be installed; SHAREDCTYPES_SKIP_GCC=1 / SHAREDCTYPES_SKIP_PYTHON=1 skip their tests.
const needGcc = gcc();
const needPython = python3();
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

  it.skipIf(needGcc.skip)(`${needGcc.note}compiles with gcc, every assert holding, for all ${schemas.length} fixture schemas`, () => {
    needGcc.check();
    const dir = mkdtempSync(join(tmpdir(), 'sct-toc-'));
    // One translation unit per case (their type names may repeat); compiled in batches by one gcc call each.
    const files = schemas.map(([name, s], i) => {
      const file = join(dir, `case${i}.c`);
      writeFileSync(file, `/* ${name} */\n${toC(s)}`);
      return file;
    });
    for (let i = 0; i < files.length; i += 60) {
      const batch = files.slice(i, i + 60);
      const r = spawnSync('gcc', ['-std=gnu11', '-fsyntax-only', '-Wno-scalar-storage-order', ...batch], { encoding: 'utf8' });
      expect(r.stderr, r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });
});

describe('toCtypes', () => {
  it('marks what ctypes cannot express', () => {
    const py = toCtypes(struct({ a: bits(u8, 3), _z: unnamed(u8, 0), _p: unnamed(u8, 2), b: u8 }, { name: 'F' }));
    expect(py).toContain('# NOT EXPRESSIBLE: C zero-width bitfield u8 : 0');
    expect(py).toContain("('_unnamed_0', ctypes.c_uint8, 2),  # unnamed in C");
    expect(py).toContain("_layout_ = 'gcc-sysv'");
  });

  // Python 3.11's ctypes has no gcc bitfield rules, no _align_, and no big-endian bool or nested union.
  it.skipIf(needPython.skip)(`${needPython.note}runs under python3 ctypes with every assert holding (cases without bitfields, align or big-endian)`, () => {
    needPython.check();
    const eligible = schemas.filter((_, i) => {
      const text = JSON.stringify(fixtures.cases[i]?.schema);
      return !/"bits"|"align"|"big"/.test(text);
    });
    expect(eligible.length).toBeGreaterThan(40);
    const script = eligible.map(([name, s]) => `# ${name}\n${toCtypes(s)}`).join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'sct-ctypes-'));
    writeFileSync(join(dir, 'check.py'), script);
    execFileSync('python3', [join(dir, 'check.py')], { stdio: 'pipe' });
  });
});
