/**
 * The few C library calls process-shared memory needs (`shm_open`, `ftruncate`, `mmap`, the
 * `futex` system call…), reached through the foreign function interface of the runtime at hand:
 * `node:ffi` (Node ≥ 26.1), `bun:ffi`, `Deno.dlopen`, or the `koffi` package on older Node. No
 * compiler, no native addon of ours. Linux only: the futex system call is Linux's.
 *
 * Each runtime's binding lives in a file of its own (`ffi-*.ts`); this module picks one, once,
 * and explains what is missing when none can be had.
 *
 * @module
 */
import { assertNever, SharedMemoryError } from '../errors.js';
import { bunLibc } from './ffi-bun.js';
import { denoLibc } from './ffi-deno.js';
import { koffiLibc } from './ffi-koffi.js';
import { nodeLibc } from './ffi-node.js';
import { hostOf } from './host.js';

/** The C library, as the memory layer uses it. Names are NUL-terminated UTF-8. */
export interface Libc {
  /** Which binding this is: `'node:ffi'`, `'bun:ffi'`, `'Deno.dlopen'` or `'koffi'`. */
  readonly via: string;
  /**
   * Through koffi: the path or URL koffi was required from (another thread that binds the C
   * library itself, the async waiter of async-wait.ts, requires it from there too).
   */
  readonly koffiFrom?: string;
  /** The largest ArrayBuffer it makes over foreign memory (past it, some bindings abort the process). */
  readonly maxBuffer: number;
  shmOpen(name: Uint8Array, flags: number, mode: number): number;
  shmUnlink(name: Uint8Array): number;
  ftruncate(fd: number, size: number): number;
  /**
   * `syscall(SYS_fstat, fd, stat)`: fills `stat` (at least 144 bytes) with the `struct stat` of
   * `fd`; 0 or -1. `st_dev` is its 64-bit word 0 and `st_ino` word 1 on x86-64 and arm64 alike.
   */
  fstat(fd: number, stat: BigInt64Array): number;
  /** `lseek(fd, 0, SEEK_END)`: the size of the object behind `fd`, or -1. */
  sizeOf(fd: number): number;
  /** `mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)`; `-1n` when it fails. */
  mmap(size: number, fd: number): bigint;
  munmap(address: bigint, size: number): number;
  close(fd: number): number;
  /** An ArrayBuffer over `size` bytes at `address` (no copy). */
  arrayBuffer(address: bigint, size: number): ArrayBuffer;
  /**
   * `syscall(SYS_futex, address, op, value, timeout, 0, 0)`: `timeout` is a `struct timespec`
   * (seconds, nanoseconds) or `null`.
   */
  futex(sys: number, address: bigint, op: number, value: number, timeout: BigInt64Array | null): number;
  /** The calling thread's `errno`, read right after a failed call. */
  errno(): number;
}

let loaded: Libc | SharedMemoryError | undefined;

/** The C library through this runtime's FFI, or the error that says why it cannot be reached (once per thread). */
export function libc(): Libc {
  if (loaded === undefined) loaded = load();
  if (loaded instanceof SharedMemoryError) throw loaded;
  return loaded;
}

function load(): Libc | SharedMemoryError {
  const host = hostOf();
  if (host.runtime !== 'node' && host.runtime !== 'bun' && host.runtime !== 'deno') {
    // Before the OS: a browser does not know its OS, and no OS would give it an FFI.
    return new SharedMemoryError(
      `SharedMemory: process-shared memory needs Node.js (≥ 26.1, or ≥ 20 with the koffi package), Bun or Deno on Linux; this runtime (${host.runtime}) has no foreign function interface`,
      'unsupported_runtime',
    );
  }
  if (host.os !== 'linux') {
    return new SharedMemoryError(
      `SharedMemory: process-shared memory needs Linux (shm_open, mmap and the futex system call); this is ${host.runtime} on ${host.os}`,
      'unsupported_runtime',
    );
  }
  if (host.sysFutex === undefined) {
    return new SharedMemoryError(`SharedMemory: the futex system call number of ${host.arch} is not known here (supported: x64, arm64)`, 'unsupported_runtime');
  }
  switch (host.runtime) {
    case 'bun':
      return bunLibc(host);
    case 'deno':
      return denoLibc(host);
    case 'node': {
      const viaNode = nodeLibc(host);
      if (!(viaNode instanceof SharedMemoryError)) return viaNode;
      const viaKoffi = koffiLibc(host);
      if (!(viaKoffi instanceof SharedMemoryError)) return viaKoffi;
      return new SharedMemoryError(`${viaNode.message}; or ${viaKoffi.message}`, 'unsupported_runtime');
    }
    default:
      return assertNever(host.runtime, 'runtime');
  }
}
