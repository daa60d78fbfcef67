// Global setup of the projects that test the build itself (once: test/package packs dist/;
// browser: the pages load dist/). `npm test` builds dist/ just before vitest; a plain `vitest run`
// after an edit would test an old one, so dist/ is rebuilt here (as `npm run build` does) when it
// is missing or older than anything it is built from, and the run says so (tsc, then the bundles:
// tools/build/bundle.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Why dist/ must be rebuilt, or undefined when it is current. */
export function staleness(): string | undefined {
  const dist = join(ROOT, 'dist');
  for (const f of ['index.js', 'sharedctypes.js', 'cli.js']) if (!existsSync(join(dist, f))) return `dist/${f} is not built`;
  const built = Math.min(...files(dist).map((f) => statSync(f).mtimeMs));
  const inputs = [...files(join(ROOT, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package.json', 'tools/build/bundle.mjs'].map((f) => join(ROOT, f))];
  const newer = inputs.find((f) => statSync(f).mtimeMs > built);
  return newer === undefined ? undefined : `${newer.slice(ROOT.length)} is newer than dist/`;
}

export default function setup(): void {
  const why = staleness();
  if (why === undefined) return;
  console.log(`test/setup/dist.ts: ${why}: rebuilding it (npm run build) …`);
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [join(ROOT, 'tools', 'build', 'bundle.mjs')], { cwd: ROOT, stdio: 'inherit' });
}
