/**
 * The C library through the `koffi` package (an FFI for Node ≥ 16 that ships prebuilt binaries
 * in its npm packages), for Node versions without `node:ffi`. It is an optional peer dependency:
 * found only when the application installed it.
 *
 * @module
 */
import { SharedMemoryError } from '../errors.js';
import type { Host } from './host.js';
import type { Libc } from './libc.js';

interface Koffi {
  load(path: string): {
    func(prototype: string): (...args: unknown[]) => unknown;
    func(name: string, result: string, parameters: string[]): (...args: unknown[]) => unknown;
  };
  address(pointer: unknown): bigint;
  view(pointer: unknown, length: number): ArrayBuffer;
  errno(): number;
}

/** `koffi`, required from this package's point of view or from the application's (its working directory), and from where. */
function requireKoffi(host: Host): { koffi: Koffi; from: string } | undefined {
  const module = host.builtin('module') as { createRequire(from: string): (id: string) => unknown } | undefined;
  const cwd = (globalThis as { process?: { cwd(): string } }).process?.cwd();
  if (module === undefined) return undefined;
  for (const from of [import.meta.url, cwd === undefined ? undefined : `${cwd}/`]) {
    if (from === undefined) continue;
    try {
      return { koffi: module.createRequire(from)('koffi') as Koffi, from };
    } catch {
      // not installed there
    }
  }
  return undefined;
}

/** The binding, or the error that says to install koffi. */
export function koffiLibc(host: Host): Libc | SharedMemoryError {
  const found = requireKoffi(host);
  if (found === undefined) return new SharedMemoryError('install the koffi package (npm install koffi), which SharedMemory then uses', 'unsupported_runtime');
  const koffi = found.koffi;
  let c: ReturnType<Koffi['load']>;
  try {
    c = koffi.load('libc.so.6');
  } catch (e) {
    return new SharedMemoryError(`SharedMemory: koffi could not open libc.so.6 (${(e as Error).message})`, 'unsupported_runtime');
  }
  const call = {
    shm_open: c.func('int shm_open(const uint8_t *name, int flags, uint32_t mode)') as (n: Uint8Array, f: number, m: number) => number,
    shm_unlink: c.func('int shm_unlink(const uint8_t *name)') as (n: Uint8Array) => number,
    ftruncate: c.func('int ftruncate(int fd, int64_t length)') as (fd: number, n: number) => number,
    lseek: c.func('int64_t lseek(int fd, int64_t offset, int whence)') as (fd: number, o: number, w: number) => number | bigint,
    mmap: c.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)') as (
      a: null,
      n: number,
      p: number,
      f: number,
      fd: number,
      o: number,
    ) => unknown,
    munmap: c.func('int munmap(uint64_t addr, size_t length)') as (a: bigint, n: number) => number,
    close: c.func('int close(int fd)') as (fd: number) => number,
    fstat: c.func('syscall', 'int64_t', ['int64_t', 'int64_t', 'void *']) as (n: number, fd: number, buf: BigInt64Array) => number | bigint,
    syscall: c.func('int syscall(int64_t n, uint64_t addr, int op, int value, void *timeout, uint64_t addr2, int value3)') as (
      n: number,
      a: bigint,
      op: number,
      v: number,
      t: BigInt64Array | null,
      a2: number,
      v3: number,
    ) => number,
  };
  /** Mapped pointers by address, for koffi.view (which takes koffi's pointer objects). */
  const pointers = new Map<bigint, unknown>();
  return {
    via: 'koffi',
    koffiFrom: found.from,
    maxBuffer: 2 ** 32, // napi_create_external_arraybuffer fails past 4 GiB on Node 20, and koffi then aborts
    shmOpen: (name, flags, mode) => call.shm_open(name, flags, mode),
    shmUnlink: (name) => call.shm_unlink(name),
    ftruncate: (fd, size) => call.ftruncate(fd, size),
    fstat: (fd, buf) => Number(call.fstat(host.sysFstat ?? -1, fd, buf)),
    sizeOf: (fd) => Number(call.lseek(fd, 0, 2)),
    mmap: (size, fd) => {
      const p = call.mmap(null, size, 3, 1, fd, 0);
      const address = p === null ? 0n : BigInt.asIntN(64, koffi.address(p));
      if (address !== -1n) pointers.set(address, p);
      return address;
    },
    munmap: (address, size) => {
      pointers.delete(address);
      return call.munmap(address, size);
    },
    close: (fd) => call.close(fd),
    arrayBuffer: (address, size) => koffi.view(pointers.get(address), size),
    futex: (sys, address, op, value, timeout) => call.syscall(sys, address, op, value, timeout, 0, 0),
    errno: () => koffi.errno(),
  };
}
