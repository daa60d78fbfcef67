/**
 * Core view benchmark: sharedctypes (compiled and interpreted accessors) against hand-written
 * typed-array index math, hand-written DataView calls and two npm libraries
 * (buffer-backed-object, typed-struct), on one 1,000,000-element Particle buffer.
 *
 *   npm run bench            (builds dist/, then runs this file)
 *   node bench/run.mjs       (after `npx tsc -p tsconfig.build.json`)
 *
 * Options (environment): BENCH_QUICK=1 runs fewer samples (smoke test only; not for reporting);
 * BENCH_WORKLOADS=<regex> (read|update|random|handles) and BENCH_VARIANTS=<regex> restrict the run
 * for diagnosis (typed-array and DataView always run); BENCH_GC=0 turns off the forced full GC
 * before every sample (see the note on cursors in the results).
 *
 * Methodology
 * - All variants run in this one process over the same SharedArrayBuffer, initialised once from a
 *   deterministic generator and restored from a pristine copy before every update-pass sample.
 * - Every variant is a separate function literal (its own feedback vector / optimised code); no
 *   variant function is created from a shared factory.
 * - Per workload: warm-up rounds (untimed) of all variants, then timed rounds; every round runs the
 *   variants in a rotated order, so they are interleaved under the same conditions. A forced GC
 *   (if available) precedes every sample, outside the timed region.
 * - The reported figure is the median of the timed samples (≥ 7; 15 for the fast variants).
 * - Every sample returns a checksum (for the update pass: a sum over the updated buffer computed
 *   afterwards by a shared checker) that must equal the reference typed-array checksum for the
 *   same element count: the variants provably do the same work and nothing is dead code.
 * - Slow variants (the npm libraries) process a prefix of the buffer (LIB_N elements) instead of
 *   all of it; their ns/element figures are therefore measured on a cache-resident working set and
 *   flatter them, if anything.
 */
import { createRequire } from 'node:module';
import sc from './library.mjs';
import { fillParticles, gc, median, writeResults, machineInfo } from './common.mjs';

const { struct, array, f64, f32, u32, u8, sizeof, offsetof, configure } = sc;

const require = createRequire(import.meta.url);
const QUICK = process.env.BENCH_QUICK === '1';
// Diagnostics only: restrict to workloads / variants matching a regular expression (ta and dv always
// run, as the ratio's reference). Results written under such filters are marked as filtered.
const ONLY_WORKLOADS = process.env.BENCH_WORKLOADS ? new RegExp(process.env.BENCH_WORKLOADS) : null;
const ONLY_VARIANTS = process.env.BENCH_VARIANTS ? new RegExp(process.env.BENCH_VARIANTS) : null;

// ---- the data ------------------------------------------------------------------------------------

const N = 1_000_000; // elements in the buffer
const HANDLES_N = 100_000; // elements in the handle-cost workload
const LIB_N = 20_000; // elements processed by the (slow) npm-library variants
const DT = 0.015625; // 1/64: exact, so every variant rounds identically anyway

const Particle = struct({ x: f64, y: f64, z: f64, vx: f32, vy: f32, vz: f32, id: u32, alive: u8 }, { name: 'Particle' });
const SIZE = sizeof(Particle);
{
  const expect = { x: 0, y: 8, z: 16, vx: 24, vy: 28, vz: 32, id: 36, alive: 40 };
  for (const [k, v] of Object.entries(expect)) if (offsetof(Particle, k) !== v) throw new Error(`unexpected layout: ${k}@${offsetof(Particle, k)}`);
  if (SIZE !== 48) throw new Error(`unexpected sizeof(Particle) ${SIZE}`);
}

const sab = new SharedArrayBuffer(SIZE * N);
const F64 = new Float64Array(sab);
const F32 = new Float32Array(sab);
const U32 = new Uint32Array(sab);
const U8 = new Uint8Array(sab);
const DV = new DataView(sab);

function initBuffer() {
  fillParticles(sab, N);
}
initBuffer();
const pristine = U8.slice();
function restore(n) {
  U8.set(n === N ? pristine : pristine.subarray(0, n * SIZE));
}

// Random indices (xorshift32), uniform over the whole buffer.
const IDX = new Uint32Array(N);
{
  let s = 2463534242;
  for (let k = 0; k < N; k++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    IDX[k] = (s >>> 0) % N;
  }
}

