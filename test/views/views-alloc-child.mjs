// Child process of views-alloc.test.ts (node --trace-gc): runs the loop of views per byte offset
// named on its command line as many times as the next argument says (8 by default) in a fresh
// process, and prints a CALL marker before each call; --trace-gc prints every collection to
// stdout, so the parent counts the collections each call caused. A view allocated per offset
// (24-40 bytes, 400,000 views per call) would be 10-16 MB per call: several collections in every
// call.
import { sc } from '../workers/library.mjs';

const M = 10_000;
const K = 400_000;
/** How many calls: the parent's number (after the loop's name), 8 by default. */
const CALLS = Number(process.argv[3] ?? 8);
if (!Number.isSafeInteger(CALLS) || CALLS < 1) throw new Error(`views-alloc-child: calls ${process.argv[3]} is not a whole number`);
const Particle = sc.struct({ x: sc.f64, y: sc.f64, z: sc.f64, vx: sc.f32, vy: sc.f32, vz: sc.f32, id: sc.u32, alive: sc.u8 }, { name: 'Particle' });
const Tag = sc.struct({ kind: sc.u32, len: sc.u32, w: sc.f64 }, { name: 'Tag' });
const sab = new SharedArrayBuffer(48 * M);
const f64 = new Float64Array(sab);
for (let i = 0; i < f64.length; i++) f64[i] = i + 0.25;
const OFF = new Uint32Array(K);
for (let k = 0, s = 2463534242; k < K; k++) {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  OFF[k] = ((s >>> 0) % M) * 48;
}
const kept = [];

/** Views of other schemas made elsewhere in the program first (a header at startup, a config struct), through the same T.view. */
function elsewhere() {
  for (let t = 0; t < 3; t++) {
    const T = sc.struct({ a: sc.u32, b: sc.u16, c: sc.f64, [`k${t}`]: sc.u8 });
    const b = new SharedArrayBuffer(1024);
    for (let r = 0; r < 2000; r++) T.view(b, (r % 8) * 16).a;
  }
}

/** The same through view(T, …) (Node 20: the call inside the one `view` function had seen every type's function). */
function elsewhereThroughView() {
  for (let t = 0; t < 3; t++) {
    const T = sc.struct({ a: sc.u32, b: sc.u16, c: sc.f64, [`v${t}`]: sc.u8 });
    const b = new SharedArrayBuffer(1024);
    for (let r = 0; r < 2000; r++) sc.view(T, b, (r % 8) * 16).a;
  }
}

const loops = {
  // A view per offset of one type through view(T, …), after views of other types through it.
  'one type through view(), other types viewed through it first': () => {
    let s = 0;
    for (let k = 0; k < OFF.length; k++) s += sc.view(Particle, sab, OFF[k]).x;
    return s;
  },
  // A view per offset of one type, after views of other types elsewhere.
  'one type, other types viewed first': () => {
    let s = 0;
    for (let k = 0; k < OFF.length; k++) s += Particle.view(sab, OFF[k]).x;
    return s;
  },
  // Views of two types in turn (a header and a record, nodes of two kinds).
  'two types in turn': () => {
    let s = 0;
    for (let k = 0; k < OFF.length; k += 2) s += Particle.view(sab, OFF[k]).x + Tag.view(sab, OFF[k + 1]).w;
    return s;
  },
  // The same through view(T, …) (Node 20 serves the two pairs from one function of both).
  'two types in turn through view()': () => {
    let s = 0;
    for (let k = 0; k < OFF.length; k += 2) s += sc.view(Particle, sab, OFF[k]).x + sc.view(Tag, sab, OFF[k + 1]).w;
    return s;
  },
  // The control: the same loop keeping one view in 1,000 (the rest could be removed; the escape keeps them all).
  'control: views kept': () => {
    let s = 0;
    for (let k = 0; k < OFF.length; k++) {
      const v = Particle.view(sab, OFF[k]);
      if ((k & 1023) === 0) kept.push(v);
      s += v.x;
    }
    return s;
  },
};

const name = process.argv[2];
const loop = loops[name];
if (loop === undefined) throw new Error(`views-alloc-child: no loop ${name}`);
elsewhere();
if (name.includes('through view()')) elsewhereThroughView();
let sum = 0;
for (let c = 0; c < CALLS; c++) {
  console.log(`CALL ${c}`);
  sum += loop();
}
console.log(`END ${sum} ${kept.length}`);
