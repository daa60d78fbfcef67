// The two-process channel example (docs/processes.md, docs/channels.md): examples/channel-processes.mjs
// run as a user runs it (dist/, this runtime's process.execPath for both processes), to the end.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('examples/channel-processes.mjs', () => {
  it('a child process receives every particle through a channel in a segment and answers through a pipe', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['examples/channel-processes.mjs', '30000'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 50_000,
    });
    // Nothing on stderr but Node 26's notice that node:ffi is experimental.
    const other = stderr.split('\n').filter((l) => l !== '' && !/ExperimentalWarning: FFI|--trace-warnings/.test(l));
    expect(other).toEqual([]);
    expect(stdout.trim()).toBe('the child received 30000 particles, sum 225022500 (expected 30000, 225022500): ok');
  });
});
