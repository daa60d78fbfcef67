/**
 * `offsetof` and the work of `layoutOf` (whose public form, with `sizeof` and `alignof`, takes a
 * typecode too: src/types/type-functions.ts): questions about a schema's layout.
 *
 * @module
 */
import { listed, named, rangeError, schemaError, where } from '../errors.js';
import { typeLabel } from '../kinds/labels.js';
import type { Schema } from '../types/schema.js';
import { layout } from './compute.js';
import type { FieldLayout, Layout } from './types.js';

/** One step of a field path: a member name or an array index. */
export type PathStep = { readonly name: string } | { readonly index: number };

/** Parses `a.b[2].c` (a leading `[i]` indexes a top-level array; `''` is the root itself). */
export function parsePath(path: string, label: string): PathStep[] {
  const steps: PathStep[] = [];
  let i = 0;
  const fail = (): never => {
    throw schemaError('invalid_path', label, path, 'is not a valid field path', "write it like 'pos.x', 'items[2].id' or 'm[1][0]'");
  };
  while (i < path.length) {
    if (path[i] === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) fail();
      const digits = path.slice(i + 1, close);
      if (!/^(0|[1-9][0-9]*)$/.test(digits)) fail();
      steps.push({ index: Number(digits) });
      i = close + 1;
    } else {
      if (steps.length > 0) {
        if (path[i] !== '.') fail();
        i++;
      }
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path.slice(i));
      if (m === null) fail();
      steps.push({ name: (m as RegExpExecArray)[0] });
      i += (m as RegExpExecArray)[0].length;
    }
  }
  return steps;
}

/** Where a path leads: its byte offset from the root and the layout (and bitfield info) there. */
export interface Resolved {
  readonly offset: number;
  readonly layout: Layout;
  readonly field: FieldLayout | null;
}

/** Follows a field path through a layout. Throws `SchemaError` for unknown names, `RangeError` for indices out of range. */
export function resolvePath(root: Layout, path: string, label: string): Resolved {
  let offset = 0;
  let current: Layout = root;
  let field: FieldLayout | null = null;
  let walked = '';
  for (const step of parsePath(path, label)) {
    if (field?.bits) throw schemaError('invalid_path', label, walked, 'is a bitfield and has no members');
    if ('index' in step) {
      if (current.kind !== 'array') throw schemaError('invalid_path', label, walked || path, `is ${describeKind(current)}, not an array`);
      if (step.index >= current.length)
        throw rangeError('out_of_bounds', where(label, `${walked}[${step.index}]`), `index ${step.index} is out of range for length ${current.length}`);
      offset += step.index * current.element.size;
      current = current.element;
      walked += `[${step.index}]`;
      field = null;
    } else {
      if (current.kind !== 'struct' && current.kind !== 'union') {
        throw schemaError('invalid_path', label, walked || step.name, `is ${describeKind(current)}, which has no member ${named(step.name)}`);
      }
      const found = current.fields.find((f) => f.name === step.name);
      walked += walked === '' ? step.name : `.${step.name}`;
      if (found === undefined) {
        const names = listed(current.fields.map((f) => f.name));
        throw schemaError('invalid_path', label, walked, `does not exist`, `the members of ${typeLabel(current.schema)} are: ${names}`);
      }
      offset += found.offset;
      current = found.layout;
      field = found;
    }
  }
  return { offset, layout: current, field };
}

function describeKind(l: Layout): string {
  return `a ${typeLabel(l.schema)}`;
}

/**
 * Byte offset of a member, C `offsetof`; the path may go through nested structs and arrays.
 * A bitfield has no byte offset: `offsetof` throws for one (use {@link layoutOf}).
 *
 * @example
 * ```ts
 * import { offsetof, struct, array, f32, u32 } from 'sharedctypes';
 * const Vertex = struct({ pos: array(f32, 3), id: u32 });
 * const Mesh = struct({ count: u32, verts: array(Vertex, 4) });
 * offsetof(Mesh, 'verts[2].id'); // 4 + 2 * 16 + 12 = 48
 * ```
 */
export function offsetof(type: Schema, path: string): number {
  const label = typeLabel(type);
  const r = resolvePath(layout(type), path, label);
  if (r.field?.bits) throw schemaError('invalid_path', label, path, 'is a bitfield, which has no byte offset', 'use layoutOf() for its bit offset and width');
  return r.offset;
}

