/// <reference lib="esnext.disposable" />
/**
 * `SharedMemory`: a named segment of memory that any process can map, with the semantics and the
 * names of Python's `multiprocessing.shared_memory.SharedMemory` (a POSIX shared memory object,
 * `/dev/shm/<name>` on Linux). Python's `SharedMemory(name='counters')` and
 * `new SharedMemory({ name: 'counters' })` here open the same bytes.
 *
 * @module
 */
import { describeValue, rangeError, SharedMemoryError, shownNumber, typeError } from '../errors.js';
import { checkBooleanOption, checkOptions } from '../options.js';
import { endWaitsOn } from './async-wait.js';
import { markClosed, registerMapping } from './backend.js';
import { FUTEX_BACKEND } from './futex-backend.js';
import { type Libc, libc } from './libc.js';
import { forgetOpen, registerMemory, rememberOpen } from './open-segments.js';

/** Options of {@link SharedMemory}, as Python's `SharedMemory(name=None, create=False, size=0)`. */
export interface SharedMemoryOptions {
  /**
   * The segment's name, without the leading `/` (as in Python): letters, digits, `.`, `_` and
   * `-`, at most 250 bytes. With `create` and no name, a fresh random name (`psm_…`, as Python's).
   */
  readonly name?: string | null;
  /** Create a new segment (refused if the name exists: `segment_exists`) instead of attaching. */
  readonly create?: boolean;
  /** Bytes of a new segment (> 0); ignored when attaching, where the segment's size is used. */
  readonly size?: number;
}

const O_RDWR = 0o2;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const MODE = 0o600; // Python's
const ENOENT = 2;
const EEXIST = 17;
const EACCES = 13;
/** 1–250 letters, digits, dots, underscores or hyphens; not `.` or `..` (they name /dev/shm and /dev). */
const NAME = /^(?!\.\.?$)[A-Za-z0-9._-]{1,250}$/;

const encoder = new TextEncoder();

