/**
 * What a typed-array accessor backend would give (docs/performance.md, "Results: accessor
 * backends"): before building one, the same element handles written by hand several ways, with
 * what the library needs either way, beside the library and a typed-array loop, on each engine.
 *
 * - `sc`: the library (`array(Particle, n).create()`, `a.get(i)`, generated accessors over a
 *   `DataView` of the whole buffer).
 * - `hand-dv`: a hand-written handle class of the library's shape over the same `DataView`: `get(i)`
 *   with the library's branchless index check (a `DataView` read that throws), getters calling
 *   `getFloat64`…, setters with the library's guard (`typeof v === 'number' && o >= 0 ? v : Q(v)`,
 *   src/codegen/access.ts `emitWrite`). Its gap to `sc` is what the generated code costs beyond
 *   its shape.
 * - `hand-ta`: the same over typed arrays of the buffer (`Float64Array`, `Float32Array`,
 *   `Uint32Array`, carried by every handle beside the `DataView`), with the checks a library needs
 *   that a `DataView` makes for free: a read of a revoked view (a channel slot after `commit()`,
 *   whose arrays are then empty) throws instead of giving `undefined` (`?? gone()`), and a write
 *   checks its index (a typed array drops a write out of bounds without a word).
 * - `hand-store`: reads through the `DataView`, writes through typed arrays hung on the `DataView`
 *   (`d.$f64[(o + 8) >> 3] = …`, one set per buffer, as src/views/region.ts keeps one `DataView`),
 *   with the library's guard. A revoked view's `DataView` would be one whose arrays are getters that
 *   throw, so the setter needs no check of its own (the child checks that such a write throws).
 * - `hand-store-typeof`: `hand-store` with the guard's `typeof` test only (no `o >= 0`).
 * - `twin`: the loop over typed arrays, no handles (the floor).
 *
 * Loops (1M Particles of 48 bytes): the update pass with `DT` a module-level `const` (real-use
 * patterns 1 and 2) and with it in a local; a sequential read of x + vx + id; x + id at 1M random
 * indices. Each row runs in a fresh process with `--trace-gc`: "first" is the first call (the whole
 * pass, compiled by on-stack replacement), "second" the second, "warm" the median of the next 10;
 * "collections" counts the young-generation collections over those 10 (0 when the engine removes
 * every handle; 1M handles of 32 bytes are ~2 collections).
 *
 *   node bench/backend.mjs [node binary…]   (after `npm run build`)
 *
 * With no binaries it runs this Node and, if test/setup/runtimes.mjs has fetched them, Node 22, 24
 * and 26. Results in bench/results/backend.md.
 */
import { fileURLToPath } from 'node:url';
import * as sc from '../dist/sharedctypes.js';
import { indices, machineInfo, median, resultOf, runAcrossEngines, writeResults } from './common.mjs';

const here = fileURLToPath(import.meta.url);
const N = 1_000_000;
const WARM = 10;
/** The update loops' time step: a module-level constant, as a simulation declares it. */
const DT = 0.015625;
const MASK = 0xfffff; // the library's index mask for 1M elements (src/codegen/access.ts indexMask)

/** Thrown by a hand-written accessor of a revoked handle (never in these loops). */
function gone() {
  throw new RangeError('the view no longer reaches its memory');
}
/** Thrown by a hand-written get(i) for a bad index (never in these loops). */
function badIndex(e, i) {
  throw new RangeError(`index ${i} is out of range (${e.message})`);
}
/** The library's conversion of a value that is not a number (src/codegen/runtime.ts `toNum`). */
function Q(v) {
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new TypeError(`takes a number (got ${typeof v})`);
}

// ---- hand-written handles over the DataView, the library's shape ----------------------------------

