/**
 * `memorySupport()`: whether this runtime can map process-shared memory, through what, and if not,
 * what to do about it — without throwing.
 *
 * @module
 */
import { SharedMemoryError } from '../errors.js';
import { asyncWaitState } from './async-wait.js';
import { hostOf } from './host.js';
import { libc } from './libc.js';

/** What {@link memorySupport} reports. */
export interface MemorySupport {
  /** Whether `new SharedMemory(…)` can work here. */
  readonly available: boolean;
  /** The runtime: `'node'`, `'bun'`, `'deno'`, `'browser'` or `'unknown'`, and its version. */
  readonly runtime: string;
  readonly version: string;
  /** The FFI used (`'node:ffi'`, `'bun:ffi'`, `'Deno.dlopen'`, `'koffi'`), when available. */
  readonly via?: string;
  /** Why not, and how to enable it, when not available. */
  readonly reason?: string;
  /**
   * How async waits on a segment's words (`acquireAsync`, `waitAsync`, a channel's async pushes
   * and pops) are made in this thread, when available: `'thread'`, a waiter thread asleep in the
   * kernel (`futex_waitv`) for all of this thread's pending async waits; or `'poll'`, a look at
   * the word with a growing delay (at most 4 ms), with the reason (Linux before 5.16, Node's
   * permission model without `--allow-worker`, `SHAREDCTYPES_ASYNC_WAIT=poll`…).
   */
  readonly asyncWaits?: { readonly mode: 'thread' | 'poll'; readonly reason?: string };
}

/**
 * Whether this runtime can map process-shared memory (`SharedMemory`), through which foreign
 * function interface, or what is missing and how to enable it.
 *
 * @example
 * ```ts
 * import { memorySupport } from 'sharedctypes';
 * const s = memorySupport();
 * if (!s.available) console.log(s.reason); // e.g. "… run node with --experimental-ffi …"
 * else console.log(s.asyncWaits); // { mode: 'thread' }: async waits sleep in the kernel
 * ```
 */
export function memorySupport(): MemorySupport {
  const host = hostOf();
  try {
    const via = libc().via;
    return { available: true, runtime: host.runtime, version: host.version, via, asyncWaits: asyncWaitState() };
  } catch (e) {
    return { available: false, runtime: host.runtime, version: host.version, reason: e instanceof SharedMemoryError ? e.message : String(e) };
  }
}
