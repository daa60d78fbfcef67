// A schema declared again (struct() or union() with the same field names, the same schema objects
// in the same order and the same options as the last declaration of that kind and name) is made
// from the last one's validated fields, options and layout (src/types/record.ts, `declared`): a
// job handler that declares its schema per job. Every other declaration takes the whole path, so
// what it gets must be what a first declaration gets: the laws below compare each record with one
// declared under a name no other declaration used.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { declarationsKept } from '../../src/types/record.js';
import { aligned, array, bits, bool, char, errorCode, f32, f64, i16, layout, type Schema, sizeof, struct, u8, u16, u32, union } from '../../src/index.js';
import { thrown } from '../support/errors.js';

type Rec = ReturnType<typeof struct>;
type Fields = Parameters<typeof struct>[0];
type Options = NonNullable<Parameters<typeof struct>[1]>;
const MEMBER_TYPES: readonly Schema[] = [f64, f32, u32, u16, i16, u8, bool, char(3), array(u16, 3)];
let unique = 0;

/** What a record's layout says of it, without its name: sizes and every member's offset and type. */
function shape(r: Rec): string {
  const l = layout(r);
  if (l.kind !== 'struct' && l.kind !== 'union') throw new Error('not a record');
  return `${l.kind} ${l.size}/${l.align} ${l.fields.map((f) => `${f.name}@${f.offset}:${f.layout.kind}/${f.layout.size}`).join(',')}`;
}

/** The same declaration under a name no other declaration used: the whole path, as a first declaration. */
function fresh(kind: 'struct' | 'union', fields: Fields, options: Options): Rec {
  const make = kind === 'struct' ? struct : union;
  return make(fields, { ...options, name: `Fresh${unique++}` }) as Rec;
}

const declaration = fc.record({
  kind: fc.constantFrom<'struct' | 'union'>('struct', 'union'),
  members: fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.nat(MEMBER_TYPES.length - 1)), {
    minLength: 1,
    maxLength: 5,
    selector: ([name]) => name,
  }),
  pack: fc.constantFrom(undefined, 1, 2, 4),
});

