// Bundles dist/ (tsc's output, one module per source file) into the two files the package runs:
// dist/sharedctypes.js (what "exports" and "main" point to) and dist/cli.js (the `sharedctypes`
// bin). One module instead of ~100 loads 3–4× faster: on Node 20 an import took 135–195 ms as a
// module tree and 37–49 ms bundled, and a worker that imports the library was ready in ~80 ms
// instead of ~140 (bench/startup.mjs measures both). The code is tsc's, only concatenated: names
// are kept (errors and `describe()` read function and class names), nothing is minified, and every
// module is kept whatever "sideEffects" says. `npm run build` runs this after tsc; the tarball ships
// these two files and the declarations (package.json "files").
//
//   node tools/build/bundle.mjs
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What each bundle is built from (in dist/) and where it goes. */
export const BUNDLES = [
  { entry: 'dist/index.js', outfile: 'dist/sharedctypes.js', platform: 'neutral' },
  { entry: 'dist/cli/bin.js', outfile: 'dist/cli.js', platform: 'node' },
];

/** Builds every bundle from dist/ (which tsc must have written). */
export async function bundle() {
  for (const b of BUNDLES) {
    await build({
      absWorkingDir: ROOT,
      entryPoints: [b.entry],
      outfile: b.outfile,
      bundle: true,
      format: 'esm',
      platform: b.platform,
      target: 'es2022',
      keepNames: true,
      ignoreAnnotations: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
