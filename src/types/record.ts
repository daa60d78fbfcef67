/**
 * `struct()`, `union()` and bitfields: the record types and their validation.
 *
 * @module
 */
import { describeValue, named, schemaError, shownNumber } from '../errors.js';
import { MAX_ALIGN, MAX_FIELDS } from '../kinds/limits.js';
import { layout, layoutLike } from '../layout/compute.js';
import { setNewest } from '../memo.js';
import { resolveSchema } from './builtins.js';
import { checkFieldName, checkTypeName } from '../kinds/names.js';
import { isBitfieldCapable, PRIMITIVES } from '../kinds/primitives.js';
import {
  type AlignedSpec,
  type AnonymousSpec,
  type BitfieldSpec,
  type FieldDef,
  type FieldsSpec,
  type PrimitiveSchema,
  type RecordOptions,
  RecordSchema,
  type SchemaLike,
  type StructSchema,
  type UnionSchema,
} from './schema.js';
import { isSchema } from '../kinds/brand.js';
import { typeLabel } from '../kinds/labels.js';
import type { IntegerName } from '../kinds/primitives.js';

const OPTION_KEYS: ReadonlySet<string> = new Set(['name', 'pack', 'align', 'endian', 'layout']);

type BitfieldType = PrimitiveSchema<IntegerName | 'bool'>;
type BitTypeName<T> =
  T extends PrimitiveSchema<infer N extends IntegerName | 'bool'>
    ? N
    : T extends 'b'
      ? 'i8'
      : T extends 'B'
        ? 'u8'
        : T extends 'h'
          ? 'i16'
          : T extends 'H'
            ? 'u16'
            : T extends 'i'
              ? 'i32'
              : T extends 'I'
                ? 'u32'
                : T extends 'l' | 'q'
                  ? 'i64'
                  : T extends 'L' | 'Q'
                    ? 'u64'
                    : T extends '?'
                      ? 'bool'
                      : never;
type BitfieldTypeLike = BitfieldType | 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | '?';

class Bitfield<T extends IntegerName | 'bool', Named extends boolean> implements BitfieldSpec<T, Named> {
  readonly kind = 'bits' as const;
  constructor(
    readonly type: PrimitiveSchema<T>,
    readonly width: number,
    readonly named: Named,
  ) {
    Object.freeze(this);
  }
}

function isBitfield(value: unknown): value is BitfieldSpec {
  return value instanceof Bitfield;
}

class Anonymous<R extends RecordSchema> implements AnonymousSpec<R> {
  readonly kind = 'anonymous' as const;
  constructor(readonly type: R) {
    Object.freeze(this);
  }
}

function isAnonymous(value: unknown): value is AnonymousSpec {
  return value instanceof Anonymous;
}

/**
 * A C11 anonymous struct or union member: `struct { u8 tag; union { u32 i; f32 f; }; }`. Its fields
 * are fields of the record that holds it, at their offsets (in views, `Infer<>`, `offsetof`,
 * `layoutOf`, JSON and the emitted C); their names must not clash with the record's own. The object
 * key it is declared under is ignored, as for {@link unnamed}. It is laid out by the same rules and
 * in the same byte order as its parent.
 *
 * @example
 * ```ts
 * import { struct, union, anonymous, u8, u32, f32, offsetof } from 'sharedctypes';
 * const Value = struct({
 *   tag: u8,                                 // @0
 *   _: anonymous(union({ i: u32, f: f32 })), // i @4, f @4
 * });
 * const v = Value.create({ tag: 1, f: 1.5 });
 * v.i.toString(16);      // '3fc00000'
 * offsetof(Value, 'f');  // 4
 * ```
 */
export function anonymous<R extends RecordSchema>(record: R): AnonymousSpec<R> {
  const kind = (record as { kind?: unknown } | null)?.kind;
  if (!isSchema(record) || (kind !== 'struct' && kind !== 'union'))
    throw schemaError(
      'invalid_type',
      'anonymous',
      '',
      `takes a struct or union schema (got ${describeValue(record)})`,
      'write anonymous(struct({ … })) or anonymous(union({ … }))',
    );
  return new Anonymous(record);
}

