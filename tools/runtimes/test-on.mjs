// Runs the vitest suite on other JavaScript runtimes: Node 20, 22, 24 and 26, Bun and Deno, whose
// binaries come from the npm registry (test/setup/runtimes.mjs fetches them with `npm pack`).
// `npm test` runs the suite on the machine's Node; this runs the same projects (codegen,
// interpreted, once, browser) with another runtime as vitest's own process, and so as every test
// file's process, worker thread and child process the tests start (they use process.execPath).
//
//   npm run test:node -- 22 [vitest args…]   Node 22 (also 20, 24, 26)
//   npm run test:bun [-- vitest args…]       Bun
//   npm run test:deno [-- vitest args…]      Deno (with -A: the tests map memory, spawn, serve)
//   npm run test:runtimes [-- vitest args…]  all of them in turn but the machine's own Node major
//                                            (`npm test` covers it), projects codegen and once
//                                            (MATRIX_PROJECTS), then a table; exits 1 if any failed
//
// The last line is `runtimes: N passed, N failed, N skipped`. SHAREDCTYPES_SKIP_RUNTIMES=1 skips
// the runs (and says so). A run that takes longer than RUN_LIMIT_MS is ended with its processes,
// and `all` stops starting runs once MATRIX_LIMIT_MS has passed: a hang fails the run, it does not
// eat CI's time.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchRuntime, RUNTIMES } from '../../test/setup/runtimes.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
/** One run on a quiet 2-core machine takes 1–2 minutes; one that takes this long hangs. */
const RUN_LIMIT_MS = 10 * 60_000;
/** `all` starts no run after this much time, and limits the last one to what is left. */
const MATRIX_LIMIT_MS = 25 * 60_000;
/** What `all` runs, in order (less the machine's own Node major). */
const ALL = ['node20', 'node22', 'node24', 'node26', 'bun', 'deno'];
/**
 * The vitest projects `all` runs on each runtime (unless given `--project`), and why the others
 * run only in `npm test`: the whole suite on five more runtimes would take CI 15–30 minutes.
 * A single runtime (`npm run test:bun`, …) runs every project.
 */
const MATRIX_PROJECTS = ['codegen', 'once'];
const MATRIX_LEAVES_OUT = {
  interpreted:
    'the same files as codegen with the interpreted accessors, which exist for pages whose CSP forbids eval (on Node, Bun and Deno accessors are generated); they run in `npm test` and in Chromium',
  browser: 'Chromium runs these pages, the runtime would only serve them; they run in `npm test`',
};
const OWN_MAJOR = process.versions.node.split('.')[0];

/** The command line that runs vitest with `args` on `name`. */
function commandLine(name, bin, args) {
  // Deno runs vitest with every permission: the tests read and write files, spawn processes, map
  // memory through the FFI, serve pages to Chromium and read the environment.
  if (name === 'deno') return [bin, ['run', '--quiet', '-A', VITEST, 'run', ...args]];
  return [bin, [VITEST, 'run', ...args]];
}

/** `22` → `node22`; a runtime's name as is; refuses anything else with the list. */
function runtimeName(word) {
  const name = /^\d+$/.test(word) ? `node${word}` : word;
  if (RUNTIMES[name] !== undefined) return name;
  const majors = ALL.filter((n) => n.startsWith('node')).map((n) => n.slice(4));
  if (name.startsWith('node')) throw new Error(`no Node ${name.slice(4)} here: test/setup/runtimes.mjs fetches Node ${majors.join(', ')}`);
  throw new Error(`unknown runtime '${word}': use ${majors.join(', ')}, bun, deno or all`);
}

/** The counts of a vitest JSON report (a file run by two projects counts twice, as vitest does). */
function summary(file) {
  let r;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // no report: vitest did not get that far (the exit code says it failed)
  }
  return {
    files: r.testResults.length,
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: r.numPendingTests + r.numTodoTests,
    failedFiles: [...new Set(r.testResults.filter((t) => t.status === 'failed').map((t) => relative(ROOT, t.name)))],
    failures: r.testResults.flatMap((t) =>
      t.assertionResults.filter((a) => a.status === 'failed').map((a) => `${relative(ROOT, t.name)} > ${a.fullName}\n${firstLines(a.failureMessages)}`),
    ),
  };
}

/**
 * The first lines of a failed test's messages (vitest's own stack frames left out), indented: the
 * closing summary shows them, so that a failure can be read at the end of a long CI log, whose
 * middle may be cut.
 */
function firstLines(messages, count = 8) {
  const lines = (messages ?? [])
    .join('\n')
    .split('\n')
    .filter((l) => !/node_modules|new Promise/.test(l))
    .slice(0, count);
  return lines.map((l) => `    ${l}`).join('\n');
}

/** Ends a run's whole process group (vitest, its test processes and everything they started). */
function endGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

let running; // the run in progress, ended with us on SIGINT/SIGTERM
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (running !== undefined) endGroup(running);
    process.exit(130);
  });
}