// ---- the views under test -----------------------------------------------------------------------

const ps = array(Particle, N).view(sab); // compiled accessors (codegen 'auto')

configure({ codegen: 'off' });
const ParticleI = struct({ x: f64, y: f64, z: f64, vx: f32, vy: f32, vz: f32, id: u32, alive: u8 }, { name: 'ParticleI' });
const psI = array(ParticleI, N).view(sab); // interpreted accessors
configure({ codegen: 'auto' });

// buffer-backed-object (UMD/CJS main: the named exports live on the default export under ESM)
let BBO = null;
let bbo = null;
let bboNote = '';
try {
  BBO = require('buffer-backed-object');
  const desc = {
    x: BBO.Float64(),
    y: BBO.Float64(),
    z: BBO.Float64(),
    vx: BBO.Float32(),
    vy: BBO.Float32(),
    vz: BBO.Float32(),
    id: BBO.Uint32(),
    alive: BBO.Uint8(),
  };
  if (BBO.structSize(desc) !== SIZE) throw new Error(`structSize ${BBO.structSize(desc)} != ${SIZE}`);
  bbo = BBO.ArrayOfBufferBackedObjects(sab, desc);
  if (bbo.length !== N) throw new Error(`length ${bbo.length} != ${N}`);
  bboNote =
    'Exact layout (natural alignment by default; stride padded to 48). ArrayOfBufferBackedObjects is a Proxy over a holey Array: ' +
    'arr[i] stringifies/parses the index and creates a frozen object with 8 own accessors on first access, then caches it ' +
    `(so after warm-up it behaves as stored handles; 1M cached handles took ~2 GB of heap in a probe, hence LIB_N=${LIB_N}).`;
} catch (e) {
  bboNote = `not run: ${e.message}`;
  bbo = null;
}

// typed-struct: no automatic alignment/padding; the layout is spelled out field by field and the
// 7 tail bytes are skipped with seek(7). An instance owns a Node Buffer; to view element i of the
// shared buffer one constructs it over Buffer.from(sab, i * 48, 48) (clone = false).
let TS = null;
let tsNote = '';
try {
  const { Struct } = require('typed-struct');
  TS = new Struct('Particle')
    .Float64LE('x')
    .Float64LE('y')
    .Float64LE('z')
    .Float32LE('vx')
    .Float32LE('vy')
    .Float32LE('vz')
    .UInt32LE('id')
    .UInt8('alive')
    .seek(7)
    .compile();
  const off = TS.getOffsets();
  const expect = { x: 0, y: 8, z: 16, vx: 24, vy: 28, vz: 32, id: 36, alive: 40 };
  for (const [k, v] of Object.entries(expect)) if (off[k] !== v) throw new Error(`offset of ${k} is ${off[k]}`);
  if (TS.baseSize !== SIZE) throw new Error(`baseSize ${TS.baseSize} != ${SIZE}`);
  const probe = new TS(Buffer.from(sab, 5 * SIZE, SIZE));
  if (probe.x !== F64[30] || probe.id !== U32[69]) throw new Error('does not read the shared buffer in place');
  tsNote =
    'Exact layout, but by hand: no alignment rules, offsets follow declaration order, tail padding via seek(7). ' +
    'No array-of-struct view over a buffer: one instance per element over Buffer.from(sab, i*48, 48); the constructor ' +
    'defines every property (and inspect/toString helpers) on the instance, so a handle costs ~10 µs. UInt32 reads go through data.subarray(offset).';
} catch (e) {
  tsNote = `not run: ${e.message}`;
  TS = null;
}

// ---- workload 1: read pass ------------------------------------------------------------------------
// s += x + y + z + vx + vy + vz + id over elements [0, n)

