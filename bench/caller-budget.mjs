/**
 * A step function in a busy caller: the update pass (x += vx * DT, y …, z …) over 1M Particles,
 * called from a module's top-level loop that also times it and runs two other passes every round
 * (the same update by hand over all elements, and through a DataView over a thousand), as a
 * benchmark harness or a simulation script is written. V8 compiles
 * that top-level loop too (on-stack replacement) and inlines the step function into it, and with
 * it the element handles' accessors, from one budget of bytecode per compilation (920 bytes on
 * Node 20 and 22). Getters are small enough to be inlined whatever is left (at most 27 bytes);
 * setters are not (54–57 bytes with their guards), and the engine knows no call frequency for an
 * accessor, so it takes them last, once the caller's other calls have had their share: then the
 * handle of every element is made, and the step runs several times slower.
 *
 * Variants: `sc` element handles (`ps.get(i)`), `columns` the same pass over `ps.column('x')`, …
 * (typed arrays, no accessors), `twin` hand-written typed-array code; each also with the budget
 * raised (`--max-inlined-bytecode-size-cumulative=2000`, set before anything runs) to show the
 * cause. A fresh process per engine, loop and variant (5 trials); the step's time per round:
 * the first round, and the median of rounds 11–31.
 *
 *   node bench/caller-budget.mjs [node binary…]   (after `npm run build`)
 */
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { median, resultOf, runAcrossEngines, writeResults } from './common.mjs';

const here = fileURLToPath(import.meta.url);
const LOOPS = ['default budget', 'budget 2000'];

if (process.argv[2] === 'child') {
  const [, , , loop, variant] = process.argv;
  if (loop === 'budget 2000') setFlagsFromString('--max-inlined-bytecode-size-cumulative=2000');
  const { default: sc } = await import('./library.mjs');
  const { array, f32, f64, struct, u32, u8 } = sc;
  const N = 1_000_000;
  const DT = 0.015625;
  const Particle = struct({ x: f64, y: f64, z: f64, vx: f32, vy: f32, vz: f32, id: u32, alive: u8 }, { name: 'Particle' });
  const ps = array(Particle, N).create();
  const sab = ps.$buffer;
  const F64 = new Float64Array(sab);
  const F32 = new Float32Array(sab);
  const DV = new DataView(sab);
  for (let i = 0; i < N; i++) {
    F64[i * 6] = i * 0.5;
    F32[i * 12 + 6] = 1;
    F32[i * 12 + 7] = 2;
    F32[i * 12 + 8] = 3;
  }
  const steps = {
    sc(n) {
      for (let i = 0; i < n; i++) {
        const p = ps.get(i);
        p.x += p.vx * DT;
        p.y += p.vy * DT;
        p.z += p.vz * DT;
      }
    },
    columns(n) {
      const { array: X, start: x, step: s8 } = ps.column('x');
      const { start: y } = ps.column('y');
      const { start: z } = ps.column('z');
      const { array: V, start: vx, step: s4 } = ps.column('vx');
      const { start: vy } = ps.column('vy');
      const { start: vz } = ps.column('vz');
      for (let i = 0; i < n; i++) {
        X[x + i * s8] += V[vx + i * s4] * DT;
        X[y + i * s8] += V[vy + i * s4] * DT;
        X[z + i * s8] += V[vz + i * s4] * DT;
      }
    },
    twin(n) {
      for (let i = 0; i < n; i++) {
        const d = i * 6;
        const f = i * 12;
        F64[d] += F32[f + 6] * DT;
        F64[d + 1] += F32[f + 7] * DT;
        F64[d + 2] += F32[f + 8] * DT;
      }
    },
  };
  /**
   * The round's other pass: the same update, hand-written (a second system of the simulation); a
   * function of its own, not `steps.twin`, so that its feedback is its own in every variant.
   */
  function otherPass(n) {
    for (let i = 0; i < n; i++) {
      const d = i * 6;
      const f = i * 12;
      F64[d] += F32[f + 6] * DT;
      F64[d + 1] += F32[f + 7] * DT;
      F64[d + 2] += F32[f + 8] * DT;
    }
  }
  /** The round's third pass: a thousand elements updated through a DataView (a system on a few entities). */
  function few(n) {
    for (let i = 0; i < n; i++) {
      const o = i * 48;
      DV.setFloat64(o, DV.getFloat64(o, true) + DV.getFloat32(o + 24, true) * DT, true);
      DV.setFloat64(o + 8, DV.getFloat64(o + 8, true) + DV.getFloat32(o + 28, true) * DT, true);
      DV.setFloat64(o + 16, DV.getFloat64(o + 16, true) + DV.getFloat32(o + 32, true) * DT, true);
    }
  }
  const step = steps[variant];
  const ms = [];
  const other = [];
  const third = [];
  // The harness: a top-level loop, as written in a module.
  for (let r = 0; r < 31; r++) {
    let t = performance.now();
    step(N);
    ms.push(performance.now() - t);
    t = performance.now();
    otherPass(N);
    other.push(performance.now() - t);
    t = performance.now();
    few(1000);
    third.push(performance.now() - t);
  }
  let sum = 0;
  for (let i = 0; i < N; i++) sum += F64[i * 6] + F64[i * 6 + 1] + F64[i * 6 + 2];
  process.stdout.write(`RESULT ${JSON.stringify({ first: ms[0], warm: median(ms.slice(10)), other: median(other.slice(10)), sum })}\n`);
} else {
  const t0 = performance.now();
  const { results, quick, trials } = runAcrossEngines({ script: here, loops: LOOPS, variants: ['sc', 'columns', 'twin'], read: resultOf });
  const rows = results.map(({ node, loop, runs }) => {
    const of = (variant, key) => median(runs[variant].map((r) => r[key]));
    const cell = (variant) => ({ first: of(variant, 'first'), warm: of(variant, 'warm'), worst: Math.max(...runs[variant].map((r) => r.warm)) });
    return { node, loop, sc: cell('sc'), columns: cell('columns'), twin: cell('twin') };
  });
  const ms = (v) => v.toFixed(2);
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  const md = [
    '# A step function in a busy caller',
    '',
    `The update pass over 1,000,000 Particles, called from a module's top-level loop of 31 rounds that also times it, runs the same update by hand over all elements and through a DataView over 1,000 each round (bench/caller-budget.mjs). sc: element handles; columns: \`ps.column(…)\`; twin: typed arrays by hand. "budget 2000": the same with \`--max-inlined-bytecode-size-cumulative=2000\`. A fresh process per row and variant, ${trials} trials; warm = median over trials of the median of rounds 11–31 (the worst trial's beside it), first = the first round.`,
    '',
    '| node | budget | sc warm ms (worst) | columns warm ms (worst) | twin warm ms | sc ratio | columns ratio | sc first ms | twin first ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.node} | ${r.loop} | ${ms(r.sc.warm)} (${ms(r.sc.worst)}) | ${ms(r.columns.warm)} (${ms(r.columns.worst)}) | ${ms(r.twin.warm)} | ${ratio(r.sc.warm, r.twin.warm)} | ${ratio(r.columns.warm, r.twin.warm)} | ${ms(r.sc.first)} | ${ms(r.twin.first)} |`,
    ),
    '',
  ].join('\n');
  writeResults('caller-budget', { rows, quick, totalSeconds: Math.round((performance.now() - t0) / 1000) }, md, rows.length);
}
