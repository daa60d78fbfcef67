import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

// Four projects (CONTRIBUTING.md, "How the tests are organised"):
//
// - codegen, interpreted: every suite that reads or writes memory through views, once with generated
//   accessors and once with the interpreted twin that CSP-restricted pages use; both must pass the
//   same tests. Worker threads, piscina tasks and child processes started by these tests run the
//   same source in the same mode: test/setup/library.ts bundles src/ for them on each run, and
//   test/setup/accessors.ts sets the mode (from SHAREDCTYPES_TEST_CODEGEN) here and for them.
// - once: suites whose outcome does not depend on the accessor mode, run once (in the default mode).
//   A file belongs here only if no test in it depends on how accessors are built; a test that
//   does goes in a file of the accessor projects.
// - PROTOCOL: suites of concurrency protocols (channels' rings under load, waiting and waking,
//   locks across threads and processes, owner death, the waiter thread, Python peers) run in the
//   codegen project only, with the worker and process bundling of the accessor projects. Their
//   subject is words in shared memory read and written through Atomics and futexes, the same code
//   in both modes; where items pass through views across threads and processes, the suites that
//   stay in both projects carry them (channels/workers, memory/processes, transfer/, workers/).
// - browser: Chromium; its pages cover both modes themselves.
const ONCE = [
  'test/package/**/*.test.ts', // the packed tarball, publint, attw, import layering
  'test/docs/**/*.test.ts', // docs code blocks (type-checked; `run` blocks execute in the default mode), TypeDoc check
  'test/layout/emitter*.test.ts', // toC / toCtypes text, compiled by gcc and clang and run by Python 3.11+
  'test/layout/hostile.test.ts', // hostile descriptors: layouts, fingerprints, JSON, describe (views only refused)
  'test/layout/gcc-live.test.ts', // fresh gcc ground truth for layouts; accessors vs gcc bytes: gcc-fixtures (both modes)
  'test/layout/target-live.test.ts', // the same for MSVC (clang), wasm32 and aarch64; accessors vs their bytes: target-fixtures (both modes)
  'test/layout/laws.test.ts', // layout laws, JSON round trip, fingerprints: no views
  'test/layout/queries.test.ts', // offsetof, layoutOf, describe: no views
  'test/layout/python-fingerprint.test.ts', // python/sharedctypes.py's fingerprint of ctypes classes vs JavaScript's: no views
  'test/codegen/injection.test.ts', // hostile names refused by fromJSON, before anything is compiled
  'test/types/errors.test.ts', // schema errors from the DSL and fromJSON: no views
  'test/c/**/*.test.ts', // fromC, the TypeScript generator and the CLI: schemas and layouts, no views
  'test/channels/gathering.test.ts', // the gathering policy of waiting channel ends: arithmetic, no views
];
const PROTOCOL = [
  'test/channels/workers-protocol.test.ts', // MPMC, close, waking, terminated ends, Python names between threads
  'test/channels/processes.test.ts', // channels between processes: futex waits, polls, Python consumers
  'test/memory/python-registry.test.ts', // Python processes in a ThreadRegistry: owner death across languages
  'test/memory/async-wait.test.ts', // the waiter thread's futex_waitv protocol
  'test/memory/async-wait-exit.test.ts', // the waiter thread at process exit
  'test/memory/runtimes.test.ts', // segments and their locks between runtimes
  'test/sync/owner-death.test.ts', // the registry and recovery of locks whose holder died
  'test/sync/rwlock-workers.test.ts', // RwLock under contention
  'test/sync/workers.test.ts', // the primitives under contention
];
const BROWSER = ['test/browser/**/*.test.ts'];
const ALL = ['test/**/*.test.ts'];

const accessors = (name: string, codegen: 'auto' | 'off') => ({
  extends: true,
  test: {
    name,
    include: ALL,
    exclude: [...configDefaults.exclude, ...ONCE, ...(codegen === 'off' ? PROTOCOL : []), 'test/browser/**'],
    env: { SHAREDCTYPES_TEST_CODEGEN: codegen },
    globalSetup: ['test/setup/library.ts'],
    setupFiles: ['test/setup/accessors.ts'],
  },
});

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Many files spend their time in other processes and threads (gcc, npm, Chromium, TypeDoc,
    // workers), leaving vitest's own thread idle: two files at a time, also on two cores, where
    // vitest's default would be one (cores - 1).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Test files of one project share a worker's module cache instead of importing src/ again for
    // every file (about 15% less CPU). Safe here: a project has one accessor mode and workers are
    // never shared between projects; no test mocks modules or depends on a fresh module state.
    isolate: false,
    reporters: ['default', './test/setup/skip-reporter.ts'],
    projects: [
      accessors('codegen', 'auto'),
      accessors('interpreted', 'off'),
      { extends: true, test: { name: 'once', include: ONCE, globalSetup: ['test/setup/dist.ts'] } },
      { extends: true, test: { name: 'browser', include: BROWSER, globalSetup: ['test/setup/dist.ts'], testTimeout: 120_000, hookTimeout: 60_000 } },
    ],
  },
});
