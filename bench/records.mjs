/**
 * Whole records and text, as users write them: a struct stored from an object
 * (`ps.set(i, { x, y, … })`), a small struct created on its own (`Point.create({ x, y })`, each
 * with a SharedArrayBuffer of its own), a record read into an object (`ps.get(i).toObject()`), and a
 * `char(16)` name written and read as a string (`ns.get(i).name = 'p' + i`). Each beside the same
 * work written by hand over the same bytes (typed arrays; `TextEncoder.encodeInto` /
 * `TextDecoder` for text), and, for the record store, field by field through the element handle.
 * Each row runs in a fresh process on this Node and, if test/setup/runtimes.mjs fetched them, Node
 * 22, 24 and 26: "cold" is the first call (the whole pass), "warm" the median of the next 15.
 *
 *   node bench/records.mjs [node binary…]   (after `npx tsc -p tsconfig.build.json`)
 */
import { fileURLToPath } from 'node:url';
import sc from './library.mjs';
import { coldWarmRows, coldWarmTable, median, runAcrossEngines, writeResults } from './common.mjs';

const here = fileURLToPath(import.meta.url);
const N = 200_000;
const WARM = 15;
const Particle = sc.struct({ x: sc.f64, y: sc.f64, z: sc.f64, vx: sc.f32, vy: sc.f32, vz: sc.f32, id: sc.u32, alive: sc.u8 }, { name: 'Particle' });
const Named = sc.struct({ id: sc.u32, name: sc.char(16) }, { name: 'Named' });
const Point = sc.struct({ x: sc.f64, y: sc.f64 }, { name: 'Point' });
/** How many small structs a pass creates (each its own SharedArrayBuffer). */
const CREATES = 20_000;
const TWIN = 'hand-written';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The byte sum of a buffer: the checksum of a store (every variant must leave the same bytes). */
function byteSum(buffer) {
  const u8 = new Uint8Array(buffer);
  let s = 0;
  for (let i = 0; i < u8.length; i++) s = (s + u8[i] * ((i % 251) + 1)) % 2_147_483_647;
  return s;
}

/** The loops, by name: each variant takes the array view and typed arrays over its bytes, and returns a checksum or 0. */
const LOOPS = {
  'store a record from an object': {
    'set(i, {…})'(ps) {
      for (let i = 0; i < N; i++) ps.set(i, { x: i, y: 1.5, z: -2, vx: 0.25, vy: 0.5, vz: 0.75, id: i, alive: 1 });
      return 0;
    },
    'field by field'(ps) {
      for (let i = 0; i < N; i++) {
        const p = ps.get(i);
        p.x = i;
        p.y = 1.5;
        p.z = -2;
        p.vx = 0.25;
        p.vy = 0.5;
        p.vz = 0.75;
        p.id = i;
        p.alive = 1;
      }
      return 0;
    },
    [TWIN](_ps, { F64, F32, U32, U8 }) {
      for (let i = 0; i < N; i++) {
        const o = { x: i, y: 1.5, z: -2, vx: 0.25, vy: 0.5, vz: 0.75, id: i, alive: 1 };
        const d = i * 6;
        const f = i * 12;
        F64[d] = o.x;
        F64[d + 1] = o.y;
        F64[d + 2] = o.z;
        F32[f + 6] = o.vx;
        F32[f + 7] = o.vy;
        F32[f + 8] = o.vz;
        U32[f + 9] = o.id;
        U8[i * 48 + 40] = o.alive;
      }
      return 0;
    },
  },
  'create a small struct': {
    'Point.create({…})'() {
      let s = 0;
      for (let i = 0; i < CREATES; i++) s += Point.create({ x: i, y: 0.5 }).x;
      return s;
    },
    'Point.create(), fields'() {
      let s = 0;
      for (let i = 0; i < CREATES; i++) {
        const p = Point.create();
        p.x = i;
        p.y = 0.5;
        s += p.x;
      }
      return s;
    },
    [TWIN]() {
      let s = 0;
      for (let i = 0; i < CREATES; i++) {
        const d = new DataView(new SharedArrayBuffer(16));
        d.setFloat64(0, i, true);
        d.setFloat64(8, 0.5, true);
        s += d.getFloat64(0, true);
      }
      return s;
    },
  },
  'read a record into an object': {
    'get(i).toObject()'(ps) {
      let s = 0;
      for (let i = 0; i < N; i++) {
        const o = ps.get(i).toObject();
        s += o.x + o.vx + o.id;
      }
      return s;
    },
    [TWIN](_ps, { F64, F32, U32, U8 }) {
      let s = 0;
      for (let i = 0; i < N; i++) {
        const d = i * 6;
        const f = i * 12;
        const o = { x: F64[d], y: F64[d + 1], z: F64[d + 2], vx: F32[f + 6], vy: F32[f + 7], vz: F32[f + 8], id: U32[f + 9], alive: U8[i * 48 + 40] };
        s += o.x + o.vx + o.id;
      }
      return s;
    },
  },
  'write a char(16) name': {
    'p.name = s'(_ps, _t, ns) {
      for (let i = 0; i < N; i++) ns.get(i).name = `p${i & 4095}`;
      return 0;
    },
    [TWIN](_ps, _t, _ns, { NU8 }) {
      for (let i = 0; i < N; i++) {
        const o = i * 20 + 4;
        const { written } = encoder.encodeInto(`p${i & 4095}`, NU8.subarray(o, o + 16));
        NU8.fill(0, o + written, o + 16);
      }
      return 0;
    },
  },
  'read a char(16) name': {
    'p.name'(_ps, _t, ns) {
      let s = 0;
      for (let i = 0; i < N; i++) s += ns.get(i).name.length;
      return s;
    },
    [TWIN](_ps, _t, _ns, { NU8 }) {
      let s = 0;
      for (let i = 0; i < N; i++) {
        const o = i * 20 + 4;
        let e = o;
        while (e < o + 16 && NU8[e] !== 0) e++;
        s += decoder.decode(NU8.subarray(o, e)).length;
      }
      return s;
    },
  },
};

