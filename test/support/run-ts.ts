// Runs generated TypeScript (what `sharedctypes from-c` writes) in this thread: esbuild strips the
// types, and its import of 'sharedctypes' is served the library under test (src/).
import { transformSync } from 'esbuild';
import * as lib from '../../src/index.js';

/** The exports of a generated module. */
export function runGenerated(ts: string): Record<string, unknown> {
  const js = transformSync(ts, { loader: 'ts', format: 'cjs' }).code;
  const module = { exports: {} as Record<string, unknown> };
  const require = (m: string): unknown => {
    if (m !== 'sharedctypes') throw new Error(`generated code imports ${m}`);
    return lib;
  };
  new Function('require', 'exports', 'module', js)(require, module.exports, module);
  return module.exports;
}