const read = {
  ta(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = i * 6;
      const f = i * 12;
      s += F64[d] + F64[d + 1] + F64[d + 2] + F32[f + 6] + F32[f + 7] + F32[f + 8] + U32[f + 9];
    }
    return s;
  },
  dv(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const o = i * 48;
      s +=
        DV.getFloat64(o, true) +
        DV.getFloat64(o + 8, true) +
        DV.getFloat64(o + 16, true) +
        DV.getFloat32(o + 24, true) +
        DV.getFloat32(o + 28, true) +
        DV.getFloat32(o + 32, true) +
        DV.getUint32(o + 36, true);
    }
    return s;
  },
  'sc-get'(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = ps.get(i);
      s += p.x + p.y + p.z + p.vx + p.vy + p.vz + p.id;
    }
    return s;
  },
  'sc-cursor'(n) {
    let s = 0;
    const c = ps.cursor();
    for (let i = 0; i < n; i++) {
      const p = c.seek(i);
      s += p.x + p.y + p.z + p.vx + p.vy + p.vz + p.id;
    }
    return s;
  },
  // for…of over the whole array (n is always N here).
  'sc-for-of'() {
    let s = 0;
    for (const p of ps) s += p.x + p.y + p.z + p.vx + p.vy + p.vz + p.id;
    return s;
  },
  'sc-interp-get'(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = psI.get(i);
      s += p.x + p.y + p.z + p.vx + p.vy + p.vz + p.id;
    }
    return s;
  },
  'sc-interp-cursor'(n) {
    let s = 0;
    const c = psI.cursor();
    for (let i = 0; i < n; i++) {
      const p = c.seek(i);
      s += p.x + p.y + p.z + p.vx + p.vy + p.vz + p.id;
    }
    return s;
  },
  bbo(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = bbo[i];
      s += p.x + p.y + p.z + p.vx + p.vy + p.vz + p.id;
    }
    return s;
  },
  'typed-struct'(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = new TS(Buffer.from(sab, i * 48, 48));
      s += p.x + p.y + p.z + p.vx + p.vy + p.vz + p.id;
    }
    return s;
  },
};

// ---- workload 2: update pass ---------------------------------------------------------------------
// x += vx*dt, y += vy*dt, z += vz*dt over [0, n); the buffer is restored before every sample and the
// checksum is computed afterwards by updateChecksum (not timed).

function updateChecksum(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += F64[i * 6] + F64[i * 6 + 1] + F64[i * 6 + 2];
  return s;
}

const update = {
  ta(n) {
    for (let i = 0; i < n; i++) {
      const d = i * 6;
      const f = i * 12;
      F64[d] += F32[f + 6] * DT;
      F64[d + 1] += F32[f + 7] * DT;
      F64[d + 2] += F32[f + 8] * DT;
    }
  },
  dv(n) {
    for (let i = 0; i < n; i++) {
      const o = i * 48;
      DV.setFloat64(o, DV.getFloat64(o, true) + DV.getFloat32(o + 24, true) * DT, true);
      DV.setFloat64(o + 8, DV.getFloat64(o + 8, true) + DV.getFloat32(o + 28, true) * DT, true);
      DV.setFloat64(o + 16, DV.getFloat64(o + 16, true) + DV.getFloat32(o + 32, true) * DT, true);
    }
  },
  'sc-get'(n) {
    for (let i = 0; i < n; i++) {
      const p = ps.get(i);
      p.x += p.vx * DT;
      p.y += p.vy * DT;
      p.z += p.vz * DT;
    }
  },
  'sc-cursor'(n) {
    const c = ps.cursor();
    for (let i = 0; i < n; i++) {
      const p = c.seek(i);
      p.x += p.vx * DT;
      p.y += p.vy * DT;
      p.z += p.vz * DT;
    }
  },
  'sc-interp-get'(n) {
    for (let i = 0; i < n; i++) {
      const p = psI.get(i);
      p.x += p.vx * DT;
      p.y += p.vy * DT;
      p.z += p.vz * DT;
    }
  },
  'sc-interp-cursor'(n) {
    const c = psI.cursor();
    for (let i = 0; i < n; i++) {
      const p = c.seek(i);
      p.x += p.vx * DT;
      p.y += p.vy * DT;
      p.z += p.vz * DT;
    }
  },
  bbo(n) {
    for (let i = 0; i < n; i++) {
      const p = bbo[i];
      p.x += p.vx * DT;
      p.y += p.vy * DT;
      p.z += p.vz * DT;
    }
  },
  'typed-struct'(n) {
    for (let i = 0; i < n; i++) {
      const p = new TS(Buffer.from(sab, i * 48, 48));
      p.x += p.vx * DT;
      p.y += p.vy * DT;
      p.z += p.vz * DT;
    }
  },
};

