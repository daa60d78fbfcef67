// Properties every layout has, for random schemas; and schemas as data (JSON round trip, fingerprint).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  array,
  attach,
  barrier,
  bits,
  boundedSemaphore,
  condition,
  event,
  fingerprint,
  fromJSON,
  layout,
  mutex,
  rmutex,
  rwlock,
  type Schema,
  semaphore,
  share,
  sizeof,
  struct,
  toJSON,
  u8,
  u32,
  type Layout,
  type RecordJSON,
  type SchemaJSON,
} from '../../src/index.js';
import { schema } from '../support/arbitraries.js';
import { collector } from '../support/collector.js';

/** An independent, fully expanded description of a layout: what a fingerprint must tell apart. */
function signature(l: Layout): string {
  switch (l.kind) {
    case 'primitive':
      return l.size > 1 ? `${l.name}/${l.endian}` : l.name;
    case 'char':
      return `char*${l.length}`;
    case 'sync':
      return `${l.sync}(${l.param})`;
    case 'array':
      return `(${signature(l.element)})*${l.length}`;
    case 'struct':
    case 'union':
      // the rules count as part of a layout (records of other rules differ, even where the bytes agree)
      return `${l.kind} ${l.rules} ${l.size}/${l.align} [${l.fields
        .map((f) => `${f.name} at ${f.offset}${f.bits === null ? '' : ` bits ${f.bits.bitOffset}..${f.bits.bitOffset + f.bits.width}`}: ${signature(f.layout)}`)
        .join(', ')}]`;
  }
}

function checkLaws(l: Layout): void {
  expect(l.size % l.align).toBe(0);
  expect(l.align & (l.align - 1)).toBe(0);
  if (l.kind === 'array') {
    expect(l.size).toBe(l.length * l.element.size);
    checkLaws(l.element);
  }
  if (l.kind !== 'struct' && l.kind !== 'union') return;
  const pack = l.schema.options.pack ?? Infinity;
  let end = 0;
  for (const f of l.fields) {
    if (f.bits !== null) {
      expect(f.bits.bitOffset + f.bits.width).toBeLessThanOrEqual(l.size * 8);
      if (l.kind === 'union') expect(f.bits.bitOffset).toBe(0);
      continue;
    }
    expect(f.offset + f.layout.size).toBeLessThanOrEqual(l.size);
    expect(f.offset % Math.min(f.layout.align, pack)).toBe(0);
    if (l.kind === 'union') expect(f.offset).toBe(0);
    else {
      expect(f.offset).toBeGreaterThanOrEqual(end); // ordinary members in order, disjoint
      end = f.offset + f.layout.size;
    }
    checkLaws(f.layout);
  }
  if (l.schema.options.align !== undefined) expect(l.align).toBeGreaterThanOrEqual(l.schema.options.align);
}

describe('layout laws', () => {
  it('sizes are multiples of alignments; members lie inside, aligned, in order and disjoint', () => {
    fc.assert(
      fc.property(schema, (s) => checkLaws(layout(s))),
      { numRuns: 400 },
    );
  });

  it('is memoised: the same schema gives the same layout object', () => {
    fc.assert(
      fc.property(schema, (s) => {
        expect(layout(s)).toBe(layout(s));
      }),
    );
  });

  // A job handler that declares its schema per job builds the same literal each time; the engine
  // drops the literal's object shape when no object of it survives a collection, and with it any
  // optimised code that inlined struct() (measured: the code of jobs 3-4 of bench/real-use.mjs
  // thrown away, 3-5x slower). The first schema of a structure keeps its objects, so the shape lives.
  it('keeps the objects the first schema of a structure was written as, and only those', async () => {
    const gc = collector();
    const key = `anchor_${process.pid}_${Date.now()}`; // a structure no other test built
    const refs = (() => {
      const first = { fields: { [key]: u8 }, options: { name: 'Anchor' } };
      const later = { fields: { [key]: u8 }, options: { name: 'Anchor' } };
      const a = struct(first.fields, first.options);
      const b = struct(later.fields, later.options);
      const canonical = layout(a);
      expect(layout(b)).toBe(canonical);
      return [first.fields, first.options, later.fields, later.options].map((o) => new WeakRef(o));
    })();
    // WeakRefs hold their targets until the job ends. Bun's collector scans the stack
    // conservatively: a stale slot may keep the later objects through one collection (seen once in
    // a full CI run on Bun, 2026-12-02), so it gets a few turns; V8 collects them at the first.
    for (let turn = 0; turn < 5; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
      if (refs[2]?.deref() === undefined && refs[3]?.deref() === undefined) break;
    }
    expect(refs.map((r) => r.deref() !== undefined)).toEqual([true, true, false, false]);
  });
});

