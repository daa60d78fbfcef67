// Fresh ground truth on every run: the fixture generator draws new random schemas (a new seed each
// run, printed so a failure can be replayed with SCT_GCC_SEED=<seed>), gcc compiles them, and the
// library must agree with every case. Fails where gcc is missing, unless SHAREDCTYPES_SKIP_GCC=1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { gcc } from '../setup/requirements.js';
import { checkGccCase, type GccCase } from '../support/gcc-case.js';

const needGcc = gcc();
const seed = Number(process.env['SCT_GCC_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

describe.skipIf(needGcc.skip)(`${needGcc.note}gcc live: 150 new random schemas (seed ${seed})`, () => {
  it('agree with gcc', () => {
    needGcc.check();
    const out = join(mkdtempSync(join(tmpdir(), 'sct-gcc-')), 'cases.json');
    const generator = fileURLToPath(new URL('../../tools/fixtures/generate.mjs', import.meta.url));
    execFileSync(process.execPath, [generator, '--seed', String(seed), '--count', '150', '--out', out], { stdio: 'pipe' });
    const { cases } = JSON.parse(readFileSync(out, 'utf8')) as { cases: GccCase[] };
    const random = cases.filter((x) => x.name.startsWith('random'));
    if (random.length !== 150) throw new Error(`expected 150 random cases, got ${random.length}`);
    for (const c of random) {
      try {
        checkGccCase(c);
      } catch (e) {
        throw new Error(`case ${c.name} (seed ${seed}): ${(e as Error).message}\n${JSON.stringify(c.schema)}`);
      }
    }
  });
});
