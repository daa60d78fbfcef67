// The schemas shared by the demo's main thread and its workers. Both import this module; attach()
// checks that their layouts agree (a fingerprint per schema).
import { array, atomic, f32, f64, mutex, struct, u8, u32 } from '../dist/sharedctypes.js';

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

export const BINS = 16;

/** Statistics every worker contributes to: atomics for counters, a lock for the max (a float). */
export const Stats = struct(
  {
    bounces: u32, // atomic adds
    histogram: array(u32, BINS), // atomic adds per height bin
    guard: mutex(), // guards the two fields below, which no single atomic can update together
    maxHeight: f64,
    maxId: u32,
  },
  { name: 'Stats' },
);

export const Particles = (n) => array(Particle, n);

/** One simulation step for particles [from, to): gravity, motion, floor bounce. Returns the bounces. */
export function step(ps, from, to, dt) {
  let bounces = 0;
  for (let i = from; i < to; i++) {
    const p = ps.get(i); // a live view of element i; in an optimised loop it costs no allocation
    if (!p.alive) continue;
    p.vy -= 9.81 * dt;
    p.x += p.vx * dt;
    p.y += p.vy * dt;
    p.z += p.vz * dt;
    if (p.y < 0) {
      p.y = -p.y;
      p.vy = -p.vy * 0.9;
      bounces++;
    }
  }
  return bounces;
}

/** Adds the slice's height histogram and highest particle into the shared stats. */
export function record(ps, from, to, stats, bounces) {
  atomic(stats, 'bounces').add(bounces);
  const local = new Uint32Array(BINS);
  let maxHeight = -Infinity;
  let maxId = 0;
  for (let i = from; i < to; i++) {
    const p = ps.get(i);
    const y = p.y;
    local[Math.min(BINS - 1, Math.max(0, Math.floor(y / 10)))]++;
    if (y > maxHeight || (y === maxHeight && p.id < maxId)) {
      maxHeight = y;
      maxId = p.id;
    }
  }
  for (let b = 0; b < BINS; b++) if (local[b] > 0) atomic(stats.histogram, b).add(local[b]);
  stats.guard.withLock(() => {
    if (maxHeight > stats.maxHeight || (maxHeight === stats.maxHeight && maxId < stats.maxId)) {
      stats.maxHeight = maxHeight;
      stats.maxId = maxId;
    }
  });
}
