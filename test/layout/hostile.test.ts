// Descriptors from elsewhere (another thread, a file, the network) are hostile: every one of n bytes
// is accepted or refused in O(n) time and memory, and every later walk over what was accepted is
// linear in its descriptor too. These descriptors are tiny but describe exponentially large types
// (a DAG of named types), or nest without end; before the fix each of these calls never returned
// or overflowed the stack. A call that went exponential would not finish within the test timeout.
import { describe, expect, it } from 'vitest';
import {
  array,
  attach,
  describe as describeType,
  fingerprint,
  fromJSON,
  layoutOf,
  offsetof,
  SchemaError,
  type SchemaJSON,
  share,
  sizeof,
  struct,
  toC,
  toCtypes,
  toJSON,
  type TypeJSON,
  u8,
  u32,
} from '../../src/index.js';

/** D0 = struct { u8 a }, D(k+1) = struct { D(k) f0; D(k) f1 }: sizeof D(k) = 2^k. */
function doubling(levels: number, named = true): SchemaJSON {
  const types: Record<string, TypeJSON> = { D0: { kind: 'struct', ...(named && { name: 'D0' }), fields: [{ name: 'a', type: 'u8' }] } };
  for (let k = 1; k <= levels; k++) {
    types[`D${k}`] = {
      kind: 'struct',
      ...(named && { name: `D${k}` }),
      fields: [
        { name: 'f0', type: { ref: `D${k - 1}` } },
        { name: 'f1', type: { ref: `D${k - 1}` } },
      ],
    };
  }
  return { format: 'sharedctypes/1', types, root: { ref: `D${levels}` } };
}

const schemaError = (f: () => unknown): SchemaError => {
  try {
    f();
  } catch (e) {
    if (e instanceof SchemaError) return e;
    throw e;
  }
  throw new Error('expected a SchemaError');
};

