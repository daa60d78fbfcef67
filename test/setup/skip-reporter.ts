// A reporter that ends every run with the list of tests that did not run because a test skipped
// them (describe.skipIf, it.skipIf, it.skip, ctx.skip()), with their full titles: a skipped suite
// says why in its title (test/setup/requirements.ts). Tests left out by a name filter (-t) are
// not listed.
import type { Reporter, TestModule, Vitest } from 'vitest/node';

export default class SkipReporter implements Reporter {
  private filtered = false;

  onInit(vitest: Vitest): void {
    this.filtered = vitest.config.testNamePattern !== undefined;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (this.filtered) return;
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        // Skipped on purpose (skip, skipIf, todo, ctx.skip()), not left out because a hook failed.
        const result = test.result();
        const note = result.state === 'skipped' ? result.note : undefined;
        if (test.options.mode !== 'skip' && test.options.mode !== 'todo' && note === undefined) continue;
        skipped.push(`  ${test.project.name}  ${module.relativeModuleId} > ${test.fullName}`);
      }
    }
    if (skipped.length === 0) return;
    const line = '-'.repeat(100);
    console.log(`\n${line}\n${skipped.length} test(s) SKIPPED, not run:\n${skipped.join('\n')}\n${line}\n`);
  }
}
