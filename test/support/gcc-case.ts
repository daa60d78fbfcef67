// Checks one gcc ground-truth case (see tools/fixtures/generate.mjs) against the library: sizeof,
// alignof, every offset and bit position, and the byte image of writing every value in order.
import { expect } from 'vitest';
import { alignof, errorCode, fromJSON, layoutOf, offsetof, sizeof } from '../../src/index.js';
import { getPath, hex, setPath } from './paths.js';

export interface Leaf {
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

export interface GccCase {
  name: string;
  schema: unknown;
  sizeof: number;
  alignof: number;
  leaves: Leaf[];
  values: { path: string; value: unknown }[];
  image: string;
}

function jsValue(leaf: Leaf | undefined, value: unknown): unknown {
  return leaf !== undefined && (leaf.type === 'i64' || leaf.type === 'u64') ? BigInt(value as string) : value;
}

/** Whether this runtime reads and writes half-precision floats (DataView.prototype.getFloat16). */
export const HAS_FLOAT16 = typeof (DataView.prototype as { getFloat16?: unknown }).getFloat16 === 'function';

export function checkGccCase(c: GccCase): void {
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
  // A runtime without half-precision DataView methods (Node < 24) refuses views of f16 types, with
  // the error code that says so; the layout above is checked all the same.
  if (!HAS_FLOAT16 && c.leaves.some((l) => l.type === 'f16')) {
    let code: unknown;
    try {
      schema.create();
    } catch (e) {
      code = errorCode(e);
    }
    expect(code, 'view of f16 without getFloat16').toBe('unsupported_type');
    return;
  }
  // Byte image: write every value in order into a zeroed region with canary bytes around it.
  const pad = Math.max(8, c.alignof);
  const buffer = new SharedArrayBuffer(pad + c.sizeof + 8);
  new Uint8Array(buffer).fill(0xa5);
  new Uint8Array(buffer, pad, c.sizeof).fill(0);
  const v = schema.view(buffer, pad);
  for (const { path, value } of c.values) setPath(v, path, jsValue(leaves.get(path), value));
  expect(hex(buffer, pad, c.sizeof), 'image').toBe(c.image);
  expect(hex(buffer, 0, pad) + hex(buffer, pad + c.sizeof, 8), 'canaries').toBe('a5'.repeat(pad + 8));
  // Reading back: every value (unions excepted: later members overwrite earlier ones).
  if (!JSON.stringify(c.schema).includes('"union"')) {
    for (const { path, value } of c.values) {
      const leaf = leaves.get(path);
      const expected = jsValue(leaf, value);
      const got = getPath(v, path);
      if (leaf?.type === 'f16' || leaf?.type === 'f32' || leaf?.type === 'f64') expect(got, path).toBeCloseTo(expected as number, 10);
      else expect(got, path).toEqual(expected);
    }
  }
}