// ---- workload 3: random access -------------------------------------------------------------------
// s += x + id of element IDX[k] for k in [0, n)

const random = {
  ta(n) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const i = IDX[k];
      s += F64[i * 6] + U32[i * 12 + 9];
    }
    return s;
  },
  dv(n) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const o = IDX[k] * 48;
      s += DV.getFloat64(o, true) + DV.getUint32(o + 36, true);
    }
    return s;
  },
  // Hand-written DataView with the index check sharedctypes makes (whole number, 0 ≤ i < N): what
  // the safety costs by itself. Not a reference for the ratio (that stays the unchecked best).
  'dv-checked'(n) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const i = IDX[k];
      if (!(typeof i === 'number' && i >>> 0 < N && i === (i | 0))) throw new RangeError(`index ${i} out of range`);
      const o = i * 48;
      s += DV.getFloat64(o, true) + DV.getUint32(o + 36, true);
    }
    return s;
  },
  'sc-get'(n) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const p = ps.get(IDX[k]);
      s += p.x + p.id;
    }
    return s;
  },
  'sc-cursor'(n) {
    let s = 0;
    const c = ps.cursor();
    for (let k = 0; k < n; k++) {
      const p = c.seek(IDX[k]);
      s += p.x + p.id;
    }
    return s;
  },
  'sc-interp-get'(n) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const p = psI.get(IDX[k]);
      s += p.x + p.id;
    }
    return s;
  },
  'sc-interp-cursor'(n) {
    let s = 0;
    const c = psI.cursor();
    for (let k = 0; k < n; k++) {
      const p = c.seek(IDX[k]);
      s += p.x + p.id;
    }
    return s;
  },
  bbo(n) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const p = bbo[IDX[k]];
      s += p.x + p.id;
    }
    return s;
  },
  'typed-struct'(n) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const p = new TS(Buffer.from(sab, IDX[k] * 48, 48));
      s += p.x + p.id;
    }
    return s;
  },
};

// ---- workload 4: element-handle cost ---------------------------------------------------------------
// Over the first n elements: s += x + vx + id, through handles obtained three ways.

let prebuilt = null; // sc handles built once, outside the timed region
let prebuiltI = null;
let prebuiltH = null; // the hand-written twin's handles, built the same way

/**
 * The hand-written twin of a stored element handle: a class holding the element's byte offset and
 * the buffer's DataView, with a getter per field read here. Storing 100k handles costs the
 * allocation and the garbage collector's work whoever writes the class; this twin measures that.
 */
class HandParticle {
  constructor(o, d) {
    this.o = o;
    this.d = d;
  }
  get x() {
    return this.d.getFloat64(this.o, true);
  }
  get vx() {
    return this.d.getFloat32(this.o + 24, true);
  }
  get id() {
    return this.d.getUint32(this.o + 36, true);
  }
}

