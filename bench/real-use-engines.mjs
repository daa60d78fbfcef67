/**
 * The "real use" suite (bench/real-use.mjs) on each Node the repository runs on: this Node's run
 * (bench/results/real-use.json, which `npm run bench` writes just before) beside a whole run of the
 * suite on Node 22, 24 and 26, each engine in processes and workers of its own. Issue 8's targets
 * were set on Node 20; users run every current Node, whose compilers tier a loop differently (V8 12
 * to 14 add Maglev between the interpreter and TurboFan), so a pattern that holds on one may not
 * hold on another. Each engine's full tables go to bench/results/real-use-node<major>.md; this file
 * writes bench/results/real-use-engines.md: the summary per engine, then per pattern the ratios
 * the summary counts, and the columns variant (typed arrays over the view's bytes) beside them.
 *
 *   node bench/real-use-engines.mjs [node binary…]   (after `npx tsc -p tsconfig.build.json`)
 *
 * With no binaries it runs Node 22, 24 and 26 if test/setup/runtimes.mjs has fetched them.
 * BENCH_QUICK=1 and BENCH_PATTERNS pass on (fewer trials or patterns, *.tmp files; this Node's
 * real-use.json.tmp is read then).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, nodeBinaries, resultsSuffix, writeResults } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
/** Whether BENCH_PATTERNS restricts the patterns, as bench/real-use.mjs reads it. */
const FILTERED = Boolean(process.env.BENCH_PATTERNS);
/** The suffix of the runs' results files, which each run's `writeResults` chose the same way. */
const suffix = resultsSuffix({ quick: QUICK, filtered: FILTERED });

