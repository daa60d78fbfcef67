/**
 * The bytes of a channel: a header of Int32 words and the ring of elements, exactly `T[capacity]`
 * in C layout, in a SharedArrayBuffer of its own or at a byte offset of memory the caller gives (a
 * `SharedMemory` segment, which other processes map, or a SharedArrayBuffer). Everything a thread
 * or process needs to use the channel lives here ("state lives in the memory"): a second one
 * attaches without a handshake. Byte numbers below are from the channel's first byte.
 *
 * ```
 * byte   word  written by           what
 *    0      0  creator              MAGIC 0x4e484353 ("SCHN" in little-endian bytes)
 *    4      1  creator              VERSION (3; 2 had 31-bit positions and no asleep bits,
 *                                   1 32-bit positions and no closed mark)
 *    8      2  creator              mode: 1 SPSC, 2 MPMC
 *   12      3  creator              capacity (1 … 2²⁹ − 1)
 *   16      4  creator              element size in bytes
 *   20      5  creator              element alignment
 *   24      6  creator              byte offset of the elements
 *   28      7  close()              closed: 0 open, 1 closed (set after the tail's mark)
 *   32      8  consumers, waker     how many consumers are about to sleep or sleeping (a
 *                                   waker subtracts those it wakes: waiting.ts)
 *   36      9  producers, waker     how many producers are about to sleep or sleeping (likewise)
 *   40     10  producers            "not empty" futex word: bumped to wake sleeping consumers
 *   44     11  consumers            "not full" futex word: bumped to wake sleeping producers
 *   48     12  creator              flags: bit 0 = joinable (pushes count unfinished tasks)
 *   52     13  creator              the element layout's fingerprint (`fingerprintOfLayout`): its
 *   56     14                       64-bit hash, low word then high word
 *  128     32  producers, close()   tail: the position of the next write (bits 0–29, positions.ts),
 *                                   the closed mark (bit 31, set once by close()) and, SPSC
 *                                   only, a sleeping consumer's bit (bit 30, set by it, cleared
 *                                   by the producer's next publish)
 *  256     64  consumers            head: the position of the next read (bits 0–29) and, SPSC
 *                                   only, a sleeping producer's bit (bit 31, set by it, cleared
 *                                   by the consumer's next release)
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
import { LayoutMismatchError, rangeError, shownNumber, typeError } from '../errors.js';
import { MAX_CAPACITY } from './positions.js';

/** "SCHN" in little-endian bytes. */
export const MAGIC = 0x4e484353;
/** Format version: a buffer of another version is refused. */
export const VERSION = 3;

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
  fingerprintLow: 13,
  fingerprintHigh: 14,
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

/** The smallest alignment of a channel's first byte: its Int32 words', or the element's if larger. */
export function channelAlign(elementAlign: number): number {
  return Math.max(4, elementAlign);
}

/** What a channel records of its element type: size, alignment, and the layout's fingerprint. */
export interface ElementFormat {
  readonly size: number;
  readonly align: number;
  /** `fingerprintOfLayout` of the element layout (`sct2:` and 16 hex digits). */
  readonly fingerprint: string;
}

/** The two header words of a fingerprint's 64-bit hash: [low, high] (0, 0 for a fingerprint of another shape). */
function fingerprintWords(fp: string): [number, number] {
  const hex = /^[a-z0-9]+:([0-9a-f]{16})$/.exec(fp)?.[1];
  if (hex === undefined) return [0, 0];
  return [Number.parseInt(hex.slice(8), 16) | 0, Number.parseInt(hex.slice(0, 8), 16) | 0];
}

/**
 * Writes the header of a new channel whose words are `a` (from the channel's first byte) over
 * memory that may hold anything (a segment reused, a previous channel): the magic goes first, so
 * that nobody attaches a half-written channel; the header and the stamps are zeroed (zero is the
 * initial state of every word) unless the memory is `fresh` (a new buffer, zero already: an MPMC
 * channel of 2^28 slots spent seconds and a gigabyte of touched pages zeroing its stamps); the
 * magic goes last. The elements are left as they are: a slot is written before it is read.
 */