if (process.argv[2] === 'child') {
  const [, , , loop, variant] = process.argv;
  // Non-shared buffers: TextDecoder refuses views of a SharedArrayBuffer in browsers, and the
  // hand-written twin is what a user writes over an ArrayBuffer.
  const ps = sc.view(sc.array(Particle, N), new ArrayBuffer(48 * N));
  const ns = sc.view(sc.array(Named, N), new ArrayBuffer(20 * N));
  const t = { F64: new Float64Array(ps.$buffer), F32: new Float32Array(ps.$buffer), U32: new Uint32Array(ps.$buffer), U8: new Uint8Array(ps.$buffer) };
  const n = { NU8: new Uint8Array(ns.$buffer) };
  for (let i = 0; i < N; i++) {
    t.F64[i * 6] = i * 0.5;
    t.F32[i * 12 + 6] = i & 7;
    t.U32[i * 12 + 9] = i;
    const name = `n${i % 977}`;
    for (let k = 0; k < name.length; k++) n.NU8[i * 20 + 4 + k] = name.charCodeAt(k);
  }
  const f = LOOPS[loop][variant];
  let time = performance.now();
  let sum = f(ps, t, ns, n);
  const cold = performance.now() - time;
  const warm = [];
  for (let r = 0; r < WARM; r++) {
    time = performance.now();
    f(ps, t, ns, n);
    warm.push(performance.now() - time);
  }
  if (sum === 0) sum = byteSum(loop.includes('name') ? ns.$buffer : ps.$buffer); // a store: the bytes it left
  process.stdout.write(`RESULT ${JSON.stringify({ cold, warm: median(warm), sum })}\n`);
} else {
  const t0 = performance.now();
  const rows = [];
  let quick = false;
  let trials = 0;
  for (const [loop, variants] of Object.entries(LOOPS)) {
    const names = Object.keys(variants);
    const run = runAcrossEngines({ script: here, loops: [loop], variants: names });
    quick = run.quick;
    trials = run.trials;
    rows.push(...coldWarmRows(run.results, names, TWIN));
  }
  const md = [
    '# Whole records and text: set(i, {…}), toObject(), char(16) names',
    '',
    `${N.toLocaleString('en')} elements: \`Particle\` records stored from an object literal and read into one, ${CREATES.toLocaleString('en')} \`Point\` structs created one by one (each over a \`SharedArrayBuffer\` of its own; the twin makes the buffer and a \`DataView\`), and \`char(16)\` names written and read as strings, each beside the same work written by hand over the same bytes (typed arrays; \`TextEncoder.encodeInto\` and \`TextDecoder\` for text). A fresh process per row, median of ${trials}; cold = the first call (the whole pass), warm = median of the next ${WARM}; ratios against the hand-written loop in the same row group (checksums equal).`,
    '',
    ...coldWarmTable(rows),
    '',
  ].join('\n');
  writeResults('records', { rows, quick, totalSeconds: Math.round((performance.now() - t0) / 1000) }, md, rows.length);
}
