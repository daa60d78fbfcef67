// `T.view` is the view function of the schema's structure (src/views/attach.ts `viewGetter`):
// made once per canonical layout from a source of its own (src/views/structure-view.ts), shared by
// equal schemas, and the same views and errors as `view(T, …)` whatever `this` it is called with.
// (views-alloc.test.ts shows what it is for; region.test.ts checks the regions it accepts.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { array, codegenActive, errorCode, f32, f64, struct, u8, u16, u32, union, view } from '../../src/index.js';
import * as sc from '../../src/index.js';
import { V8_BEFORE_12 } from '../../src/engine.js';
import { duoMakersLeft } from '../../src/views/attach.js';
import { duoViewSource, pairViewSource, structureViewSource } from '../../src/views/structure-view.js';
import { thrown } from '../support/errors.js';

const make = () => struct({ x: f64, id: u32 }, { name: 'P' });

/** A view's contents as plain data (a record's `toObject()`, an array's `toArray()`), with its offset. */
function plain(v: unknown): unknown {
  const w = v as { toObject?: () => unknown; toArray?: () => unknown; $byteOffset: number };
  return [w.$byteOffset, w.toObject === undefined ? w.toArray?.() : w.toObject()];
}

/** `T.view` called as a function, with any `this` and arguments. */
type Loose = (this: unknown, s: unknown, o?: unknown, options?: unknown) => { x: number };

/**
 * Two equal schemas `a`, `b` whose first pair (over `sab`, x = 1.5 at offset 16; `other` has 2.5
 * there) has just made each one's `T.view` a function of that pair, `pairA` being `a`'s; with what
 * such a function does on every engine: it serves its own pair only, and another source, schema or
 * `this` go the slow way and come out as `view(T, …)` makes (or refuses) them.
 */
function firstPairs() {
  const a = make();
  const b = make();
  const sab = new SharedArrayBuffer(64);
  const other = new SharedArrayBuffer(64);
  new Float64Array(sab)[2] = 1.5;
  new Float64Array(other)[2] = 2.5;
  const x = (T: typeof a, s: SharedArrayBuffer): number => (T.view(s, 16) as unknown as { x: number }).x;
  expect([x(a, sab), x(b, sab)]).toEqual([1.5, 1.5]);
  const pairA = a.view as unknown as Loose;
  expect(pairA).not.toBe(b.view); // each schema's first pair, its own function
  expect(pairA.call(a, other, 16).x).toBe(2.5);
  expect(pairA.call(b, sab, 16).x).toBe(1.5);
  const Q = struct({ a: u16, b: u8 }, { name: 'Q' });
  new Uint16Array(sab)[0] = 513;
  expect((pairA.call(Q, sab, 0) as unknown as { a: number }).a).toBe(513);
  expect(errorCode(thrown(() => pairA.call(undefined, sab, 16)))).toBe('invalid_type');
  return { a, b, sab, other, x, pairA };
}

