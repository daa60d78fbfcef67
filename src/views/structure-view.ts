/**
 * The source of a structure's own `T.view` function (src/views/attach.ts evaluates it, once per
 * canonical layout): the fast path of attach.ts's shared `viewMethod` written out as text (which
 * on Node 20 serves the schema's own record, where the shared one serves a copied pair), so that
 * each structure's function is compiled from a source of its own and has feedback of its own.
 *
 * One `viewMethod` shared by every schema collects the classes of every type any code viewed
 * through it: once a program has made views of two types (a header at startup, a config struct),
 * the `new` of its fast path has seen two classes, and a loop that makes a view of one type per
 * offset no longer has the view removed (20–55 ns per view and read on Node 20 to 26, against 3–7
 * ns in a process that viewed one type only). A function per structure sees the classes of its
 * structure only. Functions made from one source share their feedback (V8 compiles a source once),
 * hence a serial number in each.
 *
 * The text holds no names or values from a schema: only the serial number, a whole number, and
 * fixed text that booleans choose (whether a pair's source is tested for a detach).
 *
 * @module
 */
import { internalError } from '../errors.js';

/**
 * The names the source reads, passed by src/views/attach.ts as the parameters of the function that
 * returns the view function: the records' key, the test of a pair, the slow path, and a record
 * that remembers nothing.
 */
export const STRUCTURE_VIEW_PARAMS = ['VIEWED', 'misses', 'viewSlow', 'NONE'] as const;

/**
 * The body of a function of {@link STRUCTURE_VIEW_PARAMS} that returns a structure's `T.view`
 * function; `branchless` as attach.ts's fast paths (V8 12 and later), `serial` makes the source
 * unique.
 */
export function structureViewSource(branchless: boolean, serial: number): string {
  if (!Number.isSafeInteger(serial) || serial < 0) throw internalError(`structureViewSource: serial ${serial} is not a whole number`);
  const head = `/* structure view ${serial} */\nreturn function view(source, byteOffset, options) {\n`;
  if (branchless) {
    return `${head}  var c;
  try {
    c = this[VIEWED];
    c = [c, c.other][Number(source !== c.source)];
    c.d.getUint8(0 - misses(c, this, source, byteOffset, options));
  } catch (e) {
    return viewSlow(this, source, byteOffset, options, undefined);
  }
  return new c.C(c.base + byteOffset, c.d);
};`;
  }
  // Node 20 branches (as attach.ts's `viewMethod` does there), and serves the schema's own record:
  // its first pair, or its second for another source (a double buffer); a detached call's `this`
  // (undefined, or anything that is not a schema) gets a record that remembers nothing.
  return `${head}  var c = (this != null && this[VIEWED]) || NONE;
  if (source !== c.source) c = c.other;
  if (this === c.type && source === c.source && options === undefined && typeof byteOffset === 'number' && byteOffset >= 0 &&
      byteOffset <= c.maxOffset && byteOffset === Math.floor(byteOffset) && ((c.base + byteOffset) & c.alignMask) === 0 &&
      c.probe.length !== 0)
    return new c.C(c.base + byteOffset, c.d);
  return viewSlow(this, source, byteOffset, options, undefined);
};`;
}

/**
 * The names the sources of {@link pairViewSource} and {@link duoViewSource} read: the slow path,
 * where a `T.view` function of one or two pairs sends what it does not serve, and where a
 * `view(T, …)` function does (src/views/attach.ts: on Node 20 `view()`'s path through its copy of
 * the pair served last, `viewMirror`; on V8 12 and later `viewAfterMiss`, which serves the
 * records).
 */
export const PAIR_VIEW_PARAMS = ['viewSlow', 'viewMissed'] as const;

/**
 * Node 20: the body of a function of {@link PAIR_VIEW_PARAMS} that returns a maker of view functions
 * serving two (schema, source) pairs at once, each held in constants of the closure:
 * `(typeA, sourceA, CA, baseA, dA, maxOffsetA, alignMaskA, probeA, typeB, …) => { method, form }`,
 * `form` for a loop that makes views of two types in turn through `view()` (a header and a record,
 * a Particle and a Tag), `method` for `T.view` over two buffers in turn (a double buffer). Served
 * from the copied pair alone, each call of such a loop went to the slow path and back (25 ns per
 * step); with the two pairs in one function, the engine inlines it and removes both views as it does
 * for one. One maker per pair of structures (`serial` makes each source unique), so that each
 * `new` in it sees one class. `probedA`, `probedB`: that pair's source is an `ArrayBuffer`, tested
 * for a detach (`probe`, a one-byte array over it, reads length 0 then).
 */
