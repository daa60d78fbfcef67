// Global setup of the accessor projects (codegen, interpreted): bundles src/index.ts with esbuild
// into a fresh temporary file, once per run and project (a fraction of a second), for the code
// that runs outside vitest's own module graph: worker threads (test/workers/runner.mjs), piscina
// tasks and child processes. They load that bundle through test/workers/library.mjs, so they run
// the source under test, never a dist/ left over from an earlier build. Which file, and the hash
// of every source it was built from, reach the tests through provide/inject
// (test/setup/accessors.ts puts the file in the environment that workers inherit;
// test/workers/mode.test.ts checks the hashes).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

/** What the accessor projects get from this setup (`inject('library')`). */
export interface TestLibrary {
  /** file: URL of the bundle built from src/ for this run. */
  readonly url: string;
  /** Every source file in the bundle (relative to the repository root), with the SHA-256 of the content it was built from. */
  readonly sources: Readonly<Record<string, string>>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    library: TestLibrary;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'sharedctypes-test-'));
  const outfile = join(dir, 'sharedctypes.mjs');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/index.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    // Behave like the tsc output: keep function and class names (errors and tests read them), and
    // keep every module, whatever package.json's "sideEffects" says (it describes dist/, not src/).
    keepNames: true,
    ignoreAnnotations: true,
    // Stack traces from workers name the bundle; with NODE_OPTIONS=--enable-source-maps they name src/.
    sourcemap: 'inline',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
  });
  const sources: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs).sort()) sources[input] = sha256(readFileSync(join(ROOT, input)));
  project.provide('library', { url: pathToFileURL(outfile).href, sources });
  return () => rmSync(dir, { recursive: true, force: true });
}