describe('T.view, a view function per structure', () => {
  it('equal structures share one view function, other structures have their own (the shared one where code is not generated)', () => {
    const a = make();
    const b = make(); // built separately, equal structure
    const c = struct({ x: f64, id: u16 }, { name: 'P' });
    const sab = new SharedArrayBuffer(64);
    const other = new SharedArrayBuffer(64);
    // The first call finds the function; on Node 20 the first pair gets a function of its own
    // and the second a function of both (below), and a third source makes `T.view` the structure's.
    const third = new SharedArrayBuffer(64);
    for (const T of [a, b, c]) T.view(sab, 16);
    for (const T of [a, b, c]) T.view(other, 8);
    for (const T of [a, b, c]) T.view(third, 8);
    expect(a.view).toBe(b.view);
    if (codegenActive()) {
      expect(a.view).not.toBe(c.view);
      expect(array(f32, 4).view).not.toBe(a.view);
    } else expect(a.view).toBe(c.view);
    expect(typeof a.view).toBe('function');
  });

  it('makes the same views as view(T, …), before and after its first call, over the sources it remembers and others', () => {
    const types = [make(), struct({ a: u16, b: u8 }, { name: 'Q' }), union({ f: f32, u: u32 }), array(u32, 3)];
    const sources = [new SharedArrayBuffer(128), new SharedArrayBuffer(96), new ArrayBuffer(128)];
    for (const [n, b] of sources.entries()) {
      const bytes = new Uint8Array(b);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + n) & 255;
    }
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(types.length - 1), fc.nat(sources.length - 1), fc.integer({ min: -8, max: 140 })), { maxLength: 80 }), (calls) => {
        for (const [t, s, off] of calls) {
          const T = types[t]!;
          const source = sources[s]!;
          let expected: unknown;
          try {
            expected = plain(view(T as never, source, off));
          } catch (e) {
            expect(() => T.view(source, off)).toThrow((e as Error).constructor as never);
            expect(errorCode(e)).toBeDefined();
            continue;
          }
          expect(plain(T.view(source, off))).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('called with another `this` it views that: another schema, or nothing (a coded error), however it was taken', () => {
    const P = make();
    const Q = struct({ a: u16, b: u8 }, { name: 'Q' });
    const sab = new SharedArrayBuffer(64);
    new Uint16Array(sab)[0] = 513;
    type Loose = (this: unknown, s: SharedArrayBuffer, o: number) => unknown;
    const before = P.view as unknown as Loose; // the first call's function
    P.view(sab);
    const after = P.view as unknown as Loose; // the structure's (on Node 20, the function of its first pair)
    for (const taken of [before, after]) {
      // another schema as `this`: a view of that schema
      const q = taken.call(Q, sab, 0) as { a: number };
      expect(q.a).toBe(513);
      // a detached call, or `this` that is not a schema: the slow path refuses it by name
      // (the schemas' prototypes carry the schema mark too, and crashed deeper down before isSchema asked for a kind)
      for (const self of [undefined, null, 5, 'P', {}, Object.create(null), Object.getPrototypeOf(P), Object.getPrototypeOf(Object.getPrototypeOf(P))]) {
        let caught: unknown;
        try {
          taken.call(self, sab, 0);
        } catch (e) {
          caught = e;
        }
        expect(errorCode(caught), String(caught)).toBe('invalid_type');
      }
    }
  });

  it("an object that inherits from a schema and describes other fields fills the schema's record, never the schema's views", () => {
    // It passes for a schema of its own fields (view() reads them through the prototype chain) and
    // finds the schema's record through that chain too, so its pair is remembered there: the
    // record's pair then names it, and the schema's own view functions must not serve it to the
    // schema (Node 20's structure function asks `this === c.type`, the other engines' `misses`).
    const T = struct({ a: u32 }, { name: 'T' });
    const U = struct({ b: f64, c: f64 }, { name: 'U' });
    const impostor = Object.create(T, { fields: { value: U.fields } }) as typeof U;
    const sab = new SharedArrayBuffer(64);
    new Uint32Array(sab)[2] = 7;
    new Float64Array(sab)[2] = 2.5;
    type Sized = { $byteLength: number; $byteOffset: number };
    for (let turn = 0; turn < 4; turn++) {
      const u = view(impostor, sab, 8) as unknown as Sized & { b: number; c: number };
      expect([u.$byteLength, u.c]).toEqual([16, 2.5]);
      for (const t of [T.view(sab, 8), view(T, sab, 8)] as unknown as (Sized & { a: number })[]) {
        expect([t.$byteLength, t.$byteOffset, t.a]).toEqual([4, 8, 7]);
      }
    }
  });

  it.runIf(V8_BEFORE_12 && codegenActive())(
    "Node 20: a schema's first pair has a function of its own, its second one of both, until a third pair, a forgotten pair or configure()",
    () => {
      const spare = duoMakersLeft() > 0; // the test files that ran before in this module state may have made every maker
      const { a, b, sab, other, x, pairA } = firstPairs();
      expect(() => pairA.call(a, sab, 56)).toThrow(RangeError); // aligned, 8 bytes past the end
      expect(() => pairA.call(a, sab, 4)).toThrow(RangeError); // misaligned for f64
      // The structure's function: an equal schema's after three sources (its second made the
      // structure's maker of two-pair functions, if one was left to make).
      const g = make();
      const third = new SharedArrayBuffer(64);
      new Float64Array(third)[2] = 3.5;
      expect([x(g, sab), x(g, other), x(g, third)]).toEqual([1.5, 2.5, 3.5]);
      const general = g.view as unknown as Loose;
      // A second source: a function of both pairs, which serves those two only.
      expect(x(a, other)).toBe(2.5);
      const both = a.view as unknown as Loose;
      expect(both).not.toBe(pairA);
      if (both === general) {
        expect(spare).toBe(false);
        return;
      }
      for (let k = 0; k < 3; k++) expect([x(a, sab), x(a, other)]).toEqual([1.5, 2.5]);
      expect(a.view).toBe(both);
      expect(both.call(a, third, 16).x).toBe(3.5); // not its pair: the slow path (which makes a's third pair)
      expect(both.call(b, sab, 16).x).toBe(1.5);
      expect(errorCode(thrown(() => both.call(undefined, sab, 16)))).toBe('invalid_type');
      expect(() => both.call(a, other, 56)).toThrow(RangeError); // aligned, 8 bytes past the end
      expect(() => both.call(a, other, 4)).toThrow(RangeError); // misaligned for f64
      // A third: the structure's function, shared by equal schemas, for good.
      expect(a.view).not.toBe(both);
      expect(a.view).toBe(general);
      expect(x(b, other)).toBe(2.5);
      expect(x(b, third)).toBe(3.5);
      expect(a.view).toBe(b.view);
      expect(x(a, sab)).toBe(1.5);
      expect(a.view).toBe(b.view);
      // A record that forgets its pair (more than 16 schemas remember one since) lets go of the
      // function of that pair, and of its buffer.
      const c = make();
      expect(x(c, sab)).toBe(1.5);
      const pairC = c.view;
      for (let k = 0; k < 20; k++) struct({ [`f${k}`]: u32 }).view(sab, 0);
      expect(c.view).not.toBe(pairC);
      expect(c.view).toBe(a.view);
      expect(x(c, sab)).toBe(1.5);
    },
  );

  it.runIf(!V8_BEFORE_12 && codegenActive())(
    "V8 12 and later: a schema's first pair has a function of its own, serving that pair only, until a second pair, a forgotten pair or configure()",
    () => {
      const { a, b, sab, other, x, pairA } = firstPairs();
      // Offsets, options: the same errors as view(T, …).
      expect(pairA.call(a, sab).x).toBe(new DataView(sab).getFloat64(0, true)); // no offset: 0
      expect(pairA.call(a, sab, 16, { checked: true }).x).toBe(1.5);
      for (const [at, code] of [
        [56, 'out_of_bounds'], // aligned, 8 bytes past the end
        [4, 'misaligned'],
        [-8, 'invalid_argument'],
        [1.5, 'invalid_argument'],
        [2 ** 53, 'out_of_bounds'],
        ['16', 'invalid_argument'],
        [16n, 'invalid_argument'],
      ] as const) {
        expect(errorCode(thrown(() => pairA.call(a, sab, at))), String(at)).toBe(errorCode(thrown(() => view(make(), sab, at as number))));
        expect(errorCode(thrown(() => pairA.call(a, sab, at))), String(at)).toBe(code);
      }
      expect(errorCode(thrown(() => pairA.call(a, sab, 16, { checked: 1 })))).toBe('invalid_argument');
      // A second source: the structure's function (which reads the record's two pairs), shared by equal schemas.
      expect(x(a, other)).toBe(2.5);
      expect(a.view).not.toBe(pairA);
      expect(x(b, other)).toBe(2.5);
      expect(a.view).toBe(b.view);
      for (let k = 0; k < 3; k++) expect([x(a, sab), x(a, other)]).toEqual([1.5, 2.5]);
      // A record that forgets its pair (more than 16 schemas remember one since) lets go of the
      // function of that pair, and of its buffer.
      const c = make();
      expect(x(c, sab)).toBe(1.5);
      const pairC = c.view;
      expect(pairC).not.toBe(a.view);
      for (let k = 0; k < 20; k++) struct({ [`f${k}`]: u32 }).view(sab, 0);
      expect(c.view).not.toBe(pairC);
      expect(c.view).toBe(a.view);
      expect(x(c, sab)).toBe(1.5);
    },
  );

  it.runIf(V8_BEFORE_12 && codegenActive())('Node 20: view(T, …) calls the function of the pair served last, which serves that pair only', () => {
    const sab = new SharedArrayBuffer(64);
    const other = new SharedArrayBuffer(64);
    new Float64Array(sab)[2] = 1.5;
    new Float64Array(other)[2] = 2.5;
    new Uint16Array(sab)[0] = 513;
    const Q = struct({ a: u16, b: u8 }, { name: 'Q' });
    const x = (T: ReturnType<typeof make>, s: SharedArrayBuffer, at = 16): number => (view(T, s, at) as unknown as { x: number }).x;
    // Each case with a schema whose first pair view(T, …) has just served: the next call goes to that
    // pair's function first. Another source, another offset, another type, options: as made afresh.
    const fresh = (): ReturnType<typeof make> => {
      const T = make();
      expect(x(T, sab)).toBe(1.5);
      expect(x(T, sab, 8)).toBe(0); // served by the pair's function
      return T;
    };
    expect(x(fresh(), other)).toBe(2.5);
    fresh();
    expect((view(Q, sab, 0) as unknown as { a: number }).a).toBe(513);
    let T = fresh();
    expect(() => view(T, sab, 56)).toThrow(RangeError); // aligned, 8 bytes past the end
    T = fresh();
    expect(() => view(T, sab, 4)).toThrow(RangeError); // misaligned for f64
    T = fresh();
    const badOption = { checked: 1 } as unknown as { checked: boolean };
    expect(errorCode(thrown(() => view(T, sab, 16, badOption)))).toBe(errorCode(thrown(() => view(make(), sab, 16, badOption))));
    T = fresh();
    expect((view(T, sab, 16, { checked: true }) as unknown as { x: number }).x).toBe(1.5);
    fresh();
    expect((view('d', sab, 16) as unknown as { value: number }).value).toBe(1.5); // a typecode
    fresh();
    expect(errorCode(thrown(() => view(null as unknown as typeof T, sab, 16)))).toBe('invalid_type');
  });

  it.runIf(V8_BEFORE_12 && codegenActive())(
    'Node 20: view(T, …) of two types in turn serves both pairs from one function, which serves those pairs only',
    () => {
      const sab = new SharedArrayBuffer(64);
      const other = new SharedArrayBuffer(64);
      new Float64Array(sab).set([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);
      new Float64Array(other).set([10.5, 11.5, 12.5, 13.5, 14.5, 15.5, 16.5, 17.5]);
      const Tag = () => struct({ kind: u32, len: u32, w: f64 }, { name: 'Tag' });
      const x = (T: unknown, s: SharedArrayBuffer, at: number, o?: { checked: boolean }): number =>
        (view(T as ReturnType<typeof make>, s, at, o) as unknown as { x: number }).x;
      const w = (T: unknown, s: SharedArrayBuffer, at: number, o?: { checked: boolean }): number =>
        (view(T as ReturnType<typeof Tag>, s, at, o) as unknown as { w: number }).w;
      // Each case after views of a P and a Tag in turn: the next call goes to the function of both
      // pairs first. Each pair's tests (source, offset, alignment, options, type) as made afresh.
      const fresh = (): [ReturnType<typeof make>, ReturnType<typeof Tag>] => {
        const P = make();
        const T = Tag();
        for (let k = 0; k < 4; k++) {
          expect(x(P, sab, 8 * k)).toBe(0.5 + k);
          expect(w(T, sab, 8 * k)).toBe(1.5 + k);
        }
        return [P, T];
      };
      let [P, T] = fresh();
      expect(x(P, other, 16)).toBe(12.5);
      [P, T] = fresh();
      expect(w(T, other, 16)).toBe(13.5);
      [P, T] = fresh();
      expect(x(P, sab, 48)).toBe(6.5); // the last place a P fits
      expect(() => view(P, sab, 56)).toThrow(RangeError); // aligned, 8 bytes past the end
      expect(() => view(T, sab, 56)).toThrow(RangeError);
      [P, T] = fresh();
      expect(() => view(P, sab, 4)).toThrow(RangeError); // misaligned for f64
      expect(() => view(T, sab, 4)).toThrow(RangeError);
      expect(() => view(T, sab, 1.5)).toThrow(RangeError);
      expect(() => view(T, sab, -8)).toThrow(RangeError);
      [P, T] = fresh();
      expect(x(P, sab, 16, { checked: true })).toBe(2.5);
      expect(w(T, sab, 16, { checked: true })).toBe(3.5);
      const badOption = { checked: 1 } as unknown as { checked: boolean };
      expect(errorCode(thrown(() => view(T, sab, 16, badOption)))).toBe(errorCode(thrown(() => view(Tag(), sab, 16, badOption))));
      // A third type, a typecode, an equal schema made afresh, nothing.
      [P, T] = fresh();
      const small = new SharedArrayBuffer(8);
      new Uint16Array(small)[0] = 513;
      expect((view(struct({ a: u16, b: u8 }), small, 0) as unknown as { a: number }).a).toBe(513);
      expect(x(P, sab, 16)).toBe(2.5);
      expect((view('d', sab, 16) as unknown as { value: number }).value).toBe(2.5);
      expect(w(Tag(), sab, 16)).toBe(3.5);
      expect(errorCode(thrown(() => view(null as unknown as typeof P, sab, 16)))).toBe('invalid_type');
      // One type over two buffers in turn is two pairs too.
      [P, T] = fresh();
      for (let k = 0; k < 3; k++) expect([x(P, sab, 8), x(P, other, 8), w(T, sab, 0)]).toEqual([1.5, 11.5, 1.5]);
      // ArrayBuffers (WebAssembly memory's) in turn, one detached: refused, the other still served.
      {
        const [P2, T2] = [make(), Tag()];
        const abP = new ArrayBuffer(64);
        const abT = new ArrayBuffer(64);
        new Float64Array(abP)[1] = 1.5;
        new Float64Array(abT)[2] = 2.5;
        for (let k = 0; k < 4; k++) {
          expect(x(P2, abP as unknown as SharedArrayBuffer, 8)).toBe(1.5);
          expect(w(T2, abT as unknown as SharedArrayBuffer, 8)).toBe(2.5);
        }
        structuredClone(abP, { transfer: [abP] });
        expect(errorCode(thrown(() => view(P2, abP, 8)))).toBe('out_of_bounds');
        expect(w(T2, abT as unknown as SharedArrayBuffer, 8)).toBe(2.5);
        for (let k = 0; k < 4; k++) expect(w(T2, abT as unknown as SharedArrayBuffer, 8)).toBe(2.5);
        structuredClone(abT, { transfer: [abT] });
        expect(errorCode(thrown(() => view(T2, abT, 8)))).toBe('out_of_bounds');
      }
      // Records that forget their pairs (more than 16 schemas remember one since): the views are still the rule's.
      [P, T] = fresh();
      for (let k = 0; k < 20; k++) struct({ [`f${k}`]: u32 }).view(sab, 0);
      expect([x(P, sab, 24), w(T, sab, 24), x(P, other, 24)]).toEqual([3.5, 4.5, 13.5]);
    },
  );

  it.runIf(codegenActive())("a schema's pair functions serve an ArrayBuffer (WebAssembly memory's) until it is detached", () => {
    const ab = new ArrayBuffer(64);
    new Float64Array(ab)[1] = 1.5;
    const buf = ab as unknown as SharedArrayBuffer;
    const P = make(); // T.view: its first pair's function
    const Q = make(); // view(T, …): its first pair's function
    for (let k = 0; k < 4; k++) {
      expect(P.view(buf, 8).x).toBe(1.5);
      expect((view(Q, buf, 8) as unknown as { x: number }).x).toBe(1.5);
    }
    structuredClone(ab, { transfer: [ab] });
    expect(errorCode(thrown(() => P.view(buf, 8)))).toBe('out_of_bounds');
    expect(errorCode(thrown(() => view(Q, buf, 8)))).toBe('out_of_bounds');
    expect(errorCode(thrown(() => view(P, buf, 8)))).toBe('out_of_bounds');
  });

  it.runIf(codegenActive())('the public view is the function of the pair served last; a view kept from before still makes every view', () => {
    const sab = new SharedArrayBuffer(64);
    new Float64Array(sab)[1] = 1.5;
    const P = make();
    const before = sc.view;
    expect((sc.view(P, sab, 8) as unknown as { x: number }).x).toBe(1.5);
    const now = sc.view;
    expect(now).not.toBe(before); // P's pair's function
    expect([now.name, now.length]).toEqual(['view', 4]);
    // The one taken before, and P's, serve anything: another type, a typecode, errors.
    const Q = struct({ a: u16, b: u8 });
    for (const f of [before, now]) {
      expect((f(P, sab, 8) as unknown as { x: number }).x).toBe(1.5);
      expect((f(Q, sab, 8) as unknown as { a: number }).a).toBe(new DataView(sab).getUint16(8, true));
      expect((f('d', sab, 8) as unknown as { value: number }).value).toBe(1.5);
      expect(errorCode(thrown(() => f(P, sab, 56)))).toBe('out_of_bounds');
      expect(errorCode(thrown(() => f(null as unknown as typeof P, sab, 8)))).toBe('invalid_type');
    }
    expect(sc.view).not.toBe(now); // a typecode's pair was served last
    expect(sc.view.name).toBe('view');
  });

  it.runIf(!V8_BEFORE_12 && codegenActive())(
    'V8 12 and later: view is the function of the pair remembered last until a pair the records hold is viewed through it; an error keeps it',
    () => {
      const sab = new SharedArrayBuffer(64);
      new Float64Array(sab)[1] = 1.5;
      new Float64Array(sab)[3] = 3.5;
      // A typecode's pair, viewed twice (the second time through the records, after a miss of any
      // pair's function an earlier test left): the function that reads the records.
      const made = (sc.view('d', sab, 8), sc.view('d', sab, 8), sc.view);
      // A pair T.view remembers first while that is view makes view its function.
      const W = make();
      expect(W.view(sab, 8).x).toBe(1.5);
      const ofW = sc.view;
      expect(ofW).not.toBe(made);
      expect((sc.view(W, sab, 8) as unknown as { x: number }).x).toBe(1.5);
      expect(sc.view).toBe(ofW);
      const P = make();
      const Q = struct({ a: u16, b: u8 });
      const x = (at: number): number => (sc.view(P, sab, at) as unknown as { x: number }).x;
      expect(x(8)).toBe(1.5);
      const ofP = sc.view;
      expect(ofP).not.toBe(made);
      expect([ofP.name, ofP.length]).toEqual(['view', 4]);
      // Errors and other offsets keep it.
      for (const [at, code] of [
        [56, 'out_of_bounds'],
        [4, 'misaligned'],
        [-8, 'invalid_argument'],
      ] as const) {
        expect(errorCode(thrown(() => x(at)))).toBe(code);
        expect(sc.view).toBe(ofP);
      }
      expect(x(24)).toBe(3.5);
      expect(sc.view).toBe(ofP);
      // A header in a new buffer before each loop of views (its schema's first pair, then its
      // second and more, which the slow path serves after the miss) leaves view the function of
      // the loop's type.
      const H = struct({ len: u32, kind: u16 });
      const P2 = make();
      let ofP2: unknown;
      for (let k = 0; k < 4; k++) {
        const header = new SharedArrayBuffer(8);
        new Uint32Array(header)[0] = k;
        expect((sc.view(H, header) as unknown as { len: number }).len).toBe(k);
        expect((sc.view(P2, sab, 24) as unknown as { x: number }).x).toBe(3.5);
        if (k === 0) ofP2 = sc.view;
        expect(sc.view).toBe(ofP2);
      }
      expect(ofP2).not.toBe(ofP);
      // Another type new to the records: its pair's function.
      expect((sc.view(Q, sab, 8) as unknown as { a: number }).a).toBe(new DataView(sab).getUint16(8, true));
      const ofQ = sc.view;
      expect(ofQ).not.toBe(ofP);
      expect(ofQ).not.toBe(made);
      // P again, which its record holds: served, and view reads the records from now on (two types
      // in turn would otherwise miss the published function every other call, an exception each).
      for (let k = 0; k < 3; k++) {
        expect(x(8)).toBe(1.5);
        expect(sc.view).toBe(made);
        expect((sc.view(Q, sab, 8) as unknown as { a: number }).a).toBe(new DataView(sab).getUint16(8, true));
        expect(sc.view).toBe(made);
      }
      // A record that forgets its pair (more than 16 schemas remember one since) lets go of the
      // function of that pair, and of its buffer.
      const R = make();
      expect((sc.view(R, sab, 8) as unknown as { x: number }).x).toBe(1.5);
      const ofR = sc.view;
      expect(ofR).not.toBe(made);
      const others = Array.from({ length: 20 }, (_, k) => struct({ [`f${k}`]: u32 }));
      for (const T of others.slice(0, 10)) T.view(sab, 0);
      expect(sc.view).toBe(ofR); // T.view's pairs leave it
      for (const T of others.slice(10)) T.view(sab, 0);
      expect(sc.view).not.toBe(ofR);
      // Once no pair's function is view, the next first pair T.view remembers makes it its
      // function (a pair T.view remembered first, viewed through view() later, would be served by
      // the records alone); R's pair, remembered again, is not its record's first.
      const ofLater = sc.view;
      expect(ofLater).not.toBe(made);
      expect((sc.view(R, sab, 8) as unknown as { x: number }).x).toBe(1.5);
      expect(sc.view).toBe(ofLater);
      // So does a record's second pair, made through `T.view` too.
      const S = make();
      expect((sc.view(S, sab, 8) as unknown as { x: number }).x).toBe(1.5);
      expect(sc.view).not.toBe(made);
      expect(S.view(new SharedArrayBuffer(64), 8).x).toBe(0);
      expect(sc.view).toBe(made);
      // Through a pair's function, the records serve another schema's pairs with the fast path's
      // tests: a bad offset is refused as view() refuses it, and view stays that function.
      const two = make();
      const sab2 = new SharedArrayBuffer(64);
      new Float64Array(sab2)[1] = 2.5;
      expect([sc.view(two, sab2, 8), sc.view(two, sab, 8)].map((v) => (v as unknown as { x: number }).x)).toEqual([2.5, 1.5]);
      const U = struct({ r: u32, u: u8 });
      sc.view(U, sab, 0);
      const ofU = sc.view;
      for (const [source, at, code] of [
        [sab, 56, 'out_of_bounds'],
        [sab2, 56, 'out_of_bounds'],
        [sab2, 4, 'misaligned'],
      ] as const) {
        expect(errorCode(thrown(() => sc.view(two, source, at))), `${at}`).toBe(code);
        expect(sc.view).toBe(ofU);
      }
    },
  );

  it.runIf(codegenActive())("after configure({ codegen: 'off' }) no pair's function is made (no code is evaluated)", () => {
    // A structure no maker of pair functions was made for yet (they are kept per structure).
    const make = () => struct({ x: f64, id: u32, codegenOff: u8 });
    const P = make();
    const bufs = [0, 1, 2, 3].map((i) => {
      const b = new SharedArrayBuffer(64);
      new Float64Array(b)[1] = i + 0.5;
      return b;
    });
    const x = (T: unknown, b: SharedArrayBuffer): number => ((T as typeof P).view(b, 8) as unknown as { x: number }).x;
    const y = (T: unknown, b: SharedArrayBuffer): number => (view(T as typeof P, b, 8) as unknown as { x: number }).x;
    expect(x(P, bufs[0]!)).toBe(0.5); // its first pair's function, made under codegen
    const Q = make();
    const real = globalThis.Function;
    sc.configure({ codegen: 'off' });
    try {
      globalThis.Function = new Proxy(real, {
        construct() {
          throw new Error('code evaluated with codegen off');
        },
        apply() {
          throw new Error('code evaluated with codegen off');
        },
      });
      // P's second and third pairs, Q's first and second, the first pair of a structure no maker
      // was made for, and two types in turn through view().
      const R = struct({ x: f64, id: u32, codegenOffR: u16 });
      for (let k = 0; k < 3; k++) {
        expect([x(P, bufs[1]!), x(P, bufs[2]!), x(Q, bufs[3]!), x(Q, bufs[0]!), x(R, bufs[1]!)]).toEqual([1.5, 2.5, 3.5, 0.5, 1.5]);
        expect([y(P, bufs[1]!), y(Q, bufs[2]!), y(P, bufs[1]!), y(Q, bufs[2]!)]).toEqual([1.5, 2.5, 1.5, 2.5]);
      }
    } finally {
      globalThis.Function = real;
      sc.configure({ codegen: 'auto' });
    }
  });

  it('its source holds nothing but its serial number', () => {
    const a = structureViewSource(true, 7);
    const b = structureViewSource(false, 8);
    expect(a).toContain('structure view 7');
    expect(b).toContain('structure view 8');
    expect(a.replace('7', '')).toBe(structureViewSource(true, 9).replace('9', ''));
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => structureViewSource(true, bad)).toThrow(/internal error/);
    expect(pairViewSource(3)).toContain('pair view 3');
    expect(pairViewSource(3).replace('3', '')).toBe(pairViewSource(4).replace('4', ''));
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => pairViewSource(bad)).toThrow(/internal error/);
    // One form for both kinds of source, every engine: its probe of the pair's DataView throws for
    // a miss and for a detached buffer, so no probe array is read.
    expect(pairViewSource(3).split('d.getUint8(0 - (').length).toBe(3); // T.view's and view(T, …)'s
    expect(pairViewSource(3)).not.toContain('probe');
    for (const probed of [false, true]) {
      for (const probedB of [false, true]) {
        expect(duoViewSource(5, probed, probedB)).toContain('duo view 5');
        expect(duoViewSource(5, probed, probedB).replace('5', '')).toBe(duoViewSource(6, probed, probedB).replace('6', ''));
        for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => duoViewSource(bad, probed, probedB)).toThrow(/internal error/);
      }
    }
    // Node 20's functions of two pairs: an ArrayBuffer's pair is also tested for a detach (its probe's length), a fixed source's not.
    expect(duoViewSource(5, true, false)).toContain('pa.length !== 0');
    expect(duoViewSource(5, true, false)).not.toContain('pb.length');
    expect(duoViewSource(5, false, true)).toContain('pb.length !== 0');
    expect(duoViewSource(5, false, true)).not.toContain('pa.length');
  });
});
