/**
 * The C library through `node:ffi` (Node ≥ 26.1; behind `--experimental-ffi` in early 26.x
 * releases, on by default later; `--allow-ffi` under the permission model).
 *
 * @module
 */
import { SharedMemoryError } from '../errors.js';
import type { Host } from './host.js';
import type { Libc } from './libc.js';

interface NodeFfi {
  dlopen(path: string, definitions: Record<string, { arguments: string[]; return: string }>): { functions: Record<string, (...args: unknown[]) => unknown> };
  toArrayBuffer(pointer: bigint, length: number, copy: boolean): ArrayBuffer;
  getInt32(pointer: bigint, offset: number): number;
}

const SIGNATURES = {
  shm_open: { arguments: ['pointer', 'i32', 'u32'], return: 'i32' },
  shm_unlink: { arguments: ['pointer'], return: 'i32' },
  ftruncate: { arguments: ['i32', 'i64'], return: 'i32' },
  lseek: { arguments: ['i32', 'i64', 'i32'], return: 'i64' },
  mmap: { arguments: ['u64', 'u64', 'i32', 'i32', 'i32', 'i64'], return: 'u64' },
  munmap: { arguments: ['u64', 'u64'], return: 'i32' },
  close: { arguments: ['i32'], return: 'i32' },
  syscall: { arguments: ['i64', 'u64', 'i32', 'i32', 'pointer', 'u64', 'i32'], return: 'i32' },
  __errno_location: { arguments: [], return: 'u64' },
};

/** `syscall` again, with the arguments of `fstat` (a second binding of the same symbol). */
const FSTAT = { syscall: { arguments: ['i64', 'i64', 'pointer'], return: 'i64' } };

/** The binding, or the error that says how to get `node:ffi`. */
export function nodeLibc(host: Host): Libc | SharedMemoryError {
  const major = Number.parseInt(host.version, 10);
  const ffi = host.builtin('node:ffi') as NodeFfi | undefined;
  if (ffi === undefined) {
    const how =
      major >= 26
        ? `run node with --experimental-ffi (Node ${host.version} has node:ffi, switched off here)`
        : `use Node.js ≥ 26.1 with --experimental-ffi (this is Node ${host.version}, which has no node:ffi)`;
    return new SharedMemoryError(`SharedMemory: process-shared memory needs a foreign function interface: ${how}`, 'unsupported_runtime');
  }
  let f: Record<string, (...args: unknown[]) => unknown>;
  let g: Record<string, (...args: unknown[]) => unknown>;
  try {
    f = ffi.dlopen('libc.so.6', SIGNATURES).functions;
    g = ffi.dlopen('libc.so.6', FSTAT).functions;
  } catch (e) {
    const denied = (e as { code?: unknown }).code === 'ERR_ACCESS_DENIED';
    const how = denied ? 'the permission model forbids FFI here: add --allow-ffi' : `node:ffi could not open libc.so.6 (${(e as Error).message})`;
    return new SharedMemoryError(`SharedMemory: ${how}`, 'unsupported_runtime');
  }
  const call = f as unknown as {
    shm_open(n: Uint8Array, f: number, m: number): number;
    shm_unlink(n: Uint8Array): number;
    ftruncate(fd: number, n: bigint): number;
    lseek(fd: number, o: bigint, w: number): bigint;
    mmap(a: bigint, n: bigint, p: number, f: number, fd: number, o: bigint): bigint;
    munmap(a: bigint, n: bigint): number;
    close(fd: number): number;
    syscall(n: bigint, a: bigint, op: number, v: number, t: BigInt64Array | null, a2: bigint, v3: number): number;
    __errno_location(): bigint;
  };
  const stat = g as unknown as { syscall(n: bigint, fd: bigint, buf: BigInt64Array): bigint };
  const sysFstat = BigInt(host.sysFstat ?? -1);
  return {
    via: 'node:ffi',
    maxBuffer: 2 ** 35,
    shmOpen: (name, flags, mode) => call.shm_open(name, flags, mode),
    shmUnlink: (name) => call.shm_unlink(name),
    ftruncate: (fd, size) => call.ftruncate(fd, BigInt(size)),
    fstat: (fd, buf) => Number(stat.syscall(sysFstat, BigInt(fd), buf)),
    sizeOf: (fd) => Number(call.lseek(fd, 0n, 2)),
    mmap: (size, fd) => BigInt.asIntN(64, call.mmap(0n, BigInt(size), 3, 1, fd, 0n)),
    munmap: (address, size) => call.munmap(address, BigInt(size)),
    close: (fd) => call.close(fd),
    arrayBuffer: (address, size) => ffi.toArrayBuffer(address, size, false),
    futex: (sys, address, op, value, timeout) => call.syscall(BigInt(sys), address, op, value, timeout, 0n, 0),
    errno: () => ffi.getInt32(call.__errno_location(), 0),
  };
}
