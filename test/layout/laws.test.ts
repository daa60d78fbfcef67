// Properties every layout has, for random schemas; and schemas as data (JSON round trip, fingerprint).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint, fromJSON, layout, sizeof, toJSON, type Layout } from '../../src/index.js';
import { schema } from '../support/arbitraries.js';

function checkLaws(l: Layout): void {
  expect(l.size % l.align).toBe(0);
  expect(l.align & (l.align - 1)).toBe(0);
  if (l.kind === 'array') {
    expect(l.size).toBe(l.length * l.element.size);
    checkLaws(l.element);
  }
  if (l.kind !== 'struct' && l.kind !== 'union') return;
  const pack = l.schema.options.pack ?? Infinity;
  let end = 0;
  for (const f of l.fields) {
    if (f.bits !== null) {
      expect(f.bits.bitOffset + f.bits.width).toBeLessThanOrEqual(l.size * 8);
      if (l.kind === 'union') expect(f.bits.bitOffset).toBe(0);
      continue;
    }
    expect(f.offset + f.layout.size).toBeLessThanOrEqual(l.size);
    expect(f.offset % Math.min(f.layout.align, pack)).toBe(0);
    if (l.kind === 'union') expect(f.offset).toBe(0);
    else {
      expect(f.offset).toBeGreaterThanOrEqual(end); // ordinary members in order, disjoint
      end = f.offset + f.layout.size;
    }
    checkLaws(f.layout);
  }
  if (l.schema.options.align !== undefined) expect(l.align).toBeGreaterThanOrEqual(l.schema.options.align);
}

describe('layout laws', () => {
  it('sizes are multiples of alignments; members lie inside, aligned, in order and disjoint', () => {
    fc.assert(
      fc.property(schema, (s) => checkLaws(layout(s))),
      { numRuns: 400 },
    );
  });

  it('is memoised: the same schema gives the same layout object', () => {
    fc.assert(
      fc.property(schema, (s) => {
        expect(layout(s)).toBe(layout(s));
      }),
    );
  });
});

describe('schemas as data', () => {
  it('fromJSON(toJSON(T)) has the same descriptor, layout and fingerprint', () => {
    fc.assert(
      fc.property(schema, (s) => {
        const json = JSON.parse(JSON.stringify(toJSON(s)));
        const back = fromJSON(json);
        expect(toJSON(back)).toEqual(json);
        expect(sizeof(back)).toBe(sizeof(s));
        expect(fingerprint(back)).toBe(fingerprint(s));
      }),
      { numRuns: 300 },
    );
  });

  it('fingerprints differ when the layout differs', () => {
    fc.assert(
      fc.property(schema, schema, (a, b) => {
        const ja = JSON.stringify(toJSON(a));
        const jb = JSON.stringify(toJSON(b));
        if (fingerprint(a) === fingerprint(b)) {
          // Equal fingerprints only for equal layouts: same descriptor, or differing in nothing
          // but names and options that do not move a byte.
          expect(sizeof(a)).toBe(sizeof(b));
          expect(layout(a).align).toBe(layout(b).align);
        } else expect(ja === jb).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('fingerprint is a stable format', () => {
    expect(fingerprint('i')).toMatch(/^sct2:[0-9a-f]{16}$/);
  });
});
