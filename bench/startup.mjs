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
 * 3. Node's compile cache (Node 22.1 and later: `module.enableCompileCache()`, NODE_COMPILE_CACHE):
 *    1 and 2 for the bundle on each such Node binary (this one, and Node 22, 24 and 26 where
 *    test/setup/runtimes.mjs has fetched them), without and with a cache directory that one run
 *    has filled first. A worker pool that starts workers on demand pays the import and the first
 *    schema per worker; the cache is what a program can do about it.
 *
 * Options (environment): BENCH_QUICK=1 fewer samples (results go to *.tmp).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { machineInfo, median, nodeBinaries, writeResults } from './common.mjs';

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

/** One fresh process of `bin` (this Node by default) with `env`: ms for the import, and for the first schema and view after it. */
function importSample(url, bin = process.execPath, env = process.env) {
  const out = execFileSync(bin, ['--input-type=module', '-e', `${firstUse(url)}console.log(JSON.stringify({ load: t1 - t0, first: t2 - t1 }));`], {
    encoding: 'utf8',
    env,
  });
  return JSON.parse(out.trim().split('\n').pop());
}

/** What a worker that makes the first schema and view runs (`url` the library), then tells its parent. */
const workerFirstUse = (url) => `(async () => { ${firstUse(url)} require('node:worker_threads').parentPort.postMessage(0); })();`;

/**
 * In one fresh process of `bin` with `env`: ms from `new Worker` to the first message of `count`
 * workers started one after another, each running `code`.
 */
function workerSamplesIn(bin, env, code, count) {
  const script = `import { Worker } from 'node:worker_threads';
const ms = [];
for (let i = 0; i < ${count}; i++) {
  const t = performance.now();
  const w = new Worker(${JSON.stringify(code)}, { eval: true, execArgv: [] });
  await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  ms.push(performance.now() - t);
  await w.terminate();
}
console.log(JSON.stringify(ms));`;
  const out = execFileSync(bin, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
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
  ...Object.fromEntries(Object.entries(VARIANTS).map(([v, url]) => [v, workerFirstUse(url)])),
};
const workers = Object.fromEntries(Object.keys(workerCode).map((v) => [v, []]));
for (let s = 0; s < SAMPLES; s++) {
  const order = Object.keys(workerCode);
  if (s % 2) order.reverse();
  for (const v of order) workers[v].push(await workerSample(workerCode[v]));
}

// 3. Node's compile cache, on every Node binary that has it (22.1 and later).
const versionOf = (bin) => execFileSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
const hasCompileCache = (version) => {
  const [major, minor] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 1);
};
const compileCache = [];
for (const bin of nodeBinaries([])) {
  const version = versionOf(bin);
  if (!hasCompileCache(version)) continue;
  const dir = mkdtempSync(join(tmpdir(), 'sharedctypes-compile-cache-'));
  try {
    const plain = { ...process.env };
    delete plain.NODE_COMPILE_CACHE;
    const cached = { ...plain, NODE_COMPILE_CACHE: dir };
    importSample(VARIANTS.bundle, bin, cached); // fills the cache
    const runs = { plain: { load: [], first: [] }, cached: { load: [], first: [] } };
    for (let s = 0; s < SAMPLES; s++)
      for (const v of s % 2 ? ['cached', 'plain'] : ['plain', 'cached']) {
        const r = importSample(VARIANTS.bundle, bin, v === 'cached' ? cached : plain);
        runs[v].load.push(r.load);
        runs[v].first.push(r.first);
      }
    const count = SAMPLES;
    const floorMs = median(workerSamplesIn(bin, plain, workerCode['no library (floor)'], count));
    const workerPlain = median(workerSamplesIn(bin, plain, workerFirstUse(VARIANTS.bundle), count));
    const workerCached = median(workerSamplesIn(bin, cached, workerFirstUse(VARIANTS.bundle), count));
    compileCache.push({
      node: `v${version}`,
      import: { plainMs: median(runs.plain.load), cachedMs: median(runs.cached.load) },
      firstUse: { plainMs: median(runs.plain.first), cachedMs: median(runs.cached.first) },
      worker: { floorMs, plainMs: workerPlain, cachedMs: workerCached },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  compileCache,
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
  "## 3. Node's compile cache (Node 22.1 and later): the bundle without and with a filled cache",
  '',
  'NODE_COMPILE_CACHE set to a directory one run filled first (what `module.enableCompileCache()` at the start of a program does); each Node binary that has it: this one and those test/setup/runtimes.mjs has fetched. Import and first use in fresh processes, variants in turn; worker: ready ms over a worker that loads nothing, workers started one after another in one process per variant.',
  '',
  ...(compileCache.length === 0
    ? ['No Node binary here has it (Node 20 does not; `npm run test:runtimes` fetches Node 22, 24 and 26).']
    : [
        '| node | import ms | with the cache | first schema + array + create() ms | with the cache | worker over the floor ms | with the cache |',
        '|---|---:|---:|---:|---:|---:|---:|',
        ...compileCache.map(
          (r) =>
            `| ${r.node} | ${ms(r.import.plainMs)} | ${ms(r.import.cachedMs)} | ${ms(r.firstUse.plainMs)} | ${ms(r.firstUse.cachedMs)} | ${ms(r.worker.plainMs - r.worker.floorMs)} | ${ms(r.worker.cachedMs - r.worker.floorMs)} |`,
        ),
      ]),
  '',
].join('\n');
writeResults('startup', result, md, 0);