/** Runs vitest on `name` with `args`, streaming its output; resolves to the outcome. */
async function runOn(name, args, limitMs) {
  const started = performance.now();
  const outcome = (code, extra) => ({ name, pkg: RUNTIMES[name].pkg, code, seconds: (performance.now() - started) / 1000, ...extra });
  let bin;
  try {
    bin = fetchRuntime(name);
  } catch (e) {
    console.error(`\n${name}: could not fetch ${RUNTIMES[name].pkg} from the npm registry: ${e.message}`);
    return outcome(1, { note: 'not fetched' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'sct-runtime-'));
  const report = join(dir, 'report.json');
  // The reporters of vitest.config.ts, plus a JSON report for the table.
  const reporters = ['--reporter=default', '--reporter=./test/setup/skip-reporter.ts', '--reporter=json', `--outputFile.json=${report}`];
  const [command, argv] = commandLine(name, bin, [...reporters, ...args]);
  console.log(
    `\n=== ${name} (${RUNTIMES[name].pkg}): ${[relative(ROOT, command), ...argv.map((a) => (a.startsWith(ROOT) ? relative(ROOT, a) : a))].join(' ')}\n`,
  );
  let timedOut = false;
  const code = await new Promise((resolve) => {
    // Its own process group, so that a run that hangs is ended with everything it started.
    const child = spawn(command, argv, { cwd: ROOT, stdio: 'inherit', detached: true });
    running = child;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\n${name}: the run took longer than ${(limitMs / 60_000).toFixed(1)} minutes; ending it`);
      endGroup(child);
    }, limitMs);
    child.on('close', (c, signal) => {
      clearTimeout(timer);
      running = undefined;
      resolve(c ?? (signal ? 128 : 1));
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      running = undefined;
      console.error(`${name}: ${e.message}`);
      resolve(1);
    });
  });
  const counts = summary(report);
  rmSync(dir, { recursive: true, force: true });
  return outcome(code, { ...counts, ...(timedOut ? { note: 'timed out' } : {}) });
}

function table(results) {
  const n = (x) => (x === undefined ? '?' : String(x));
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.pkg.replace(/^.*@/, '')} | ${r.code === 0 ? 'pass' : `FAIL${r.note ? ` (${r.note})` : ''}`} | ${n(r.files)} | ${n(r.passed)} | ${n(r.failed)} | ${n(r.skipped)} | ${r.seconds.toFixed(0)} s |`,
  );
  return ['| runtime | version | result | files | passed | failed | skipped | time |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}

async function main() {
  const [first, ...args] = process.argv.slice(2);
  if (first === undefined) throw new Error('usage: node tools/runtimes/test-on.mjs <20|22|24|26|bun|deno|all> [vitest args…]');
  let names = first === 'all' ? ALL : [runtimeName(first)];
  if (first === 'all') {
    const own = `node${OWN_MAJOR}`;
    if (names.includes(own)) console.log(`${own}: not run again here: this is Node ${process.versions.node}, which runs \`npm test\``);
    names = names.filter((n) => n !== own);
  }
  const skip = process.env.SHAREDCTYPES_SKIP_RUNTIMES;
  if (skip !== undefined && skip !== '' && skip !== '0') {
    console.log(`SKIPPED (SHAREDCTYPES_SKIP_RUNTIMES=${skip}): the suite on ${names.join(', ')}`);
    return 0;
  }
  let runArgs = args;
  if (first === 'all' && !args.some((a) => a === '--project' || a.startsWith('--project='))) {
    runArgs = [...MATRIX_PROJECTS.flatMap((p) => ['--project', p]), ...args];
    console.log(`projects on each runtime: ${MATRIX_PROJECTS.join(', ')}`);
    for (const [project, why] of Object.entries(MATRIX_LEAVES_OUT)) console.log(`SKIPPED on other runtimes: project ${project}: ${why}`);
  }
  const started = performance.now();
  const results = [];
  for (const name of names) {
    const left = MATRIX_LIMIT_MS - (performance.now() - started);
    if (left <= 0) {
      console.error(`\n${name}: not run: the runs took longer than ${MATRIX_LIMIT_MS / 60_000} minutes in all`);
      results.push({ name, pkg: RUNTIMES[name].pkg, code: 1, seconds: 0, note: 'not run: out of time' });
      continue;
    }
    results.push(await runOn(name, runArgs, Math.min(RUN_LIMIT_MS, left)));
  }
  const total = (performance.now() - started) / 1000;
  const scope = runArgs === args ? '' : ` (projects ${MATRIX_PROJECTS.join(', ')}; ${Object.keys(MATRIX_LEAVES_OUT).join(' and ')} in \`npm test\` only)`;
  console.log(`\nThe suite on other runtimes${scope}, ${total.toFixed(0)} s in all (Node ${process.versions.node} runs \`npm test\`):\n\n${table(results)}\n`);
  for (const r of results.filter((x) => x.code !== 0)) {
    console.log(`${r.name}: exit code ${r.code}${r.failedFiles?.length ? `; failed: ${r.failedFiles.join(', ')}` : ''}`);
    for (const f of r.failures ?? []) console.log(`  ${f}`);
  }
  const sum = (key) => results.reduce((s, r) => s + (r[key] ?? 0), 0);
  // A run that failed without a report counts as one failure, so the closing line never says 0 failed.
  const failed = sum('failed') + results.filter((r) => r.code !== 0 && !r.failed).length;
  console.log(`runtimes: ${sum('passed')} passed, ${failed} failed, ${sum('skipped')} skipped`);
  return results.every((r) => r.code === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e.message);
    process.exit(2);
  },
);
