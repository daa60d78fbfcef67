// fast-check arbitraries: random schemas built with the DSL, and values for their leaves.
import fc from 'fast-check';
import {
  array,
  bits,
  bool,
  char,
  f32,
  f64,
  i8,
  i16,
  i32,
  i64,
  layoutOf,
  sizeof,
  struct,
  u8,
  u16,
  u32,
  u64,
  union,
  unnamed,
  type FieldInfo,
  type FieldsSpec,
  type RecordOptions,
  type Schema,
} from '../../src/index.js';

const primitives = [bool, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64] as const;
const integers = [bool, i8, u8, i16, u16, i32, u32, i64, u64] as const;
const bitsOf = { bool: 1, i8: 8, u8: 8, i16: 16, u16: 16, i32: 32, u32: 32, i64: 64, u64: 64 } as const;

const primitive = fc.constantFrom(...primitives);

const bitfield = fc
  .constantFrom(...integers)
  .chain((t) =>
    fc
      .tuple(fc.constant(t), fc.integer({ min: 0, max: bitsOf[t.name] }), fc.boolean())
      .map(([type, width, named]) => (named && width > 0 ? bits(type, width) : unnamed(type, width))),
  );

// An msvc record cannot be big-endian (MSVC has none): it states little-endian, so that it may sit in a big-endian one.
const options: fc.Arbitrary<RecordOptions> = (
  fc.record(
    {
      pack: fc.constantFrom(1, 2, 4, 8, 16),
      align: fc.constantFrom(1, 2, 4, 8, 16, 32),
      endian: fc.constantFrom('little', 'big'),
      layout: fc.constantFrom('sysv', 'aarch64', 'msvc'),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<RecordOptions>
).map((o) => (o.layout === 'msvc' ? { ...o, endian: 'little' as const } : o));

/** Random schemas: primitives, strings, arrays, structs and unions with bitfields, pack, align, byte order and layout rules. */
export const schema: fc.Arbitrary<Schema> = fc.letrec<{ type: Schema; record: Schema }>((tie) => ({
  type: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    primitive,
    fc.integer({ min: 1, max: 9 }).map((n) => char(n)),
    fc.tuple(tie('type'), fc.integer({ min: 1, max: 3 })).map(([t, n]) => array(t, n)),
    tie('record'),
  ),
  record: fc
    .tuple(
      fc.constantFrom('struct', 'union'),
      fc.array(fc.oneof({ weight: 3, arbitrary: tie('type') }, { weight: 2, arbitrary: bitfield }), { minLength: 1, maxLength: 7 }),
      primitive,
      options,
    )
    .map(([kind, members, first, opts]) => {
      const fields: Record<string, unknown> = { f0: first }; // at least one named member
      members.forEach((m, i) => {
        fields[`f${i + 1}`] = m;
      });
      return (kind === 'struct' ? struct : union)(fields as FieldsSpec, opts);
    }),
})).type;

/** Only structs (no unions anywhere), so that every leaf keeps the last value written to it. */
export function hasUnion(s: Schema): boolean {
  if (s.kind === 'union') return true;
  if (s.kind === 'array') return hasUnion(s.element);
  if (s.kind === 'struct') return s.fields.some((f) => hasUnion(f.type));
  return false;
}

/** The scalar members of a schema: primitives, strings and bitfields, with their paths. */
export function leavesOf(s: Schema): FieldInfo[] {
  if (s.kind === 'primitive' || s.kind === 'char') return [{ path: '', type: s.kind === 'char' ? `char[${s.length}]` : s.name, offset: 0, size: sizeof(s) }];
  return layoutOf(s).filter((f) => f.length === undefined && !f.type.startsWith('struct') && !f.type.startsWith('union'));
}

/** Values a leaf can hold exactly (and read back unchanged). */
export function valueFor(leaf: FieldInfo): fc.Arbitrary<unknown> {
  const width = leaf.bitWidth;
  if (leaf.type.startsWith('char[')) {
    const n = Number(/^char\[(\d+)\]$/.exec(leaf.type)?.[1]);
    return fc.string({ unit: fc.constantFrom(...'abcxyzAZ09 é€'.split('')), maxLength: n }).filter((t) => new TextEncoder().encode(t).length <= n);
  }
  switch (leaf.type) {
    case 'bool':
      return fc.boolean();
    case 'f32':
      return fc.float({ noNaN: true });
    case 'f64':
      return fc.double({ noNaN: true });
    case 'i64':
    case 'u64': {
      const w = BigInt(width ?? 64);
      const signed = leaf.type === 'i64';
      return fc.bigInt(signed ? -(2n ** (w - 1n)) : 0n, signed ? 2n ** (w - 1n) - 1n : 2n ** w - 1n);
    }
    default: {
      const signed = leaf.type.startsWith('i');
      const w = width ?? Number(leaf.type.slice(1));
      return fc.integer({ min: signed ? -(2 ** (w - 1)) : 0, max: signed ? 2 ** (w - 1) - 1 : 2 ** w - 1 });
    }
  }
}

/** A schema with a value for each of its leaves. */
export const schemaWithValues = schema.chain((s) => {
  const leaves = leavesOf(s);
  return fc.tuple(fc.constant(s), fc.constant(leaves), fc.tuple(...leaves.map(valueFor)));
});
