// The API reference: TypeDoc over src/index.ts into docs/api/ (HTML, git-ignored: it is rebuilt from
// the TSDoc in src/, so committing it would only add churn).
//
//   npm run docs          generate docs/api/, then list exports lacking docs or examples
//   npm run docs:check    only the list (no HTML); add `-- --strict` to fail when it is not empty
//
// TypeDoc needs the TypeScript compiler API, which the repository's TypeScript 7 (native) does not
// have, so TypeDoc and a TypeScript 5.x live in this folder with their own package.json and lock
// file, installed here on first use (`npm ci`, about 2 s).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
if (!existsSync(`${here}node_modules/typedoc/package.json`)) {
  console.log('tools/typedoc: installing TypeDoc and TypeScript 5 (npm ci) …');
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: here, stdio: 'inherit' });
}
const run = (args) => execFileSync(process.execPath, args, { cwd: here, stdio: 'inherit' });
const extra = process.argv.slice(2).filter((a) => a !== '--check');
if (!process.argv.includes('--check')) run(['node_modules/typedoc/bin/typedoc', '--options', 'typedoc.json']);
run(['check-examples.mjs', ...extra]);
