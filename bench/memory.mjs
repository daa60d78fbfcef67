/**
 * Memory benchmark: what views, handles and shared values cost in the JS heap and outside it,
 * against the same data as plain objects and the npm libraries of bench/run.mjs.
 *
 *   npm run bench            (builds dist/, then runs every benchmark)
 *   node bench/memory.mjs    (after `npx tsc -p tsconfig.build.json`)
 *
 * Method: each measurement runs in a fresh `node --expose-gc` child process, so that nothing from
 * one variant stays in the heap of another; it forces a full GC, reads process.memoryUsage()
 * (heapUsed for JS objects, arrayBuffers for SharedArrayBuffer/ArrayBuffer memory), builds the
 * objects, keeps them reachable, forces a GC again and reports the difference per element.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIBRARY_FILE } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = new URL(`../${LIBRARY_FILE}`, import.meta.url).href; // the build the benchmarks load (common.mjs)

const N = 100_000;
const PARTICLE = `struct({ x: f64, y: f64, z: f64, vx: f32, vy: f32, vz: f32, id: u32, alive: u8 }, { name: 'Particle' })`;

/** Each case: code building `keep` (reachable until measured) from N elements. */
const cases = [
  [
    'plain objects { x, y, z, vx, vy, vz, id, alive } (structured-clone shape)',
    `keep = Array.from({ length: N }, (_, i) => ({ x: i, y: i, z: i, vx: 1, vy: 1, vz: 1, id: i, alive: 1 }));`,
  ],
  ['sharedctypes: one array(Particle, N) view (the data in one SharedArrayBuffer)', `keep = array(Particle, N).create();`],
  [
    'sharedctypes: the array + N stored element handles (ps.get(i))',
    `const ps = array(Particle, N).create(); keep = [ps, Array.from({ length: N }, (_, i) => ps.get(i))];`,
  ],
  ['sharedctypes: N separately created structs (Particle.create(), a buffer each)', `keep = Array.from({ length: N }, () => Particle.create());`],
  ["sharedctypes: N Value('i', 0) (an RLock and an i32 in a buffer each)", `keep = Array.from({ length: N }, () => Value('i', 0));`],
  ['sharedctypes: N Lock() (4 bytes of shared memory each)', `keep = Array.from({ length: N }, () => new Lock());`],
];

function measure(code) {
  const script = `
import { array, f32, f64, Lock, struct, u32, u8, Value } from ${JSON.stringify(dist)};
const N = ${N};
const Particle = ${PARTICLE};
Particle.create(); array(Particle, 2).create().get(1); Value('i', 0); new Lock(); // compile and warm up first
let keep;
// The heap after full collections swings by ~220 KB from one to the next (every fourth or so: caches
// the engine ages and clears), so a reading after a fixed number of them could land on either side
// (-2.2 B/element against every case, once): the reading is the least of four in a row.
const settled = () => {
  let least;
  for (let k = 0; k < 4; k++) {
    globalThis.gc();
    const m = process.memoryUsage();
    if (least === undefined || m.heapUsed < least.heapUsed) least = m;
  }
  return least;
};
const before = settled();
${code}
const after = settled();
console.log(JSON.stringify({ heap: after.heapUsed - before.heapUsed, external: after.arrayBuffers - before.arrayBuffers, n: Array.isArray(keep) ? keep.length : 1 }));
`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

const rows = cases.map(([name, code]) => {
  const samples = [0, 1, 2].map(() => measure(code));
  samples.sort((a, b) => a.heap + a.external - (b.heap + b.external));
  const m = samples[1];
  return { name, heapBytesPerElement: m.heap / N, sharedBytesPerElement: m.external / N, totalBytesPerElement: (m.heap + m.external) / N };
});

const md = [
  '# sharedctypes memory benchmark',
  '',
  `${new Date().toISOString()} · Node ${process.version} · V8 ${process.versions.v8} · ${cpus()[0]?.model ?? 'unknown CPU'} · library \`${LIBRARY_FILE}\``,
  '',
  `${N.toLocaleString('en-US')} elements per case, each case in a fresh process; median of 3. "JS heap" is process.memoryUsage().heapUsed, "buffers" its arrayBuffers (SharedArrayBuffer memory); both after a full GC, per element.`,
  '',
  '| case | JS heap B/element | buffers B/element | total B/element |',
  '|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.heapBytesPerElement.toFixed(1)} | ${r.sharedBytesPerElement.toFixed(1)} | ${r.totalBytesPerElement.toFixed(1)} |`),
  '',
  'The Particle struct is 48 bytes in C (and in the shared array). A plain object with the same eight fields costs what the first row shows; a stored element handle is a small object holding only its byte offset; a separately created struct or Value also owns a SharedArrayBuffer (memory is handed out in pages by some platforms, so small buffers can cost more than their size).',
  '',
];
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'memory.json'),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, v8: process.versions.v8, n: N, rows }, null, 2)}\n`,
);
writeFileSync(join(here, 'results', 'memory.md'), md.join('\n'));
console.log(md.join('\n'));
