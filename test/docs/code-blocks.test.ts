// Docs cannot rot: every ```ts block of README.md and docs/*.md is type-checked against the library
// (one tsc run for all of them, strict, the repository's compiler options), blocks marked
// ```ts run are also executed, and the generated layout tables of docs/layout.md must be current.
//
// Fence flags (after `ts`): `nocheck` skips a block (fragments that cannot compile on their own),
// `run` executes it as well. A block may reference the DOM with `/// <reference lib="dom" />`.
// `import … from 'sharedctypes'` resolves to src/index.ts.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { renderLayoutRegions } from '../../tools/docs/generate-layout-tables.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC_INDEX = join(ROOT, 'src', 'index.ts');

interface Block {
  /** Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the first line of code (after the fence). */
  readonly line: number;
  readonly flags: readonly string[];
  readonly code: string;
}

/** The Markdown files whose code blocks are checked: README.md and docs/*.md (not generated docs/api). */
function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** Fenced ```ts blocks (with flags after the language) of a Markdown text. */
function blocksOf(file: string, text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(ts|typescript)(?:\s+(.*))?$/.exec(lines[i] as string);
    if (open === null) continue;
    const fence = open[2] as string;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end] as string).trimStart().startsWith(fence)) end++;
    const indent = (open[1] as string).length;
    const code = lines
      .slice(start, end)
      .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
      .join('\n');
    out.push({ file, line: start + 1, flags: (open[4] ?? '').split(/\s+/).filter(Boolean), code });
    i = end;
  }
  return out;
}

/** The TypeScript sources whose TSDoc examples are checked too: src/**\/*.ts. */
function sourceFiles(dir = 'src'): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : []))
    .sort();
}

/** The ```ts blocks of a source file's TSDoc comments (the ` * ` margin removed; lines keep their numbers). */
function tsdocBlocksOf(file: string, text: string): Block[] {
  const unstarred = text
    .split('\n')
    .map((l) => {
      const m = /^\s*\* ?(.*)$/.exec(l);
      return m === null ? '' : (m[1] as string);
    })
    .join('\n');
  return blocksOf(file, unstarred);
}

const blocks = [
  ...markdownFiles().flatMap((f) => blocksOf(f, readFileSync(join(ROOT, f), 'utf8'))),
  ...sourceFiles().flatMap((f) => tsdocBlocksOf(f, readFileSync(join(ROOT, f), 'utf8'))),
];
const checked = blocks.filter((b) => !b.flags.includes('nocheck'));
const runnable = checked.filter((b) => b.flags.includes('run'));
// Inside the repository (under node_modules/.cache) so that blocks importing other packages the
// docs use (e.g. piscina) resolve them from the repository's node_modules.
mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
const work = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'sharedctypes-docs-'));

/** A temp file name that says where the block came from: README.md-L12.mts. */
function fileNameOf(b: Block): string {
  return `${b.file.replace(/[/\\]/g, '__')}-L${b.line}.mts`;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('documentation code blocks', () => {
  it('finds the code blocks of README.md and docs/*.md', () => {
    expect(checked.length).toBeGreaterThan(20);
    for (const b of blocks)
      expect(
        b.flags.every((f) => f === 'nocheck' || f === 'run'),
        `${b.file}:${b.line}: unknown flag in ${b.flags.join(' ')}`,
      ).toBe(true);
  });

  it('type-checks every ```ts block (strict, one tsc run)', async () => {
    const dir = join(work, 'check');
    mkdirSync(dir);
    const files = checked.map((b) => {
      const name = fileNameOf(b);
      // `export {}` keeps every block a module even when it imports nothing.
      writeFileSync(join(dir, name), `${b.code}\nexport {};\n`);
      return name;
    });
    const base = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    const tsconfig = {
      compilerOptions: {
        ...base.compilerOptions,
        noEmit: true,
        declaration: false,
        sourceMap: false,
        rootDir: '/',
        typeRoots: [join(ROOT, 'node_modules', '@types')],
        paths: { sharedctypes: [SRC_INDEX] },
      },
      files,
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    let output = '';
    try {
      await promisify(execFile)(tsc, ['-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: dir, maxBuffer: 16 << 20 });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      output = `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message;
    }
    // Point errors at the Markdown ("docs/layout.md:57:3 error TS2322: …"). Errors inside src/ are
    // the library's own type check's business (npm run typecheck), not the docs': leave them out.
    const byName = new Map(checked.map((b) => [fileNameOf(b), b]));
    const mapped: string[] = [];
    let keep = true;
    for (const l of output.split('\n')) {
      if (l.trim() === '') continue;
      if (/^\s/.test(l)) {
        if (keep) mapped.push(l); // continuation of the previous diagnostic
        continue;
      }
      const m = /^(.*?)\((\d+),(\d+)\): (.*)$/.exec(l);
      const b = m ? byName.get(basename(m[1] as string)) : undefined;
      keep = m === null || b !== undefined;
      if (m && b) mapped.push(`${b.file}:${b.line + Number(m[2]) - 1}:${m[3]} ${m[4]}`);
      else if (keep) mapped.push(l);
    }
    expect(mapped, `${checked.length} blocks checked`).toEqual([]);
  });

  it.each(runnable.map((b) => [`${b.file}:${b.line}`, b] as const))('runs %s', async (_, b) => {
    const dir = join(work, 'run');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, fileNameOf(b).replace(/\.mts$/, '.ts'));
    const spec = JSON.stringify(pathToFileURL(SRC_INDEX).href);
    writeFileSync(file, b.code.replace(/from\s+'sharedctypes'/g, `from ${spec}`));
    const log = console.log;
    console.log = () => undefined; // the examples print; the test only cares that they run
    try {
      await import(/* @vite-ignore */ pathToFileURL(file).href);
    } finally {
      console.log = log;
    }
  });

  it('docs/layout.md tables are what the library computes (npm run docs:tables)', () => {
    const path = join(ROOT, 'docs', 'layout.md');
    const text = readFileSync(path, 'utf8');
    const fresh = renderLayoutRegions(text, lib) as string;
    expect(fresh === text, `${relative(ROOT, path)} is stale: run \`npm run build && npm run docs:tables\``).toBe(true);
  });
});
