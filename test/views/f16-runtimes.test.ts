// f16 where the runtime has DataView.prototype.getFloat16: Node 26, Bun and Deno (fetched from the npm
// registry, test/setup/runtimes.ts) run f16-child.mjs, which writes the _Float16 fixture cases of gcc
// (x86-64 and aarch64, big-endian included) through views of the library under test, in this
// project's accessor mode, and compares the bytes with the compilers'. (Chromium: test/browser.)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runtime, runtimesNote, skipRuntimes } from '../setup/runtimes.js';

const child = fileURLToPath(new URL('./f16-child.mjs', import.meta.url));
const fixtures = ['gcc-layouts.json', 'aarch64-layouts.json'].map((f) => fileURLToPath(new URL(`../fixtures/${f}`, import.meta.url)));

const command: Record<string, (bin: string) => string[]> = {
  node26: () => ['--no-warnings', child, ...fixtures],
  bun: () => [child, ...fixtures],
  deno: () => ['run', '--quiet', '--allow-read', '--allow-env', child, ...fixtures],
};

describe.skipIf(skipRuntimes)(`${runtimesNote}f16 views on runtimes with getFloat16`, () => {
  for (const name of ['node26', 'bun', 'deno'] as const) {
    it(`${name}: the _Float16 fixture cases give the compilers' bytes`, () => {
      const bin = runtime(name);
      const out = JSON.parse(execFileSync(bin, command[name]?.(bin) ?? [], { encoding: 'utf8', env: process.env, timeout: 60_000 })) as {
        hasFloat16: boolean;
        codegen: boolean;
        checked: number;
        mismatches: string[];
      };
      expect(out.hasFloat16).toBe(true);
      expect(out.codegen).toBe(process.env['SHAREDCTYPES_TEST_CODEGEN'] !== 'off');
      expect(out.mismatches).toEqual([]);
      expect(out.checked).toBe(6);
    });
  }
});
