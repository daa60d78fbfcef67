// Architecture rules over the runtime import graph of src/ (see CONTRIBUTING.md, "Layering"):
//   (a) no circular runtime imports between modules;
//   (b) imports flow one way between layers:
//         top-level helpers (src/errors.ts, …) → src/memory → src/sync → src/kinds → src/layout → src/codegen → src/views
//         → src/types → src/c → src/shared → src/channels → src/transfer → src/index.ts
//       a module may import only from its own layer or an earlier one, and nothing imports src/index.ts.
//       src/sync (locks and other primitives over raw shared memory) needs nothing but the helpers;
//       the layers above use it (a mutex() struct member reads as a Lock). src/kinds is what every
//       layer knows of a schema without its classes (primitive and sync-kind tables, names, limits,
//       labels, the schema mark); src/types, the schema classes and the DSL, sits above src/views,
//       because a schema's `T.view()`/`T.create()` are the views layer's functions. Table: ALLOWED below;
//   (c) src/ imports nothing but its own modules (the package has no runtime dependencies and runs
//       in browsers too, so no bare specifiers and no `node:` built-ins), except src/cli: the
//       command-line tool (the package's `bin`) runs under Node only and may use `node:` built-ins;
//       nothing imports it.
//
// The parser is a regex over top-level `import … from '…'` / `export … from '…'` statements (and
// bare `import '…'`). `import type` / `export type` statements are erased by tsc and are skipped.
// An `import { type A, type B } from '…'` whose specifiers are all inline-type is NOT skipped:
// under `verbatimModuleSyntax` tsc emits it as `import {} from '…'`, which still loads the module.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

/** Layers in dependency order; `base` is src/*.ts other than index.ts, the others are directories. */
const LAYERS = ['base', 'memory', 'sync', 'kinds', 'layout', 'codegen', 'views', 'types', 'c', 'shared', 'channels', 'transfer', 'index', 'cli'] as const;
type Layer = (typeof LAYERS)[number];

/** The layers each layer may import from (its own included). */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  base: ['base'],
  // Where bytes live: SharedArrayBuffer or a named process-shared mapping (SharedMemory, through
  // the runtime's FFI), and the wait/wake backend each kind of memory takes (Atomics or futex).
  memory: ['base', 'memory'],
  // The synchronization primitives stand on shared memory alone; the layers above use them (a
  // struct member of type mutex() reads as a Lock).
  sync: ['base', 'memory', 'sync'],
  // What every layer knows of a schema without its classes: the primitive and sync-kind tables,
  // field names, limits, labels and the mark that makes an object a schema.
  kinds: ['base', 'memory', 'sync', 'kinds'],
  layout: ['base', 'memory', 'sync', 'kinds', 'layout'],
  codegen: ['base', 'memory', 'sync', 'kinds', 'layout', 'codegen'],
  views: ['base', 'memory', 'sync', 'kinds', 'layout', 'codegen', 'views'],
  // The schema classes and the DSL: `T.view()`/`T.create()` are the views layer's functions, and
  // the functions that take a typecode (`sizeof('i')`, `view('d', …)`) resolve it here.
  types: ['base', 'memory', 'sync', 'kinds', 'layout', 'codegen', 'views', 'types'],
  // fromC: C headers in, schemas out (built with the DSL; sizeof/offsetof in C expressions use layouts).
  c: ['base', 'memory', 'sync', 'kinds', 'layout', 'codegen', 'views', 'types', 'c'],
  // Python's sharedctypes surface (Value, Array, synchronized, copy) over views and locks.
  shared: ['base', 'memory', 'sync', 'kinds', 'layout', 'codegen', 'views', 'types', 'shared'],
  // Channels: typed rings of elements (views) with futex waits (sync); they do not need shared/.
  channels: ['base', 'memory', 'sync', 'kinds', 'layout', 'codegen', 'views', 'types', 'channels'],
  // share()/attach(): handles for every kind of shared object.
  transfer: ['base', 'memory', 'sync', 'kinds', 'layout', 'codegen', 'views', 'types', 'shared', 'channels', 'transfer'],
  index: ['base', 'memory', 'sync', 'kinds', 'layout', 'codegen', 'views', 'types', 'c', 'shared', 'channels', 'transfer'],
  // The command line (`sharedctypes from-c`): the top; nothing imports it.
  cli: ['base', 'memory', 'sync', 'kinds', 'layout', 'codegen', 'views', 'types', 'c', 'cli'],
};

