// fast-check arbitraries: random schemas built with the DSL, and values for their leaves.
import fc from 'fast-check';
import {
  aligned,
  anonymous,
  array,
  bits,
  bool,
  char,
  f16,
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
  target,
  type FieldInfo,
  type FieldsSpec,
  type LayoutRules,
  type PrimitiveSchema,
  type RecordOptions,
  type RecordSchema,
  type Schema,
  type TargetName,
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

// ---- schemas a C compiler of one target declares ----------------------------------------------

/** What a target's compiler can declare: big-endian records (gcc's scalar_storage_order), `_Float16`. */
const CAN = {
  'x86_64-linux-gnu': { big: true, f16: true },
  'aarch64-linux-gnu': { big: true, f16: true },
  wasm32: { big: false, f16: false }, // clang 14: no scalar_storage_order, no _Float16 there
  'x86_64-windows-msvc': { big: false, f16: false },
} as const satisfies Record<TargetName, { big: boolean; f16: boolean }>;

/** A schema as plain data, built with unique field names once drawn (anonymous members put their fields in their parent). */
type CNode =
  | { readonly k: 'leaf'; readonly schema: Schema }
  | { readonly k: 'array'; readonly of: CNode; readonly n: number }
  | { readonly k: 'record'; readonly record: CRecord };
interface CRecord {
  readonly kind: 'struct' | 'union';
  readonly first: Schema;
  readonly members: readonly CMember[];
  readonly options: RecordOptions;
}
type CMember =
  | { readonly k: 'field'; readonly type: CNode; readonly align: number | null }
  | { readonly k: 'bits'; readonly type: PrimitiveSchema; readonly width: number; readonly named: boolean }
  | { readonly k: 'anonymous'; readonly record: CRecord };

/** The enums a target's compiler lays out: by its rules (unsigned int, int, 64-bit, packed), or with a stated type. */
function enumsOf(name: TargetName): fc.Arbitrary<PrimitiveSchema> {
  const t = target(name);
  const msvc = name === 'x86_64-windows-msvc';
  const all: (() => PrimitiveSchema)[] = [
    () => t.enum({ A: 0, B: 1, C: 1000 }),
    () => t.enum({ N: -5, P: 5 }),
    () => t.enum({ A: 0, B: 7 }, { type: u16 }),
    () => t.enum({ M: -100, X: 100 }, { type: i8 }),
  ];
  if (!msvc)
    all.push(
      () => t.enum({ HIGH: 0x8000_0000 }), // u32: beyond int
      () => t.enum({ WIDE: 2n ** 32n }), // u64
      () => t.enum({ A: 0, B: 200 }, { packed: true }), // u8
      () => t.enum({ A: -1, B: 1000 }, { packed: true }), // i16
    );
  return fc.constantFrom(...all).map((make) => make());
}

/**
 * Random schemas as the compiler of target `name` declares them: every record laid out by its
 * rules; primitives (`f16` where the compiler has `_Float16`), its enums, strings, arrays; structs
 * and unions with bitfields (of enums too), aligned members, C11 anonymous members, pack, align and
 * (gcc's) byte order. Field names are unique across a record and its anonymous members.
 */
export function schemaFor(name: TargetName): fc.Arbitrary<Schema> {
  const can = CAN[name];
  const rules = target(name).layout;
  const leaves = fc.oneof({ weight: 6, arbitrary: fc.constantFrom<Schema>(...primitives, ...(can.f16 ? [f16] : [])) }, { weight: 1, arbitrary: enumsOf(name) });
  const bitfieldTypes = fc.oneof({ weight: 4, arbitrary: fc.constantFrom<PrimitiveSchema>(...integers) }, { weight: 1, arbitrary: enumsOf(name) });
  const recordOptions: fc.Arbitrary<RecordOptions> = fc
    .record(
      { pack: fc.constantFrom(1, 2, 4, 8, 16), align: fc.constantFrom(1, 2, 4, 8, 16, 32), endian: fc.constantFrom('little', 'big') },
      { requiredKeys: [] },
    )
    .map((o) => {
      const options: { -readonly [K in keyof RecordOptions]: RecordOptions[K] } = { ...(o as RecordOptions) };
      if (!can.big) delete options.endian; // little-endian records only: the compiler has no other
      if (rules !== 'sysv') options.layout = rules;
      return options;
    });
  const tree = fc.letrec<{ node: CNode; record: CRecord }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      leaves.map((schema) => ({ k: 'leaf', schema }) as const),
      fc.integer({ min: 1, max: 9 }).map((n) => ({ k: 'leaf', schema: char(n) }) as const),
      fc.tuple(tie('node'), fc.integer({ min: 1, max: 3 })).map(([of, n]) => ({ k: 'array', of, n }) as const),
      tie('record').map((record) => ({ k: 'record', record }) as const),
    ),
    record: fc.record({
      kind: fc.constantFrom('struct', 'union'),
      first: fc.constantFrom<Schema>(...primitives),
      options: recordOptions,
      members: fc.array(
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc.tuple(tie('node'), fc.constantFrom(null, null, null, 1, 4, 8, 16)).map(([type, align]) => ({ k: 'field', type, align }) as const),
          },
          {
            weight: 2,
            arbitrary: bitfieldTypes.chain((type) =>
              fc
                .tuple(fc.integer({ min: 0, max: type.name === 'bool' ? 1 : bitsOf[type.name as keyof typeof bitsOf] }), fc.boolean())
                .map(([width, named]) => ({ k: 'bits', type, width, named: named && width > 0 }) as const),
            ),
          },
          { weight: 1, arbitrary: tie('record').map((record) => ({ k: 'anonymous', record }) as const) },
        ),
        { minLength: 0, maxLength: 6 },
      ),
    }),
  }));
  return tree.node.map((node) => buildC(node, { next: 0 }));
}

