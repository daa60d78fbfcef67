// A module worker: builds the same schema, checks that its layout matches the main thread's, then
// writes elements [from, to) of the shared array of structs.
import { codegenActive, configure, fingerprint, view } from '../dist/index.js';
import { Counter, World, expected, watch } from './workload.js';

const log = watch(self);

self.onmessage = ({ data }) => {
  try {
    if (data.mode === 'off') configure({ codegen: 'off' });
    if (data.lockTest) {
      // Locked increments from a worker, which may block: the main thread contends asynchronously.
      const counter = view(Counter, data.buffer);
      const guard = counter.guard;
      for (let k = 0; k < data.k; k++) {
        if (!guard.acquire(true, 10_000)) throw new Error('acquire timed out');
        counter.n = counter.n + 1;
        guard.release();
      }
      self.postMessage({ ok: true });
      return;
    }
    const print = fingerprint(World);
    if (print !== data.fingerprint) throw new Error(`layout differs: worker ${print}, main thread ${data.fingerprint}`);
    const world = view(World, data.buffer);
    const cursor = world.items.cursor();
    for (let i = data.from; i < data.to; i++) cursor.seek(i).set(expected(i));
    // The main thread wrote the title before starting us: decode it here too, from shared memory.
    const title = world.title;
    // Give a violation event (dispatched asynchronously) the chance to arrive before reporting.
    setTimeout(
      () => self.postMessage({ ok: true, codegen: codegenActive(), fingerprint: print, title, warnings: log.warnings, violations: log.violations }),
      50,
    );
  } catch (e) {
    self.postMessage({ ok: false, error: String(e?.stack ? e.stack : e) });
  }
};
