// A piscina task: the pool passes structured-cloneable handles; the task attaches typed views and
// locks, and works on the shared memory in place.
import { attachAll, struct, array, f64, u32 } from '../../dist/index.js';

const Particle = struct({ x: f64, vx: f64, id: u32 }, { name: 'Particle' });

export default function step({ shared, from, to, count }) {
  const { particles, stats } = attachAll(shared, { particles: array(Particle, count) });
  const p = particles.cursor(from);
  for (let i = from; i < to; i++) p.seek(i).x += p.vx;
  stats.update((n) => n + (to - from)); // a synchronized Value: its lock came along in the handle
  return to - from;
}