function buildC(node: CNode, names: { next: number }): Schema {
  switch (node.k) {
    case 'leaf':
      return node.schema;
    case 'array':
      return array(buildC(node.of, names), node.n);
    case 'record':
      return buildRecordC(node.record, names);
  }
}

function buildRecordC(r: CRecord, names: { next: number }): RecordSchema {
  const fields: Record<string, unknown> = { [`f${names.next++}`]: r.first }; // at least one named member
  for (const m of r.members) {
    const key = `f${names.next++}`;
    if (m.k === 'field') {
      const type = buildC(m.type, names);
      fields[key] = m.align === null ? type : aligned(type, m.align);
    } else if (m.k === 'bits') fields[key] = m.named ? bits(m.type as never, m.width) : unnamed(m.type as never, m.width);
    else {
      // an anonymous member takes its parent's byte order
      const { endian: _, ...options } = m.record.options;
      fields[key] = anonymous(buildRecordC({ ...m.record, options }, names));
    }
  }
  return (r.kind === 'struct' ? struct : union)(fields as FieldsSpec, r.options);
}

/**
 * The schema with every record laid out by `rules` (the other options kept): what a compiler of
 * those rules declares from C that does not say which rules it means.
 */
export function withRules(s: Schema, rules: LayoutRules): Schema {
  switch (s.kind) {
    case 'array':
      return array(withRules(s.element, rules), s.length);
    case 'struct':
    case 'union': {
      const fields: Record<string, unknown> = {};
      s.fields.forEach((f, i) => {
        const key = f.name ?? `_${i}`;
        const type = withRules(f.type, rules);
        if (f.bits !== null) fields[key] = f.name === null ? unnamed(type as never, f.bits) : bits(type as never, f.bits);
        else if (f.name === null) fields[key] = anonymous(type as RecordSchema);
        else fields[key] = f.align === null ? type : aligned(type, f.align);
      });
      const { layout: _, ...options } = s.options;
      return (s.kind === 'struct' ? struct : union)(fields as FieldsSpec, rules === 'sysv' ? options : { ...options, layout: rules });
    }
    default:
      return s;
  }
}
