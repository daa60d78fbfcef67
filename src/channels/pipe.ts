/**
 * Python's `multiprocessing.Pipe()`: two connected ends, each sending to the other over an SPSC
 * channel (one channel each way, or one in all when not duplex).
 *
 * @module
 */
import { ChannelClosedError, QueueEmpty, typeError } from '../errors.js';
import { showState } from '../sync/display.js';
import type { Infer, Input } from '../types/infer.js';
import type { SchemaLike } from '../types/schema.js';
import { keepShape } from '../shapes.js';
import { canBlock } from '../sync/futex.js';
import { checkBooleanOption, checkOptions } from '../options.js';
import { Channel, type ChannelPlaceOptions, checkCapacity } from './channel.js';
import { triedOnce } from './waiting.js';

/**
 * Options of {@link Pipe}. With `{ memory, byteOffset }` the pipe's channels are placed there, one
 * after the other (`Pipe.byteLength(schema, options)` bytes in all): in a `SharedMemory` segment,
 * another process attaches an end by handle (`share(end)`).
 */
export interface PipeOptions extends ChannelPlaceOptions {
  /** Both ends send and receive (`true`), or the first end only receives and the second only sends. @defaultValue true */
  readonly duplex?: boolean;
  /** How many items each direction buffers before `send` waits. @defaultValue 256 */
  readonly capacity?: number;
  /** Checked stores when copying values in (see `ChannelOptions.checked`). @defaultValue false */
  readonly checked?: boolean;
}

/** The small pipe whose two ends src/shapes.ts keeps alive (made when the library makes its first). */
const smallConnection = (): Connection[] => Pipe('d', { capacity: 1 });

/**
 * One end of a {@link Pipe}: Python's `multiprocessing.connection.Connection` for typed items.
 * `send` copies an item to the other end, `recv` takes the next one the other end sent, `poll`
 * tells whether `recv` would return at once. `close()` closes both directions: the other end
 * receives what was already sent, then `recv` raises `ChannelClosedError` (Python's `EOFError`),
 * and its `send` raises `ChannelClosedError` (Python's `BrokenPipeError`); the end closed is done
 * (its own calls raise `ChannelClosedError`, Python's `OSError`). One thread at a time may use an
 * end, as in Python.
 *
 * @example
 * ```ts
 * import { Pipe, f64 } from 'sharedctypes';
 * const [a, b] = Pipe(f64);
 * a.send(1.5);
 * b.poll();  // true
 * b.recv();  // 1.5
 * b.close();
 * ```
 */
export class Connection<S extends SchemaLike = SchemaLike> {
  readonly #in: Channel<S> | null;
  readonly #out: Channel<S> | null;
  /** Whether close() was called on this object: this end then neither sends nor receives (Python's "handle is closed"). */
  #closedHere = false;

  /** The end that receives from `incoming` and sends to `outgoing` (made by {@link Pipe} and by `attach`). */
  constructor(incoming: Channel<S> | null, outgoing: Channel<S> | null) {
    if (incoming === null && outgoing === null) throw typeError('invalid_argument', 'Connection', 'needs a channel to receive from or to send to');
    for (const c of [incoming, outgoing]) {
      if (c !== null && (!(c instanceof Channel) || c.mode !== 'spsc'))
        throw typeError('invalid_argument', 'Connection', 'takes SPSC channels (made by Pipe())');
    }
    this.#in = incoming;
    this.#out = outgoing;
    if (new.target === Connection) keepShape(Connection, smallConnection);
  }

  /** The channel this end receives from (`null` for a send-only end). */
  get incoming(): Channel<S> | null {
    return this.#in;
  }

  /** The channel this end sends to (`null` for a receive-only end). */
  get outgoing(): Channel<S> | null {
    return this.#out;
  }

  /** Whether this end can receive. */
  get readable(): boolean {
    return this.#in !== null;
  }

  /** Whether this end can send. */
  get writable(): boolean {
    return this.#out !== null;
  }

