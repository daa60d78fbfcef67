/**
 * Python's names over channels: `Queue` (multiprocessing.Queue / queue.Queue: put, get,
 * put_nowait, get_nowait, qsize, empty, full, close) and `JoinableQueue` (task_done, join).
 * Both are MPMC channels, so the TypeScript names (push, pop, reserve, …) work on them too.
 *
 * @module
 */
import { ChannelClosedError, QueueEmpty, QueueFull, rangeError } from '../errors.js';
import { keepShape } from '../shapes.js';
import { canBlock, deadlineOf, remaining, wait, waitAsync, wake } from '../sync/futex.js';
import type { Infer, Input } from '../types/infer.js';
import type { SchemaLike } from '../types/schema.js';
import { checkOptions } from '../options.js';
import { Channel, type ChannelPlaceOptions, checkCapacity, JOINABLE } from './channel.js';
import { W } from './format.js';
import { triedOnce } from './waiting.js';

/** Options of a {@link Queue}: checked stores, and where to place it (a `SharedMemory` segment, for other processes). */
export interface QueueOptions extends ChannelPlaceOptions {
  /** Checked stores when copying values in (see `ChannelOptions.checked`). @defaultValue false */
  readonly checked?: boolean;
}

/** The options a queue takes (no `mode`: a queue is MPMC). */
const QUEUE_OPTIONS = ['memory', 'byteOffset', 'checked'] as const;

/** The small Queue that src/shapes.ts keeps alive (made when the library makes its first). */
const smallQueue = (): Queue => new Queue('d', 1);

/**
 * Python's `multiprocessing.Queue` for typed elements: an MPMC {@link Channel} with Python's
 * method names. Timeouts are in milliseconds (as everywhere in this library), and `close()` has
 * Python 3.13's `shutdown()` meaning: `put` raises at once, `get` drains what is left, then
 * raises `ChannelClosedError` (Python's `queue.ShutDown`).
 *
 * @example
 * ```ts
 * import { Queue, struct, u32, f32 } from 'sharedctypes';
 * const Job = struct({ id: u32, weight: f32 });
 * const q = new Queue(Job, 100);        // multiprocessing.Queue(maxsize=100)
 * q.put({ id: 1, weight: 0.5 });
 * q.qsize();                            // 1
 * q.get();                              // { id: 1, weight: 0.5 }
 * q.empty();                            // true: get_nowait() would raise QueueEmpty
 * ```
 */
export class Queue<S extends SchemaLike = SchemaLike> extends Channel<S> {
  /** How many bytes a queue of `maxsize` elements of `schema` occupies (an MPMC channel's: {@link Channel.byteLength}). */
  static override byteLength(schema: SchemaLike, maxsize: number): number {
    return Channel.byteLength(schema, maxsize, { mode: 'mpmc' });
  }

  /**
   * A new queue of at most `maxsize` elements of `schema` (Python's `maxsize`, but ≥ 1: the queue
   * lives in a fixed buffer), in a SharedArrayBuffer of its own or at `{ memory, byteOffset }`.
   */
  constructor(schema: S, maxsize: number, options: QueueOptions = {}) {
    // A queue is MPMC: a `mode` (or any other key) here is refused, not overridden.
    checkOptions(new.target.name, options, QUEUE_OPTIONS);
    super(schema, checkCapacity(new.target.name, maxsize, 'maxsize'), { ...options, mode: 'mpmc' });
    if (new.target === Queue) keepShape(Queue, smallQueue);
  }

  /**
   * Puts `item` in, waiting up to `timeout` ms for room when `block` (for ever without a timeout).
   * Raises {@link QueueFull} when there is no room (at once when not `block`), and
   * {@link ChannelClosedError} once the queue is closed.
   */
  put(item: Input<S>, block = true, timeout?: number): void {
    this.#checkOpen('put');
    const ok = !block
      ? this.tryPush(item)
      : canBlock()
        ? this.push(item, timeout ?? -1)
        : triedOnce(
            () => this.tryPush(item),
            () => false,
            timeout ?? -1,
            `${this.constructor.name}.put`,
            'put_nowait()',
          );
    if (!ok) throw new QueueFull(`${this.constructor.name}.put(): the queue is full${block ? ` (waited ${String(timeout)} ms)` : ''}`);
  }

  /**
   * Removes and returns the oldest item, waiting up to `timeout` ms for one when `block` (for ever
   * without a timeout). Raises {@link QueueEmpty} when there is none (at once when not `block`),
   * and {@link ChannelClosedError} once the queue is closed and drained.
   */
  get(block = true, timeout?: number): Infer<S> {
    const item = !block
      ? this.tryPop()
      : canBlock()
        ? this.pop(timeout ?? -1)
        : triedOnce(
            () => this.tryPop(),
            () => this.done,
            timeout ?? -1,
            `${this.constructor.name}.get`,
            'get_nowait()',
          );
    if (item === undefined) this.#nothing('get', block, timeout);
    return item;
  }

