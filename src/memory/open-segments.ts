/**
 * The segments this thread has mapped, by identity, and which objects are `SharedMemory`s: what
 * `share()`/`attach()` and the placement options of `Value`/`RawArray`/… need, without importing
 * `SharedMemory` itself (nor the FFI behind it) into modules that only may meet one.
 *
 * One buffer per segment and thread: `attach()` reuses the mapping this thread already has of a
 * segment (made by `new SharedMemory(…)` or by an earlier `attach`), so that every object attached
 * here over one segment shares one `ArrayBuffer` (an `RLock` knows its holder per buffer object),
 * and a thread that attaches per message does not map the segment again each time.
 *
 * @module
 */

/** Open mappings by segment identity (`st_dev:st_ino`): the first one made in this thread that is still open. */
const open = new Map<string, WeakRef<ArrayBuffer>>();

/** Records `buffer` as this thread's mapping of the segment `identity`, unless one is open already. */
export function rememberOpen(identity: string, buffer: ArrayBuffer): void {
  if (openMapping(identity) === undefined) open.set(identity, new WeakRef(buffer));
}

/** Forgets `buffer` (closed, or collected) as the mapping of `identity`. */
export function forgetOpen(identity: string, buffer: ArrayBuffer | undefined): void {
  const known = open.get(identity)?.deref();
  if (known === undefined || known === buffer) open.delete(identity);
}

/** This thread's open mapping of the segment `identity`, if it has one. */
export function openMapping(identity: string): ArrayBuffer | undefined {
  const buffer = open.get(identity)?.deref();
  if (buffer === undefined || buffer.byteLength === 0) {
    open.delete(identity);
    return undefined;
  }
  return buffer;
}

/** `SharedMemory` objects, with a way to reach their memory. */
const memories = new WeakMap<object, () => ArrayBuffer>();

/** Records that `owner` is a `SharedMemory` whose memory `buf()` returns (throwing once it is closed). */
export function registerMemory(owner: object, buf: () => ArrayBuffer): void {
  memories.set(owner, buf);
}

/** The memory of a `SharedMemory` (`shm.buf`, which throws `segment_closed` after `close()`), or `undefined` for anything else. */
export function memoryOf(x: unknown): ArrayBuffer | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  return memories.get(x)?.();
}