class Aligned<T> implements AlignedSpec<T> {
  readonly kind = 'aligned' as const;
  constructor(
    readonly type: T,
    readonly align: number,
  ) {
    Object.freeze(this);
  }
}

function isAligned(value: unknown): value is AlignedSpec {
  return value instanceof Aligned;
}

/**
 * A named bitfield: C `T name : width`. Allowed on integer types and `bool` (width 1). Placement
 * follows gcc: a bitfield never straddles a boundary of its declared type's size unless the struct
 * is packed.
 *
 * @example
 * ```ts
 * import { struct, bits, unnamed, u16 } from 'sharedctypes';
 * const Flags = struct({
 *   kind: bits(u16, 4),      // bits 0..3
 *   _pad: unnamed(u16, 4),   // bits 4..7, not a field of the view
 *   level: bits(u16, 8),     // bits 8..15
 * });                        // sizeof 2
 * ```
 */
export function bits<T extends BitfieldTypeLike>(type: T, width: number): BitfieldSpec<BitTypeName<T>, true> {
  return new Bitfield(type as never, width, true);
}

/**
 * An unnamed bitfield, C `T : width`: padding bits. Width 0 (`T : 0`) closes the current unit so the
 * next bitfield starts at the next boundary of `T`. Unnamed bitfields are not fields of the view and
 * do not raise the struct's alignment. The object key it is declared under is ignored.
 *
 * @example
 * ```ts
 * import { struct, bits, unnamed, u32 } from 'sharedctypes';
 * const S = struct({ a: bits(u32, 3), _gap: unnamed(u32, 0), b: bits(u32, 3) }); // a @0, b @4; sizeof 8
 * ```
 */
export function unnamed<T extends BitfieldTypeLike>(type: T, width: number): BitfieldSpec<BitTypeName<T>, false> {
  return new Bitfield(type as never, width, false);
}

/**
 * A member aligned to `n` bytes: C `T name __attribute__((aligned(n)))` (or `_Alignas(n) T name`).
 * The member starts at a multiple of `n` and the record's alignment becomes at least `n`; the
 * member's size does not change. `n` is a power of two; as in C, one below the type's own
 * alignment changes nothing (only `pack` lowers alignment), and under `pack`, as with
 * `#pragma pack`, the member's alignment is capped at the pack value. Typical use: keep counters
 * that different threads update on different cache lines.
 *
 * @example
 * ```ts
 * import { struct, aligned, u64, sizeof, offsetof } from 'sharedctypes';
 * const Counters = struct({
 *   produced: aligned(u64, 64), // @0
 *   consumed: aligned(u64, 64), // @64: its own cache line, no false sharing
 * });
 * sizeof(Counters);             // 128
 * offsetof(Counters, 'consumed'); // 64
 * ```
 */
export function aligned<T extends SchemaLike>(type: T, n: number): AlignedSpec<T> {
  return new Aligned(type, n);
}

/**
 * A C struct: fields laid out in order with C alignment and padding.
 *
 * @example
 * ```ts
 * import { struct, f64, f32, u32, u8 } from 'sharedctypes';
 * const Particle = struct({
 *   x: f64, y: f64, z: f64,   // @0, @8, @16
 *   vx: f32, vy: f32, vz: f32, // @24, @28, @32
 *   id: u32,                  // @36
 *   alive: u8,                // @40, then 7 bytes of tail padding
 * }, { name: 'Particle' });   // sizeof 48, alignof 8
 * ```
 *
 * Declaring the same struct again (a job handler that declares its schema per job) is cheap: the
 * same field names, schema objects and options as the last `struct()` of that name give a new
 * schema made from the last one's checked fields and layout.
 */
export function struct<const F extends FieldsSpec>(fields: F, options: RecordOptions = {}): StructSchema<F> {
  return declared('struct', fields, options) as StructSchema<F>;
}

