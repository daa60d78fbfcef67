// Generates the layout tables of docs/layout.md from the library itself, so the documentation shows
// what the code computes, not what someone remembered.
//
//   npm run build && npm run docs:tables     (= node tools/docs/generate-layout-tables.mjs)
//   node tools/docs/generate-layout-tables.mjs --check   (exit 1 when docs/layout.md is stale)
//
// docs/layout.md holds regions `<!-- layout:Name -->` … `<!-- /layout -->` (optionally
// `<!-- layout:Name describe -->` to add the describe() report). Each is rewritten with the example's
// source (a ```ts block, type-checked by test/docs/code-blocks.test.ts) and a table of offsets, sizes,
// bit positions, holes and tail padding built from layoutOf(), sizeof() and alignof(). The test also
// checks that the regions are current, using src/ instead of dist/.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The example schemas. Each is TypeScript that is also plain JavaScript once the import line is
 * dropped (no type annotations), and declares a const of the example's name.
 */
export const EXAMPLES = {
  Particle: `import { struct, f64, f32, u32, u8, bits } from 'sharedctypes';
const Particle = struct({
  x: f64, y: f64, z: f64,
  vx: f32, vy: f32, vz: f32,
  id: u32,
  alive: bits(u8, 1),
}, { name: 'Particle' });`,
  Item: `import { struct, u8, f64, u16 } from 'sharedctypes';
const Item = struct({ tag: u8, x: f64, n: u16 }, { name: 'Item' });`,
  Reordered: `import { struct, u8, f64, u16 } from 'sharedctypes';
const Reordered = struct({ x: f64, n: u16, tag: u8 }, { name: 'Reordered' });`,
  Nested: `import { struct, array, f32, u8, u32 } from 'sharedctypes';
const Vec3 = struct({ x: f32, y: f32, z: f32 }, { name: 'Vec3' });
const Nested = struct({ flag: u8, pos: Vec3, ids: array(u32, 2) }, { name: 'Nested' });`,
  Word: `import { union, u32, f32, array, u8 } from 'sharedctypes';
const Word = union({ u: u32, f: f32, bytes: array(u8, 4) }, { name: 'Word' });`,
  Odd: `import { union, u8, u16, char } from 'sharedctypes';
const Odd = union({ small: u8, name: char(5), half: u16 }, { name: 'Odd' });`,
  Packed1: `import { struct, u8, u32, u16 } from 'sharedctypes';
const Packed1 = struct({ a: u8, b: u32, c: u16 }, { name: 'Packed1', pack: 1 });`,
  Packed2: `import { struct, u8, u32, u16 } from 'sharedctypes';
const Packed2 = struct({ a: u8, b: u32, c: u16 }, { name: 'Packed2', pack: 2 });`,
  Aligned: `import { struct, u32, u8 } from 'sharedctypes';
const Slot = struct({ n: u32 }, { name: 'Slot', align: 64 });
const Aligned = struct({ tag: u8, slot: Slot }, { name: 'Aligned' });`,
  Counters: `import { struct, aligned, u64, u8 } from 'sharedctypes';
const Counters = struct({
  produced: aligned(u64, 64), // written by one thread…
  consumed: aligned(u64, 64), // …and this by another: separate cache lines, no false sharing
  flag: u8,
}, { name: 'Counters' });`,
  Header: `import { struct, u16, u32, array, u8 } from 'sharedctypes';
const Version = struct({ major: u16, minor: u16 }, { name: 'Version' });
const Header = struct({
  magic: u32,
  version: Version,
  bytes: array(u8, 4),
}, { name: 'Header', endian: 'big' });`,
  Mixed: `import { struct, bits, u8, i32, i16 } from 'sharedctypes';
const Mixed = struct({ a: bits(u8, 4), b: bits(i32, 20), c: bits(i16, 9) }, { name: 'Mixed' });`,
  Straddle: `import { struct, bits, u32, u8 } from 'sharedctypes';
const Straddle = struct({ tag: u8, a: bits(u32, 20), b: bits(u32, 12) }, { name: 'Straddle' });`,
  PackedBits: `import { struct, bits, u8, u64 } from 'sharedctypes';
const PackedBits = struct({ a: bits(u8, 3), b: bits(u64, 64) }, { name: 'PackedBits', pack: 1 });`,
  ZeroWidth: `import { struct, bits, unnamed, u32, u8 } from 'sharedctypes';
const ZeroWidth = struct({ a: bits(u32, 3), _next: unnamed(u32, 0), b: bits(u32, 3), c: u8 }, { name: 'ZeroWidth' });`,
  Unnamed: `import { struct, unnamed, u8, u32 } from 'sharedctypes';
const Unnamed = struct({ a: u8, _gap: unnamed(u32, 4), b: u8 }, { name: 'Unnamed' });`,
  BigBits: `import { struct, bits, u8, u16, u32 } from 'sharedctypes';
const BigBits = struct({ a: bits(u8, 3), b: bits(u16, 9), c: bits(u32, 20) }, { name: 'BigBits', endian: 'big' });`,
  Guarded: `import { struct, mutex, u32, f64 } from 'sharedctypes';
const Guarded = struct({ lock: mutex(), count: u32, total: f64 }, { name: 'Guarded' });`,
};

