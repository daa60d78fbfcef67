// The schema shared by the demo's main thread and its workers: both import this module, and the
// fingerprint check proves they agree on the layout.
import { array, f32, f64, struct, u8, u32 } from '../dist/index.js';

export const Particle = struct(
  {
    x: f64,
    y: f64,
    z: f64, // @0, @8, @16
    vx: f32,
    vy: f32,
    vz: f32, // @24, @28, @32
    id: u32, // @36
    alive: u8, // @40, then 7 bytes of tail padding: sizeof 48
  },
  { name: 'Particle' },
);

export const Particles = (n) => array(Particle, n);

/** One simulation step for particles [from, to): gravity, motion, floor bounce. */
export function step(ps, from, to, dt) {
  const p = ps.cursor(from);
  for (let i = from; i < to; i++) {
    p.seek(i);
    if (!p.alive) continue;
    p.vy -= 9.81 * dt;
    p.x += p.vx * dt;
    p.y += p.vy * dt;
    p.z += p.vz * dt;
    if (p.y < 0) {
      p.y = -p.y;
      p.vy = -p.vy * 0.9;
    }
  }
}