/**
 * A C union: every member at offset 0; size of the largest member rounded to the alignment.
 *
 * @example
 * ```ts
 * import { union, u32, f32, array, u8 } from 'sharedctypes';
 * const Word = union({ u: u32, f: f32, bytes: array(u8, 4) }); // sizeof 4
 * const w = Word.create();
 * w.f = 1;
 * w.u.toString(16); // '3f800000'
 * ```
 */
export function union<const F extends FieldsSpec>(fields: F, options: RecordOptions = {}): UnionSchema<F> {
  return declared('union', fields, options) as UnionSchema<F>;
}

/**
 * A record `struct()` or `union()` made, with what it was made of: the names and values of its
 * fields as written (schemas only), and the names and values of its options (primitives only).
 */
interface Declared {
  readonly names: readonly string[];
  readonly types: readonly unknown[];
  readonly optionNames: readonly string[];
  readonly optionValues: readonly unknown[];
  readonly record: RecordSchema;
}

/**
 * The record `struct()` and `union()` made last for each kind and name, at most {@link DECLARED_MAX}
 * (the oldest forgotten first). A job handler that declares its schema again per job (`struct({ x:
 * f64, … }, { name: 'Particle' })` in the handler, as docs/workers.md's pool does) runs `struct()`
 * once per job, in the interpreter: validating and normalising the fields and building the
 * structural key of the layout took 0.12–0.87 ms per job in a worker on Node 20 (jobs 2–6, against
 * a typed-array job of ~3 ms). Declared again with the same field names and the same schema
 * objects in the same order, and the same options, the record is made from the last one's
 * validated fields, options and layout: jobs 4–6 0.12–0.54 → 0.09–0.23 ms (stop 45).
 */
const declaredLast = new Map<string, Declared>();
const DECLARED_MAX = 64;

/** How many declarations {@link declaredLast} holds (for the tests: at most {@link DECLARED_MAX}). */
export function declarationsKept(): number {
  return declaredLast.size;
}

/** The record of `kind` declared with `fields` and `options`, from {@link declaredLast} when they are the same. */
function declared(kind: 'struct' | 'union', fields: FieldsSpec, options: RecordOptions): RecordSchema {
  const key = declaredKey(kind, fields, options);
  const last = key === null ? undefined : declaredLast.get(key);
  if (last !== undefined && sameDeclaration(last, fields, options)) {
    setNewest(declaredLast, key as string, last); // the most recently declared are the last forgotten
    // Only what was validated is used: the last record's fields and options, not `options` again.
    const record = new RecordSchema(kind, last.record.fields, last.record.options, [fields, options]);
    layoutLike(record, last.record);
    return record;
  }
  const record = makeRecord(kind, fieldsFromSpec(fields, kind, options), options, [fields, options]);
  if (key !== null) keepDeclaration(key, fields, options, record);
  return record;
}

/** Where {@link declaredLast} keeps a declaration: by kind and name; null for no plain object of fields. */
function declaredKey(kind: string, fields: unknown, options: unknown): string | null {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields) || isSchema(fields)) return null;
  if (options === null || typeof options !== 'object') return null;
  const name: unknown = (options as RecordOptions).name;
  return name === undefined ? kind : typeof name === 'string' ? `${kind} ${name}` : null;
}

/** Whether `fields` and `options` name the same fields, schemas and option values as `last`, in the same order. */
function sameDeclaration(last: Declared, fields: FieldsSpec, options: RecordOptions): boolean {
  const names = Object.keys(fields);
  if (names.length !== last.names.length) return false;
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    if (n !== last.names[i] || fields[n] !== last.types[i]) return false;
  }
  const optionNames = Object.keys(options);
  if (optionNames.length !== last.optionNames.length) return false;
  for (let i = 0; i < optionNames.length; i++) {
    const n = optionNames[i] as keyof RecordOptions;
    if (n !== last.optionNames[i] || options[n] !== last.optionValues[i]) return false;
  }
  return true;
}

/**
 * Keeps `record`, just made of `fields` and `options`, in {@link declaredLast} when its fields are
 * schemas (immutable: a bitfield or `aligned()` is a new object per declaration anyway) and its
 * options primitives.
 */
