/**
 * Reading a synchronization member in a hot loop: `s.guard.withLock(fn)` over one struct, over
 * 1,024 structs of an array, and the bare read `s.guard`, against the same loop with the lock read
 * once outside it (the floor). Reports ns per iteration and the garbage collections the loop
 * caused (a loop that allocates nothing causes none).
 *
 *   npm run build && node --expose-gc bench/sync-members.mjs
 *
 * Writes nothing: the numbers go to stdout (docs/performance.md quotes them).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import sc from './library.mjs';

const { array, configure, mutex, struct, u32 } = sc;

const N = 5_000_000;
const SAMPLES = 7;
const Account = struct({ lock: mutex(), n: u32 });

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });

function median(xs) {
  const a = [...xs].sort((p, q) => p - q);
  return a[a.length >> 1];
}

function variants(mode) {
  configure({ codegen: mode });
  const s = Account.create();
  const accounts = array(Account, 1024).create();
  configure({ codegen: 'auto' });
  const inc = () => {
    s.n += 1;
  };
  return {
    [`${mode}: const g = s.lock outside; g.withLock(fn) (floor)`]: (n) => {
      const g = s.lock;
      for (let k = 0; k < n; k++) g.withLock(inc);
    },
    [`${mode}: s.lock.withLock(fn)`]: (n) => {
      for (let k = 0; k < n; k++) s.lock.withLock(inc);
    },
    [`${mode}: accounts.get(k & 1023).lock acquire/release`]: (n) => {
      for (let k = 0; k < n; k++) {
        const a = accounts.get(k & 1023);
        const l = a.lock;
        l.acquire();
        a.n += 1;
        l.release();
      }
    },
    [`${mode}: x = s.lock (read only)`]: (n) => {
      let same = 0;
      let prev = null;
      for (let k = 0; k < n; k++) {
        const l = s.lock;
        if (l === prev) same++;
        prev = l;
      }
      return same;
    },
  };
}

const all = { ...variants('on'), ...variants('off') };
const names = Object.keys(all);
const rows = Object.fromEntries(names.map((n) => [n, { ns: [], gcs: [] }]));
for (const name of names) all[name](200_000); // warm-up
for (let r = 0; r < SAMPLES; r++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(j + r) % names.length];
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 5)); // the forced GC's entry arrives first
    const before = gcs;
    const t0 = performance.now();
    all[name](N);
    const t1 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 5)); // let the loop's gc entries arrive
    rows[name].ns.push(((t1 - t0) * 1e6) / N);
    rows[name].gcs.push(gcs - before);
  }
}
console.log(`node ${process.version}, ${N.toLocaleString('en-US')} iterations, median of ${SAMPLES} (min–max)`);
console.log('| variant | ns/iteration | GCs during the loop |');
console.log('|---|---:|---:|');
for (const name of names) {
  const { ns, gcs: g } = rows[name];
  console.log(`| ${name} | ${median(ns).toFixed(1)} (${Math.min(...ns).toFixed(1)}–${Math.max(...ns).toFixed(1)}) | ${median(g)} |`);
}
