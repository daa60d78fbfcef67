// gcc as ground truth for any C header: a program that includes the header and prints, for each
// named type fromC found, what gcc decided (sizeof, _Alignof, offsetof and sizeof of every member,
// the bits each bitfield occupies after storing all ones into it and whether it then reads as
// negative, which byte an integer member's 1 lands in (its byte order) and whether -1 of its type
// is below 0 (its signedness)), next to what the library's layout says. Arrays are probed
// at their first and last element. The program runs natively or under qemu (aarch64). Where the
// program cannot run (clang for wasm32 and for Windows here), `checkStatically` asks the compiler
// the sizes, alignments and offsets through _Static_assert instead (bit positions are not constant
// expressions).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layout, type Layout, type Schema } from '../../src/index.js';

/** A type to probe: its C spelling (`struct wav`, `DWORD`) and the schema fromC made of it. */
export interface ProbeTarget {
  readonly c: string;
  readonly schema: Schema;
}

/** One fact: gcc's value and the library's, named so that a mismatch says what it is. */
export interface Fact {
  readonly what: string;
  readonly gcc: string;
  readonly library: string;
}

interface Probe {
  readonly what: string;
  /** C statements printing one line (the value), with `T` the type and `buf` a zeroed buffer. */
  readonly c: string;
  readonly expected: string;
}

const isInteger = (l: Layout): boolean => l.kind === 'primitive' && l.name !== 'f16' && l.name !== 'f32' && l.name !== 'f64' && l.name !== 'bool';

/** The probes of one type: its size and alignment, then every member (recursively). */
function probesOf(t: ProbeTarget, index: number): Probe[] {
  const T = `T${index}`;
  const probes: Probe[] = [
    { what: `sizeof(${t.c})`, c: `printf("%zu\\n", sizeof(${T}));`, expected: String(layout(t.schema).size) },
    { what: `_Alignof(${t.c})`, c: `printf("%zu\\n", _Alignof(${T}));`, expected: String(layout(t.schema).align) },
  ];
  // the member at `path` of the object at buf (a path into an array root starts with [i])
  const at = (path: string): string => (path.startsWith('[') ? `(*(${T} *)buf)${path}` : `((${T} *)buf)->${path}`);
  const walk = (l: Layout, base: number, path: string, big: boolean): void => {
    if (path !== '' && !path.startsWith('[')) {
      probes.push({ what: `offsetof(${t.c}, ${path})`, c: `printf("%zu\\n", offsetof(${T}, ${path}));`, expected: String(base) });
      probes.push({ what: `sizeof(${t.c}.${path})`, c: `printf("%zu\\n", sizeof(${at(path)}));`, expected: String(l.size) });
    }
    if (path !== '' && isInteger(l) && l.kind === 'primitive') {
      // store 1: the byte it lands in says the byte order; and whether -1 is below 0, the signedness
      if (l.size > 1)
        probes.push({
          what: `byte order of ${t.c}.${path}`,
          c: `memset(buf, 0, sizeof buf); ${at(path)} = (__typeof__(${at(path)}))1; for (k = 0; k < sizeof buf && !buf[k]; k++); printf("%zu\\n", k);`,
          expected: String(base + (l.endian === 'big' ? l.size - 1 : 0)),
        });
      probes.push({
        what: `signedness of ${t.c}.${path}`,
        c: `printf("%d\\n", (__typeof__(${at(path)}))-1 < (__typeof__(${at(path)}))0);`,
        expected: l.name.startsWith('i') ? '1' : '0',
      });
    }
    if (l.kind === 'array') {
      const indices = l.length === 1 ? [0] : [0, l.length - 1];
      for (const i of indices) walk(l.element, base + i * l.element.size, `${path}[${i}]`, big);
    } else if (l.kind === 'struct' || l.kind === 'union') {
      for (const f of l.fields) {
        const p = path === '' ? f.name : `${path}.${f.name}`;
        if (f.bits === null) {
          walk(f.layout, base + f.offset, p, l.endian === 'big');
          continue;
        }
        // all ones into the bitfield: which bits change (first set bit, LSB-first or MSB-first as the record numbers them, and how many)
        const msb = l.endian === 'big';
        const value = f.bits.type === 'bool' ? '1' : '~0ULL';
        probes.push({
          what: `bits of ${t.c}.${p}`,
          c: `memset(buf, 0, sizeof buf); ${at(p)} = ${value}; bits(buf, sizeof buf, ${msb ? 1 : 0}); printf("%d\\n", ${at(p)} < 0);`,
          expected: `${base * 8 + f.bits.bitOffset} ${f.bits.width}\n${f.bits.signed ? 1 : 0}`,
        });
      }
    }
  };
  walk(layout(t.schema), 0, '', false);
  return probes;
}

/**
 * Compiles `files` (the header and what it includes; `main` is the one included) with gcc (or
 * `cc`) and a probe of every target, runs it (under `runner`, e.g. qemu, when given), and returns
 * gcc's facts next to the library's.
 */
