// Element handles in a loop are removed by the optimising compiler (escape analysis), also when the
// loop reads a module-level `const` while a handle is alive (`p.x += p.vx * DT`) and when its first
// call is the whole pass. Without the guard in every generated number setter (`o>=0`, see
// emitWrite in src/codegen/access.ts), TurboFan peeled such a loop and kept every handle: 4
// collections per call of 400,000 elements, in every call on V8 12-14 and in the first four on V8 11
// (Node 20); this test went red then (seen on Node 20 and 24). A guard that cost the setter 29 bytes
// of bytecode instead of 9 turned a seven-field loop red (19 collections): V8's inlining budget.
// Since the setters' conversion call and get(i)'s catch went through the class's own helpers
// (src/codegen/generate.ts), all eight fields of Particle fit (Node 20 to 24; 27-28 collections
// per five calls before).
// Each loop runs in a child process (node --trace-gc) that prints a CALL marker before each call.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RUNNER } from '../setup/runtimes.js';
import { collectionsPerCall as collectionsOf } from '../support/collections.js';

const CHILD = fileURLToPath(new URL('./handles-alloc-child.mjs', import.meta.url));

// The method is V8's --trace-gc (see test/channels/alloc.test.ts: Bun and Deno show no
// collections to count). Interpreted accessors (the CSP twin) are closures: the engine removes
// their handles in the update pass with DT in a local only (below); with a module constant it
// keeps them on V8 12 to 14, and eight fields exceed its inlining budget.
const noTraceGc = RUNNER.runtime === 'bun' || RUNNER.runtime === 'deno';
const interpreted = process.env['SHAREDCTYPES_TEST_CODEGEN'] === 'off';
const skip = noTraceGc || interpreted;
const why = noTraceGc ? `${RUNNER.runtime}: no --trace-gc collections to count` : 'interpreted accessors allocate their handles';
/** The engine's major version (V8 11 is Node 20). */
const v8Major = Number.parseInt(process.versions.v8 ?? '0', 10);

/**
 * The child's calls of each loop: 8 on V8 11; 12 on V8 12 and later, where up to four calls in
 * Maglev code are allowed (below).
 */
const calls = v8Major < 12 ? 8 : 12;
/** Collections during each of the child's calls of the loop `name`. */
const collectionsPerCall = (name: string): number[] => collectionsOf(CHILD, name, calls);
/** How many of the calls from the `from`-th on caused more than one collection. */
const allocatingCalls = (counts: number[], from: number): number => counts.slice(from).filter((n) => n > 1).length;

describe.skipIf(skip)(`${skip ? `SKIPPED (${why}): ` : ''}element handles in a loop allocate nothing`, () => {
  it('the control, which keeps every handle, shows collections in every call', () => {
    for (const n of collectionsPerCall('control: handles kept')) expect(n).toBeGreaterThanOrEqual(2);
  });

  for (const name of [
    'update, DT a module constant',
    'update, DT in a local',
    'eight fields read and written',
    'update, checked',
    'update, for…of',
    'update, other structures first',
  ]) {
    // (The checked loop allocated on Node 26 until its setters tested the common case themselves:
    // through R.checkFloat every value stored was a heap number, 16-17 collections per call.)
    it(`${name}: no handle allocated once optimised`, () => {
      // The first call allocates its handles until on-stack replacement gives it optimised code.
      // V8 11 (Node 20) then allocated them until the loop's second compilation (calls 2-4), so
      // there the calls after the first may see at most 3 collections in all. On V8 11 a for…of
      // still allocates in its second call (2-8 collections in five runs), so there the calls
      // from the third on are counted.
      // Node 24 and 26 move a hot function through Maglev, V8's middle tier, to TurboFan (Node
      // 22's V8 ships Maglev off). Maglev inlines no getter or setter ("call frequency (0) <
      // minimum threshold" for every accessor), so a call that runs Maglev code allocates every
      // handle (29-32 collections per call here, measured with --no-turbofan; docs/performance.md,
      // "Element handles and views per offset on Node 22 to 26"). Such calls come when the loop's
      // invocations have made it hot and last until TurboFan's compile is ready, which on a
      // loaded machine is a call or two later: 32 collections in the eighth call of a CI run on
      // Node 26 (none in calls 2-7), in calls 5-6 or 6-7 in 6 of 50 runs beside two busy
      // processes, in the 16th of a run of 16 calls; a for…of in its fourth and fifth calls in
      // every run on Node 26 (36-37 collections), in its fourth to sixth beside two busy
      // processes, after its second as on V8 11. So on V8 12 and later at most four of the calls
      // counted (of 12) may allocate; a handle per element, kept by TurboFan, is 4 collections in
      // every call (a for…of result and its handle, 15-16).
      const counts = collectionsPerCall(name);
      const shown = `collections per call: ${counts.join(', ')}`;
      const settled = name === 'update, for…of' ? 2 : 1;
      if (v8Major < 12)
        expect(
          counts.slice(settled).reduce((a, b) => a + b, 0),
          shown,
        ).toBeLessThanOrEqual(3);
      else expect(allocatingCalls(counts, settled), shown).toBeLessThanOrEqual(4);
    });
  }
});

const whyNotInterpreted = noTraceGc ? why : 'compiled accessors: their own law is above';
describe.skipIf(noTraceGc || !interpreted)(
  `${noTraceGc || !interpreted ? `SKIPPED (${whyNotInterpreted}): ` : ''}interpreted element handles in a loop`,
  () => {
    // The interpreted get(i) once called its index check as a closure of its own (a try/catch):
    // the update pass then kept every handle, 10-11 collections in every call on Node 20 and 22,
    // and ran 9-11x the DataView twin (bench/run.mjs, sc-interp-get). Written out in get(i), the
    // handles go from the second call on (Node 20 to 26; at most one collection in a later call).
    // On Node 24 and 26 a call or two in Maglev code allocate here too (see above): 29 collections
    // in each of the seventh and eighth calls on Node 26 beside two busy processes.
    it('update, DT in a local: no handle allocated after the first call', () => {
      const counts = collectionsPerCall('update, DT in a local');
      const shown = `collections per call: ${counts.join(', ')}`;
      if (v8Major < 12)
        expect(
          counts.slice(1).reduce((a, b) => a + b, 0),
          shown,
        ).toBeLessThanOrEqual(3);
      else expect(allocatingCalls(counts, 1), shown).toBeLessThanOrEqual(4);
    });
  },
);