/** `Symbol.dispose`, or its registered stand-in where the engine lacks it (as sync/memory.ts). */
const disposeSymbol: typeof Symbol.dispose = (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

/** What the collector unmaps once a mapping's `ArrayBuffer` is unreachable (see {@link SharedMemory.close}). */
interface Unmap {
  readonly c: Libc;
  readonly address: bigint;
  readonly size: number;
  readonly identity: string;
}

/**
 * Unmaps a mapping whose `ArrayBuffer` was garbage collected (Python's `SharedMemory` closes in
 * `__del__` likewise). Safe: every view, lock and typed array over the memory holds the buffer, so
 * once it is collected nothing can touch the memory any more. The segment itself stays.
 */
const unmapWhenCollected = new FinalizationRegistry<Unmap>((m) => {
  m.c.munmap(m.address, m.size);
  forgetOpen(m.identity, undefined);
});

/** A 256-byte `struct stat` (x86-64's is 144 bytes, arm64's 128). */
const stat = new BigInt64Array(32);

/** `/name\0`: the C string shm_open takes. */
function cName(name: string): Uint8Array {
  return encoder.encode(`/${name}\0`);
}

function randomName(): string {
  const bytes = new Uint8Array(4);
  crypto.getRandomValues(bytes);
  return `psm_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function osError(what: string, name: string, errno: number): SharedMemoryError {
  if (errno === ENOENT) return new SharedMemoryError(`${what}: no shared memory segment named '${name}'`, 'segment_not_found', errno);
  if (errno === EEXIST)
    return new SharedMemoryError(
      `${what}: a shared memory segment named '${name}' exists already; attach to it, or choose another name`,
      'segment_exists',
      errno,
    );
  const why = errno === EACCES ? 'permission denied' : `errno ${errno}`;
  return new SharedMemoryError(`${what}: the operating system refused for segment '${name}' (${why})`, 'os_error', errno);
}

const SHARED_MEMORY_OPTIONS = Object.keys({ name: true, create: true, size: true } satisfies Record<keyof SharedMemoryOptions, true>);

/**
 * A named segment of shared memory, mapped into this process: create it with a name and a size,
 * or attach to it by name from any process (Node, Bun, Deno, Python, C) or thread. `buf` is an
 * `ArrayBuffer` over the mapping (no copy): views, arrays, atomics and lock members work over it
 * as over a SharedArrayBuffer, and locks in it wake waiters in other processes (the futex backend).
 *
 * The segment outlives every process that maps it until someone calls {@link unlink} (as in
 * Python); {@link close} only unmaps it from this process.
 *
 * Needs Linux and a foreign function interface: Node ≥ 26.1 (`node:ffi`; `--experimental-ffi`
 * where it is not on by default), Bun, Deno (`--allow-ffi`), or Node ≥ 20 with the `koffi` package
 * installed. Elsewhere the constructor throws a `SharedMemoryError` (`unsupported_runtime`) that
 * says which.
 *
 * @example
 * ```ts
 * import { SharedMemory, mutex, struct, u32 } from 'sharedctypes';
 * const Counter = struct({ lock: mutex(), hits: u32 });       // lock @0, hits @4; sizeof 8
 * const shm = new SharedMemory({ name: 'demo-counter', create: true, size: 8 });
 * try {
 *   const c = Counter.view(shm.buf);                          // over /dev/shm/demo-counter
 *   c.lock.withLock(() => (c.hits += 1));                      // excludes other processes too
 *   // Python: SharedMemory(name='demo-counter') maps the same 8 bytes
 * } finally {
 *   shm.close();
 *   shm.unlink();
 * }
 * ```
 */
export class SharedMemory {
  readonly #name: string;
  readonly #size: number;
  #buf: ArrayBuffer | null;
  readonly #address: bigint;
  readonly #identity: string;
  readonly #c: Libc;

  /** Creates (`create: true`) or attaches to (a name alone) a segment. */
  constructor(options: SharedMemoryOptions | string) {
    const o: SharedMemoryOptions = typeof options === 'string' ? { name: options } : options;
    if (o === null || typeof o !== 'object') throw typeError('invalid_argument', 'SharedMemory', 'takes a name or { name, create, size }');
    checkOptions('SharedMemory', o, SHARED_MEMORY_OPTIONS);
    const create = o.create === true;
    checkBooleanOption('SharedMemory', 'create', o.create);
    let name = o.name ?? null;
    if (name === null && !create) throw typeError('invalid_argument', 'SharedMemory', 'a name is needed to attach (only create: true makes one up)');
    if (name !== null && (typeof name !== 'string' || !NAME.test(name))) {
      throw typeError(
        'invalid_argument',
        'SharedMemory',
        `name ${describeValue(name)} is not a segment name`,
        'use 1 to 250 letters, digits, dots, underscores or hyphens (not . or ..), without a leading slash (Python adds it, and so do we)',
      );
    }
    const size = o.size ?? 0;
    const c = libc();
    if (create && (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0 || size > c.maxBuffer)) {
      throw rangeError(
        'out_of_range',
        'SharedMemory',
        `size ${shownNumber(size)} must be a whole number of bytes from 1 to ${c.maxBuffer} (the largest buffer ${c.via} makes) to create a segment`,
      );
    }
    let fd: number;
    if (name === null) {
      do {
        name = randomName();
        fd = c.shmOpen(cName(name), O_CREAT | O_EXCL | O_RDWR, MODE);
      } while (fd < 0 && c.errno() === EEXIST);
    } else {
      fd = c.shmOpen(cName(name), create ? O_CREAT | O_EXCL | O_RDWR : O_RDWR, MODE);
    }
    if (fd < 0) throw osError(create ? 'SharedMemory (create)' : 'SharedMemory (attach)', name, c.errno());
    try {
      if (create && c.ftruncate(fd, size) !== 0) {
        const e = c.errno();
        c.shmUnlink(cName(name));
        throw osError('SharedMemory (size)', name, e);
      }
      if (c.fstat(fd, stat) !== 0) {
        const e = c.errno();
        if (create) c.shmUnlink(cName(name));
        throw osError('SharedMemory (fstat)', name, e);
      }
      this.#identity = `${stat[0]}:${stat[1]}`;
      const actual = c.sizeOf(fd);
      if (actual <= 0) throw new SharedMemoryError(`SharedMemory: segment '${name}' is empty (0 bytes) and cannot be mapped`, 'os_error');
      if (actual > c.maxBuffer) {
        throw new SharedMemoryError(
          `SharedMemory: segment '${name}' has ${actual} bytes, more than the ${c.maxBuffer} that ${c.via} can map as one buffer`,
          'os_error',
        );
      }
      const address = c.mmap(actual, fd);
      if (address === -1n || address === 0n) {
        const e = c.errno();
        if (create) c.shmUnlink(cName(name));
        throw osError('SharedMemory (mmap)', name, e);
      }
      this.#address = address;
      this.#size = actual;
    } finally {
      c.close(fd); // the mapping keeps the segment; Python keeps its fd, which nothing needs
    }
    this.#name = name;
    this.#c = c;
    try {
      this.#buf = c.arrayBuffer(this.#address, this.#size);
    } catch (e) {
      c.munmap(this.#address, this.#size);
      if (create) c.shmUnlink(cName(name));
      throw new SharedMemoryError(
        `SharedMemory: this runtime cannot make an ArrayBuffer of ${this.#size} bytes over segment '${name}' (${(e as Error).message})`,
        'os_error',
      );
    }
    registerMapping(this.#buf, { address: this.#address, size: this.#size, name, identity: this.#identity, backend: FUTEX_BACKEND });
    registerMemory(this, () => this.buf);
    rememberOpen(this.#identity, this.#buf);
    unmapWhenCollected.register(this.#buf, { c, address: this.#address, size: this.#size, identity: this.#identity }, this);
  }

  /** The segment's name, without the leading `/` (as Python's `name`). */
  get name(): string {
    return this.#name;
  }

  /** Its size in bytes (the segment's, as Python's `size`: what `create` asked for). */
  get size(): number {
    return this.#size;
  }

  /** The mapped memory (an `ArrayBuffer`, no copy). Throws `segment_closed` after {@link close}. */
  get buf(): ArrayBuffer {
    if (this.#buf === null) throw new SharedMemoryError(`SharedMemory '${this.#name}': closed; attach again to use it`, 'segment_closed');
    return this.#buf;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#buf === null;
  }

  /**
   * Unmaps the segment from this process (the segment itself stays, for other processes, until
   * {@link unlink}). The `ArrayBuffer` is detached first, so that every view over it then reads
   * as empty or throws instead of touching unmapped memory; where the runtime cannot detach it
   * (Node < 22 through koffi), the mapping stays until the buffer is garbage collected.
   * Idempotent.
   *
   * A mapping that is never closed is unmapped when its `ArrayBuffer` (`buf`, which every view,
   * lock and typed array over it holds) is garbage collected, as Python's `SharedMemory` closes
   * when collected. Objects that `attach()` made over this segment in this thread share this
   * mapping (see `attach`): closing it closes them too.
   */
  close(): void {
    const buf = this.#buf;
    if (buf === null) return;
    this.#buf = null;
    forgetOpen(this.#identity, buf);
    // Async waits on its words end now (segment_closed), taken back from the waiter thread, also
    // where the buffer cannot be detached: a wait there would otherwise go on over closed memory,
    // keep the process alive, or take a lock after the close.
    markClosed(buf);
    endWaitsOn(buf);
    if (detach(buf)) {
      unmapWhenCollected.unregister(this);
      this.#c.munmap(this.#address, this.#size);
    }
  }

  /**
   * Removes the segment's name, as Python's `unlink()`: no process can attach to it any more, and
   * the memory is freed once every process has unmapped it. Call it once, from one process.
   */
  unlink(): void {
    if (this.#c.shmUnlink(cName(this.#name)) !== 0) throw osError('SharedMemory.unlink()', this.#name, this.#c.errno());
  }

  /** `using shm = new SharedMemory(…)` closes it at the end of the block. */
  [disposeSymbol](): void {
    this.close();
  }

  /** `SharedMemory('name', size=N)`, as Python's repr. */
  toString(): string {
    return `SharedMemory('${this.#name}', size=${this.#size})`;
  }
}

/** Detaches `buf` (ES2024 `transfer()`); whether it is detached now. */
function detach(buf: ArrayBuffer): boolean {
  const transfer = (buf as { transfer?: () => ArrayBuffer }).transfer;
  if (typeof transfer !== 'function') return false;
  try {
    transfer.call(buf);
  } catch {
    return false;
  }
  return (buf as { detached?: boolean }).detached === true || buf.byteLength === 0;
}
