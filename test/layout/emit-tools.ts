// The real tools the emitter tests run: C compilers (gcc, clang) that compile toC output into one
// program calling every <tag>_bits_ok(), and every CPython >= 3.11 found (python3, python3.1x on
// PATH, pyenv's versions) running toCtypes output.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether `cmd --version` runs. */
export function has(cmd: string): boolean {
  return spawnSync(cmd, ['--version']).status === 0;
}

export interface Python {
  readonly exe: string;
  /** `3.13.0` */
  readonly version: string;
}

let found: Python[] | undefined;

/** CPython 3.11 and later, one per minor version: python3 and python3.1x on PATH, then pyenv's installed versions. */
export function pythons(): readonly Python[] {
  if (found !== undefined) return found;
  const candidates = ['python3', ...[11, 12, 13, 14, 15].map((m) => `python3.${m}`)];
  const root = spawnSync('pyenv', ['root'], { encoding: 'utf8' });
  if (root.status === 0) {
    const versions = join(root.stdout.trim(), 'versions');
    if (existsSync(versions)) for (const v of readdirSync(versions).sort()) candidates.push(join(versions, v, 'bin', 'python3'));
  }
  const byMinor = new Map<string, Python>();
  for (const exe of candidates) {
    const r = spawnSync(exe, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const version = r.stdout.trim();
    const [major, minor] = version.split('.').map(Number) as [number, number];
    const key = `${major}.${minor}`;
    if (major === 3 && minor >= 11 && !byMinor.has(key)) byMinor.set(key, { exe, version });
  }
  found = [...byMinor.values()].sort((a, b) => a.version.localeCompare(b.version, 'en', { numeric: true }));
  return found;
}

export interface Program {
  readonly name: string;
  readonly src: string;
}

const RUNNER = `
import json, sys, traceback
out = {}
for p in json.load(open(sys.argv[1])):
    try:
        exec(compile(p['src'], p['name'], 'exec'), {'__name__': 'sct_case'})
        out[p['name']] = 'ok'
    except Exception as e:
        lines = p['src'].split('\\n')
        at = [f.lineno for f in traceback.extract_tb(e.__traceback__) if f.filename == p['name']]
        out[p['name']] = '%s: %s [line: %s]' % (type(e).__name__, e, lines[at[0] - 1] if at else '?')
json.dump(out, sys.stdout)
`;

/**
 * Runs each program in a namespace of its own, in one interpreter: name → `ok`, or
 * `ErrorType: message [line: <the program's line that raised, at its top level>]`.
 */
export function runPython(python: string, programs: readonly Program[]): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'sct-py-'));
  writeFileSync(join(dir, 'programs.json'), JSON.stringify(programs));
  writeFileSync(join(dir, 'run.py'), RUNNER);
  const stdout = execFileSync(python, [join(dir, 'run.py'), join(dir, 'programs.json')], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as Record<string, string>;
}

/** The `<tag>_bits_ok` functions a toC output defines. */
export function bitsCheckFunctions(c: string): string[] {
  return [...c.matchAll(/^static inline int (\w+)\(void\) \{$/gm)].map((m) => m[1] as string);
}

export interface BitsRun {
  /** The compiler's exit status and diagnostics (a failing `_Static_assert` fails the build). */
  readonly status: number | null;
  readonly stderr: string;
  /** Program name → the `<tag>_bits_ok` functions that returned 0 (when the build succeeded). */
  readonly failed: Record<string, string[]>;
  /** How many `<tag>_bits_ok` functions ran. */
  readonly checks: number;
}

/** How a C program for a target is built and run. */
export interface CTarget {
  build(cc: string, flags: readonly string[], files: readonly string[], main: string, exe: string): { status: number | null; stderr: string };
  run(exe: string): [string, string[]];
}

/** Built by `cc` and run here. */
export const NATIVE: CTarget = {
  build: (cc, flags, files, main, exe) => spawnSync(cc, [...flags, '-o', exe, ...files, main], { encoding: 'utf8', maxBuffer: 64 << 20 }),
  run: (exe) => [exe, []],
};

/** Built by a cross compiler for aarch64 Linux and run under qemu-aarch64. */
export const AARCH64: CTarget = {
  build: NATIVE.build,
  run: (exe) => ['qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', exe]],
};

