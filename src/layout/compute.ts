/**
 * Computes layouts, and makes them canonical: schemas with the same structure share one layout
 * object, however and wherever they were built (per job, per attach, from JSON). Everything
 * derived from a layout and cached on it (its fingerprint, its compiled view classes and the
 * optimised code built on them) is then shared too.
 *
 * Every walk here is linear in the size of the schema's descriptor: a named type used many times
 * (a DAG) is laid out once, and a layout is keyed by its own fields and the ids of its members'
 * layouts, never by an expansion of them.
 *
 * @module
 */
import { setNewest } from '../memo.js';
import { internalError, schemaError } from '../errors.js';
import { type IntegerName, PRIMITIVES } from '../kinds/primitives.js';
import { syncWords } from '../kinds/sync-kinds.js';
import type { ArraySchema, Endian, LayoutRules, PrimitiveSchema, RecordSchema, Schema } from '../types/schema.js';
import { typeLabel } from '../kinds/labels.js';
import { type MemberShape, PLACERS } from './abi.js';
import type { ArrayLayout, BitLayout, FieldLayout, Layout, LayoutOf, PrimitiveLayout, RecordLayout } from './types.js';

/** The largest size of a type: beyond it offsets stop being exact doubles in generated code. */
export const MAX_SIZE = 2 ** 48;

/** What the library knows about a canonical layout besides the layout itself. */
interface LayoutFacts {
  /** Small number naming the layout in the structural keys of the layouts that contain it. */
  readonly id: number;
  /** Whether a synchronization member sits anywhere inside. */
  readonly holdsSync: boolean;
  /** Named members over all nesting levels, arrays counted once: bounds generated code. */
  readonly members: number;
  /** The structural key it is kept under in {@link byStructure}. */
  readonly key: string;
}

const facts = new WeakMap<Layout, LayoutFacts>();
/** The required alignment (see {@link requiredAlign}) of each record layout. */
const requiredOfRecord = new WeakMap<Layout, number>();
/** Schema object (and inherited byte order) → its canonical layout. */
const bySchema: Record<Endian, WeakMap<Schema, Layout>> = { little: new WeakMap(), big: new WeakMap() };

/**
 * Structural key → canonical layout. Strong references, so that a schema rebuilt per job finds
 * the layout (and compiled classes) of the previous job even after the old schema object died;
 * bounded, so that a stream of distinct descriptors from elsewhere cannot grow it forever. The
 * oldest entries go first; views made from them keep working.
 */
const byStructure = new Map<string, Layout>();
/** Most canonical layouts kept, and most named members over all of them. */
const KEEP_LAYOUTS = 4096;
const KEEP_MEMBERS = 1 << 20;
let keptMembers = 0;
let nextId = 1;

/**
 * The layout of `schema` as a top-level type (or inside a record of byte order `endian`, which
 * records without their own `endian` option inherit): sizes, alignments, every field's offset and
 * bit position. Equal schemas get the same (canonical) layout object.
 *
 * @example
 * ```ts
 * import { layout, struct, u8, u32 } from 'sharedctypes';
 * const l = layout(struct({ a: u8, b: u32 }));
 * l.size;                          // 8
 * l.kind === 'struct' && l.fields[1]?.offset; // 4
 * layout(struct({ a: u8, b: u32 })) === l; // true: the same structure, the same layout
 * ```
 */
export function layout<S extends Schema>(schema: S, endian: Endian = 'little'): LayoutOf<S> {
  const cache = bySchema[endian];
  let l = cache.get(schema);
  if (l === undefined) {
    l = canonical(schema, endian);
    cache.set(schema, l);
  }
  return l as LayoutOf<S>;
}

/**
 * The layout of `schema`, a schema made of the same fields and options as `equal` (src/types/record.ts,
 * a schema declared again): `equal`'s layout when that is still the canonical layout of their
 * structure, without building the structural key again; else as {@link layout} finds it.
 */
export function layoutLike<S extends Schema>(schema: S, equal: S): LayoutOf<S> {
  const l = bySchema.little.get(equal);
  if (l !== undefined) {
    const { key } = factsOf(l);
    if (byStructure.get(key) === l) {
      setNewest(byStructure, key, l); // the most recently used structures are the last to be dropped
      bySchema.little.set(schema, l);
      return l as LayoutOf<S>;
    }
  }
  return layout(schema);
}

/** The facts about a layout made by {@link layout}. */
function factsOf(l: Layout): LayoutFacts {
  const f = facts.get(l);
  if (f === undefined) throw internalError('a layout not made by layout()');
  return f;
}

/** A small number naming a canonical layout within this thread (not stable across threads). */
export function layoutId(l: Layout): number {
  return factsOf(l).id;
}

/**
 * Microsoft's "required alignment" of a layout: what an `align` option or an aligned member
 * inside it asks for, which `#pragma pack` does not cap under the MSVC rules (1 for none). O(1).
 */