describe('schemas as data', () => {
  it('fromJSON(toJSON(T)) has the same descriptor, layout and fingerprint', () => {
    fc.assert(
      fc.property(schema, (s) => {
        const json = JSON.parse(JSON.stringify(toJSON(s)));
        const back = fromJSON(json);
        expect(toJSON(back)).toEqual(json);
        expect(sizeof(back)).toBe(sizeof(s));
        expect(fingerprint(back)).toBe(fingerprint(s));
      }),
      { numRuns: 300 },
    );
  });

  // Synchronization members, every kind and every parameter (a semaphore of 0 included: toJSON once
  // left its value out, which fromJSON reads as the default, 1), inside records with data around them.
  const syncMember: fc.Arbitrary<Schema> = fc.oneof(
    fc.constantFrom<Schema>(mutex(), rmutex(), rwlock(), event(), condition()),
    fc.integer({ min: 0, max: 5 }).map((n) => semaphore(n)),
    fc.integer({ min: 0, max: 5 }).map((n) => boundedSemaphore(n)),
    fc.integer({ min: 1, max: 5 }).map((n) => barrier(n)),
  );
  const withSync = fc
    .array(fc.oneof(syncMember, fc.constantFrom<Schema>(u8, u32, array(u32, 2))), { minLength: 1, maxLength: 6 })
    .map((members) => struct(Object.fromEntries(members.map((m, i) => [`f${i}`, m]))));

  it('fromJSON(toJSON(T)) has the same descriptor and fingerprint with synchronization members', () => {
    fc.assert(
      fc.property(withSync, (s) => {
        const json = JSON.parse(JSON.stringify(toJSON(s)));
        const back = fromJSON(json);
        expect(toJSON(back)).toEqual(json);
        expect(fingerprint(back)).toBe(fingerprint(s));
      }),
      { numRuns: 200 },
    );
  });

  it('a view of a struct with semaphore(0) attaches from its handle alone, and a value on a member that takes none is refused', () => {
    const S = struct({ items: semaphore(0), room: boundedSemaphore(0), n: u32 });
    const v = S.create({ n: 3 });
    const back = attach(share(v)) as unknown as { n: number; items: { value: number } };
    expect(back.n).toBe(3);
    expect(() =>
      fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', fields: [{ name: 'm', type: { kind: 'sync', type: 'mutex', value: 2 } }] } }),
    ).toThrow(/root\.fields\[0\]\.type\.value: is given for a mutex; only semaphores and barriers take a value/);
    // A descriptor written by hand without a semaphore's value gets the constructor's default.
    expect(fingerprint(fromJSON({ format: 'sharedctypes/1', root: { kind: 'sync', type: 'semaphore' } }))).toBe(fingerprint(semaphore(1)));
  });

  it('fingerprints are equal exactly when the layouts are (offsets, bit positions, widths, byte order, names, kinds)', () => {
    // Variants of a random record that move bytes or bits, or change a name or a kind, compared
    // with an independent, fully expanded signature of each layout.
    const variants = (doc: SchemaJSON, pick: number): SchemaJSON[] => {
      const root = doc.root as RecordJSON;
      const fields = root.fields;
      const k = pick % fields.length;
      const withRoot = (r: Partial<RecordJSON>): SchemaJSON => ({ ...doc, root: { ...root, ...r } as RecordJSON });
      const withField = (f: (x: RecordJSON['fields'][number]) => RecordJSON['fields'][number] | null, insert?: RecordJSON['fields'][number]): SchemaJSON => {
        const next = fields.flatMap((x, i) => (i === k ? [...(insert ? [insert] : []), ...[f(x)].filter((y) => y !== null)] : [x]));
        return withRoot({ fields: next as RecordJSON['fields'] });
      };
      const target = fields[k];
      return [
        withRoot({ pack: 1 }),
        withRoot({ pack: 2 }),
        withRoot({ align: 64 }),
        withRoot({ endian: root.endian === 'big' ? 'little' : 'big' }),
        withRoot({ layout: root.layout === 'msvc' ? 'aarch64' : 'msvc' }),
        withRoot({ kind: root.kind === 'struct' ? 'union' : 'struct' }),
        withField((x) => x, { type: 'u8', bits: 3 }), // unnamed padding bits before member k
        withField((x) => x, { type: 'u16', bits: 0 }),
        withField((x) => (x.name === undefined ? x : { ...x, name: `${x.name}_` })),
        withField((x) => (x.bits === undefined ? { ...x, align: 16 } : x)),
        withField((x) => (x.bits !== undefined && x.bits > 1 ? { ...x, bits: x.bits - 1 } : x)),
        ...(target?.name === undefined ? [] : [withField(() => null)]),
      ];
    };
    let compared = 0;
    let differed = 0;
    fc.assert(
      fc.property(
        schema.filter((s) => s.kind === 'struct' || s.kind === 'union'),
        fc.nat(),
        (s, pick) => {
          const doc = JSON.parse(JSON.stringify(toJSON(s))) as SchemaJSON;
          for (const v of variants(doc, pick)) {
            let other: Layout;
            try {
              other = layout(fromJSON(v));
            } catch {
              continue; // not a valid schema (e.g. a member over a lock under pack)
            }
            const same = signature(layout(s)) === signature(other);
            expect(fingerprint(other.schema) === fingerprint(s), `${JSON.stringify(doc)}\n→ ${JSON.stringify(v)}`).toBe(same);
            compared++;
            if (!same) differed++;
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(differed).toBeGreaterThan(compared / 2);
  });

  it('the documented collision: bitfields that pack moves collide no more', () => {
    const a = struct({ a: bits(u8, 7), b: bits(u8, 2) });
    const b = struct({ a: bits(u8, 7), b: bits(u8, 2) }, { pack: 1 });
    expect(sizeof(a)).toBe(sizeof(b));
    expect(fingerprint(a)).not.toBe(fingerprint(b));
  });

  it('fingerprints of any two random types are equal exactly when their expanded layouts are', () => {
    fc.assert(
      fc.property(schema, schema, (a, b) => {
        expect(fingerprint(a) === fingerprint(b)).toBe(signature(layout(a)) === signature(layout(b)));
      }),
      { numRuns: 2000 },
    );
    for (let n = 1; n <= 4; n++) expect(fingerprint(array(u8, n))).not.toBe(fingerprint(array(u8, n + 1)));
  });

  it('fingerprint is a stable format', () => {
    expect(fingerprint('i')).toMatch(/^sct2:[0-9a-f]{16}$/);
  });
});