export function writeHeader(a: Int32Array, f: ChannelFormat, element: ElementFormat, fresh: boolean): void {
  Atomics.store(a, W.magic, 0);
  a.fill(0, 1, fresh ? W.stamps : f.dataOffset / 4);
  a[W.version] = VERSION;
  a[W.mode] = MODE_CODE[f.mode];
  a[W.capacity] = f.capacity;
  a[W.elementSize] = f.elementSize;
  a[W.elementAlign] = f.elementAlign;
  a[W.dataOffset] = f.dataOffset;
  a[W.flags] = f.joinable ? FLAG_JOINABLE : 0;
  const [low, high] = fingerprintWords(element.fingerprint);
  a[W.fingerprintLow] = low;
  a[W.fingerprintHigh] = high;
  // The magic last: memory with the magic has a whole header.
  Atomics.store(a, W.magic, MAGIC);
}

/**
 * Checks that a channel of `byteLength` bytes (aligned to `align`) fits at `byteOffset` of
 * `memoryBytes` bytes (`what` names the caller in the errors); returns the offset.
 */
export function checkPlace(what: string, byteOffset: unknown, align: number, byteLength: number, memoryBytes: number): number {
  if (typeof byteOffset !== 'number' || !Number.isInteger(byteOffset) || byteOffset < 0)
    throw rangeError('invalid_argument', what, `byteOffset ${shownNumber(byteOffset)} is not a whole number ≥ 0`);
  if (byteOffset % align !== 0) {
    throw rangeError(
      'misaligned',
      what,
      `byteOffset ${byteOffset} is not a multiple of ${align}, the alignment of a channel of these elements`,
      `place it at a multiple of ${align} (a multiple of 64 keeps its words on cache lines of their own)`,
    );
  }
  if (byteOffset + byteLength > memoryBytes) {
    throw rangeError('out_of_bounds', what, `needs ${byteLength} bytes at byteOffset ${byteOffset}, but the memory has ${memoryBytes} bytes`);
  }
  return byteOffset;
}

/**
 * The format of the channel at `byteOffset` of `buffer` (from another thread or process: hostile
 * until checked), for elements `element`: the offset must be aligned and leave room for a header;
 * the magic number, version, mode, capacity, element size, alignment and fingerprint, and the
 * data offset must all be what this library would have written, and the memory large enough.
 */
export function readFormat(buffer: ArrayBufferLike, byteOffset: number, element: ElementFormat, what: string): ChannelFormat {
  const bytes = buffer.byteLength;
  // Aligned, whole, and room for a header (the whole channel's size is known once it is read).
  checkPlace(what, byteOffset, channelAlign(element.align), W.stamps * 4, bytes);
  const a = new Int32Array(buffer, byteOffset, W.stamps);
  if (Atomics.load(a, W.magic) !== MAGIC) {
    throw typeError('invalid_argument', what, `no channel at byteOffset ${byteOffset} (no channel header there)`, 'attach a handle made by share(channel)');
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
  const [low, high] = fingerprintWords(element.fingerprint);
  if (Atomics.load(a, W.fingerprintLow) !== low || Atomics.load(a, W.fingerprintHigh) !== high) {
    throw new LayoutMismatchError(
      `${what}: the channel holds elements of another layout than the schema's (${element.fingerprint}), though of the same size and alignment`,
    );
  }
  const f = formatOf(mode, capacity, size, align, (flags & FLAG_JOINABLE) !== 0);
  if (Atomics.load(a, W.dataOffset) !== f.dataOffset || bytes - byteOffset < f.byteLength) {
    throw rangeError(
      'out_of_bounds',
      what,
      `the channel needs ${f.byteLength} bytes with its elements at byte ${f.dataOffset}, but the memory has ${bytes - byteOffset} bytes from byteOffset ${byteOffset}`,
    );
  }
  return f;
}
