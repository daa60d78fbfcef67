// The published package, as a user gets it: `npm pack` the built dist/ (npm test builds it before
// vitest runs), check the tarball's file list, install the tarball into a scratch project (offline:
// the package has no runtime dependencies), run an ESM consumer under node, type-check a
// TypeScript consumer against the installed declarations, and run publint and
// @arethetypeswrong/cli on the tarball. Nothing here needs the network.
//
// Source maps: the build ships none (tsconfig.build.json sets sourceMap and declarationMap to
// false). The maps would point at src/*.ts, which is not in the tarball, so they would be dead
// weight (they were ~45% of the unpacked size); and dist/*.js is unminified ES2022 that reads
// line for line like src/, so stack traces and "go to definition" (into the commented .d.ts) are
// already readable without them.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'node_modules', '.bin');
const TIMEOUT = 120_000;
/** Ceiling on the packed size, to catch fixtures (megabytes), tests or maps slipping into the tarball;
 * the code itself (with channels, segments, RwLock, C targets and the C parser) packs to ~0.2–0.3 MB. */
const MAX_TARBALL_BYTES = 400_000;

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** The canonical repository: package.json's repository, homepage and bugs, and README's links to files not in the tarball, point here. */
const REPOSITORY = 'https://github.com/sharedctypes/sharedctypes';

