// The mutants of tools/mutants/run.mjs stay applicable: each names text that occurs exactly once in
// its file, and tests that exist. The runner refuses a mutant whose text is gone or repeated, but it
// runs only when someone runs it, and code moves: on 2026-12-04 twelve of 81 mutants named text the
// code no longer held (or held twice), so the laws they break had not been given a chance to fail
// since. This test keeps that from going unseen.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../../tools/mutants/mutants.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('mutants (tools/mutants)', () => {
  it('every mutant names text that occurs exactly once in its file, and tests that exist', () => {
    expect(MUTANTS.length).toBeGreaterThan(0);
    const stale: string[] = [];
    for (const m of MUTANTS) {
      const text = readFileSync(`${root}${m.file}`, 'utf8');
      const count = text.split(m.find).length - 1;
      if (count !== 1) stale.push(`${m.name}: its text occurs ${count} times in ${m.file}`);
      if (m.find === m.replace) stale.push(`${m.name}: changes nothing`);
      for (const t of m.tests) if (!existsSync(`${root}${t}`)) stale.push(`${m.name}: no test file ${t}`);
      // (tools/runtimes/test-on.mjs's names for one runtime; this Node's tests when absent.)
      if (m.runtime !== undefined && !['20', '22', '24', '26', 'bun', 'deno'].includes(m.runtime)) stale.push(`${m.name}: no runtime '${m.runtime}'`);
    }
    expect(stale).toEqual([]);
  });

  it('names are unique', () => {
    const names = MUTANTS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
