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
import { internalError, schemaError } from '../errors.js';
import { PRIMITIVES } from '../types/primitives.js';
import { syncWords } from '../types/sync.js';
import { type ArraySchema, type Endian, type RecordSchema, type Schema, typeLabel } from '../types/schema.js';
import { roundUp, rulesFor } from './abi.js';
import type { ArrayLayout, BitLayout, FieldLayout, Layout, LayoutOf, RecordLayout } from './types.js';

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
}

const facts = new WeakMap<Layout, LayoutFacts>();
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
      const parts = [`${schema.kind}:${endian}:${schema.options.endian ?? ''}:${name ?? ''}:${pack ?? ''}:${align ?? ''}`];
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
    // Refresh: the most recently used structures are the last to be dropped.
    byStructure.delete(key);
    byStructure.set(key, known);
    return known;
  }
  const l = compute(schema, inherited);
  facts.set(l, { id: nextId++, holdsSync: sync, members });
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

function recordLayout(schema: RecordSchema, inherited: Endian): RecordLayout {
  const endian = schema.options.endian ?? inherited;
  const rules = rulesFor(schema.options.pack);
  const isUnion = schema.kind === 'union';
  const fields: FieldLayout[] = [];
  let bitpos = 0; // next free bit (struct) — for a union, the furthest bit used
  let recordAlign = 1;
  for (const field of schema.fields) {
    const start = isUnion ? 0 : bitpos;
    if (field.bits !== null) {
      const type = field.type;
      if (type.kind !== 'primitive' || type.name === 'f32' || type.name === 'f64') throw internalError('a bitfield of a type checked not to be one');
      const typeSize = PRIMITIVES[type.name].size;
      const typeAlign = typeSize;
      if (field.bits === 0) {
        if (!isUnion) bitpos = rules.placeZeroWidth(bitpos, typeAlign);
        continue;
      }
      const at = isUnion ? 0 : rules.placeBitfield(start, field.bits, typeSize * 8, typeAlign);
      const end = at + field.bits;
      bitpos = Math.max(bitpos, end);
      if (field.name === null) continue; // unnamed: takes space, adds no alignment
      recordAlign = Math.max(recordAlign, rules.bitfieldRecordAlign(typeAlign));
      const bits: BitLayout = Object.freeze({ bitOffset: at, width: field.bits, type: type.name, signed: PRIMITIVES[type.name].signed });
      const unitOffset = Math.floor(at / (typeAlign * 8)) * typeAlign;
      fields.push(Object.freeze({ name: field.name, offset: unitOffset, layout: layout(type, endian), bits }));
      continue;
    }
    const member = layout(field.type, endian);
    // An explicit alignment below the type's own changes nothing, as in C (pack lowers alignment).
    const align = rules.memberAlign(Math.max(member.align, field.align ?? 1));
    if (holdsSync(member)) {
      const label = typeLabel(schema);
      let inner: Layout = member;
      while (inner.kind === 'array') inner = inner.element;
      if (inner.kind === 'sync' && endian === 'big')
        throw schemaError(
          'misplaced_sync',
          label,
          field.name as string,
          'holds a lock or other synchronization member in a big-endian struct',
          'Atomics work on native (little-endian) words: keep it in a little-endian struct',
        );
      if (align < 4)
        throw schemaError(
          'misplaced_sync',
          label,
          field.name as string,
          `holds a lock or other synchronization member, but pack: ${schema.options.pack} would misalign it`,
          'use pack: 4 or more, or no pack',
        );
    }
    const offset = isUnion ? 0 : roundUp(Math.ceil(start / 8), align);
    bitpos = Math.max(bitpos, (offset + member.size) * 8);
    recordAlign = Math.max(recordAlign, align);
    fields.push(Object.freeze({ name: field.name as string, offset, layout: member, bits: null }));
  }
  const align = Math.max(recordAlign, schema.options.align ?? 1);
  const size = roundUp(Math.ceil(bitpos / 8), align);
  if (size > MAX_SIZE) throw schemaError('too_large', typeLabel(schema), '', `would be ${size} bytes, more than ${MAX_SIZE}`, 'make it smaller');
  return Object.freeze({ kind: schema.kind, schema, endian, fields: Object.freeze(fields), size, align });
}