export function requiredAlign(l: Layout): number {
  let inner = l;
  while (inner.kind === 'array') inner = inner.element;
  return inner.kind === 'struct' || inner.kind === 'union' ? (requiredOfRecord.get(inner) ?? 1) : 1;
}

/** Whether a synchronization primitive sits anywhere inside the layout. O(1). */
export function holdsSync(l: Layout): boolean {
  return factsOf(l).holdsSync;
}

/** Named members of the layout over all nesting levels (each distinct array element type once). O(1). */
export function memberCount(l: Layout): number {
  return factsOf(l).members;
}

/** Looks the schema's structure up, computing and registering the layout when it is new. */
function canonical(schema: Schema, inherited: Endian): Layout {
  let key: string;
  let members = 0;
  let sync = false;
  switch (schema.kind) {
    case 'primitive':
      key = `p:${schema.name}:${inherited}`;
      break;
    case 'char':
      key = `c:${schema.length}`;
      break;
    case 'sync':
      key = `y:${schema.sync}:${schema.param}:${schema.lock ?? ''}`;
      sync = true;
      break;
    case 'array': {
      const element = layout(schema.element, inherited);
      key = `a:${schema.length}:${layoutId(element)}`;
      members = memberCount(element);
      sync = holdsSync(element);
      break;
    }
    case 'struct':
    case 'union': {
      const endian = schema.options.endian ?? inherited;
      const { name, pack, align } = schema.options;
      const rules = schema.options.layout ?? 'sysv';
      const parts = [`${schema.kind}:${rules}:${endian}:${schema.options.endian ?? ''}:${name ?? ''}:${pack ?? ''}:${align ?? ''}`];
      for (const f of schema.fields) {
        const member = layout(f.type, endian);
        parts.push(`${f.name ?? ''}:${f.bits ?? ''}:${f.align ?? ''}:${layoutId(member)}`);
        if (f.name !== null) members += 1 + memberCount(member);
        sync ||= holdsSync(member);
      }
      key = parts.join(';');
      break;
    }
  }
  const known = byStructure.get(key);
  if (known !== undefined) {
    setNewest(byStructure, key, known);
    return known;
  }
  const l = compute(schema, inherited);
  facts.set(l, { id: nextId++, holdsSync: sync, members, key });
  byStructure.set(key, l);
  keptMembers += members;
  while (byStructure.size > KEEP_LAYOUTS || (keptMembers > KEEP_MEMBERS && byStructure.size > 1)) {
    const [oldestKey, oldest] = byStructure.entries().next().value as [string, Layout];
    byStructure.delete(oldestKey);
    keptMembers -= memberCount(oldest);
  }
  return l;
}

function compute(schema: Schema, endian: Endian): Layout {
  switch (schema.kind) {
    case 'primitive': {
      const size = PRIMITIVES[schema.name].size;
      return Object.freeze({ kind: 'primitive', schema, name: schema.name, size, align: size, endian });
    }
    case 'char':
      return Object.freeze({ kind: 'char', schema, length: schema.length, size: schema.length, align: 1 });
    case 'array':
      return arrayLayout(schema, endian);
    case 'struct':
    case 'union':
      return recordLayout(schema, endian);
    case 'sync':
      return Object.freeze({ kind: 'sync', schema, sync: schema.sync, param: schema.param, size: syncWords(schema) * 4, align: 4 });
  }
}

function arrayLayout(schema: ArraySchema, endian: Endian): ArrayLayout {
  const element = layout(schema.element, endian);
  const size = element.size * schema.length;
  if (size > MAX_SIZE) throw schemaError('too_large', typeLabel(schema), '', `would be ${size} bytes, more than ${MAX_SIZE}`, 'use fewer elements');
  return Object.freeze({ kind: 'array', schema, length: schema.length, element, size, align: element.align });
}

/** The layouts of a record's members (in byte order `endian`) and what a placer needs to know of them. */
function shapesOf(schema: RecordSchema, endian: Endian): { members: Layout[]; shapes: MemberShape[] } {
  const members = schema.fields.map((f) => (f.bits === null ? layout(f.type, endian) : layout(f.type as PrimitiveSchema, endian)));
  const shapes: MemberShape[] = schema.fields.map((f, i) => {
    const m = members[i] as Layout;
    if (f.bits !== null && (m.kind !== 'primitive' || PRIMITIVES[m.name].family === 'float')) throw internalError('a bitfield of a type checked not to be one');
    return { bits: f.bits, named: f.name !== null, size: m.size, align: m.align, explicit: f.align, required: f.bits === null ? requiredAlign(m) : 1 };
  });
  return { members, shapes };
}

/**
 * Whether the record's own placement (its members' positions, its size and alignment; nested
 * records keep their own) is the same under `rules` as under the rules it was laid out by: the
 * emitters write a compiler guard only for records whose layout needs their rules.
 */