/** Layers that may import `node:` built-ins (Node-only programs, never loaded by the library). */
const NODE_ONLY: readonly Layer[] = ['cli'];

interface Edge {
  from: string;
  to: string;
  line: number;
  text: string;
}

function layerOf(module: string): Layer | undefined {
  if (module === 'src/index.ts') return 'index';
  const parts = module.split('/');
  if (parts.length === 2) return 'base'; // src/errors.ts and any other top-level helper module
  const dir = parts[1];
  return LAYERS.find((l) => l === dir && l !== 'base' && l !== 'index');
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return walk(full);
    return e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

const toModule = (abs: string): string => relative(ROOT, abs).split(sep).join('/');

// `import|export` [type] <clause> from '<spec>', where the clause is `{ … }` (may span lines),
// `* as ns`, `*`, `Default` or `Default, { … }` / `Default, * as ns`. Anchored at the start of a
// line, so examples inside JSDoc comments (` * import { … } from 'sharedctypes'`) do not match.
const FROM_STATEMENT = /^[ \t]*(import|export)(\s+type)?\s+((?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?|[\w$]+))\s*from\s*(['"])([^'"\n]+)\4/gm;
const BARE_IMPORT = /^[ \t]*import\s*(['"])([^'"\n]+)\1/gm;

function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Runtime import specifiers of one source file, with their line numbers. */
function runtimeImports(text: string): { spec: string; line: number; text: string }[] {
  const found: { spec: string; line: number; text: string; index: number }[] = [];
  for (const m of text.matchAll(FROM_STATEMENT)) {
    if (m[2] !== undefined) continue; // `import type …` / `export type …`
    found.push({ spec: m[5] ?? '', index: m.index, line: lineAt(text, m.index), text: m[0].trim().replace(/\s+/g, ' ') });
  }
  for (const m of text.matchAll(BARE_IMPORT)) {
    found.push({ spec: m[2] ?? '', index: m.index, line: lineAt(text, m.index), text: m[0].trim() });
  }
  return found.sort((a, b) => a.index - b.index).map(({ spec, line, text: t }) => ({ spec, line, text: t }));
}

function buildGraph(): { modules: string[]; edges: Edge[]; external: string[] } {
  const files = walk(SRC).sort();
  const modules = files.map(toModule);
  const edges: Edge[] = [];
  const external: string[] = [];
  for (const file of files) {
    const from = toModule(file);
    for (const { spec, line, text } of runtimeImports(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) {
        const layer = layerOf(from);
        if (!(spec.startsWith('node:') && layer !== undefined && NODE_ONLY.includes(layer))) external.push(`${from}:${line}: ${text}`);
        continue;
      }
      const to = toModule(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
      edges.push({ from, to, line, text });
    }
  }
  return { modules, edges, external };
}

/** Every elementary cycle found by a DFS (one per back edge), as module chains `a → b → a`. */
function findCycles(modules: string[], edges: Edge[]): string[][] {
  const out = new Map<string, string[]>();
  for (const m of modules) out.set(m, []);
  for (const e of edges) out.get(e.from)?.push(e.to);
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (m: string): void => {
    state.set(m, 'active');
    stack.push(m);
    for (const next of out.get(m) ?? []) {
      const s = state.get(next);
      if (s === 'active') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(m, 'done');
  };
  for (const m of modules) if (!state.has(m)) visit(m);
  return cycles;
}

describe('architecture: runtime import graph of src/', () => {
  const { modules, edges, external } = buildGraph();

  it('parses the graph (sanity check of the regex)', () => {
    expect(modules).toContain('src/index.ts');
    expect(modules).toContain('src/errors.ts');
    // index.ts re-exports from every layer; a broken regex would find (almost) nothing.
    const fromIndex = new Set(edges.filter((e) => e.from === 'src/index.ts').map((e) => layerOf(e.to)));
    for (const layer of ['base', 'types', 'layout', 'codegen', 'views'] as const) expect(fromIndex).toContain(layer);
    // every edge points at a module that exists
    const missing = edges.filter((e) => !modules.includes(e.to)).map((e) => `${e.from}:${e.line}: ${e.text} → ${e.to} (no such file)`);
    expect(missing, missing.join('\n')).toEqual([]);
    // the parser itself: multi-line clauses, type-only statements, JSDoc examples, bare imports
    const sample = [
      "import {\n  a,\n  type B,\n} from './a.js';",
      "import type { C } from './c.js';",
      "export type { D } from './d.js';",
      "export { e, type F } from './e.js';",
      "export * from './star.js';",
      "import * as ns from './ns.js';",
      "import def, { g } from './def.js';",
      "import './side-effect.js';",
      " * import { x } from './in-a-comment.js';",
      "import { type OnlyType } from './kept-by-verbatim-module-syntax.js';",
    ].join('\n');
    expect(runtimeImports(sample).map((i) => i.spec)).toEqual([
      './a.js',
      './e.js',
      './star.js',
      './ns.js',
      './def.js',
      './side-effect.js',
      './kept-by-verbatim-module-syntax.js',
    ]);
  });

  it('finds cycles (sanity check of the DFS)', () => {
    const e = (from: string, to: string): Edge => ({ from, to, line: 1, text: '' });
    expect(findCycles(['a', 'b', 'c', 'd'], [e('a', 'b'), e('b', 'c'), e('c', 'a'), e('c', 'd')])).toEqual([['a', 'b', 'c', 'a']]);
    expect(findCycles(['a', 'b', 'c'], [e('a', 'b'), e('a', 'c'), e('b', 'c')])).toEqual([]);
  });

  it('imports nothing outside src/ (no runtime dependencies, no node: built-ins but in the command line)', () => {
    expect(external, `src/ must only import its own modules:\n${external.join('\n')}`).toEqual([]);
  });

  it('every module belongs to a layer', () => {
    const unassigned = modules.filter((m) => layerOf(m) === undefined);
    expect(unassigned, `modules outside the known layers (${LAYERS.join(', ')}); add their directory to LAYERS:\n${unassigned.join('\n')}`).toEqual([]);
  });

  it('has no circular runtime imports', () => {
    const cycles = findCycles(modules, edges).map((c) => c.join(' → '));
    expect(cycles, `circular runtime imports:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('imports flow one way: base → memory → sync → kinds → layout → codegen → views → types → c, shared → channels → transfer → index; cli on top', () => {
    const allowed = (e: Edge): boolean => {
      const from = layerOf(e.from);
      const to = layerOf(e.to);
      return from !== undefined && to !== undefined && to !== 'index' && ALLOWED[from].includes(to);
    };
    const violations = edges
      .filter((e) => !allowed(e))
      .map((e) => {
        const why = e.to === 'src/index.ts' ? 'nothing may import src/index.ts' : `layer ${layerOf(e.from)} may not import layer ${layerOf(e.to)}`;
        return `${e.from}:${e.line} (${layerOf(e.from)}) → ${e.to} (${layerOf(e.to)}): ${why}\n    ${e.text}`;
      });
    expect(violations, `layering violations:\n${violations.join('\n')}`).toEqual([]);
  });
});

describe('nothing installs itself on load', () => {
  it('the DSL modules imported on their own, not through the package entry point, make views', () => {
    // T.view()/T.create() are the schema classes' own methods (they import the views layer): no
    // other module has to be loaded first. An earlier design had the views layer install them into
    // the classes when it was loaded; this program then threw "views are not loaded".
    const program = `
      const { struct } = await import(${JSON.stringify(join(ROOT, 'dist/types/record.js'))});
      const { u8, f64 } = await import(${JSON.stringify(join(ROOT, 'dist/types/builtins.js'))});
      const S = struct({ a: u8, x: f64 });
      const s = S.create({ a: 5, x: 1.5 });
      const t = S.view(s.$buffer);
      console.log(t.a, t.x);`;
    // A file, run by the runtime running the suite (Deno takes `run` and no `-e` for modules).
    const dir = mkdtempSync(join(tmpdir(), 'sct-dsl-alone-'));
    try {
      const file = join(dir, 'dsl-alone.mjs');
      writeFileSync(file, program);
      const args = 'Deno' in globalThis ? ['run', '--quiet', '--allow-read', file] : [file];
      const out = execFileSync(process.execPath, args, { encoding: 'utf8' });
      expect(out.trim()).toBe('5 1.5');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the package declares no side-effect modules', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { sideEffects?: unknown };
    expect(pkg.sideEffects).toBe(false);
  });
});
