// The region check of view(), on its fast path (the same schema and source as the call before,
// remembered) as well as its slow path: a view is made exactly when its whole region lies inside
// the source and is aligned, whatever the offset, and reads the bytes at that offset.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignof, array, codegenActive, configure, f64, sizeof, struct, u8, u16, u32, view } from '../../src/index.js';
import { V8_BEFORE_12 } from '../../src/engine.js';
import { collector } from '../support/collector.js';
import { codeOf as errorCodeOf } from '../support/errors.js';

const P = struct({ x: f64, id: u32 }, { name: 'P' }); // size 16, align 8
const Q = struct({ a: u16, b: u8 }, { name: 'Q' }); // size 4, align 2

/** What the region rule says for `size`/`align` at `offset` of a source of `length` bytes starting at `base` in its buffer. */
function allowed(offset: unknown, size: number, align: number, length: number, base: number): boolean {
  return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 && offset + size <= length && (base + offset) % align === 0;
}

const offsets = fc.oneof(
  fc.integer({ min: -64, max: 400 }),
  fc.constantFrom(0.5, 7.999, Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 32, 2 ** 53, '8', 8n, null, undefined),
);

/**
 * Three sources (SharedArrayBuffers of 128 and 96 bytes, an ArrayBuffer of 128), each filled by
 * `fill` (with its number), and a 64-byte window of the first at `windowAt`: each with its length
 * and where it starts in its buffer.
 */
function sourcesFilled(windowAt: number, fill: (b: ArrayBufferLike, n: number) => void): [ArrayBufferLike | Uint8Array, number, number][] {
  const sources: [ArrayBufferLike | Uint8Array, number, number][] = [];
  for (const make of [() => new SharedArrayBuffer(128), () => new ArrayBuffer(128), () => new SharedArrayBuffer(96)]) {
    const b = make();
    fill(b, sources.length);
    sources.push([b, b.byteLength, 0]);
  }
  sources.push([new Uint8Array(sources[0]![0] as SharedArrayBuffer, windowAt, 64), 64, windowAt]); // a window
  return sources;
}

