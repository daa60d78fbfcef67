// The laws of fromC: the C that toC writes reads back as the same layout (fingerprint) for every
// gcc fixture and for random schemas; the TypeScript that `sharedctypes from-c` writes builds the
// same schemas when run, and type-checks (strict, one tsc run over every generated module).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { headerToTypeScript } from '../../src/c/emit-ts.js';
import * as lib from '../../src/index.js';
import { type CHeader, fingerprint, fromC, fromJSON, type Schema, toC } from '../../src/index.js';
import { schema as randomSchema } from '../support/arbitraries.js';
import { runGenerated } from '../support/run-ts.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/gcc-layouts.json'), 'utf8')) as { cases: { name: string; schema: unknown }[] };
const HEADERS = ['wav.h', 'bmp.h', 'net.h', 'regs.h', 'checklist.h'];

/** The type toC declared last: the root (its dependencies come first). */
function root(h: CHeader): Schema {
  const last = h.declarations[h.declarations.length - 1];
  if (last === undefined) throw new Error('fromC found no types');
  return last.schema;
}

const seed = Number(process.env['SCT_FROMC_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

describe(`fromC(toC(T)) has the fingerprint of T`, () => {
  it(`for every gcc fixture (${fixtures.cases.length})`, () => {
    expect(fixtures.cases.length).toBeGreaterThanOrEqual(400);
    const wrong: string[] = [];
    for (const c of fixtures.cases) {
      const T = fromJSON(c.schema);
      if (fingerprint(root(fromC(toC(T), { file: `${c.name}.h` }))) !== fingerprint(T)) wrong.push(c.name);
    }
    expect(wrong).toEqual([]);
  });

  it(`for random schemas (500, seed ${seed})`, () => {
    fc.assert(
      fc.property(randomSchema, (T) => fingerprint(root(fromC(toC(T)))) === fingerprint(T)),
      { numRuns: 500, seed },
    );
  });
});

describe('the TypeScript `from-c` writes', () => {
  it(`builds the same schemas: every fixture's toC output (${fixtures.cases.length}), random schemas, and the real headers`, () => {
    const wrong: string[] = [];
    for (const c of fixtures.cases) {
      const T = fromJSON(c.schema);
      const h = fromC(toC(T), { file: `${c.name}.h` });
      const exported = runGenerated(headerToTypeScript(h, { source: `${c.name}.h` }));
      const name = h.declarations[h.declarations.length - 1]?.name as string;
      if (!lib.isSchema(exported[name]) || fingerprint(exported[name] as Schema) !== fingerprint(T)) wrong.push(c.name);
    }
    expect(wrong).toEqual([]);
    fc.assert(
      fc.property(randomSchema, (T) => {
        const h = fromC(toC(T));
        const exported = runGenerated(headerToTypeScript(h));
        return fingerprint(exported[h.declarations[h.declarations.length - 1]?.name as string] as Schema) === fingerprint(T);
      }),
      { numRuns: 200, seed },
    );
    for (const file of HEADERS) {
      const h = fromC(readFileSync(join(ROOT, 'test/fixtures/headers', file), 'utf8'), { file });
      const exported = runGenerated(headerToTypeScript(h, { source: file }));
      for (const d of h.declarations) {
        const local = Object.keys(exported).find((k) => k === d.name || k === d.name.replace(/ /g, '_'));
        expect(local, `${file}: ${d.c}`).toBeDefined();
        expect(fingerprint(exported[local as string] as Schema), `${file}: ${d.c}`).toBe(fingerprint(d.schema));
      }
      for (const [name, value] of Object.entries(h.constants)) expect(exported[name], `${file}: ${name}`).toBe(value);
    }
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
    fixtures.cases.forEach((c, i) => {
      write(`fixture${i}.ts`, headerToTypeScript(fromC(toC(fromJSON(c.schema)), { file: `${c.name}.h` }), { source: `${c.name}.h` }));
    });
    for (const file of HEADERS)
      write(
        `${file.replace('.h', '')}.ts`,
        headerToTypeScript(fromC(readFileSync(join(ROOT, 'test/fixtures/headers', file), 'utf8'), { file }), { source: file }),
      );
    // A user of the generated modules: the types they get.
    write(
      'use.ts',
      `import { wav_header, type wav_header_t, WAVE_FORMAT_PCM } from './wav.js';
import { iphdr, tcphdr } from './net.js';
import { uart_ctrl_t } from './regs.js';
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
// @ts-expect-error: no such member
ip.flags;
// @ts-expect-error: a number, not a string
ctrl.bits.mode = 'fast';
export { channels, riff, format, version, flags, enabled, loop };
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
    expect(files.length).toBe(fixtures.cases.length + HEADERS.length + 1);
  });
});