export function duoViewSource(serial: number, probedA: boolean, probedB: boolean): string {
  if (!Number.isSafeInteger(serial) || serial < 0) throw internalError(`duoViewSource: serial ${serial} is not a whole number`);
  const aliveA = probedA ? ' && pa.length !== 0' : '';
  const aliveB = probedB ? ' && pb.length !== 0' : '';
  const tests = (t: string): string => `    if (${t} === ta && source === sa && options === undefined && typeof byteOffset === 'number' && byteOffset >= 0 &&
        byteOffset <= ma && byteOffset === Math.floor(byteOffset) && ((ba + byteOffset) & ka) === 0${aliveA})
      return new Ca(ba + byteOffset, da);
    if (${t} === tb && source === sb && options === undefined && typeof byteOffset === 'number' && byteOffset >= 0 &&
        byteOffset <= mb && byteOffset === Math.floor(byteOffset) && ((bb + byteOffset) & kb) === 0${aliveB})
      return new Cb(bb + byteOffset, db);`;
  return `/* duo view ${serial} */
return function duoView(ta, sa, Ca, ba, da, ma, ka, pa, tb, sb, Cb, bb, db, mb, kb, pb) {
  var method = function view(source, byteOffset, options) {
${tests('this')}
    return viewSlow(this, source, byteOffset, options, undefined);
  };
  var form = function view(t, source, byteOffset, options) {
${tests('t')}
    return viewMissed(t, source, byteOffset, options);
  };
  return { method: method, form: form };
};`;
}

/**
 * The body of a function of {@link PAIR_VIEW_PARAMS} that returns a structure's maker of
 * pair functions, `(type, source, C, base, d, maxOffset, alignMask) => { method, form }`: view
 * functions that serve one (schema, source) pair, held in constants of their closure, `method` with
 * the schema as `this` (`T.view`), `form` with the schema as first argument (`view(T, …)`). A
 * schema's `T.view` is its `method` from the first pair its record remembers until it remembers a
 * second (src/views/attach.ts, `servePair`); then the structure's own function
 * ({@link structureViewSource}), which reads the record. The public `view` is the `form` of the
 * pair remembered last while that is so (attach.ts, `serve`; on Node 20 also the pair served last
 * from a record, `serveMirror`).
 *
 * In a loop over a known schema the engine inlines the one function the call site has seen, and
 * reads what its closure holds as constants: `Particle.view(sab, off).x` over 1M offsets on Node 20,
 * 3.1 → 1.75 ns per view and read in a probe (the record's fields are loaded and their object's
 * shape checked on every call). Made afresh for a pair, a second function at a call site would cost
 * it that: 3.6 ns in the same probe once a call site had seen two such functions, more than the
 * record's 3.1, hence one pair per schema and the record from its second pair on. One maker per
 * structure, for the reason {@link structureViewSource} gives (`serial` makes each source unique).
 *
 * The tests are those of attach.ts's `misses`, written without a branch on every engine: one probe
 * of the pair's `DataView`, which throws for any miss, and for a detached `ArrayBuffer` whatever
 * the offset (so one form serves both kinds of source). On V8 12 and later that is the form their
 * fast paths need (a branch keeps the view); on Node 20, where the record-reading fast paths branch,
 * it ran these functions 25–30% faster than the branching form they had (pattern 4 of
 * bench/real-use.mjs, 2026-12-04, the builds alternated: `T.view` 2.33–2.53 → 1.63–1.89 ns,
 * `view(T, …)` 2.54–2.76 → 1.88–2.08, WebAssembly memory 2.57–3.51 → 1.54–1.70).
 */
export function pairViewSource(serial: number): string {
  if (!Number.isSafeInteger(serial) || serial < 0) throw internalError(`pairViewSource: serial ${serial} is not a whole number`);
  const misses = (self: string): string =>
    `d.getUint8(0 - (Number(${self} !== type) | Number(source !== src) | Number(options !== undefined) | Number(!Number.isSafeInteger(byteOffset)) |
        Number(byteOffset < 0) | Number(byteOffset > maxOffset) | Number(((base + byteOffset) & alignMask) !== 0)));`;
  return `/* pair view ${serial} */
return function pairView(type, src, C, base, d, maxOffset, alignMask) {
  var method = function view(source, byteOffset, options) {
    try {
      ${misses('this')}
    } catch (e) {
      return viewSlow(this, source, byteOffset, options, undefined);
    }
    return new C(base + byteOffset, d);
  };
  var form = function view(t, source, byteOffset, options) {
    try {
      ${misses('t')}
    } catch (e) {
      return viewMissed(t, source, byteOffset, options);
    }
    return new C(base + byteOffset, d);
  };
  return { method: method, form: form };
};`;
}