function HandleDv(o, d) {
  this.$$o = o;
  this.$$d = d;
}
Object.defineProperties(HandleDv.prototype, {
  x: {
    get() {
      return this.$$d.getFloat64(this.$$o, true);
    },
    set(v) {
      const o = this.$$o;
      this.$$d.setFloat64(o, typeof v === 'number' && o >= 0 ? v : Q(v), true);
    },
  },
  y: {
    get() {
      return this.$$d.getFloat64(this.$$o + 8, true);
    },
    set(v) {
      const o = this.$$o;
      this.$$d.setFloat64(o + 8, typeof v === 'number' && o >= 0 ? v : Q(v), true);
    },
  },
  z: {
    get() {
      return this.$$d.getFloat64(this.$$o + 16, true);
    },
    set(v) {
      const o = this.$$o;
      this.$$d.setFloat64(o + 16, typeof v === 'number' && o >= 0 ? v : Q(v), true);
    },
  },
  vx: {
    get() {
      return this.$$d.getFloat32(this.$$o + 24, true);
    },
  },
  vy: {
    get() {
      return this.$$d.getFloat32(this.$$o + 28, true);
    },
  },
  vz: {
    get() {
      return this.$$d.getFloat32(this.$$o + 32, true);
    },
  },
  id: {
    get() {
      return this.$$d.getUint32(this.$$o + 36, true);
    },
  },
});

// ---- hand-written handles over typed arrays, with the checks a backend needs ----------------------

/** The typed arrays of one buffer. */
function Arrays(buffer) {
  this.f64 = new Float64Array(buffer);
  this.f32 = new Float32Array(buffer);
  this.u32 = new Uint32Array(buffer);
}
function HandleTa(o, d, m) {
  this.$$o = o;
  this.$$d = d;
  this.$$m = m;
}
// Written out per field, as generated code would be (constant offsets, no closure over them).
Object.defineProperties(HandleTa.prototype, {
  x: {
    get() {
      return this.$$m.f64[this.$$o >> 3] ?? gone();
    },
    set(v) {
      const a = this.$$m.f64;
      const k = this.$$o >> 3;
      if (k >= a.length) gone();
      a[k] = typeof v === 'number' ? v : Q(v);
    },
  },
  y: {
    get() {
      return this.$$m.f64[(this.$$o + 8) >> 3] ?? gone();
    },
    set(v) {
      const a = this.$$m.f64;
      const k = (this.$$o + 8) >> 3;
      if (k >= a.length) gone();
      a[k] = typeof v === 'number' ? v : Q(v);
    },
  },
  z: {
    get() {
      return this.$$m.f64[(this.$$o + 16) >> 3] ?? gone();
    },
    set(v) {
      const a = this.$$m.f64;
      const k = (this.$$o + 16) >> 3;
      if (k >= a.length) gone();
      a[k] = typeof v === 'number' ? v : Q(v);
    },
  },
  vx: {
    get() {
      return this.$$m.f32[(this.$$o + 24) >> 2] ?? gone();
    },
  },
  vy: {
    get() {
      return this.$$m.f32[(this.$$o + 28) >> 2] ?? gone();
    },
  },
  vz: {
    get() {
      return this.$$m.f32[(this.$$o + 32) >> 2] ?? gone();
    },
  },
  id: {
    get() {
      return this.$$m.u32[(this.$$o + 36) >> 2] ?? gone();
    },
  },
});

// ---- hand-written handles: reads through the DataView, writes through typed arrays on it ----------

/** Hangs the buffer's typed arrays on `d` (always the same properties in the same order: one map). */
function withArrays(d) {
  d.$f64 = new Float64Array(d.buffer, 0, d.byteLength >> 3);
  d.$f32 = new Float32Array(d.buffer, 0, d.byteLength >> 2);
  d.$u32 = new Uint32Array(d.buffer, 0, d.byteLength >> 2);
  return d;
}
/** A revoked view's `DataView`: out of reach for reads (length 0), and its arrays throw. */
const REVOKED = new DataView(new ArrayBuffer(0));
for (const k of ['$f64', '$f32', '$u32']) Object.defineProperty(REVOKED, k, { get: gone });

