// Bit positions in the emitted code. Sizes and byte offsets do not pin a bitfield down: ctypes before
// Python 3.14 places bitfields by MSVC's rules, and some classes it builds have every size and offset
// of the C struct but their bits elsewhere. The emitted checks store all ones into each bitfield of a
// zeroed object and compare the bytes with the library's layout. Differential test: on every Python
// found, toCtypes' asserts must pass exactly where the independent ctypes witness
// (tools/fixtures/ctypes_witness.py, which compares ctypes with gcc's observations) says ctypes agrees
// with gcc, on the gcc fixtures and on fresh random schemas. In C, gcc -mms-bitfields plays the
// compiler that places bits elsewhere.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { array, bits, bool, char, f32, fromJSON, i8, i32, i16, i64, struct, toC, toCtypes, u8, u16, u32, u64, union } from '../../src/index.js';
import { type Python, pythons, runC, runPython } from './emit-tools.js';
import { gcc, python3 } from '../setup/requirements.js';

// gcc and a Python 3.11+ must be installed; SHAREDCTYPES_SKIP_GCC / _PYTHON=1 skip their tests.
const needGcc = gcc();
const needPython = python3();

const FIXTURES = fileURLToPath(new URL('../fixtures/gcc-layouts.json', import.meta.url));
const WITNESS = fileURLToPath(new URL('../../tools/fixtures/ctypes_witness.py', import.meta.url));
const GENERATOR = fileURLToPath(new URL('../../tools/fixtures/generate.mjs', import.meta.url));

interface WitnessCase {
  name: string;
  agree?: boolean;
  /** `layout`: a size, alignment, offset or bit position differs; `store`: the layout agrees, but a ctypes setter writes other bytes than C. */
  kind?: 'layout' | 'store';
  skipped?: string;
  disagreements?: string[];
}

