import { configDefaults, defineConfig } from 'vitest/config';

// The whole suite runs twice: with generated accessors, and with the interpreted twin that
// CSP-restricted pages use. Both must pass the same tests. The browser test (test/browser/) runs
// once, in its own project: its pages cover both modes themselves.
const exclude = [...configDefaults.exclude, 'test/browser/**'];
// Packaging and architecture checks, and the documentation checks, do not depend on the accessor
// mode: run them once.
const excludeInterpreted = [...exclude, 'test/package/**', 'test/docs/**'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'codegen', include: ['test/**/*.test.ts'], exclude } },
      { extends: true, test: { name: 'interpreted', include: ['test/**/*.test.ts'], exclude: excludeInterpreted, setupFiles: ['test/setup/interpreted.ts'] } },
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 60_000 } },
    ],
  },
});
