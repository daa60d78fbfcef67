// The worker halves of the tests run the code under test, in the project's accessor mode: threads
// started by spawn.ts (runner.mjs), piscina task threads and child processes all load the bundle
// that test/setup/library.ts built from src/ for this run, and compile accessors exactly when this
// thread does (generated in the codegen project, interpreted in the interpreted one). A dist/ left
// over from an earlier build is never used.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { afterAll, describe, expect, inject, it } from 'vitest';
import * as lib from '../../src/index.js';
import { sha256 } from '../setup/library.js';
import { runModule } from '../support/script.js';
import { run } from './spawn.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const mode = process.env['SHAREDCTYPES_TEST_CODEGEN'];
const project = mode === 'off' ? 'interpreted' : 'codegen';
const library = inject('library');

interface Report {
  url: string;
  mode: string;
  codegenActive: boolean;
}

function expectThisRun(r: Report): void {
  expect(r.url, 'the library a worker loaded').toBe(library.url);
  expect(r.mode).toBe(mode);
  expect(r.codegenActive, `generated accessors in a worker of the ${project} project`).toBe(project === 'codegen');
}

describe(`worker threads and child processes run src/ in this project's accessor mode (${project})`, () => {
  const pool = new Piscina({ filename: new URL('./piscina-task.mjs', import.meta.url).href, maxThreads: 1 });
  afterAll(() => pool.destroy());

  it('this thread', () => {
    expect(lib.codegenActive()).toBe(project === 'codegen');
  });

  it('a scenario worker (spawn.ts, runner.mjs): same mode, the library of this run, the exports of src/index.ts', async () => {
    const r = await run<Report & { exports: string[] }>('mode', {});
    expectThisRun(r);
    expect(r.exports).toEqual(Object.keys(lib).sort());
  });

  it('a piscina task thread', async () => {
    expectThisRun((await pool.run(undefined, { name: 'mode' })) as Report);
  });

  it('a child process (a module importing test/workers/library.mjs)', async () => {
    const entry = new URL('./library.mjs', import.meta.url).href;
    const script = `const { sc, library } = await import(${JSON.stringify(entry)});
console.log(JSON.stringify({ ...library, codegenActive: sc.codegenActive() }));`;
    expectThisRun(JSON.parse(await runModule(script)) as Report);
  });

  it('the library was built in this run from src/ as it is now', () => {
    const files = Object.keys(library.sources);
    expect(files).toContain('src/index.ts');
    for (const file of files) {
      expect(file.startsWith('src/'), `${file} is outside src/`).toBe(true);
      expect(sha256(readFileSync(join(ROOT, file))), `${file} changed after the library was built`).toBe(library.sources[file]);
    }
  });

  it('no test loads dist/ except those that test the build (test/package, test/browser)', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
    const self = fileURLToPath(import.meta.url);
    const offenders = walk(join(ROOT, 'test'))
      .filter((f) => /\.(m?[jt]s|html)$/.test(f) && f !== self)
      .map((f) => relative(ROOT, f).split(sep).join('/'))
      .filter((f) => !f.startsWith('test/package/') && !f.startsWith('test/browser/'))
      .filter((f) => /\.\.\/dist\b/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders, 'these files load dist/ (an earlier build, always compiled): load test/workers/library.mjs instead').toEqual([]);
  });
});
