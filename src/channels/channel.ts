/**
 * `Channel`: a bounded queue of elements of one schema in shared memory (a SharedArrayBuffer of its
 * own, or a place in a `SharedMemory` segment or a SharedArrayBuffer), with blocking, async and
 * non-blocking ends, zero-copy and copying forms, batches, `close()` and iteration. The bytes are
 * described in format.ts; the SPSC and MPMC algorithms in spsc.ts and mpmc.ts.
 *
 * @module
 */
import { ChannelClosedError, rangeError, typeError, schemaError, SyncError } from '../errors.js';
import { layout } from '../layout/compute.js';
import { checkBooleanOption, checkOptions } from '../options.js';
import { fingerprintOfLayout } from '../layout/fingerprint.js';
import { firstSyncMember } from '../layout/queries.js';
import type { Layout } from '../layout/types.js';
import { newSharedBuffer } from '../memory/buffers.js';
import { placementMemory } from '../memory/place.js';
import type { SharedMemory } from '../memory/shared-memory.js';
import { showState } from '../sync/display.js';
import { checkTimeout, deadlineOf, shown, wake } from '../sync/futex.js';
import { keepShape } from '../shapes.js';
import { resolveSchema } from '../types/builtins.js';
import type { ArrayView, Infer, Input, ViewOf } from '../types/infer.js';
import type { ResolveSchema, SchemaLike } from '../types/schema.js';
import { typeLabel } from '../kinds/labels.js';
import { AsyncItems, type ItemSource } from './async-items.js';
import { type ChannelFormat, type ChannelMode, channelAlign, checkPlace, type ElementFormat, formatOf, readFormat, W, writeHeader } from './format.js';
import { MpmcRing } from './mpmc.js';
import { MAX_CAPACITY } from './positions.js';
import { type Ring, wakeWaiters } from './ring.js';
import { BATCH_VALUES, Slots } from './slots.js';
import { SpscRing } from './spsc.js';
import { pause, pauseAsync } from './waiting.js';

/** The `closed` word, read on every push, as a module constant (see mpmc.ts). */
const { closed: CLOSED } = W;

/**
 * Where to put a new channel, instead of a SharedArrayBuffer of its own: at a byte offset of a
 * `SharedMemory` segment (other processes then attach it: `share()` gives a JSON handle naming the
 * segment), or of a SharedArrayBuffer. The memory is the caller's: the channel writes its header
 * there (the state of an empty channel, over whatever the bytes held) and uses
 * `Channel.byteLength(schema, capacity, { mode })` bytes from `byteOffset`.
 */
export interface ChannelPlaceOptions {
  /** A `SharedMemory` (or its `buf`), or a SharedArrayBuffer. Default: a new SharedArrayBuffer holding this channel alone. */
  readonly memory?: SharedMemory | ArrayBufferLike;
  /**
   * Byte offset of the channel in `memory` (default 0): a multiple of `Channel.alignment(schema)`
   * (4, or the element's alignment if larger; a multiple of 64 keeps the channel's words on cache
   * lines of their own), with `Channel.byteLength(…)` bytes from there inside the memory.
   */
  readonly byteOffset?: number;
}

/** Options of a new {@link Channel}. */
export interface ChannelOptions extends ChannelPlaceOptions {
  /**
   * `'mpmc'`: any number of threads may push and pop at once (Vyukov's bounded queue, one
   * compare-and-swap per item). `'spsc'`: at most one thread pushes and at most one pops at a
   * time (a wait-free ring, the fastest). An SPSC channel used by two producers (or two consumers)
   * at once loses or repeats items.
   * @defaultValue 'mpmc'
   */
  readonly mode?: ChannelMode;
  /**
   * Checked stores when copying values in (see `ViewOptions.checked`): integer overflow and
   * fractions into integers throw instead of wrapping.
   * @defaultValue false
   */
  readonly checked?: boolean;
}

/** Internal option of JoinableQueue: the channel counts unfinished tasks. */
export const JOINABLE: unique symbol = Symbol('joinable');

/** A channel being attached (set only during the constructor call made by {@link adoptChannel}). */
let adopting: { buffer: ArrayBufferLike; byteOffset: number; format: ChannelFormat } | null = null;

/**
 * The channel at `byteOffset` of `buffer` (a SharedArrayBuffer or a segment's memory; checked:
 * alignment, header, element layout and fingerprint, bounds; `capacity`, from the handle, equal to the
 * header's) as an instance of `cls`: how
 * `attach()` rebuilds a channel in another thread or process.
 */
export function adoptChannel<C>(
  kind: {
    readonly cls: new (schema: SchemaLike, capacity: number, options?: ChannelOptions) => C;
    readonly mode: ChannelMode | undefined;
    readonly joinable: boolean;
  },
  schema: SchemaLike,
  buffer: ArrayBufferLike,
  byteOffset: number,
  capacity: number,
): C {
  const element = elementLayout(schema, 'attach');
  const format = readFormat(buffer, byteOffset, elementFormat(element), 'attach');
  if (format.capacity !== capacity) {
    throw new SyncError(
      `attach: the channel's header says ${format.capacity} slots, but the handle says ${capacity}: the channel's memory was overwritten since share() (nothing was read or written outside it)`,
      'corrupt',
    );
  }
  const cls = kind.cls;
  if ((kind.mode !== undefined && format.mode !== kind.mode) || format.joinable !== kind.joinable) {
    const what = (mode: ChannelMode | undefined, joinable: boolean): string =>
      `${mode === undefined ? 'an' : `an ${mode.toUpperCase()}`} channel${joinable ? ' that counts unfinished tasks' : ''}`;
    throw typeError(
      'invalid_argument',
      'attach',
      `the handle says ${cls.name}, which needs ${what(kind.mode, kind.joinable)}, but the buffer holds ${what(format.mode, format.joinable)}`,
      'attach the handle share() made of it, unchanged',
    );
  }
  adopting = { buffer, byteOffset, format };
  try {
    return new cls(schema, format.capacity); // the header's mode, not an option (a Queue takes none)
  } finally {
    adopting = null;
  }
}

