// A push that races close() from another thread (docs/channels.md, "Closing").
//
// One worker pushes u32 items as fast as it can until a push throws ChannelClosedError; another
// pops until the channel is closed and drained; the main thread closes the channel once the
// consumer has seen 5,000 items and a random delay. Every push that returned normally must have
// been popped: the script counts the items that were not, over many races, and exits 1 if any was
// lost. Before the tail's closed mark (src/channels/positions.ts) it found 23 of 1,000 SPSC and 132
// of 1,000 MPMC races losing an item; test/channels/workers-protocol.test.ts runs the same race.
//
//   npm run build && node tools/stress/close-race.mjs [spsc|mpmc] [races (1000)]
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { attach, Channel, share, u32 } from '../../dist/index.js';

if (isMainThread) {
  const mode = process.argv[2] ?? 'spsc';
  const races = Number(process.argv[3] ?? 1000);
  const workers = [0, 1].map((role) => new Worker(new URL(import.meta.url), { workerData: { role } }));
  const ask = (w, m) =>
    new Promise((resolve, reject) => {
      const done = (x) => {
        w.off('error', fail);
        resolve(x);
      };
      const fail = (e) => {
        w.off('message', done);
        reject(e);
      };
      w.once('message', done);
      w.once('error', fail);
      w.postMessage(m);
    });
  let lost = 0;
  let racesLosing = 0;
  const pause = new Int32Array(new SharedArrayBuffer(4)); // nobody notifies it: a timed wait is a delay
  for (let t = 0; t < races; t++) {
    const ch = new Channel(u32, 64, { mode });
    const h = share(ch);
    const seen = new Int32Array(new SharedArrayBuffer(4));
    const pushed = ask(workers[0], { h, seen });
    const popped = ask(workers[1], { h, seen });
    // A handshake (the consumer reports 5,000 items: the stream runs), then a random delay of up to
    // 1 ms, asleep so that the two workers keep both cores, so that the close lands at a moment of
    // the stream that varies from race to race.
    for (let n = Atomics.load(seen, 0); n < 5000; n = Atomics.load(seen, 0)) Atomics.wait(seen, 0, n);
    Atomics.wait(pause, 0, 0, Math.random());
    ch.close();
    const [p, c] = await Promise.all([pushed, popped]);
    if (c !== p) {
      lost += p - c;
      racesLosing++;
    }
  }
  console.log(`${mode}: ${races} races; in ${racesLosing} of them items that a push had accepted were never popped (${lost} in all)`);
  await Promise.all(workers.map((w) => w.terminate()));
  process.exitCode = lost === 0 ? 0 : 1;
} else {
  parentPort.on('message', ({ h, seen }) => {
    const c = attach(h, u32);
    let n = 0;
    if (workerData.role === 0) {
      try {
        for (;;) {
          c.push(n);
          n++;
        }
      } catch (e) {
        if (e.code !== 'closed') throw e;
      }
    } else {
      for (let v = c.pop(); v !== undefined; v = c.pop()) {
        n++;
        if ((n & 255) === 0) {
          Atomics.store(seen, 0, n);
          Atomics.notify(seen, 0);
        }
      }
    }
    parentPort.postMessage(n);
  });
}
