/** One mutant of tools/mutants/run.mjs (see mutants.mjs). */
export interface Mutant {
  /** What the mutant breaks, as the runner reports it. */
  readonly name: string;
  /** The source file it edits, from the repository's root. */
  readonly file: string;
  /** The text it replaces: must occur exactly once in `file`. */
  readonly find: string;
  /** The text it puts in its place. */
  readonly replace: string;
  /** The test files that must fail with the mutant in place. */
  readonly tests: readonly string[];
  /** Rebuild `dist/` before the tests (for tests that load the build). */
  readonly build?: boolean;
  /**
   * The runtime the tests run on (tools/runtimes/test-on.mjs: `22`, `24`, `26`, `bun`, `deno`),
   * for a mutant of code that runs there only; this Node when absent.
   */
  readonly runtime?: string;
  /** How long the tests may run, in ms (a mutant that makes them hang is caught). */
  readonly timeout?: number;
}

/** The mutants, in the order the runner applies them. */
export const MUTANTS: readonly Mutant[];