/**
 * Laid out by clang for x86_64-pc-windows-msvc (its MSVC record layout): each unit is compiled to
 * LLVM IR for that target, the IR retargeted to x86-64 Linux (the same sizes for every type the
 * checks use) and linked with a native main, so that the checks run here.
 */
export const MSVC: CTarget = {
  build(cc, flags, files, main, exe) {
    const objects: string[] = [];
    let stderr = '';
    for (const file of files) {
      const ll = `${file}.ll`;
      const r = spawnSync(cc, [...flags, '--target=x86_64-pc-windows-msvc', '-ffreestanding', '-S', '-emit-llvm', '-o', ll, file], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      stderr += r.stderr;
      if (r.status !== 0) return { status: r.status, stderr };
      const ir = readFileSync(ll, 'utf8')
        .replace(/^target datalayout = .*$/m, 'target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"')
        .replace(/^target triple = .*$/m, 'target triple = "x86_64-pc-linux-gnu"');
      writeFileSync(ll, ir);
      objects.push(ll);
    }
    const r = spawnSync(cc, ['-Wno-override-module', '-o', exe, ...objects, main], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return { status: r.status, stderr: stderr + r.stderr };
  },
  run: (exe) => [exe, []],
};

/**
 * Compiles each program as a translation unit of its own (type names may repeat between them) into
 * one executable that calls every `<tag>_bits_ok()`, and runs it. A build error (a failing
 * `_Static_assert`) is reported in `status` and `stderr`; then nothing runs.
 */
export function runC(cc: string, flags: readonly string[], programs: readonly Program[], target: CTarget = NATIVE): BitsRun {
  const dir = mkdtempSync(join(tmpdir(), 'sct-c-'));
  const files: string[] = [];
  const decls: string[] = [];
  const calls: string[] = [];
  let checks = 0;
  programs.forEach((p, i) => {
    const fns = bitsCheckFunctions(p.src);
    checks += fns.length;
    const file = join(dir, `case${i}.c`);
    const body = fns.map((f, k) => `  ok[${k}] = ${f}();`).join('\n');
    writeFileSync(
      file,
      `/* ${p.name} */\n${p.src}\nint sct_case_${i}(int *ok);\nint sct_case_${i}(int *ok) {\n  (void)ok;\n${body}\n  return ${fns.length};\n}\n`,
    );
    files.push(file);
    decls.push(`int sct_case_${i}(int *ok);`);
    calls.push(`  n = sct_case_${i}(ok); for (k = 0; k < n; k++) printf("%d %d %d\\n", ${i}, k, ok[k]);`);
  });
  const main = join(dir, 'main.c');
  writeFileSync(
    main,
    `#include <stdio.h>\n${decls.join('\n')}\nint main(void) {\n  static int ok[1 << 16];\n  int n, k;\n${calls.join('\n')}\n  return 0;\n}\n`,
  );
  const exe = join(dir, 'checks');
  const r = target.build(cc, flags, files, main, exe);
  const failed: Record<string, string[]> = {};
  if (r.status !== 0) return { status: r.status, stderr: r.stderr, failed, checks };
  const [cmd, args] = target.run(exe);
  for (const line of execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 })
    .trim()
    .split('\n')) {
    if (line === '') continue;
    const [i, k, ok] = line.split(' ').map(Number) as [number, number, number];
    if (ok === 1) continue;
    const p = programs[i] as Program;
    const list = failed[p.name] ?? [];
    list.push(bitsCheckFunctions(p.src)[k] as string);
    failed[p.name] = list;
  }
  return { status: r.status, stderr: r.stderr, failed, checks };
}

/**
 * A gcc fixture schema (JSON) with every struct and union named `<name>_c<i>` (`anon_c<i>` when
 * anonymous), so that the toC output of many cases can share one translation unit.
 */
export function suffixNames(json: unknown, i: number): unknown {
  if (Array.isArray(json)) return json.map((x) => suffixNames(x, i));
  if (json === null || typeof json !== 'object') return json;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) out[k] = suffixNames(v, i);
  if (out['kind'] === 'struct' || out['kind'] === 'union') out['name'] = `${typeof out['name'] === 'string' ? out['name'] : 'anon'}_c${i}`;
  return out;
}
