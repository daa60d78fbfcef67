/**
 * The C library through `bun:ffi`.
 *
 * @module
 */
import { SharedMemoryError } from '../errors.js';
import type { Host } from './host.js';
import type { Libc } from './libc.js';

interface BunFfi {
  dlopen(path: string, definitions: Record<string, { args: string[]; returns: string }>): { symbols: Record<string, (...args: unknown[]) => unknown> };
  toArrayBuffer(pointer: number, byteOffset: number, byteLength: number): ArrayBuffer;
  read: { i32(pointer: number, offset: number): number };
}

const SIGNATURES = {
  shm_open: { args: ['ptr', 'i32', 'u32'], returns: 'i32' },
  shm_unlink: { args: ['ptr'], returns: 'i32' },
  ftruncate: { args: ['i32', 'i64'], returns: 'i32' },
  lseek: { args: ['i32', 'i64', 'i32'], returns: 'i64' },
  mmap: { args: ['u64', 'u64', 'i32', 'i32', 'i32', 'i64'], returns: 'u64' },
  munmap: { args: ['u64', 'u64'], returns: 'i32' },
  close: { args: ['i32'], returns: 'i32' },
  syscall: { args: ['i64', 'u64', 'i32', 'i32', 'ptr', 'u64', 'i32'], returns: 'i32' },
  __errno_location: { args: [], returns: 'ptr' },
};

/** `syscall` again, with the arguments of `fstat` (a second binding of the same symbol). */
const FSTAT = { syscall: { args: ['i64', 'i64', 'ptr'], returns: 'i64' } };

/** The binding, or the error that says why `bun:ffi` cannot be used. */
export function bunLibc(host: Host): Libc | SharedMemoryError {
  const ffi = host.builtin('bun:ffi') as BunFfi | undefined;
  if (ffi === undefined) return new SharedMemoryError(`SharedMemory: bun:ffi is not available in this Bun (${host.version})`, 'unsupported_runtime');
  let f: Record<string, (...args: unknown[]) => unknown>;
  let g: Record<string, (...args: unknown[]) => unknown>;
  try {
    f = ffi.dlopen('libc.so.6', SIGNATURES).symbols;
    g = ffi.dlopen('libc.so.6', FSTAT).symbols;
  } catch (e) {
    return new SharedMemoryError(`SharedMemory: bun:ffi could not open libc.so.6 (${(e as Error).message})`, 'unsupported_runtime');
  }
  const call = f as unknown as {
    shm_open(n: Uint8Array, f: number, m: number): number;
    shm_unlink(n: Uint8Array): number;
    ftruncate(fd: number, n: number): number;
    lseek(fd: number, o: number, w: number): bigint | number;
    mmap(a: number, n: number, p: number, f: number, fd: number, o: number): bigint | number;
    munmap(a: bigint, n: number): number;
    close(fd: number): number;
    syscall(n: number, a: bigint, op: number, v: number, t: BigInt64Array | null, a2: number, v3: number): number;
    __errno_location(): number;
  };
  const stat = g as unknown as { syscall(n: number, fd: number, buf: BigInt64Array): bigint | number };
  const sysFstat = host.sysFstat ?? -1;
  return {
    via: 'bun:ffi',
    maxBuffer: 2 ** 35,
    shmOpen: (name, flags, mode) => call.shm_open(name, flags, mode),
    shmUnlink: (name) => call.shm_unlink(name),
    ftruncate: (fd, size) => call.ftruncate(fd, size),
    fstat: (fd, buf) => Number(stat.syscall(sysFstat, fd, buf)),
    sizeOf: (fd) => Number(call.lseek(fd, 0, 2)),
    mmap: (size, fd) => BigInt.asIntN(64, BigInt(call.mmap(0, size, 3, 1, fd, 0))),
    munmap: (address, size) => call.munmap(address, size),
    close: (fd) => call.close(fd),
    arrayBuffer: (address, size) => ffi.toArrayBuffer(Number(address), 0, size),
    futex: (sys, address, op, value, timeout) => call.syscall(sys, address, op, value, timeout, 0, 0),
    errno: () => ffi.read.i32(call.__errno_location(), 0),
  };
}
