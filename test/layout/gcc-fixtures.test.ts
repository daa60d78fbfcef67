// Ground truth from gcc: every case of test/fixtures/gcc-layouts.json (regenerate with
// `npm run fixtures`) must give the same sizeof, alignof, offsets, bit positions and byte image.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignof, fromJSON, layoutOf, offsetof, sizeof } from '../../src/index.js';
import { getPath, hex, setPath } from '../support/paths.js';

interface Leaf {
  path: string;
  type: string;
  offset: number;
  size: number;
  bitfield?: boolean;
  bitOffset?: number;
  bitOffsetMsb?: number;
  bitWidth?: number;
  bitOrder?: 'lsb' | 'msb';
}
interface Case {
  name: string;
  schema: unknown;
  sizeof: number;
  alignof: number;
  leaves: Leaf[];
  values: { path: string; value: unknown }[];
  image: string;
}

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/gcc-layouts.json', import.meta.url), 'utf8')) as { cases: Case[] };

function jsValue(leaf: Leaf | undefined, value: unknown): unknown {
  return leaf !== undefined && (leaf.type === 'i64' || leaf.type === 'u64') ? BigInt(value as string) : value;
}

describe(`gcc fixtures (${fixtures.cases.length} cases)`, () => {
  it('has a few hundred cases', () => {
    expect(fixtures.cases.length).toBeGreaterThanOrEqual(300);
  });

  for (const c of fixtures.cases) {
    it(c.name, () => {
      const schema = fromJSON(c.schema);
      expect(sizeof(schema), 'sizeof').toBe(c.sizeof);
      expect(alignof(schema), 'alignof').toBe(c.alignof);
      const info = new Map(layoutOf(schema).map((f) => [f.path, f]));
      const leaves = new Map(c.leaves.map((l) => [l.path, l]));
      for (const leaf of c.leaves) {
        if (leaf.bitfield) {
          const f = info.get(leaf.path);
          expect(f, leaf.path).toBeDefined();
          const absolute = (f?.offset ?? 0) * 8 + (f?.bitOffset ?? 0);
          expect(absolute, `${leaf.path} bit offset`).toBe(leaf.bitOrder === 'msb' ? leaf.bitOffsetMsb : leaf.bitOffset);
          expect(f?.bitWidth, `${leaf.path} width`).toBe(leaf.bitWidth);
        } else {
          expect(offsetof(schema, leaf.path), `${leaf.path} offset`).toBe(leaf.offset);
          expect(leaf.path === '' ? sizeof(schema) : info.get(leaf.path)?.size, `${leaf.path} size`).toBe(leaf.size);
        }
      }
      // Byte image: write every value in order into a zeroed buffer.
      const pad = Math.max(8, c.alignof);
      const buffer = new SharedArrayBuffer(pad + c.sizeof + 8);
      new Uint8Array(buffer).fill(0xa5); // canaries around the region
      new Uint8Array(buffer, pad, c.sizeof).fill(0);
      const v = schema.view(buffer, pad);
      for (const { path, value } of c.values) setPath(v, path, jsValue(leaves.get(path), value));
      expect(hex(buffer, pad, c.sizeof), 'image').toBe(c.image);
      expect(hex(buffer, 0, pad) + hex(buffer, pad + c.sizeof, 8), 'canaries').toBe('a5'.repeat(pad + 8));
      // Reading back: every value not overwritten by a later write to the same bytes.
      if (!JSON.stringify(c.schema).includes('"union"')) {
        for (const { path, value } of c.values) {
          const leaf = leaves.get(path);
          const expected = jsValue(leaf, value);
          const got = getPath(v, path);
          if (leaf?.type === 'f32' || leaf?.type === 'f64') expect(got, path).toBeCloseTo(expected as number, 10);
          else expect(got, path).toEqual(expected);
        }
      }
    });
  }
});
