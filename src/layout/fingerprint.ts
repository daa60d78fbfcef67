/**
 * `fingerprint(T)`: a stable hash of a schema's layout. Equal for equal layouts built in different
 * threads, processes or library versions of the same format; different when any size, alignment,
 * offset, bit position, width, byte order, field name or kind differs. Type names do not count.
 *
 * The hash is a Merkle hash: a layout's fingerprint hashes its own fields together with the
 * fingerprints of its members' layouts. A type used many times is hashed once, so fingerprinting
 * is linear in the size of the descriptor, however large the layout it describes.
 *
 * @module
 */
import { cached } from '../memo.js';
import type { Layout } from './types.js';

/** The format of fingerprints: a change of what is hashed or how gets a new prefix. */
export const FINGERPRINT_PREFIX = 'sct2:';

const memo = new WeakMap<Layout, string>();

/**
 * The text hashed for one layout node: its own kind, sizes and fields, with the fingerprints of its
 * members' layouts in place of their descriptions.
 */
export function canonicalNode(l: Layout): string {
  switch (l.kind) {
    case 'primitive':
      return `${l.name}${l.size > 1 ? (l.endian === 'big' ? '>' : '<') : ''}`;
    case 'char':
      return `char[${l.length}]`;
    case 'sync': // a condition over a lock member names it: `sync:condition(0,lock=guard)`
      return `sync:${l.sync}(${l.param}${l.schema.lock === null ? '' : `,lock=${l.schema.lock}`})`;
    case 'array':
      return `${fingerprintOfLayout(l.element)}[${l.length}]`;
    case 'struct':
    case 'union': {
      const fields = l.fields.map((f) => `${f.name}@${f.offset}${f.bits ? `:${f.bits.bitOffset}+${f.bits.width}` : ''}=${fingerprintOfLayout(f.layout)}`);
      // The sysv rules add nothing (fingerprints from before the option stay valid); others are marked.
      return `${l.kind}${l.rules === 'sysv' ? '' : `[${l.rules}]`}(${l.size},${l.align}){${fields.join(';')}}`;
    }
  }
}

/** A 64-bit hash (two independent 32-bit lanes) of a string, as 16 hex digits. */
export function hash64(text: string): string {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

/** The fingerprint of a computed layout (which may sit in an inherited byte order). */
export function fingerprintOfLayout(l: Layout): string {
  return cached(memo, l, () => `${FINGERPRINT_PREFIX}${hash64(canonicalNode(l))}`);
}
