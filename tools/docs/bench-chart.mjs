// Draws docs/images/bench-core.svg from bench/results/core.json: ns/element of every variant in every
// workload, as horizontal bars on a logarithmic axis (the libraries compared are 100–4000× slower, so
// a linear axis would hide every difference that matters). Hand-written SVG, no dependencies.
//
//   npm run docs:chart     (= node tools/docs/bench-chart.mjs [results.json] [out.svg])
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const input = process.argv[2] ?? `${root}bench/results/core.json`;
const output = process.argv[3] ?? `${root}docs/images/bench-core.svg`;
const results = JSON.parse(readFileSync(input, 'utf8'));

const COLORS = {
  hand: '#6b7280', // hand-written typed array / DataView
  codegen: '#2563eb', // sharedctypes, generated accessors
  interp: '#93c5fd', // sharedctypes, interpreted accessors (CSP)
  library: '#f59e0b', // other libraries
};
const LEGEND = [
  ['hand', 'hand-written (typed array, DataView)'],
  ['codegen', 'sharedctypes'],
  ['interp', "sharedctypes, codegen: 'off'"],
  ['library', 'other libraries'],
];

function groupOf(variant) {
  if (variant === 'ta' || variant === 'dv') return 'hand';
  if (variant.startsWith('sc-interp')) return 'interp';
  if (variant.startsWith('sc-')) return 'codegen';
  return 'library';
}

const LABELS = { ta: 'typed arrays', dv: 'DataView' };
const label = (v) => LABELS[v] ?? v;

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (ns) => (ns >= 100 ? ns.toFixed(0) : ns >= 10 ? ns.toFixed(1) : ns.toFixed(2));

// Geometry.
const W = 860;
const LEFT = 250; // variant labels
const RIGHT = 90; // value labels
const BAR = 14;
const GAP = 5;
const HEAD = 26; // workload title
const TOP = 78; // title + legend
const plotW = W - LEFT - RIGHT;
const all = results.workloads.flatMap((w) => w.variants.map((v) => v.nsPerElement));
const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
const x = (ns) => LEFT + (Math.log10(ns / lo) / Math.log10(hi / lo)) * plotW;

const out = [];
let y = TOP;
for (const w of results.workloads) {
  out.push(`<text x="12" y="${y + 17}" class="workload">${esc(w.title)}</text>`);
  y += HEAD;
  const top = y;
  const bars = [];
  for (const v of w.variants) {
    const g = groupOf(v.variant);
    const n = v.elements.toLocaleString('en-US');
    bars.push(
      `<text x="${LEFT - 8}" y="${y + BAR - 3}" class="label" text-anchor="end">${esc(label(v.variant))}</text>`,
      `<rect x="${LEFT}" y="${y}" width="${Math.max(1, x(v.nsPerElement) - LEFT).toFixed(1)}" height="${BAR}" fill="${COLORS[g]}"><title>${esc(
        `${label(v.variant)}: ${fmt(v.nsPerElement)} ns/element (median of ${v.samples} samples over ${n} elements), ${v.ratioVsBestHandWritten.toFixed(2)}× the best hand-written`,
      )}</title></rect>`,
      `<text x="${(x(v.nsPerElement) + 5).toFixed(1)}" y="${y + BAR - 3}" class="value">${fmt(v.nsPerElement)} ns</text>`,
    );
    y += BAR + GAP;
  }
  // Decade grid lines for this panel.
  for (let d = lo; d <= hi; d *= 10) {
    out.push(`<line x1="${x(d).toFixed(1)}" y1="${top - 3}" x2="${x(d).toFixed(1)}" y2="${y - GAP + 3}" class="grid"/>`);
  }
  out.push(...bars);
  y += 12;
}
// Axis.
out.push(`<line x1="${LEFT}" y1="${y}" x2="${LEFT + plotW}" y2="${y}" class="axis"/>`);
for (let d = lo; d <= hi; d *= 10) {
  out.push(`<text x="${x(d).toFixed(1)}" y="${y + 15}" class="tick" text-anchor="middle">${d >= 1 ? d.toLocaleString('en-US') : d}</text>`);
}
out.push(`<text x="${LEFT + plotW / 2}" y="${y + 34}" class="tick" text-anchor="middle">ns per element (log scale, lower is better)</text>`);
const H = y + 48;

const m = results.machine;
let lx = 12;
const legend = LEGEND.map(([g, text]) => {
  const item = `<rect x="${lx}" y="50" width="12" height="12" fill="${COLORS[g]}"/><text x="${lx + 18}" y="60" class="label">${esc(text)}</text>`;
  lx += 18 + text.length * 6.2 + 24; // about 6.2 px per character at 11 px
  return item;
}).join('');

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" role="img" aria-labelledby="chart-title">
<title id="chart-title">${esc(`sharedctypes core benchmark: ns per element of each variant in ${results.workloads.length} workloads (log scale)`)}</title>
<style>
.title{font-size:16px;font-weight:600;fill:#111827}.sub{font-size:11px;fill:#4b5563}
.workload{font-size:13px;font-weight:600;fill:#111827}.label{font-size:11px;fill:#1f2937}
.value{font-size:10px;fill:#374151}.tick{font-size:10px;fill:#4b5563}
.grid{stroke:#e5e7eb;stroke-width:1}.axis{stroke:#9ca3af;stroke-width:1}
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="12" y="22" class="title">${esc(`sharedctypes core benchmark: 48-byte Particle structs, ${results.setup.elements.toLocaleString('en-US')} in one SharedArrayBuffer`)}</text>
<text x="12" y="40" class="sub">${esc(`${results.date.slice(0, 10)} · Node ${m.node} · ${m.cpu} (${m.cores} cores) · ${m.platform} · median ns/element`)}</text>
${legend}
${out.join('\n')}
</svg>
`;
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, svg);
console.log(`${output.replace(root, '')}: ${results.workloads.length} workloads, ${all.length} bars`);
