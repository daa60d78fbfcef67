// Invalid schemas are SchemaErrors that name the type, the field, the rule and the fix.
import { describe, expect, it } from 'vitest';
import {
  anonymous,
  array,
  atomic,
  attachAll,
  bits,
  char,
  configure,
  errorCode,
  f32,
  f64,
  fromJSON,
  i32,
  i64,
  indexable,
  mutex,
  offsetof,
  rmutex,
  SchemaError,
  sizeof,
  struct,
  toJSON,
  u8,
  u32,
  union,
  unnamed,
  view,
} from '../../src/index.js';

function schemaError(f: () => unknown): SchemaError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return e as SchemaError;
  }
  throw new Error('no error thrown');
}

describe('SchemaError catalog', () => {
  it.each<[string, () => unknown, string]>([
    [
      'bitfield wider than its type',
      () => struct({ id: bits(u8, 9) }, { name: 'Flags' }),
      "struct Flags: field 'id' (u8) has bits: 9, more than its 8-bit type holds; use a wider type or fewer bits",
    ],
    [
      'named zero-width bitfield',
      () => struct({ a: bits(u32, 0) }, { name: 'S' }),
      "struct S: field 'a' (u32) is a named zero-width bitfield; a zero-width bitfield must be unnamed: use unnamed(type, 0)",
    ],
    [
      'bitfield on a float',
      () => struct({ a: bits(f32 as never, 3) }, { name: 'S' }),
      "struct S: field 'a' is a bitfield of type f32; bitfields take integer types (i8 … u64) or bool",
    ],
    [
      'negative bitfield width',
      () => struct({ a: unnamed(u8, -1) }, { name: 'S' }),
      "struct S: field '#0 (unnamed)' (u8) has bits: number -1; use a whole number of bits",
    ],
    [
      'empty field name (JSON)',
      () => fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', fields: [{ name: '', type: 'u8' }] } }),
      "fromJSON: root: struct (anonymous): field '' has an empty name; give every field a C identifier as name",
    ],
    [
      'duplicate names (JSON)',
      () =>
        fromJSON({
          format: 'sharedctypes/1',
          root: {
            kind: 'struct',
            name: 'D',
            fields: [
              { name: 'a', type: 'u8' },
              { name: 'a', type: 'u8' },
            ],
          },
        }),
      "fromJSON: root: struct D: field 'a' is declared twice; give every field a unique name",
    ],
    [
      'not an identifier',
      () => struct({ 'my-field': u8 }),
      "struct (anonymous): field 'my-field' is not a C identifier; use letters, digits and _ only, not starting with a digit (at most 255 characters)",
    ],
    [
      'reserved name',
      () => struct({ toObject: u8 }),
      "struct (anonymous): field 'toObject' has a reserved name (views use it, or JS gives it a meaning); rename the field",
    ],
    ['no fields', () => struct({}, { name: 'E' }), 'struct E has no named fields; a C struct needs at least one member'],
    ['only unnamed fields', () => union({ _a: unnamed(u8, 3) }, { name: 'U' }), 'union U has no named fields; a C union needs at least one member'],
    ['bad array length', () => array(u8, 0), 'array(u8, 0) has length 0; use a whole number from 1 to 2147483647'],
    ['fractional array length', () => array(i32, [2, 1.5]), 'array(i32, [2,1.5]) dimension 1 has length 1.5; use a whole number from 1 to 2147483647'],
    ['bad char length', () => char(-1), 'char(-1) has length -1; use a whole number from 1 to 2147483647'],
    ['bad pack', () => struct({ a: u8 }, { name: 'P', pack: 3 as never }), 'struct P has pack 3; pack is 1, 2, 4, 8 or 16, as with #pragma pack'],
    ['bad align', () => struct({ a: u8 }, { name: 'A', align: 12 }), 'struct A has align: number 12; align is a power of two from 1 to 65536'],
    ['bad endian', () => struct({ a: u8 }, { name: 'B', endian: 'middle' as never }), "struct B has endian: string \"middle\"; endian is 'little' or 'big'"],
    [
      'unknown option',
      () => struct({ a: u8 }, { name: 'O', packed: true } as never),
      "struct O has unknown option 'packed'; the options are name, pack, align, endian and layout",
    ],
    [
      'unknown typecode',
      () => struct({ a: 'x' as never }, { name: 'T' }),
      "struct T: field 'a' has unknown typecode \"x\"; use one of 'b' 'B' 'h' 'H' 'i' 'I' 'l' 'L' 'q' 'Q' 'f' 'd' 'c' '?' or a schema such as i32",
    ],
    [
      'not a type',
      () => struct({ a: 5 as never }, { name: 'T' }),
      "struct T: field 'a' is not a type (got number 5); use a schema such as u32, struct({...}) or a typecode",
    ],
    [
      'a schema factory passed uncalled',
      () => struct({ a: mutex as never }, { name: 'T' }),
      "struct T: field 'a' is not a type (got the function mutex); call it: mutex(…)",
    ],
    [
      'a long unknown typecode (quoted in part)',
      () => struct({ a: 'x'.repeat(100_000) as never }, { name: 'T' }),
      `struct T: field 'a' has unknown typecode "${'x'.repeat(60)}"… (100000 characters); use one of 'b' 'B' 'h' 'H' 'i' 'I' 'l' 'L' 'q' 'Q' 'f' 'd' 'c' '?' or a schema such as i32`,
    ],
    [
      'bad type name',
      () => struct({ a: u8 }, { name: 'a b' }),
      'struct has name "a b", which is not a C identifier; use letters, digits and _ only, not starting with a digit',
    ],
    [
      'a schema containing itself (JSON)',
      () => fromJSON({ format: 'sharedctypes/1', types: { A: { kind: 'struct', fields: [{ name: 'a', type: { ref: 'A' } }] } }, root: { ref: 'A' } }),
      'fromJSON: types.A.fields[0].type: refers to string "A", which is not declared before it; declare named types in "types" before their use (a type cannot contain itself)',
    ],
    [
      'unknown JSON key',
      () => fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', fields: [{ name: 'a', type: 'u8', offset: 3 }] } }),
      "fromJSON: root.fields[0]: has unknown key 'offset'; allowed keys: name, type, bits, align",
    ],
    ['wrong format tag', () => fromJSON({ format: 'other', root: 'u8' }), 'fromJSON: format: is string "other"; expected \'sharedctypes/1\''],
    [
      'a long field name (cut at 120 characters, with its length)',
      () => struct({ ['a'.repeat(5000)]: u8 }),
      `struct (anonymous): field '${'a'.repeat(120)}…' (5000 characters) is not a C identifier; use letters, digits and _ only, not starting with a digit (at most 255 characters)`,
    ],
    [
      'a type name that is not a string, and cannot be written as JSON',
      () => struct({ a: u8 }, { name: 10n as never }),
      'struct has name bigint 10, which is not a C identifier; use letters, digits and _ only, not starting with a digit',
    ],
    [
      'a type name that is an object with a throwing toJSON',
      () =>
        struct(
          { a: u8 },
          {
            name: {
              toJSON() {
                throw new Error('not this');
              },
            } as never,
          },
        ),
      'struct has name an object, which is not a C identifier; use letters, digits and _ only, not starting with a digit',
    ],
    [
      'a long unknown member path of offsetof (cut)',
      () => offsetof(struct({ x: u32 }, { name: 'S' }), 'b'.repeat(5000)),
      `struct S: field '${'b'.repeat(120)}…' (5000 characters) does not exist; the members of struct S are: x`,
    ],
    [
      'a long member asked of a number (cut)',
      () => offsetof(struct({ x: u32 }, { name: 'S' }), `x.${'y'.repeat(300)}`),
      `struct S: field 'x' is a u32, which has no member '${'y'.repeat(120)}…' (300 characters)`,
    ],
    [
      'a long unknown option (cut)',
      () => struct({ a: u8 }, { name: 'O', ['o'.repeat(500)]: 1 } as never),
      `struct O has unknown option '${'o'.repeat(120)}…' (500 characters); the options are name, pack, align, endian and layout`,
    ],
    [
      'a long unknown JSON key (cut)',
      () => fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', fields: [{ name: 'a', type: 'u8', ['k'.repeat(500)]: 3 }] } }),
      `fromJSON: root.fields[0]: has unknown key '${'k'.repeat(120)}…' (500 characters); allowed keys: name, type, bits, align`,
    ],
    [
      'the members of a large struct (the first 16, then how many)',
      () => offsetof(struct(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`m${i}`, u8])), { name: 'Big' }), 'nope'),
      `struct Big: field 'nope' does not exist; the members of struct Big are: ${Array.from({ length: 16 }, (_, i) => `m${i}`).join(', ')}, … (3000 in all)`,
    ],
  ])('%s', (_what, f, message) => {
    expect(schemaError(f).message).toBe(message);
  });

  it('set() with an unknown key: the key cut at 120 characters, the fields listed up to 16 (both accessor modes)', () => {
    const messageOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(errorCode(e)).toBe('unknown_field');
        return (e as Error).message;
      }
      throw new Error('no error thrown');
    };
    const Big = struct(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`m${i}`, u8])), { name: 'Big' });
    expect(messageOf(() => Big.create().set({ ['k'.repeat(3000)]: 1 } as never))).toBe(
      `struct Big: has no field '${'k'.repeat(120)}…' (3000 characters); its fields are: ${Array.from({ length: 16 }, (_, i) => `m${i}`).join(', ')}, … (40 in all)`,
    );
    expect(
      messageOf(() =>
        struct({ x: u8 }, { name: 'S' })
          .create()
          .set({ y: 1 } as never),
      ),
    ).toBe("struct S: has no field 'y'; its fields are: x");
  });

  it('a struct cannot contain itself through the DSL either: schemas are frozen values', () => {
    const fields: Record<string, unknown> = { a: u8 };
    const S = struct(fields as { a: typeof u8 });
    fields['self'] = S; // mutating the spec afterwards changes nothing
    expect(S.fields.map((f) => f.name)).toEqual(['a']);
    expect(Object.isFrozen(S) && Object.isFrozen(S.fields)).toBe(true);
  });

  it('bad JSON text', () => {
    expect(schemaError(() => fromJSON('{')).message).toMatch(/^fromJSON: \(document\): is not valid JSON \(.+\)$/);
  });

  it('a descriptor with too many members is refused before any code is generated', () => {
    const fields = Array.from({ length: 65536 }, (_, i) => ({ name: `f${i}`, type: 'u8' }));
    expect(schemaError(() => fromJSON({ format: 'sharedctypes/1', root: { kind: 'struct', name: 'Big', fields } })).message).toBe(
      'fromJSON: root.fields: has 65536 members, more than 65535; split it into nested structs',
    );
  });

  it('deeply nested JSON is refused, not a stack overflow', () => {
    let t: unknown = 'u8';
    for (let i = 0; i < 100; i++) t = { kind: 'array', of: t, length: 1 };
    expect(schemaError(() => fromJSON({ format: 'sharedctypes/1', root: t })).message).toMatch(/nests deeper than 64 levels/);
  });

  // What only the layout can tell is refused where the type is written, as fromJSON refuses it for
  // the same descriptor (before, the DSL accepted these and the first sizeof/view/create threw).
  it.each<[string, () => unknown, string, RegExp]>([
    [
      'an array over 2^48 bytes',
      () => array(array(f64, 2 ** 30), 2 ** 20),
      'too_large',
      /^f64\[1048576\]\[1073741824\] would be \d+ bytes, more than 281474976710656/,
    ],
    [
      'a struct over 2^48 bytes',
      () => struct({ a: array(u8, 2 ** 31 - 1), b: array(array(u8, 2 ** 31 - 1), 2 ** 17) }, { name: 'Huge' }),
      'too_large',
      /^struct Huge would be \d+ bytes, more than 281474976710656/,
    ],
    ['a lock that pack: 1 would misalign', () => struct({ c: u8, m: mutex() }, { pack: 1, name: 'P' }), 'misplaced_sync', /^struct P: field 'm' .*pack: 1/],
    [
      'a struct holding a lock, under pack: 2 in its parent',
      () => struct({ c: u8, s: struct({ m: rmutex() }) }, { pack: 2, name: 'Outer' }),
      'misplaced_sync',
      /^struct Outer: field 's' .*pack: 2/,
    ],
    [
      'a lock inherited into a big-endian struct',
      () => struct({ s: struct({ m: mutex(), n: u32 }) }, { endian: 'big', name: 'Net' }),
      'misplaced_sync',
      /field 'm' holds a lock .* in a big-endian struct/,
    ],
  ])('the DSL refuses %s where it is written, with the code fromJSON gives', (_what, make, code, message) => {
    const e = schemaError(make);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('the same records are accepted where the layout allows them, and fromJSON agrees', () => {
    const ok = struct({ c: u8, m: mutex() }, { pack: 4 });
    expect(fromJSON(toJSON(ok))).toBeDefined();
    const big = struct({ s: struct({ m: mutex() }, { endian: 'little' }) }, { endian: 'big' });
    expect(fromJSON(toJSON(big))).toBeDefined();
  });
});

