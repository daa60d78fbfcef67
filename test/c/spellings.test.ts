// fromC reads C it did not write: random schemas as each target's compiler declares them, written in
// varied C for that compiler (test/support/c-spellings.ts: keyword, <stdint.h> or the target's own
// types, typedefs, enums by the target's rules, packed or with a stated type, _Float16, nested
// records defined inline or before, anonymous members, every spelling of pack, packed, aligned,
// __declspec(align), _Alignas and byte order, sizes through macros, enum constants and sizeof) read
// back with the schema's fingerprint; and the target's compiler lays out that C as the library lays
// out the schema: gcc and gcc for aarch64 (under qemu) run a probe of every size, offset, bit, byte
// order and signedness; clang for wasm32 and for Windows (whose programs cannot run here) check
// every size, alignment and offset statically. A fresh batch per run; SCT_SPELLINGS_SEED=<seed>
// replays one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint, fromC, type Schema, type TargetName, TARGETS } from '../../src/index.js';
import { aarch64, clang, gcc, type Requirement } from '../setup/requirements.js';
import { schemaFor } from '../support/arbitraries.js';
import { checkStatically, disagreements, type Fact, type ProbeTarget, probeWithGcc } from '../support/c-probe.js';
import { chooser, spellC } from '../support/c-spellings.js';

const seed = Number(process.env['SCT_SPELLINGS_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

function rootOf(source: string, root: string, t: TargetName): Schema {
  const h = fromC(source, { target: t });
  const d = h.declarations.find((x) => x.c === root);
  if (d === undefined) throw new Error(`fromC did not find ${root}:\n${source}`);
  return d.schema;
}

for (const t of TARGETS) {
  describe(`C written for ${t} in other spellings reads back as the schema (seed ${seed})`, () => {
    it(`fromC(spellC(T), { target: '${t}' }) has the fingerprint of T, for 300 random schemas`, () => {
      fc.assert(
        fc.property(schemaFor(t), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (T, s) => {
          const { text, root } = spellC(T, s, '', t);
          expect(fingerprint(rootOf(text, root, t)), text).toBe(fingerprint(T));
        }),
        { numRuns: 300, seed },
      );
    });
  });
}

/** How each target's compiler checks the C: it runs a probe, or it checks statically. */
const COMPILERS: readonly (readonly [TargetName, Requirement, (files: Record<string, string>, targets: ProbeTarget[]) => Fact[], string])[] = [
  [
    'x86_64-linux-gnu',
    gcc(),
    (files, targets) => probeWithGcc(files, 'cases.h', targets),
    'gcc runs a probe of every size, offset, bit, byte order and signedness',
  ],
  [
    'aarch64-linux-gnu',
    aarch64(),
    (files, targets) => probeWithGcc(files, 'cases.h', targets, 'aarch64-linux-gnu-gcc', ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu']),
    'gcc for aarch64 runs a probe under qemu',
  ],
  [
    'wasm32',
    clang(),
    (files, targets) => checkStatically(files, 'cases.h', targets, 'clang', ['--target=wasm32']),
    'clang checks every size, alignment and offset',
  ],
  [
    'x86_64-windows-msvc',
    clang(),
    (files, targets) => checkStatically(files, 'cases.h', targets, 'clang', ['--target=x86_64-pc-windows-msvc']),
    'clang (MSVC layout) checks every size, alignment and offset',
  ],
];

for (const [t, need, check, how] of COMPILERS) {
  describe.skipIf(need.skip)(`${need.note}${t}'s compiler lays out that C as the library lays out the schema (60 new schemas, seed ${seed})`, () => {
    it(how, () => {
      need.check();
      const schemas = fc.sample(schemaFor(t), { numRuns: 60, seed });
      const c = chooser(seed);
      const parts: string[] = [];
      const targets: ProbeTarget[] = [];
      schemas.forEach((T, i) => {
        const { text, root } = spellC(T, c.int(2 ** 31), `c${i}_`, t);
        expect(fingerprint(rootOf(text, root, t))).toBe(fingerprint(T));
        // one header: the #includes once, at the top
        parts.push(i === 0 ? text : text.replace(/^#include .*$|^typedef unsigned long DWORD;$/gm, ''));
        targets.push({ c: root, schema: T });
      });
      const facts = check({ 'cases.h': parts.join('\n') }, targets);
      expect(disagreements(facts)).toEqual([]);
      // Every schema's size and alignment were checked, and offsets where it has members (many
      // roots are a number, a char array or an array: seed 1262752667 gave 174 facts for its 60).
      const checked = new Set(facts.map((f) => f.what));
      for (const { c: root } of targets) expect([checked.has(`sizeof(${root})`), checked.has(`_Alignof(${root})`)], root).toEqual([true, true]);
    });
  });
}
