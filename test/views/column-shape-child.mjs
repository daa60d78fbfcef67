// Child process of column.test.ts (node --expose-gc --trace-deopt --no-concurrent-recompilation):
// a worker's jobs, each of which takes the columns of a new array view and passes them to a loop
// function it calls until the engine optimises it, the view and its columns dropped and collected
// between jobs. V8 prints "marking dependent code … reason: weak objects"
// for optimised code it throws away because an object shape it was built for died. Argument
// 'library': the columns are the library's; 'control': the same objects made by a function of
// this file with nothing kept, which must show it (so the method sees what it looks for).
import { sc } from '../workers/library.mjs';

const P = sc.struct({ x: sc.f64, id: sc.u32 });
const N = 64;
const CALLS = 5_000;
const JOBS = 4;

/** What column() returns, as an object of a class of this file with nothing kept: its shape dies with the last one. */
class ControlColumn {
  constructor(c) {
    this.array = c.array;
    this.start = c.start;
    this.step = c.step;
    this.length = c.length;
  }
}
const controlColumn = (a, path) => new ControlColumn(a.column(path));

const columnOf = process.argv[2] === 'control' ? controlColumn : (a, path) => a.column(path);

/** A job's loop: adds each element's id to its x, through the two columns the job took. */
function sweepColumns(cx, cid, n) {
  const F64 = cx.array;
  const U32 = cid.array;
  for (let i = 0; i < n; i++) F64[cx.start + i * cx.step] += U32[cid.start + i * cid.step];
}

// Each job takes the columns of a new array and calls the loop until the engine optimises it (on
// the main thread, with --no-concurrent-recompilation, so the code is in place before the collection).
for (let j = 0; j < JOBS; j++) {
  let a = sc.attach(sc.share(sc.create(sc.array(P, N))));
  a.get(N - 1).id = j;
  let cx = columnOf(a, 'x');
  let cid = columnOf(a, 'id');
  for (let k = 0; k < CALLS; k++) sweepColumns(cx, cid, a.length);
  if (a.get(N - 1).x !== j * CALLS) throw new Error(`job ${j}: x is ${a.get(N - 1).x}`);
  a = null;
  cx = null;
  cid = null;
  globalThis.gc();
}
console.log('done');
