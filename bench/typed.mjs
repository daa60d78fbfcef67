/**
 * Arrays of numbers (`array(f32, n)`: audio samples, coordinates, a struct-of-arrays column) three
 * ways: `get(i)`/`set(i, v)` on the array view, a loop over `a.typed()` (taken at the start of each
 * call, so its cost is in the time), and hand-written typed-array code over a `Float32Array` the
 * caller made from the buffer. Two loops: a sum, and an update (`x[i] = x[i] * 0.5 + 1`). Each row
 * runs in a fresh process on this Node and, if test/setup/runtimes.mjs fetched them, Node 22, 24
 * and 26: "cold" is the first call (the whole pass), "warm" the median of the next 15.
 *
 *   node bench/typed.mjs [node binary…]   (after `npx tsc -p tsconfig.build.json`)
 */
import { fileURLToPath } from 'node:url';
import sc from './library.mjs';
import { coldWarmRows, coldWarmTable, median, runAcrossEngines, writeResults } from './common.mjs';

const here = fileURLToPath(import.meta.url);
const N = 1_000_000;
const WARM = 15;

/** The loops: each takes the array view and the hand-made Float32Array over the same bytes. */
const LOOPS = {
  sum: {
    'get(i)'(a) {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a.get(i);
      return s;
    },
    'typed()'(a) {
      const x = a.typed();
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i];
      return s;
    },
    'Float32Array (hand-written)'(_a, x) {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i];
      return s;
    },
  },
  update: {
    'get(i)'(a) {
      for (let i = 0; i < a.length; i++) a.set(i, a.get(i) * 0.5 + 1);
      return 0;
    },
    'typed()'(a) {
      const x = a.typed();
      for (let i = 0; i < x.length; i++) x[i] = x[i] * 0.5 + 1;
      return 0;
    },
    'Float32Array (hand-written)'(_a, x) {
      for (let i = 0; i < x.length; i++) x[i] = x[i] * 0.5 + 1;
      return 0;
    },
  },
};
const VARIANTS = Object.keys(LOOPS.sum);
const TWIN = 'Float32Array (hand-written)';

if (process.argv[2] === 'child') {
  const [, , , loop, variant] = process.argv;
  const a = sc.array(sc.f32, N).create();
  const x = new Float32Array(a.$buffer, a.$byteOffset, N);
  for (let i = 0; i < N; i++) x[i] = (i % 1000) * 0.25;
  const f = LOOPS[loop][variant];
  let t = performance.now();
  let sum = f(a, x);
  const cold = performance.now() - t;
  const warm = [];
  for (let r = 0; r < WARM; r++) {
    t = performance.now();
    f(a, x);
    warm.push(performance.now() - t);
  }
  if (loop === 'update') sum = x.reduce((s, v) => s + v, 0); // the values after 1 + WARM passes
  process.stdout.write(`RESULT ${JSON.stringify({ cold, warm: median(warm), sum })}\n`);
} else {
  const t0 = performance.now();
  const { results, quick, trials: TRIALS } = runAcrossEngines({ script: here, loops: Object.keys(LOOPS), variants: VARIANTS });
  const rows = coldWarmRows(results, VARIANTS, TWIN);
  const md = [
    '# Arrays of numbers: get(i), typed(), a hand-written Float32Array',
    '',
    `\`array(f32, ${N.toLocaleString('en')})\`: a sum, and an update \`x[i] = x[i] * 0.5 + 1\`, through \`get(i)\`/\`set(i, v)\`, through \`a.typed()\` (taken inside each timed call), and through a \`Float32Array\` made by hand over the same bytes. A fresh process per row, median of ${TRIALS}; cold = the first call (the whole pass), warm = median of the next ${WARM}; ratios against the hand-written loop in the same row group.`,
    '',
    ...coldWarmTable(rows),
    '',
  ].join('\n');
  writeResults('typed', { rows, quick, totalSeconds: Math.round((performance.now() - t0) / 1000) }, md, rows.length);
}