describe('wrong arguments are coded errors that name what was given', () => {
  const caught = (f: () => unknown): { code: unknown; message: string; name: string } => {
    try {
      f();
    } catch (e) {
      return { code: errorCode(e), message: (e as Error).message, name: (e as Error).name };
    }
    throw new Error('no error thrown');
  };
  it.each<[string, () => unknown, string, RegExp]>([
    [
      'set() offset that is a bigint',
      () =>
        array(u32, 3)
          .create()
          .set([1], 5n as never),
      'invalid_argument',
      /^u32\[3\]: the offset 5n is not a whole number ≥ 0$/,
    ],
    [
      'set() offset that is a string',
      () =>
        array(u32, 3)
          .create()
          .set([1], '1' as never),
      'invalid_argument',
      /the offset "1" is not/,
    ],
    [
      'set() offset true',
      () =>
        array(u32, 3)
          .create()
          .set([1], true as never),
      'invalid_argument',
      /the offset true is not/,
    ],
    [
      'set() of a Set',
      () =>
        array(u32, 3)
          .create()
          .set(new Set([1]) as never),
      'invalid_value',
      /got an object without a length.*\[\.\.\.values\]/,
    ],
    ['set() of too many', () => array(u32, 3).create().set([1, 2], 2), 'out_of_bounds', /2 values from offset 2 do not fit in 3 elements/],
    ['at() before the start', () => array(u32, 3).create().at(-4), 'out_of_bounds', /index -4 is out of range/],
    ['indexable before the start', () => indexable(array(u32, 3).create())[-4], 'out_of_bounds', /index -4 is out of range/],
    ['view() at a string offset', () => view(u32, new SharedArrayBuffer(16), '8' as never), 'invalid_argument', /byteOffset string "8" is not a whole number/],
    ['a number into a 64-bit atomic', () => atomic(i64.create()).store(5 as never), 'invalid_value', /AtomicField\.store\(\): takes a bigint .* got number 5/],
    ['a bigint into a 32-bit atomic', () => atomic(u32.create()).add(5n as never), 'invalid_value', /AtomicField\.add\(\): takes a number .* got bigint 5/],
    ['compareExchange with one bad value', () => atomic(u32.create()).compareExchange(0, 1n as never), 'invalid_value', /got bigint 1/],
    ['attachAll(null)', () => attachAll(null as never), 'invalid_argument', /attachAll: takes an object of handles/],
    ['configure(null)', () => configure(null as never), 'invalid_argument', /configure: takes an object of options/],
    [
      'a long string where a number goes, shown in part',
      () => {
        struct({ a: f64 }).create().a = 'x'.repeat(10_000) as never;
      },
      'invalid_value',
      /…/,
    ],
  ])('%s', (_, f, code, message) => {
    const e = caught(f);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.message.length).toBeLessThan(400);
  });
});

