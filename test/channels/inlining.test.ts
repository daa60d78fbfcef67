// A channel's zero-copy write inlines with the element's setters: `reserve()`, the field writes and
// `commit()` share V8's budget for inlining into the caller's loop (920 bytes of bytecode, the
// accessors considered last, a generated setter ~60 bytes), and a setter left out is a call of
// ~12 ns. With the checks and errors of the reserve and commit written in line (before
// 2026-12-02), two of Particle's eight setters were inlined (this test red: 2, 2); with their
// errors out of line and the claim's comparisons cached, six; with setters that take their
// DataView from `this` without a local (src/codegen/generate.ts, 61 → 58 bytes), seven in every
// compilation on Node 20 (docs/channels.md, "Performance"). The law is asserted on V8 11 (Node 20), where it is
// deterministic; V8 12-14 also count the inlined size of a callee that was optimised first, so the
// number depends on which of them V8 compiled first (3 to 7 measured on Node 22-26).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RUNNER } from '../setup/runtimes.js';

const CHILD = fileURLToPath(new URL('./inlining-child.mjs', import.meta.url));
const v8Major = Number.parseInt(process.versions.v8 ?? '0', 10);
const interpreted = process.env['SHAREDCTYPES_TEST_CODEGEN'] === 'off';
const skip = RUNNER.runtime !== 'node' || v8Major >= 12 || interpreted;
const why =
  RUNNER.runtime !== 'node'
    ? `${RUNNER.runtime}: no V8 inlining trace`
    : interpreted
      ? 'interpreted accessors are closures, not generated setters'
      : `V8 ${v8Major}: inlining depends on which callees were optimised first`;

/** Per TurboFan compilation of the child's loop: how many of Particle's setters were inlined into it. */
function settersInlinedPerCompilation(): number[] {
  const flags = ['--no-concurrent-recompilation', '--no-concurrent-osr', '--trace-opt', '--trace-turbo-inlining', '--turbo-filter=zeroCopyWrites'];
  const r = spawnSync(process.execPath, [...flags, CHILD], { encoding: 'utf8', env: process.env, timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const counts: number[] = [];
  for (const line of r.stdout.split('\n')) {
    if (/compiling method .*zeroCopyWrites.*TURBOFAN/.test(line)) counts.push(0);
    else if (counts.length > 0 && /^Inlining .*<SharedFunctionInfo set>/.test(line)) counts[counts.length - 1] = (counts.at(-1) ?? 0) + 1;
  }
  return counts;
}

describe.skipIf(skip)(`${skip ? `SKIPPED (${why}): ` : ''}a channel's zero-copy write`, () => {
  it('reserve, eight field writes, commit: V8 inlines at least seven of the setters into the loop', () => {
    const counts = settersInlinedPerCompilation();
    expect(counts.length, 'TurboFan compiled the loop').toBeGreaterThan(0);
    for (const n of counts) expect(n, `setters inlined per compilation: ${counts.join(', ')}`).toBeGreaterThanOrEqual(7);
  });
});
