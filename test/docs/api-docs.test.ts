// The API reference cannot rot either: every public export of src/index.ts has a TSDoc summary, and
// every value (function, class, constant) an @example. TypeDoc decides, with its own TypeScript 5
// (tools/typedoc, an npm workspace installed by the root `npm ci`: nothing is installed here, so
// this runs offline). The same check as `npm run docs:check -- --strict`.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const TOOL = fileURLToPath(new URL('../../tools/typedoc/', import.meta.url));

describe('API docs (TypeDoc)', () => {
  it('every public export has a summary, and every value an @example', async () => {
    if (!existsSync(`${TOOL}node_modules/typedoc/package.json`)) {
      throw new Error('tools/typedoc/node_modules/typedoc is missing: run `npm ci` at the repository root (tools/typedoc is one of its workspaces)');
    }
    const r = await promisify(execFile)(process.execPath, ['check-examples.mjs', '--strict'], { cwd: TOOL, encoding: 'utf8' }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code?: unknown; stdout?: string; stderr?: string; message: string }) => ({ code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message }),
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^\d+ public exports; 0 lack docs/);
  }, 120_000);
});
