// Child process of kept-shapes.test.ts (node --expose-gc --trace-deopt): the pattern of a
// long-lived worker that attaches an object per job and drops it when the job ends. Each case
// makes an object, runs its hot methods until the engine optimises them, drops it and collects,
// three times; V8 prints a "marking dependent code … reason: weak objects" line for every
// optimised function it throws away because an object shape it was built for died.
import { sc } from '../workers/library.mjs';

const P = sc.struct({ x: sc.f64, id: sc.u32 });
const Guarded = sc.struct({ lock: sc.mutex(), n: sc.i32 });
const ROUNDS = 3;
const N = 20_000;

/** Sends `x` through a handle, as a job message would, and attaches it again. */
const passed = (x, schema) => sc.attach(sc.share(x), schema);

/** A class of this file, with no kept instance: the control, whose shapes must die. */
class Plain {
  constructor(n) {
    this.n = n;
    this.total = 0;
  }
  add(k) {
    this.total += k + this.n;
  }
}

/** Each case: [make an object (as a job would get it), use it hot]. */
const cases = {
  // What the runtime itself throws away at the first collections (module loading's code): left out of the others.
  baseline: [() => ({}), () => {}],
  'control: a class of the test, nothing kept': [
    () => new Plain(1),
    (o) => {
      for (let i = 0; i < N; i++) o.add(i);
    },
  ],
  'Channel spsc': [() => passed(new sc.Channel(sc.f64, 64, { mode: 'spsc' }), sc.f64), pushPop],
  'Channel mpmc': [() => passed(new sc.Channel(sc.f64, 64, { mode: 'mpmc' }), sc.f64), pushPop],
  'Channel of structs': [
    () => passed(new sc.Channel(P, 64), P),
    (c) => {
      for (let i = 0; i < N; i++) {
        c.push({ x: i, id: i });
        c.pop();
      }
    },
  ],
  Queue: [
    () => passed(new sc.Queue(sc.f64, 64)),
    (q) => {
      for (let i = 0; i < N; i++) {
        q.put(i);
        q.get();
      }
    },
  ],
  JoinableQueue: [
    () => passed(new sc.JoinableQueue(sc.f64, 64)),
    (q) => {
      for (let i = 0; i < N; i++) {
        q.put(i);
        q.get();
        q.task_done();
      }
    },
  ],
  Pipe: [
    () => sc.Pipe(sc.f64).map((end) => passed(end)),
    ([a, b]) => {
      for (let i = 0; i < N; i++) {
        a.send(i);
        b.recv();
      }
    },
  ],
  Lock: [() => passed(new sc.Lock()), acquireRelease],
  RLock: [() => passed(new sc.RLock()), acquireRelease],
  Semaphore: [() => passed(new sc.Semaphore(2)), acquireRelease],
  BoundedSemaphore: [() => passed(new sc.BoundedSemaphore(2)), acquireRelease],
  'RwLock read and write': [
    () => passed(new sc.RwLock()),
    (l) => {
      for (let i = 0; i < N; i++) {
        l.read.acquire();
        l.read.release();
        l.write.acquire();
        l.write.release();
      }
    },
  ],
  Event: [
    () => passed(new sc.Event()),
    (e) => {
      for (let i = 0; i < N; i++) {
        e.set();
        e.isSet();
        e.clear();
      }
    },
  ],
  Condition: [
    () => passed(new sc.Condition()),
    (c) => {
      for (let i = 0; i < N; i++) {
        c.acquire();
        c.notify();
        c.release();
      }
    },
  ],
  Barrier: [
    () => passed(new sc.Barrier(1)),
    (b) => {
      for (let i = 0; i < N / 10; i++) b.wait();
    },
  ],
  'Value (synchronized)': [
    () => passed(sc.Value('d', 0)),
    (v) => {
      for (let i = 0; i < N; i++) v.value += 1;
    },
  ],
  'Array (synchronized)': [
    () => passed(sc.Array('i', 8)),
    (a) => {
      for (let i = 0; i < N; i++) a.set(i & 7, a.get(i & 7) + 1);
    },
  ],
  'synchronized struct': [
    () => sc.synchronized(sc.create(P)),
    (s) => {
      for (let i = 0; i < N; i++) s.x += 1;
    },
  ],
  AtomicField: [
    () => sc.atomic(sc.create(P), 'id'),
    (f) => {
      for (let i = 0; i < N; i++) f.add(1);
    },
  ],
  'for await over a channel': [
    () => {
      const c = passed(new sc.Channel(sc.f64, 4096, { mode: 'spsc' }), sc.f64);
      for (let i = 0; i < 4000; i++) c.push(i);
      c.close();
      return c;
    },
    async (c) => {
      let s = 0;
      for await (const x of c) s += x;
      if (s !== (4000 * 3999) / 2) throw new Error(`for await: sum ${s}`);
    },
  ],
  'for…of over an array view': [
    () => passed(sc.create(sc.array(sc.f64, 64))),
    (a) => {
      let s = 0;
      for (let i = 0; i < N / 64; i++) for (const x of a) s += x;
      return s;
    },
  ],
  'lock.hold()': [
    () => passed(new sc.Lock()),
    (l) => {
      for (let i = 0; i < N; i++) {
        const h = l.hold();
        h[Symbol.dispose]();
      }
    },
  ],
  'struct with a lock member': [
    () => passed(sc.create(Guarded), Guarded),
    (g) => {
      for (let i = 0; i < N; i++) {
        g.lock.acquire();
        g.n += 1;
        g.lock.release();
      }
    },
  ],
};

function pushPop(c) {
  for (let i = 0; i < N; i++) {
    c.push(i);
    c.pop();
  }
}

function acquireRelease(l) {
  for (let i = 0; i < N; i++) {
    l.acquire();
    l.release();
  }
}

// With no argument: the names of the cases. With one: runs that case (V8 writes its trace lines
// through its own buffered output, which does not keep their order with console.log's, so each
// case runs in a process of its own).
const name = process.argv[2];
if (name === undefined) console.log(JSON.stringify(Object.keys(cases)));
else {
  const [make, use] = cases[name];
  for (let r = 0; r < ROUNDS; r++) {
    let o = make();
    await use(o);
    o = null;
    globalThis.gc();
  }
}