function HandleStore(o, d) {
  this.$$o = o;
  this.$$d = d;
}
Object.defineProperties(HandleStore.prototype, {
  x: {
    get() {
      return this.$$d.getFloat64(this.$$o, true);
    },
    set(v) {
      const o = this.$$o;
      this.$$d.$f64[o >> 3] = typeof v === 'number' && o >= 0 ? v : Q(v);
    },
  },
  y: {
    get() {
      return this.$$d.getFloat64(this.$$o + 8, true);
    },
    set(v) {
      const o = this.$$o;
      this.$$d.$f64[(o + 8) >> 3] = typeof v === 'number' && o >= 0 ? v : Q(v);
    },
  },
  z: {
    get() {
      return this.$$d.getFloat64(this.$$o + 16, true);
    },
    set(v) {
      const o = this.$$o;
      this.$$d.$f64[(o + 16) >> 3] = typeof v === 'number' && o >= 0 ? v : Q(v);
    },
  },
  vx: {
    get() {
      return this.$$d.getFloat32(this.$$o + 24, true);
    },
  },
  vy: {
    get() {
      return this.$$d.getFloat32(this.$$o + 28, true);
    },
  },
  vz: {
    get() {
      return this.$$d.getFloat32(this.$$o + 32, true);
    },
  },
  id: {
    get() {
      return this.$$d.getUint32(this.$$o + 36, true);
    },
  },
});
function HandleStoreTypeof(o, d) {
  this.$$o = o;
  this.$$d = d;
}
Object.defineProperties(HandleStoreTypeof.prototype, {
  x: {
    get() {
      return this.$$d.getFloat64(this.$$o, true);
    },
    set(v) {
      this.$$d.$f64[this.$$o >> 3] = typeof v === 'number' ? v : Q(v);
    },
  },
  y: {
    get() {
      return this.$$d.getFloat64(this.$$o + 8, true);
    },
    set(v) {
      this.$$d.$f64[(this.$$o + 8) >> 3] = typeof v === 'number' ? v : Q(v);
    },
  },
  z: {
    get() {
      return this.$$d.getFloat64(this.$$o + 16, true);
    },
    set(v) {
      this.$$d.$f64[(this.$$o + 16) >> 3] = typeof v === 'number' ? v : Q(v);
    },
  },
  vx: {
    get() {
      return this.$$d.getFloat32(this.$$o + 24, true);
    },
  },
  vy: {
    get() {
      return this.$$d.getFloat32(this.$$o + 28, true);
    },
  },
  vz: {
    get() {
      return this.$$d.getFloat32(this.$$o + 32, true);
    },
  },
  id: {
    get() {
      return this.$$d.getUint32(this.$$o + 36, true);
    },
  },
});

// ---- the arrays: get(i) as the library writes it, one class per handle class ----------------------

/** An array class whose `get(i)` checks its index as the library does and makes a `Handle`. */
function arrayOf(Handle) {
  function A(d, m) {
    this.$$o = 0;
    this.$$d = d;
    this.$$m = m;
    this.length = N;
  }
  // Each array class gets its own `get` function literal (new Function): separate feedback and code.
  A.prototype.get = new Function(
    'H',
    'badIndex',
    'N',
    'MASK',
    'return function get(i) { const d = this.$$d; try { d.getUint8(0 - ((i >>> 0) >= N | i !== (i | 0))); } catch (e) { badIndex(e, i); } return new H(this.$$o + (i & MASK) * 48, d, this.$$m); };',
  )(Handle, badIndex, N, MASK);
  return A;
}
const ArrayDv = arrayOf(HandleDv);
const ArrayTa = arrayOf(HandleTa);
const ArrayStore = arrayOf(HandleStore);
const ArrayStoreTypeof = arrayOf(HandleStoreTypeof);

// ---- the loops -------------------------------------------------------------------------------------