  /** Whether either end closed the connection. */
  get closed(): boolean {
    return (this.#in?.closed ?? false) || (this.#out?.closed ?? false);
  }

  /**
   * Sends a copy of `item`, waiting up to `timeout` ms (-1: for ever) while the other end
   * has `capacity` items unread. Returns false if the time ran out; raises `ChannelClosedError`
   * if the connection is closed.
   */
  send(item: Input<S>, timeout = -1): boolean {
    const out = this.#sending('send');
    return canBlock()
      ? out.push(item, timeout)
      : triedOnce(
          () => out.tryPush(item),
          () => false,
          timeout,
          'Connection.send',
        );
  }

  /** {@link send} without blocking the thread. Its errors are rejections (a receive-only end too). */
  sendAsync(item: Input<S>, timeout = -1): Promise<boolean> {
    let out: Channel<S>;
    try {
      out = this.#sending('sendAsync');
    } catch (e) {
      return Promise.reject(e);
    }
    return out.pushAsync(item, timeout);
  }

  /**
   * The next item the other end sent, waiting up to `timeout` ms for it (-1: for ever).
   * Raises `ChannelClosedError` when the connection is closed and everything sent was received
   * (Python's `EOFError`), `QueueEmpty` when the time ran out.
   */
  recv(timeout = -1): Infer<S> {
    const ch = this.#receiving('recv');
    const item = canBlock()
      ? ch.pop(timeout)
      : triedOnce(
          () => ch.tryPop(),
          () => ch.done,
          timeout,
          'Connection.recv',
          'poll() first',
        );
    if (item === undefined) this.#nothing(ch, 'recv');
    return item;
  }

  /** {@link recv} without blocking the thread. */
  async recvAsync(timeout = -1): Promise<Infer<S>> {
    const ch = this.#receiving('recvAsync');
    const item = await ch.popAsync(timeout);
    if (item === undefined) this.#nothing(ch, 'recvAsync');
    return item;
  }

  /** Whether `recv()` would return at once (an item, or the end), waiting up to `timeout` ms (default: just look). */
  poll(timeout = 0): boolean {
    const ch = this.#receiving('poll');
    return canBlock()
      ? ch.poll(timeout)
      : triedOnce(
          () => ch.poll(0),
          () => ch.done,
          timeout,
          'Connection.poll',
        );
  }

  /** {@link poll} without blocking the thread. Its errors are rejections (a send-only end too). */
  async pollAsync(timeout = 0): Promise<boolean> {
    return this.#receiving('pollAsync').pollAsync(timeout);
  }

  /**
   * Closes both directions (see the class). This end is then done: its own `send`, `recv` and
   * `poll` raise `ChannelClosedError` at once (Python's `OSError`, "handle is closed"), even with
   * items still unread; the other end receives those. Closing again does nothing.
   */
  close(): void {
    this.#closedHere = true;
    this.#in?.close();
    this.#out?.close();
  }

  #checkOwnEnd(what: string): void {
    if (this.#closedHere) throw new ChannelClosedError(`Connection.${what}(): this end was closed (close() was called on it)`);
  }

  #sending(what: string): Channel<S> {
    this.#checkOwnEnd(what);
    if (this.#out === null)
      throw typeError('invalid_argument', `Connection.${what}()`, 'this end only receives (Pipe({ duplex: false }) gives [receiver, sender])');
    // In the words of the method called (the channel's own check would name `push`).
    if (this.#out.closed) throw new ChannelClosedError(`Connection.${what}(): the connection is closed`);
    return this.#out;
  }

  #receiving(what: string): Channel<S> {
    this.#checkOwnEnd(what);
    if (this.#in === null)
      throw typeError('invalid_argument', `Connection.${what}()`, 'this end only sends (Pipe({ duplex: false }) gives [receiver, sender])');
    return this.#in;
  }

  #nothing(ch: Channel<S>, what: string): never {
    if (ch.done) throw new ChannelClosedError(`Connection.${what}(): the connection is closed and everything sent was received`);
    throw new QueueEmpty(`Connection.${what}(): nothing arrived in time`);
  }
}

showState(Connection, (c) => ({ readable: c.readable, writable: c.writable, closed: c.closed }));

/** The options of {@link Pipe}. */
const PIPE_OPTIONS = Object.keys({ duplex: true, capacity: true, checked: true, memory: true, byteOffset: true } satisfies Record<keyof PipeOptions, true>);

/**
 * Python's `multiprocessing.Pipe(duplex)`: a pair of connected {@link Connection} ends for items
 * of `schema`. Duplex (the default): both ends send and receive. Otherwise the first end only
 * receives and the second only sends, as in Python. Post an end to another thread with
 * `share(end)`.
 *
 * @example
 * ```ts
 * import { Pipe, share, struct, u32 } from 'sharedctypes';
 * const Msg = struct({ id: u32, value: u32 });
 * const [parent, child] = Pipe(Msg);
 * const handle = share(child);   // post to a worker; there: attach(handle)
 * parent.send({ id: 1, value: 42 });
 * ```
 */
export function Pipe<S extends SchemaLike>(schema: S, options: PipeOptions = {}): [Connection<S>, Connection<S>] {
  checkOptions('Pipe', options, PIPE_OPTIONS);
  const { duplex = true, capacity = 256, checked = false, memory, byteOffset } = options;
  checkBooleanOption('Pipe', 'duplex', duplex);
  checkBooleanOption('Pipe', 'checked', checked);
  checkCapacity('Pipe', capacity);
  const place = memory === undefined ? (byteOffset === undefined ? {} : { byteOffset }) : { memory, byteOffset: byteOffset ?? 0 };
  const forward = new Channel(schema, capacity, { mode: 'spsc', checked, ...place }); // first end → second end (duplex), or sender → receiver
  if (!duplex) return [new Connection(forward, null), new Connection(null, forward)];
  const second = memory === undefined ? place : { memory, byteOffset: forward.byteOffset + secondOffset(schema, forward.byteLength) };
  const backward = new Channel(schema, capacity, { mode: 'spsc', checked, ...second });
  return [new Connection(backward, forward), new Connection(forward, backward)];
}

/** Where a duplex pipe's second channel starts, from its first: after the first, at a multiple of 64 (and of the channels' alignment). */
function secondOffset(schema: SchemaLike, first: number): number {
  const step = Math.max(64, Channel.alignment(schema));
  return Math.ceil(first / step) * step;
}

/**
 * How many bytes `Pipe(schema, options)` occupies when placed with `{ memory, byteOffset }`: one
 * SPSC channel of `capacity` elements, or (duplex) two, the second at the next multiple of 64.
 *
 * @example
 * ```ts
 * import { f64, Pipe, SharedMemory } from 'sharedctypes';
 * const bytes = Pipe.byteLength(f64, { capacity: 64 }); // two channels of 64 f64
 * const shm = new SharedMemory({ name: 'pipe-bytes-demo', create: true, size: bytes });
 * const [a, b] = Pipe(f64, { capacity: 64, memory: shm });
 * a.send(1.5);
 * b.recv(); // 1.5
 * shm.close();
 * shm.unlink();
 * ```
 */
Pipe.byteLength = function byteLength(schema: SchemaLike, options: Pick<PipeOptions, 'duplex' | 'capacity'> = {}): number {
  checkOptions('Pipe.byteLength', options, PIPE_OPTIONS); // (the options given to Pipe itself are welcome)
  const { duplex = true, capacity = 256 } = options;
  checkBooleanOption('Pipe.byteLength', 'duplex', duplex); // (a truthy string or number is not read as "duplex")
  const one = Channel.byteLength(schema, capacity, { mode: 'spsc' });
  return duplex ? secondOffset(schema, one) + one : one;
};