function elementLayout(schema: unknown, what: string): Layout {
  const l = layout(resolveSchema(schema, what, ''));
  const at = firstSyncMember(l);
  if (at === '') {
    throw schemaError('misplaced_sync', what, '', `cannot carry ${typeLabel(l.schema)} elements: a lock is not data to send`, 'send the data it guards');
  }
  if (at !== null) {
    // Items are copied as values (and batches as bytes): a lock in one would arrive as a copy of
    // its state, held by a thread that never took it, or freed under one that did.
    throw schemaError(
      'misplaced_sync',
      what,
      at,
      'is a synchronization primitive: channel items are data, and a lock is not data to send',
      'send the data it guards, and keep the lock in shared memory beside the channel',
    );
  }
  return l;
}

function elementFormat(l: Layout): ElementFormat {
  return { size: l.size, align: l.align, fingerprint: fingerprintOfLayout(l) };
}

/** The mode option, checked. */
function modeOf(what: string, mode: unknown): ChannelMode {
  const m = mode ?? 'mpmc';
  if (m !== 'spsc' && m !== 'mpmc') throw typeError('invalid_argument', what, `mode must be 'spsc' or 'mpmc' (got ${String(m)})`);
  return m;
}

/**
 * The capacity, checked (`name`: what the caller calls it, `maxsize` for a queue). A queue lives in
 * a fixed buffer, so Python's unbounded `maxsize=0` has no equivalent here: the message says so.
 */
export function checkCapacity(what: string, capacity: unknown, name = 'capacity'): number {
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
    throw rangeError(
      'out_of_range',
      what,
      `${name} must be a whole number from 1 to ${MAX_CAPACITY} (got ${String(capacity)})`,
      name === 'maxsize' ? 'the queue lives in a buffer of fixed size: give the most items it may hold (there is no unbounded maxsize=0)' : undefined,
    );
  }
  return capacity;
}

/** "nothing was claimed": a claim that timed out. */
const TIMED_OUT = -1;
/** A consumer's claim that found the channel closed and drained. */
const ENDED = -2;

/** The small channels (one of each mode) that src/shapes.ts keeps alive (made when the library makes its first). */
const smallChannel = (): Channel[] => [new Channel('d', 1, { mode: 'spsc' }), new Channel('d', 1, { mode: 'mpmc' })];

/**
 * A bounded channel of elements of one schema in one SharedArrayBuffer: threads push at one end
 * and pop at the other, items come out in the order they went in (per producer), and every item
 * is popped exactly once. Post it with `share(channel)` and `attach(handle)`.
 *
 * Every operation comes in three forms: blocking, with a timeout in ms (worker threads, Node's
 * main thread); `…Async`, which never blocks the thread (a browser's main thread); and `try…`,
 * which never waits (an AudioWorklet: `tryPush`, `tryPushMany`, `tryReserve` and their consumer
 * twins allocate nothing for numeric elements or zero-copy access).
 *
 * Elements are copied in and out as plain values (`push`/`pop`, `pushMany`/`popMany`), or
 * accessed in place: `reserve()` lends the next free slot as a live view, `commit()` publishes
 * it; `front()` lends the oldest item, `release()` frees its slot.
 *
 * @example
 * ```ts
 * import { Channel, f64, struct, u32 } from 'sharedctypes';
 * const Particle = struct({ x: f64, y: f64, id: u32 });
 * const ch = new Channel(Particle, 1024, { mode: 'spsc' });
 * ch.push({ x: 1, y: 2, id: 7 });       // copy in (blocks while full)
 * const slot = ch.reserve();             // or in place: a live view of the next slot
 * if (slot) {
 *   slot.x = 3;
 *   slot.y = 4;
 *   slot.id = 8;
 *   ch.commit();
 * }
 * ch.pop();                              // { x: 1, y: 2, id: 7 }
 * const p = ch.front();                  // a live view of the oldest item
 * p?.id;                                 // 8
 * ch.release();
 * ch.close();                            // consumers drain, then see the end
 * for (const item of ch) console.log(item); // nothing left: the loop ends at once
 * ```
 */
export class Channel<S extends SchemaLike = SchemaLike> {
  /**
   * How many bytes a channel of `capacity` elements of `schema` occupies (header, MPMC stamps, then
   * `T[capacity]`): what to reserve for it in a segment (`{ memory, byteOffset }`).
   *
   * @example
   * ```ts
   * import { Channel, f64, SharedMemory, struct, u32 } from 'sharedctypes';
   * const Job = struct({ id: u32, cost: f64 });
   * const bytes = Channel.byteLength(Job, 1000, { mode: 'spsc' }); // 512 + 1000 × 16 = 16512
   * const shm = new SharedMemory({ name: 'channel-bytes-demo', create: true, size: 64 + bytes });
   * const jobs = new Channel(Job, 1000, { mode: 'spsc', memory: shm, byteOffset: 64 });
   * jobs.push({ id: 1, cost: 2.5 });
   * shm.close();
   * shm.unlink();
   * ```
   */
  static byteLength(schema: SchemaLike, capacity: number, options: { readonly mode?: ChannelMode } = {}): number {
    const element = elementLayout(schema, 'Channel.byteLength');
    return formatOf(modeOf('Channel.byteLength', options.mode), checkCapacity('Channel.byteLength', capacity), element.size, element.align, false).byteLength;
  }

  /** What a channel's `byteOffset` must be a multiple of: 4 (its Int32 words), or the element's alignment if larger. */
  static alignment(schema: SchemaLike): number {
    return channelAlign(elementLayout(schema, 'Channel.alignment').align);
  }

  readonly #a: Int32Array;
  readonly #ring: Ring;
  readonly #slots: Slots;
  readonly #schema: ResolveSchema<S>;
  readonly #mode: ChannelMode;
  readonly #label: string;
  /** MPMC: a claimed slot must be published, so copies are converted before claiming (in `#stage`). */
  readonly #stageFirst: boolean;
  /** Whether pushes count unfinished tasks (a JoinableQueue's buffer). */
  readonly #counts: boolean;
  readonly #byteLength: number;
  /** The slot index lent by `reserve()` (−1: none) and by `front()`. */
  #reserved = -1;
  #fronted = -1;

