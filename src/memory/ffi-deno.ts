/**
 * The C library through `Deno.dlopen` (needs `--allow-ffi`).
 *
 * @module
 */
import { SharedMemoryError } from '../errors.js';
import type { Host } from './host.js';
import type { Libc } from './libc.js';

interface DenoFfi {
  dlopen(
    path: string,
    definitions: Record<string, { name?: string; parameters: string[]; result: string }>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown> };
  UnsafePointer: { create(value: bigint): unknown };
  UnsafePointerView: { getArrayBuffer(pointer: unknown, byteLength: number): ArrayBuffer; new (pointer: unknown): { getInt32(offset?: number): number } };
}

const SIGNATURES = {
  shm_open: { parameters: ['buffer', 'i32', 'u32'], result: 'i32' },
  shm_unlink: { parameters: ['buffer'], result: 'i32' },
  ftruncate: { parameters: ['i32', 'i64'], result: 'i32' },
  lseek: { parameters: ['i32', 'i64', 'i32'], result: 'i64' },
  mmap: { parameters: ['u64', 'u64', 'i32', 'i32', 'i32', 'i64'], result: 'u64' },
  munmap: { parameters: ['u64', 'u64'], result: 'i32' },
  close: { parameters: ['i32'], result: 'i32' },
  syscall: { parameters: ['i64', 'u64', 'i32', 'i32', 'buffer', 'u64', 'i32'], result: 'i32' },
  __errno_location: { parameters: [], result: 'pointer' },
  /** `syscall` again, with the arguments of `fstat`. */
  fstat_syscall: { name: 'syscall', parameters: ['i64', 'i64', 'buffer'], result: 'i64' },
};

/** The binding, or the error that says to grant `--allow-ffi`. */
export function denoLibc(host: Host): Libc | SharedMemoryError {
  const deno = (globalThis as { Deno?: DenoFfi }).Deno;
  if (deno === undefined || typeof deno.dlopen !== 'function') {
    return new SharedMemoryError(`SharedMemory: this Deno (${host.version}) has no Deno.dlopen`, 'unsupported_runtime');
  }
  let f: Record<string, (...args: unknown[]) => unknown>;
  try {
    f = deno.dlopen('libc.so.6', SIGNATURES).symbols;
  } catch (e) {
    const name = (e as Error).name;
    const how =
      name === 'NotCapable' || name === 'PermissionDenied'
        ? 'Deno needs the FFI permission: run deno with --allow-ffi'
        : `Deno.dlopen could not open libc.so.6 (${(e as Error).message})`;
    return new SharedMemoryError(`SharedMemory: ${how}`, 'unsupported_runtime');
  }
  const call = f as unknown as {
    shm_open(n: Uint8Array, f: number, m: number): number;
    shm_unlink(n: Uint8Array): number;
    ftruncate(fd: number, n: bigint): number;
    lseek(fd: number, o: bigint, w: number): bigint | number;
    mmap(a: bigint, n: bigint, p: number, f: number, fd: number, o: bigint): bigint | number;
    munmap(a: bigint, n: bigint): number;
    close(fd: number): number;
    syscall(n: bigint, a: bigint, op: number, v: number, t: BigInt64Array | null, a2: bigint, v3: number): number;
    __errno_location(): unknown;
    fstat_syscall(n: bigint, fd: bigint, buf: BigInt64Array): bigint | number;
  };
  const sysFstat = BigInt(host.sysFstat ?? -1);
  return {
    via: 'Deno.dlopen',
    maxBuffer: 2 ** 35,
    shmOpen: (name, flags, mode) => call.shm_open(name, flags, mode),
    shmUnlink: (name) => call.shm_unlink(name),
    ftruncate: (fd, size) => call.ftruncate(fd, BigInt(size)),
    fstat: (fd, buf) => Number(call.fstat_syscall(sysFstat, BigInt(fd), buf)),
    sizeOf: (fd) => Number(call.lseek(fd, 0n, 2)),
    mmap: (size, fd) => BigInt.asIntN(64, BigInt(call.mmap(0n, BigInt(size), 3, 1, fd, 0n))),
    munmap: (address, size) => call.munmap(address, BigInt(size)),
    close: (fd) => call.close(fd),
    arrayBuffer: (address, size) => deno.UnsafePointerView.getArrayBuffer(deno.UnsafePointer.create(address), size),
    futex: (sys, address, op, value, timeout) => call.syscall(BigInt(sys), address, op, value, timeout, 0n, 0),
    errno: () => new deno.UnsafePointerView(call.__errno_location()).getInt32(0),
  };
}