describe('a schema declared again', () => {
  it('gets the fields, options and layout of the last declaration, as a record of its own', () => {
    const make = () => struct({ x: f64, y: f64, vx: f32, id: u32, alive: u8 }, { name: 'Again', pack: 4 });
    const first = make();
    const again = make();
    expect(again).not.toBe(first);
    expect(again.fields).toEqual(first.fields);
    expect(again.options).toEqual({ name: 'Again', pack: 4 });
    expect(Object.isFrozen(again) && Object.isFrozen(again.fields) && Object.isFrozen(again.options)).toBe(true);
    expect(layout(again)).toBe(layout(first));
    expect(sizeof(again)).toBe(28); // 25 bytes of members, aligned to pack 4
    const v = again.create({ x: 1.5, id: 7 });
    expect([v.x, v.id, first.view(v.$buffer).x]).toEqual([1.5, 7, 1.5]);
  });

  it('of random declarations, one after another under one name: each gets what a first declaration gets', () => {
    fc.assert(
      fc.property(fc.array(declaration, { minLength: 2, maxLength: 6 }), (decls) => {
        for (const d of decls) {
          const fields = Object.fromEntries(d.members.map(([name, t]) => [name, MEMBER_TYPES[t] as Schema]));
          const options = d.pack === undefined ? { name: 'Random' } : { name: 'Random', pack: d.pack };
          const r = (d.kind === 'struct' ? struct : union)(fields, options) as Rec;
          expect(r.kind).toBe(d.kind);
          expect(r.fields.map((f) => [f.name, f.type])).toEqual(Object.entries(fields));
          expect(r.options).toEqual(options);
          expect(shape(r)).toBe(shape(fresh(d.kind, fields, d.pack === undefined ? {} : { pack: d.pack })));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('with one thing changed is not the last declaration: a type, a name, the order, a member more or fewer, an option', () => {
    const base = { a: f64, b: u8, c: u32 };
    const last = () => struct(base, { name: 'Changed' });
    last();
    for (const [fields, options, want] of [
      [{ a: f64, b: u16, c: u32 }, {}, 'struct 16/8 a@0:primitive/8,b@8:primitive/2,c@12:primitive/4'],
      [{ a: f64, z: u8, c: u32 }, {}, 'struct 16/8 a@0:primitive/8,z@8:primitive/1,c@12:primitive/4'],
      [{ b: u8, a: f64, c: u32 }, {}, 'struct 24/8 b@0:primitive/1,a@8:primitive/8,c@16:primitive/4'],
      [{ a: f64, b: u8, c: u32, d: u8 }, {}, 'struct 24/8 a@0:primitive/8,b@8:primitive/1,c@12:primitive/4,d@16:primitive/1'],
      [{ a: f64, b: u8 }, {}, 'struct 16/8 a@0:primitive/8,b@8:primitive/1'],
      [base, { pack: 1 }, 'struct 13/1 a@0:primitive/8,b@8:primitive/1,c@9:primitive/4'],
      [base, { endian: 'big' }, 'struct 16/8 a@0:primitive/8,b@8:primitive/1,c@12:primitive/4'],
    ] as const) {
      last();
      const r = struct(fields, { name: 'Changed', ...options });
      expect(r.fields.map((f) => f.name)).toEqual(Object.keys(fields));
      expect(r.options).toEqual({ name: 'Changed', ...options });
      expect(shape(r)).toBe(want);
      const l = layout(r);
      const a = l.kind === 'struct' ? l.fields[0]?.layout : undefined;
      expect(a?.kind === 'primitive' ? a.endian : null).toBe('endian' in options ? 'big' : 'little');
    }
  });

  it('with the same options set to other values is not the last declaration', () => {
    const fields = { a: u8, b: f64 };
    expect(sizeof(struct(fields, { name: 'Values', pack: 4 }))).toBe(12);
    expect(sizeof(struct(fields, { name: 'Values', pack: 1 }))).toBe(9);
    expect(sizeof(struct(fields, { name: 'Values', pack: 4 }))).toBe(12);
    const little = struct(fields, { name: 'Values', endian: 'little' });
    const big = struct(fields, { name: 'Values', endian: 'big' });
    expect(big.options.endian).toBe('big');
    expect(layout(big)).not.toBe(layout(little));
    expect(errorCode(thrown(() => struct(fields, { name: 'Values', endian: 'middle' as 'big' })))).toBe('invalid_option');
  });

  it('refuses what a first declaration refuses: a bad option value after a good one, a field that is no type', () => {
    struct({ a: f64, b: u8 }, { name: 'Refused' });
    expect(errorCode(thrown(() => struct({ a: f64, b: u8 }, { name: 'Refused', pack: 3 as 1 })))).toBe('invalid_option');
    expect(errorCode(thrown(() => struct({ a: f64, b: u8 }, { name: 'Refused', colour: 'red' } as { name: string })))).toBe('invalid_option');
    expect(errorCode(thrown(() => struct({ a: f64, b: 'nope' as unknown as Schema }, { name: 'Refused' })))).toBe('invalid_type');
    expect(struct({ a: f64, b: u8 }, { name: 'Refused' }).fields.map((f) => f.type)).toEqual([f64, u8]);
  });

  it('with fields read through a getter gets what the getter answered when it was validated', () => {
    // A getter that answers f64, then u8, then f64…: no record may be made of types its own
    // declaration did not validate, and no later declaration of plain fields may get them.
    let reads = 0;
    const shifty = Object.defineProperty({}, 'x', { enumerable: true, get: () => (reads++ % 2 === 0 ? f64 : u8) });
    for (let i = 0; i < 4; i++) {
      const r = struct(shifty as { x: Schema }, { name: 'Shifty' });
      expect([f64, u8]).toContain(r.fields[0]?.type);
      expect(sizeof(r)).toBe(r.fields[0]?.type === f64 ? 8 : 1);
    }
    expect(struct({ x: f64 }, { name: 'Shifty' }).fields[0]?.type).toBe(f64);
    expect(struct({ x: u8 }, { name: 'Shifty' }).fields[0]?.type).toBe(u8);
    expect(sizeof(struct({ x: u8 }, { name: 'Shifty' }))).toBe(1);
  });

  it('bitfields and aligned members take the whole path each time, and get the same layout', () => {
    const make = () => struct({ flags: bits(u8, 3), more: bits(u8, 5), wide: aligned(u32, 16) }, { name: 'Bits' });
    const a = make();
    const b = make();
    expect(layout(b)).toBe(layout(a));
    expect(sizeof(b)).toBe(32);
  });

  it('keeps at most 64 declarations, however many names a program declares', () => {
    for (let i = 0; i < 500; i++) struct({ a: u8 }, { name: `Many${i}` });
    expect(declarationsKept()).toBeLessThanOrEqual(64);
  });
});
