// The API reference: TypeDoc over src/index.ts into docs/api/ (HTML, git-ignored: it is rebuilt from
// the TSDoc in src/, so committing it would only add churn).
//
//   npm run docs          generate docs/api/, then list exports lacking docs or examples
//   npm run docs:check    only the list (no HTML); add `-- --strict` to fail when it is not empty
//                         (npm test runs the strict check as test/docs/api-docs.test.ts)
//
// TypeDoc needs the TypeScript compiler API, which the repository's TypeScript 7 (native) does not
// have, so TypeDoc and a TypeScript 5.x are the dependencies of this folder, an npm workspace of the
// repository: the root `npm ci` installs them into tools/typedoc/node_modules (where TypeDoc finds
// TypeScript 5, while the rest of the repository resolves TypeScript 7). Nothing is installed here.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
if (!existsSync(`${here}node_modules/typedoc/package.json`)) {
  console.error('tools/typedoc: TypeDoc is not installed: run `npm ci` (or `npm install`) at the repository root; tools/typedoc is one of its workspaces.');
  process.exit(2);
}
const run = (args) => execFileSync(process.execPath, args, { cwd: here, stdio: 'inherit' });
const extra = process.argv.slice(2).filter((a) => a !== '--check');
if (!process.argv.includes('--check')) run(['node_modules/typedoc/bin/typedoc', '--options', 'typedoc.json']);
run(['check-examples.mjs', ...extra]);
