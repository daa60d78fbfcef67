// Child process of handles-alloc.test.ts (node --trace-gc): runs the loop over element handles
// named on its command line as many times as the next argument says (8 by default) in a fresh
// process, the first call being the whole pass (compiled by on-stack replacement), and prints a
// CALL marker before each call; --trace-gc prints every collection to stdout, so the parent counts
// the collections each call caused. A handle allocated per element (24-40 bytes, 400,000 elements)
// would be 10-16 MB per call: several collections in every call.
import { sc } from '../workers/library.mjs';

const N = 400_000;
/** How many calls: the parent's number (after the loop's name), 8 by default. */
const CALLS = Number(process.argv[3] ?? 8);
if (!Number.isSafeInteger(CALLS) || CALLS < 1) throw new Error(`handles-alloc-child: calls ${process.argv[3]} is not a whole number`);
// A module-level constant read while a handle is alive: what a simulation step writes.
const DT = 0.015625;
const Particle = sc.struct({ x: sc.f64, y: sc.f64, z: sc.f64, vx: sc.f32, vy: sc.f32, vz: sc.f32, id: sc.u32, alive: sc.u8 }, { name: 'Particle' });
let kept = null;

/** The update pass of a simulation step, as users write it. */
const update = (ps) => {
  for (let i = 0; i < ps.length; i++) {
    const p = ps.get(i);
    p.x += p.vx * DT;
    p.y += p.vy * DT;
    p.z += p.vz * DT;
  }
};

const loops = {
  'update, DT a module constant': update,
  // The same pass over a checked view (created below from the loop's name).
  'update, checked': update,
  'update, DT in a local': (ps) => {
    const dt = DT;
    for (let i = 0; i < ps.length; i++) {
      const p = ps.get(i);
      p.x += p.vx * dt;
      p.y += p.vy * dt;
      p.z += p.vz * dt;
    }
  },
  // Every field of Particle read and written per element: within V8's inlining budget for the loop
  // (see NUM_HELPER and emitWrite in src/codegen/access.ts; nine fields are not).
  'eight fields read and written': (ps) => {
    for (let i = 0; i < ps.length; i++) {
      const p = ps.get(i);
      p.x = p.x * DT;
      p.y = p.y * DT;
      p.z = p.z * DT;
      p.vx = p.vx * DT;
      p.vy = p.vy * DT;
      p.vz = p.vz * DT;
      p.id = p.id + 1;
      p.alive = p.alive ^ 1;
    }
  },
  // for…of: the iterator's result objects and the handles they carry (view-methods.ts, ElementIterator).
  'update, for…of': (ps) => {
    for (const p of ps) {
      p.x += p.vx * DT;
      p.y += p.vy * DT;
      p.z += p.vz * DT;
    }
  },
  // The update pass after ten other structures' accessors of the same forms ran (below): on every engine
  // number members share their accessors across classes (src/codegen/shared-accessors.ts), whose
  // feedback has then seen eleven classes.
  'update, other structures first': update,
  // The control: every handle escapes (kept in a module variable), so each call must show
  // collections; otherwise the method could not see an allocation.
  'control: handles kept': (ps) => {
    for (let i = 0; i < ps.length; i++) {
      const p = ps.get(i);
      p.x += p.vx * DT;
      kept = p;
    }
  },
};

const name = process.argv[2];
const loop = loops[name];
if (loop === undefined) throw new Error(`no loop ${name}`);
if (name === 'update, other structures first') {
  for (let c = 0; c < 10; c++) {
    const Other = sc.struct({ [`a${c}`]: sc.f64, b: sc.f32, x: sc.f64, vx: sc.f32, n: sc.u32 }, { name: `Other${c}` });
    const others = sc.array(Other, 1000).create();
    for (let r = 0; r < 30; r++) {
      for (let i = 0; i < others.length; i++) {
        const o = others.get(i);
        o.x += o.vx + o.b;
        o[`a${c}`] = o.x + o.n;
      }
    }
  }
}
const ps = sc.array(Particle, N).create(undefined, { checked: name.endsWith('checked') });
new Float64Array(ps.$buffer).fill(1.5);
for (let c = 0; c < CALLS; c++) {
  console.log(`CALL ${c}`);
  loop(ps);
}
console.log(`END ${kept === null ? 0 : 1}`);
