import { defineConfig } from 'vitest/config';

// The whole suite runs twice: with generated accessors, and with the interpreted twin that
// CSP-restricted pages use. Both must pass the same tests.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'codegen', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'interpreted', include: ['test/**/*.test.ts'], setupFiles: ['test/setup/interpreted.ts'] } },
    ],
  },
});