/** One entry of {@link layoutOf}: a member path with its place in memory. */
export interface FieldInfo {
  /** Path from the root, e.g. `pos.x` or `verts[0].id`. */
  readonly path: string;
  /** The member's type, e.g. `f32`, `char[8]`, `struct Vec3`, `u32[4]`. */
  readonly type: string;
  /** Byte offset from the root (for a bitfield: of the aligned unit of its type holding it). */
  readonly offset: number;
  /** Size in bytes (for a bitfield: its declared type's size). */
  readonly size: number;
  /** For a bitfield: bit offset within the unit at `offset`, counted in the record's bit order. */
  readonly bitOffset?: number;
  /** For a bitfield: width in bits. */
  readonly bitWidth?: number;
  /** For an array: element count. */
  readonly length?: number;
}

/** {@link layoutOf} (src/types) of a schema. */
export function layoutOfSchema(schema: Schema, options: { readonly maxEntries?: number } = {}): FieldInfo[] {
  const max = options.maxEntries ?? 100_000;
  const out: FieldInfo[] = [];
  const push = (info: FieldInfo): void => {
    if (out.length >= max) {
      throw rangeError('out_of_bounds', `layoutOf(${typeLabel(schema)})`, `has more than ${max} entries`, 'pass a larger maxEntries');
    }
    out.push(info);
  };
  const walk = (l: Layout, base: number, prefix: string): void => {
    if (l.kind === 'array') {
      for (let i = 0; i < l.length; i++) {
        const p = `${prefix}[${i}]`;
        const at = base + i * l.element.size;
        push(entry(l.element, p, at));
        walk(l.element, at, p);
      }
    } else if (l.kind === 'struct' || l.kind === 'union') {
      for (const f of l.fields) {
        const p = prefix === '' ? f.name : `${prefix}.${f.name}`;
        if (f.bits !== null) {
          push({
            path: p,
            type: f.bits.type,
            offset: base + f.offset,
            size: f.layout.size,
            bitOffset: f.bits.bitOffset - f.offset * 8,
            bitWidth: f.bits.width,
          });
        } else {
          push(entry(f.layout, p, base + f.offset));
          walk(f.layout, base + f.offset, p);
        }
      }
    }
  };
  walk(layout(schema), 0, '');
  return out;
}

function entry(l: Layout, path: string, offset: number): FieldInfo {
  const info: FieldInfo = { path, type: typeLabel(l.schema), offset, size: l.size };
  return l.kind === 'array' ? { ...info, length: l.length } : info;
}

/** Whether a layout holds a synchronization member anywhere (memoized: layouts are immutable and shared). */
const holdsSync = new WeakMap<Layout, boolean>();

function containsSync(l: Layout): boolean {
  let known = holdsSync.get(l);
  if (known === undefined) {
    known =
      l.kind === 'sync' ||
      (l.kind === 'array' && containsSync(l.element)) ||
      ((l.kind === 'struct' || l.kind === 'union') && l.fields.some((f) => containsSync(f.layout)));
    holdsSync.set(l, known);
  }
  return known;
}

/**
 * Calls `visit(offset, size)` for each synchronization member of `l` placed at byte `base`, in
 * order. Linear in the number of members (an array of elements without any is skipped whole).
 */
export function forEachSyncMember(l: Layout, base: number, visit: (offset: number, size: number) => void): void {
  if (!containsSync(l)) return;
  switch (l.kind) {
    case 'sync':
      visit(base, l.size);
      return;
    case 'struct':
    case 'union':
      for (const f of l.fields) forEachSyncMember(f.layout, base + f.offset, visit);
      return;
    case 'array':
      for (let k = 0; k < l.length; k++) forEachSyncMember(l.element, base + k * l.element.size, visit);
      return;
    default:
      return;
  }
}

/** The path of the first synchronization member of `l` (`'lock'`, `'accounts[0].lock'`; `''` for `l` itself), or null if it has none. */
export function firstSyncMember(l: Layout): string | null {
  if (!containsSync(l)) return null;
  switch (l.kind) {
    case 'sync':
      return '';
    case 'struct':
    case 'union':
      for (const f of l.fields) {
        const inner = firstSyncMember(f.layout);
        if (inner !== null) return inner === '' || inner.startsWith('[') ? `${f.name}${inner}` : `${f.name}.${inner}`;
      }
      return null;
    case 'array': {
      const inner = firstSyncMember(l.element);
      return inner === null ? null : inner === '' || inner.startsWith('[') ? `[0]${inner}` : `[0].${inner}`;
    }
    default:
      return null;
  }
}
