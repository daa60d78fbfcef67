// python/sharedctypes.py computes JavaScript's layout fingerprint from the ctypes classes Python
// builds (every size, offset, bit position and byte order as ctypes gives them; names, kinds and
// rules from the descriptor). Differential tests, on every CPython ≥ 3.11 found: on the committed
// compiler fixtures of every target and on fresh random schemas (sync members, f16, names ctypes
// reserves, anonymous members included), Python's fingerprint equals JavaScript's exactly where
// toCtypes' own checks (asserts on every size and offset, a store-and-read check of every bitfield)
// pass. Where it differs, check_layout names the first member ctypes places elsewhere than the
// compiler's rules; where ctypes follows them everywhere, a forged fingerprint is blamed on the
// descriptor, naming no field. The rules Python places members by for that diagnosis are thus
// checked both ways: they never blame a class that agrees, and always find one that does not.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anonymous,
  array,
  barrier,
  bits,
  bool,
  boundedSemaphore,
  char,
  condition,
  event,
  f16,
  f32,
  f64,
  fingerprint,
  fromJSON,
  i8,
  i16,
  i32,
  i64,
  layout,
  mutex,
  rmutex,
  rwlock,
  type Schema,
  semaphore,
  struct,
  toCtypes,
  toJSON,
  u8,
  u16,
  u32,
  u64,
  union,
} from '../../src/index.js';
import { fingerprintOfLayout, hash64 } from '../../src/layout/fingerprint.js';
import { schemaFor } from '../support/arbitraries.js';
import { python3 } from '../setup/requirements.js';
import { type Python, pythons } from './emit-tools.js';

