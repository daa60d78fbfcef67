#!/usr/bin/env node
/**
 * Mutation check: breaks the code on purpose, one mutant at a time, runs the tests that guard that
 * code, and reports every mutant the tests did not catch (a "law" that cannot fail is no law).
 *
 *   node tools/mutants/run.mjs            all mutants (several minutes)
 *   node tools/mutants/run.mjs <regex>    the mutants whose name matches
 *
 * A mutant may set `timeout` (ms, default 300 s): one that makes a test hang counts as caught when
 * the time runs out. Each mutant replaces one exact piece of source text (which must occur exactly once, so that a
 * refactoring that moves it makes the mutant fail loudly instead of silently testing nothing),
 * runs `vitest run --project codegen <tests>` and then restores the file. Worker scenarios run the
 * built dist/, so mutants of code that workers exercise rebuild first (`build: true`).
 * Exit code 1 when a mutant survives or does not apply.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTANTS } from './mutants.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const only = process.argv[2] ? new RegExp(process.argv[2]) : null;
/**
 * Runs vitest on `tests` in a process group of its own, on this Node or on `runtime`
 * (tools/runtimes/test-on.mjs); after `timeout` ms the whole group (vitest and its forks) is
 * killed. Resolves to the exit code (non-zero when killed).
 */
function runTests(tests, timeout, runtime) {
  return new Promise((resolve) => {
    const [command, ...args] =
      runtime === undefined
        ? ['npx', 'vitest', 'run', '--project', 'codegen', ...tests]
        : [process.execPath, join(root, 'tools/runtimes/test-on.mjs'), runtime, '--project', 'codegen', ...tests];
    const child = spawn(command, args, { cwd: root, stdio: 'ignore', detached: true });
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), timeout);
    child.on('exit', (code) => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid, 'SIGKILL'); // forks left behind by a killed run
      } catch {
        /* the group is gone */
      }
      resolve(code ?? 1);
    });
  });
}

let failed = 0;
for (const m of MUTANTS) {
  if (only && !only.test(m.name)) continue;
  const file = join(root, m.file);
  const original = readFileSync(file, 'utf8');
  const count = original.split(m.find).length - 1;
  if (count !== 1) {
    console.log(`✗ ${m.name}: the text to mutate occurs ${count} times in ${m.file}`);
    failed++;
    continue;
  }
  writeFileSync(file, original.replace(m.find, m.replace));
  let caught;
  try {
    if (m.build) spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
    // A mutant that makes a test hang (an exponential walk) is caught too: the tests did not pass.
    caught = (await runTests(m.tests, m.timeout ?? 300_000, m.runtime)) !== 0;
  } finally {
    writeFileSync(file, original);
  }
  console.log(`${caught ? '✓ caught  ' : '✗ SURVIVED'} ${m.name}`);
  if (!caught) failed++;
}
if (MUTANTS.some((m) => m.build && (!only || only.test(m.name)))) spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
process.exit(failed === 0 ? 0 : 1);