/** Handle loops (the same source for sc, hand-dv and hand-ta), and the twin's over typed arrays. */
const LOOPS = {
  update: {
    handles(a) {
      for (let i = 0; i < a.length; i++) {
        const p = a.get(i);
        p.x += p.vx * DT;
        p.y += p.vy * DT;
        p.z += p.vz * DT;
      }
      return 0;
    },
    twin(t) {
      const { f64, f32 } = t;
      for (let i = 0; i < N; i++) {
        const d = i * 6;
        const f = i * 12;
        f64[d] += f32[f + 6] * DT;
        f64[d + 1] += f32[f + 7] * DT;
        f64[d + 2] += f32[f + 8] * DT;
      }
      return 0;
    },
  },
  'update, DT in a local': {
    handles(a) {
      const dt = DT;
      for (let i = 0; i < a.length; i++) {
        const p = a.get(i);
        p.x += p.vx * dt;
        p.y += p.vy * dt;
        p.z += p.vz * dt;
      }
      return 0;
    },
    twin(t) {
      const { f64, f32 } = t;
      const dt = DT;
      for (let i = 0; i < N; i++) {
        const d = i * 6;
        const f = i * 12;
        f64[d] += f32[f + 6] * dt;
        f64[d + 1] += f32[f + 7] * dt;
        f64[d + 2] += f32[f + 8] * dt;
      }
      return 0;
    },
  },
  read: {
    handles(a) {
      let s = 0;
      for (let i = 0; i < a.length; i++) {
        const p = a.get(i);
        s += p.x + p.vx + p.id;
      }
      return s;
    },
    twin(t) {
      const { f64, f32, u32 } = t;
      let s = 0;
      for (let i = 0; i < N; i++) s += f64[i * 6] + f32[i * 12 + 6] + u32[i * 12 + 9];
      return s;
    },
  },
  random: {
    handles(a, idx) {
      let s = 0;
      for (let k = 0; k < N; k++) {
        const p = a.get(idx[k]);
        s += p.x + p.id;
      }
      return s;
    },
    twin(t, idx) {
      const { f64, u32 } = t;
      let s = 0;
      for (let k = 0; k < N; k++) {
        const i = idx[k];
        s += f64[i * 6] + u32[i * 12 + 9];
      }
      return s;
    },
  },
};

const VARIANTS = ['sc', 'hand-dv', 'hand-ta', 'hand-store', 'hand-store-typeof', 'twin'];