const RUNNER = fileURLToPath(new URL('./python-fingerprint.py', import.meta.url));
const need = python3();
const dir = mkdtempSync(join(tmpdir(), 'sct-pyfp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  readonly name: string;
  readonly descriptor: unknown;
  readonly fp: string;
  readonly src: string;
  readonly root?: string;
  readonly endian?: 'little' | 'big';
  readonly derive?: boolean;
}
type Outcome = { ok: string } | { error: string; field?: string | null; message: string };
interface Result {
  readonly checks: string;
  readonly built: boolean;
  readonly fingerprint?: Outcome;
  readonly against?: Outcome;
  readonly forged?: Outcome;
}

let runs = 0;
type Outcomes = { cases: Record<string, Result>; hashes: string[] };
/** Writes the cases (and strings to hash64) for python-fingerprint.py; returns the file and its command line. */
function job(cases: readonly Case[], hash: readonly string[]): string {
  const file = join(dir, `cases-${++runs}.json`);
  writeFileSync(file, JSON.stringify({ cases, hash }));
  return file;
}
/** Runs python-fingerprint.py under `py` on the cases (and hash64 of the strings). */
function run(py: Python, cases: readonly Case[], hash: readonly string[] = []): Outcomes {
  return JSON.parse(execFileSync(py.exe, [RUNNER, job(cases, hash)], { encoding: 'utf8', maxBuffer: 256 << 20 }));
}
/** The same, in the background: the large corpora of every interpreter run at once, beside the other tests. */
async function runInBackground(py: Python, cases: readonly Case[]): Promise<Outcomes> {
  const { stdout } = await promisify(execFile)(py.exe, [RUNNER, job(cases, [])], { encoding: 'utf8', maxBuffer: 256 << 20 });
  return JSON.parse(stdout);
}

/** The case of a schema: its descriptor, JavaScript's fingerprint and toCtypes' classes. */
function caseOf(name: string, s: Schema): Case {
  return { name, descriptor: toJSON(s), fp: fingerprint(s), src: toCtypes(s) };
}

interface Tally {
  equal: number;
  differ: number;
  notBuilt: number;
  /** Equal, though toCtypes' assert on an anonymous member's own size or alignment fails. */
  anonymousOnly: number;
}

/**
 * The law, case by case: Python's fingerprint equals JavaScript's exactly where toCtypes' checks
 * pass (but for an anonymous member's own size or alignment, which no byte depends on); check_layout
 * then accepts the class, and blames a forged fingerprint on the descriptor (no field); where they
 * differ, check_layout names a field both times.
 */
function law(cases: readonly Case[], results: Record<string, Result>): Tally {
  const tally: Tally = { equal: 0, differ: 0, notBuilt: 0, anonymousOnly: 0 };
  for (const c of cases) {
    const r = results[c.name] as Result;
    const what = `${c.name}: toCtypes' checks say ${r.checks.slice(0, 300)}`;
    if (!r.built) {
      // ctypes refuses the class itself (3.11 and 3.12: a union in a big-endian struct)
      expect(r.checks, what).toMatch(/^TypeError: This type does not support other endian/);
      tally.notBuilt++;
      continue;
    }
    const fp = r.fingerprint as Outcome;
    if ('ok' in fp && fp.ok === c.fp) {
      if (r.checks !== 'ok') {
        // Only an anonymous member's class may fail its own size or alignment (Python 3.11 and 3.12
        // have no _align_): its parent's placement, which agrees, is all that counts of it.
        const cls = /\[line: assert ctypes\.(?:sizeof|alignment)\((\w+)\) == \d+\]$/.exec(r.checks)?.[1];
        expect(cls, what).toBeDefined();
        expect(c.src, what).toContain(`, ${cls}),  # anonymous in C`);
        tally.anonymousOnly++;
      }
      expect(r.against, what).toEqual({ ok: expect.any(String) });
      expect(r.forged, what).toMatchObject({ error: 'LayoutMismatchError', field: null });
      expect((r.forged as { message: string }).message).toContain('the descriptor does not match the fingerprint');
      tally.equal++;
      continue;
    }
    expect(r.checks, `${c.name}: Python's fingerprint differs (${JSON.stringify(fp).slice(0, 300)}), so toCtypes' checks must fail`).not.toBe('ok');
    if ('error' in fp) expect(fp, what).toMatchObject({ error: 'LayoutMismatchError', field: expect.any(String) }); // a bitfield ctypes reads and writes as no C bitfield
    for (const o of [r.against, r.forged])
      expect(o, `${what}\n${JSON.stringify(o)}`).toMatchObject({ error: 'LayoutMismatchError', field: expect.stringMatching(/^root/) });
    tally.differ++;
  }
  return tally;
}

const FIXTURES = ['gcc', 'msvc', 'aarch64', 'wasm32', 'aarch64be'] as const;
const fixtureCases: Case[] = FIXTURES.flatMap((file) =>
  (JSON.parse(readFileSync(new URL(`../fixtures/${file}-layouts.json`, import.meta.url), 'utf8')) as { cases: { name: string; schema: unknown }[] }).cases.map(
    (c) => caseOf(`${file}/${c.name}`, fromJSON(c.schema)),
  ),
);

const names = ['a', 'b', 'n', '_fields_', 'mro', 'from_buffer', '_pack_', 'in_dll', '_type_', 'a_'];
const syncMember = fc.oneof(
  fc.constantFrom(mutex(), rmutex(), event(), rwlock(), condition(), semaphore(0), semaphore(1), boundedSemaphore(0)),
  fc.integer({ min: 0, max: 9 }).map((n) => semaphore(n)),
  fc.integer({ min: 1, max: 5 }).map((n) => barrier(n)),
);
const plain = fc.oneof(
  fc.constantFrom<Schema>(bool, i8, u8, i16, u16, i32, u32, i64, u64, f16, f32, f64),
  fc.integer({ min: 1, max: 5 }).map((n) => char(n)),
);
const member = fc.oneof(
  { weight: 3, arbitrary: plain },
  { weight: 2, arbitrary: syncMember },
  { weight: 1, arbitrary: fc.tuple(fc.oneof(plain, syncMember), fc.integer({ min: 1, max: 3 })).map(([t, n]) => array(t, n)) },
);
/** Structs with synchronization members, f16, names ctypes reserves, anonymous unions and conditions over a lock member. */
const withSync: fc.Arbitrary<Schema> = fc
  .record({
    fields: fc.uniqueArray(fc.tuple(fc.constantFrom(...names), member), { minLength: 1, maxLength: 6, selector: ([n]) => n }),
    anon: fc.option(fc.uniqueArray(fc.tuple(fc.constantFrom('u1', 'u2', '_length_', 'mro_'), plain), { minLength: 1, maxLength: 3, selector: ([n]) => n })),
    guarded: fc.boolean(),
    pack: fc.constantFrom(undefined, 4, 8, 16),
    nested: fc.boolean(),
  })
  .map(({ fields, anon, guarded, pack, nested }) => {
    const spec: Record<string, unknown> = Object.fromEntries(fields);
    if (guarded) Object.assign(spec, { lk: rmutex(), cv: condition('lk') });
    if (anon !== null) spec['_anon'] = anonymous(union(Object.fromEntries(anon)));
    const s = struct(spec as never, pack === undefined ? {} : { pack });
    return nested ? struct({ head: u8, body: s, tail: array(s, 2) }) : s;
  });

const seed = Number(process.env['SCT_PYFP_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const randomCases: Case[] = [
  ...fc.sample(withSync, { seed, numRuns: 120 }).map((s, i) => caseOf(`sync/${i}`, s)),
  ...(['x86_64-linux-gnu', 'aarch64-linux-gnu', 'wasm32', 'x86_64-windows-msvc'] as const).flatMap((t, k) =>
    fc.sample(schemaFor(t), { seed: seed + k + 1, numRuns: 60 }).map((s, i) => caseOf(`random-${t}/${i}`, s)),
  ),
];

/** Each interpreter's outcomes on the fixture and random corpora (about 2 s of Python each), started once, all at once. */
const corpora = new Map<string, Promise<Outcomes>>();
function corpusRun(py: Python): Promise<Outcomes> {
  let outcomes = corpora.get(py.exe);
  if (outcomes === undefined) {
    outcomes = runInBackground(py, [...fixtureCases, ...randomCases]);
    outcomes.catch(() => undefined); // (awaited by the tests, which report it)
    corpora.set(py.exe, outcomes);
  }
  return outcomes;
}

describe.skipIf(need.skip)(`${need.note}Python's fingerprint of the layout ctypes builds`, () => {
  beforeAll(() => {
    for (const py of pythons()) void corpusRun(py);
  });

  it('finds a Python 3.11 or later', () => {
    need.check();
    expect(pythons().length).toBeGreaterThan(0);
  });

  for (const py of pythons()) {
    const minor = Number(py.version.split('.')[1]);
    describe(`Python ${py.version}`, () => {
      it('hash64 equals JavaScript’s on any text (UTF-16 code units, lengths past 2^16 included)', () => {
        const texts = [
          '',
          'a',
          'struct(8,4){x@0=sct2:0011223344556677}',
          'é€😀\u0000\uffff',
          'x'.repeat(70_000),
          ...fc.sample(fc.string({ unit: 'binary', maxLength: 64 }), { seed, numRuns: 150 }),
          ...fc.sample(fc.string({ maxLength: 40 }), { seed: seed + 9, numRuns: 50 }),
        ];
        expect(run(py, [], texts).hashes).toEqual(texts.map(hash64));
      });

      it(`equals JavaScript’s exactly where toCtypes’ checks pass, on the ${fixtureCases.length} fixture schemas of every target`, async () => {
        const tally = law(fixtureCases, (await corpusRun(py)).cases);
        expect(tally.equal).toBeGreaterThan(minor < 13 ? 1000 : 1200);
        expect(tally.differ, 'ctypes before 3.14 places many bitfields elsewhere than gcc').toBeGreaterThan(minor < 14 ? 500 : 0);
      });

      it(`the same on ${randomCases.length} random schemas: sync members, f16, reserved names, anonymous members, every target (seed ${seed}; replay with SCT_PYFP_SEED)`, async () => {
        const results = (await corpusRun(py)).cases;
        const tally = law(randomCases, results);
        expect(tally.equal).toBeGreaterThan(100);
        const sync = randomCases.filter((c) => c.name.startsWith('sync/'));
        // Without bitfields, big-endian unions or align, ctypes builds what gcc does: every one agrees.
        for (const c of sync) expect(results[c.name]?.fingerprint, c.name).toEqual({ ok: c.fp });
      });

      it('a root in an inherited big-endian order, and primitives, char[n] and arrays without a class (derived from the descriptor)', () => {
        const cases: Case[] = [i32, f64, u8, char(3), array(array(i16, 2), 3), f16].flatMap((t, i) =>
          (['little', 'big'] as const).map((endian) => ({
            name: `derived-${i}-${endian}`,
            descriptor: toJSON(t),
            fp: fingerprintOfLayout(layout(t, endian)),
            src: '',
            root: 'none',
            endian,
            derive: true,
          })),
        );
        const results = run(py, cases).cases;
        for (const c of cases) expect(results[c.name]?.fingerprint, c.name).toEqual({ ok: c.fp });
      });

      // ctypes 3.11 … 3.13 lay `struct { uint8_t c; uint32_t b : 24; }` out MSVC-like: b at bit 32, not gcc's 8.
      it(`${minor < 14 ? 'refuses' : 'accepts'} the class of a struct whose bitfield ctypes ${minor < 14 ? 'places elsewhere than gcc, naming the field' : 'places as gcc does'}`, () => {
        const Packet = struct({ c: u8, b: bits(u32, 24) }, { name: 'Packet' });
        const r = run(py, [caseOf('packet', Packet)]).cases['packet'] as Result;
        if (minor >= 14) expect(r.against).toEqual({ ok: 'Packet' });
        else {
          expect(r.checks).toMatch(/^AssertionError/);
          expect(r.against).toMatchObject({ error: 'LayoutMismatchError', field: 'root.b' });
          expect((r.against as { message: string }).message).toContain('root.b (in Packet): ctypes places it at bit 32, the C compiler at bit 8');
        }
      });

      it('refuses a bool bitfield declared c_bool (ctypes 3.11 … 3.13 reads and writes its whole byte), naming it', () => {
        const Flags = struct({ a: bits(u8, 3), f: bits(bool, 1), b: bits(u8, 4) }, { name: 'Flags' });
        const src = toCtypes(Flags).replace("('f', ctypes.c_uint8, 1)", "('f', ctypes.c_bool, 1)");
        const r = run(py, [{ ...caseOf('cbool', Flags), src }]).cases['cbool'] as Result;
        expect(run(py, [caseOf('emitted', Flags)]).cases['emitted']?.against).toEqual({ ok: 'Flags' });
        if (minor < 14) {
          expect(r.fingerprint).toMatchObject({ error: 'LayoutMismatchError', field: 'root.f' });
          expect((r.fingerprint as { message: string }).message).toMatch(/ctypes (reads|stores|.*changes)/);
        }
      });

      it('a class that is not the descriptor’s type is a TypeError naming the member; a malformed descriptor a ValueError naming the place', () => {
        const T = struct({ id: u32, x: f64, tag: char(4), lock: mutex(), f: bits(u16, 3), pts: array(f32, 3) }, { name: 'T' });
        const base = caseOf('base', T);
        const edit = (name: string, from: string, to: string): Case => {
          expect(base.src).toContain(from);
          return { ...base, name, src: base.src.replace(from, to) };
        };
        type Doc = { types: { T: { fields: { type: unknown }[] } }; root: unknown };
        const forge = (name: string, f: (d: Doc, fields: { type: unknown }[]) => unknown): Case => {
          const d = structuredClone(base.descriptor) as Doc;
          return { ...base, name, descriptor: f(d, d.types.T.fields) };
        };
        /** `d` with member `i` of T given `type`. */
        const set = (d: Doc, fields: { type: unknown }[], i: number, type: unknown): Doc => {
          (fields[i] as { type: unknown }).type = type;
          return d;
        };
        const cases = [
          base,
          edit('renamed', "('x', ctypes.c_double)", "('y', ctypes.c_double)"),
          edit('kind', "('x', ctypes.c_double)", "('x', ctypes.c_int64)"),
          edit('char', "('tag', (ctypes.c_char * 4))", "('tag', (ctypes.c_uint8 * 4))"),
          edit('length', "('pts', (ctypes.c_float * 3))", "('pts', (ctypes.c_float * 2))"),
          edit('sync', "('lock', (ctypes.c_int32 * 1))", "('lock', ctypes.c_float)"),
          edit('width', "('f', ctypes.c_uint16, 3)", "('f', ctypes.c_uint16, 4)"),
          edit('union', 'class T(ctypes.Structure)', 'class T(ctypes.Union)'),
          forge('format', (d) => ({ ...d, format: 'other/1' })),
          forge('forward-ref', (d) => ({
            ...d,
            types: { A: { kind: 'struct', fields: [{ name: 'a', type: { ref: 'B' } }] }, B: d.types.T },
            root: { ref: 'A' },
          })),
          forge('self-ref', (d) => ({ ...d, types: { A: { kind: 'struct', fields: [{ name: 'a', type: { ref: 'A' } }] } }, root: { ref: 'A' } })),
          forge('kind-unknown', (d, fields) => set(d, fields, 0, { kind: 'pointer' })),
          forge('length-0', (d, fields) => set(d, fields, 5, { kind: 'array', of: 'f32', length: 0 })),
          forge('too-deep', (d, fields) => {
            let t: unknown = 'f32';
            for (let k = 0; k < 200; k++) t = { kind: 'array', of: t, length: 1 };
            return set(d, fields, 5, t);
          }),
          forge('too-many-fields', (d) => ({
            ...d,
            types: {},
            root: { kind: 'struct', fields: Array.from({ length: 65_536 }, (_, k) => ({ name: `f${k}`, type: 'u8' })) },
          })),
          forge('sync-kind', (d, fields) => set(d, fields, 3, { kind: 'sync', type: 'spinlock' })),
        ];
        const results = run(py, cases).cases;
        const kinds = Object.fromEntries(cases.map((c) => [c.name, results[c.name]?.fingerprint]));
        expect(kinds['base']).toEqual({ ok: base.fp });
        const typeErrors: Record<string, string> = {
          renamed: "root.x: is a field of the shared layout, but T has no field 'x'",
          kind: 'root.x: is f64 in the shared layout, but the ctypes type is c_long',
          char: 'root.tag: is char[4] in the shared layout, but the ctypes type is c_ubyte_Array_4 (use ctypes.c_char * 4)',
          length: 'root.pts: is an array of 3 in the shared layout, but the ctypes type has 2',
          sync: 'root.lock: is a mutex (1 int32 word) in the shared layout, but the ctypes type is c_float (use ctypes.c_int32 * 1)',
          width: 'root.f: is u16 : 3 in the shared layout, but T.f is a bitfield of 4 bits',
          union: 'root: is a struct in the shared layout, but the ctypes type is T',
        };
        for (const [name, message] of Object.entries(typeErrors))
          expect(kinds[name], name).toEqual({ error: 'TypeError', message: `sharedctypes.fingerprint: ${message}` });
        const valueErrors: Record<string, string> = {
          format: "format is 'other/1', expected 'sharedctypes/1'",
          'forward-ref': "types.A.fields[0].type refers to 'B', which is not a type declared before it",
          'self-ref': "types.A.fields[0].type refers to 'A', which is not a type declared before it",
          'kind-unknown': "types.T.fields[0].type has kind 'pointer'",
          'length-0': 'types.T.fields[5].type.length is 0, not a whole number from 1 to 2147483647',
          'too-deep': 'types.T.fields[5].type.of.of',
          'too-many-fields': 'root.fields is not a list of 1 to 65535 fields',
          'sync-kind': "types.T.fields[3].type.type is 'spinlock', not a synchronization member",
        };
        for (const [name, message] of Object.entries(valueErrors)) {
          expect(kinds[name], name).toMatchObject({ error: 'ValueError' });
          expect((kinds[name] as { message: string }).message, name).toContain(message);
        }
      });
    });
  }
});
