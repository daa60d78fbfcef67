// The WebAssembly end-to-end scenario, shared by Node (test/wasm/wasm.test.ts) and Chromium
// (test/browser/pages/wasm.js): the same schema, the same values as particles.c, the same checks.
// `sc` is the library (the test bundle in Node, dist/ in the browser).

/** 64 KiB pages of the shared memory that particles-shared.wasm imports (build.ts links it so). */
export const SHARED_PAGES = 4;

/**
 * The schema of particles.c's `struct Particle`, written for `target` (wasm32 by default: 4-byte
 * size_t, long and pointers; the test also makes it for x86-64, to show that it does not fit).
 */
export function particleSchema(sc, target = 'wasm32') {
  const w = sc.target(target);
  const Vec3 = sc.struct({ x: sc.f32, y: sc.f32, z: sc.f32 }, { name: 'Vec3' });
  return w.struct(
    {
      id: sc.u32,
      pos: Vec3,
      vel: sc.array(sc.f32, 3),
      mass: sc.f64,
      flags: sc.bits(sc.u8, 3),
      kind: sc.bits(sc.u8, 5),
      alive: sc.bits(sc.bool, 1),
      stamp: sc.u64,
      size: w.size_t,
      next: w.pointer,
      delta: w.long,
      name: sc.char(12),
      tag: w.enum({ RED: 0, GREEN: 1, BLUE: 2 }, { name: 'Color' }),
      value: sc.union({ i: sc.i32, f: sc.f32 }, { name: 'Value' }),
    },
    { name: 'Particle' },
  );
}

/** Particle `i` as particles.c's make(p, i, base) writes it (base 0: C's values, 1000: JS's). */
export function particleValue(i, base) {
  const j = i + base;
  return {
    id: j * 7 + 1,
    pos: { x: j, y: j + 0.5, z: -j },
    vel: [j * 0.25, -j * 0.25, 1],
    mass: j * 1.25,
    flags: j % 8,
    kind: (j * 3) % 32,
    alive: j % 2 === 1,
    stamp: (1n << 40n) + BigInt(j),
    size: j * 100,
    next: 16 * j,
    delta: -j,
    name: `${base === 0 ? 'c' : 'j'}${j}`,
    tag: j % 3,
    value: { i: j * -3, f: new Float32Array(new Int32Array([j * -3]).buffer)[0] },
  };
}

/** The fields of the first particles that differ from `base`'s values: [] when all agree. */
export function differences(particles, base) {
  const out = [];
  for (let i = 0; i < particles.length; i++) {
    const got = particles.get(i).toObject();
    const want = particleValue(i, base);
    for (const key of Object.keys(want)) {
      const a = JSON.stringify(got[key], (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
      const b = JSON.stringify(want[key], (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
      if (a !== b && out.length < 10) out.push(`[${i}].${key}: ${a} != ${b}`);
    }
  }
  return out;
}

/** Writes JS's values (base 1000) into every particle. */
export function writeAll(particles) {
  for (let i = 0; i < particles.length; i++) {
    const { value, ...rest } = particleValue(i, 1000);
    particles.get(i).set(rest);
    particles.get(i).value.i = value.i;
  }
}

/** A view of the module's particles over `buffer` (its memory's buffer). */
export function particlesOf(sc, buffer, exports) {
  const Particle = particleSchema(sc);
  if (exports.size() !== sc.sizeof(Particle)) throw new Error(`C says sizeof(struct Particle) = ${exports.size()}, the schema ${sc.sizeof(Particle)}`);
  return sc.array(Particle, exports.count()).view(buffer, exports.particles());
}

/**
 * The round trip on one thread: C fills, JS reads and checks; JS writes, C checks. Returns what
 * differed (empty lists when everything agrees).
 */
export function roundTrip(sc, instance, buffer) {
  const ex = instance.exports;
  ex.fill();
  const particles = particlesOf(sc, buffer, ex);
  const read = differences(particles, 0);
  writeAll(particles);
  return { read, cBytesDiffer: ex.check(), count: particles.length };
}