describe('hostile descriptors', () => {
  it('a 40-level DAG of named types (under 5 KB) is laid out, fingerprinted, described and emitted in linear time', { timeout: 20_000 }, () => {
    const doc = doubling(40);
    expect(JSON.stringify(doc).length).toBeLessThan(5000);
    const D = fromJSON(doc);
    expect(sizeof(D)).toBe(2 ** 40);
    expect(offsetof(D as never, 'f1.f1.f0')).toBe(2 ** 39 + 2 ** 38);
    expect(fingerprint(D)).toMatch(/^sct2:/);
    expect(describeType(D).split('\n').length).toBeLessThan(3000);
    expect(JSON.stringify(toJSON(D)).length).toBeLessThan(6000);
    expect(toC(D).length).toBeLessThan(20_000);
    expect(toCtypes(D).length).toBeLessThan(20_000);
    expect(() => layoutOf(D, { maxEntries: 1000 })).toThrow(RangeError);
    // A view needs 2^40 bytes: refused by the region check, not by running out of memory.
    expect(() => D.view(new SharedArrayBuffer(64))).toThrow(/needs 1099511627776 bytes/);
  });

  it('the same DAG built with the DSL, anonymous: toJSON hoists shared records instead of expanding them', () => {
    let D = struct({ a: u8 });
    for (let k = 1; k <= 40; k++) D = struct({ f0: D, f1: D }) as never;
    const json = toJSON(D);
    expect(Object.keys(json.types ?? {})).toHaveLength(40);
    expect(JSON.stringify(json).length).toBeLessThan(6000);
    expect(fingerprint(fromJSON(JSON.parse(JSON.stringify(json))))).toBe(fingerprint(D));
  });

  it('a handle carrying such a descriptor is refused quickly, with or without the receiver’s schema', { timeout: 20_000 }, () => {
    const h = share(array(u8, 16).create());
    const hostile = { ...h, schema: doubling(40), fingerprint: 'sct2:0000000000000000' };
    expect(() => attach(hostile, array(u8, 16))).toThrow(/differs from the schema given here/);
    expect(() => attach(hostile)).toThrow(/does not match its fingerprint/);
    // Claiming the right fingerprint gets as far as the region check.
    const claimed = { ...hostile, fingerprint: fingerprint(fromJSON(doubling(40))) };
    expect(() => attach(claimed)).toThrow(/needs 1099511627776 bytes/);
  });

  it('a 65,535-member struct whose members are 65,535-member structs is accepted and walked in linear time', { timeout: 60_000 }, () => {
    const n = 65_535;
    const inner = Array.from({ length: n }, (_, i) => ({ name: `a${i}`, type: 'u8' as const }));
    const outer = Array.from({ length: n }, (_, i) => ({ name: `b${i}`, type: { ref: 'Inner' } }));
    const doc: SchemaJSON = {
      format: 'sharedctypes/1',
      types: { Inner: { kind: 'struct', name: 'Inner', fields: inner } },
      root: { kind: 'struct', fields: outer },
    };
    const S = fromJSON(doc);
    expect(sizeof(S)).toBe(n * n);
    expect(fingerprint(S)).toMatch(/^sct2:/);
    const lines = describeType(S).split('\n').length;
    expect(lines).toBeGreaterThan(n);
    expect(lines).toBeLessThan(n + 3000);
    expect(JSON.stringify(toJSON(S)).length).toBeLessThan(4 * JSON.stringify(doc).length);
  });

  it('depth counts through references: a 10,000-level ref chain is refused at level 65, naming the type', () => {
    const types: Record<string, TypeJSON> = { T0: 'u8' };
    for (let k = 1; k <= 10_000; k++) types[`T${k}`] = { kind: 'struct', fields: [{ name: 'a', type: { ref: `T${k - 1}` } }] };
    const e = schemaError(() => fromJSON({ format: 'sharedctypes/1', types, root: { ref: 'T10000' } }));
    expect(e.message).toBe(
      'fromJSON: types.T65: struct (anonymous) nests deeper than 64 levels; flatten the type (arrays, structs and unions count one level each)',
    );
    expect(e.path).toBe('types.T65');
  });

  it('nesting in the document itself is refused at level 65 before anything is built', () => {
    let t: TypeJSON = 'u8';
    for (let k = 0; k < 100_000; k++) t = { kind: 'array', of: t, length: 1 };
    expect(schemaError(() => fromJSON({ format: 'sharedctypes/1', root: t })).message).toMatch(/^fromJSON: root(\.of){65}: nests deeper than 64 levels$/);
  });

  it('a descriptor object that shares sub-objects (as structured clone keeps them) is read once per object', { timeout: 20_000 }, () => {
    let t: TypeJSON = { kind: 'struct', fields: [{ name: 'a', type: 'u8' }] };
    for (let k = 0; k < 40; k++) {
      t = {
        kind: 'struct',
        fields: [
          { name: 'f0', type: t },
          { name: 'f1', type: t },
        ],
      };
    }
    const doc = structuredClone({ format: 'sharedctypes/1', root: t });
    const S = fromJSON(doc);
    expect(sizeof(S)).toBe(2 ** 40);
    expect(fingerprint(S)).toBe(fingerprint(fromJSON(doubling(40, false))));
  });

  it('toJSON takes what every type function takes: a typecode is its schema, anything else a SchemaError (invalid_type)', () => {
    expect(toJSON('d')).toEqual({ format: 'sharedctypes/1', root: 'f64' });
    expect(fromJSON(toJSON('I'))).toBe(u32);
    for (const bad of [null, undefined, {}, 'zz', 42, { kind: 'struct' }]) {
      let code: unknown = 'no error';
      try {
        toJSON(bad as never);
      } catch (e) {
        code = e instanceof SchemaError ? e.code : e;
      }
      expect(code, String(bad)).toBe('invalid_type');
    }
  });

  it('a descriptor object that contains itself is refused', () => {
    const t: { kind: 'struct'; fields: { name: string; type: unknown }[] } = { kind: 'struct', fields: [] };
    t.fields.push({ name: 'self', type: t });
    const e = schemaError(() => fromJSON(structuredClone({ format: 'sharedctypes/1', root: t })));
    expect(e.message).toBe('fromJSON: root.fields[0].type: contains itself; a type cannot contain itself; descriptors are trees or refer to named types');
  });

  it('schemas built with the DSL may not nest deeper than 64 levels either', () => {
    let s: ReturnType<typeof array> = array(u8, 1);
    for (let k = 1; k < 63; k++) s = array(s, 1); // 63 levels
    expect(() => array(array(s, 1), 1)).toThrow(/^array nests deeper than 64 levels/);
    expect(() => struct({ deep: s, more: s })).not.toThrow(); // 64 levels
    expect(() => struct({ deeper: struct({ deep: s }) })).toThrow(/^struct \(anonymous\) nests deeper than 64 levels/);
  });

  it('layout rules are checked when a descriptor is read, not on first use', () => {
    const tooBig: SchemaJSON = { format: 'sharedctypes/1', root: { kind: 'array', of: { kind: 'array', of: 'f64', length: 2 ** 31 - 1 }, length: 2 ** 20 } };
    expect(schemaError(() => fromJSON(tooBig)).message).toMatch(/^fromJSON: root: f64\[1048576\]\[2147483647\] would be \d+ bytes, more than 281474976710656/);
    const lockUnderPack: SchemaJSON = {
      format: 'sharedctypes/1',
      types: {
        Unused: {
          kind: 'struct',
          name: 'Unused',
          pack: 1,
          fields: [
            { name: 'c', type: 'u8' },
            { name: 'm', type: { kind: 'sync', type: 'mutex' } },
          ],
        },
      },
      root: 'u8',
    };
    expect(schemaError(() => fromJSON(lockUnderPack)).message).toBe(
      "fromJSON: types.Unused: struct Unused: field 'm' holds a lock or other synchronization member, but pack: 1 would misalign it; use pack: 4 or more, or no pack",
    );
  });

  it('an anonymous type shared by many records cannot multiply its fields: the copies are bounded per document', () => {
    const fields = Array.from({ length: 60_000 }, (_, i) => ({ name: `f${i}`, type: 'u8' as const }));
    const types: Record<string, TypeJSON> = { Big: { kind: 'union', name: 'Big', fields } };
    const refs = Array.from({ length: 40 }, (_, i) => ({
      name: `s${i}`,
      type: { kind: 'struct' as const, fields: [{ name: 'p', type: 'u8' as const }, { type: { ref: 'Big' } }] },
    }));
    const doc: SchemaJSON = { format: 'sharedctypes/1', types, root: { kind: 'struct', fields: refs } };
    let error: unknown;
    try {
      fromJSON(doc);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).code).toBe('too_many_members');
    expect((error as Error).message).toContain('anonymous members bring more than 65535 fields');
    // one such record is fine (60,000 fields), two are not (each hoisted field is compiled into its record)
    expect(sizeof(fromJSON({ ...doc, root: { kind: 'struct', fields: refs.slice(0, 1) } }))).toBe(2);
    expect(() => fromJSON({ ...doc, root: { kind: 'struct', fields: refs.slice(0, 2) } })).toThrow(SchemaError);
  });
});
