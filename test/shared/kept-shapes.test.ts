// An object attached per job and dropped when the job ends must not throw away the engine's
// optimised code at the next garbage collection (src/shapes.ts): a child process per kind of
// object (node --expose-gc --trace-deopt) makes one, uses it hot, drops it and collects, three
// times, and no "reason: weak objects" deoptimisation may follow. A control class of the test
// itself, with nothing kept, must show them, so the method can see what it looks for. Optimising
// on the main thread (--no-concurrent-recompilation) makes it deterministic: optimised code is
// in place before the collection, not still being compiled in the background. Without the kept
// instances, 20 of the 22 cases show them; RwLock and a lock member of a struct do not either way
// (their shapes outlive the object some other way).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { keepShape } from '../../src/shapes.js';
import { RUNNER } from '../setup/runtimes.js';

const CHILD = fileURLToPath(new URL('./kept-shapes-child.mjs', import.meta.url));
const CONTROL = 'control: a class of the test, nothing kept';

// --trace-deopt is V8's: Bun (JavaScriptCore) has no such output, and Deno takes V8 flags only
// through --v8-flags (its child here would be started with Node's command line).
const noTraceDeopt = RUNNER.runtime !== 'node';

describe.skipIf(noTraceDeopt)(
  `${noTraceDeopt ? `SKIPPED (${RUNNER.runtime}: no V8 --trace-deopt on this command line): ` : ''}objects dropped between jobs keep their optimised code`,
  () => {
    it('channels, queues, pipes, locks, events, conditions, barriers, synchronized values and atomics: no "weak objects" deoptimisation after a collection', () => {
      const run = (...args: string[]) =>
        spawnSync(process.execPath, ['--expose-gc', '--trace-deopt', '--no-concurrent-recompilation', CHILD, ...args], {
          encoding: 'utf8',
          env: process.env,
          timeout: 60_000,
          maxBuffer: 1 << 28,
        });
      const list = run();
      expect(list.status, list.stderr).toBe(0);
      const names = JSON.parse(list.stdout.split('\n').find((line) => line.startsWith('["')) ?? '[]') as string[];
      // Per case, the functions whose optimised code was thrown away for a dead shape.
      const deopts: Record<string, string[]> = {};
      for (const name of names) {
        const r = run(name);
        expect(r.status, `${name}: ${r.stderr}`).toBe(0);
        deopts[name] = r.stdout
          .split('\n')
          // "weak objects" on V8 11; "embedded weak objects cleared" on V8 13 and later.
          .filter((line) => /reason: (embedded )?weak objects/.test(line))
          .map((line) => /<SharedFunctionInfo ([^>]*)>/.exec(line)?.[1] ?? line);
      }
      expect(Object.keys(deopts).length).toBe(24);
      // The runtime's own functions (module loading's) that a first collection throws away anyway.
      const runtime = new Set(deopts['baseline']);
      const ours = Object.fromEntries(Object.entries(deopts).map(([name, functions]) => [name, functions.filter((f) => !runtime.has(f))]));
      expect(ours[CONTROL]?.length, 'the control shows no deoptimisation: the method cannot see any').toBeGreaterThan(0);
      const thrownAway = Object.fromEntries(
        Object.entries(ours).filter(([name, functions]) => name !== 'baseline' && name !== CONTROL && functions.length > 0),
      );
      expect(thrownAway).toEqual({});
    });
  },
);

describe('keepShape', () => {
  it('makes the kept instance once per class, lets a nested construction through, and never fails the caller', () => {
    class A {}
    let made = 0;
    const make = (): A => {
      made++;
      keepShape(A, make); // what the small instance's own constructor does: nothing now
      return new A();
    };
    keepShape(A, make);
    keepShape(A, make);
    expect(made).toBe(1);
    class B {}
    let tries = 0;
    const failing = (): B => {
      tries++;
      throw new Error('this runtime refuses the small instance');
    };
    expect(() => keepShape(B, failing)).not.toThrow();
    keepShape(B, failing);
    expect(tries).toBe(1);
  });
});