const handles = {
  ta(n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += F64[i * 6] + F32[i * 12 + 6] + U32[i * 12 + 9];
    return s;
  },
  dv(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const o = i * 48;
      s += DV.getFloat64(o, true) + DV.getFloat32(o + 24, true) + DV.getUint32(o + 36, true);
    }
    return s;
  },
  'hand-stored: build+read'(n) {
    const hs = new Array(n);
    for (let i = 0; i < n; i++) hs[i] = new HandParticle(i * 48, DV);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = hs[i];
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'hand-stored: read only'(n) {
    const hs = prebuiltH;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = hs[i];
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'sc-stored: build+read'(n) {
    const hs = new Array(n);
    for (let i = 0; i < n; i++) hs[i] = ps.get(i);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = hs[i];
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'sc-stored: read only'(n) {
    const hs = prebuilt;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = hs[i];
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'sc-cursor'(n) {
    const c = ps.cursor();
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = c.seek(i);
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'sc-get'(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = ps.get(i);
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'sc-interp-stored: build+read'(n) {
    const hs = new Array(n);
    for (let i = 0; i < n; i++) hs[i] = psI.get(i);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = hs[i];
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'sc-interp-stored: read only'(n) {
    const hs = prebuiltI;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = hs[i];
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'sc-interp-cursor'(n) {
    const c = psI.cursor();
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = c.seek(i);
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'sc-interp-get'(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = psI.get(i);
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'bbo (library-cached handles)'(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = bbo[i];
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'typed-struct-stored: build+read'(n) {
    const hs = new Array(n);
    for (let i = 0; i < n; i++) hs[i] = new TS(Buffer.from(sab, i * 48, 48));
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = hs[i];
      s += p.x + p.vx + p.id;
    }
    return s;
  },
  'typed-struct'(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const p = new TS(Buffer.from(sab, i * 48, 48));
      s += p.x + p.vx + p.id;
    }
    return s;
  },
};

// ---- harness -------------------------------------------------------------------------------------

const FAST_SAMPLES = QUICK ? 5 : 15;
const SLOW_SAMPLES = QUICK ? 3 : 7;
const WARMUP = QUICK ? 2 : 4;

/** Variant metadata: element count, samples, warm-up rounds, and whether it is available. */
function spec(name, fullN) {
  if (name === 'bbo' || name.startsWith('bbo ')) return { n: Math.min(LIB_N, fullN), samples: SLOW_SAMPLES, warmup: 2, available: bbo !== null, note: bboNote };
  if (name.startsWith('typed-struct')) return { n: Math.min(LIB_N, fullN), samples: SLOW_SAMPLES, warmup: 2, available: TS !== null, note: tsNote };
  if (name.startsWith('sc-interp')) return { n: fullN, samples: SLOW_SAMPLES, warmup: 3, available: true };
  return { n: fullN, samples: FAST_SAMPLES, warmup: WARMUP, available: true };
}

let sink = 0; // consumes every checksum

function runWorkload(title, key, fns, fullN, { mutates = false, checksum = null } = {}) {
  const twin = (n) => n === 'ta' || n === 'dv' || n === 'dv-checked' || n.startsWith('hand-');
  const names = Object.keys(fns).filter((n) => twin(n) || ONLY_VARIANTS === null || ONLY_VARIANTS.test(n));
  const specs = Object.fromEntries(names.map((n) => [n, spec(n, fullN)]));
  const active = names.filter((n) => specs[n].available);
  const refs = new Map(); // element count -> reference checksum (typed-array variant)
  const reference = (n) => {
    if (!refs.has(n)) {
      if (mutates) restore(n);
      const r = fns.ta(n);
      refs.set(n, mutates ? checksum(n) : r);
      if (mutates) restore(n);
    }
    return refs.get(n);
  };
  const sampleOnce = (name) => {
    const { n } = specs[name];
    if (mutates) restore(n);
    gc();
    const t0 = process.hrtime.bigint();
    const r = fns[name](n);
    const t1 = process.hrtime.bigint();
    const sum = mutates ? checksum(n) : r;
    if (sum !== reference(n)) throw new Error(`${key}/${name}: checksum ${sum} differs from the reference ${reference(n)} (n=${n})`);
    sink += sum;
    return Number(t1 - t0) / 1e6;
  };
  const times = Object.fromEntries(active.map((n) => [n, []]));
  const maxWarm = Math.max(...active.map((n) => specs[n].warmup));
  const maxSamples = Math.max(...active.map((n) => specs[n].samples));
  const started = performance.now();
  for (let r = 0; r < maxWarm; r++) for (const name of active) if (r < specs[name].warmup) sampleOnce(name);
  for (let r = 0; r < maxSamples; r++) {
    const order = active.map((_, j) => active[(j + r) % active.length]); // rotate the order every round
    for (const name of order) if (r < specs[name].samples) times[name].push(sampleOnce(name));
  }
  const rows = active.map((name) => {
    const { n } = specs[name];
    const ms = median(times[name]);
    const sorted = [...times[name]].sort((a, b) => a - b);
    return {
      variant: name,
      elements: n,
      samples: times[name].length,
      medianMs: ms,
      minMs: sorted[0],
      maxMs: sorted[sorted.length - 1],
      nsPerElement: (ms * 1e6) / n,
      checksum: reference(n),
    };
  });
  const best = Math.min(...rows.filter((r) => r.variant === 'ta' || r.variant === 'dv').map((r) => r.nsPerElement));
  for (const row of rows) row.ratioVsBestHandWritten = row.nsPerElement / best;
  const skipped = names.filter((n) => !specs[n].available).map((n) => ({ variant: n, reason: specs[n].note }));
  process.stderr.write(`  ${title}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return { key, title, elements: fullN, bestHandWrittenNsPerElement: best, variants: rows, skipped };
}

// ---- run ------------------------------------------------------------------------------------------

const t0 = performance.now();
process.stderr.write(`sharedctypes core benchmark (${QUICK ? 'QUICK, ' : ''}node ${process.version})\n`);

// The prebuilt handles for "stored: read only" (outside any timed region).
prebuilt = new Array(HANDLES_N);
for (let i = 0; i < HANDLES_N; i++) prebuilt[i] = ps.get(i);
prebuiltI = new Array(HANDLES_N);
for (let i = 0; i < HANDLES_N; i++) prebuiltI[i] = psI.get(i);
prebuiltH = new Array(HANDLES_N);
for (let i = 0; i < HANDLES_N; i++) prebuiltH[i] = new HandParticle(i * 48, DV);

const plan = [
  ['1. read pass: sum x+y+z+vx+vy+vz+id', 'read', read, N],
  ['2. update pass: x+=vx*dt, y+=vy*dt, z+=vz*dt', 'update', update, N, { mutates: true, checksum: updateChecksum }],
  ['3. random access: sum x+id at 1M pseudo-random indices', 'random', random, N],
  [`4. element handles: sum x+vx+id over ${HANDLES_N / 1000}k elements`, 'handles', handles, HANDLES_N],
];
const workloads = plan.filter(([, key]) => ONLY_WORKLOADS === null || ONLY_WORKLOADS.test(key)).map((args) => runWorkload(...args));
restore(N);

const result = {
  benchmark: 'sharedctypes core views',
  date: new Date().toISOString(),
  quick: QUICK,
  filtered: ONLY_WORKLOADS !== null || ONLY_VARIANTS !== null,
  machine: machineInfo(),
  setup: {
    schema: 'struct Particle { double x, y, z; float vx, vy, vz; uint32_t id; uint8_t alive; } // 48 bytes',
    elements: N,
    handlesWorkloadElements: HANDLES_N,
    libraryElements: LIB_N,
    dt: DT,
    statistic: 'median of timed samples, after warm-up; variants interleaved round-robin with rotating order',
    ratio: 'ns/element divided by the best hand-written variant (min of typed-array and DataView) of the same workload',
    target: 'every sharedctypes (codegen) variant within 1.10x of the best hand-written variant',
  },
  variants: {
    ta: 'hand-written Float64Array/Float32Array/Uint32Array index math over the SAB (i*6, i*12+6, i*12+9, ...)',
    dv: 'hand-written DataView: dv.getFloat64(i*48, true), ...',
    'dv-checked': 'hand-written DataView with the same index check sharedctypes makes (random access only; not a ratio reference)',
    'sc-get': 'sharedctypes compiled accessors, ps.get(i).x (handle used and dropped)',
    'sc-cursor': 'sharedctypes compiled accessors, one cursor: c.seek(i).x',
    'sc-for-of': 'sharedctypes compiled accessors, for (const p of ps) p.x (read pass only)',
    'sc-interp-*': "sharedctypes with configure({ codegen: 'off' }) (interpreted accessors)",
    'hand-stored: *': 'the hand-written twin of stored handles: a class holding the offset and the DataView, with getters (not a ratio reference)',
    'sc-stored: build+read': 'array of stored ps.get(i) handles built and then read, both timed',
    'sc-stored: read only': 'the same handles built once outside the timed region',
    bbo: `buffer-backed-object ArrayOfBufferBackedObjects, arr[i].x (first ${LIB_N} elements)`,
    'typed-struct': `typed-struct, new Particle(Buffer.from(sab, i*48, 48)).x per element (first ${LIB_N} elements)`,
  },
  libraries: {
    'buffer-backed-object': { version: versionOf('buffer-backed-object'), note: bboNote },
    'typed-struct': { version: versionOf('typed-struct'), note: tsNote },
  },
  workloads,
  totalSeconds: 0,
  sink,
};
result.totalSeconds = Math.round((performance.now() - t0) / 100) / 10;

function versionOf(pkg) {
  try {
    return require(`${pkg}/package.json`).version;
  } catch {
    return null;
  }
}

// ---- report ---------------------------------------------------------------------------------------

const fmt = (x, d = 2) => x.toFixed(d);
const isCodegen = (v) => v.startsWith('sc-') && !v.startsWith('sc-interp');
/** The hand-written twin a variant is compared with besides the best typed-array loop: stored handles against stored handles of a hand-written class. */
const twinOf = (v) => (v.startsWith('sc-stored') || v.startsWith('sc-interp-stored') ? v.replace(/^sc-(interp-)?/, 'hand-') : null);

function markdown() {
  const m = result.machine;
  const out = [];
  out.push('# sharedctypes core benchmark', '');
  out.push(`${result.date} · Node ${m.node} · V8 ${m.v8} · ${m.cpu} (${m.cores} cores) · ${m.platform}${result.quick ? ' · **QUICK run**' : ''}`, '');
  out.push(`Particle = 48-byte struct { f64 x, y, z; f32 vx, vy, vz; u32 id; u8 alive }, ${N.toLocaleString('en-US')} elements in one SharedArrayBuffer.`);
  out.push(
    `Median of ≥ ${SLOW_SAMPLES} timed samples after warm-up (${FAST_SAMPLES} for the fast variants), variants interleaved; checksums of all variants verified equal.`,
  );
  out.push(`Forced full GC before every sample (outside the timed region): ${m.forcedGc ? 'yes' : 'no'}.`);
  out.push('**ratio** = ns/element ÷ best hand-written (min of typed-array, DataView) for that workload. Target: sharedctypes codegen ≤ 1.10×.', '');
  out.push('## Summary (ratio vs best hand-written)', '');
  const cols = workloads.map((w) => w.key);
  const allVariants = [...new Set(workloads.flatMap((w) => w.variants.map((v) => v.variant)))];
  out.push(`| variant | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`);
  for (const v of allVariants) {
    const cells = workloads.map((w) => {
      const r = w.variants.find((x) => x.variant === v);
      if (!r) return '—';
      const flag = isCodegen(v) && r.ratioVsBestHandWritten > 1.1 ? ' ✗' : isCodegen(v) ? ' ✓' : '';
      return `${fmt(r.ratioVsBestHandWritten)}×${flag}`;
    });
    out.push(`| ${v} | ${cells.join(' | ')} |`);
  }
  out.push('', '✓/✗: sharedctypes codegen variant within / over the 1.10× target.', '');
  const stored = workloads.flatMap((w) =>
    w.variants.filter((r) => twinOf(r.variant) !== null).map((r) => [r, w.variants.find((x) => x.variant === twinOf(r.variant))]),
  );
  if (stored.length > 0) {
    out.push(
      'Stored handles (an array of 100k handles built, then read) cost what allocating and collecting 100k objects costs, whoever writes them; against the hand-written class that holds an offset and the DataView (`hand-stored`):',
      '',
      '| variant | ÷ hand-written class |',
      '|---|---:|',
    );
    for (const [r, t] of stored) if (t !== undefined) out.push(`| ${r.variant} | ${fmt(r.nsPerElement / t.nsPerElement)}× |`);
    out.push('');
  }
  for (const w of workloads) {
    out.push(`## ${w.title}`, '');
    out.push('| variant | elements | median ms | min–max ms | ns/element | ratio |', '|---|---:|---:|---:|---:|---:|');
    for (const r of w.variants) {
      out.push(
        `| ${r.variant} | ${r.elements.toLocaleString('en-US')} | ${fmt(r.medianMs, 3)} | ${fmt(r.minMs, 2)}–${fmt(r.maxMs, 2)} | ${fmt(r.nsPerElement)} | ${fmt(r.ratioVsBestHandWritten)}× |`,
      );
    }
    for (const s of w.skipped) out.push(`| ${s.variant} | not run: ${s.reason} | | | | |`);
    out.push('');
  }
  out.push('## Libraries', '');
  for (const [name, { version, note }] of Object.entries(result.libraries)) out.push(`- **${name}** ${version ?? ''}: ${note}`);
  out.push(
    '',
    `Library variants run over the first ${LIB_N.toLocaleString('en-US')} elements only (a cache-resident working set, which flatters them); ` +
      'the random-access workload uses the first indices of the same random index array.',
    '',
    `Total run time ${result.totalSeconds} s.`,
    '',
  );
  return out.join('\n');
}

writeResults('core', result, markdown(), sink);
