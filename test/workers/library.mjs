// The library under test, for code that runs outside vitest's module graph (worker threads,
// piscina tasks, child processes): the bundle test/setup/library.ts built from src/ for this run,
// in the accessor mode of the test project that started this thread or process. Both come from
// the environment (set by test/setup/accessors.ts, inherited by workers and child processes).
// Never dist/: that is whatever was built last, and always compiles accessors.
const url = process.env.SHAREDCTYPES_TEST_LIBRARY;
const mode = process.env.SHAREDCTYPES_TEST_CODEGEN;
if (url === undefined || (mode !== 'auto' && mode !== 'off')) {
  throw new Error(
    'test/workers/library.mjs: SHAREDCTYPES_TEST_LIBRARY and SHAREDCTYPES_TEST_CODEGEN are not set: start workers from a test of the codegen or interpreted project (vitest.config.ts)',
  );
}

/** The library's exports. */
export const sc = await import(url);
// Before anything is compiled: the interpreted project must run interpreted accessors here too.
sc.configure({ codegen: mode });
/** Where it was loaded from, and in which mode (test/workers/mode.test.ts checks both). */
export const library = { url, mode };
