// Runs a module's source text in a child process of the runtime that runs the suite
// (process.execPath: Node, or Bun and Deno under tools/runtimes/test-on.mjs). The source goes
// to a temporary .mjs file, because `node --input-type=module -e` is Node's own command line:
// Deno reads it as a classic script, where a top-level `await` or `import` is a syntax error.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Runs `source` as an ES module in a new process; resolves to its standard output (rejects when it fails). */
export async function runModule(source: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sct-script-'));
  try {
    const file = join(dir, 'script.mjs');
    writeFileSync(file, source);
    const { stdout } = await promisify(execFile)(process.execPath, [file], { encoding: 'utf8' });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
