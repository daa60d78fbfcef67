// Copies the benchmark results into docs/performance.md, so the page always shows the last committed
// run: each region `<!-- bench:NAME -->` … `<!-- /bench -->` from bench/results/NAME.md (core,
// real-use, sync, memory; a placeholder while that file does not exist). The results' own title is
// dropped and their headings are moved one level down.
//
//   npm run docs:tables    (runs this after the layout tables)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const page = `${root}docs/performance.md`;

/** The results Markdown without its H1, headings demoted (## → ###), or null when absent. */
function resultsOf(name) {
  const file = `${root}bench/results/${name}.md`;
  if (!existsSync(file)) return null;
  return readFileSync(file, 'utf8')
    .replace(/^# .*\n+/, '')
    .replace(/^(#{2,5}) /gm, '#$1 ')
    .trim();
}

function placeholder(name) {
  return [
    `> **Placeholder.** \`bench/results/${name}.md\` does not exist yet. Run the benchmark that writes it,`,
    '> then `npm run docs:tables` fills this section from it.',
  ].join('\n');
}

const before = readFileSync(page, 'utf8');
const filled = [];
const after = before.replace(/<!-- bench:([\w-]+) -->\n[\s\S]*?<!-- \/bench -->/g, (_, name) => {
  const body = resultsOf(name);
  filled.push(`${name}: ${body === null ? 'placeholder' : `from bench/results/${name}.md`}`);
  return `<!-- bench:${name} -->\n${body ?? placeholder(name)}\n<!-- /bench -->`;
});
if (after !== before) writeFileSync(page, after);
console.log(`docs/performance.md: ${filled.join('; ') || 'no bench regions'}${after === before ? ' (already current)' : ''}`);