describe('view() region check', () => {
  it('over one source, call after call (the remembered fast path), as the rule says', () => {
    const sab = new SharedArrayBuffer(256);
    const f64s = new Float64Array(sab);
    for (let i = 0; i < f64s.length; i++) f64s[i] = i;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(P, Q), offsets), { minLength: 1, maxLength: 60 }), (calls) => {
        for (const [T, off] of calls) {
          const size = T === P ? 16 : 4;
          const align = T === P ? 8 : 2;
          const ok = allowed(off === undefined ? 0 : off, size, align, 256, 0);
          if (ok) {
            const v = view(T, sab, off as number) as unknown as { $byteOffset: number };
            expect(v.$byteOffset === (off ?? 0)).toBe(true); // (-0 comes back as 0)
            if (T === P) expect((v as unknown as { x: number }).x).toBe(((off as number) ?? 0) / 8 + 0);
          } else expect(() => view(T, sab, off as number)).toThrow(RangeError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('over one ArrayBuffer, call after call (remembered until it is detached), as the rule says', () => {
    const ab = new ArrayBuffer(256);
    const f64s = new Float64Array(ab);
    for (let i = 0; i < f64s.length; i++) f64s[i] = i;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(P, Q), offsets, fc.boolean()), { minLength: 1, maxLength: 60 }), (calls) => {
        for (const [T, off, method] of calls) {
          const size = T === P ? 16 : 4;
          const align = T === P ? 8 : 2;
          const make = () => (method ? T.view(ab, off as number) : view(T, ab, off as number)) as unknown as { $byteOffset: number };
          if (allowed(off === undefined ? 0 : off, size, align, 256, 0)) {
            const v = make();
            expect(v.$byteOffset === (off ?? 0)).toBe(true);
            if (T === P) expect((v as unknown as { x: number }).x).toBe(((off as number) ?? 0) / 8 + 0);
          } else expect(make).toThrow(RangeError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('over several sources and types in turn (the two remembered pairs), as the rule says', () => {
    const sources = sourcesFilled(32, (b, n) => {
      const f64s = new Float64Array(b);
      for (let i = 0; i < f64s.length; i++) f64s[i] = i + 1000 * n;
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(P, Q), fc.integer({ min: 0, max: 3 }), offsets, fc.boolean()), { minLength: 1, maxLength: 60 }),
        (calls) => {
          for (const [T, which, off, method] of calls) {
            const [src, length, base] = sources[which]!;
            const size = T === P ? 16 : 4;
            const align = T === P ? 8 : 2;
            const make = () => (method ? T.view(src, off as number) : view(T, src, off as number)) as unknown as { $byteOffset: number; x?: number };
            if (allowed(off === undefined ? 0 : off, size, align, length, base)) {
              const v = make();
              expect(v.$byteOffset).toBe(base + ((off as number) ?? 0));
              if (T === P) expect(v.x).toBe((base + ((off as number) ?? 0)) / 8 + 1000 * (which === 3 ? 0 : which));
            } else expect(make).toThrow(RangeError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('over many types and sources in turn (each schema its own pair, more schemas than are held), as the rule says', () => {
    const sources = sourcesFilled(24, (b, n) => {
      new Uint8Array(b).forEach((_, i, a) => {
        a[i] = (i * 7 + n) & 255;
      });
    });
    // 20 schemas of 18 sizes (two of equal structure): more than the 16 whose pairs are held at once.
    const types = [P, Q, struct({ x: f64, id: u32 }, { name: 'P' }), ...Array.from({ length: 17 }, (_, k) => array(u32, k + 1))];
    const dataOf = (which: number) => new DataView((which === 3 ? sources[0]![0] : sources[which]![0]) as ArrayBuffer);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: types.length - 1 }), fc.integer({ min: 0, max: 3 }), offsets, fc.boolean()), {
          minLength: 1,
          maxLength: 80,
        }),
        (calls) => {
          for (const [t, which, off, method] of calls) {
            const T = types[t]!;
            const [src, length, base] = sources[which]!;
            const l = sizeof(T);
            const align = alignof(T);
            const make = () => (method ? T.view(src, off as number) : view(T, src, off as number)) as unknown as { $byteOffset: number };
            if (allowed(off === undefined ? 0 : off, l, align, length, base)) {
              const v = make();
              const at = base + ((off as number) ?? 0);
              expect(v.$byteOffset).toBe(at);
              const d = dataOf(which);
              if (t === 1) expect((v as unknown as { a: number }).a).toBe(d.getUint16(at, true));
              else if (t <= 2) expect((v as unknown as { x: number }).x).toBe(d.getFloat64(at, true));
              else expect((v as unknown as { get(i: number): number }).get(0)).toBe(d.getUint32(at, true));
            } else expect(make).toThrow(RangeError);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('schemas used once keep no buffer alive: at most the last two sources of the 16 most recent schemas, and one more', async () => {
    const gc = collector();
    const types = Array.from({ length: 40 }, () => struct({ a: u32, b: f64 }));
    const refs = (() =>
      types.flatMap((T, k) =>
        [0, 1, 2].map((j) => {
          const sab = new SharedArrayBuffer(64);
          new Uint32Array(sab)[2] = k + j;
          expect((j === 1 ? T.view(sab, 8) : view(T, sab, 8)).a).toBe(k + j);
          return new WeakRef(sab);
        }),
      ))();
    // Bun's collector scans the stack conservatively: a stale slot may keep a buffer through a collection.
    let alive = refs.length;
    for (let turn = 0; turn < 5 && alive > 33; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
      alive = refs.filter((r) => r.deref() !== undefined).length;
    }
    expect(alive).toBeLessThanOrEqual(33);
    // A schema whose pairs were let go makes views as before.
    const sab = new SharedArrayBuffer(64);
    new Uint32Array(sab)[4] = 7;
    for (let i = 0; i < 3; i++) expect(types[0]!.view(sab, 16).a).toBe(7);
  });

  it.runIf(V8_BEFORE_12 && codegenActive())(
    'Node 20: two types viewed in turn through view() keep neither buffer once their records forget their pairs (but the last one viewed)',
    async () => {
      const gc = collector();
      const Tag = struct({ kind: u32, len: u32, w: f64 });
      const first = (() => {
        const a = new SharedArrayBuffer(64);
        const b = new SharedArrayBuffer(64);
        new Float64Array(a)[1] = 1.5;
        new Float64Array(b)[1] = 2.5;
        // P over a and Tag over b in turn: view() serves both pairs from one function of both.
        for (let k = 0; k < 6; k++) expect([view(P, a, 8).x, view(Tag, b, 0).w]).toEqual([1.5, 2.5]);
        return new WeakRef(a);
      })();
      // More than 16 schemas remember a pair since: P's and Tag's records forget theirs.
      const other = new SharedArrayBuffer(8);
      for (let k = 0; k < 20; k++) struct({ [`f${k}`]: u32 }).view(other, 0);
      let alive = true;
      for (let turn = 0; turn < 5 && alive; turn++) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        gc();
        alive = first.deref() !== undefined;
      }
      expect(alive).toBe(false);
    },
  );

  it("one type over two buffers in turn, then a third: every view is the rule's (the two remembered pairs and the one beside them)", () => {
    const bufs = [new SharedArrayBuffer(64), new SharedArrayBuffer(48), new ArrayBuffer(64), new SharedArrayBuffer(32)];
    bufs.forEach((b, i) => {
      new Float64Array(b).fill(i + 0.5);
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: -8, max: 64 }), fc.boolean()), { minLength: 1, maxLength: 80 }),
        (calls) => {
          for (const [i, off, method] of calls) {
            const b = bufs[i]!;
            const make = () => (method ? P.view(b, off) : view(P, b, off)) as unknown as { $byteOffset: number; x: number };
            if (allowed(off, 16, 8, b.byteLength, 0)) {
              const v = make();
              expect(v.$byteOffset).toBe(off);
              expect(v.x).toBe(i + 0.5);
            } else expect(make).toThrow(RangeError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an ArrayBuffer detached after views were made of it: the next view at the same offset is refused with a code', () => {
    const ab = new ArrayBuffer(64);
    new Float64Array(ab)[2] = 2.5;
    for (let i = 0; i < 5; i++) expect(P.view(ab, 16).x).toBe(2.5); // remembered
    expect(view(Q, ab, 4).$byteOffset).toBe(4);
    const moved = structuredClone(ab, { transfer: [ab] });
    expect(ab.byteLength).toBe(0);
    for (const make of [() => P.view(ab, 16), () => view(P, ab, 16), () => view(Q, ab, 4), () => P.view(ab, 0)])
      expect(errorCodeOf(make)).toBe('out_of_bounds');
    expect(P.view(moved, 16).x).toBe(2.5);
    // A buffer detached while another was the last one viewed, then viewed again.
    const other = new ArrayBuffer(64);
    P.view(other, 0);
    const third = new ArrayBuffer(64);
    P.view(third, 0);
    structuredClone(other, { transfer: [other] });
    expect(errorCodeOf(() => P.view(other, 0))).toBe('out_of_bounds');
  });

  it("views of two types over ArrayBuffers (WebAssembly memory is one), in any order through view() and T.view, with buffers detached between: every view is the rule's", () => {
    // Every fast path serves these pairs (Node 20: a schema's pair function, a function of two pairs,
    // the structure's function over a record, the copied pair; V8 12 and later: the records), and
    // each must see a detach: a view of a detached buffer is refused with out_of_bounds.
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            {
              arbitrary: fc.record({
                op: fc.constantFrom('view', 'method'),
                t: fc.integer({ min: 0, max: 1 }),
                b: fc.integer({ min: 0, max: 2 }),
                off: fc.integer({ min: -4, max: 64 }),
              }),
              weight: 12,
            },
            { arbitrary: fc.record({ op: fc.constantFrom('detach', 'renew'), b: fc.integer({ min: 0, max: 2 }) }), weight: 2 },
          ),
          { minLength: 1, maxLength: 60 },
        ),
        (steps) => {
          const types = [struct({ x: f64, id: u32 }), struct({ a: u16, b: u8 })];
          const filled = (i: number): ArrayBuffer => {
            const ab = new ArrayBuffer(64);
            new Float64Array(ab).fill(i + 0.5);
            return ab;
          };
          const bufs = [0, 1, 2].map(filled);
          for (const any of steps) {
            const ab = bufs[any.b]!;
            if (!('t' in any)) {
              if (any.op === 'renew')
                bufs[any.b] = filled(any.b); // (a new buffer in its place, as WebAssembly memory's after it grew)
              else if (ab.byteLength !== 0) structuredClone(ab, { transfer: [ab] });
              continue;
            }
            const step = any;
            const T = types[step.t]!;
            const make = () => (step.op === 'method' ? T.view(ab, step.off) : view(T, ab, step.off)) as unknown as { x: number; a: number };
            if (ab.byteLength === 0) expect(errorCodeOf(make)).toBe('out_of_bounds');
            else if (!allowed(step.off, sizeof(T), alignof(T), 64, 0)) expect(make).toThrow(RangeError);
            else if (step.t === 0) expect(make().x).toBe(step.b + 0.5);
            else expect(make().a).toBe(new DataView(ab).getUint16(step.off, true));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('over a window of a buffer (a typed array at an offset), relative to the window', () => {
    const sab = new SharedArrayBuffer(256);
    const window = new Uint8Array(sab, 20, 64); // starts 4 bytes past an 8-byte boundary
    for (const off of [0, 4, 8, 12, 44, 48, 52, -4, 49]) {
      const ok = allowed(off, 16, 8, 64, 20);
      for (let repeat = 0; repeat < 3; repeat++) {
        if (ok) expect(P.view(window, off).$byteOffset).toBe(20 + off);
        else expect(() => P.view(window, off)).toThrow(RangeError);
      }
    }
  });

  it('a resizable ArrayBuffer is looked at afresh: views made after it shrank are refused', () => {
    // (The ES2024 resizable-buffer API, typed by hand: the project's lib is older.)
    const ab = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer & { resize(n: number): void })(64, { maxByteLength: 128 });
    expect(P.view(ab, 48).$byteOffset).toBe(48);
    ab.resize(32);
    expect(() => P.view(ab, 48)).toThrow(RangeError);
    ab.resize(128);
    expect(P.view(ab, 112).$byteOffset).toBe(112);
  });

  it('a growable SharedArrayBuffer is looked at afresh: views made after it grew are allowed', () => {
    const sab = new (SharedArrayBuffer as unknown as new (n: number, o: object) => SharedArrayBuffer & { grow(n: number): void })(32, { maxByteLength: 128 });
    expect(() => P.view(sab, 48)).toThrow(RangeError);
    sab.grow(128);
    expect(P.view(sab, 48).$byteOffset).toBe(48);
  });

  it('memory gone under an existing view: typed() after a shrink says out_of_bounds (not that the array is too long)', () => {
    const ab = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer & { resize(n: number): void })(64, { maxByteLength: 64 });
    const ps = array(P, 2).view(ab, 16); // bytes 16 … 47
    const bytes = array(u8, 8).view(ab, 48);
    ab.resize(20);
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as { code?: string }).code, (e as Error).message];
      }
      return ['no error'];
    };
    expect(codeOf(() => bytes.typed())).toEqual(['out_of_bounds', expect.stringMatching(/past the end of its buffer \(20 bytes: shrunk or detached\)/)]);
    expect(ps.length).toBe(2); // the view itself stays; its fields are the engine's errors now (errors.md)
  });

  it('a detached ArrayBuffer has no room for any view', () => {
    const ab = new ArrayBuffer(64);
    expect(P.view(ab, 16).$byteOffset).toBe(16);
    structuredClone(ab, { transfer: [ab] }); // detaches ab
    expect(() => P.view(ab, 16)).toThrow(RangeError);
    // Any offset, a negative one too, whose DataView was made before the detach: out of bounds, as
    // for every other offset (it was invalid_argument until 2026-12-04; see src/views/region.ts memoryOf).
    for (const make of [() => P.view(ab, -8), () => view(P, ab, -8), () => P.view(ab, 0.5), () => view(Q, ab, 1e9)])
      expect(errorCodeOf(make)).toBe('out_of_bounds');
    // A buffer never viewed before it was detached (no DataView of it yet): coded too, not the engine's TypeError.
    const fresh = new ArrayBuffer(64);
    structuredClone(fresh, { transfer: [fresh] });
    expect(() => view(P, fresh, 0)).toThrow('its buffer is detached');
    expect(errorCodeOf(() => P.view(fresh, 16))).toBe('out_of_bounds');
  });

  it('arrays and the remembered pair: another schema or source in between, then back', () => {
    const a = new SharedArrayBuffer(160);
    const b = new SharedArrayBuffer(32);
    const L = array(u32, 10);
    for (let r = 0; r < 4; r++) {
      expect(view(L, a, 120).$byteOffset).toBe(120);
      expect(() => view(L, b, 0)).toThrow(RangeError);
      expect(() => view(L, a, 124)).toThrow(RangeError);
      expect(view(P, b, 16).$byteOffset).toBe(16);
    }
  });

  it('after configure(), a view over the remembered pair is made in the new mode (not the class remembered before)', () => {
    const sab = new SharedArrayBuffer(256);
    const before = codegenActive();
    const classOf = (v: unknown) => (v as object).constructor;
    const old = classOf(P.view(sab, 0));
    expect(classOf(view(P, sab, 16))).toBe(old); // the remembered pair
    configure({ codegen: before ? 'off' : 'auto' });
    try {
      const fresh = classOf(P.view(new SharedArrayBuffer(64), 0)); // the slow path: the new mode's class
      expect(fresh).not.toBe(old);
      expect(classOf(P.view(sab, 32))).toBe(fresh);
      expect(classOf(view(P, sab, 48))).toBe(fresh);
    } finally {
      configure({ codegen: before ? 'auto' : 'off' });
    }
    expect(classOf(P.view(sab, 64))).toBe(old);
  });
});

describe('one DataView per buffer', () => {
  // create() keeps its new buffer's DataView on the buffer (src/views/region.ts, dataViewOfNew),
  // every other buffer's in a WeakMap: either way, every view of one buffer reads through one
  // DataView (one set of store arrays), and nothing of it shows on the buffer.
  it('a created view and every later view of its buffer share one DataView; a buffer made elsewhere is not written to', () => {
    const internals = (v: unknown) => (v as { $$d: DataView }).$$d;
    const p = P.create({ x: 1.5, id: 7 });
    const again = view(P, p.$buffer);
    const whole = view(array(u8, 16), p.$buffer);
    expect(internals(again)).toBe(internals(p));
    expect(internals(whole)).toBe(internals(p));
    expect(internals(again).buffer).toBe(p.$buffer);
    expect(again.x).toBe(1.5);
    expect(Object.keys(p.$buffer)).toEqual([]);
    expect(Object.getOwnPropertyNames(p.$buffer)).toEqual([]);
    expect(JSON.stringify(Object.getOwnPropertyDescriptors(p.$buffer))).toBe('{}'); // a symbol key, not enumerable
    expect(new Float64Array(structuredClone(p.$buffer))[0]).toBe(1.5);
    const sab = new SharedArrayBuffer(16);
    const a = view(P, sab);
    expect(internals(view(P, sab))).toBe(internals(a));
    expect(Reflect.ownKeys(sab)).toEqual([]);
  });
});