function keepDeclaration(key: string, fields: FieldsSpec, options: RecordOptions, record: RecordSchema): void {
  const names = Object.keys(fields);
  const types = names.map((n) => fields[n]);
  if (!types.every(isSchema)) return;
  const optionNames = Object.keys(options);
  const optionValues = optionNames.map((n) => options[n as keyof RecordOptions]);
  if (optionValues.some((v) => (typeof v === 'object' && v !== null) || typeof v === 'function')) return;
  // What was read now is what the record was made of (a getter could answer otherwise the second time).
  const made = record.fields;
  if (made.length !== names.length) return;
  for (const [i, f] of made.entries()) if (f.name !== names[i] || f.type !== types[i] || f.bits !== null || f.align !== null) return;
  for (const [i, n] of optionNames.entries()) if (record.options[n as keyof RecordOptions] !== optionValues[i]) return;
  setNewest(declaredLast, key, { names, types, optionNames, optionValues, record });
  if (declaredLast.size > DECLARED_MAX) declaredLast.delete(declaredLast.keys().next().value as string);
}

function recordLabel(kind: string, options: RecordOptions): string {
  return `${kind} ${typeof options.name === 'string' ? options.name : '(anonymous)'}`;
}

function fieldsFromSpec(fields: FieldsSpec, kind: string, options: RecordOptions): FieldDef[] {
  const label = recordLabel(kind, options);
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields) || isSchema(fields)) {
    throw schemaError('invalid_type', label, '', `needs an object of fields (got ${describeValue(fields)})`, `write ${kind}({ name: type, … })`);
  }
  return Object.keys(fields).map((key) => {
    const spec: unknown = fields[key];
    if (isBitfield(spec)) return { name: spec.named ? key : null, type: resolveSchema(spec.type, label, key), bits: spec.width, align: null };
    if (isAnonymous(spec)) return { name: null, type: resolveSchema(spec.type, label, key), bits: null, align: null };
    if (isAligned(spec)) {
      const inner: unknown = spec.type;
      // An aligned bitfield is passed on as one, for makeRecord to refuse like a JSON one.
      if (isBitfield(inner)) return { name: inner.named ? key : null, type: resolveSchema(inner.type, label, key), bits: inner.width, align: spec.align };
      return { name: key, type: resolveSchema(inner, label, key), bits: null, align: spec.align };
    }
    return { name: key, type: resolveSchema(spec, label, key), bits: null, align: null };
  });
}

/**
 * Validates fields and options and builds the record. Shared by {@link struct}, {@link union} and
 * `fromJSON`, so every path into a record schema applies the same rules.
 */