/** Evaluates an example's source with the library's exports in scope; returns the schema it names. */
function schemaOf(name, lib) {
  const source = EXAMPLES[name];
  if (source === undefined) throw new Error(`docs/layout.md: no example named ${name} in tools/docs/generate-layout-tables.mjs`);
  const body = source
    .split('\n')
    .filter((l) => !l.startsWith('import '))
    .join('\n');
  const names = Object.keys(lib).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'Array');
  return new Function(...names, `'use strict';\n${body}\nreturn ${name};`)(...names.map((k) => lib[k]));
}

const isTop = (path) => !/[.[]/.test(path);

/** The end (exclusive, in bytes) of a top-level entry, as describe() counts it. */
function endOf(e) {
  return e.bitWidth === undefined ? e.offset + e.size : Math.ceil((e.offset * 8 + e.bitOffset + e.bitWidth) / 8);
}

/** A Markdown table of a schema's members, holes and tail padding. */
function table(schema, lib) {
  const entries = lib.layoutOf(schema);
  const size = lib.sizeof(schema);
  const isUnion = schema.kind === 'union';
  const rows = ['| offset | size | member | type | bits |', '|---:|---:|---|---|---|'];
  let end = 0;
  for (const e of entries) {
    const top = isTop(e.path);
    if (top && !isUnion && e.bitWidth === undefined && e.offset > end) {
      rows.push(`| ${end} | ${e.offset - end} | *(hole)* | | |`);
    }
    const bits = e.bitWidth === undefined ? '' : `bit ${e.bitOffset}, width ${e.bitWidth}`;
    const depth = (e.path.match(/[.[]/g) ?? []).length;
    const label = `${'&nbsp;&nbsp;'.repeat(depth)}\`${e.path}\``;
    rows.push(`| ${e.offset} | ${e.size} | ${label} | \`${e.type}\` | ${bits} |`);
    if (top) end = Math.max(end, endOf(e));
  }
  if (size > end) rows.push(`| ${end} | ${size - end} | *(${isUnion ? 'padding' : 'tail padding'})* | | |`);
  return `${rows.join('\n')}\n\n\`sizeof\` ${size}, \`alignof\` ${lib.alignof(schema)}.`;
}

/** Rewrites every layout region of `markdown` from `lib` (the library's exports). */
export function renderLayoutRegions(markdown, lib) {
  return markdown.replace(/<!-- layout:(\w+)( describe)? -->\n[\s\S]*?<!-- \/layout -->/g, (_, name, withDescribe) => {
    const schema = schemaOf(name, lib);
    const parts = [`<!-- layout:${name}${withDescribe ?? ''} -->`, '```ts', EXAMPLES[name], '```', '', table(schema, lib)];
    if (withDescribe) parts.push('', '```text', lib.describe(schema), '```');
    parts.push('<!-- /layout -->');
    return parts.join('\n');
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const lib = await import(pathToFileURL(`${root}dist/index.js`).href).catch(() => {
    console.error('dist/index.js is missing: run `npm run build` first');
    process.exit(1);
  });
  const path = `${root}docs/layout.md`;
  const before = readFileSync(path, 'utf8');
  const after = renderLayoutRegions(before, lib);
  const regions = (before.match(/<!-- layout:\w+/g) ?? []).length;
  if (process.argv.includes('--check')) {
    if (after !== before) {
      console.error('docs/layout.md is stale: run `npm run build && npm run docs:tables`');
      process.exit(1);
    }
    console.log(`docs/layout.md: ${regions} layout tables are current`);
  } else {
    if (after !== before) writeFileSync(path, after);
    console.log(`docs/layout.md: ${regions} layout tables ${after === before ? 'already current' : 'rewritten'}`);
  }
}
