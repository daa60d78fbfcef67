/**
 * Element handles and views per offset across engines: the loops of real-use pattern 3 (`a.get(i)`
 * then read x + vx + id in order; `a.get(idx[k])` then read x + id at random) beside an unchecked
 * DataView loop over the same bytes, and of pattern 4 (`Particle.view(sab, off).x` per byte offset)
 * beside a typed-array read, on this Node and on Node 22, 24 and 26. V8 12 to 14 (Node 22 to 26)
 * stop removing the handle or view a loop makes when the function that makes it holds a branch that
 * throws or leaves, even one that never runs; the index check and the view fast path are written
 * without one there (src/codegen/access.ts `emitIndexCheck`, src/views/attach.ts). Each row runs in
 * a fresh process with `--trace-gc`: the first call is "cold" (the whole pass, compiled by on-stack
 * replacement), "warm" is the median of the next 15, and the collections are counted over those 15
 * (0 when the engine removes every handle; a 1M pass that allocates 32-byte handles shows as ~10).
 * The update loops (real-use patterns 1 and 2) read their time step from a module-level `const`,
 * and again from a local: on V8 12 to 14 the first form keeps every handle (the engine's check
 * that the outer `const` is initialised is a branch that throws; the twin has no object to keep).
 *
 *   node bench/handles-engines.mjs [node binary…]   (after `npx tsc -p tsconfig.build.json`)
 *
 * With no binaries it runs this Node and, if test/setup/runtimes.mjs has fetched them, Node 22, 24
 * and 26.
 */
import { fileURLToPath } from 'node:url';
import sc from './library.mjs';
import { indices, median, resultOf, runAcrossEngines, writeResults } from './common.mjs';

const here = fileURLToPath(import.meta.url);
const N = 1_000_000;
const WARM = 15;
/** The update loops' time step: a module-level constant, as a simulation declares it. */
const DT = 0.015625;

/**
 * The loops: each takes the view (sc) or the DataView (twin) as its argument, the random indices,
 * and (offsets) the Particle schema and the byte offsets.
 */
const LOOPS = {
  sequential: {
    sc(a) {
      let s = 0;
      for (let i = 0; i < N; i++) {
        const p = a.get(i);
        s += p.x + p.vx + p.id;
      }
      return s;
    },
    twin(d) {
      let s = 0;
      for (let i = 0; i < N; i++) {
        const o = i * 48;
        s += d.getFloat64(o, true) + d.getFloat32(o + 24, true) + d.getUint32(o + 36, true);
      }
      return s;
    },
  },
  // The update pass of real-use patterns 1 and 2 (x += vx * DT …), reading DT where users declare
  // it, at module level: on V8 12 to 14 the check that a `const` or `let` of an outer scope is
  // initialised (a branch that throws) between get(i) and the handle's last use keeps every handle.
  update: {
    sc(a) {
      for (let i = 0; i < N; i++) {
        const p = a.get(i);
        p.x += p.vx * DT;
        p.y += p.vy * DT;
        p.z += p.vz * DT;
      }
      return 0; // checksum: the positions after the passes (below)
    },
    twin(d) {
      for (let i = 0; i < N; i++) {
        const o = i * 48;
        d.setFloat64(o, d.getFloat64(o, true) + d.getFloat32(o + 24, true) * DT, true);
        d.setFloat64(o + 8, d.getFloat64(o + 8, true) + d.getFloat32(o + 28, true) * DT, true);
        d.setFloat64(o + 16, d.getFloat64(o + 16, true) + d.getFloat32(o + 32, true) * DT, true);
      }
      return 0;
    },
  },
  // The same with DT read into a local before the loop (docs/performance.md, "Writing fast loops").
  'update, DT in a local': {
    sc(a) {
      const dt = DT;
      for (let i = 0; i < N; i++) {
        const p = a.get(i);
        p.x += p.vx * dt;
        p.y += p.vy * dt;
        p.z += p.vz * dt;
      }
      return 0;
    },
    twin(d) {
      const dt = DT;
      for (let i = 0; i < N; i++) {
        const o = i * 48;
        d.setFloat64(o, d.getFloat64(o, true) + d.getFloat32(o + 24, true) * dt, true);
        d.setFloat64(o + 8, d.getFloat64(o + 8, true) + d.getFloat32(o + 28, true) * dt, true);
        d.setFloat64(o + 16, d.getFloat64(o + 16, true) + d.getFloat32(o + 32, true) * dt, true);
      }
      return 0;
    },
  },
  offsets: {
    // a standalone view per byte offset (real-use pattern 4), over the first 10,000 Particles
    sc(a, _idx, P, off) {
      const sab = a.$buffer;
      let s = 0;
      for (let k = 0; k < N; k++) s += P.view(sab, off[k]).x;
      return s;
    },
    twin(d, _idx, _P, off) {
      const f64 = new Float64Array(d.buffer);
      let s = 0;
      for (let k = 0; k < N; k++) s += f64[off[k] >> 3];
      return s;
    },
  },
  random: {
    sc(a, idx) {
      let s = 0;
      for (let k = 0; k < N; k++) {
        const p = a.get(idx[k]);
        s += p.x + p.id;
      }
      return s;
    },
    twin(d, idx) {
      let s = 0;
      for (let k = 0; k < N; k++) {
        const o = idx[k] * 48;
        s += d.getFloat64(o, true) + d.getUint32(o + 36, true);
      }
      return s;
    },
  },
};

