import { Channel, f64 } from '../dist/index.js';
const ch = new Channel(f64, 4096, { mode: 'spsc' });
function c(n) {
  let s = 0;
  for (let i = 0; i < n; i++) {
    ch.push(i);
    s += ch.pop();
  }
  return s;
}
function d(n) {
  let s = 0;
  for (let i = 0; i < n; i++) {
    ch.tryPush(i);
    s += ch.tryPop();
  }
  return s;
}
for (let r = 0; r < 5; r++) {
  let t = performance.now();
  c(1000000);
  const tc = performance.now() - t;
  t = performance.now();
  d(1000000);
  const td = performance.now() - t;
  console.log('push/pop', tc.toFixed(1), 'ns/pair; try', td.toFixed(1));
}
