/**
 * The bytes of a channel: one SharedArrayBuffer holding a header of Int32 words and the ring of
 * elements, exactly `T[capacity]` in C layout. Everything a thread needs to use the channel lives
 * here ("state lives in the buffer"): a second thread attaches without a handshake.
 *
 * ```
 * byte   word  written by           what
 *    0      0  creator              MAGIC 0x4e484353 ("SCHN" in little-endian bytes)
 *    4      1  creator              VERSION (1)
 *    8      2  creator              mode: 1 SPSC, 2 MPMC
 *   12      3  creator              capacity (1 … 2³⁰ − 1)
 *   16      4  creator              element size in bytes
 *   20      5  creator              element alignment
 *   24      6  creator              byte offset of the elements
 *   28      7  close()              closed: 0 open, 1 closed
 *   32      8  consumers, waker     how many consumers are about to sleep or sleeping (a
 *                                   waker subtracts those it wakes: waiting.ts)
 *   36      9  producers, waker     how many producers are about to sleep or sleeping (likewise)
 *   40     10  producers            "not empty" futex word: bumped to wake sleeping consumers
 *   44     11  consumers            "not full" futex word: bumped to wake sleeping producers
 *   48     12  creator              flags: bit 0 = joinable (pushes count unfinished tasks)
 *  128     32  producers            tail: the position of the next write (positions.ts)
 *  256     64  consumers            head: the position of the next read
 *  384     96  put / task_done      unfinished tasks (JoinableQueue)
 *  512    128  producers/consumers  MPMC only: one stamp per slot (stamp − index, so zeroed
 *                                   memory is the initial state: slot i free for position i)
 *  data        producers/consumers  the elements, T[capacity], at a multiple of max(64, alignof T)
 * ```
 *
 * Words written on every operation (tail, head, the task count) sit 128 bytes apart, so that a
 * producer and a consumer never write the same cache line (nor a pair of lines, which some CPUs
 * prefetch together); the first line is written rarely (close, and the waiter words only by
 * threads about to sleep), so reading it costs a hit in each thread's own cache.
 *
 * @module
 */
import { LayoutMismatchError, rangeError, typeError } from '../errors.js';
import { MAX_CAPACITY } from './positions.js';

/** "SCHN" in little-endian bytes. */
export const MAGIC = 0x4e484353;
/** Format version: a buffer of another version is refused. */
export const VERSION = 1;

/** Header word indices. */
export const W = {
  magic: 0,
  version: 1,
  mode: 2,
  capacity: 3,
  elementSize: 4,
  elementAlign: 5,
  dataOffset: 6,
  closed: 7,
  consumersWaiting: 8,
  producersWaiting: 9,
  notEmpty: 10,
  notFull: 11,
  flags: 12,
  tail: 32,
  head: 64,
  unfinished: 96,
  stamps: 128,
} as const;

/** The producer/consumer multiplicity of a channel. */
export type ChannelMode = 'spsc' | 'mpmc';

/** The mode word's value for each mode, and back. */
export const MODE_CODE = { spsc: 1, mpmc: 2 } as const satisfies Record<ChannelMode, number>;

/** Flag bits of the header's `flags` word. */
export const FLAG_JOINABLE = 1;

/** Where things are in a channel's buffer. */
export interface ChannelFormat {
  readonly mode: ChannelMode;
  /** Whether pushes count unfinished tasks (a JoinableQueue). */
  readonly joinable: boolean;
  readonly capacity: number;
  readonly elementSize: number;
  readonly elementAlign: number;
  readonly dataOffset: number;
  readonly byteLength: number;
}

/** The format of a channel of `capacity` elements of `elementSize` bytes aligned to `elementAlign`. */
export function formatOf(mode: ChannelMode, capacity: number, elementSize: number, elementAlign: number, joinable: boolean): ChannelFormat {
  const stampsEnd = W.stamps * 4 + (mode === 'mpmc' ? capacity * 4 : 0);
  const align = Math.max(64, elementAlign);
  const dataOffset = Math.ceil(stampsEnd / align) * align;
  return { mode, joinable, capacity, elementSize, elementAlign, dataOffset, byteLength: dataOffset + capacity * elementSize };
}

/** Writes the header of a fresh (zeroed) channel buffer. */
export function writeHeader(a: Int32Array, f: ChannelFormat): void {
  a[W.version] = VERSION;
  a[W.mode] = MODE_CODE[f.mode];
  a[W.capacity] = f.capacity;
  a[W.elementSize] = f.elementSize;
  a[W.elementAlign] = f.elementAlign;
  a[W.dataOffset] = f.dataOffset;
  a[W.flags] = f.joinable ? FLAG_JOINABLE : 0;
  // The magic last: a buffer with the magic has a whole header.
  Atomics.store(a, W.magic, MAGIC);
}

/**
 * The format of the channel in `buffer` (from another thread: hostile until checked), for elements
 * of layout `element`: the magic number, version, mode, capacity, element size and alignment and
 * data offset must all be what this library would have written, and the buffer large enough.
 */
export function readFormat(a: Int32Array, element: { size: number; align: number }, what: string): ChannelFormat {
  const bytes = a.buffer.byteLength;
  if (bytes < W.stamps * 4 || Atomics.load(a, W.magic) !== MAGIC) {
    throw typeError('invalid_argument', what, 'the buffer holds no channel (no channel header)', 'attach a handle made by share(channel)');
  }
  const version = Atomics.load(a, W.version);
  if (version !== VERSION) throw typeError('invalid_argument', what, `the channel has format version ${version}; this library reads version ${VERSION}`);
  const code = Atomics.load(a, W.mode);
  const mode = code === MODE_CODE.spsc ? 'spsc' : code === MODE_CODE.mpmc ? 'mpmc' : undefined;
  const capacity = Atomics.load(a, W.capacity);
  const flags = Atomics.load(a, W.flags);
  if (mode === undefined || capacity < 1 || capacity > MAX_CAPACITY || (flags & ~FLAG_JOINABLE) !== 0) {
    throw typeError('invalid_argument', what, `the channel header is corrupt (mode ${code}, capacity ${capacity}, flags ${flags})`);
  }
  const size = Atomics.load(a, W.elementSize);
  const align = Atomics.load(a, W.elementAlign);
  if (size !== element.size || align !== element.align) {
    throw new LayoutMismatchError(
      `${what}: the channel holds elements of ${size} bytes aligned to ${align}, but the schema's elements have ${element.size} bytes aligned to ${element.align}`,
    );
  }
  const f = formatOf(mode, capacity, size, align, (flags & FLAG_JOINABLE) !== 0);
  if (Atomics.load(a, W.dataOffset) !== f.dataOffset || bytes < f.byteLength) {
    throw rangeError(
      'out_of_bounds',
      what,
      `the channel needs ${f.byteLength} bytes with its elements at byte ${f.dataOffset}, but the buffer has ${bytes} bytes`,
    );
  }
  return f;
}