  /** `put(item, false)`. */
  put_nowait(item: Input<S>): void {
    this.put(item, false);
  }

  /** `get(false)`. */
  get_nowait(): Infer<S> {
    return this.get(false);
  }

  /** {@link put} without blocking the thread. */
  async putAsync(item: Input<S>, timeout?: number): Promise<void> {
    this.#checkOpen('putAsync');
    if (!(await this.pushAsync(item, timeout ?? -1)))
      throw new QueueFull(`${this.constructor.name}.putAsync(): the queue is full (waited ${String(timeout)} ms)`);
  }

  /** {@link get} without blocking the thread. */
  async getAsync(timeout?: number): Promise<Infer<S>> {
    const item = await this.popAsync(timeout ?? -1);
    if (item === undefined) this.#nothing('getAsync', true, timeout);
    return item;
  }

  /** Refuses a put on a closed queue in the words of the method called (the channel's own check would name `push`). */
  #checkOpen(what: string): void {
    if (this.closed) throw new ChannelClosedError(`${this.constructor.name}.${what}(): the queue is closed`);
  }

  /** How many items are in the queue (approximate while others put or get, as in Python). */
  qsize(): number {
    return this.size();
  }

  #nothing(what: string, block: boolean, timeout: number | undefined): never {
    if (this.done) throw new ChannelClosedError(`${this.constructor.name}.${what}(): the queue is closed and drained`);
    throw new QueueEmpty(`${this.constructor.name}.${what}(): the queue is empty${block ? ` (waited ${String(timeout)} ms)` : ''}`);
  }
}

/** The small JoinableQueue that src/shapes.ts keeps alive (made when the library makes its first). */
const smallJoinableQueue = (): JoinableQueue => new JoinableQueue('d', 1);

/**
 * Python's `multiprocessing.JoinableQueue`: a {@link Queue} that counts unfinished tasks. Every
 * item put in (by any method, in any thread) counts one; `task_done()` counts one finished;
 * `join()` waits until every item put has been marked done.
 *
 * @example
 * ```ts
 * import { JoinableQueue, u32 } from 'sharedctypes';
 * const q = new JoinableQueue(u32, 16);
 * q.put(1);
 * q.put(2);
 * // workers: const job = q.get(); …; q.task_done();
 * q.get();
 * q.task_done();
 * q.get();
 * q.task_done();
 * q.join(); // returns at once: both tasks are done
 * ```
 */
export class JoinableQueue<S extends SchemaLike = SchemaLike> extends Queue<S> {
  /** The channel's header words (from its first byte). */
  readonly #words = new Int32Array(this.buffer, this.byteOffset, W.stamps);

  constructor(schema: S, maxsize: number, options: QueueOptions = {}) {
    super(schema, maxsize, { ...options, [JOINABLE]: true } as QueueOptions);
    if (new.target === JoinableQueue) keepShape(JoinableQueue, smallJoinableQueue);
  }

  /** How many items were put and not yet marked done. */
  get unfinished(): number {
    return Atomics.load(this.#words, W.unfinished);
  }

  /**
   * Marks one item taken from the queue as processed. Calling it more often than items were put
   * is a `RangeError` (Python's `ValueError`).
   */
  task_done(): void {
    const a = this.#words;
    // A compare-and-swap from what is there: a count taken below zero and put back would let a
    // join() that read the −1 sleep on it, with no wake to come.
    for (let n = Atomics.load(a, W.unfinished); ; ) {
      if (n <= 0) throw rangeError('out_of_range', `${this.constructor.name}.task_done()`, 'called more times than items were put');
      const seen = Atomics.compareExchange(a, W.unfinished, n, n - 1);
      if (seen === n) {
        if (n === 1) wake(a, W.unfinished);
        return;
      }
      n = seen;
    }
  }

  /** TypeScript spelling of {@link task_done}. */
  taskDone(): void {
    this.task_done();
  }

  /** Waits up to `timeout` ms (-1: for ever) until every item put is marked done; returns whether it is. */
  join(timeout = -1): boolean {
    const a = this.#words;
    const deadline = deadlineOf(timeout);
    for (let left = Atomics.load(a, W.unfinished); left !== 0; left = Atomics.load(a, W.unfinished)) {
      if (remaining(deadline) <= 0) return false;
      wait(a, W.unfinished, left, deadline, `${this.constructor.name}.join`);
    }
    return true;
  }

  /** {@link join} without blocking the thread. */
  async joinAsync(timeout = -1): Promise<boolean> {
    const a = this.#words;
    const deadline = deadlineOf(timeout);
    for (let left = Atomics.load(a, W.unfinished); left !== 0; left = Atomics.load(a, W.unfinished)) {
      if (remaining(deadline) <= 0) return false;
      await waitAsync(a, W.unfinished, left, deadline);
    }
    return true;
  }
}
