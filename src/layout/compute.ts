/**
 * Computes layouts: pure, memoised per (schema, inherited byte order).
 *
 * @module
 */
import { schemaError } from '../errors.js';
import { cached } from '../memo.js';
import { PRIMITIVES } from '../types/primitives.js';
import { syncWords } from '../types/sync.js';
import { type ArraySchema, type Endian, type RecordSchema, type Schema, typeLabel } from '../types/schema.js';
import { roundUp, rulesFor } from './abi.js';
import type { ArrayLayout, BitLayout, FieldLayout, Layout, LayoutOf, RecordLayout } from './types.js';

/** The largest size of a type: beyond it offsets stop being exact doubles in generated code. */
export const MAX_SIZE = 2 ** 48;

const cache: Record<Endian, WeakMap<Schema, Layout>> = { little: new WeakMap(), big: new WeakMap() };

/**
 * The layout of `schema` as a top-level type (or inside a record of byte order `endian`, which
 * records without their own `endian` option inherit): sizes, alignments, every field's offset and
 * bit position. Memoised per schema.
 *
 * @example
 * ```ts
 * import { layout, struct, u8, u32 } from 'sharedctypes';
 * const l = layout(struct({ a: u8, b: u32 }));
 * l.size;                          // 8
 * l.kind === 'struct' && l.fields[1]?.offset; // 4
 * ```
 */
export function layout<S extends Schema>(schema: S, endian: Endian = 'little'): LayoutOf<S> {
  return cached(cache[endian], schema, () => compute(schema, endian)) as LayoutOf<S>;
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

/** Whether a layout holds a synchronization primitive anywhere inside. */
function holdsSync(l: Layout): boolean {
  if (l.kind === 'sync') return true;
  if (l.kind === 'array') return holdsSync(l.element);
  if (l.kind === 'struct' || l.kind === 'union') return l.fields.some((f) => holdsSync(f.layout));
  return false;
}

function arrayLayout(schema: ArraySchema, endian: Endian): ArrayLayout {
  const element = layout(schema.element, endian);
  const size = element.size * schema.length;
  if (size > MAX_SIZE) throw schemaError(typeLabel(schema), '', `would be ${size} bytes, more than ${MAX_SIZE}`, 'use fewer elements');
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
      if (type.kind !== 'primitive' || type.name === 'f32' || type.name === 'f64') throw new TypeError('unreachable: checked bitfield type');
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
          label,
          field.name as string,
          'holds a lock or other synchronization member in a big-endian struct',
          'Atomics work on native (little-endian) words: keep it in a little-endian struct',
        );
      if (align < 4)
        throw schemaError(
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
  if (size > MAX_SIZE) throw schemaError(typeLabel(schema), '', `would be ${size} bytes, more than ${MAX_SIZE}`, 'make it smaller');
  return Object.freeze({ kind: schema.kind, schema, endian, fields: Object.freeze(fields), size, align });
}