/** Link targets of a Markdown text: [text](target "title"), ![alt](target), [label]: target, <a href>, <img src>. */
function linkTargets(markdown: string): string[] {
  const text = markdown.replace(/^(\s*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\2\s*$/gm, '').replace(/`[^`\n]*`/g, ''); // not in code
  const targets: string[] = [];
  for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1] as string);
  for (const m of text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)) targets.push(m[1] as string);
  for (const m of text.matchAll(/<(?:a|img)\s[^>]*?(?:href|src)\s*=\s*["']([^"']+)["']/gi)) targets.push(m[1] as string);
  return targets;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; never throws on a non-zero exit (the tests look at the code). */
async function run(file: string, args: string[], cwd: string): Promise<Run> {
  // Drop npm_* variables inherited from `npm test` (npm_config_*, lifecycle hooks) so nested npm
  // calls behave as they do for a user; keep the rest (PATH, HOME, npm's cache and user config).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string; stderr?: string; message: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? err.message };
  }
}

const show = (r: Run): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    return e.isDirectory() ? walk(full) : [full];
  });
}

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

let work = '';
let tarball = '';
let packed: Packed;
let consumer = '';

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is not built: run `npm run build` (npm test does) before these tests');
  work = mkdtempSync(join(tmpdir(), 'sharedctypes-package-'));
  const packResult = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
  if (packResult.code !== 0) throw new Error(`npm pack failed\n${show(packResult)}`);
  const info = (JSON.parse(packResult.stdout) as Packed[])[0];
  if (info === undefined) throw new Error(`npm pack printed no package\n${show(packResult)}`);
  packed = info;
  tarball = join(work, packed.filename);

  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  const install = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', tarball], consumer);
  if (install.code !== 0) throw new Error(`offline install of the tarball failed\n${show(install)}`);
}, TIMEOUT);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('the npm tarball', () => {
  it('holds the two bundles, a .d.ts per src module, the Python module, package.json, README.md, LICENSE and nothing else', () => {
    const paths = packed.files.map((f) => f.path).sort();
    // The code runs from two bundles of dist/ (tools/build/bundle.mjs): the library and the bin.
    const extra = ['package.json', 'README.md', 'LICENSE', 'python/sharedctypes.py', 'dist/sharedctypes.js', 'dist/cli.js'];
    const unexpected = paths.filter((p) => !/^dist\/.+\.d\.ts$/.test(p) && !extra.includes(p));
    expect(unexpected, `files that users do not need:\n${unexpected.join('\n')}`).toEqual([]);
    for (const p of [...extra, 'dist/index.d.ts']) expect(paths).toContain(p);
    for (const dir of ['src/', 'test/', 'bench/', 'tools/', 'examples/', 'docs/', 'node_modules/']) {
      expect(paths.filter((p) => p.startsWith(dir) || p.includes(`/${dir}`))).toEqual([]);
    }
    // Exactly one .js and one .d.ts per source module: nothing missing, nothing stale.
    const modules = walk(join(ROOT, 'src'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => relative(join(ROOT, 'src'), f).split(sep).join('/').replace(/\.ts$/, ''))
      .sort();
    const dts = paths.filter((p) => p.endsWith('.d.ts')).map((p) => p.slice('dist/'.length, -'.d.ts'.length));
    expect(dts, 'dist/ does not match src/: run `npm run build`').toEqual(modules);
  });

  it('runs from a bundle of exactly the built modules: the same exports as dist/index.js, built from the current dist/', async () => {
    const tree = (await import(join(ROOT, 'dist', 'index.js'))) as Record<string, unknown>;
    const installed = join(consumer, 'node_modules', pkg.name, 'dist', 'sharedctypes.js');
    const bundled = (await import(installed)) as Record<string, unknown>;
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(tree).sort());
    // Function and class names survive bundling (messages and describe() print them).
    for (const [name, value] of Object.entries(bundled)) if (typeof value === 'function') expect(value.name, name).toBe((tree[name] as { name: string }).name);
    // Not left over from an earlier build: no module of dist/ is newer than the bundle.
    const bundle = statSync(join(ROOT, 'dist', 'sharedctypes.js')).mtimeMs;
    const modules = walk(join(ROOT, 'dist')).filter((f) => f.endsWith('.js') && !['sharedctypes.js', 'cli.js'].includes(relative(join(ROOT, 'dist'), f)));
    const newer = modules.filter((f) => statSync(f).mtimeMs > bundle);
    expect(
      newer.map((f) => relative(ROOT, f)),
      'run `npm run build`',
    ).toEqual([]);
  });

  it(`has repository, homepage and bugs, all on ${REPOSITORY}`, () => {
    const manifest = JSON.parse(readFileSync(join(consumer, 'node_modules', pkg.name, 'package.json'), 'utf8')) as {
      repository?: { type?: string; url?: string };
      homepage?: string;
      bugs?: { url?: string };
    };
    expect(manifest.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git` });
    expect(manifest.homepage).toBe(`${REPOSITORY}#readme`);
    expect(manifest.bugs).toEqual({ url: `${REPOSITORY}/issues` });
  });

  it('README links work on the npm page and in node_modules: relative ones resolve inside the tarball, links to the repository name existing files', () => {
    const readme = readFileSync(join(consumer, 'node_modules', pkg.name, 'README.md'), 'utf8');
    const targets = linkTargets(readme);
    expect(targets.length, 'README.md has links (to the docs)').toBeGreaterThan(0);
    const shipped = new Set(packed.files.map((f) => f.path));
    const broken: string[] = [];
    for (const target of targets) {
      if (target.startsWith('#')) continue; // within README
      const inRepository = target.startsWith(`${REPOSITORY}/`) ? /^\/(?:blob|tree)\/main\/([^#?]+)/.exec(target.slice(REPOSITORY.length)) : null;
      if (inRepository) {
        const path = decodeURI(inRepository[1] as string);
        if (!existsSync(join(ROOT, path))) broken.push(`${target} (no ${path} in this repository)`);
      } else if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) {
        const path = decodeURI(target.replace(/[#?].*$/, '').replace(/^\.\//, ''));
        if (!shipped.has(path)) broken.push(`${target} (relative, and not in the tarball: make it ${REPOSITORY}/blob/main/${path})`);
      }
    }
    expect(broken, `README.md links that break on the npm page or in node_modules:\n${broken.join('\n')}`).toEqual([]);
  });

  it('ships no source-map references (no maps are shipped) and stays small', () => {
    const dist = join(consumer, 'node_modules', pkg.name, 'dist');
    const withMaps = walk(dist).filter((f) => readFileSync(f, 'utf8').includes('sourceMappingURL'));
    expect(withMaps.map((f) => relative(dist, f))).toEqual([]);
    expect(packed.size).toBeLessThan(MAX_TARBALL_BYTES);
  });
});

describe('installed into a scratch project', () => {
  it(
    'survives a tree-shaking bundler: schema.create()/view() work when only the DSL is imported',
    async () => {
      // The package declares no side effects ("sideEffects": false): T.create()/T.view() are the
      // schema classes' own methods, imported by them, so a bundler that drops unused modules keeps them.
      const entry = `import { struct, u8, array } from 'sharedctypes';
const S = struct({ a: u8 });
const s = S.create({ a: 5 });
const xs = array(S, 2).view(new SharedArrayBuffer(2));
xs.get(1).a = 7;
console.log(s.a, xs.get(1).a);`;
      writeFileSync(join(consumer, 'bundle-entry.mjs'), entry);
      const { build } = await import('esbuild');
      await build({
        entryPoints: [join(consumer, 'bundle-entry.mjs')],
        bundle: true,
        format: 'esm',
        treeShaking: true,
        outfile: join(consumer, 'bundle.mjs'),
        logLevel: 'silent',
        absWorkingDir: consumer,
      });
      const r = await run(process.execPath, ['bundle.mjs'], consumer);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout.trim()).toBe('5 7');
    },
    TIMEOUT,
  );

  it(
    'works from an ESM consumer under node (or the runtime running the suite)',
    async () => {
      const script = `
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { struct, union, array, char, bits, u8, u16, u32, i64, f32, f64, sizeof, alignof, offsetof, view, create,
  toJSON, fromJSON, fingerprint, describe, toC, configure, SchemaError } from 'sharedctypes';

const Vec3 = struct({ x: f32, y: f32, z: f32 }, { name: 'Vec3' });
const Particle = struct({
  pos: Vec3,
  mass: f64,
  id: i64,
  name: char(6),
  tag: union({ word: u32, bytes: array(u8, 4) }),
  kind: bits(u16, 3),
  alive: bits(u16, 1),
}, { name: 'Particle' });
// Same as gcc: Vec3 @0 (12), mass @16, id @24, name @32 (6), tag @40 (4), bitfields @44; 48 bytes.
assert.equal(sizeof(Particle), 48);
assert.equal(alignof(Particle), 8);
assert.equal(offsetof(Particle, 'mass'), 16);
assert.equal(offsetof(Particle, 'tag'), 40);

const sab = new SharedArrayBuffer(sizeof(Particle) * 2);
const ps = array(Particle, 2).view(sab);
ps.get(1).set({ pos: { x: 1.5, y: -2, z: 3 }, mass: 2.25, id: -7n, name: 'abc', tag: { word: 0x04030201 }, kind: 5, alive: 1 });
const p = view(Particle, sab, sizeof(Particle));
assert.equal(p.pos.y, -2);
assert.equal(p.id, -7n);
assert.equal(p.name, 'abc'); // char(N) members read as strings
assert.deepEqual(p.tag.bytes.toArray(), [1, 2, 3, 4]);
assert.equal(new DataView(sab).getFloat64(48 + 16, true), 2.25);
p.mass += 1;
assert.equal(ps.get(1).toObject().mass, 3.25);
assert.equal(ps.get(0).toObject().mass, 0);

const v = create(Vec3, { x: 1, y: 2, z: 3 });
assert.deepEqual(v.toObject(), { x: 1, y: 2, z: 3 });
assert.equal(fingerprint(fromJSON(toJSON(Particle))), fingerprint(Particle));
assert.match(describe(Particle), /Particle/);
assert.match(toC(Particle), /_Static_assert/);
assert.throws(() => struct({ 'not an identifier': u8 }), SchemaError);

configure({ codegen: 'off' }); // the interpreted accessors, from the installed package too
const q = view(Particle, sab, sizeof(Particle));
assert.equal(q.mass, 3.25);
assert.equal(q.kind, 5);

const require = createRequire(import.meta.url);
assert.equal(require('sharedctypes/package.json').name, 'sharedctypes');
// The exports map keeps internals private: the file is there, and the import is refused (Node says
// so as a path the package does not export; Bun and Deno as a module they cannot find).
assert.ok(existsSync(new URL('./node_modules/sharedctypes/dist/sharedctypes.js', import.meta.url)));
const notExported = globalThis.Bun || globalThis.Deno ? 'ERR_MODULE_NOT_FOUND' : 'ERR_PACKAGE_PATH_NOT_EXPORTED';
await assert.rejects(import('sharedctypes/dist/sharedctypes.js'), { code: notExported });
if (!globalThis.Bun && !globalThis.Deno) assert.ok(import.meta.resolve('sharedctypes').endsWith('/node_modules/sharedctypes/dist/sharedctypes.js'));
console.log('consumer ok', sizeof(Particle));
`;
      writeFileSync(join(consumer, 'consumer.mjs'), script);
      const r = await run(process.execPath, ['consumer.mjs'], consumer);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout.trim()).toBe('consumer ok 48');
    },
    TIMEOUT,
  );

  it(
    'type-checks a TypeScript consumer (module nodenext, strict, declarations checked) with the repo tsc',
    async () => {
      const source = `
import { struct, array, char, bits, u8, u16, u64, f64, sizeof, view, create, type Infer, type Input, type ViewOf } from 'sharedctypes';

const Item = struct({ id: u64, price: f64, qty: bits(u16, 12), name: char(8), hist: array(u8, 4) });
type Item = Infer<typeof Item>;

const expected: { id: bigint; price: number; qty: number; name: string; hist: number[] } = {} as Item;
const back: Item = expected;
const init: Input<typeof Item> = { price: 1, name: 'x' };

const sab = new SharedArrayBuffer(sizeof(Item) * 4);
const Items = array(Item, 4);
const items: ViewOf<typeof Items> = Items.view(sab);
const first = items.get(0);
first.id = 1n;
first.price += 0.5;
const n: number = first.hist.get(2);
const s: string = first.name;
const one = view(Item, sab, sizeof(Item));
const obj: Item = one.toObject();
const fresh = create(Item, init);

// @ts-expect-error: u64 fields are bigint
first.id = 1;
// @ts-expect-error: no such field
first.weight = 3;
// @ts-expect-error: aggregate members are views, not assignable
first.hist = [1, 2, 3, 4];
// @ts-expect-error: char(8) holds a string
first.name = 8;

export { back, n, s, obj, fresh };
`;
      const tsconfig = {
        compilerOptions: {
          target: 'es2022',
          // The shipped declarations of src/sync use the global `Disposable` and `Symbol.dispose`
          // (explicit resource management), so consumers need this lib (TypeScript >= 5.2) or
          // @types/node, which declares both. Without it: TS2304 "Cannot find name 'Disposable'".
          lib: ['es2023', 'esnext.disposable'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          // A consumer with neither DOM nor @types/node, and the shipped .d.ts checked too.
          types: [],
          skipLibCheck: false,
          noEmit: true,
        },
        files: ['consumer.ts'],
      };
      writeFileSync(join(consumer, 'consumer.ts'), source);
      writeFileSync(join(consumer, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
      const r = await run(join(BIN, 'tsc'), ['-p', join(consumer, 'tsconfig.json')], consumer);
      expect(r.code, show(r)).toBe(0);
    },
    TIMEOUT,
  );
});

describe('the command line from the tarball', () => {
  it(
    '`npx sharedctypes from-c header.h > schemas.ts` runs the installed bin, and the schemas it writes type-check against the installed package',
    async () => {
      const header = `#include <stdint.h>
#define NAME_LEN 16
#pragma pack(push, 1)
typedef struct {
  uint8_t  kind;
  uint32_t id;
  char     name[NAME_LEN];
  unsigned flags : 3;
} record_t;
#pragma pack(pop)
`;
      writeFileSync(join(consumer, 'record.h'), header);
      const r = await run('npx', ['--offline', '--no-install', 'sharedctypes', 'from-c', 'record.h'], consumer);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toContain("from 'sharedctypes';");
      writeFileSync(join(consumer, 'record.ts'), r.stdout);
      writeFileSync(
        join(consumer, 'use-record.ts'),
        `import { record_t, NAME_LEN } from './record.js';
import { sizeof } from 'sharedctypes';
const r: record_t = record_t.create({ kind: 1, name: 'abc' }).toObject();
const id: number = r.id;
const name: string = r.name;
const len: 16 | number = NAME_LEN;
// @ts-expect-error: not a member
r.size;
export const size: number = sizeof(record_t) + id + name.length + len;
`,
      );
      const tsconfig = {
        compilerOptions: {
          target: 'es2022',
          lib: ['es2023', 'esnext.disposable'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          types: [],
          skipLibCheck: false,
          noEmit: true,
        },
        files: ['use-record.ts'],
      };
      writeFileSync(join(consumer, 'tsconfig.record.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
      const check = await run(join(BIN, 'tsc'), ['-p', join(consumer, 'tsconfig.record.json')], consumer);
      expect(check.code, show(check)).toBe(0);
      // and it runs: the generated module, loaded by node through the installed package
      writeFileSync(join(consumer, 'record.mjs'), (await import('esbuild')).transformSync(r.stdout, { loader: 'ts', format: 'esm' }).code);
      // (a file, not `node --input-type=module -e`: that command line is Node's own, and the suite runs on Bun and Deno too)
      writeFileSync(
        join(consumer, 'sizes.mjs'),
        "import { record_t } from './record.mjs'; import { sizeof } from 'sharedctypes'; console.log(sizeof(record_t));\n",
      );
      const sizes = await run(process.execPath, ['sizes.mjs'], consumer);
      expect(sizes.stdout.trim(), show(sizes)).toBe('22');
      const bad = await run('npx', ['--offline', '--no-install', 'sharedctypes', 'from-c', 'missing.h'], consumer);
      expect(bad.code).toBe(1);
    },
    TIMEOUT,
  );
});

describe('package linters', () => {
  it(
    'publint finds nothing (all levels, strict)',
    async () => {
      const bytes = readFileSync(tarball);
      const { messages, pkg: manifest } = await publint({
        pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer },
        level: 'suggestion',
        strict: true,
      });
      const text = messages.map((m) => `${m.type}: ${formatMessage(m, manifest) ?? m.code}`);
      expect(text, text.join('\n')).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'arethetypeswrong finds no problems for ESM consumers (profile esm-only)',
    async () => {
      // The package is ESM only by design ("type": "module", an "exports" map without a "require"
      // condition, node >= 20), so the `esm-only` profile is the right one: it ignores the two
      // CommonJS resolutions, node10 and node16-from-CJS. `node16` would still check
      // node16-from-CJS, where a require() of an ESM-only package is CJSResolvesToESM by
      // definition. We go further than the profile: the only problem allowed in the ignored
      // resolutions is that one (node10, TypeScript's legacy resolver, must be clean as well).
      // attw runs its own TypeScript 5.x (a dependency of @arethetypeswrong/core), not the
      // native 7.x tsc of this repo, which has no JS API.
      const r = await run(join(BIN, 'attw'), [tarball, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'json', '--no-color'], work);
      expect(r.code, show(r)).toBe(0);
      const result = JSON.parse(r.stdout) as { analysis: { problems?: { kind: string; entrypoint: string; resolutionKind?: string }[] } };
      const problems = (result.analysis.problems ?? []).map((p) => `${p.kind} ${p.entrypoint} ${p.resolutionKind ?? ''}`.trim());
      expect(problems).toEqual(problems.length === 0 ? [] : ['CJSResolvesToESM . node16-cjs']);
    },
    TIMEOUT,
  );
});
