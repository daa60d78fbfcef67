// The module worker of wasm.js: attaches to the particles in the shared WebAssembly memory
// (share()/attach(), fingerprint checked), reads C's values, writes its own, and lets its own
// instance of the module check them.
import * as sc from '../dist/sharedctypes.js';
import { differences, particleSchema, writeAll } from '../wasm/scenario.mjs';

self.onmessage = async ({ data }) => {
  try {
    if (data.mode === 'off') sc.configure({ codegen: 'off' });
    const particles = sc.attach(data.handle, sc.array(particleSchema(sc), data.handle.schema.root.length));
    const instance = await WebAssembly.instantiate(data.module, { env: { memory: data.memory } });
    const read = differences(particles, 0);
    writeAll(particles);
    self.postMessage({
      ok: true,
      read,
      cBytesDiffer: instance.exports.check(),
      sameBuffer: particles.$buffer === data.memory.buffer,
      codegen: sc.codegenActive(),
    });
  } catch (e) {
    self.postMessage({ ok: false, error: String(e?.stack ?? e) });
  }
};