/** The type a toCtypes program is about: the root alias, or else the last class. */
function rootOf(src: string): string {
  const alias = /^(\w+) = /m.exec(src);
  return alias !== null ? (alias[1] as string) : ([...src.matchAll(/^class (\w+)\(/gm)].at(-1)?.[1] as string);
}

/**
 * Runs the witness and toCtypes' output of every case in `file` under `py`; checks that the asserts
 * pass exactly where the witness says ctypes agrees with gcc. The witness looks from the root (its
 * size and alignment, every leaf's offset and bits); the asserts also check each nested class on
 * its own, so where the witness agrees they may still find a nested class whose own size or
 * alignment differs, which no offset from the root shows (a struct in a union, or last): such
 * cases are returned, as are the disagreements only the bit checks caught (sizes and offsets held).
 * Where the witness finds only a ctypes setter writing other bytes (kind `store`: the layout agrees),
 * the asserts, which check the layout, may pass.
 */
function differential(py: Python, file: string, only: (name: string) => boolean = () => true): { compared: number; byBits: string[]; nested: string[] } {
  const out = join(mkdtempSync(join(tmpdir(), 'sct-witness-')), 'witness.json');
  execFileSync(py.exe, [WITNESS, '--in', file, '--out', out], { stdio: 'pipe' });
  const witness = new Map((JSON.parse(readFileSync(out, 'utf8')) as { cases: WitnessCase[] }).cases.map((c) => [c.name, c]));
  const cases = (JSON.parse(readFileSync(file, 'utf8')) as { cases: { name: string; schema: unknown }[] }).cases.filter((c) => only(c.name));
  const programs = cases.map((c) => ({ name: c.name, src: toCtypes(fromJSON(c.schema)) }));
  const results = runPython(py.exe, programs);
  let compared = 0;
  const byBits: string[] = [];
  const nested: string[] = [];
  const storeOnly: string[] = [];
  for (const c of cases) {
    const w = witness.get(c.name);
    if (w === undefined || w.agree === undefined) continue; // the witness could not build it with ctypes
    compared++;
    const result = results[c.name] as string;
    if (w.agree && result !== 'ok') {
      const m = /\[line: assert ctypes\.(?:sizeof|alignment)\((\w+)\) == \d+\]$/.exec(result);
      expect(m?.[1], `${c.name}: ctypes agrees with gcc from the root, only a nested class's own size or alignment may fail: ${result}`).toBeDefined();
      expect(m?.[1]).not.toBe(rootOf(programs.find((p) => p.name === c.name)?.src ?? ''));
      nested.push(c.name);
    } else if (w.agree) expect(result).toBe('ok');
    else if (w.kind === 'store' && result === 'ok') {
      // A ctypes setter bug (c_bool bitfields in a union, for one), not a layout difference: the
      // asserts check the layout, which agrees. They may also catch it (storing all ones shows it).
      storeOnly.push(c.name);
    } else {
      expect(result, `${c.name}: ctypes differs from gcc (${w.disagreements?.[0]}), the asserts must fail`).toMatch(/^AssertionError/);
      if (result.includes('ctypes sets bytes')) byBits.push(c.name);
    }
  }
  return { compared, byBits, nested };
}

describe('toCtypes: bit positions', () => {
  it('checks every bitfield with the bytes all ones sets, from the library layout (little- and big-endian, unions)', () => {
    const Mixed = struct({ a: bits(u8, 4), b: bits(i32, 20), c: bits(i16, 9), f: bits(bool, 1) }, { name: 'Mixed' });
    const py = toCtypes(Mixed);
    expect(py).toContain("check_bits(Mixed, 'a', 0xf, 0, '0f')");
    expect(py).toContain("check_bits(Mixed, 'b', -1, 0, 'f0ffff')");
    expect(py).toContain("check_bits(Mixed, 'c', -1, 4, 'ff01')");
    expect(py).toContain("check_bits(Mixed, 'f', 1, 5, '02')");
    expect(py).toContain("('f', ctypes.c_uint8, 1),  # C: bool (ctypes' c_bool bitfields read and write the whole byte)");
    const big = toCtypes(struct({ a: bits(u8, 3), b: bits(u16, 9), c: bits(u32, 20), d: bits(bool, 1) }, { name: 'BigBits', endian: 'big' }));
    expect(big).toContain("check_bits(BigBits, 'a', 0x7, 0, 'e0')");
    expect(big).toContain("check_bits(BigBits, 'b', 0x1ff, 0, '1ff0')");
    expect(big).toContain("check_bits(BigBits, 'c', 0xfffff, 1, '0fffff')");
    expect(big).toContain("('d', ctypes.c_uint8, 1),  # C: bool (ctypes' c_bool bitfields read and write the whole byte)");
    const u = toCtypes(union({ x: u64, wide: bits(u64, 40), narrow: bits(i8, 1) }, { name: 'U' }));
    expect(u).toContain("check_bits(U, 'wide', 0xffffffffff, 0, 'ffffffffff')");
    expect(u).toContain("check_bits(U, 'narrow', -1, 0, '01')");
    expect(toCtypes(struct({ x: u32 }))).not.toContain('check_bits');
  });

  const found = pythons();
  for (const py of found) {
    it(`Python ${py.version}: the asserts pass exactly where ctypes agrees with gcc (ctypes witness), on the gcc fixtures`, () => {
      const { compared, byBits } = differential(py, FIXTURES);
      expect(compared).toBeGreaterThan(150);
      // Before the bit checks these passed every assert although ctypes puts their bits elsewhere
      // (14 with Python 3.11 … 3.13, among them mixed-types-u16-then-u64 and signed-bitfields).
      expect(byBits.length, byBits.join(' ')).toBeGreaterThanOrEqual(10);
    });
  }

  // ctypes' c_bool ignores a bitfield's position (3.11 … 3.13 read and write the whole byte), so
  // bool bitfields are written c_uint8. The checks read each bitfield back as well as store it.
  const Flags = struct({ a: bits(u8, 3), f: bits(bool, 1), b: bits(u8, 4) }, { name: 'Flags' });
  const readsF = (src: string, byte: number): string =>
    `${src}\nv = Flags.from_buffer_copy(bytes([${byte}])).f\nassert v == ${byte & 8 ? 1 : 0}, 'f reads %r from ${byte}' % v`;
  for (const py of found) {
    it(`Python ${py.version}: a bool bitfield written c_uint8 reads and writes its own bit, and the checks fail with c_bool`, () => {
      const src = toCtypes(Flags);
      const withCBool = src.replace("('f', ctypes.c_uint8, 1)", "('f', ctypes.c_bool, 1)");
      expect(withCBool).not.toBe(src);
      const results = runPython(py.exe, [
        { name: 'emitted', src },
        { name: 'reads-0', src: readsF(src, 0xf7) },
        { name: 'reads-1', src: readsF(src, 0x08) },
        { name: 'c_bool', src: withCBool },
      ]);
      expect(results).toMatchObject({ emitted: 'ok', 'reads-0': 'ok', 'reads-1': 'ok' });
      expect(results['c_bool']).toMatch(/^AssertionError: Flags\.f: ctypes (sets bytes|reads)/);
    });
    // Found by a random schema (seed 1991228338): ctypes' descriptor for tag is "offset 12, bit 48"
    // of a 4-byte unit, yet it stores and reads gcc's bits 112–115 (x86 masks the shift count to 16).
    // The witness judges such descriptors by behaviour, as the checks do: both say ctypes agrees.
    it(`Python ${py.version}: a descriptor past its unit that still reads and writes gcc's bits passes the checks`, () => {
      const src = toCtypes(struct({ f: f32, c: array(char(1), 3), s: i8, a: bits(i64, 33), n: bits(u64, 15), tag: bits(u32, 4) }, { name: 'Past' }));
      expect(runPython(py.exe, [{ name: 'past', src }])).toEqual({ past: 'ok' });
    });
    // Found by a random schema: ctypes' descriptor for hi is byte 7, bit 24 (past its 1-byte unit).
    // As c_bool it stored 0x01 at byte 7 (gcc's bit 56, by accident) and read the whole byte.
    it(`Python ${py.version}: the checks fail where ctypes gives a bitfield a position outside its unit`, () => {
      const src = toCtypes(struct({ lo: bits(u32, 32), tag: bits(i32, 24), hi: bits(bool, 1) }, { name: 'Outside' }));
      const { outside } = runPython(py.exe, [{ name: 'outside', src }]);
      if (Number(py.version.split('.')[1]) >= 14) expect(outside).toBe('ok');
      else expect(outside).toMatch(/^AssertionError: Outside\.hi: ctypes (sets bytes|reads)/);
    });
  }

  const seed = Number(process.env['SCT_CTYPES_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
  it.skipIf(needGcc.skip || needPython.skip)(
    `${needGcc.note}${needPython.note}the same on 80 fresh random schemas for each Python (seed ${seed}; replay with SCT_CTYPES_SEED)`,
    () => {
      needGcc.check();
      needPython.check();
      expect(found.length, 'python3 is older than 3.11').toBeGreaterThan(0);
      const file = join(mkdtempSync(join(tmpdir(), 'sct-random-')), 'cases.json');
      execFileSync(process.execPath, [GENERATOR, '--seed', String(seed), '--count', '80', '--out', file], { stdio: 'pipe' });
      for (const py of found) {
        const { compared } = differential(py, file, (name) => name.startsWith('random'));
        expect(compared, `Python ${py.version}, seed ${seed}`).toBeGreaterThan(10);
      }
    },
  );
});

describe('toC: bit positions', () => {
  // gcc places b at bit 4 of the u16 unit; MSVC's rules (gcc -mms-bitfields) start a u8 unit at byte
  // 2 for it. Sizes and offsets agree (8, and c at 4), so only the run-time check can tell.
  const Ms = struct({ a: bits(u16, 4), b: bits(u8, 4), c: u32 }, { name: 'Ms' });

  it('writes <tag>_bits_ok() with the bytes all ones sets, for each record with bitfields', () => {
    const c = toC(Ms);
    expect(c).toContain('static inline int Ms_bits_ok(void) {');
    expect(c).toContain('  s.b = 0xf;  /* bits 4..7 */\n  for (k = 0; k < sizeof s; k++) ok &= b[k] == (k == 0 ? 0xf0 : 0);');
    const big = toC(struct({ a: bits(u8, 3), g: bits(u16, 9), n: bits(i8, 1) }, { name: 'B', endian: 'big' }));
    expect(big).toContain('  s.g = 0x1ff;  /* bits 3..11, MSB-first */\n  for (k = 0; k < sizeof s; k++) ok &= b[k] == (k == 0 ? 0x1f : k == 1 ? 0xf0 : 0);');
    expect(big).toContain('  s.n = -1;  /* bit 12, MSB-first */');
    expect(toC(struct({ x: u32 }))).not.toContain('_bits_ok');
  });

  const x86 = process.arch === 'x64' || process.arch === 'ia32'; // -mms-bitfields is an x86 option
  it.skipIf(!x86 || needGcc.skip)(`${needGcc.note}fails where the compiler places bits elsewhere with the same sizes and offsets (gcc -mms-bitfields)`, () => {
    needGcc.check();
    const src = toC(Ms);
    expect(runC('gcc', ['-std=gnu11'], [{ name: 'gcc', src }]).failed).toEqual({});
    const ms = runC('gcc', ['-std=gnu11', '-mms-bitfields'], [{ name: 'ms', src }]);
    expect(ms.stderr).toBe(''); // every _Static_assert holds…
    expect(ms.failed).toEqual({ ms: ['Ms_bits_ok'] }); // …but the bits are elsewhere
  });

  it.skipIf(!x86 || needGcc.skip)(`${needGcc.note}and passes where MSVC rules agree with gcc`, () => {
    needGcc.check();
    const same = toC(struct({ a: bits(u32, 4), b: bits(u32, 20), c: u32 }, { name: 'Same' }));
    expect(runC('gcc', ['-std=gnu11', '-mms-bitfields'], [{ name: 'same', src: same }]).failed).toEqual({});
  });
});
