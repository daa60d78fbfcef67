// A piscina task: the pool passes structured-cloneable handles; the task attaches typed views and
// locks, and works on the shared memory in place. It runs the library under test (library.mjs).
import { library, sc } from './library.mjs';

const { attachAll, struct, array, f64, u32 } = sc;
const Particle = struct({ x: f64, vx: f64, id: u32 }, { name: 'Particle' });

export default function step({ shared, from, to, count }) {
  const { particles, stats } = attachAll(shared, { particles: array(Particle, count) });
  const p = particles.cursor(from);
  for (let i = from; i < to; i++) p.seek(i).x += p.vx;
  stats.update((n) => n + (to - from)); // a synchronized Value: its lock came along in the handle
  return to - from;
}

/** Which library and accessor mode this pool thread runs (test/workers/mode.test.ts). */
export function mode() {
  return { ...library, codegenActive: sc.codegenActive() };
}
