/**
 * The record declarations another language needs for a type: one per (record, byte order), in
 * dependency order, each with a unique identifier. Shared by the C and ctypes emitters.
 *
 * @module
 */
import type { Endian, RecordSchema, Schema } from '../types/schema.js';
import { layout } from './compute.js';
import type { RecordLayout } from './types.js';

/** A record to declare, with the identifier it gets. */
export interface Declaration {
  readonly id: string;
  readonly layout: RecordLayout;
}

/** Collects the records reachable from `schema`, dependencies first, and names them (avoiding `reserved` names). */
export function declarationsOf(
  schema: Schema,
  reserved: ReadonlySet<string> = new Set(),
): { readonly list: readonly Declaration[]; idOf(l: RecordLayout): string } {
  const list: Declaration[] = [];
  const ids = new Map<RecordLayout, string>();
  const taken = new Set<string>();
  let anonymous = 0;
  const nameFor = (s: RecordSchema, endian: Endian): string => {
    const base = s.options.name ?? `anon_${++anonymous}`;
    let id = reserved.has(base) ? `${base}_` : base;
    if (taken.has(id)) id = `${base}_${endian === 'big' ? 'be' : 'le'}`;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    return id;
  };
  const visit = (s: Schema, endian: Endian): void => {
    if (s.kind === 'array') {
      visit(s.element, endian);
      return;
    }
    if (s.kind !== 'struct' && s.kind !== 'union') return;
    const l = layout(s, endian);
    if (ids.has(l)) return;
    for (const f of s.fields) visit(f.type, l.endian);
    const id = nameFor(s, endian);
    ids.set(l, id);
    list.push({ id, layout: l });
  };
  visit(schema, 'little');
  return {
    list,
    idOf(l) {
      const id = ids.get(l);
      if (id === undefined) throw new Error('internal: undeclared record');
      return id;
    },
  };
}