export function makeRecord(kind: 'struct' | 'union', fields: readonly FieldDef[], options: RecordOptions, written?: readonly object[]): RecordSchema {
  const label = recordLabel(kind, options);
  checkOptions(options, kind, label);
  if (fields.length > MAX_FIELDS)
    throw schemaError('too_many_members', label, '', `has ${fields.length} members, more than ${MAX_FIELDS}`, 'split it into nested structs');
  const seen = new Set<string>();
  let named = 0;
  const defs: FieldDef[] = [];
  for (const [index, field] of fields.entries()) {
    const displayPath = field.name ?? `#${index} (unnamed)`;
    if (field.name !== null) {
      checkFieldName(field.name, label);
      if (seen.has(field.name)) throw schemaError('invalid_name', label, field.name, 'is declared twice', 'give every field a unique name');
      seen.add(field.name);
      named++;
    }
    if (!isSchema(field.type)) throw schemaError('invalid_type', label, displayPath, `is not a type (got ${describeValue(field.type)})`);
    if (field.bits !== null) checkBitfield(field, label, displayPath);
    else if (field.name === null) {
      const t = field.type;
      if (t.kind !== 'struct' && t.kind !== 'union')
        throw schemaError('invalid_name', label, displayPath, 'has no name', 'only bitfields and anonymous structs or unions may be unnamed');
      const rules = options.layout ?? 'sysv';
      if ((t.options.layout ?? 'sysv') !== rules)
        throw schemaError(
          'invalid_option',
          label,
          `#${index} (anonymous ${t.kind})`,
          `has layout: '${t.options.layout ?? 'sysv'}' in a record with layout: '${rules}'`,
          "an anonymous member is laid out by its parent's rules: build it with the same layout option (a target's struct()/union())",
        );
      if (field.align !== null)
        throw schemaError('invalid_option', label, `#${index} (anonymous ${t.kind})`, 'is aligned()', 'align the anonymous record itself ({ align })');
      for (const n of visibleNames(t)) {
        if (seen.has(n)) throw schemaError('invalid_name', label, n, 'is declared twice (once in an anonymous member)', 'give every field a unique name');
        seen.add(n);
        named++;
      }
    }
    const align = field.align ?? null;
    if (align !== null) {
      if (field.bits !== null)
        throw schemaError('invalid_bitfield', label, displayPath, 'is an aligned bitfield', 'align an ordinary member; bitfields follow their unit');
      if (!isPowerOfTwo(align))
        throw schemaError(
          'invalid_option',
          label,
          displayPath,
          `has aligned(…, ${describeValue(align)})`,
          `the alignment is a power of two from 1 to ${MAX_ALIGN}`,
        );
    }
    defs.push({ name: field.name, type: field.type, bits: field.bits, align });
  }
  if (named === 0) throw schemaError('invalid_type', label, '', 'has no named fields', `a C ${kind} needs at least one member`);
  checkConditionLocks(kind, defs, label);
  const record = new RecordSchema(kind, defs, options, written);
  // Laid out now, so that what only the layout can tell (a size over 2^48, a lock that pack would
  // misalign) is refused here rather than at first use; the layout is cached for that use.
  layout(record);
  return record;
}

const visibleCounts = new WeakMap<RecordSchema, number>();
/** How many fields a record's views show (its anonymous members' included), memoised: constant per record after its fields. */
export function visibleCount(r: RecordSchema): number {
  let n = visibleCounts.get(r);
  if (n === undefined) {
    n = 0;
    for (const f of r.fields) n += f.name !== null ? 1 : f.bits === null && (f.type.kind === 'struct' || f.type.kind === 'union') ? visibleCount(f.type) : 0;
    visibleCounts.set(r, n);
  }
  return n;
}

/** The names a record's views show: its named fields, and those of its anonymous members (memoised). */
const visible = new WeakMap<RecordSchema, readonly string[]>();
export function visibleNames(r: RecordSchema): readonly string[] {
  let names = visible.get(r);
  if (names === undefined) {
    names = r.fields.flatMap((f) =>
      f.name !== null ? [f.name] : f.bits === null && (f.type.kind === 'struct' || f.type.kind === 'union') ? visibleNames(f.type) : [],
    );
    visible.set(r, names);
  }
  return names;
}

/**
 * Every `condition('lock')` member must name a `mutex()`/`rmutex()` member of the same struct, and
 * be a member itself (not an array element, whose view would not know the struct's lock).
 */
function checkConditionLocks(kind: 'struct' | 'union', defs: readonly FieldDef[], label: string): void {
  let byName: Map<string | null, FieldDef> | undefined; // built on the first named condition: linear in all
  for (const def of defs) {
    let type = def.type;
    while (type.kind === 'array') type = type.element;
    if (type.kind !== 'sync' || type.lock === null || def.name === null) continue;
    const lock = type.lock;
    const cond = `condition('${lock}')`;
    if (def.type.kind === 'array') {
      throw schemaError(
        'misplaced_sync',
        label,
        def.name,
        `is an array of ${cond}`,
        'declare the conditions as separate members, or give each a lock of its own: array(condition(), n)',
      );
    }
    if (kind === 'union')
      throw schemaError(
        'misplaced_sync',
        label,
        def.name,
        `is ${cond} in a union, where its word would overlap the lock's`,
        'declare it in a struct with the lock',
      );
    byName ??= new Map(defs.map((d) => [d.name, d]));
    const target = byName.get(lock);
    if (target === undefined)
      throw schemaError('misplaced_sync', label, def.name, `is ${cond}, but the struct has no member '${lock}'`, `add a member ${lock}: mutex() (or rmutex())`);
    const t = target.type;
    if (target.bits !== null || t.kind !== 'sync' || (t.sync !== 'mutex' && t.sync !== 'rmutex')) {
      throw schemaError(
        'misplaced_sync',
        label,
        def.name,
        `is ${cond}, but '${lock}' is ${typeLabel(t)}, not a lock`,
        `make '${lock}' a mutex() or rmutex(), or give the condition a lock of its own: condition()`,
      );
    }
  }
}