describe('fromJSON reads a descriptor as plain data', () => {
  const doc = (root: unknown): unknown => ({ format: 'sharedctypes/1', root });
  const codeOfJson = (d: unknown): string | undefined => {
    try {
      fromJSON(d);
    } catch (e) {
      expect(e).toBeInstanceOf(SchemaError);
      return errorCode(e);
    }
    return 'accepted';
  };
  it('a hole in fields (structured clone keeps it) is refused with its path', () => {
    const fields: unknown[] = [];
    fields[1] = { name: 'a', type: 'u8' };
    expect(() => fromJSON(doc({ kind: 'struct', fields }))).toThrow('root.fields[0]: is a hole in the array');
    expect(codeOfJson(structuredClone(doc({ kind: 'struct', fields })))).toBe('invalid_descriptor');
  });
  it('nothing is read through a polluted Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto['kind'] = 'struct';
      proto['fields'] = [{ name: 'q', type: 'u64' }];
      expect(codeOfJson(doc({}))).toBe('invalid_descriptor'); // {} has no kind of its own
    } finally {
      delete proto['kind'];
      delete proto['fields'];
    }
    try {
      proto['ref'] = 'x';
      expect(sizeof(fromJSON(doc({ kind: 'struct', fields: [{ name: 'a', type: 'u32' }] })))).toBe(4);
    } finally {
      delete proto['ref'];
    }
  });
  it('getters and proxies that throw are refused with a code, not run twice or crash', () => {
    let reads = 0;
    const withGetter = {
      kind: 'struct',
      get fields() {
        reads++;
        return [{ name: 'a', type: 'u8' }];
      },
    };
    expect(codeOfJson(doc(withGetter))).toBe('invalid_descriptor');
    expect(reads).toBe(0);
    const { proxy, revoke } = Proxy.revocable({ kind: 'struct', fields: [] }, {});
    revoke();
    expect(codeOfJson(doc(proxy))).toBe('invalid_descriptor');
    expect(codeOfJson(proxy)).toBe('invalid_descriptor');
  });
});

