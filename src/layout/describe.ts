/**
 * `describe(T)`: a readable layout report in the manner of `pahole`: every member with offset and
 * size, bitfields with their bit position, and the holes and tail padding between them.
 *
 * @module
 */
import { typeLabel } from '../kinds/labels.js';
import type { Layout, RecordLayout } from './types.js';

function declOf(l: Layout, name: string): string {
  let dims = '';
  let inner = l;
  while (inner.kind === 'array') {
    dims += `[${inner.length}]`;
    inner = inner.element;
  }
  if (inner.kind === 'char') return `char ${name}${dims}[${inner.length}]`;
  if (inner.kind === 'sync') return `${typeLabel(inner.schema)} ${name}${dims}`;
  const base = inner.kind === 'primitive' ? inner.name : typeLabel(inner.schema);
  return `${base} ${name}${dims}`;
}

function comment(offset: string, size: number | string): string {
  return `/* ${offset.padStart(7)} ${String(size).padStart(6)} */`;
}

function padding(bytes: number, what: string, indent: string): string {
  return `${indent}${' '.repeat(17)}/* ${what}: ${bytes} byte${bytes === 1 ? '' : 's'} */`;
}

function innerRecord(l: Layout): RecordLayout | undefined {
  let inner = l;
  while (inner.kind === 'array') inner = inner.element;
  return inner.kind === 'struct' || inner.kind === 'union' ? inner : undefined;
}

/**
 * How many lines nested records may still take. A record's own members are always listed; nested
 * records are expanded while lines are left, so that the report stays linear in the size of the
 * type's descriptor even when a type nests others many times over.
 */
interface Budget {
  left: number;
  omitted: number;
}

function expand(nested: RecordLayout, at: number, indent: string, out: string[], budget: Budget): boolean {
  if (budget.left < nested.fields.length + 2) {
    budget.omitted++;
    return false;
  }
  record(nested, at, indent, out, budget);
  return true;
}

function record(l: RecordLayout, base: number, indent: string, out: string[], budget: Budget): void {
  budget.left -= l.fields.length + 2;
  const tags = [`size ${l.size}`, `align ${l.align}`];
  if (l.schema.options.pack !== undefined) tags.push(`pack ${l.schema.options.pack}`);
  if (l.endian === 'big') tags.push('big-endian');
  if (l.rules !== 'sysv') tags.push(`layout ${l.rules}`);
  out.push(`${indent}${typeLabel(l.schema)} {  /* ${tags.join(', ')} */`);
  const inner = `${indent}  `;
  const explicit = new Map(l.schema.fields.map((f) => [f.name, f.align]));
  let end = 0; // first byte after the members so far (structs)
  for (const f of l.fields) {
    const align = explicit.get(f.name);
    const note = align === null || align === undefined ? '' : `  /* aligned(${align}) */`;
    const at = base + f.offset;
    if (l.kind === 'struct' && f.bits === null && f.offset > end) out.push(padding(f.offset - end, 'hole', inner));
    if (f.bits !== null) {
      const bit = f.bits.bitOffset - f.offset * 8;
      out.push(`${inner}${comment(`${at}:${bit}`, f.layout.size)}  ${f.bits.type} ${f.name} : ${f.bits.width};`);
      end = Math.max(end, Math.ceil((f.bits.bitOffset + f.bits.width) / 8));
      continue;
    }
    const nested = innerRecord(f.layout);
    if (nested !== undefined && f.layout.kind !== 'array') {
      const line = out.push(`${inner}${comment(String(at), f.layout.size)}  ${f.name}:${note}`) - 1;
      if (!expand(nested, at, `${inner}  `, out, budget)) out[line] = `${inner}${comment(String(at), f.layout.size)}  ${declOf(f.layout, f.name)};${note}`;
    } else {
      out.push(`${inner}${comment(String(at), f.layout.size)}  ${declOf(f.layout, f.name)};${note}`);
      if (nested !== undefined) {
        const line = out.push(`${inner}${' '.repeat(17)}/* each element: */`) - 1;
        if (!expand(nested, at, `${inner}  `, out, budget)) out.splice(line, 1);
      }
    }
    end = Math.max(end, f.offset + f.layout.size);
  }
  if (l.size > end) out.push(padding(l.size - end, l.kind === 'struct' ? 'tail padding' : 'padding', inner));
  out.push(`${indent}};`);
}

/** Options of `describe()`. */
export interface DescribeOptions {
  /**
   * About how many lines nested records may take before they are shown by type only (the
   * members of the type itself are always listed).
   * @defaultValue 2000
   */
  readonly maxLines?: number;
}

/** {@link describe} for a computed layout (which may sit in a byte order inherited from a container). */
export function describeLayout(l: Layout, options: DescribeOptions = {}): string {
  const out: string[] = [];
  const budget: Budget = { left: Math.max(0, options.maxLines ?? 2000), omitted: 0 };
  if (l.kind === 'struct' || l.kind === 'union') record(l, 0, '', out, budget);
  else {
    out.push(`${declOf(l, 'value')};  /* size ${l.size}, align ${l.align} */`);
    const nested = innerRecord(l);
    if (nested !== undefined) {
      out.push('/* each element: */');
      record(nested, 0, '', out, budget);
    }
  }
  if (budget.omitted > 0) out.push(`/* ${budget.omitted} nested record(s) shown by type only: describe(T, { maxLines }) shows more */`);
  return out.join('\n');
}
