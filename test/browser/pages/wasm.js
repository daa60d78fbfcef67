// The WebAssembly end-to-end scenario (test/wasm/scenario.mjs) in the browser: particles.c built
// for wasm32 (served from /build/ by browser.test.ts); C writes, views read; JS writes, C checks;
// then a shared memory handed to a module worker, whose own instance of the module checks what it
// wrote. Also f16, which this browser's DataView reads and writes. ?mode=off: interpreted accessors.
// The result lands in window.__result (or window.__error).
import * as sc from '../dist/sharedctypes.js';
import { differences, particlesOf, roundTrip, SHARED_PAGES } from '../wasm/scenario.mjs';

const mode = new URLSearchParams(location.search).get('mode') ?? 'auto';
if (mode === 'off') sc.configure({ codegen: 'off' });

async function bytes(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.arrayBuffer();
}

function worker(message) {
  const w = new Worker(new URL('./wasm-worker.js', import.meta.url), { type: 'module' });
  const done = new Promise((resolve, reject) => {
    w.onmessage = ({ data }) => (data.ok ? resolve(data) : reject(new Error(`worker: ${data.error}`)));
    w.onerror = (e) => reject(new Error(`worker error: ${e.message ?? 'failed to load'}`));
  });
  w.postMessage(message);
  return done.finally(() => w.terminate());
}

try {
  const { instance } = await WebAssembly.instantiate(await bytes('../build/particles.wasm'), {});
  const plain = roundTrip(sc, instance, instance.exports.memory.buffer);

  const module = await WebAssembly.compile(await bytes('../build/particles-shared.wasm'));
  const memory = new WebAssembly.Memory({ initial: SHARED_PAGES, maximum: SHARED_PAGES, shared: true });
  const shared = await WebAssembly.instantiate(module, { env: { memory } });
  shared.exports.fill();
  const particles = particlesOf(sc, memory.buffer, shared.exports);
  const mainRead = differences(particles, 0);
  const fromWorker = await worker({ module, memory, handle: sc.share(particles), mode });
  const afterWorker = { cBytesDiffer: shared.exports.check(), read: differences(particles, 1000) };

  const Half = sc.struct({ h: sc.f16, v: sc.array(sc.f16, 2) }, { endian: 'big' });
  const half = Half.create({ h: 1, v: [-2, 65504] });
  const f16 = { bytes: Array.from(new Uint8Array(half.$buffer), (b) => b.toString(16).padStart(2, '0')).join(''), read: half.toObject() };

  window.__result = {
    plain,
    shared: { isShared: memory.buffer instanceof SharedArrayBuffer, mainRead, worker: fromWorker, afterWorker },
    f16,
    codegen: sc.codegenActive(),
  };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
