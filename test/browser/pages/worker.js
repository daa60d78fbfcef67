// A module worker: builds the same schema, checks that its layout matches the main thread's, then
// writes elements [from, to) of the shared array of structs.
import { atomic, attach, Barrier, codegenActive, configure, f64, fingerprint, view } from '../dist/sharedctypes.js';
import { BoundedBuffer, CHANNEL_ITEMS, Counter, Msg, Pair, World, expected, watch } from './workload.js';

const log = watch(self);

self.onmessage = ({ data }) => {
  try {
    if (data.mode === 'off') configure({ codegen: 'off' });
    if (data.channelTest) {
      // Producer into the page's MPMC channel (blocking forms: a worker may block), one in place
      // (reserve/commit), one by copy; then the consumer of an SPSC channel the page fills.
      const ch = attach(data.handle, Msg);
      for (let id = 0; id < CHANNEL_ITEMS; id++) {
        if (data.gen === 0) {
          const m = ch.reserve(10_000);
          if (m === null) throw new Error('reserve timed out');
          m.id = id;
          m.gen = 0;
          m.value = id * 0.5;
          ch.commit();
        } else if (!ch.push({ id, gen: data.gen, value: id * 0.5 }, 10_000)) throw new Error('push timed out');
      }
      let sum = 0;
      if (data.samples) {
        const samples = attach(data.samples, f64);
        for (const x of samples) sum += x; // blocks while empty, ends when the page closes it
      }
      self.postMessage({ ok: true, sum });
      return;
    }
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
    if (data.rwlockTest) {
      // The blocking side of the page's RwLock scenario: every other section a write.
      const pair = view(Pair, data.buffer);
      const { rw } = pair;
      const torn = atomic(pair, 'torn');
      for (let k = 0; k < data.k; k++) {
        if (k % 2 === 0)
          rw.write.withLock(() => {
            pair.a += 1;
            pair.b += 1;
          });
        else
          rw.read.withLock(() => {
            if (pair.a !== pair.b) torn.add(1);
          });
      }
      self.postMessage({ ok: true });
      return;
    }
    if (data.asyncTest) {
      // The blocking side of the page's async scenario (main.js): these workers may block.
      const value = attach(data.value);
      for (let k = 0; k < data.k; k++) value.update((n) => n + 1);
      const b = view(BoundedBuffer, data.buffer);
      const { lock, notEmpty, notFull } = b;
      for (let item = data.from; item < data.from + data.items; item++) {
        lock.withLock(() => {
          if (!notFull.waitFor(() => b.count < b.items.length, 10_000)) throw new Error('producer timed out');
          b.items.set(b.tail, item);
          b.tail = (b.tail + 1) % b.items.length;
          b.count += 1;
          notEmpty.notify();
        });
      }
      const barrier = new Barrier(3, { place: data.barrier, timeout: 10_000 });
      const indices = [];
      for (let r = 0; r < data.rounds; r++) indices.push(barrier.wait());
      self.postMessage({ ok: true, indices });
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
