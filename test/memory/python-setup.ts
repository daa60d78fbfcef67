// What the test files that run Python processes on a segment share: the interpreters to run, and
// the ctypes classes of the schemas they use, as a module a Python peer imports.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { type Schema, toCtypes } from '../../src/index.js';
import { type Python, pythons } from '../layout/emit-tools.js';

/** The oldest and the newest CPython ≥ 3.11 found (3.11 and 3.13 here), each once. */
export function oldestAndNewestPython(): Python[] {
  return [...new Set([pythons()[0], pythons().at(-1)])].filter((p) => p !== undefined);
}

/**
 * The path of a Python module holding `toCtypes()` of each of `types`, written now in a temporary
 * folder that is removed after the test file's tests.
 */
export function ctypesModule(types: readonly Schema[], tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sct-${tag}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'schemas.py');
  writeFileSync(path, `${types.map((t) => toCtypes(t)).join('\n\n')}\n`);
  return path;
}