/** Runs the whole suite on `bin`; returns the name of the results it wrote. */
function runOn(bin) {
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const name = `real-use-node${version.replace(/^v(\d+).*$/, '$1')}`;
  process.stderr.write(`real-use-engines: ${version} …\n`);
  const r = spawnSync(bin, ['--expose-gc', join(here, 'real-use.mjs')], {
    env: { ...process.env, BENCH_RESULTS_NAME: name },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`real-use on ${version} failed (exit ${r.status})`);
  return name;
}

const load = (name) => JSON.parse(readFileSync(join(here, 'results', `${name}.json${suffix}`), 'utf8'));

const fmt = (x) => (x === undefined || Number.isNaN(x) ? '—' : `${x.toFixed(2)}×`);
const mark = (worst, target) => `${fmt(worst)} ${worst <= target ? '✓' : '✗'}`;

/** The variants of pattern 3 a table shows: all but `for…of`, in the order of `p`'s rows. */
const coldVariants = (p) => p.rows.map((r) => r.variant).filter((v) => v !== 'sc-for-of');
/** The variants of pattern 4 a table shows: the library's rows. */
const offsetVariants = (p) => p.rows.filter((r) => !r.variant.startsWith('twin'));

/**
 * Per pattern, the table of the ratios its summary counts: the heading, the leading columns (each
 * row's first cell is the engine), the number columns (labelled from the first run's pattern), and
 * an engine's rows (`p` that engine's pattern, `first` the first run's): each its leading cells
 * after the engine, then the numbers.
 */
const TABLES = {
  jobs: {
    heading: '1. jobs: sc ÷ twin per job (columns in brackets)',
    leading: ['node'],
    columns: (first) => first.rows.map((r) => `job ${r.job}`),
    rows: (p) => [p.rows.map((r) => `${fmt(r.ratio)} (${fmt(r.columnsRatio)})`)],
  },
  buffers: {
    heading: '2. buffers: sc ÷ twin per call',
    leading: ['node', 'variant'],
    columns: (first) => first.rows[0].ratios.map((_, i) => `call ${i + 1}`),
    rows: (p) =>
      p.rows.filter((r) => r.counted || r.variant === 'columns').map((r) => [`${r.variant}${r.counted ? '' : ' (not counted)'}`, ...r.ratios.map(fmt)]),
  },
  cold: {
    heading: '3. cold: sc ÷ twin, cold / warm',
    leading: ['node'],
    columns: coldVariants,
    rows: (p, first) => [
      coldVariants(first)
        .map((v) => p.rows.find((r) => r.variant === v))
        .map((r) => `${fmt(r.cold)} / ${fmt(r.warm)}`),
    ],
  },
  offsets: {
    heading: '4. offsets: sc ÷ twin, warm / cold',
    leading: ['node'],
    columns: (first) => offsetVariants(first).map((r) => `\`${r.variant}\``),
    rows: (p) => [offsetVariants(p).map((r) => `${fmt(r.ratio)} / ${fmt(r.cold)}`)],
  },
  handoff: {
    heading: '5. handoff: sc ÷ twin (sc ms / twin ms)',
    leading: ['node'],
    columns: (first) => first.rows.map((r) => r.variant),
    rows: (p) => [p.rows.map((r) => `${fmt(r.ratio)} (${r.sc.toFixed(1)} / ${r.twin.toFixed(1)})`)],
  },
};

/** The Markdown: the summary per engine, then each pattern's counted ratios per engine. */
function markdown(runs, date) {
  const nodes = runs.map((r) => r.machine.node);
  const pattern = (run, name) => run.patterns.find((p) => p.name === name);
  // A table's header: the leading columns (left-aligned), then the number columns.
  const head = (leading, cols) => [`| ${[...leading, ...cols].join(' | ')} |`, `|${leading.map(() => '---').join('|')}|${cols.map(() => '---:').join('|')}|`];
  const out = [
    '# sharedctypes "real use" benchmark on each Node',
    '',
    `${date} · ${runs[0].machine.cpu} (${runs[0].machine.cores} cores) · ${runs[0].machine.platform}`,
    '',
    `bench/real-use.mjs run whole on each engine (${runs.map((r) => `${r.machine.node} at ${r.date.slice(0, 16)}`).join(', ')}); each engine's full tables in bench/results/real-use-node<major>.md (this Node's in real-use.md). Ratios: sharedctypes ÷ twin (lower is better), as each pattern counts them; "columns" is the same work over \`ps.column('x')\`, … (typed arrays over the view's bytes), shown, not counted.`,
    '',
    '## Summary: worst counted ratio per pattern',
    '',
    ...head(['pattern', 'target'], nodes),
  ];
  for (const p of runs[0].patterns)
    out.push(`| ${p.title.split(':')[0]} | ≤ ${p.target}× | ${runs.map((r) => mark(pattern(r, p.name).worst, p.target)).join(' | ')} |`);
  for (const first of runs[0].patterns) {
    const table = TABLES[first.name];
    out.push('', `## ${table.heading}`, '', ...head(table.leading, table.columns(first)));
    for (const run of runs) for (const cells of table.rows(pattern(run, first.name), first)) out.push(`| ${[run.machine.node, ...cells].join(' | ')} |`);
  }
  return `${out.join('\n')}\n`;
}

function main() {
  const t0 = performance.now();
  const others = nodeBinaries().filter((bin) => bin !== process.execPath);
  if (!existsSync(join(here, 'results', `real-use.json${suffix}`)))
    throw new Error(`run bench/real-use.mjs on this Node first (bench/results/real-use.json${suffix})`);
  const names = ['real-use', ...others.map(runOn)];
  const runs = names.map(load);
  const result = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    quick: QUICK,
    filtered: FILTERED,
    engines: runs.map((r) => ({
      node: r.machine.node,
      v8: r.machine.v8,
      date: r.date,
      summary: r.patterns.map((p) => ({ name: p.name, target: p.target, worst: p.worst })),
    })),
    totalSeconds: Math.round((performance.now() - t0) / 1000),
  };
  writeResults('real-use-engines', result, markdown(runs, result.date), runs.length);
}

main();
