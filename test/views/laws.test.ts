// Accessor laws on random schemas: values round-trip, writes stay inside the view's region
// (canary bytes around it), each member's writes stay inside that member, and compiled and
// interpreted accessors produce the same bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { layout, sizeof, alignof, type Schema } from '../../src/index.js';
import { viewClass } from '../../src/codegen/classes.js';
import { dataViewOf } from '../../src/views/region.js';
import { hasUnion, schemaWithValues } from '../support/arbitraries.js';
import { getPath, hex, setPath } from '../support/paths.js';

const CANARY = 0xa5;

function region(s: Schema): { buffer: SharedArrayBuffer; at: number } {
  const at = Math.max(16, alignof(s));
  const buffer = new SharedArrayBuffer(at + sizeof(s) + 16);
  new Uint8Array(buffer).fill(CANARY);
  new Uint8Array(buffer, at, sizeof(s)).fill(0);
  return { buffer, at };
}

function canariesIntact(buffer: SharedArrayBuffer, at: number, size: number): boolean {
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i++) if ((i < at || i >= at + size) && bytes[i] !== CANARY) return false;
  return true;
}

describe('accessor laws', () => {
  it('every value written reads back (structs), and nothing outside the region changes', () => {
    fc.assert(
      fc.property(schemaWithValues, ([s, leaves, values]) => {
        const { buffer, at } = region(s);
        const v = s.view(buffer, at);
        for (const [i, leaf] of leaves.entries()) setPath(v, leaf.path, values[i]);
        expect(canariesIntact(buffer, at, sizeof(s))).toBe(true);
        if (!hasUnion(s)) for (const [i, leaf] of leaves.entries()) expect(getPath(v, leaf.path)).toEqual(values[i]);
      }),
      { numRuns: 300 },
    );
  });

  it('toObject/set round-trip whole values (structs)', () => {
    fc.assert(
      fc.property(
        schemaWithValues.filter(([s]) => !hasUnion(s) && (s.kind === 'struct' || s.kind === 'array')),
        ([s, leaves, values]) => {
          const a = region(s);
          const v = s.view(a.buffer, a.at) as { toObject?(): unknown; toArray?(): unknown };
          for (const [i, leaf] of leaves.entries()) setPath(v, leaf.path, values[i]);
          const plain = s.kind === 'array' ? v.toArray?.() : v.toObject?.();
          const b = region(s);
          const w = s.view(b.buffer, b.at) as { set(x: unknown): void };
          w.set(plain);
          expect(hex(b.buffer, b.at, sizeof(s))).toBe(hex(a.buffer, a.at, sizeof(s)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a write to one member changes only bytes of that member (structs)', () => {
    fc.assert(
      fc.property(
        schemaWithValues.filter(([s]) => !hasUnion(s)),
        ([s, leaves, values]) => {
          const { buffer, at } = region(s);
          const v = s.view(buffer, at);
          const bytes = new Uint8Array(buffer);
          leaves.forEach((leaf, i) => {
            const before = bytes.slice();
            setPath(v, leaf.path, values[i]);
            const first = leaf.bitOffset === undefined ? leaf.offset : leaf.offset + Math.floor(leaf.bitOffset / 8);
            const last = leaf.bitOffset === undefined ? leaf.offset + leaf.size : leaf.offset + Math.ceil((leaf.bitOffset + (leaf.bitWidth ?? 0)) / 8);
            for (let k = 0; k < bytes.length; k++) {
              if (k < at + first || k >= at + last) expect(bytes[k], `${leaf.path} wrote byte ${k - at}`).toBe(before[k]);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('compiled and interpreted accessors write the same bytes and read the same values', () => {
    fc.assert(
      fc.property(schemaWithValues, ([s, leaves, values]) => {
        const l = layout(s);
        const images = [true, false].map((codegen) => {
          const { buffer, at } = region(s);
          const Ctor = viewClass(l, { codegen, checked: false });
          const v = new Ctor(at, dataViewOf(buffer));
          for (const [i, leaf] of leaves.entries()) setPath(v, leaf.path, values[i]);
          return { bytes: hex(buffer), plain: v.$$plain() };
        });
        expect(images[0]?.bytes).toBe(images[1]?.bytes);
        expect(images[0]?.plain).toEqual(images[1]?.plain);
      }),
      { numRuns: 300 },
    );
  });
});
