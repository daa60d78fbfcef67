// What fromC claims to be on each target is the compiler itself: every macro it predefines
// (src/c/predefined.ts, written by tools/c/predefined.mjs) is the one the compiler predefines, and
// none of the kinds it keeps is missing (version numbers compared by name only: another minor
// release is the same compiler). Fails where a compiler is missing, unless its SHAREDCTYPES_SKIP_*
// variable asks to skip it.
import { describe, expect, it } from 'vitest';
import { PREDEFINED } from '../../src/c/predefined.js';
import { fromC, TARGETS, type TargetName } from '../../src/index.js';
import { COMPILERS, keptMacros, VERSION_MACROS } from '../../tools/c/predefined.mjs';
import { aarch64, clang, gcc, type Requirement } from '../setup/requirements.js';

const NEEDS: Record<TargetName, Requirement> = {
  'x86_64-linux-gnu': gcc(),
  'aarch64-linux-gnu': aarch64(),
  wasm32: clang(),
  'x86_64-windows-msvc': clang(),
};

function lines(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((l) => l.startsWith('#define '))
      .map((l) => [/^#define ([A-Za-z_][A-Za-z0-9_]*)/.exec(l)?.[1] as string, l]),
  );
}

for (const t of TARGETS) {
  const need = NEEDS[t];
  const [command, args] = COMPILERS[t] as readonly [string, readonly string[]];
  describe.skipIf(need.skip)(`${need.note}${t}: the macros of ${[command, ...args].join(' ')}`, () => {
    it('are the compiler’s own, all of them', () => {
      need.check();
      const ours = lines(PREDEFINED[t]);
      const theirs = new Map(keptMacros(command, args));
      expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
      const differ = [...ours].filter(([name, line]) => !VERSION_MACROS.has(name) && theirs.get(name) !== line);
      expect(differ).toEqual([]);
      expect(ours.size).toBeGreaterThan(100);
    });
  });
}

describe('the predefined macros are what #if sees', () => {
  it('every one is defined, and the integer ones have their value', () => {
    for (const t of TARGETS) {
      const names = [...lines(PREDEFINED[t]).keys()].filter((n) => !n.endsWith('_C'));
      const probe = names.map((n) => `#ifndef ${n}\n#error ${n} is not defined\n#endif`).join('\n');
      expect(() => fromC(probe, { target: t })).not.toThrow();
    }
    const sizes = (t: TargetName) => fromC('enum { L = __SIZEOF_LONG__, P = __SIZEOF_POINTER__, W = __SIZEOF_WCHAR_T__ };', { target: t }).constants;
    expect(TARGETS.map(sizes)).toEqual([
      { L: 8, P: 8, W: 4 },
      { L: 8, P: 8, W: 4 },
      { L: 4, P: 4, W: 4 },
      { L: 4, P: 8, W: 2 },
    ]);
  });
});
