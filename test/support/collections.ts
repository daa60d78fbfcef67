// Young- and old-generation collections per call of a loop, counted in a child process: the
// method of the allocation laws (handles-alloc, views-alloc). The child (node --trace-gc) prints
// `CALL <n>` before each call and `END …` after the last; --trace-gc prints every collection to
// stdout between them.
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

/**
 * Collections during each of `calls` calls of the loop `name` of the child script `child` (which
 * reads the number of calls from its command line, after the loop's name).
 */
export function collectionsPerCall(child: string, name: string, calls = 8): number[] {
  const r = spawnSync(process.execPath, ['--trace-gc', child, name, String(calls)], { encoding: 'utf8', env: process.env, timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const counts: number[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('CALL ')) counts.push(0);
    else if (line.startsWith('END ')) break;
    else if (counts.length > 0 && /Scavenge|Mark-Compact|Minor/.test(line)) counts[counts.length - 1] = (counts.at(-1) ?? 0) + 1;
  }
  expect(counts.length, r.stdout).toBe(calls);
  return counts;
}