  /**
   * A new channel of `capacity` elements of `schema`, in its own SharedArrayBuffer, or written at
   * `{ memory, byteOffset }` (a `SharedMemory` segment: other processes attach it by handle).
   *
   * @param schema - the element type: a struct, union, array, char or primitive schema, or a typecode
   * @param capacity - how many elements fit (1 … 2²⁹ − 1; any number, not only powers of two)
   */
  constructor(schema: S, capacity: number, options: ChannelOptions = {}) {
    const adopted = adopting;
    adopting = null;
    const label = new.target.name;
    const element = elementLayout(schema, label);
    this.#schema = element.schema as ResolveSchema<S>;
    checkOptions(label, options, CHANNEL_OPTIONS);
    checkBooleanOption(label, 'checked', options.checked);
    const mode = modeOf(label, options.mode);
    checkCapacity(label, capacity);
    let buffer: ArrayBufferLike;
    let byteOffset: number;
    let format: ChannelFormat;
    if (adopted === null) {
      format = formatOf(mode, capacity, element.size, element.align, (options as { [JOINABLE]?: boolean })[JOINABLE] === true);
      const { memory } = options;
      if (memory === undefined) {
        if (options.byteOffset !== undefined)
          throw typeError('invalid_argument', label, `byteOffset ${String(options.byteOffset)} without memory`, 'give the memory to place the channel in');
        buffer = newSharedBuffer(label, format.byteLength);
        byteOffset = 0;
      } else {
        buffer = placementMemory(label, memory, 'a plain ArrayBuffer belongs to one thread, and a channel is for several');
        const subject = `${label}<${typeLabel(element.schema)}>`;
        byteOffset = checkPlace(subject, options.byteOffset ?? 0, channelAlign(element.align), format.byteLength, buffer.byteLength);
      }
      this.#a = new Int32Array(buffer, byteOffset, format.dataOffset / 4);
      writeHeader(this.#a, format, elementFormat(element), memory === undefined);
    } else {
      ({ buffer, byteOffset, format } = adopted);
      this.#a = new Int32Array(buffer, byteOffset, format.dataOffset / 4);
    }
    this.#byteLength = format.byteLength;
    this.#mode = format.mode;
    this.#ring = format.mode === 'spsc' ? new SpscRing(this.#a, format.capacity) : new MpmcRing(this.#a, format.capacity);
    this.#slots = new Slots(buffer as SharedArrayBuffer, byteOffset + format.dataOffset, format.capacity, element, options.checked === true);
    this.#stageFirst = format.mode === 'mpmc';
    this.#counts = format.joinable;
    this.#label = `${new.target.name}<${typeLabel(element.schema)}>`;
    if (new.target === Channel) keepShape(Channel, smallChannel);
  }

  /**
   * The memory holding the channel (header and elements): its SharedArrayBuffer, or the memory of
   * the `SharedMemory` segment it was placed in (an `ArrayBuffer` over the mapping, typed as the
   * SharedArrayBuffer it stands in for, as lock places are).
   */
  get buffer(): SharedArrayBuffer {
    return this.#a.buffer as SharedArrayBuffer;
  }

  /** Where the channel starts in {@link buffer} (0 for a buffer of its own). */
  get byteOffset(): number {
    return this.#a.byteOffset;
  }

  /** How many bytes of {@link buffer} the channel occupies from {@link byteOffset} (see {@link Channel.byteLength}). */
  get byteLength(): number {
    return this.#byteLength;
  }

  /** The element schema. */
  get schema(): ResolveSchema<S> {
    return this.#schema;
  }

  /** How many elements fit. */
  get capacity(): number {
    return this.#ring.capacity;
  }

  /** `'spsc'` or `'mpmc'`. */
  get mode(): ChannelMode {
    return this.#mode;
  }

  /** Whether `close()` was called (by any thread). */
  get closed(): boolean {
    return Atomics.load(this.#a, CLOSED) !== 0;
  }

  /**
   * Whether the channel is closed and drained: every pop from now on reports the end. Once true,
   * it stays true, so after a pop that gave `undefined` it tells the end from a timeout.
   */
  get done(): boolean {
    return this.#ring.ended();
  }

  /**
   * How many items are in the channel (approximate while others push or pop). MPMC counts slots
   * claimed by producers and not yet published (a `reserve()` not yet committed); SPSC counts
   * published items only (its producer's claim is private until `commit()`).
   */
  size(): number {
    return this.#ring.size();
  }

  /** Whether the channel holds no item (approximate while others push or pop). */
  empty(): boolean {
    return this.#ring.size() === 0;
  }

  /** Whether the channel is full (approximate while others push or pop). */
  full(): boolean {
    return this.#ring.size() === this.#ring.capacity;
  }

  /**
   * Closes the channel: from now on pushes throw {@link ChannelClosedError} (also those waiting
   * for room, which wake), and consumers drain what is left, then see the end (a pop gives
   * `undefined`, iteration stops). Any thread may close; closing again does nothing.
   */
  close(): void {
    const a = this.#a;
    // First the tail's mark: from here no push can publish (SPSC) or claim (MPMC), so a consumer
    // that sees the mark and nothing left has seen every item a push accepted (positions.ts).
    this.#ring.markClosed();
    if (Atomics.exchange(a, W.closed, 1) !== 0) return;
    wakeWaiters(a, W.consumersWaiting, W.notEmpty, Infinity);
    wakeWaiters(a, W.producersWaiting, W.notFull, Infinity);
  }

  // ---- non-blocking: never wait ---------------------------------------------------------------

  /**
   * Copies `value` in if there is room now; returns whether it did. Never waits; for numeric
   * elements it allocates nothing.
   */
  tryPush(value: Input<S>): boolean {
    this.#checkNotLent('tryPush');
    const direct = this.#direct(value);
    if (!direct) this.#stageOpen(value, 'tryPush');
    const i = this.#ring.claimWrite();
    if (i < 0) {
      if (direct) this.#checkValue(value, 'tryPush');
      return this.#noRoom('tryPush', false);
    }
    this.#fill(i, value, direct, 'tryPush');
    return true;
  }

  /**
   * Copies out and removes the oldest item if there is one now; `undefined` otherwise (see
   * {@link done} for the end). Never waits; for numeric elements it allocates nothing.
   */
  tryPop(): Infer<S> | undefined {
    return this.#popNow('tryPop');
  }

  /**
   * Lends the next free slot as a live view if there is one now (`null` otherwise): write it in
   * place, then {@link commit}. The view is the same object every time (nothing is allocated);
   * after `commit()` it no longer reaches the slot (any access throws a `RangeError`).
   */
  tryReserve(): ViewOf<S> | null {
    // Closed: the claim fails on the tail's mark, and #noRoom says closed. Written out (no helper
    // calls) for the inlining budget (see #checkNotReserved).
    const i = this.#reserved === -1 ? this.#ring.claimWrite() : -2;
    if (i < 0) return this.#noReservation(i, 'tryReserve');
    this.#reserved = i;
    return this.#slots.lendWrite(i) as unknown as ViewOf<S>;
  }

  /**
   * Lends the oldest item as a live view if there is one now (`null` otherwise): read it in
   * place, then {@link release}. The view is the same object every time.
   */
  tryFront(): ViewOf<S> | null {
    if (this.#fronted !== -1) this.#alreadyLent('tryFront', false);
    const i = this.#ring.claimRead();
    if (i < 0) return null;
    this.#fronted = i;
    return this.#slots.lendRead(i) as unknown as ViewOf<S>;
  }

  /**
   * Copies in as many of `items[offset … offset + count)` as fit now; returns how many. `items`
   * is an array of values, a typed array (numeric elements), or an array view of the element
   * schema (copied as bytes). Never waits; with a typed array of the element type it allocates
   * nothing. An item that cannot be converted throws its error, with `pushed`: how many went in
   * before it (as {@link pushMany}).
   */
  tryPushMany(items: BatchSource<S>, offset = 0, count?: number): number {
    this.#checkPushing('tryPushMany');
    const n = this.#span('tryPushMany', items, offset, count);
    const done = this.#pushRuns(items as ArrayLike<unknown>, offset, n, 'tryPushMany', offset);
    return done === 0 && n > 0 ? this.#noRoom('tryPushMany', 0) : done;
  }

  /**
   * Copies out and removes up to `count` items that are there now into `into[offset …]`; returns
   * how many. `into` is an array, a typed array (numeric elements) or an array view of the element
   * schema. Never waits; with a typed array it allocates nothing.
   */
  tryPopMany(into: BatchTarget<S>, offset = 0, count?: number): number {
    this.#checkPopping('tryPopMany');
    const n = this.#span('tryPopMany', into, offset, count);
    this.#checkTarget('tryPopMany', into);
    return this.#popRuns(into as ArrayLike<unknown>, offset, n);
  }

  // ---- blocking: wait up to `timeout` ms (-1: for ever) ----------------------------------

  /**
   * Copies `value` in, waiting up to `timeout` ms (-1: for ever) for room. Returns false if
   * the time ran out; throws {@link ChannelClosedError} if the channel is (or gets) closed.
   */
  push(value: Input<S>, timeout = -1): boolean {
    this.#checkNotLent('push');
    checkTimeout(timeout);
    const direct = this.#direct(value);
    if (!direct) this.#stageOpen(value, 'push');
    let i = this.#ring.claimWrite();
    if (i < 0) {
      if (direct) this.#checkValue(value, 'push');
      i = this.#claimWriteWaiting(deadlineOf(timeout), 'push');
      if (i < 0) return false;
    }
    this.#fill(i, value, direct, 'push');
    return true;
  }

  /**
   * Copies out and removes the oldest item, waiting up to `timeout` ms (-1: for ever) for
   * one. `undefined` when the channel is closed and drained ({@link done} is then true), or when
   * the time ran out.
   */
  pop(timeout = -1): Infer<S> | undefined {
    this.#checkPopping('pop');
    checkTimeout(timeout);
    const i = this.#ring.claimRead();
    if (i >= 0) return this.#popAt(i);
    const j = this.#claimReadWaiting(deadlineOf(timeout), 'pop');
    return j < 0 ? undefined : this.#popAt(j);
  }

  /**
   * Lends the next free slot as a live view, waiting up to `timeout` ms for one (`null` if the
   * time ran out); then {@link commit}. Throws {@link ChannelClosedError} if the channel is closed.
   * In an MPMC channel the slot is taken from the moment it is lent: commit it even if you have
   * nothing to say (consumers wait for it).
   */
  reserve(timeout = -1): ViewOf<S> | null {
    // A free slot is claimed at once (closed: the claim fails on the tail's mark, and
    // #claimWriteWaiting checks closed first); written out for the inlining budget (#checkNotReserved).
    if (this.#reserved !== -1) this.#alreadyLent('reserve', true);
    checkTimeout(timeout);
    let i = this.#ring.claimWrite();
    if (i < 0) {
      i = this.#claimWriteWaiting(deadlineOf(timeout), 'reserve');
      if (i < 0) return null;
    }
    this.#reserved = i;
    return this.#slots.lendWrite(i) as unknown as ViewOf<S>;
  }

  /**
   * Lends the oldest item as a live view, waiting up to `timeout` ms for one; `null` when closed
   * and drained or when the time ran out. Then {@link release}.
   */
  front(timeout = -1): ViewOf<S> | null {
    if (this.#fronted !== -1) this.#alreadyLent('front', false);
    checkTimeout(timeout);
    let i = this.#ring.claimRead();
    if (i < 0) {
      i = this.#claimReadWaiting(deadlineOf(timeout), 'front');
      if (i < 0) return null;
    }
    this.#fronted = i;
    return this.#slots.lendRead(i) as unknown as ViewOf<S>;
  }

  /**
   * Publishes the slot lent by `reserve()`: consumers can now pop it. In an SPSC channel closed
   * since the `reserve()`, throws {@link ChannelClosedError} instead, and the item is not in the
   * channel (the publish is where SPSC decides; MPMC decided at the reserve, so it publishes).
   */
  commit(): void {
    if (this.#reserved < 0 || this.#counts) this.#commitChecks();
    this.#reserved = -1;
    this.#slots.parkWrite();
    if (!this.#ring.commitWrite()) this.#commitClosed();
  }

  /** Frees the slot lent by `front()`: the item is consumed. */
  release(): void {
    if (this.#fronted < 0) this.#nothingLent('release');
    this.#fronted = -1;
    this.#slots.parkRead();
    this.#ring.commitRead();
  }

  /**
   * Copies in all of `items` in order, waiting for room as needed, up to `timeout` ms in all.
   * Returns how many went in (fewer only if the time ran out); throws {@link ChannelClosedError}
   * if the channel is (or gets) closed, and an item's own error (a `TypeError`) for an item that
   * cannot be converted. Items are published as they go in: an error thrown part-way has a
   * `pushed` property, how many of `items` are in the channel (those before it).
   */
  pushMany(items: BatchSource<S>, timeout = -1): number {
    this.#checkPushing('pushMany');
    const total = this.#span('pushMany', items, 0, undefined);
    const deadline = deadlineOf(timeout);
    let done = 0;
    try {
      while (done < total) {
        this.#checkPushing('pushMany');
        const n = this.#pushRuns(items as ArrayLike<unknown>, done, total - done, 'pushMany', 0);
        if (n > 0) done += n;
        else if (this.#ring.marked()) this.#closedError('pushMany');
        else if (!pause(this.#ring, false, deadline, `${this.#label}.pushMany`)) break;
      }
    } catch (e) {
      throw counted(e) ? e : withPushed(e, done);
    }
    return done;
  }

  /**
   * Waits up to `timeout` ms for at least one item, then copies out and removes as many as are
   * there, up to `into.length`, into `into` from index 0. Returns how many: 0 when the channel is
   * closed and drained ({@link done}) or the time ran out. A target of length 0 is a `RangeError`
   * (it could only return 0).
   */
  popMany(into: BatchTarget<S>, timeout = -1): number {
    this.#checkPopping('popMany');
    const total = this.#span('popMany', into, 0, undefined);
    this.#checkTarget('popMany', into);
    if (total === 0) this.#noTargetRoom('popMany');
    const deadline = deadlineOf(timeout);
    for (;;) {
      const n = this.#popRuns(into as ArrayLike<unknown>, 0, total);
      if (n > 0) return n;
      if (this.done || !pause(this.#ring, true, deadline, `${this.#label}.popMany`)) return 0;
    }
  }

  /**
   * Waits up to `timeout` ms (0: just look) until an item is ready or the channel is closed and
   * drained, without taking anything; returns whether a pop would now return at once (Python's
   * `Connection.poll`). With several consumers, another may take the item first.
   */
  poll(timeout = 0): boolean {
    const ring = this.#ring;
    const deadline = deadlineOf(timeout);
    for (;;) {
      if (ring.readable() || this.done) return true;
      if (!pause(ring, true, deadline, `${this.#label}.poll`)) return false;
    }
  }

  // ---- async: never block the thread -----------------------------------------------------------

  /**
   * {@link push} without blocking the thread: resolves to false if `timeout` ms passed first.
   * When there is room now, the value is in the channel before this returns (no await: an
   * `async` method would cost two promises and three microtask turns per item).
   */
  pushAsync(value: Input<S>, timeout = -1): Promise<boolean> {
    try {
      this.#checkPushing('pushAsync');
      // Converted before waiting, whatever the mode: a bad value throws now, and the value cannot
      // change while this task waits (another task of this thread may push through this object).
      const direct = this.#slots.takesAsIs(value);
      if (!direct) this.#slots.stage(value);
      const deadline = deadlineOf(timeout);
      const i = this.#ring.claimWrite();
      if (i < 0) return this.#pushWaiting(value, direct, deadline);
      this.#fill(i, value, direct, 'pushAsync');
      return Promise.resolve(true);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #pushWaiting(value: unknown, direct: boolean, deadline: number): Promise<boolean> {
    const fill = (i: number): boolean => {
      this.#fill(i, value, direct, 'pushAsync');
      return true;
    };
    if (direct) return this.#whenWritable(deadline, 'pushAsync', false, fill);
    // The value as converted at the call (changes the caller makes while this waits do not go in),
    // staged again before each claim: another task may have staged its own value meanwhile.
    const bytes = this.#slots.stagedCopy();
    return this.#whenWritable(deadline, 'pushAsync', false, fill, () => this.#slots.restage(bytes));
  }

  /** {@link pop} without blocking the thread. An item that is there now is taken before this returns. */
  popAsync(timeout = -1): Promise<Infer<S> | undefined> {
    try {
      this.#checkPopping('popAsync');
      const deadline = deadlineOf(timeout);
      const i = this.#ring.claimRead();
      return i < 0 ? this.#popWaiting(deadline, 'popAsync') : Promise.resolve(this.#popAt(i));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #popWaiting(deadline: number, what: string): Promise<Infer<S> | undefined> {
    return this.#whenReadable(deadline, what, undefined, (i) => this.#popAt(i));
  }

  /** {@link reserve} without blocking the thread. A slot that is free now is lent before this returns. */
  reserveAsync(timeout = -1): Promise<ViewOf<S> | null> {
    try {
      this.#checkOpen('reserveAsync');
      this.#checkNotReserved('reserveAsync');
      const deadline = deadlineOf(timeout);
      const i = this.#ring.claimWrite();
      return i < 0 ? this.#reserveWaiting(deadline) : Promise.resolve(this.#lendWrite(i));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async #reserveWaiting(deadline: number): Promise<ViewOf<S> | null> {
    this.#reserved = -2; // taken while waiting, so that a second reserve of this object is refused
    try {
      return await this.#whenWritable(deadline, 'reserveAsync', null, (i) => this.#lendWrite(i));
    } finally {
      if (this.#reserved === -2) this.#reserved = -1; // nothing lent
    }
  }

  /** {@link front} without blocking the thread. An item that is there now is lent before this returns. */
  frontAsync(timeout = -1): Promise<ViewOf<S> | null> {
    try {
      this.#checkNotFronted('frontAsync');
      const deadline = deadlineOf(timeout);
      const i = this.#ring.claimRead();
      return i < 0 ? this.#frontWaiting(deadline) : Promise.resolve(this.#lendRead(i));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async #frontWaiting(deadline: number): Promise<ViewOf<S> | null> {
    this.#fronted = -2;
    try {
      return await this.#whenReadable(deadline, 'frontAsync', null, (i) => this.#lendRead(i));
    } finally {
      if (this.#fronted === -2) this.#fronted = -1; // nothing lent
    }
  }

  /** {@link pushMany} without blocking the thread. */
  async pushManyAsync(items: BatchSource<S>, timeout = -1): Promise<number> {
    this.#checkPushing('pushManyAsync');
    const total = this.#span('pushManyAsync', items, 0, undefined);
    const deadline = deadlineOf(timeout);
    let done = 0;
    try {
      while (done < total) {
        this.#checkPushing('pushManyAsync');
        const n = this.#pushRuns(items as ArrayLike<unknown>, done, total - done, 'pushManyAsync', 0);
        if (n > 0) done += n;
        else if (this.#ring.marked()) this.#closedError('pushManyAsync');
        else if (!(await pauseAsync(this.#ring, false, deadline))) break;
      }
    } catch (e) {
      throw counted(e) ? e : withPushed(e, done);
    }
    return done;
  }

  /** {@link poll} without blocking the thread. */
  async pollAsync(timeout = 0): Promise<boolean> {
    const ring = this.#ring;
    const deadline = deadlineOf(timeout);
    for (;;) {
      if (ring.readable() || this.done) return true;
      if (!(await pauseAsync(ring, true, deadline))) return false;
    }
  }

  /** {@link popMany} without blocking the thread. */
  async popManyAsync(into: BatchTarget<S>, timeout = -1): Promise<number> {
    this.#checkPopping('popManyAsync');
    const total = this.#span('popManyAsync', into, 0, undefined);
    this.#checkTarget('popManyAsync', into);
    if (total === 0) this.#noTargetRoom('popManyAsync');
    const deadline = deadlineOf(timeout);
    for (;;) {
      this.#checkPopping('popManyAsync');
      const n = this.#popRuns(into as ArrayLike<unknown>, 0, total);
      if (n > 0) return n;
      if (this.done || !(await pauseAsync(this.#ring, true, deadline))) return 0;
    }
  }

  // ---- iteration -------------------------------------------------------------------------------

  /**
   * Pops items (copies) until the channel is closed and drained, blocking while it is empty: for
   * worker threads. Leaving the loop early leaves the remaining items in the channel.
   */
  *[Symbol.iterator](): Generator<Infer<S>, undefined, undefined> {
    for (;;) {
      const i = this.#claimReadWaiting(Infinity, 'iterator');
      if (i < 0) return undefined;
      yield this.#popAt(i) as Infer<S>;
    }
  }

  /**
   * Pops items (copies) until the channel is closed and drained, without blocking the thread.
   * Leaving the loop early leaves the remaining items in the channel.
   */
  [Symbol.asyncIterator](): AsyncGenerator<Infer<S>, undefined, undefined> {
    return new AsyncItems(this, Channel.#items as ItemSource<Channel<S>, Infer<S>>);
  }

  /** What every channel's async iterator reads through (one object for all: see `ItemSource`). */
  static readonly #items: ItemSource<Channel, unknown> = {
    now: (c) => c.#popNow('asyncIterator'),
    later: (c) => c.#popWaiting(Infinity, 'asyncIterator'),
  };

  // ---- internals -------------------------------------------------------------------------------

  /**
   * Whether `value` goes straight into its slot once claimed. SPSC: always (nothing is published
   * until the copy is done, so a value that throws leaves nothing behind). MPMC: numbers into
   * numeric elements only; other values are converted first (`Slots.stage`), because a claimed
   * MPMC slot can only be published: a value that throws must do so before a slot is taken.
   */
  #direct(value: unknown): boolean {
    return !this.#stageFirst || this.#slots.takesAsIs(value);
  }

  /**
   * Before a push of a value written straight into its slot (SPSC) waits for room, or a try… form
   * says there is none: converts it once into the staging element, so that a value that cannot go
   * in throws now (a `TypeError`), not after a wait that may never end, and not as "no room". A
   * number into a numeric element cannot fail and is not converted.
   */
  #checkValue(value: unknown, what: string): void {
    if (!this.#slots.takesAsIs(value)) this.#stageOpen(value, what);
  }

  /** Writes claimed slot `i` (from `value`, or from the staged copy) and publishes it; throws closed if a close came first. */
  #fill(i: number, value: unknown, direct: boolean, what: string): void {
    if (direct) this.#slots.write(i, value);
    else this.#slots.putStaged(i);
    if (this.#counts) this.#countTask();
    if (!this.#ring.commitWrite()) this.#publishClosed(what, 1);
  }

  /** A JoinableQueue's push: one more unfinished task (before the item is published). */
  #countTask(): void {
    Atomics.add(this.#a, W.unfinished, 1);
  }

  /** A JoinableQueue's push whose `n` items were not published after all: takes them off the count (waking joiners at 0). */
  #uncount(n: number): void {
    if (Atomics.sub(this.#a, W.unfinished, n) === n) wake(this.#a, W.unfinished);
  }

  /**
   * A publish that failed because the channel was closed between the claim and the publish (the
   * tail's mark, positions.ts): nothing was published, so the push fails as a push after the close.
   */
  #publishClosed(what: string, n: number): never {
    if (this.#counts) this.#uncount(n);
    return this.#closedError(what);
  }

  /** A copying pop that never waits: the item, or `undefined` if none is there now. */
  #popNow(what: string): Infer<S> | undefined {
    this.#checkPopping(what);
    const i = this.#ring.claimRead();
    return i < 0 ? undefined : this.#popAt(i);
  }

  #popAt(i: number): Infer<S> {
    const slots = this.#slots;
    if (this.#stageFirst && slots.typedKind === 0) {
      slots.takeStaged(i);
      this.#ring.commitRead();
      return slots.plainStaged() as Infer<S>;
    }
    const v = slots.read(i);
    this.#ring.commitRead();
    return v as Infer<S>;
  }

  /**
   * Copies up to `n` of `items[from …]` in, run by run, as many as fit now; returns how many. An
   * error part-way (an item that cannot be converted, a close) leaves the items before it
   * published (unless the channel was closed meanwhile: then none of that run was, as SPSC
   * publishes a run at once, and the item's error still goes to the caller) and gets `pushed`:
   * how many of the call's items from `start` are in the channel.
   * When there is no room for the next item, it is converted first (SPSC writes items straight
   * into their slots), so that a bad one throws now rather than after a wait.
   */
  #pushRuns(items: ArrayLike<unknown>, from: number, n: number, what: string, start: number): number {
    const ring = this.#ring;
    const slots = this.#slots;
    const kind = slots.batchKind(items);
    let done = 0;
    try {
      while (done < n) {
        if (kind === BATCH_VALUES && this.#stageFirst) {
          // MPMC, values to convert: one at a time, converted before its slot is claimed.
          slots.stage(slotValue(items, from + done));
          const j = ring.claimWrite();
          if (j < 0) break;
          slots.putStaged(j);
          if (this.#counts) this.#countTask();
          if (!ring.commitWrite()) this.#publishClosed(what, 1);
          done++;
          continue;
        }
        const k = ring.claimWriteRun(n - done);
        if (k === 0) {
          if (kind === BATCH_VALUES) this.#checkValue(slotValue(items, from + done), what);
          break;
        }
        const at = ring.runIndex;
        if (kind !== BATCH_VALUES) slots.writeRun(items, from + done, at, k, kind);
        else {
          let w = 0;
          try {
            for (; w < k; w++) slots.write(at + w, slotValue(items, from + done + w));
          } catch (e) {
            // SPSC publishes nothing until the commit: the items written before the bad one still go in.
            if (w > 0) {
              if (this.#counts) Atomics.add(this.#a, W.unfinished, w);
              if (ring.commitWriteRun(w)) done += w;
              else if (this.#counts) this.#uncount(w); // closed meanwhile: nothing published; the value's own error goes on
            }
            throw e;
          }
        }
        if (this.#counts) Atomics.add(this.#a, W.unfinished, k);
        if (!ring.commitWriteRun(k)) this.#publishClosed(what, k);
        done += k;
        // A run that stopped before the end of the ring found no more room: looking again now would
        // only read the other side's position once more.
        if (at + k < ring.capacity) break;
      }
    } catch (e) {
      throw withPushed(e, from + done - start);
    }
    return done;
  }

  /** Copies up to `n` items out into `into[to …]`, run by run, as many as are there now. */
  #popRuns(into: ArrayLike<unknown>, to: number, n: number): number {
    const ring = this.#ring;
    const kind = this.#slots.batchKind(into);
    let done = 0;
    while (done < n) {
      const k = ring.claimReadRun(n - done);
      if (k === 0) break;
      const at = ring.runIndex;
      this.#slots.readRun(into, to + done, at, k, kind);
      ring.commitReadRun(k);
      done += k;
      if (at + k < ring.capacity) break; // no more items now (as above)
    }
    return done;
  }

  #claimWriteWaiting(deadline: number, what: string): number {
    const ring = this.#ring;
    for (;;) {
      this.#checkPushing(what);
      const i = ring.claimWrite();
      if (i >= 0) return i;
      if (ring.marked()) this.#closedError(what);
      if (!pause(ring, false, deadline, `${this.#label}.${what}`)) return TIMED_OUT;
    }
  }

  #claimReadWaiting(deadline: number, what: string): number {
    const ring = this.#ring;
    for (;;) {
      this.#checkPopping(what);
      const i = ring.claimRead();
      if (i >= 0) return i;
      if (ring.ended()) return ENDED;
      const fix = what === 'iterator' ? `iterate with for await (… of the channel), or use ${this.#label}.tryPop()` : undefined;
      if (!pause(ring, true, deadline, `${this.#label}.${what}`, fix)) return TIMED_OUT;
    }
  }

  /**
   * Waits without blocking until a slot can be claimed, then claims it and calls `use` with it in
   * the same turn: the ring remembers one claimed position per object until its commit, so nothing
   * else of this thread may run between the claim and what `use` does with it (other tasks may be
   * waiting through this object too). `none` if the deadline passed first; `stage` runs before each
   * claim (a value converted for MPMC, as another task may have staged its own meanwhile).
   */
  async #whenWritable<T, N>(deadline: number, what: string, none: N, use: (i: number) => T, stage?: () => void): Promise<T | N> {
    const ring = this.#ring;
    for (;;) {
      this.#checkPushing(what);
      if (stage !== undefined) stage();
      const i = ring.claimWrite();
      if (i >= 0) return use(i);
      if (ring.marked()) this.#closedError(what);
      if (!(await pauseAsync(ring, false, deadline))) return none;
    }
  }

  /** {@link #whenWritable} for reading: `none` also once the channel is closed and drained. */
  async #whenReadable<T, N>(deadline: number, what: string, none: N, use: (i: number) => T): Promise<T | N> {
    const ring = this.#ring;
    for (;;) {
      this.#checkPopping(what);
      const i = ring.claimRead();
      if (i >= 0) return use(i);
      if (ring.ended()) return none;
      if (!(await pauseAsync(ring, true, deadline))) return none;
    }
  }

  #lendWrite(i: number): ViewOf<S> {
    this.#reserved = i;
    return this.#slots.lendWrite(i) as unknown as ViewOf<S>;
  }

  #lendRead(i: number): ViewOf<S> {
    this.#fronted = i;
    return this.#slots.lendRead(i) as unknown as ViewOf<S>;
  }

  #checkOpen(what: string): void {
    if (Atomics.load(this.#a, CLOSED) !== 0) this.#closedError(what);
  }

  /** A tryReserve that got no slot: `i` −2 if one is already reserved through this object, −1 if there was no room (or closed). */
  #noReservation(i: number, what: string): null {
    if (i === -2) this.#alreadyLent(what, true);
    return this.#noRoom(what, null);
  }

  /** A try… form that found no room: `none`, unless the tail has the closed mark (then closed, see `Ring.marked`). */
  #noRoom<T>(what: string, none: T): T {
    if (this.#ring.marked()) this.#closedError(what);
    return none;
  }

  // Out of line, so that the checks of the hot paths stay small enough to inline.
  #closedError(what: string): never {
    throw new ChannelClosedError(`${this.#label}.${what}(): the channel is closed`);
  }

  /**
   * Before a copying push: the channel is open, and no slot reserved through this object waits for
   * its commit (the push would claim the same slot in SPSC, or overwrite the claimed position that
   * `commit()` publishes in MPMC: an item lost, or a slot never published).
   */
  #checkPushing(what: string): void {
    if (Atomics.load(this.#a, CLOSED) !== 0) this.#closedError(what);
    if (this.#reserved >= 0) this.#lentError(what, true);
  }

  /**
   * {@link #checkPushing} without reading `closed`, for `push` and `tryPush` of a value written
   * straight into the slot (a number or bigint): their claim fails on the tail's closed mark, which
   * close() sets before the `closed` word, and the failed claim throws closed (`Ring.marked`). One
   * load less per push (about 6 ns on Node 20, where `Atomics.load` is a call).
   */
  #checkNotLent(what: string): void {
    if (this.#reserved >= 0) this.#checkPushing(what); // closed first, as everywhere
  }

  /** Before converting a value that is not written straight into the slot: the channel is open (a closed one throws closed, not a conversion error). */
  #stageOpen(value: unknown, what: string): void {
    this.#checkOpen(what);
    this.#slots.stage(value);
  }

  /** Before a copying pop: no item lent through this object waits for its release (the pop would take the same item again in SPSC). */
  #checkPopping(what: string): void {
    if (this.#fronted >= 0) this.#lentError(what, false);
  }

  /** A blocking batch pop into a target of length 0: it could only return 0, which means closed and drained, or timed out. */
  #noTargetRoom(what: string): never {
    throw rangeError(
      'out_of_range',
      `${this.#label}.${what}`,
      'the target has length 0: it would return 0 at once, which means closed and drained or timed out',
      'pass an array, typed array or array view with room for at least one item',
    );
  }

  #lentError(what: string, write: boolean): never {
    throw new SyncError(
      write
        ? `${this.#label}.${what}(): a slot reserved through this object is not committed; commit() it first`
        : `${this.#label}.${what}(): an item lent through this object is not released; release() it first`,
      'slot_state',
    );
  }

  // The zero-copy forms test their state once each and keep their errors out of line: what a
  // reserve and a commit inline into the caller's loop shares the engine's inlining budget with the
  // element's accessors written in between (V8: 920 bytes of bytecode in all; a generated setter
  // is about 60), and accessors past the budget stay calls, about 12 ns each. An SPSC reserve and
  // commit now take about 480 bytes of the bundle (were about 730): seven of Particle's eight
  // setters (58 bytes each) inline on Node 20, where two did (test/channels/inlining.test.ts).

  /** Before a reserve: closed (first, as everywhere), or a slot already reserved through this object. */
  #checkNotReserved(what: string): void {
    if (this.#reserved !== -1) this.#alreadyLent(what, true);
  }

  #checkNotFronted(what: string): void {
    if (this.#fronted !== -1) this.#alreadyLent(what, false);
  }

  #alreadyLent(what: string, write: boolean): never {
    if (write) this.#checkOpen(what);
    throw new SyncError(
      write
        ? `${this.#label}.${what}(): a slot is already reserved through this object; commit() it first`
        : `${this.#label}.${what}(): an item is already lent through this object; release() it first`,
      'slot_state',
    );
  }

  /** What a commit does besides publishing, out of line: refuses one with no slot reserved, counts a JoinableQueue's task (before the item is published). */
  #commitChecks(): void {
    if (this.#reserved < 0) this.#nothingLent('commit');
    if (this.#counts) this.#countTask();
  }

  /** A commit whose publish found the channel closed (SPSC: see {@link commit}). */
  #commitClosed(): never {
    return this.#publishClosed('commit', 1);
  }

  #nothingLent(what: 'commit' | 'release'): never {
    throw new SyncError(
      what === 'commit'
        ? `${this.#label}.commit(): no slot is reserved (call reserve() first)`
        : `${this.#label}.release(): no item is lent (call front() first)`,
      'slot_state',
    );
  }

  /** Refuses a batch target that could not store the items a pop would take (see `Slots.unfitTarget`). */
  #checkTarget(what: string, into: unknown): void {
    const why = this.#slots.unfitTarget(into);
    if (why !== undefined) throw typeError('invalid_argument', `${this.#label}.${what}()`, why);
  }

  /** The number of items from `offset` that a batch takes (`count`, or the rest of `a`), checked. */
  #span(what: string, a: unknown, offset: number, count: number | undefined): number {
    const length = (a as { length?: unknown } | null)?.length;
    if (a === null || typeof a !== 'object' || typeof length !== 'number') {
      throw typeError('invalid_argument', `${this.#label}.${what}()`, 'takes an array, a typed array or an array view');
    }
    // The messages are built only when thrown: this runs on every batch call (the AudioWorklet path allocates nothing).
    if (!Number.isInteger(offset)) this.#spanError(what, `offset ${shown(offset)} is not a whole number`);
    if (offset < 0 || offset > length) this.#spanError(what, `offset ${offset} is outside 0 … ${length}`);
    const n = count === undefined ? length - offset : count;
    if (!Number.isInteger(n) || n < 0) this.#spanError(what, `count ${shown(count)} is not a whole number ≥ 0`);
    if (offset + n > length) this.#spanError(what, `count ${n} from offset ${offset} goes past the end (length ${length})`);
    return n;
  }

  #spanError(what: string, problem: string): never {
    throw rangeError('out_of_bounds', `${this.#label}.${what}()`, problem);
  }
}

/**
 * An error thrown part-way through a batch push (`pushMany`, `pushManyAsync`, `tryPushMany`): an
 * item that cannot be converted, or the channel closed. Items are published as they go in, so
 * those before the error are in the channel; `pushed` says how many.
 *
 * @example
 * ```ts
 * import { type BatchPushError, Channel, u32 } from 'sharedctypes';
 * const ch = new Channel(u32, 8);
 * const items: unknown[] = [1, 2, 'three', 4];
 * try {
 *   ch.pushMany(items as number[]);
 * } catch (e) {
 *   (e as BatchPushError).pushed; // 2: items[0] and items[1] are in the channel
 * }
 * ```
 */
export interface BatchPushError extends Error {
  /** How many of the call's items went into the channel before the error (in order, from its first). */
  pushed: number;
}

/** `e` (an error thrown part-way through a batch push) with `pushed` = `n`; other thrown values as they are. */
function withPushed(e: unknown, n: number): unknown {
  if (e instanceof Error) (e as BatchPushError).pushed = n;
  return e;
}

/** Whether a batch push's own runs already counted what went in before `e` (see `#pushRuns`). */
function counted(e: unknown): boolean {
  return e instanceof Error && typeof (e as Partial<BatchPushError>).pushed === 'number';
}

/** The options a channel takes (a misspelt or foreign one is refused rather than ignored). */
const CHANNEL_OPTIONS = ['memory', 'byteOffset', 'mode', 'checked'] as const;

/** Item `k` of a batch: an element of an array or typed array, or of an array view. */
function slotValue(items: ArrayLike<unknown>, k: number): unknown {
  const get = (items as { get?: unknown }).get;
  return typeof get === 'function' && (items as { $$layout?: unknown }).$$layout !== undefined ? (get as (i: number) => unknown).call(items, k) : items[k];
}

/** Typed arrays that batches of numeric elements copy from or into (for numbers, or bigints for 64-bit integers). */
type NumericArray<S> =
  Infer<S> extends number
    ? Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Uint8ClampedArray
    : Infer<S> extends bigint
      ? BigInt64Array | BigUint64Array
      : never;

/**
 * What batch pushes copy from: an array of values, a typed array (numeric elements), or an array
 * view of the element schema (copied as bytes).
 */
export type BatchSource<S extends SchemaLike> = ArrayLike<Input<S>> | NumericArray<S> | ArrayView<ResolveSchema<S>>;

/** What batch pops copy into: an array, a typed array (numeric elements), or an array view of the element schema. */
export type BatchTarget<S extends SchemaLike> = Infer<S>[] | NumericArray<S> | ArrayView<ResolveSchema<S>>;

showState(Channel, (c) => ({ mode: c.mode, capacity: c.capacity, size: c.size(), closed: c.closed }));