if (process.argv[2] === 'child') {
  const [, , , loop, variant] = process.argv;
  const { array, f32, f64, struct, u32, u8 } = sc;
  const Particle = struct({ x: f64, y: f64, z: f64, vx: f32, vy: f32, vz: f32, id: u32, alive: u8 }, { name: 'Particle' });
  const ps = array(Particle, N).create();
  const d = new DataView(ps.$buffer);
  // Not fillParticles (common.mjs): with its random doubles the running sum is boxed on Node 24
  // and 26 in the twin too, and the collections would no longer count handles and views alone.
  for (let i = 0; i < N; i++) {
    d.setFloat64(i * 48, i * 0.5, true);
    d.setFloat32(i * 48 + 24, 1, true);
    d.setUint32(i * 48 + 36, i, true);
  }
  const idx = indices(N);
  const off = new Uint32Array(N);
  for (let k = 0; k < N; k++) off[k] = (idx[k] % 10_000) * 48;
  const f = LOOPS[loop][variant];
  const arg = variant === 'sc' ? ps : d;
  let t = performance.now();
  const sum = f(arg, idx, Particle, off);
  const cold = performance.now() - t;
  const warm = [];
  process.stdout.write('MEASURE\n');
  for (let r = 0; r < WARM; r++) {
    t = performance.now();
    f(arg, idx, Particle, off);
    warm.push(performance.now() - t);
  }
  process.stdout.write('END\n');
  // The update loops return nothing: their checksum is the positions after all 1 + WARM passes.
  let check = sum;
  if (loop.startsWith('update')) {
    check = 0;
    for (let i = 0; i < N; i++) check += d.getFloat64(i * 48, true) + d.getFloat64(i * 48 + 8, true) + d.getFloat64(i * 48 + 16, true);
  }
  process.stdout.write(`RESULT ${JSON.stringify({ cold, warm: median(warm), sum: check })}\n`);
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
  const {
    results,
    quick,
    trials: TRIALS,
  } = runAcrossEngines({ script: here, loops: Object.keys(LOOPS), variants: ['sc', 'twin'], nodeArgs: ['--trace-gc'], read });
  const rows = results.map(({ node, loop, runs }) => {
    const of = (variant, key) => median(runs[variant].map((r) => r[key]));
    return {
      node,
      loop,
      cold: { sc: of('sc', 'cold'), twin: of('twin', 'cold') },
      warm: { sc: of('sc', 'warm'), twin: of('twin', 'warm') },
      collections: { sc: of('sc', 'collections'), twin: of('twin', 'collections') },
    };
  });
  const ms = (v) => v.toFixed(2);
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  const md = [
    '# Element handles across engines',
    '',
    `${N.toLocaleString('en')} Particles (48 bytes); sharedctypes \`a.get(i)\` (sequential: x + vx + id; random: x + id at \`idx[k]\`; update: x += vx * DT, y …, z …, with DT a module-level \`const\` or copied to a local before the loop) beside an unchecked DataView loop over the same bytes; offsets: \`Particle.view(sab, off[k]).x\` over 1M offsets into the first 10,000 Particles beside \`f64[off[k] >> 3]\`. A fresh process per row and variant, median of ${TRIALS}; cold = the first call (the whole pass), warm = median of the next ${WARM}; collections = young-generation collections during those ${WARM} calls (0: every handle removed).`,
    '',
    '| node | loop | cold ms | twin cold ms | cold ratio | warm ms | twin warm ms | warm ratio | collections (twin) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.node} | ${r.loop} | ${ms(r.cold.sc)} | ${ms(r.cold.twin)} | ${ratio(r.cold.sc, r.cold.twin)} | ${ms(r.warm.sc)} | ${ms(r.warm.twin)} | ${ratio(r.warm.sc, r.warm.twin)} | ${r.collections.sc} (${r.collections.twin}) |`,
    ),
    '',
  ].join('\n');
  writeResults('handles-engines', { rows, quick, totalSeconds: Math.round((performance.now() - t0) / 1000) }, md, rows.length);
}
