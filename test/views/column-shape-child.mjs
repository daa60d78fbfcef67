// Child process of column.test.ts (node --expose-gc --trace-deopt): a worker's jobs, each of
// which takes the columns of a new array view and loops over them, the view and its columns
// dropped and collected between jobs. V8 prints "marking dependent code … reason: weak objects"
// for optimised code it throws away because an object shape it was built for died. Argument
// 'library': the columns are the library's; 'control': the same objects made by a function of
// this file with nothing kept, which must show it (so the method sees what it looks for).
import { sc } from '../workers/library.mjs';

const P = sc.struct({ x: sc.f64, id: sc.u32 });
const N = 200_000;
const JOBS = 10;

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

/** A job's loop: adds each element's id to its x, through two columns. */
function sweepColumns(a) {
  const { array: F64, start: x, step: s8 } = columnOf(a, 'x');
  const { array: U32, start: id, step: s4 } = columnOf(a, 'id');
  for (let i = 0; i < a.length; i++) F64[x + i * s8] += U32[id + i * s4];
}

for (let j = 0; j < JOBS; j++) {
  let a = sc.attach(sc.share(sc.create(sc.array(P, N))));
  a.get(N - 1).id = j;
  sweepColumns(a);
  if (a.get(N - 1).x !== j) throw new Error(`job ${j}: x is ${a.get(N - 1).x}`);
  a = null;
  globalThis.gc();
}
console.log('done');
