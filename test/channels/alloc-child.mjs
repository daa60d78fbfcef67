// Child process of alloc.test.ts (node --expose-gc --trace-gc): runs each non-blocking operation
// 400,000 times after warm-up and reports the heap growth; --trace-gc prints every collection to
// stdout between the BEGIN/END markers, so the parent also sees any collection the loop caused.
import { sc } from '../workers/library.mjs';

const N = 400_000;
const WARM = 100_000;
const ATTEMPTS = 3;
// Each loop keeps its running sum in a typed-array slot, as an audio callback keeps its state. A
// double carried in a local from one iteration to the next is boxed at the loop's back edge by the
// optimising compiler of V8 ≥ 12 in loops of this shape, around a hand-written twin of the
// protocol as much as around ours (docs/channels.md): that would hide what the channel calls do.
const acc = new Float64Array(1);
const Particle = sc.struct({ x: sc.f64, y: sc.f64, z: sc.f64, vx: sc.f32, vy: sc.f32, vz: sc.f32, id: sc.u32, alive: sc.u8 }, { name: 'Particle' });

/** Each case: a function of (iterations) that runs the operation and returns a checksum. */
function cases(mode) {
  const f64 = new sc.Channel(sc.f64, 256, { mode });
  const u32 = new sc.Channel(sc.u32, 256, { mode });
  const parts = new sc.Channel(Particle, 64, { mode });
  const audio = new sc.Channel(sc.f32, 1024, { mode });
  const block = new Float32Array(128); // an AudioWorklet render quantum
  const out = new Float32Array(128);
  const one = new Float64Array(1);
  const got = new Float64Array(1);
  return {
    // A double passed to or returned from a call the engine does not inline is boxed (a heap
    // number): single f64 items go through one-element typed arrays on the allocation-free path.
    [`${mode} f64 tryPushMany + tryPopMany of 1 (Float64Array)`](n) {
      acc[0] = 0;
      for (let i = 0; i < n; i++) {
        one[0] = i * 0.5;
        f64.tryPushMany(one);
        if (f64.tryPopMany(got) === 1) acc[0] += got[0];
      }
      return acc[0];
    },
    [`${mode} u32 tryPush + tryPop`](n) {
      acc[0] = 0;
      for (let i = 0; i < n; i++) {
        u32.tryPush(i);
        acc[0] += u32.tryPop() ?? 0;
      }
      return acc[0];
    },
    [`${mode} Particle tryReserve/commit + tryFront/release (zero-copy)`](n) {
      acc[0] = 0;
      for (let i = 0; i < n; i++) {
        const w = parts.tryReserve();
        if (w !== null) {
          w.x = i;
          w.id = i;
          parts.commit();
        }
        const r = parts.tryFront();
        if (r !== null) {
          acc[0] += r.x + r.id;
          parts.release();
        }
      }
      return acc[0];
    },
    [`${mode} f32 tryPushMany + tryPopMany of 128 samples`](n) {
      acc[0] = 0;
      for (let i = 0; i < n / 128; i++) {
        block[i & 127] = i;
        audio.tryPushMany(block);
        acc[0] += audio.tryPopMany(out);
      }
      return acc[0] + out[5];
    },
  };
}

/** The control: copying objects in and out allocates (the plain objects), and the method must see it. */
function control() {
  const parts = new sc.Channel(Particle, 64, { mode: 'spsc' });
  return {
    'control: Particle tryPush({…}) + tryPop() (copies: allocates)'(n) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        parts.tryPush({ x: i, id: i });
        s += parts.tryPop()?.id ?? 0;
      }
      return s;
    },
  };
}

const all = { ...cases('spsc'), ...cases('mpmc'), ...control() };
const results = {};
let sink = 0;
for (const [name, run] of Object.entries(all)) {
  // warm-up: the engine optimises the loop and everything it calls (the 128-sample batches run
  // n / 128 iterations: warmed up with as many iterations as the others)
  const warm = name.includes('of 128 samples') ? WARM * 128 : WARM;
  sink += run(warm);
  sink += run(warm);
  sink += run(N); // and anything it compiles late (code and feedback are heap objects too)
  // Three measured runs: an allocation per operation shows in every one of them (≥ 4.8 MB, or the
  // collections it causes); code and feedback that the engine makes late (on a loaded machine a
  // concurrent recompilation can land inside a run) are made once, and can trigger a collection in
  // that run when the young generation is small after gc(). The parent takes the cleanest run.
  results[name] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    process.stdout.write(`BEGIN ${name}#${attempt}\n`);
    globalThis.gc(); // (a full collection prints a Mark-Compact line: the count starts after it)
    process.stdout.write('MEASURE\n');
    const before = process.memoryUsage().heapUsed;
    sink += run(N);
    const after = process.memoryUsage().heapUsed;
    process.stdout.write(`END ${name}#${attempt}\n`);
    results[name].push(after - before);
  }
}
process.stdout.write(`RESULT ${JSON.stringify({ results, sink })}\n`);
