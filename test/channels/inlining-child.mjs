// Child process of inlining.test.ts (node --trace-opt --trace-turbo-inlining, compilations on the
// main thread): the zero-copy write of a Particle as users write it, reserve, the eight field
// writes, commit, in a loop hot enough for TurboFan. The parent counts, per compilation of the
// loop, how many of the element's setters V8 inlined into it.
import { sc } from '../workers/library.mjs';

const Particle = sc.struct({ x: sc.f64, y: sc.f64, z: sc.f64, vx: sc.f32, vy: sc.f32, vz: sc.f32, id: sc.u32, alive: sc.u8 }, { name: 'Particle' });
const ch = new sc.Channel(Particle, 1024, { mode: 'spsc' });
const out = sc.array(Particle, 1024).create();

function zeroCopyWrites(c) {
  for (let i = 0; i < 1000; i++) {
    const p = c.tryReserve();
    p.x = i;
    p.y = 1;
    p.z = 2;
    p.vx = 0.5;
    p.vy = 1.5;
    p.vz = 2.5;
    p.id = i;
    p.alive = 1;
    c.commit();
  }
}

for (let k = 0; k < 300; k++) {
  zeroCopyWrites(ch);
  ch.tryPopMany(out);
}