describe('fromJSON bounds the work a small descriptor can cause', () => {
  it('anonymous members bring at most 65535 fields into their records over one document (each is compiled into its parent)', () => {
    const wide = { kind: 'struct', fields: Array.from({ length: 1000 }, (_, i) => ({ name: `f${i}`, type: 'u8' })) };
    const parents = (n: number) =>
      Array.from({ length: n }, (_, p) => ({ name: `p${p}`, type: { kind: 'struct', fields: [{ type: { ref: 'Wide' } }, { name: 'own', type: 'u8' }] } }));
    const doc = (n: number) => ({ format: 'sharedctypes/1', types: { Wide: wide }, root: { kind: 'struct', fields: parents(n) } });
    expect(sizeof(fromJSON(doc(65)))).toBe(65 * 1001);
    expect(() => fromJSON(doc(66))).toThrow('anonymous members bring more than 65535 fields into their records in all');
    expect(errorCode(schemaError(() => fromJSON(doc(66))))).toBe('too_many_members');
  });
  it('toJSON (and so share()) refuses what fromJSON would: nothing shared is refused on the other side', () => {
    const Wide = struct(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, u8])));
    const record = (n: number) => struct(Object.fromEntries(Array.from({ length: n }, (_, p) => [`p${p}`, struct({ w: anonymous(Wide), own: u8 } as never)])));
    expect(sizeof(fromJSON(toJSON(record(65))))).toBe(65 * 1001);
    expect(errorCode(schemaError(() => toJSON(record(66))))).toBe('too_many_members');
  });
});
