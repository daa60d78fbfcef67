// The laws of fromC: the C that toC writes, read for the target whose compiler laid the schema out,
// reads back as the same layout (fingerprint) for every fixture of every target (gcc, aarch64,
// wasm32, msvc) and for random schemas as each target's compiler declares them (f16, enums,
// anonymous and aligned members, the target's rules); so does the C the fixture generator wrote
// for those compilers (target-sized types, enums, __declspec). C that does not say which rules a
// record has reads as the target's: a schema mixing rules reads back with the target's rules
// everywhere, or toC's guards stop the target's compiler. The TypeScript that `sharedctypes from-c`
// writes builds the same schemas when run, and type-checks (strict, one tsc run over every
// generated module).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { headerToTypeScript } from '../../src/c/emit-ts.js';
import * as lib from '../../src/index.js';
import { type CHeader, CSourceError, fingerprint, fromC, fromJSON, type Schema, type TargetName, target, toC } from '../../src/index.js';
import { schema as mixedSchema, schemaFor, withRules } from '../support/arbitraries.js';
import { runGenerated } from '../support/run-ts.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HEADERS = ['wav.h', 'bmp.h', 'net.h', 'regs.h', 'checklist.h'];

interface FixtureCase {
  readonly name: string;
  readonly schema: unknown;
  /** The C the fixture generator wrote for the case (its root is the typedef ROOT_<index>). */
  readonly c: string;
}
const FIXTURES: readonly (readonly [TargetName, string])[] = [
  ['x86_64-linux-gnu', 'gcc-layouts.json'],
  ['aarch64-linux-gnu', 'aarch64-layouts.json'],
  ['wasm32', 'wasm32-layouts.json'],
  ['x86_64-windows-msvc', 'msvc-layouts.json'],
];
const fixtures = new Map(
  FIXTURES.map(([t, file]) => [t, (JSON.parse(readFileSync(join(ROOT, 'test/fixtures', file), 'utf8')) as { cases: FixtureCase[] }).cases] as const),
);

/**
 * The declarations the fixture generator puts before every case (tools/fixtures/generate.mjs,
 * PRELUDE): the target's types through the compiler's macros, and its enums.
 */
const GENERATOR_PRELUDE = `typedef __SIZE_TYPE__ sct_size_t;
typedef __PTRDIFF_TYPE__ sct_ptrdiff_t;
typedef __PTRDIFF_TYPE__ sct_ssize_t;
typedef __INTPTR_TYPE__ sct_intptr_t;
typedef __UINTPTR_TYPE__ sct_uintptr_t;
typedef __WCHAR_TYPE__ sct_wchar_t;
enum sct_eu { SCT_EU0 = 0, SCT_EU1 = 1000 };
enum sct_es { SCT_ES0 = -5, SCT_ES1 = 5 };
#ifndef _MSC_VER
enum sct_e64 { SCT_E64 = 0x100000000ULL };
enum __attribute__((packed)) sct_ep { SCT_EP0 = 0, SCT_EP1 = 200 };
#endif
`;

/**
 * The generator writes the target's `char` integer as a plain `char` member, which fromC reads as
 * text (`char(1)`): spelled here as the integer it stands for (`signed char`, or `unsigned char`
 * where plain char is unsigned).
 */
function charAsInteger(c: string, t: TargetName): string {
  const spelled = target(t).plainChar.name === 'i8' ? 'signed char' : 'unsigned char';
  return c.replace(/^(\s*)char (\w+);$/gm, `$1${spelled} $2;`);
}

/** The type toC declared last: the root (its dependencies come first). */
function root(h: CHeader): Schema {
  const last = h.declarations[h.declarations.length - 1];
  if (last === undefined) throw new Error('fromC found no types');
  return last.schema;
}

