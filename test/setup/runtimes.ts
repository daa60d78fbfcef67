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
