/**
 * The record declarations another language needs for a type: one per (record, byte order), in
 * dependency order, each with a unique identifier and the identifiers of its members, under that
 * language's {@link NameRules}. Shared by the C and ctypes emitters.
 *
 * @module
 */
import { internalError } from '../errors.js';
import type { Endian, Schema } from '../types/schema.js';
import { layout } from './compute.js';
import { NameScope, type NameRules } from './emitted-names.js';
import type { RecordLayout } from './types.js';

/** A record to declare, with the identifiers it gets. */
export interface Declaration {
  /** The emitted type name (C tag, Python class). */
  readonly id: string;
  readonly layout: RecordLayout;
  /** Whether `id` differs from the schema's name because the language reserves that name. */
  readonly renamed: boolean;
  /** The emitted name of a named member (schema name → emitted name; most map to themselves). */
  member(name: string): string;
  /** A new member name `${base}0`, `${base}1`, … unique in this record (placeholders). */
  fresh(base: string): string;
}

/** The declarations of a type, and the scope of top-level names they are in. */
export interface Declarations {
  /** Dependencies first. */
  readonly list: readonly Declaration[];
  /** The declaration of a record reachable from the type. */
  of(l: RecordLayout): Declaration;
  /** The names handed out so far in the type namespace (the ids); claim more from it. */
  readonly types: NameScope;
}

/**
 * Collects the records reachable from `schema`, dependencies first, and names them and their members
 * by `rules`. With `inlineAnonymous` (C), an anonymous struct or union member is written inside its
 * parent and gets no declaration of its own (its fields are named in the parent's scope); without
 * (ctypes), it is declared like any record.
 */
export function declarationsOf(schema: Schema, rules: NameRules, inlineAnonymous = false): Declarations {
  const found: { layout: RecordLayout; endian: Endian }[] = [];
  const seen = new Set<RecordLayout>();
  const visit = (s: Schema, endian: Endian): void => {
    if (s.kind === 'array') {
      visit(s.element, endian);
      return;
    }
    if (s.kind !== 'struct' && s.kind !== 'union') return;
    const l = layout(s, endian);
    if (seen.has(l)) return;
    seen.add(l);
    visitFields(s, l.endian);
    found.push({ layout: l, endian });
  };
  const visitFields = (s: Schema & { kind: 'struct' | 'union' }, endian: Endian): void => {
    for (const f of s.fields) {
      const t = f.type;
      if (inlineAnonymous && f.name === null && f.bits === null && (t.kind === 'struct' || t.kind === 'union')) visitFields(t, endian);
      else visit(t, endian);
    }
  };
  visit(schema, 'little');

  // Type names: a record keeps its own name when the language allows it and no earlier record
  // took it; then the others, so that a suffixed or respelled name never takes a record's own.
  const types = new NameScope(rules.reservedType, rules.respell);
  const ids = new Map<RecordLayout, string>();
  for (const { layout: l } of found) {
    const name = l.schema.options.name;
    if (name !== undefined && types.isFree(name)) ids.set(l, types.take(name));
  }
  let anonymous = 0;
  const list: Declaration[] = found.map(({ layout: l, endian }) => {
    const name = l.schema.options.name;
    let id = ids.get(l);
    if (id === undefined) id = name === undefined ? types.claim(`anon_${++anonymous}`) : otherName(types, rules, name, endian);
    ids.set(l, id);
    return declaration(id, l, name !== undefined && rules.reservedType(name), rules);
  });
  const byLayout = new Map(list.map((d) => [d.layout, d]));
  return {
    list,
    types,
    of(l) {
      const d = byLayout.get(l);
      if (d === undefined) throw internalError('undeclared record');
      return d;
    },
  };
}

/**
 * The id of a record whose name is reserved or already taken (the same record in the other byte
 * order, or a namesake): `int` → `int_`, then `Inner_be`/`Inner_le`, then `Inner_2`, `Inner_3`, …
 */
function otherName(types: NameScope, rules: NameRules, name: string, endian: Endian): string {
  const reserved = rules.reservedType(name);
  const prefix = reserved ? rules.respell(name) : `${name}_`;
  if (reserved && types.isFree(prefix)) return types.take(prefix);
  const suffixed = `${prefix}${endian === 'big' ? 'be' : 'le'}`;
  if (types.isFree(suffixed)) return types.take(suffixed);
  for (let n = 2; ; n++) if (types.isFree(`${prefix}${n}`)) return types.take(`${prefix}${n}`);
}

function declaration(id: string, l: RecordLayout, renamed: boolean, rules: NameRules): Declaration {
  const scope = new NameScope(rules.reservedField, rules.respell);
  const members = new Map<string, string>();
  const names = l.fields.map((f) => f.name); // an anonymous member's fields included
  for (const n of names) if (scope.isFree(n)) members.set(n, scope.take(n));
  for (const n of names) if (!members.has(n)) members.set(n, scope.claim(n));
  return {
    id,
    layout: l,
    renamed,
    member(name) {
      const m = members.get(name);
      if (m === undefined) throw internalError(`no member '${name}'`);
      return m;
    },
    fresh: (base) => scope.fresh(base),
  };
}