const seed = Number(process.env['SCT_FROMC_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

describe(`fromC(toC(T), { target }) has the fingerprint of T (seed ${seed})`, () => {
  for (const [t, cases] of fixtures) {
    it(`for every ${t} fixture (${cases.length}), and the fixture generator's own C read for ${t}`, () => {
      expect(cases.length).toBeGreaterThanOrEqual(400);
      const wrong: string[] = [];
      cases.forEach((c, i) => {
        const T = fromJSON(c.schema);
        if (fingerprint(root(fromC(toC(T), { file: `${c.name}.h`, target: t }))) !== fingerprint(T)) wrong.push(`toC: ${c.name}`);
        const own = fromC(`${GENERATOR_PRELUDE}${charAsInteger(c.c, t)}`, { file: `${c.name}.c`, target: t }).types[`ROOT_${i}`];
        if (own === undefined || fingerprint(own) !== fingerprint(T)) wrong.push(`generator: ${c.name}`);
      });
      expect(wrong).toEqual([]);
    });

    it(`for random schemas as ${t}'s compiler declares them (300)`, () => {
      fc.assert(
        fc.property(schemaFor(t), (T) => fingerprint(root(fromC(toC(T), { target: t }))) === fingerprint(T)),
        { numRuns: 300, seed },
      );
    });
  }

  it('for random schemas mixing rules (300 per target): read with the target rules everywhere, or stopped by a guard of toC', () => {
    const outcomes = { same: 0, guarded: 0 };
    for (const [t] of FIXTURES) {
      const rules = target(t).layout;
      fc.assert(
        fc.property(mixedSchema, (T) => {
          let h: CHeader;
          try {
            h = fromC(toC(T), { target: t });
          } catch (e) {
            // toC's #error guards: a record this compiler lays out otherwise, a big-endian one without scalar_storage_order
            if (!(e instanceof CSourceError && e.message.includes('#error'))) throw e;
            outcomes.guarded++;
            return;
          }
          expect(fingerprint(root(h))).toBe(fingerprint(withRules(T, rules)));
          outcomes.same++;
        }),
        { numRuns: 300, seed },
      );
    }
    expect(outcomes.same).toBeGreaterThan(100);
    expect(outcomes.guarded).toBeGreaterThan(10);
  });
});

describe('the TypeScript `from-c` writes', () => {
  it(`builds the same schemas: every fixture's toC output (${[...fixtures.values()].reduce((n, c) => n + c.length, 0)}), random schemas of every target, the real headers`, () => {
    const wrong: string[] = [];
    for (const [t, cases] of fixtures) {
      for (const c of cases) {
        const T = fromJSON(c.schema);
        const h = fromC(toC(T), { file: `${c.name}.h`, target: t });
        const exported = runGenerated(headerToTypeScript(h, { source: `${c.name}.h` }));
        const name = h.declarations[h.declarations.length - 1]?.name as string;
        if (!lib.isSchema(exported[name]) || fingerprint(exported[name] as Schema) !== fingerprint(T)) wrong.push(`${t}: ${c.name}`);
      }
      fc.assert(
        fc.property(schemaFor(t), (T) => {
          const h = fromC(toC(T), { target: t });
          const exported = runGenerated(headerToTypeScript(h));
          return fingerprint(exported[h.declarations[h.declarations.length - 1]?.name as string] as Schema) === fingerprint(T);
        }),
        { numRuns: 100, seed },
      );
    }
    expect(wrong).toEqual([]);
    // The real headers on every target; where a compiler refuses one, fromC does: the Windows CRT has
    // no <endian.h>, so net.h takes both byte orders' branches (given one, clang for Windows and
    // fromC fail its "IPv4 header" assertion: MSVC lays its bitfields out otherwise, see from-c.test);
    // clang has no scalar_storage_order; the checklist insists on x86-64 Linux.
    const refused: Record<string, string> = {};
    for (const file of HEADERS) {
      for (const [t] of FIXTURES) {
        let h: CHeader;
        try {
          h = fromC(readFileSync(join(ROOT, 'test/fixtures/headers', file), 'utf8'), { file, target: t });
        } catch (e) {
          if (!(e instanceof CSourceError)) throw e;
          refused[`${file} ${t}`] = e.message;
          continue;
        }
        const exported = runGenerated(headerToTypeScript(h, { source: file }));
        for (const d of h.declarations) {
          const local = Object.keys(exported).find((k) => k === d.name || k === d.name.replace(/ /g, '_'));
          expect(local, `${file}: ${d.c}`).toBeDefined();
          expect(fingerprint(exported[local as string] as Schema), `${t} ${file}: ${d.c}`).toBe(fingerprint(d.schema));
        }
        for (const [name, value] of Object.entries(h.constants)) expect(exported[name], `${t} ${file}: ${name}`).toBe(value);
      }
    }
    expect(refused).toEqual({
      'net.h x86_64-windows-msvc': "net.h:53:18: struct ip: field 'ip_v' is declared twice; give every field a unique name",
      'regs.h wasm32': expect.stringMatching(/^regs\.h:41:23: scalar_storage_order\("big-endian"\): clang 14 for wasm32 .* ignores it/),
      'regs.h x86_64-windows-msvc': expect.stringMatching(
        /^regs\.h:41:23: scalar_storage_order\("big-endian"\): clang 14 for x86_64-pc-windows-msvc .* ignores it/,
      ),
      'checklist.h aarch64-linux-gnu': 'checklist.h:18:1: #error "unexpected target"',
      'checklist.h wasm32': 'checklist.h:18:1: #error "unexpected target"',
      'checklist.h x86_64-windows-msvc': expect.stringMatching(
        /^checklist\.h:171:9: #pragma scalar_storage_order big-endian: clang 14 for x86_64-pc-windows-msvc/,
      ),
    });
  });

  // Inside the repository, so that `sharedctypes` resolves through the tsconfig's paths to src/.
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const work = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'sharedctypes-from-c-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('type-checks (strict, the repository compiler options), and Infer<> gives the types users expect', async () => {
    const files: string[] = [];
    const write = (name: string, text: string): void => {
      writeFileSync(join(work, name), text);
      files.push(name);
    };
    let count = 0;
    for (const [t, cases] of fixtures)
      cases.forEach((c, i) => {
        write(`${t}-${i}.ts`, headerToTypeScript(fromC(toC(fromJSON(c.schema)), { file: `${c.name}.h`, target: t }), { source: `${c.name}.h` }));
        count++;
      });
    for (const [t] of FIXTURES)
      fc.sample(schemaFor(t), { numRuns: 50, seed }).forEach((T, i) => {
        write(`${t}-random-${i}.ts`, headerToTypeScript(fromC(toC(T), { target: t })));
        count++;
      });
    for (const file of HEADERS)
      write(
        `${file.replace('.h', '')}.ts`,
        headerToTypeScript(fromC(readFileSync(join(ROOT, 'test/fixtures/headers', file), 'utf8'), { file }), { source: file }),
      );
    write(
      'win.ts',
      headerToTypeScript(
        fromC(
          `#include <stddef.h>
          typedef enum { RED, GREEN = 0x80000000 } color;
          typedef struct __declspec(align(8)) { long size; size_t n; void *p; wchar_t w; color c; unsigned __int64 big; union { int i; float f; }; } item;`,
          { target: 'x86_64-windows-msvc' },
        ),
      ),
    );
    // A user of the generated modules: the types they get.
    write(
      'use.ts',
      `import { wav_header, type wav_header_t, WAVE_FORMAT_PCM } from './wav.js';
import { iphdr, tcphdr } from './net.js';
import { uart_ctrl_t } from './regs.js';
import { item, color } from './win.js';
const h: wav_header_t = wav_header.create().toObject();
const channels: number = h.num_channels;
const riff: string = h.riff;
const format: number = WAVE_FORMAT_PCM;
const ip = iphdr.create({ version: 4, ihl: 5, ttl: 64 });
const version: number = ip.version;
const flags: number = tcphdr.create().syn;
const ctrl = uart_ctrl_t.create();
const enabled: number = ctrl.bits.enable;
const loop: boolean = ctrl.bits.loopback;
const it = item.create({ size: 1, n: 2n, c: color.values.GREEN, i: 3 });
const size: number = it.size; // long is 4 bytes under MSVC: a number
const n: bigint = it.n; // size_t: 8 bytes
const f: number = it.f; // a member of the anonymous union
const green: number = color.values.GREEN;
// @ts-expect-error: no such member
ip.flags;
// @ts-expect-error: a number, not a string
ctrl.bits.mode = 'fast';
// @ts-expect-error: a bigint, not a number
it.big = 1;
export { channels, riff, format, version, flags, enabled, loop, size, n, f, green };
`,
    );
    const base = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    const tsconfig = {
      compilerOptions: {
        ...base.compilerOptions,
        noEmit: true,
        declaration: false,
        sourceMap: false,
        rootDir: '/',
        module: 'nodenext',
        typeRoots: [join(ROOT, 'node_modules', '@types')],
        paths: { sharedctypes: [join(ROOT, 'src', 'index.ts')] },
      },
      files,
    };
    writeFileSync(join(work, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    let output = '';
    try {
      await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(work, 'tsconfig.json'), '--pretty', 'false'], {
        cwd: work,
        maxBuffer: 64 << 20,
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      output = `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message;
    }
    // errors inside src/ are the library's own type check's business
    const errors = output.split('\n').filter((l) => /error TS/.test(l) && !l.includes(`${join(ROOT, 'src')}`));
    expect(errors).toEqual([]);
    expect(files.length).toBe(count + HEADERS.length + 2);
  });
});
