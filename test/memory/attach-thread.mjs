// A worker thread of placed.test.ts: attaches the handles it was posted (a Value and a u32 in a
// SharedMemory segment: it maps the segment by name itself, since an ArrayBuffer over a mapping
// cannot be posted), counts itself in `started`, and update()s the Value `times` times.
import { parentPort, workerData } from 'node:worker_threads';
import { sc } from '../workers/library.mjs';

const v = sc.attach(workerData.value);
sc.atomic(sc.attach(workerData.started)).add(1);
for (let k = 0; k < workerData.times; k++) v.update((n) => n + 1);
parentPort?.postMessage({ done: workerData.times, sameMapping: sc.attach(workerData.value).getObj().$buffer === v.getObj().$buffer });
