// The page: allocates one SharedArrayBuffer, lets two workers fill half of the particles each, then
// reads them back. Needs a cross-origin-isolated page (COOP + COEP headers, see serve.mjs).
import { codegenActive, describe, fingerprint, sizeof, view } from '/dist/sharedctypes.js';
import { COUNT, Scene } from './schema.js';

const out = document.querySelector('#out');
const print = (line) => (out.textContent += `${line}\n`);

if (!self.crossOriginIsolated) {
  print('This page is not cross-origin isolated, so SharedArrayBuffer is missing: serve it with COOP/COEP headers (node examples/browser/serve.mjs).');
  throw new Error('not cross-origin isolated');
}

const buffer = new SharedArrayBuffer(sizeof(Scene));
const scene = view(Scene, buffer);
scene.title = 'héllo wörld';
print(describe(Scene));

const half = COUNT / 2;
await Promise.all(
  [0, half].map(
    (from) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
        worker.onmessage = () => {
          worker.terminate();
          resolve();
        };
        worker.onerror = (e) => reject(new Error(`worker failed: ${e.message}`));
        worker.postMessage({ buffer, from, to: from + half, layout: fingerprint(Scene) });
      }),
  ),
);

const alive = scene.particles.toArray().filter((p) => p.alive).length;
print(`title: ${scene.title}`);
print(`particles[0]   = ${JSON.stringify(scene.particles.get(0).toObject())}`);
print(`particles[999] = ${JSON.stringify(scene.particles.get(999).toObject())}`);
print(`alive: ${alive} of ${COUNT}; compiled accessors: ${codegenActive()}`);
document.title = 'done';
