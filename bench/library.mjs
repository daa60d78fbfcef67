// The library as the benchmarks load it: the package's bundle (`dist/sharedctypes.js`, what
// `import 'sharedctypes'` loads), or the module tree with BENCH_LIBRARY=tree (common.mjs,
// LIBRARY_FILE). A benchmark measures the code users run: the two builds are the same source, but
// V8 does not always optimise them alike (a module's exported binding is read through a cell the
// bundle does not have).
//
//   import sc from './library.mjs';
//   const { struct, array, f64 } = sc;
import { LIBRARY_FILE, loadedLibrary } from './common.mjs';

const sc = await import(new URL(`../${LIBRARY_FILE}`, import.meta.url).href);
loadedLibrary.file = LIBRARY_FILE;
export default sc;
