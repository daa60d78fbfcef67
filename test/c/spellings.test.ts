// fromC reads C it did not write: random schemas written in varied C (test/support/c-spellings.ts:
// keyword or <stdint.h> types, typedefs, enums as bitfield types, nested records defined inline or
// before, every spelling of pack, packed, aligned, _Alignas and byte order, sizes through macros,
// enum constants and sizeof) read back with the schema's fingerprint; and gcc lays out that C as the
// library lays out the schema (a fresh batch per run; SCT_SPELLINGS_SEED=<seed> replays one).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint, fromC, type Schema } from '../../src/index.js';
import { gcc } from '../setup/requirements.js';
import { schema as randomSchema } from '../support/arbitraries.js';
import { disagreements, probeWithGcc } from '../support/c-probe.js';
import { chooser, spellC } from '../support/c-spellings.js';

const seed = Number(process.env['SCT_SPELLINGS_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const needGcc = gcc();

function rootOf(source: string, root: string): Schema {
  const h = fromC(source);
  const d = h.declarations.find((x) => x.c === root);
  if (d === undefined) throw new Error(`fromC did not find ${root}:\n${source}`);
  return d.schema;
}

describe(`C written in other spellings reads back as the schema (seed ${seed})`, () => {
  it('fromC(spellC(T)) has the fingerprint of T, for 400 random schemas', () => {
    fc.assert(
      fc.property(randomSchema, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (T, s) => {
        const { text, root } = spellC(T, s);
        expect(fingerprint(rootOf(text, root)), text).toBe(fingerprint(T));
      }),
      { numRuns: 400, seed },
    );
  });
});

describe.skipIf(needGcc.skip)(`${needGcc.note}gcc lays out that C as the library lays out the schema (60 new schemas, seed ${seed})`, () => {
  it('agrees on every size, alignment, offset, bit and byte order', () => {
    needGcc.check();
    const schemas = fc.sample(randomSchema, { numRuns: 60, seed });
    const c = chooser(seed);
    const parts: string[] = ['#include <stdint.h>', '#include <stdbool.h>', '#include <stddef.h>'];
    const targets: { c: string; schema: Schema }[] = [];
    schemas.forEach((T, i) => {
      const { text, root } = spellC(T, c.int(2 ** 31), `c${i}_`);
      expect(fingerprint(rootOf(text, root))).toBe(fingerprint(T));
      parts.push(text.replace(/^#include .*$/gm, ''));
      targets.push({ c: root, schema: T });
    });
    const facts = probeWithGcc({ 'cases.h': parts.join('\n') }, 'cases.h', targets);
    expect(disagreements(facts)).toEqual([]);
    expect(facts.length).toBeGreaterThan(60 * 3);
  });
});