export function sameUnder(l: RecordLayout, rules: LayoutRules): boolean {
  if (l.rules === rules) return true;
  const { shapes } = shapesOf(l.schema, l.endian);
  const isUnion = l.kind === 'union';
  const { pack, align } = l.schema.options;
  const a = PLACERS[l.rules](shapes, isUnion, pack, align);
  const b = PLACERS[rules](shapes, isUnion, pack, align);
  if (a.size !== b.size || a.align !== b.align || !a.members.every((m, i) => (m === null ? b.members[i] === null : m.at === b.members[i]?.at))) return false;
  // An anonymous member is declared inside its parent, with its parent's rules: it counts as the parent's.
  return l.schema.fields.every((f) => {
    if (f.name !== null || f.bits !== null) return true;
    const m = layout(f.type, l.endian);
    return m.kind !== 'struct' && m.kind !== 'union' ? true : sameUnder(m, rules);
  });
}

/**
 * The fields of an anonymous struct or union member at byte `offset`, as fields of the record that
 * holds it (its own anonymous members' already are fields of it). Linear in its fields.
 */
function hoist(member: Layout, offset: number, endian: Endian, label: string, out: FieldLayout[]): void {
  if (member.kind !== 'struct' && member.kind !== 'union') throw internalError('an anonymous member that is not a record');
  if (member.endian !== endian)
    throw schemaError(
      'invalid_option',
      label,
      `(anonymous ${member.kind})`,
      `is ${member.endian}-endian inside a ${endian}-endian record`,
      "an anonymous member takes its parent's byte order: drop its endian option",
    );
  for (const f of member.fields) {
    if (f.bits === null) {
      out.push(Object.freeze({ name: f.name, offset: offset + f.offset, layout: f.layout, bits: null }));
      continue;
    }
    const bitOffset = offset * 8 + f.bits.bitOffset;
    const unit = f.layout.align;
    out.push(
      Object.freeze({ name: f.name, offset: Math.floor(bitOffset / (unit * 8)) * unit, layout: f.layout, bits: Object.freeze({ ...f.bits, bitOffset }) }),
    );
  }
}

function recordLayout(schema: RecordSchema, inherited: Endian): RecordLayout {
  const endian = schema.options.endian ?? inherited;
  const rules = schema.options.layout ?? 'sysv';
  const label = typeLabel(schema);
  if (rules === 'msvc' && endian === 'big')
    throw schemaError(
      'invalid_option',
      label,
      '',
      "has layout: 'msvc' inside a big-endian record (it inherits the byte order)",
      "give it endian: 'little', or use the sysv rules: MSVC has no big-endian records",
    );
  const { members, shapes } = shapesOf(schema, endian);
  const placed = PLACERS[rules](shapes, schema.kind === 'union', schema.options.pack, schema.options.align);
  const fields: FieldLayout[] = [];
  schema.fields.forEach((field, i) => {
    const at = placed.members[i];
    const member = members[i] as Layout;
    if (at === null || at === undefined || (field.name === null && field.bits !== null)) return; // T : 0 and unnamed bitfields are no fields
    if (field.bits !== null && field.name !== null) {
      const type = member as PrimitiveLayout;
      const bits: BitLayout = Object.freeze({
        bitOffset: at.at,
        width: field.bits,
        type: type.name as IntegerName | 'bool',
        signed: PRIMITIVES[type.name].signed,
      });
      const unitOffset = Math.floor(at.at / (type.align * 8)) * type.align;
      fields.push(Object.freeze({ name: field.name, offset: unitOffset, layout: member, bits }));
      return;
    }
    if (holdsSync(member)) {
      let inner: Layout = member;
      while (inner.kind === 'array') inner = inner.element;
      if (inner.kind === 'sync' && endian === 'big')
        throw schemaError(
          'misplaced_sync',
          label,
          field.name ?? '(anonymous member)',
          'holds a lock or other synchronization member in a big-endian struct',
          'Atomics work on native (little-endian) words: keep it in a little-endian struct',
        );
      if (at.align < 4)
        throw schemaError(
          'misplaced_sync',
          label,
          field.name ?? '(anonymous member)',
          `holds a lock or other synchronization member, but pack: ${schema.options.pack} would misalign it`,
          'use pack: 4 or more, or no pack',
        );
    }
    if (field.name === null) {
      hoist(member, at.at / 8, endian, label, fields);
      return;
    }
    fields.push(Object.freeze({ name: field.name, offset: at.at / 8, layout: member, bits: null }));
  });
  const { size, align } = placed;
  if (size > MAX_SIZE) throw schemaError('too_large', label, '', `would be ${size} bytes, more than ${MAX_SIZE}`, 'make it smaller');
  const l: RecordLayout = Object.freeze({ kind: schema.kind, schema, endian, rules, fields: Object.freeze(fields), size, align });
  requiredOfRecord.set(l, placed.required);
  return l;
}
