// Ground truth from other compilers and targets (regenerate with `npm run fixtures:targets`): clang's
// MSVC layout (x86_64-windows-msvc), clang wasm32 and gcc aarch64. Every case must give the same
// sizeof, alignof, offsets, bit positions and byte image; every C type the target's compiler
// measured must be the type target() gives.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sizeof, alignof, target, TARGETS, type TargetName } from '../../src/index.js';
import { checkGccCase, type GccCase } from '../support/gcc-case.js';

interface FixtureFile {
  target: TargetName;
  cases: GccCase[];
  ctypes: Record<string, { size: number; align: number; signed: boolean; json: string }>;
}

const TARGET_MEMBERS: Record<string, string> = {
  'c:long': 'long',
  'c:ulong': 'ulong',
  'c:size_t': 'size_t',
  'c:ssize_t': 'ssize_t',
  'c:ptrdiff_t': 'ptrdiff_t',
  'c:intptr_t': 'intptr_t',
  'c:uintptr_t': 'uintptr_t',
  'c:pointer': 'pointer',
  'c:char': 'plainChar',
  'c:wchar_t': 'wchar_t',
};

// aarch64be: clang for big-endian aarch64, every record big-endian: a native big-endian compiler as a
// witness for endian: 'big' (which gcc's fixtures check through scalar_storage_order).
for (const file of ['msvc-layouts.json', 'wasm32-layouts.json', 'aarch64-layouts.json', 'aarch64be-layouts.json']) {
  const fixtures = JSON.parse(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')) as FixtureFile;
  describe(`${fixtures.target} fixtures (${fixtures.cases.length} cases)`, () => {
    it('has a few hundred cases', () => {
      expect(fixtures.cases.length).toBeGreaterThanOrEqual(300);
    });
    it.skipIf(!(TARGETS as readonly string[]).includes(fixtures.target))("the target's C types", () => {
      const t = target(fixtures.target);
      for (const [name, measured] of Object.entries(fixtures.ctypes)) {
        const member = TARGET_MEMBERS[name];
        if (member === undefined) continue;
        const schema = (t as unknown as Record<string, Parameters<typeof sizeof>[0]>)[member];
        expect(schema, name).toBeDefined();
        if (schema === undefined) continue;
        expect([sizeof(schema), alignof(schema)], name).toEqual([measured.size, measured.align]);
        expect(typeof schema === 'object' && schema.kind === 'primitive' ? schema.name : '', name).toBe(measured.json);
      }
    });
    for (const c of fixtures.cases) it(c.name, () => checkGccCase(c));
  });
}
