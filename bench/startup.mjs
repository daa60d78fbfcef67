/**
 * Startup benchmark: what loading the library costs a fresh process and a fresh worker, the
 * package's bundle (dist/sharedctypes.js, what `import 'sharedctypes'` loads) beside the module
 * tree tsc writes (dist/index.js, ~100 files), with a worker that loads nothing as the floor.
 *
 *   npm run bench              (builds dist/ and the bundles, runs every benchmark)
 *   node bench/startup.mjs     (after `npm run build`)
 *
 * 1. import: a fresh `node` process per sample times `await import(…)` of the library, then the first
 *    schema, array and `create()` (the work a program does before anything else), each variant in
 *    turn so that none always runs on a cooler machine.
 * 2. worker: from `new Worker(…)` to the worker's first message, sent once it has imported the
 *    library and made the first schema and view; workers started one after another, variants in turn.
 *
 * Options (environment): BENCH_QUICK=1 fewer samples (results go to *.tmp).
 */
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { machineInfo, median, writeResults } from './common.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const SAMPLES = QUICK ? 3 : 15;

const VARIANTS = {
  bundle: new URL('../dist/sharedctypes.js', import.meta.url).href,
  'module tree': new URL('../dist/index.js', import.meta.url).href,
};

/** What a program does first: import, then one schema, one array type, one view of a new buffer. */
const firstUse = (url) => `
const t0 = performance.now();
const m = await import(${JSON.stringify(url)});
const t1 = performance.now();
const P = m.struct({ x: m.f64, y: m.f64, z: m.f64, vx: m.f32, vy: m.f32, vz: m.f32, id: m.u32, alive: m.u8 }, { name: 'Particle' });
const ps = m.array(P, 1000).create();
ps.get(3).x = 1;
const t2 = performance.now();
`;

/** One fresh process: ms for the import, and for the first schema and view after it. */
function importSample(url) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `${firstUse(url)}console.log(JSON.stringify({ load: t1 - t0, first: t2 - t1 }));`], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop());
}

/** ms from `new Worker` to its first message (sent after `code` ran). */
async function workerSample(code) {
  const t = performance.now();
  const w = new Worker(code, { eval: true });
  await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  const ms = performance.now() - t;
  await w.terminate();
  return ms;
}

const started = performance.now();
const imports = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, { load: [], first: [] }]));
for (let s = 0; s < SAMPLES; s++) {
  const order = Object.keys(VARIANTS);
  if (s % 2) order.reverse();
  for (const v of order) {
    const r = importSample(VARIANTS[v]);
    imports[v].load.push(r.load);
    imports[v].first.push(r.first);
  }
}

const workerCode = {
  'no library (floor)': `require('node:worker_threads').parentPort.postMessage(0);`,
  ...Object.fromEntries(
    Object.entries(VARIANTS).map(([v, url]) => [v, `(async () => { ${firstUse(url)} require('node:worker_threads').parentPort.postMessage(0); })();`]),
  ),
};
const workers = Object.fromEntries(Object.keys(workerCode).map((v) => [v, []]));
for (let s = 0; s < SAMPLES; s++) {
  const order = Object.keys(workerCode);
  if (s % 2) order.reverse();
  for (const v of order) workers[v].push(await workerSample(workerCode[v]));
}

const ms = (x) => x.toFixed(1);
const bundleLoad = median(imports.bundle.load);
const treeLoad = median(imports['module tree'].load);
const result = {
  benchmark: 'startup',
  date: new Date().toISOString(),
  machine: machineInfo(),
  quick: QUICK,
  samples: SAMPLES,
  imports: Object.fromEntries(
    Object.entries(imports).map(([v, r]) => [v, { loadMs: median(r.load), firstUseMs: median(r.first), load: r.load, first: r.first }]),
  ),
  workers: Object.fromEntries(Object.entries(workers).map(([v, r]) => [v, { readyMs: median(r), samples: r }])),
  totalSeconds: Math.round((performance.now() - started) / 100) / 10,
};
const floor = median(workers['no library (floor)']);
const md = [
  '# sharedctypes startup benchmark',
  '',
  `${result.date} · Node ${process.version} · V8 ${process.versions.v8} · ${result.machine.cpu} (${result.machine.cores} cores) · ${result.machine.platform}`,
  '',
  `What loading the library costs: the package's bundle (\`dist/sharedctypes.js\`, what \`import 'sharedctypes'\` loads) beside the module tree tsc writes (\`dist/index.js\` and ~100 modules). Median of ${SAMPLES} samples, variants in turn.`,
  '',
  '## 1. A fresh process: the import, then the first schema and view',
  '',
  '| variant | import ms | first schema + array + create() ms | import ratio |',
  '|---|---:|---:|---:|',
  ...Object.entries(result.imports).map(([v, r]) => `| ${v} | ${ms(r.loadMs)} | ${ms(r.firstUseMs)} | ${(r.loadMs / bundleLoad).toFixed(2)}× |`),
  '',
  `The bundle loads ${(treeLoad / bundleLoad).toFixed(1)}× faster than the module tree.`,
  '',
  '## 2. A fresh worker: from `new Worker()` to its first message, after the import and the first schema and view',
  '',
  '| variant | ready ms | over the floor ms |',
  '|---|---:|---:|',
  ...Object.entries(result.workers).map(([v, r]) => `| ${v} | ${ms(r.readyMs)} | ${v.startsWith('no library') ? '—' : ms(r.readyMs - floor)} |`),
  '',
].join('\n');
writeResults('startup', result, md, 0);
