// Runs the vitest suite on other JavaScript runtimes: Node 22, 24 and 26, Bun and Deno, whose
// binaries come from the npm registry (test/setup/runtimes.mjs fetches them with `npm pack`).
// `npm test` runs the suite on the machine's Node; this runs the same projects (codegen,
// interpreted, once, browser) with another runtime as vitest's own process, and so as every
// test worker, worker thread and child process the tests start (they use process.execPath).
//
//   npm run test:node -- 22 [vitest args…]   Node 22 (also 24, 26)
//   npm run test:bun [-- vitest args…]       Bun
//   npm run test:deno [-- vitest args…]      Deno (run with -A: the tests map memory, spawn, serve)
//   npm run test:runtimes                    all of them in turn, then a table; exits 1 if any failed
//
// SHAREDCTYPES_SKIP_RUNTIMES=1 skips them (and says so). Each run is ended after RUN_LIMIT_MS.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchRuntime, RUNTIMES } from '../../test/setup/runtimes.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
/** A run that takes longer is ended (a quiet 2-core machine needs 2–4 minutes). */
const RUN_LIMIT_MS = 30 * 60_000;
/** What `all` runs, in order. */
const ALL = ['node22', 'node24', 'node26', 'bun', 'deno'];

/** The command line that runs vitest with `args` on `name`. */
function commandLine(name, bin, args) {
  if (name === 'deno') return [bin, ['run', '--quiet', '-A', VITEST, 'run', ...args]];
  return [bin, [VITEST, 'run', ...args]];
}

/** `22` → `node22`; a runtime's name as is; refuses anything else with the list. */
function runtimeName(word) {
  const name = /^\d+$/.test(word) ? `node${word}` : word;
  if (name.startsWith('node') && RUNTIMES[name] === undefined) {
    const majors = Object.keys(RUNTIMES)
      .filter((n) => n.startsWith('node'))
      .map((n) => n.slice(4));
    throw new Error(
      `no Node ${name.slice(4)} here: test/setup/runtimes.mjs fetches Node ${majors.join(', ')} (Node ${process.versions.node} runs \`npm test\`)`,
    );
  }
  if (RUNTIMES[name] === undefined) throw new Error(`unknown runtime '${word}': use 22, 24, 26, bun, deno or all`);
  return name;
}

/** The summary of a vitest JSON report. */
function summary(file) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    return {
      files: r.numTotalTestSuites,
      passed: r.numPassedTests,
      failed: r.numFailedTests,
      skipped: r.numPendingTests + r.numTodoTests,
      failedFiles: r.testResults.filter((t) => t.status === 'failed').map((t) => t.name.slice(ROOT.length)),
    };
  } catch {
    return undefined;
  }
}

/** Runs vitest on `name` with `args`, streaming its output; resolves to the outcome. */
async function runOn(name, args) {
  const bin = fetchRuntime(name);
  const dir = mkdtempSync(join(tmpdir(), 'sct-runtime-'));
  const report = join(dir, 'report.json');
  // The reporters of vitest.config.ts, plus a JSON report for the table.
  const reporters = ['--reporter=default', '--reporter=./test/setup/skip-reporter.ts', '--reporter=json', `--outputFile.json=${report}`];
  const [command, argv] = commandLine(name, bin, [...reporters, ...args]);
  console.log(`\n=== ${name} (${RUNTIMES[name].pkg}): ${[command, ...argv].join(' ')}\n`);
  const started = performance.now();
  const code = await new Promise((resolve) => {
    const child = spawn(command, argv, { cwd: ROOT, stdio: 'inherit' });
    const timer = setTimeout(() => {
      console.error(`\n${name}: the run took longer than ${RUN_LIMIT_MS / 60_000} minutes; ending it`);
      child.kill('SIGKILL');
    }, RUN_LIMIT_MS);
    child.on('close', (c, signal) => {
      clearTimeout(timer);
      resolve(c ?? (signal ? 128 : 1));
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      console.error(`${name}: ${e.message}`);
      resolve(1);
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const s = summary(report);
  rmSync(dir, { recursive: true, force: true });
  return { name, pkg: RUNTIMES[name].pkg, code, seconds, ...s };
}

function table(results) {
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.pkg.replace(/^.*@/, '')} | ${r.code === 0 ? 'pass' : 'FAIL'} | ${r.passed ?? '?'} | ${r.failed ?? '?'} | ${r.skipped ?? '?'} | ${r.seconds.toFixed(0)} s |`,
  );
  return ['| runtime | version | result | passed | failed | skipped | time |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

async function main() {
  const [first, ...args] = process.argv.slice(2);
  if (first === undefined) throw new Error('usage: node tools/runtimes/test-on.mjs <22|24|26|bun|deno|all> [vitest args…]');
  const names = first === 'all' ? ALL : [runtimeName(first)];
  const skip = process.env.SHAREDCTYPES_SKIP_RUNTIMES;
  if (skip !== undefined && skip !== '' && skip !== '0') {
    console.log(`SKIPPED (SHAREDCTYPES_SKIP_RUNTIMES=${skip}): the suite on ${names.join(', ')}`);
    return 0;
  }
  const results = [];
  for (const name of names) results.push(await runOn(name, args));
  console.log(`\nThe suite on other runtimes (Node ${process.versions.node} runs \`npm test\`):\n\n${table(results)}\n`);
  for (const r of results.filter((x) => x.code !== 0)) {
    console.log(`${r.name}: exit code ${r.code}${r.failedFiles?.length ? `; failed: ${r.failedFiles.join(', ')}` : ''}`);
  }
  const passed = results.reduce((n, r) => n + (r.passed ?? 0), 0);
  const failed = results.reduce((n, r) => n + (r.failed ?? 0), 0);
  const skipped = results.reduce((n, r) => n + (r.skipped ?? 0), 0);
  console.log(`runtimes: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return results.every((r) => r.code === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e.message);
    process.exit(2);
  },
);
