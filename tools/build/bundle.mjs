// Bundles dist/ (tsc's output, one module per source file) into the two files the package runs:
// dist/sharedctypes.js (what "exports" and "main" point to) and dist/cli.js (the `sharedctypes`
// bin). One module instead of ~100 loads about 3× faster: on Node 20 an import took ~110 ms as a
// module tree and ~38 ms bundled, and a worker that imports the library was ready in ~90 ms instead
// of ~145 (bench/startup.mjs measures both). The code is tsc's, only concatenated: nothing is
// minified, and every module is kept whatever "sideEffects" says. `npm run build` runs this after
// tsc; the tarball ships these two files and the declarations (package.json "files").
//
// Names. Two modules that declare the same top-level name end up with one of them renamed
// (`describe` → `describe2`), and a renamed function or class would report the new name (messages,
// `describe()` and Node's inspect print names). esbuild's `keepNames` fixes that by wrapping every
// function and class, inner closures included, in a call that redefines its `name` each time it is
// created: a closure made per call (a lock's `hold()`) became 7× slower. Instead, the renamed
// top-level declarations are found here and their names set back once, when the bundle loads; a
// rename this cannot trace back to a module's own name fails the build.
//
//   node tools/build/bundle.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What each bundle is built from (in dist/) and where it goes. */
export const BUNDLES = [
  { entry: 'dist/index.js', outfile: 'dist/sharedctypes.js', platform: 'neutral' },
  { entry: 'dist/cli/bin.js', outfile: 'dist/cli.js', platform: 'node' },
];

/** Names declared at the top level of a module as tsc writes it (column 0, maybe exported). */
function declaredInModule(text) {
  const names = new Set();
  for (const m of text.matchAll(/^(?:export )?(?:default )?(?:async )?(?:function\*?|class|const|let|var) ([A-Za-z_$][\w$]*)/gm)) names.add(m[1]);
  return names;
}

/** Names declared at the top level of the bundle (esbuild writes classes as `var X = class`). */
function declaredInBundle(text) {
  const names = new Set();
  for (const m of text.matchAll(/^(?:async )?(?:function\*?|class|const|let|var) ([A-Za-z_$][\w$]*)/gm)) names.add(m[1]);
  return names;
}

/**
 * The renamed declarations of `bundled` (built from `inputs`, paths relative to the root) with the
 * name each had in its module; throws for a name in the bundle that no module declares.
 */
export function renamesOf(bundled, inputs) {
  const own = new Set();
  for (const input of inputs) for (const n of declaredInModule(readFileSync(join(ROOT, input), 'utf8'))) own.add(n);
  /** The name `name` has in its module (esbuild renames by appending a number), or undefined. */
  const originalOf = (name) => {
    if (own.has(name)) return name;
    let original = name;
    while (/\d$/.test(original)) {
      original = original.slice(0, -1);
      if (own.has(original)) return original;
    }
    return undefined;
  };
  const renamed = new Map();
  for (const name of declaredInBundle(bundled)) {
    const original = originalOf(name);
    if (original === name) continue;
    // A name without a number that no module declares is a line of generated source held in a
    // string (the async waiter's), not a declaration.
    if (original === undefined && !/\d$/.test(name)) continue;
    if (original === undefined) throw new Error(`tools/build/bundle.mjs: the bundle declares ${name}, which no module of dist/ declares`);
    renamed.set(name, original);
  }
  // A nested function renamed (esbuild renames one whose name a top-level name shadows) would
  // report the new name, and no statement at the top level can give it back: rename it in src/.
  for (const m of bundled.matchAll(/^[ \t]+.*?\bfunction\*? ([A-Za-z_$][\w$]*\d)\s*\(/gm)) {
    const original = originalOf(m[1]);
    if (original !== undefined && original !== m[1]) {
      throw new Error(
        `tools/build/bundle.mjs: bundling renamed the nested function ${original} to ${m[1]}; give it a name no module declares at its top level`,
      );
    }
  }
  // A class that refers to itself becomes `var X = class _X { … }`: its own name is _X.
  for (const m of bundled.matchAll(/^var ([A-Za-z_$][\w$]*) = class ([A-Za-z_$][\w$]*)/gm)) {
    const original = originalOf(m[1]);
    if (original !== undefined && m[2] !== original) renamed.set(m[1], original);
  }
  return [...renamed];
}

/** Builds every bundle from dist/ (which tsc must have written). */
export async function bundle() {
  for (const b of BUNDLES) {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: [b.entry],
      outfile: b.outfile,
      bundle: true,
      format: 'esm',
      platform: b.platform,
      target: 'es2022',
      ignoreAnnotations: true,
      legalComments: 'none',
      logLevel: 'warning',
      metafile: true,
      write: false,
    });
    const [out] = result.outputFiles;
    const renamed = renamesOf(out.text, Object.keys(result.metafile.inputs));
    const restore =
      renamed.length === 0
        ? ''
        : [
            '',
            '// tools/build/bundle.mjs: top-level functions and classes renamed by bundling keep the names they have in their modules.',
            `for (const [f, name] of [${renamed.map(([now, was]) => `[${now}, ${JSON.stringify(was)}]`).join(', ')}]) if (typeof f === 'function') Object.defineProperty(f, 'name', { value: name, configurable: true });`,
            '',
          ].join('\n');
    writeFileSync(join(ROOT, b.outfile), out.text + restore, { mode: b.platform === 'node' ? 0o755 : 0o644 });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
