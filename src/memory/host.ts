/**
 * What this program runs on: the runtime (Node, Bun, Deno, a browser…), the OS, the CPU, and the
 * futex system call number of that CPU. Read from globals only: nothing here imports a runtime
 * module, so the package still loads in browsers.
 *
 * @module
 */

/** The runtimes the memory layer knows. */
export type Runtime = 'node' | 'bun' | 'deno' | 'browser' | 'unknown';

/** The host, as far as the memory layer cares. */
export interface Host {
  readonly runtime: Runtime;
  /** `'linux'`, `'darwin'`, `'win32'`, … (`'unknown'` in a browser). */
  readonly os: string;
  /** `'x64'`, `'arm64'`, … */
  readonly arch: string;
  /** The runtime's version (`process.versions.node`, `Bun.version`, `Deno.version.deno`). */
  readonly version: string;
  /** `SYS_futex` on this CPU, when known. */
  readonly sysFutex: number | undefined;
  /** `SYS_fstat` on this CPU, when known (x64: 5; the generic table of arm64 and riscv64: 80). */
  readonly sysFstat: number | undefined;
  /** `SYS_futex_waitv` on this CPU, when known (449 on every CPU since Linux 5.16 gave it one number). */
  readonly sysFutexWaitv: number | undefined;
  /** A runtime built-in module by name (`node:ffi`, `bun:ffi`, `module`), or `undefined`. */
  builtin(name: string): unknown;
}

/** `SYS_futex` per CPU (Linux's asm-generic table for arm64 and riscv64). */
const SYS_FUTEX: Readonly<Record<string, number>> = { x64: 202, arm64: 98, riscv64: 98 };
/** `SYS_fstat` per CPU (a system call rather than libc's `fstat`, which glibc exports only since 2.33). */
const SYS_FSTAT: Readonly<Record<string, number>> = { x64: 5, arm64: 80, riscv64: 80 };
/** `SYS_futex_waitv` per CPU (one number everywhere: it came after the tables were unified). */
const SYS_FUTEX_WAITV: Readonly<Record<string, number>> = { x64: 449, arm64: 449, riscv64: 449 };

interface NodeLikeProcess {
  platform?: string;
  arch?: string;
  versions?: { node?: string; bun?: string };
  getBuiltinModule?: (name: string) => unknown;
}

interface DenoLike {
  build: { os: string; arch: string };
  version: { deno: string };
}

let host: Host | undefined;

/** The host (computed once). */
export function hostOf(): Host {
  if (host === undefined) host = detect();
  return host;
}

function detect(): Host {
  const g = globalThis as { process?: NodeLikeProcess; Deno?: DenoLike; Bun?: { version: string }; window?: unknown };
  const builtin = (name: string): unknown => {
    try {
      return g.process?.getBuiltinModule?.(name);
    } catch {
      return undefined;
    }
  };
  if (g.Deno !== undefined) {
    const arch = g.Deno.build.arch === 'x86_64' ? 'x64' : g.Deno.build.arch === 'aarch64' ? 'arm64' : g.Deno.build.arch;
    return {
      runtime: 'deno',
      os: g.Deno.build.os,
      arch,
      version: g.Deno.version.deno,
      sysFutex: SYS_FUTEX[arch],
      sysFstat: SYS_FSTAT[arch],
      sysFutexWaitv: SYS_FUTEX_WAITV[arch],
      builtin,
    };
  }
  const p = g.process;
  if (p !== undefined && typeof p.platform === 'string' && typeof p.arch === 'string') {
    const bun = g.Bun !== undefined;
    const version = bun ? (g.Bun?.version ?? '') : (p.versions?.node ?? '');
    return {
      runtime: bun ? 'bun' : 'node',
      os: p.platform,
      arch: p.arch,
      version,
      sysFutex: SYS_FUTEX[p.arch],
      sysFstat: SYS_FSTAT[p.arch],
      sysFutexWaitv: SYS_FUTEX_WAITV[p.arch],
      builtin,
    };
  }
  return {
    runtime: g.window !== undefined ? 'browser' : 'unknown',
    os: 'unknown',
    arch: 'unknown',
    version: '',
    sysFutex: undefined,
    sysFstat: undefined,
    sysFutexWaitv: undefined,
    builtin,
  };
}
