// Integration with piscina, the worker pool Node users already use: handles are plain
// structured-cloneable data, so a pool task receives shared views and locks like any argument.
import { Piscina } from 'piscina';
import { afterAll, describe, expect, it } from 'vitest';
import { array, f64, shareAll, struct, u32, Value } from '../../src/index.js';

const Particle = struct({ x: f64, vx: f64, id: u32 }, { name: 'Particle' });
const pool = new Piscina({ filename: new URL('../workers/piscina-task.mjs', import.meta.url).href, maxThreads: 2 });
afterAll(() => pool.destroy());

describe('piscina', () => {
  it('runs tasks over one shared array of structs and a synchronized counter', async () => {
    const count = 10_000;
    const particles = array(Particle, count).create();
    for (let i = 0; i < count; i++) particles.get(i).set({ vx: i, id: i });
    const stats = Value('i', 0);
    const shared = shareAll({ particles, stats });
    const chunk = 1000;
    for (let round = 0; round < 3; round++) {
      const done = await Promise.all(Array.from({ length: count / chunk }, (_, k) => pool.run({ shared, from: k * chunk, to: (k + 1) * chunk, count })));
      expect(done.reduce((a, b) => a + b, 0)).toBe(count);
    }
    expect(stats.value).toBe(3 * count);
    for (const i of [0, 1, 4321, count - 1]) expect(particles.get(i).x).toBe(3 * i);
  });
});
