// Ground truth from gcc: every case of test/fixtures/gcc-layouts.json (regenerate with
// `npm run fixtures`) must give the same sizeof, alignof, offsets, bit positions and byte image.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkGccCase, type GccCase } from '../support/gcc-case.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/gcc-layouts.json', import.meta.url), 'utf8')) as { cases: GccCase[] };

describe(`gcc fixtures (${fixtures.cases.length} cases)`, () => {
  it('has a few hundred cases', () => {
    expect(fixtures.cases.length).toBeGreaterThanOrEqual(300);
  });
  for (const c of fixtures.cases) it(c.name, () => checkGccCase(c));
});
