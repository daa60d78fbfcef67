/**
 * Channels as handles: which handle kind each channel class travels as, and the class that
 * `attach` rebuilds for each kind (one table, complete by type).
 *
 * @module
 */
import type { SchemaLike } from '../types/schema.js';
import type { Channel } from './channel.js';
import type { ChannelMode } from './format.js';
import { Channel as ChannelClass } from './channel.js';
import { Connection } from './pipe.js';
import { JoinableQueue, Queue } from './queue.js';

/** The handle kinds of channels. */
export type ChannelHandleKind = 'channel' | 'queue' | 'joinableQueue' | 'connection';

/**
 * What a channel handle kind attaches as (a connection is a pair of channels): the class, and what
 * the buffer's header must say for it, since the kind in a handle may be forged: a `Queue` is MPMC
 * (any number of producers), a `JoinableQueue` counts unfinished tasks, a plain channel does not.
 */
export const CHANNEL_CLASSES = {
  channel: { cls: ChannelClass, mode: undefined, joinable: false },
  queue: { cls: Queue, mode: 'mpmc', joinable: false },
  joinableQueue: { cls: JoinableQueue, mode: 'mpmc', joinable: true },
} as const satisfies Record<Exclude<ChannelHandleKind, 'connection'>, ChannelKindInfo>;

/** A channel handle kind's class and the header it needs. */
export interface ChannelKindInfo {
  readonly cls: typeof ChannelClass;
  /** The mode the buffer must have (`undefined`: either). */
  readonly mode: ChannelMode | undefined;
  /** Whether the buffer must count unfinished tasks (or must not). */
  readonly joinable: boolean;
}

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

/** What channels and pipe ends look like to the type of `attach` (structural: a class check would compare every method's element types). */
export type ChannelLike = { readonly capacity: number; poll(timeout?: number): boolean } | { readonly incoming: unknown; recv(timeout?: number): unknown };

/** `T` (a channel, a queue or a pipe's end), retyped for elements of schema `S`: what `attach(handle, S)` gives. */
export type RetypedChannel<T, S extends SchemaLike> = T extends { task_done(): void }
  ? JoinableQueue<S>
  : T extends { qsize(): number }
    ? Queue<S>
    : T extends { recv(timeout?: number): unknown }
      ? Connection<S>
      : Channel<S>;