export function probeWithGcc(
  files: Readonly<Record<string, string>>,
  main: string,
  targets: readonly ProbeTarget[],
  cc = 'gcc',
  runner: readonly string[] = [],
): Fact[] {
  const dir = mkdtempSync(join(tmpdir(), 'sct-probe-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const all = targets.map((t, i) => probesOf(t, i));
  const program = [
    '#include <stdio.h>',
    '#include <string.h>',
    '#include <stddef.h>',
    `#include "${main}"`,
    ...targets.map((t, i) => `typedef ${t.c} T${i};`),
    'static unsigned char buf[1 << 16] __attribute__((aligned(64)));',
    'static void bits(const unsigned char *b, size_t n, int msb) {',
    '  size_t k, first = (size_t)-1, count = 0;',
    '  for (k = 0; k < n * 8; k++) {',
    '    int set = msb ? (b[k >> 3] >> (7 - (k & 7))) & 1 : (b[k >> 3] >> (k & 7)) & 1;',
    '    if (set) { if (first == (size_t)-1) first = k; count++; }',
    '  }',
    '  printf("%zu %zu\\n", first, count);',
    '}',
    'int main(void) {',
    '  size_t k = 0;',
    '  (void)k;',
    ...all.flatMap((ps) => ps.map((p) => `  { ${p.c} }`)),
    '  return 0;',
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'probe.c'), program);
  const exe = join(dir, 'probe');
  const build = spawnSync(cc, ['-std=gnu17', '-w', '-O0', '-I', dir, '-o', exe, join(dir, 'probe.c')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`${cc} could not compile the probe of ${main}:\n${build.stderr}`);
  const run = spawnSync(runner[0] ?? exe, runner.length === 0 ? [] : [...runner.slice(1), exe], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`the probe of ${main} failed:\n${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  const facts: Fact[] = [];
  let k = 0;
  for (const ps of all)
    for (const p of ps) {
      const n = p.expected.split('\n').length; // a probe prints as many lines as it expects
      facts.push({ what: p.what, gcc: lines.slice(k, k + n).join('\n') || '(missing)', library: p.expected });
      k += n;
    }
  return facts;
}

/** The facts where gcc and the library disagree, one line each. */
export function disagreements(facts: readonly Fact[]): string[] {
  return facts.filter((f) => f.gcc !== f.library).map((f) => `${f.what}: gcc ${f.gcc}, library ${f.library}`);
}

/**
 * Asks a compiler that cannot run its output here (`cc` with `args`, e.g. clang
 * `--target=x86_64-pc-windows-msvc`) the size and alignment of every target and of every record
 * member reached (through the first element of arrays) and its offset, as _Static_asserts of the
 * library's values; returns a fact per assert, the compiler's value `'differs'` where it failed.
 */
export function checkStatically(
  files: Readonly<Record<string, string>>,
  main: string,
  targets: readonly ProbeTarget[],
  cc: string,
  args: readonly string[],
): Fact[] {
  const asserts: { what: string; c: string; expected: string }[] = [];
  const fact = (what: string, c: string, expected: number): void => {
    asserts.push({ what, c: `_Static_assert(${c} == ${expected}, "#${asserts.length}");`, expected: String(expected) });
  };
  targets.forEach((t, i) => {
    const T = `T${i}`;
    const l = layout(t.schema);
    fact(`sizeof(${t.c})`, `sizeof(${T})`, l.size);
    fact(`_Alignof(${t.c})`, `_Alignof(${T})`, l.align);
    // `type` is a C type expression of the record laid out as `r`
    const record = (r: Layout, type: string, label: string): void => {
      if (r.kind !== 'struct' && r.kind !== 'union') return;
      for (const f of r.fields) {
        if (f.bits !== null) continue;
        fact(`offsetof(${label}, ${f.name})`, `__builtin_offsetof(${type}, ${f.name})`, f.offset);
        let m = f.layout;
        let e = `__typeof__(((${type} *)0)->${f.name})`;
        fact(`sizeof(${label}.${f.name})`, `sizeof(${e})`, m.size);
        while (m.kind === 'array') {
          m = m.element;
          e = `__typeof__((*(${e} *)0)[0])`;
        }
        record(m, e, `${label}.${f.name}`);
      }
    };
    let root = l;
    let type = T;
    while (root.kind === 'array') {
      root = root.element;
      type = `__typeof__((*(${type} *)0)[0])`;
    }
    record(root, type, t.c);
  });
  const dir = mkdtempSync(join(tmpdir(), 'sct-static-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const program = [`#include "${main}"`, ...targets.map((t, i) => `typedef ${t.c} T${i};`), ...asserts.map((a) => a.c), ''].join('\n');
  writeFileSync(join(dir, 'static.c'), program);
  const build = spawnSync(cc, [...args, '-std=gnu17', '-w', '-ferror-limit=0', '-fsyntax-only', '-I', dir, join(dir, 'static.c')], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const failed = new Set([...build.stderr.matchAll(/"#(\d+)"/g)].map((m) => Number(m[1])));
  if (build.status !== 0 && failed.size === 0) throw new Error(`${cc} ${args.join(' ')} could not compile the checks of ${main}:\n${build.stderr}`);
  return asserts.map((a, k) => ({ what: a.what, gcc: failed.has(k) ? 'differs' : a.expected, library: a.expected }));
}
