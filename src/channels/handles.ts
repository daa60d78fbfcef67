/**
 * Channels as handles: which handle kind each channel class travels as, and the class that
 * `attach` rebuilds for each kind (one table, complete by type).
 *
 * @module
 */
import type { Channel } from './channel.js';
import { Channel as ChannelClass } from './channel.js';
import { Connection } from './pipe.js';
import { JoinableQueue, Queue } from './queue.js';

/** The handle kinds of channels. */
export type ChannelHandleKind = 'channel' | 'queue' | 'joinableQueue' | 'connection';

/** The class a channel handle kind attaches as (a connection is a pair of channels). */
export const CHANNEL_CLASSES = {
  channel: ChannelClass,
  queue: Queue,
  joinableQueue: JoinableQueue,
} as const satisfies Record<Exclude<ChannelHandleKind, 'connection'>, typeof ChannelClass>;

/** The handle kind of `x` if it is a channel or a connection (subclasses first). */
export function channelHandleKindOf(x: unknown): ChannelHandleKind | undefined {
  if (x instanceof Connection) return 'connection';
  if (x instanceof JoinableQueue) return 'joinableQueue';
  if (x instanceof Queue) return 'queue';
  if (x instanceof ChannelClass) return 'channel';
  return undefined;
}

/** Whether a handle kind is a channel's. */
export function isChannelHandleKind(kind: unknown): kind is ChannelHandleKind {
  return kind === 'channel' || kind === 'queue' || kind === 'joinableQueue' || kind === 'connection';
}

/** `T` (a channel class instance or a connection), retyped for elements of schema `S`: what `attach(handle, S)` gives. */
export type RetypedChannel<T, S extends import('../types/schema.js').SchemaLike> =
  T extends JoinableQueue<infer _>
    ? JoinableQueue<S>
    : T extends Queue<infer _>
      ? Queue<S>
      : T extends Connection<infer _>
        ? Connection<S>
        : T extends Channel<infer _>
          ? Channel<S>
          : never;