if (process.argv[2] === 'child') {
  const [, , , loop, variant] = process.argv;
  const { array, f32, f64, struct, u32, u8 } = sc;
  const Particle = struct({ x: f64, y: f64, z: f64, vx: f32, vy: f32, vz: f32, id: u32, alive: u8 }, { name: 'Particle' });
  const ps = array(Particle, N).create();
  const buffer = ps.$buffer;
  const d = new DataView(buffer);
  // Whole numbers and halves (as bench/handles-engines.mjs): the running sums stay unboxed.
  for (let i = 0; i < N; i++) {
    d.setFloat64(i * 48, i * 0.5, true);
    d.setFloat32(i * 48 + 24, 1, true);
    d.setUint32(i * 48 + 36, i, true);
  }
  const idx = indices(N);
  // A write to a revoked hand-store handle throws, with no check in its setter.
  for (const Handle of [HandleStore, HandleStoreTypeof]) {
    try {
      new Handle(0, REVOKED).x = 1;
      throw new Error(`a write to a revoked ${Handle.name} did not throw`);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  const arg = {
    sc: () => ps,
    'hand-dv': () => new ArrayDv(d, null),
    'hand-ta': () => new ArrayTa(d, new Arrays(buffer)),
    'hand-store': () => new ArrayStore(withArrays(new DataView(buffer)), null),
    'hand-store-typeof': () => new ArrayStoreTypeof(withArrays(new DataView(buffer)), null),
    twin: () => new Arrays(buffer),
  }[variant]();
  const f = variant === 'twin' ? LOOPS[loop].twin : LOOPS[loop].handles;
  const times = [];
  let sum = 0;
  for (let r = 0; r < 2 + WARM; r++) {
    if (r === 2) process.stdout.write('MEASURE\n');
    const t = performance.now();
    const s = f(arg, idx);
    times.push(performance.now() - t);
    if (r === 0) sum = s;
  }
  process.stdout.write('END\n');
  // The update loops return nothing: their checksum is the positions after all the passes.
  if (loop.startsWith('update'))
    for (let i = 0; i < N; i++) sum += d.getFloat64(i * 48, true) + d.getFloat64(i * 48 + 8, true) + d.getFloat64(i * 48 + 16, true);
  process.stdout.write(`RESULT ${JSON.stringify({ first: times[0], second: times[1], warm: median(times.slice(2)), sum })}\n`);
} else {
  const t0 = performance.now();
  // A child's result, with the young-generation collections it traced between MEASURE and END.
  const read = (stdout) => {
    let inside = false;
    let collections = 0;
    for (const line of stdout.split('\n')) {
      if (line === 'MEASURE') inside = true;
      else if (line === 'END') inside = false;
      else if (inside && /Scavenge|Minor/.test(line)) collections++;
    }
    return { ...resultOf(stdout), collections };
  };
  const { results, quick, trials } = runAcrossEngines({ script: here, loops: Object.keys(LOOPS), variants: VARIANTS, nodeArgs: ['--trace-gc'], read });
  const rows = results.map(({ node, loop, runs }) => {
    const of = (variant, key) => median(runs[variant].map((r) => r[key]));
    const row = { node, loop };
    for (const key of ['first', 'second', 'warm', 'collections']) row[key] = Object.fromEntries(VARIANTS.map((v) => [v, of(v, key)]));
    return row;
  });
  const handles = VARIANTS.filter((v) => v !== 'twin');
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  const lines = [
    '# Accessor backends: DataView or typed arrays (hand-written handles beside the library)',
    '',
    `${new Date().toISOString()} · ${machineInfo().cpu} (${machineInfo().cores} cores) · ${trials} fresh processes per row, medians`,
    '',
    'Ratios to the typed-array loop (`twin`) of the same call, 1M elements. `sc`: the library; `hand-dv`: a hand-written handle class of the library’s shape over its `DataView`; `hand-ta`: the same over typed arrays, with the checks a library needs (a revoked view’s read throws, a write checks its index); `hand-store`: reads through the `DataView`, writes through typed arrays hung on it, with the library’s setter guard; `hand-store-typeof`: the same with the guard’s `typeof` test only. See bench/backend.mjs.',
    '',
    `| node | loop | call | twin ms | ${handles.join(' | ')} |`,
    `|---|---|---|---:|${handles.map(() => '---:').join('|')}|`,
  ];
  for (const r of rows)
    for (const key of ['first', 'second', 'warm']) {
      const m = r[key];
      lines.push(`| ${r.node} | ${r.loop} | ${key} | ${m.twin.toFixed(2)} | ${handles.map((v) => ratio(m[v], m.twin)).join(' | ')} |`);
    }
  lines.push(
    '',
    `Young-generation collections over the ${WARM} warm passes (0 when every handle is removed):`,
    '',
    `| node | loop | ${VARIANTS.join(' | ')} |`,
    `|---|---|${VARIANTS.map(() => '---:').join('|')}|`,
  );
  for (const r of rows) lines.push(`| ${r.node} | ${r.loop} | ${VARIANTS.map((v) => r.collections[v]).join(' | ')} |`);
  const totalSeconds = Math.round((performance.now() - t0) / 100) / 10;
  writeResults('backend', { machine: machineInfo(), quick, trials, rows, totalSeconds }, `${lines.join('\n')}\n`, rows.length);
}
