// Fresh ground truth from the other targets on every run, as gcc-live does for x86-64: the fixture
// generator draws new random schemas (a new seed each run, printed; replay with SCT_GCC_SEED=<seed>),
// clang lays them out by MSVC's rules and for wasm32, gcc for aarch64 (run under qemu), and the
// library must agree with every case. Each target fails where its tools are missing, unless its
// SHAREDCTYPES_SKIP_* variable asks to skip it (test/setup/requirements.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { aarch64, aarch64be, clang, type Requirement, wasm } from '../setup/requirements.js';
import { checkGccCase, type GccCase } from '../support/gcc-case.js';

const seed = Number(process.env['SCT_GCC_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const COUNT = 100;

const targets: [string, Requirement][] = [
  ['x86_64-windows-msvc', clang()],
  ['wasm32', wasm()],
  ['aarch64-linux-gnu', aarch64()],
  ['aarch64_be-linux-gnu', aarch64be()],
];

for (const [target, need] of targets) {
  describe.skipIf(need.skip)(`${need.note}${target} live: ${COUNT} new random schemas (seed ${seed})`, () => {
    it(`agree with the ${target} compiler`, () => {
      need.check();
      const out = join(mkdtempSync(join(tmpdir(), 'sct-target-')), 'cases.json');
      const generator = fileURLToPath(new URL('../../tools/fixtures/generate.mjs', import.meta.url));
      execFileSync(process.execPath, [generator, '--target', target, '--seed', String(seed), '--count', String(COUNT), '--out', out], { stdio: 'pipe' });
      const { cases } = JSON.parse(readFileSync(out, 'utf8')) as { cases: GccCase[] };
      const random = cases.filter((x) => x.name.startsWith('random'));
      if (random.length !== COUNT) throw new Error(`expected ${COUNT} random cases, got ${random.length}`);
      for (const c of random) {
        try {
          checkGccCase(c);
        } catch (e) {
          throw new Error(`case ${c.name} (${target}, seed ${seed}): ${(e as Error).message}\n${JSON.stringify(c.schema)}`);
        }
      }
    });
  });
}
