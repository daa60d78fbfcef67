/**
 * `memorySupport()`: whether this runtime can map process-shared memory, through what, and if not,
 * what to do about it — without throwing.
 *
 * @module
 */
import { SharedMemoryError } from '../errors.js';
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
 * ```
 */
export function memorySupport(): MemorySupport {
  const host = hostOf();
  try {
    return { available: true, runtime: host.runtime, version: host.version, via: libc().via };
  } catch (e) {
    return { available: false, runtime: host.runtime, version: host.version, reason: e instanceof SharedMemoryError ? e.message : String(e) };
  }
}