function checkBitfield(field: FieldDef, label: string, path: string): void {
  const type = field.type;
  const width = field.bits;
  if (type.kind !== 'primitive' || !isBitfieldCapable(type.name)) {
    const typeName = type.kind === 'primitive' ? type.name : type.kind;
    throw schemaError('invalid_bitfield', label, path, `is a bitfield of type ${typeName}`, 'bitfields take integer types (i8 … u64) or bool');
  }
  const max = type.name === 'bool' ? 1 : PRIMITIVES[type.name].size * 8;
  if (typeof width !== 'number' || !Number.isInteger(width) || width < 0) {
    throw schemaError('invalid_bitfield', label, path, `(${type.name}) has bits: ${describeValue(width)}`, 'use a whole number of bits');
  }
  if (width > max) {
    throw schemaError(
      'invalid_bitfield',
      label,
      path,
      `(${type.name}) has bits: ${width}, more than its ${max}-bit type holds`,
      type.name === 'bool' ? 'a bool bitfield has width 0 or 1' : 'use a wider type or fewer bits',
    );
  }
  if (width === 0 && field.name !== null) {
    throw schemaError(
      'invalid_bitfield',
      label,
      path,
      `(${type.name}) is a named zero-width bitfield`,
      'a zero-width bitfield must be unnamed: use unnamed(type, 0)',
    );
  }
}

function checkOptions(options: RecordOptions, kind: string, label: string): void {
  if (options === null || typeof options !== 'object') {
    throw schemaError('invalid_option', label, '', `has options ${describeValue(options)}`, 'pass an object such as { name, pack, align, endian, layout }');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key))
      throw schemaError('invalid_option', label, '', `has unknown option ${named(key)}`, 'the options are name, pack, align, endian and layout');
  }
  if (options.name !== undefined) checkTypeName(options.name, kind);
  if (options.pack !== undefined && ![1, 2, 4, 8, 16].includes(options.pack)) {
    throw schemaError('invalid_option', label, '', `has pack ${shownNumber(options.pack)}`, 'pack is 1, 2, 4, 8 or 16, as with #pragma pack');
  }
  const align: unknown = options.align;
  if (align !== undefined && !isPowerOfTwo(align)) {
    throw schemaError('invalid_option', label, '', `has align: ${describeValue(align)}`, `align is a power of two from 1 to ${MAX_ALIGN}`);
  }
  if (options.endian !== undefined && options.endian !== 'little' && options.endian !== 'big') {
    throw schemaError('invalid_option', label, '', `has endian: ${describeValue(options.endian)}`, "endian is 'little' or 'big'");
  }
  if (options.layout !== undefined && options.layout !== 'sysv' && options.layout !== 'aarch64' && options.layout !== 'msvc') {
    throw schemaError(
      'invalid_option',
      label,
      '',
      `has layout: ${describeValue(options.layout)}`,
      "layout is 'sysv' (gcc, clang), 'aarch64' (gcc, clang on aarch64) or 'msvc' (Microsoft)",
    );
  }
  if (options.layout === 'msvc' && options.endian === 'big') {
    throw schemaError(
      'invalid_option',
      label,
      '',
      "has layout: 'msvc' and endian: 'big'",
      'MSVC has no big-endian records: use the sysv rules for a big-endian record',
    );
  }
}

/** A power of two from 1 to {@link MAX_ALIGN}. */
function isPowerOfTwo(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ALIGN && (value & (value - 1)) === 0;
}
