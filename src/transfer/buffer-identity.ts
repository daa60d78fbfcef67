/**
 * One SharedArrayBuffer object per shared memory, per thread. Every `postMessage` of a
 * SharedArrayBuffer gives the receiver a new object over the same memory; views are compiled per
 * buffer object (see codegen/compile.ts), so a long-lived worker attaching a handle per job would
 * otherwise get new view classes every time and slow down as its code turns polymorphic. Handles
 * carry an id minted for the sender's buffer object; the receiver maps the id to the first object
 * it saw for it, which holds the same memory.
 *
 * @module
 */

const ids = new WeakMap<SharedArrayBuffer, string>();
const byId = new Map<string, WeakRef<SharedArrayBuffer>>();

function mint(): string {
  const r = new Uint32Array(4);
  crypto.getRandomValues(r);
  return Array.from(r, (n) => n.toString(16).padStart(8, '0')).join('');
}

/** The id of a buffer object (minted on first use, kept for as long as the object lives). */
export function bufferId(buffer: SharedArrayBuffer): string {
  let id = ids.get(buffer);
  if (id === undefined) {
    id = mint();
    ids.set(buffer, id);
    byId.set(id, new WeakRef(buffer));
  }
  return id;
}

/**
 * The buffer object this thread already uses for the memory that `id` names, or `buffer` (which is
 * then remembered under `id`). A missing or malformed id leaves `buffer` as it is.
 */
export function canonicalBuffer(buffer: SharedArrayBuffer, id: unknown): SharedArrayBuffer {
  if (typeof id !== 'string' || !/^[0-9a-f]{32}$/.test(id)) return buffer;
  const known = byId.get(id)?.deref();
  if (known !== undefined && known.byteLength === buffer.byteLength) return known;
  if (byId.size > 1024) for (const [k, ref] of byId) if (ref.deref() === undefined) byId.delete(k);
  ids.set(buffer, id);
  byId.set(id, new WeakRef(buffer));
  return buffer;
}
