// Tests that need a program from outside npm (gcc, python3, Chromium) run when it is there and fail
// when it is not, saying how to install it. They are skipped only on explicit request, one
// environment variable per program, and the run then says so (test/setup/skip-reporter.ts lists
// every skipped test at the end, with these titles):
//
//   SHAREDCTYPES_SKIP_GCC=1       gcc ground truth (test/layout/gcc-live, the toC compile check)
//   SHAREDCTYPES_SKIP_CLANG=1     the toC compile check with clang (test/layout/emitter*)
//   SHAREDCTYPES_SKIP_PYTHON=1    the toCtypes checks under Python 3.11+
//   SHAREDCTYPES_SKIP_BROWSER=1   the Chromium test (test/browser/)
//   SHAREDCTYPES_SKIP_WASM=1      wasm32 ground truth and the WebAssembly end-to-end test (clang + wasm-ld)
//   SHAREDCTYPES_SKIP_AARCH64=1   aarch64 ground truth (aarch64-linux-gnu-gcc + qemu-aarch64)
import { spawnSync } from 'node:child_process';

export interface Requirement {
  /** True only when the skip was asked for (the variable is set): use with `describe.skipIf` / `it.skipIf`. */
  readonly skip: boolean;
  /** A title prefix: `SKIPPED (SHAREDCTYPES_SKIP_GCC=1): ` when skipped, else empty. */
  readonly note: string;
  /** Throws, with install instructions, when the program is missing (call it first in the test or in beforeAll). */
  check(): void;
}

/** Whether an opt-out variable is set: any value but '', '0' and 'false'. */
export function optedOut(variable: string): boolean {
  const value = process.env[variable];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** True when `command --version` runs. */
export function hasCommand(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * What a suite needs: `program` (a name for messages), whether it was `found`, the opt-out
 * `variable`, and how to `install` it.
 */
export function requirement(program: string, found: boolean, variable: string, install: string): Requirement {
  const skip = optedOut(variable);
  return {
    skip,
    note: skip ? `SKIPPED (${variable}=${process.env[variable]}): ` : '',
    check() {
      if (!found) throw new Error(`${program} not found: ${install}; or set ${variable}=1 to skip the tests that need it`);
    },
  };
}

export const gcc = (): Requirement => requirement('gcc', hasCommand('gcc'), 'SHAREDCTYPES_SKIP_GCC', 'install it (Debian: apt-get install gcc)');
export const python3 = (): Requirement =>
  requirement('python3', hasCommand('python3'), 'SHAREDCTYPES_SKIP_PYTHON', 'install it (Debian: apt-get install python3)');
export const wasm = (): Requirement =>
  requirement('clang with wasm-ld', hasCommand('clang') && hasCommand('wasm-ld'), 'SHAREDCTYPES_SKIP_WASM', 'install them (Debian: apt-get install clang lld)');
export const aarch64 = (): Requirement =>
  requirement(
    'aarch64-linux-gnu-gcc and qemu-aarch64',
    hasCommand('aarch64-linux-gnu-gcc') && hasCommand('qemu-aarch64'),
    'SHAREDCTYPES_SKIP_AARCH64',
    'install them (Debian: apt-get install gcc-aarch64-linux-gnu qemu-user)',
  );
export const aarch64be = (): Requirement =>
  requirement(
    'clang with ld.lld and qemu-aarch64_be',
    hasCommand('clang') && hasCommand('ld.lld') && hasCommand('qemu-aarch64_be'),
    'SHAREDCTYPES_SKIP_AARCH64',
    'install them (Debian: apt-get install clang lld qemu-user)',
  );
export const clang = (): Requirement => requirement('clang', hasCommand('clang'), 'SHAREDCTYPES_SKIP_CLANG', 'install it (Debian: apt-get install clang)');
