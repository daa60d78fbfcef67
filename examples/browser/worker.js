// A module worker: attaches a view to the SharedArrayBuffer it is sent and writes its slice of the
// particles. No copy, no serialization: the main thread sees the writes directly.
import { fingerprint, view } from '/dist/sharedctypes.js';
import { Scene } from './schema.js';

self.onmessage = ({ data: { buffer, from, to, layout } }) => {
  if (fingerprint(Scene) !== layout) throw new Error('the worker and the page disagree on the layout');
  const scene = view(Scene, buffer);
  const p = scene.particles.cursor(); // one reusable handle, moved with seek(i)
  for (let i = from; i < to; i++) {
    p.seek(i).set({ x: i, y: i * 2, speed: i / 10, id: i, alive: i % 3 === 0 ? 0 : 1, name: `partícula ${i}` });
  }
  self.postMessage({ from, to });
};
